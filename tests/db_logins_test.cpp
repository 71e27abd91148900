// The login ledger for databases on real traffic: fixtures/db-logins.pcap holds MariaDB, PostgreSQL and
// Redis logins with right and wrong passwords, made by fixtures/make-db-logins.sh with the real servers
// and clients from Debian. db-logins.labels.tsv says what each attempt was and how the server answered;
// `trawl analyze` must put exactly those attempts in auth.jsonl, and agree with tshark's dissectors on the
// fields both read.
#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/labels.h"
#include "support/testing.h"

namespace trawl::testing {
namespace {

using Label = LoginLabel;

std::string pcap() { return fixtures_dir() + "/db-logins.pcap"; }

std::vector<Label> read_labels() { return read_login_labels(fixtures_dir() + "/db-logins.labels.tsv"); }

// auth.jsonl of `trawl analyze`, and the conn records' services by uid.
struct Analyzed {
  std::vector<nlohmann::json> auth;
  std::map<std::string, std::string> service;
};

Analyzed analyze(bool show_passwords) {
  TempDir out;
  auto r = run(shell_quote(trawl_binary()) + " analyze --quiet " + (show_passwords ? "--show-passwords " : "") +
               shell_quote(pcap()) + " -o " + shell_quote(out.path()));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  Analyzed a;
  std::istringstream auth(read_file(out.file("auth.jsonl")));
  for (std::string line; std::getline(auth, line);)
    if (!line.empty()) a.auth.push_back(nlohmann::json::parse(line));
  std::istringstream conn(read_file(out.file("conn.jsonl")));
  for (std::string line; std::getline(conn, line);) {
    if (line.empty()) continue;
    auto j = nlohmann::json::parse(line);
    a.service[j.at("uid").get<std::string>()] = j.value("service", "");
  }
  return a;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// What the wire shows of an attempt: MySQL passwords are scrambled, PostgreSQL's only with the
// "password" method in cleartext, Redis's always; a login inside TLS shows neither user nor outcome.
bool cleartext(const Label& l) { return l.app == "redis" || (l.app == "postgresql" && l.method == "password"); }
bool inside_tls(const Label& l) { return l.method == "tls"; }

TEST(DbLogins, LabelsCoverEveryProtocolWithBothOutcomes) {
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& l : read_labels()) seen.insert({l.app, l.outcome});
  for (const char* app : {"mysql", "postgresql", "redis"})
    for (const char* outcome : {"success", "failure"}) EXPECT_TRUE(seen.count({app, outcome})) << app << " " << outcome;
}

// Every labelled attempt appears once, in order per protocol, with the right endpoints, user, password,
// method and outcome; nothing else does (in particular no extra success).
TEST(DbLogins, EveryAttemptWithItsOutcome) {
  auto labels = read_labels();
  auto analyzed = analyze(true);
  const auto& records = analyzed.auth;
  ASSERT_EQ(records.size(), labels.size());

  std::map<std::string, std::vector<nlohmann::json>> by_app;
  for (const auto& r : records) by_app[r.at("app").get<std::string>()].push_back(r);
  for (auto& [app, rs] : by_app)
    std::stable_sort(rs.begin(), rs.end(), [](const auto& a, const auto& b) {
      return a.at("ts").template get<double>() < b.at("ts").template get<double>();
    });
  std::map<std::string, size_t> next;
  for (const auto& l : labels) {
    SCOPED_TRACE(l.app + " " + l.user + " " + l.method + " " + l.outcome + " (" + l.note + ")");
    auto& rs = by_app[l.app];
    size_t i = next[l.app]++;
    ASSERT_LT(i, rs.size()) << "no record for this attempt";
    const auto& r = rs[i];
    EXPECT_EQ(r.at("src"), l.client);
    EXPECT_EQ(r.at("dst"), l.server);
    EXPECT_EQ(r.at("dport"), l.port);
    EXPECT_EQ(lower(r.at("method").get<std::string>()), lower(l.method));
    // The connection is named by its content (and, after an SSLRequest, by TLS as well).
    std::string service = analyzed.service[r.at("uid").get<std::string>()];
    EXPECT_EQ(service, inside_tls(l) ? l.app + ",tls" : l.app);
    if (inside_tls(l)) {
      EXPECT_EQ(r.at("outcome"), "unknown");
      EXPECT_EQ(r.at("user"), "");
      continue;
    }
    EXPECT_EQ(r.at("outcome"), l.outcome) << r.dump();
    EXPECT_EQ(r.at("user"), l.user);
    EXPECT_EQ(r.at("password_seen"), cleartext(l));
    if (cleartext(l)) {
      EXPECT_EQ(r.at("password"), l.password);
    } else {
      EXPECT_TRUE(r.at("password").is_null());
    }
  }
  for (const auto& [app, rs] : by_app) EXPECT_EQ(next[app], rs.size()) << "extra " << app << " records";
  size_t want_ok = std::count_if(labels.begin(), labels.end(),
                                 [](const Label& l) { return l.outcome == "success" && !inside_tls(l); });
  size_t got_ok = std::count_if(records.begin(), records.end(), [](const auto& r) { return r.at("outcome") == "success"; });
  EXPECT_EQ(got_ok, want_ok);
}

// tshark reads the same users (MySQL Login Request, PostgreSQL StartupMessage, Redis AUTH) and cleartext
// passwords (PostgreSQL PasswordMessage), per connection.
TEST(DbLogins, UsersAndPasswordsAsTsharkReadsThem) {
  if (!have_tool("tshark")) GTEST_SKIP() << "tshark not installed";
  auto r = run("tshark -n -r " + shell_quote(pcap()) +
               " -Y 'mysql.user || pgsql.parameter_name || pgsql.password || resp.bulk_string.value' -T fields"
               " -E separator=/t -e tcp.srcport -e mysql.user -e pgsql.parameter_name -e pgsql.parameter_value"
               " -e pgsql.password -e resp.bulk_string.value");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto unhex = [](const std::string& h) {
    std::string s;
    for (size_t i = 0; i + 1 < h.size(); i += 2) s.push_back(char(std::stoi(h.substr(i, 2), nullptr, 16)));
    return s;
  };
  std::map<int, std::pair<std::string, std::string>> want;  // client port -> (user, password or "")
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) {
    auto f = split(line, '\t');
    f.resize(6);
    if (f[0].empty()) continue;
    auto& w = want[std::stoi(f[0])];
    if (!f[1].empty()) w.first = f[1];
    auto names = split(f[2], ','), values = split(f[3], ',');
    for (size_t i = 0; i < names.size() && i < values.size(); ++i)
      if (names[i] == "user") w.first = values[i];
    if (!f[4].empty()) w.second = f[4];
    auto args = split(f[5], ',');
    if (args.size() >= 2 && unhex(args[0]) == "AUTH" && w.second.empty()) {
      w.first = args.size() == 3 ? unhex(args[1]) : "";
      w.second = unhex(args.back());
    }
  }
  auto analyzed = analyze(true);
  size_t compared = 0;
  for (const auto& rec : analyzed.auth) {
    int port = rec.at("sport").get<int>();
    ASSERT_TRUE(want.count(port)) << "tshark saw no login on this connection";
    SCOPED_TRACE(rec.dump());
    EXPECT_EQ(rec.at("user"), want[port].first);
    // tshark shows md5's PasswordMessage too: a hash ("md5" and 32 hex digits), which is no password.
    const std::string& pw = want[port].second;
    if (pw.empty() || (pw.starts_with("md5") && pw.size() == 35)) {
      EXPECT_TRUE(rec.at("password").is_null());
    } else {
      EXPECT_EQ(rec.at("password"), pw);
    }
    ++compared;
  }
  EXPECT_EQ(compared, read_labels().size());  // the login inside TLS too: tshark names no user, nor does trawl
}

// Without --show-passwords no typed password reaches the output, but the attempts are all there.
TEST(DbLogins, PasswordsMaskedByDefault) {
  auto labels = read_labels();
  auto records = analyze(false).auth;
  ASSERT_EQ(records.size(), labels.size());
  for (const auto& rec : records)
    for (const auto& l : labels) EXPECT_EQ(rec.dump().find(l.password), std::string::npos) << rec.dump();
}

}  // namespace
}  // namespace trawl::testing
