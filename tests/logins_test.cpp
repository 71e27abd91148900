// The login ledger on real traffic: fixtures/logins.pcap holds one right and one wrong password for every
// login protocol, made by fixtures/make-logins.sh with real servers (vsftpd, dovecot, aiosmtpd, OpenSSH,
// inetutils telnetd, a python3 HTTP server) and real clients. logins.labels.tsv says what each attempt
// was and how the server answered; `trawl records auth` must find exactly those attempts.
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

std::vector<Label> read_labels() { return read_login_labels(fixtures_dir() + "/logins.labels.tsv"); }

std::vector<nlohmann::json> auth_records(const std::string& extra) {
  auto r = run(shell_quote(trawl_binary()) + " records auth " + extra + " " +
               shell_quote(fixtures_dir() + "/logins.pcap"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<nlohmann::json> out;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(nlohmann::json::parse(line));
  return out;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// SSH carries user and password encrypted: only the outcome (inferred from packet sizes) can be checked.
bool encrypted(const std::string& app) { return app == "ssh"; }

TEST(Logins, LabelsCoverEveryProtocolWithBothOutcomes) {
  auto labels = read_labels();
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& l : labels) seen.insert({l.app, l.outcome});
  for (const char* app : {"ftp", "pop3", "imap", "http", "smtp", "ssh", "telnet"})
    for (const char* outcome : {"success", "failure"})
      EXPECT_TRUE(seen.count({app, outcome})) << app << " " << outcome;
}

// Every labelled attempt appears once, in order per protocol, with the right endpoints, user, password,
// method and outcome; nothing else does (in particular no extra success).
TEST(Logins, EveryAttemptWithItsOutcome) {
  auto labels = read_labels();
  auto records = auth_records("--show-passwords");
  ASSERT_EQ(records.size(), labels.size());

  std::map<std::string, std::vector<nlohmann::json>> by_app;
  for (const auto& r : records) by_app[r.at("app").get<std::string>()].push_back(r);
  for (auto& [app, rs] : by_app)
    std::stable_sort(rs.begin(), rs.end(), [](const auto& a, const auto& b) {
      return a.at("ts").template get<double>() < b.at("ts").template get<double>();
    });

  std::map<std::string, size_t> next;
  for (const auto& l : labels) {
    SCOPED_TRACE(l.app + " " + l.method + " " + l.outcome + " (" + l.note + ")");
    auto& rs = by_app[l.app];
    size_t i = next[l.app]++;
    ASSERT_LT(i, rs.size()) << "no record for this attempt";
    const auto& r = rs[i];
    EXPECT_EQ(r.at("src"), l.client);
    EXPECT_EQ(r.at("dst"), l.server);
    EXPECT_EQ(r.at("dport"), l.port);
    EXPECT_EQ(r.at("outcome"), l.outcome) << r.dump();
    if (encrypted(l.app)) {
      EXPECT_EQ(r.at("user"), "");
      EXPECT_EQ(r.at("password_seen"), false);
    } else {
      EXPECT_EQ(r.at("user"), l.user);
      EXPECT_EQ(r.at("password"), l.password);
      EXPECT_EQ(r.at("password_seen"), true);
      EXPECT_EQ(lower(r.at("method").get<std::string>()), lower(l.method));
    }
  }
  for (const auto& [app, rs] : by_app) EXPECT_EQ(next[app], rs.size()) << "extra " << app << " records";

  size_t want_ok = std::count_if(labels.begin(), labels.end(), [](const Label& l) { return l.outcome == "success"; });
  size_t got_ok = std::count_if(records.begin(), records.end(), [](const auto& r) { return r.at("outcome") == "success"; });
  EXPECT_EQ(got_ok, want_ok);
}

// Each attempt is its own TCP connection: the client ports of the records are exactly those of the
// connections tshark sees opened to each server port.
TEST(Logins, OneRecordPerConnectionAsTsharkSeesThem) {
  if (!have_tool("tshark")) GTEST_SKIP() << "tshark not installed";
  auto r = run("tshark -r " + shell_quote(fixtures_dir() + "/logins.pcap") +
               " -Y 'tcp.flags.syn==1 && tcp.flags.ack==0' -T fields -e tcp.srcport -e tcp.dstport");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::set<std::pair<int, int>> want;  // (client port, server port)
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) {
    auto f = split(line, '\t');
    if (f.size() == 2) want.insert({std::stoi(f[0]), std::stoi(f[1])});
  }
  ASSERT_EQ(want.size(), read_labels().size());
  std::set<std::pair<int, int>> got;
  for (const auto& rec : auth_records("")) got.insert({rec.at("sport").get<int>(), rec.at("dport").get<int>()});
  EXPECT_EQ(got, want);
}

// Without --show-passwords no typed password reaches the output, but the attempts are all there.
TEST(Logins, PasswordsMaskedByDefault) {
  auto labels = read_labels();
  auto records = auth_records("");
  ASSERT_EQ(records.size(), labels.size());
  for (const auto& rec : records) {
    std::string line = rec.dump();
    for (const auto& l : labels) EXPECT_EQ(line.find(l.password), std::string::npos) << line;
  }
}

}  // namespace
}  // namespace trawl::testing
