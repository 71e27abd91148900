// Brute force detection: synthetic ledgers and connections just above and just under every threshold, then
// the real captures (hydra against SSH, an SSH guesser, single logins that must stay quiet) and the attack
// fixtures.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "detect/bruteforce/bruteforce_detector.h"
#include "detect/bruteforce/password_dictionary.h"
#include "detect/engine.h"
#include "support/testing.h"

namespace trawl::detect {
namespace {

using nlohmann::json;

// SHA-256 from coreutils, not from the code under test: the mask auth.jsonl writes for `clear`.
std::string reference_mask(const std::string& clear) {
  auto r = testing::run("printf %s " + testing::shell_quote(clear) + " | sha256sum");
  return fmt::format("len:{} sha256:{}", clear.size(), r.out.substr(0, 8));
}

// Records of one analyze output directory, written as JSON lines.
struct Records {
  std::map<std::string, std::string> files;
  uint64_t frame = 0;

  json common(double ts, const std::string& src, const std::string& dst, int sport, int dport, const std::string& uid) {
    return {{"ts", ts},   {"uid", uid},     {"src", src},       {"sport", sport},
            {"dst", dst}, {"dport", dport}, {"file", "t.pcap"}, {"frame", ++frame}};
  }
  void add(const std::string& type, const json& j) { files[type] += j.dump() + "\n"; }

  // One login of the ledger; password null when the protocol hides it.
  void login(double ts, const std::string& src, const std::string& dst, int dport, const std::string& app,
             const std::string& user, const json& password, const std::string& outcome, const std::string& uid = "C1",
             const std::string& method = "USER/PASS") {
    json j = common(ts, src, dst, 40000, dport, uid);
    j.update({{"app", app},
              {"user", user},
              {"password", password},
              {"method", method},
              {"outcome", outcome},
              {"confidence", ""},
              {"reply", ""},
              {"password_seen", !password.is_null()}});
    add("auth", j);
  }
  void conn(double ts, const std::string& src, const std::string& dst, int sport, int dport, const std::string& service,
            const std::string& uid, double duration, int orig_pkts, int resp_pkts, int orig_bytes, int resp_bytes) {
    json j = common(ts, src, dst, sport, dport, uid);
    j.update({{"proto", "tcp"},
              {"service", service},
              {"duration", duration},
              {"orig_bytes", orig_bytes},
              {"resp_bytes", resp_bytes},
              {"conn_state", "SF"},
              {"orig_pkts", orig_pkts},
              {"resp_pkts", resp_pkts}});
    add("conn", j);
  }
  void tls(double ts, const std::string& src, const std::string& dst, int sport, int dport, const std::string& uid,
           int orig_app, int resp_app, const json& alpn = json::array()) {
    json j = common(ts, src, dst, sport, dport, uid);
    j.update({{"established", true}, {"orig_app_bytes", orig_app}, {"resp_app_bytes", resp_app}, {"alpn", alpn}});
    add("tls", j);
  }

  std::vector<Alert> detect(const Config& config = Config::defaults(), const FeedOptions& feed = {}) const {
    testing::TempDir dir;
    for (const auto& [type, text] : files) testing::write_file(dir.file(type + ".jsonl"), text);
    const DetectorInfo* which[] = {&kBruteforceDetector};
    return run_detectors(dir.path(), config, which, feed).alerts;
  }
};

std::vector<const Alert*> of_type(const std::vector<Alert>& alerts, const std::string& type) {
  std::vector<const Alert*> out;
  for (const Alert& a : alerts)
    if (a.type == type) out.push_back(&a);
  return out;
}

constexpr const char* kAtk = "10.0.0.66";
constexpr const char* kSrv = "10.0.1.10";

// n failures of `user` against POP3, one second apart, with distinct (non-dictionary) masked passwords.
void guesses(Records& r, int n, double t0 = 1000, const std::string& user = "alice", const std::string& app = "pop3") {
  for (int i = 0; i < n; ++i)
    r.login(t0 + i, kAtk, kSrv, 110, app, user, reference_mask(fmt::format("Guess-{}-xyz", i)), "failure");
}

TEST(PasswordMask, MatchesCoreutilsAndIsRecognised) {
  for (std::string p : {"123456", "1qaz@WSX", "", "pässwörd"}) {
    EXPECT_EQ(bruteforce::mask_password(p), reference_mask(p));
    EXPECT_TRUE(bruteforce::is_masked_password(bruteforce::mask_password(p)));
  }
  EXPECT_FALSE(bruteforce::is_masked_password("len:6 sha256:ABCDEF01"));  // upper-case hex is a clear password
  EXPECT_FALSE(bruteforce::is_masked_password("len: sha256:abcdef01"));
  EXPECT_FALSE(bruteforce::is_masked_password("len:6 sha256:abcdef0"));
  EXPECT_FALSE(bruteforce::is_masked_password("hunter2"));
}

TEST(PasswordDictionary, MatchesClearAndMaskedFormsOfBundledAndExtraPasswords) {
  auto bundled = bruteforce::bundled_passwords();
  for (std::string p : {"123456", "12345678", "123@qwe", "1qaz@WSX", "password", "admin", "qwerty"})
    EXPECT_NE(std::find(bundled.begin(), bundled.end(), p), bundled.end()) << p;
  for (const auto& p : bundled) EXPECT_NE(p[0], '#');

  Config config = Config::from_text("[bruteforce]\nextra_passwords = [\"Corp-Spring!\"]\n");
  auto d = bruteforce::PasswordDictionary::from_config(config);
  EXPECT_TRUE(d.contains("123@qwe"));
  EXPECT_TRUE(d.contains(reference_mask("123@qwe")));
  EXPECT_TRUE(d.contains(reference_mask("Corp-Spring!")));
  EXPECT_TRUE(d.contains("Corp-Spring!"));
  EXPECT_FALSE(d.contains("Tr4wl-fixture-pw"));
  EXPECT_FALSE(d.contains(reference_mask("Tr4wl-fixture-pw")));
  EXPECT_FALSE(d.contains("123@QWE"));

  testing::TempDir dir;
  testing::write_file(dir.file("words.txt"), "# ours\r\nSite-Pass-1\r\n\r\n");
  auto f = bruteforce::PasswordDictionary::from_config(
      Config::from_text(fmt::format("[bruteforce]\npasswords_file = \"{}\"\n", dir.file("words.txt"))));
  EXPECT_TRUE(f.contains(reference_mask("Site-Pass-1")));
  EXPECT_FALSE(f.contains("# ours"));
  EXPECT_THROW(bruteforce::PasswordDictionary::from_config(
                   Config::from_text("[bruteforce]\npasswords_file = \"/nonexistent/words\"\n")),
               std::runtime_error);
}

TEST(BruteforceLedger, DictionaryRunEndingInSuccessIsBruteForceAndCompromise) {
  Records r;
  const std::vector<std::string> words = {"123456", "password", "letmein",         "Zx-not-common-1", "Zx-not-common-2",
                                          "admin",  "qwerty",   "Zx-not-common-3", "1qaz@WSX"};
  for (size_t i = 0; i < words.size(); ++i)
    r.login(1000 + double(i) * 0.5, kAtk, kSrv, 110, "pop3", "alice", reference_mask(words[i]), "failure");
  r.login(1005, kAtk, kSrv, 110, "pop3", "alice", reference_mask("Right-Pw-9"), "success");
  auto alerts = r.detect();
  ASSERT_EQ(alerts.size(), 2u);
  auto bf = of_type(alerts, "bruteforce.pop3");
  ASSERT_EQ(bf.size(), 1u);
  const Alert& a = *bf[0];
  EXPECT_EQ(a.severity, Severity::kHigh);
  EXPECT_EQ(a.mitre, std::vector<std::string>{"T1110.001"});
  EXPECT_EQ(a.src, kAtk);
  EXPECT_EQ(a.dst, kSrv);
  EXPECT_EQ(a.dst_port, 110);
  EXPECT_EQ(a.proto, "pop3");
  EXPECT_EQ(a.count, 9u);
  EXPECT_DOUBLE_EQ(a.ts_first, 1000);
  EXPECT_DOUBLE_EQ(a.ts_last, 1004);
  EXPECT_EQ(a.evidence["failures"], 9);
  EXPECT_EQ(a.evidence["successes"], 1);
  EXPECT_EQ(a.evidence["users"], json::array({"alice"}));
  EXPECT_EQ(a.evidence["passwords"], 9);
  EXPECT_EQ(a.evidence["peak_failures_in_window"], 9);
  std::set<std::string> dict = a.evidence["dictionary_passwords"].get<std::set<std::string>>();
  std::set<std::string> want;
  for (std::string w : {"123456", "password", "letmein", "admin", "qwerty", "1qaz@WSX"}) want.insert(reference_mask(w));
  EXPECT_EQ(dict, want);
  EXPECT_EQ(a.frames.size(), 9u);  // the nine failures
  EXPECT_NE(a.summary.find("10.0.0.66 failed 9 times to log in to POP3 on 10.0.1.10:110"), std::string::npos)
      << a.summary;

  auto c = of_type(alerts, "credential.compromised");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0]->severity, Severity::kCritical);
  EXPECT_EQ(c[0]->mitre, (std::vector<std::string>{"T1078", "T1110.001"}));
  EXPECT_EQ(c[0]->evidence["users"], json::array({"alice"}));
  EXPECT_EQ(c[0]->evidence["failures_before"], 9);
  EXPECT_EQ(c[0]->evidence["weak_password"], false);
  EXPECT_DOUBLE_EQ(c[0]->ts_first, 1000);
  EXPECT_DOUBLE_EQ(c[0]->ts_last, 1005);
  EXPECT_EQ(c[0]->frames.to_json()[0]["frames"].size(), 10u);  // the success and the failures before it
  EXPECT_NE(c[0]->summary.find("logged in to POP3 on 10.0.1.10:110 as alice after 9 failed guesses"),
            std::string::npos);
}

TEST(BruteforceLedger, FailuresAnsweredJustAfterTheSuccessCountAsGuessesBeforeIt) {
  // A parallel guesser (ncrack against telnet): three wrong guesses answered, the right one answered at once,
  // then /bin/login answers the other six wrong guesses 3 s later (its FAIL_DELAY).
  Records r;
  guesses(r, 3, 1000);
  r.login(1004, kAtk, kSrv, 110, "pop3", "alice", reference_mask("Right-Pw-9"), "success");
  for (int i = 0; i < 6; ++i)
    r.login(1007 + i * 0.1, kAtk, kSrv, 110, "pop3", "alice", reference_mask(fmt::format("Late-{}", i)), "failure");
  auto alerts = r.detect();
  auto c = of_type(alerts, "credential.compromised");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0]->evidence["failures_before"], 9);
  // Answered later than compromised_late_failures_s: those failures came after the login, not before it.
  EXPECT_TRUE(of_type(r.detect(Config::from_text("[bruteforce]\ncompromised_late_failures_s = 2.0\n")),
                      "credential.compromised")
                  .empty());
}

TEST(BruteforceLedger, ClearPasswordsAreComparedAsTheyAre) {
  Records r;
  for (std::string w : {"123456", "password", "admin", "Zq-1"})
    r.login(1000, kAtk, kSrv, 21, "ftp", "root", w, "failure");
  auto alerts = r.detect();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].type, "bruteforce.ftp");
  EXPECT_EQ(alerts[0].evidence["dictionary_passwords"], json::array({"123456", "admin", "password"}));
}

TEST(BruteforceLedger, NearMissesStayQuiet) {
  {  // one failure under min_failures, none of them common passwords
    Records r;
    guesses(r, 6);
    r.login(1010, kAtk, kSrv, 110, "pop3", "alice", reference_mask("Right-Pw-9"), "success");
    EXPECT_TRUE(r.detect().empty());
  }
  {  // a client retrying one stale password many times
    Records r;
    for (int i = 0; i < 40; ++i)
      r.login(1000 + i * 30, kAtk, kSrv, 143, "imap", "bob", reference_mask("old-pw"), "failure");
    EXPECT_TRUE(r.detect().empty());
  }
  {  // two passwords per account: still under min_passwords_per_user
    Records r;
    for (int i = 0; i < 10; ++i)
      r.login(1000 + i, kAtk, kSrv, 143, "imap", "bob", reference_mask(i % 2 ? "a-pw" : "b-pw"), "failure");
    EXPECT_TRUE(r.detect().empty());
  }
  {  // 7 guesses, but never 7 inside one 600 s window
    Records r;
    for (int i = 0; i < 7; ++i)
      r.login(1000 + i * 101, kAtk, kSrv, 110, "pop3", "alice", reference_mask(fmt::format("G-{}", i)), "failure");
    EXPECT_TRUE(r.detect().empty());
    Records tighter;
    for (int i = 0; i < 7; ++i)
      tighter.login(1000 + i * 99, kAtk, kSrv, 110, "pop3", "alice", reference_mask(fmt::format("G-{}", i)), "failure");
    ASSERT_EQ(tighter.detect().size(), 1u);
  }
  {  // three common passwords in three guesses: one short of min_failures_dictionary
    Records r;
    for (std::string w : {"123456", "password", "admin"}) r.login(1000, kAtk, kSrv, 21, "ftp", "root", w, "failure");
    EXPECT_TRUE(r.detect().empty());
  }
  {  // success after 4 failures (a person fumbling): nothing
    Records r;
    guesses(r, 4);
    r.login(1010, kAtk, kSrv, 110, "pop3", "alice", reference_mask("Right-Pw-9"), "success");
    EXPECT_TRUE(r.detect().empty());
  }
  {  // failures from other sources or to other servers or applications do not add up
    Records r;
    guesses(r, 4, 1000, "alice", "pop3");
    guesses(r, 4, 1000, "alice", "imap");
    for (int i = 0; i < 4; ++i)
      r.login(1000 + i, "10.0.0.67", kSrv, 110, "pop3", "alice", reference_mask(fmt::format("x{}", i)), "failure");
    EXPECT_TRUE(r.detect().empty());
  }
}

TEST(BruteforceLedger, UnansweredGuessesWithPasswordsCount) {
  Records r;
  for (int i = 0; i < 8; ++i)
    r.login(1000 + i, kAtk, kSrv, 23, "telnet", "root", reference_mask(fmt::format("T-{}", i)), "unknown");
  auto alerts = r.detect();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].type, "bruteforce.telnet");
  EXPECT_EQ(alerts[0].evidence["unknown_outcome"], 8);
  EXPECT_EQ(alerts[0].evidence["failures"], 0);
}

TEST(BruteforceLedger, WeakPasswordSuccessIsACompromiseOnItsOwn) {
  Records r;
  r.login(1000, kAtk, kSrv, 3306, "mysql", "root", reference_mask("123456"), "success");
  r.login(1001, "10.0.0.5", kSrv, 3306, "mysql", "app", reference_mask("Long-Unlisted-Pw"), "success");
  auto alerts = r.detect();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].type, "credential.compromised");
  EXPECT_EQ(alerts[0].src, kAtk);
  EXPECT_EQ(alerts[0].mitre, std::vector<std::string>{"T1078"});
  EXPECT_EQ(alerts[0].evidence["weak_password"], true);
  EXPECT_EQ(alerts[0].evidence["dictionary_passwords"], json::array({reference_mask("123456")}));
  EXPECT_NE(alerts[0].summary.find("MySQL on 10.0.1.10:3306 as root with a password from the common-password list"),
            std::string::npos);
  EXPECT_TRUE(r.detect(Config::from_text("[bruteforce]\ndictionary_success_compromised = false\n")).empty());
}

TEST(BruteforceLedger, AnonymousLoginsAreNoGuesses) {
  Records r;
  r.login(1000, kAtk, kSrv, 21, "ftp", "Anonymous", "guest", "success");
  r.login(1001, kAtk, kSrv, 21, "ftp", "ftp", reference_mask("123456"), "success");
  for (int i = 0; i < 10; ++i) {  // a client retrying anonymous FTP, SMB null sessions refused
    r.login(1002 + i, kAtk, kSrv, 21, "ftp", "anonymous", reference_mask(fmt::format("me{}@example.org", i)),
            "failure");
    r.login(1002 + i, kAtk, kSrv, 445, "smb", "", nullptr, "failure", "C1", "anonymous");
  }
  EXPECT_TRUE(r.detect().empty());
}

TEST(BruteforceLedger, SprayIsManyAccountsWithFewGuessesEach) {
  Records r;
  for (int i = 0; i < 12; ++i)
    r.login(1000 + i, kAtk, kSrv, 143, "imap", fmt::format("user{:02}", i), reference_mask("Winter2024!"),
            i == 7 ? "success" : "failure");
  auto alerts = r.detect();
  ASSERT_EQ(alerts.size(), 2u);
  auto s = of_type(alerts, "bruteforce.spray");
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0]->mitre, std::vector<std::string>{"T1110.003"});
  EXPECT_EQ(s[0]->proto, "imap");
  EXPECT_EQ(s[0]->evidence["users_count"], 11);
  EXPECT_EQ(s[0]->evidence["failures"], 11);
  EXPECT_EQ(s[0]->evidence["passwords"], 1);
  EXPECT_NE(s[0]->summary.find("tried 1 password against 11 accounts of IMAP"), std::string::npos) << s[0]->summary;
  auto c = of_type(alerts, "credential.compromised");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0]->evidence["users"], json::array({"user07"}));
  EXPECT_EQ(c[0]->evidence["weak_password"], true);  // Winter2024! is in the bundled list
  EXPECT_EQ(c[0]->mitre, (std::vector<std::string>{"T1078", "T1110.003"}));

  Records few;  // four accounts: under spray_min_users, and too few passwords per account for a brute force
  for (int i = 0; i < 8; ++i)
    few.login(1000 + i, kAtk, kSrv, 143, "imap", fmt::format("user{}", i % 4),
              reference_mask(fmt::format("Pw-{}", i % 2)), "failure");
  EXPECT_TRUE(few.detect().empty());
}

TEST(BruteforceLedger, UserListTimesPasswordListIsBruteForceNotSpray) {
  Records r;  // hydra -L 3 users -P 6 passwords, password-first
  for (int p = 0; p < 6; ++p)
    for (int u = 0; u < 3; ++u)
      r.login(1000 + p * 3 + u, kAtk, kSrv, 25, "smtp", fmt::format("u{}", u), reference_mask(fmt::format("P{}", p)),
              "failure");
  auto alerts = r.detect();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].type, "bruteforce.smtp");
  EXPECT_EQ(alerts[0].evidence["max_passwords_per_user"], 6);
  EXPECT_EQ(alerts[0].evidence["users"], json::array({"u0", "u1", "u2"}));
}

TEST(BruteforceSsh, InferredFailuresAreWeightedByTriesPerConnection) {
  Records r;
  // Two connections with 4 failed tries each, then one that fails 2 tries and succeeds with the third.
  for (int c = 0; c < 3; ++c) {
    std::string uid = fmt::format("S{}", c);
    json ssh = r.common(1000 + c * 10, kAtk, kSrv, 50000 + c, 22, uid);
    ssh.update({{"auth_outcome", c < 2 ? "failure" : "success"},
                {"auth_confidence", "medium"},
                {"auth_attempts", c < 2 ? 4 : 3}});
    r.add("ssh", ssh);
    r.login(1000 + c * 10 + 5, kAtk, kSrv, 22, "ssh", "", nullptr, c < 2 ? "failure" : "success", uid, "inferred");
    r.conn(1000 + c * 10, kAtk, kSrv, 50000 + c, 22, "ssh", uid, 6, 20, 15, 2500, 2300);
  }
  auto alerts = r.detect();
  ASSERT_EQ(alerts.size(), 2u);
  auto bf = of_type(alerts, "bruteforce.ssh");
  ASSERT_EQ(bf.size(), 1u);  // one alert, not one from the ledger and one from the connections
  EXPECT_EQ(bf[0]->evidence["failures"], 10);
  EXPECT_EQ(bf[0]->evidence["basis"], "login ledger");
  EXPECT_FALSE(bf[0]->evidence.contains("passwords"));
  EXPECT_NE(bf[0]->summary.find("(inferred from encrypted packet sizes)"), std::string::npos);
  auto c = of_type(alerts, "credential.compromised");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0]->evidence["failures_before"], 10);
  EXPECT_EQ(c[0]->evidence["outcome_inferred"], true);

  Records fewer;  // 6 tries: one short
  for (int c = 0; c < 2; ++c) {
    std::string uid = fmt::format("S{}", c);
    json ssh = fewer.common(1000 + c * 10, kAtk, kSrv, 50000 + c, 22, uid);
    ssh.update({{"auth_outcome", "failure"}, {"auth_attempts", 3}});
    fewer.add("ssh", ssh);
    fewer.login(1000 + c * 10 + 5, kAtk, kSrv, 22, "ssh", "", nullptr, "failure", uid, "inferred");
  }
  EXPECT_TRUE(fewer.detect().empty());
}

// One SSH connection: its ssh record and its ledger line.
void ssh_login(Records& r, double ts, int sport, const std::string& outcome, int attempts,
               const json& anomalies = json::array()) {
  std::string uid = fmt::format("S{}", sport);
  json ssh = r.common(ts, kAtk, kSrv, sport, 22, uid);
  ssh.update({{"auth_outcome", outcome}, {"auth_attempts", attempts}, {"anomalies", anomalies}});
  r.add("ssh", ssh);
  r.login(ts, kAtk, kSrv, 22, "ssh", "", nullptr, outcome, uid, "inferred");
}

TEST(BruteforceSsh, OneTryPerConnectionCountsWhenTheOutcomeIsUnknown) {
  Records r;  // ncrack: a connection with 4 failed tries, then single-try connections the sizes cannot decide
  ssh_login(r, 1000, 50000, "failure", 4);
  for (int i = 1; i <= 3; ++i) ssh_login(r, 1001, 50000 + i, "unknown", 0);
  ssh_login(r, 1001.5, 50010, "success", 0);
  auto alerts = r.detect();
  auto bf = of_type(alerts, "bruteforce.ssh");
  ASSERT_EQ(bf.size(), 1u);
  EXPECT_EQ(bf[0]->evidence["failures"], 4);
  EXPECT_EQ(bf[0]->evidence["unknown_outcome"], 3);
  EXPECT_NE(bf[0]->summary.find("10.0.0.66 failed 4 times to log in to SSH on 10.0.1.10:22 and made 3 more attempts of "
                                "unknown outcome within 1.0 s (inferred from encrypted packet sizes)"),
            std::string::npos)
      << bf[0]->summary;
  EXPECT_EQ(of_type(alerts, "credential.compromised").size(), 1u);

  Records zlib;  // compression hides every size: unknown outcomes say nothing
  ssh_login(zlib, 1000, 50000, "failure", 4);
  for (int i = 1; i <= 3; ++i) ssh_login(zlib, 1001, 50000 + i, "unknown", 0, json::array({"compression_hides_sizes"}));
  EXPECT_TRUE(zlib.detect().empty());
}

TEST(BruteforceSsh, KeysRejectedBeforeEachSuccessfulLoginAreNoGuesses) {
  Records r;  // a user whose agent offers 5 keys, 4 of them refused, logging in 6 times (git pull, scp, ...)
  for (int i = 0; i < 6; ++i) ssh_login(r, 1000 + i * 20, 50000 + i, "success", 5);
  EXPECT_TRUE(r.detect().empty());
}

// n short TLS sessions to port 443, `gap` seconds apart, each with sizes from `size(i)`.
void https_burst(Records& r, int n, double gap, const std::function<std::array<int, 4>(int)>& size,
                 double duration = 0.4, int app_bytes = 1500, const std::string& service = "tls", int port = 443) {
  for (int i = 0; i < n; ++i) {
    std::string uid = fmt::format("T{}", i);
    auto s = size(i);
    r.tls(2000 + i * gap, kAtk, kSrv, 41000 + i, port, uid, app_bytes / 3, app_bytes - app_bytes / 3);
    r.conn(2000 + i * gap, kAtk, kSrv, 41000 + i, port, service, uid, duration, s[0], s[1], s[2], s[3]);
  }
}
std::array<int, 4> login_size(int i) { return {12, 10, 1650 + i % 3, 4210}; }

TEST(BruteforcePattern, BurstOfShortSimilarTlsSessionsIsHttpsGuessing) {
  Records r;
  https_burst(r, 16, 0.125, login_size);                        // the article: 16 handshakes in 2 s
  r.tls(2100, kAtk, kSrv, 42000, 443, "Tlong", 90000, 900000);  // browsing afterwards: not part of it
  r.conn(2100, kAtk, kSrv, 42000, 443, "tls", "Tlong", 300, 400, 900, 90000, 900000);
  auto alerts = r.detect();
  ASSERT_EQ(alerts.size(), 1u);
  const Alert& a = alerts[0];
  EXPECT_EQ(a.type, "bruteforce.https");
  EXPECT_EQ(a.dst_port, 443);
  EXPECT_EQ(a.count, 16u);
  EXPECT_EQ(a.evidence["basis"], "connection pattern");
  EXPECT_EQ(a.evidence["sessions"]["similar"], 16);
  EXPECT_EQ(a.evidence["sessions"]["source_ports"], 16);
  EXPECT_EQ(a.evidence["sessions"]["median"]["resp_bytes"], 4210);
  EXPECT_DOUBLE_EQ(a.ts_first, 2000);
  EXPECT_DOUBLE_EQ(a.ts_last, 2001.875);
  EXPECT_EQ(a.frames.size(), 16u);
  EXPECT_NE(a.summary.find("opened 16 short HTTPS sessions of near-identical size to 10.0.1.10:443 within 1.9 s"),
            std::string::npos)
      << a.summary;
}

TEST(BruteforcePattern, NearMissesStayQuiet) {
  {  // 9 sessions: one short of min_sessions
    Records r;
    https_burst(r, 9, 0.2, login_size);
    EXPECT_TRUE(r.detect().empty());
  }
  {  // 10 sessions, but spread over more than session_window_s
    Records r;
    https_burst(r, 10, 2.3, login_size);
    EXPECT_TRUE(r.detect().empty());
    Records tighter;
    https_burst(tighter, 10, 2.2, login_size);
    EXPECT_EQ(tighter.detect().size(), 1u);
  }
  {  // sizes all over the place: a browser fetching different pages
    Records r;
    https_burst(r, 20, 0.2, [](int i) { return std::array<int, 4>{8 + i, 6 + 2 * i, 900 + 400 * i, 3000 + 5000 * i}; });
    EXPECT_TRUE(r.detect().empty());
  }
  {  // sessions that carry too much application data, or last too long
    Records r;
    https_burst(r, 20, 0.2, login_size, 0.4, 70000);
    EXPECT_TRUE(r.detect().empty());
    Records slow;
    https_burst(slow, 20, 0.2, login_size, 45);
    EXPECT_TRUE(slow.detect().empty());
  }
  {  // TLS on a port of no known application, without HTTP in ALPN
    Records r;
    https_burst(r, 20, 0.2, login_size, 0.4, 1500, "tls", 7443);
    EXPECT_TRUE(r.detect().empty());
  }
}

TEST(BruteforcePattern, StartTlsAndRdpNameTheirApplication) {
  Records imap;
  https_burst(imap, 12, 0.5, login_size, 0.4, 1500, "imap,tls", 143);
  auto a = imap.detect();
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].type, "bruteforce.imap");
  Records relay;  // mail handed over between servers on port 25: no login at all
  https_burst(relay, 12, 0.5, login_size, 0.4, 1500, "smtp,tls", 25);
  EXPECT_TRUE(relay.detect().empty());
  Records submission;
  https_burst(submission, 12, 0.5, login_size, 0.4, 1500, "smtp,tls", 587);
  ASSERT_EQ(submission.detect().size(), 1u);
  EXPECT_EQ(submission.detect()[0].type, "bruteforce.smtp");

  Records rdp;  // RDP over TLS has a TLS record too: it is still RDP, with the mstshash cookie as the user
  for (int i = 0; i < 12; ++i) {
    std::string uid = fmt::format("R{}", i);
    rdp.tls(3000 + i * 1.5, kAtk, kSrv, 45000 + i, 3389, uid, 2000, 3000);
    json j = rdp.common(3000 + i * 1.5, kAtk, kSrv, 45000 + i, 3389, uid);
    j["cookie"] = "administrator";
    rdp.add("rdp", j);
    rdp.conn(3000 + i * 1.5, kAtk, kSrv, 45000 + i, 3389, "rdp,tls", uid, 1.2, 14, 11, 3900 + i, 5100);
  }
  auto r = rdp.detect();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].type, "bruteforce.rdp");
  EXPECT_EQ(r[0].evidence["users"], json::array({"administrator"}));
}

TEST(BruteforcePattern, SshSessionsThatLoggedInAreNoGuesses) {
  Records r;  // ansible-like: many short SSH sessions, each one a successful login
  for (int i = 0; i < 20; ++i) {
    std::string uid = fmt::format("A{}", i);
    json ssh = r.common(1000 + i, kAtk, kSrv, 50000 + i, 22, uid);
    ssh.update({{"auth_outcome", "success"}, {"auth_attempts", 1}});
    r.add("ssh", ssh);
    r.login(1000 + i, kAtk, kSrv, 22, "ssh", "", nullptr, "success", uid, "inferred");
    r.conn(1000 + i, kAtk, kSrv, 50000 + i, 22, "ssh", uid, 1.5, 20, 15, 2500, 2300);
  }
  EXPECT_TRUE(r.detect().empty());
}

TEST(Bruteforce, OutputIsDeterministic) {
  Records r;
  guesses(r, 9);
  https_burst(r, 12, 0.5, login_size);
  for (int i = 0; i < 12; ++i)
    r.login(1000 + i, "10.0.0.90", kSrv, 143, "imap", fmt::format("user{:02}", i), reference_mask("Spring2024"),
            "failure");
  testing::TempDir a, b;
  write_alerts(a.file("alerts.jsonl"), r.detect());
  write_alerts(b.file("alerts.jsonl"), r.detect());
  std::string text = testing::read_file(a.file("alerts.jsonl"));
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 3);
  EXPECT_EQ(text, testing::read_file(b.file("alerts.jsonl")));
}

// Inside analyze, conn and auth records may come before the tls, ssh and rdp records of their connection.
TEST(Bruteforce, AlertsDoNotDependOnHowRecordTypesInterleave) {
  Records r;
  // The ledger's SSH logins take their tries from the ssh records: 2 connections of 4 failed tries, then
  // one that fails twice and logs in.
  for (int c = 0; c < 3; ++c) ssh_login(r, 1000 + c * 10, 50000 + c, c < 2 ? "failure" : "success", c < 2 ? 4 : 3);
  for (int i = 0; i < 12; ++i) {
    // SSH sessions from elsewhere that logged in: no guesses, as their ssh records say.
    std::string uid = fmt::format("A{}", i);
    json ssh = r.common(1000 + i, "10.0.0.70", kSrv, 51000 + i, 22, uid);
    ssh.update({{"auth_outcome", "success"}, {"auth_attempts", 1}});
    r.add("ssh", ssh);
    r.conn(1000 + i, "10.0.0.70", kSrv, 51000 + i, 22, "ssh", uid, 1.5, 20, 15, 2500, 2300);
    // RDP: the user is the cookie of the rdp record.
    uid = fmt::format("R{}", i);
    json rdp = r.common(3000 + i * 1.5, kAtk, kSrv, 45000 + i, 3389, uid);
    rdp["cookie"] = "administrator";
    r.add("rdp", rdp);
    r.conn(3000 + i * 1.5, kAtk, kSrv, 45000 + i, 3389, "rdp", uid, 1.2, 14, 11, 3900 + i, 5100);
    // TLS on a port of no known application: https only because the tls record's ALPN says HTTP.
    uid = fmt::format("T{}", i);
    r.tls(4000 + i * 0.5, kAtk, kSrv, 46000 + i, 9443, uid, 500, 1000, json::array({"h2"}));
    r.conn(4000 + i * 0.5, kAtk, kSrv, 46000 + i, 9443, "tls", uid, 0.4, 12, 10, 1650, 4210);
  }
  std::vector<std::string> reversed(record_type_order().rbegin(), record_type_order().rend());
  std::vector<std::string> conn_first{"conn"};
  for (const std::string& type : record_type_order())
    if (type != "conn") conn_first.push_back(type);

  auto usual = r.detect();
  ASSERT_EQ(of_type(usual, "bruteforce.ssh").size(), 1u);
  EXPECT_EQ(of_type(usual, "bruteforce.ssh")[0]->evidence["failures"], 10);
  ASSERT_EQ(of_type(usual, "bruteforce.rdp").size(), 1u);
  EXPECT_EQ(of_type(usual, "bruteforce.rdp")[0]->evidence["users"], json::array({"administrator"}));
  EXPECT_EQ(of_type(usual, "bruteforce.https").size(), 1u);
  EXPECT_EQ(of_type(usual, "credential.compromised").size(), 1u);
  EXPECT_EQ(usual.size(), 4u);
  for (const auto& order : {reversed, conn_first}) {
    FeedOptions feed;
    feed.order = order;
    EXPECT_EQ(alert_lines(r.detect(Config::defaults(), feed)), alert_lines(usual)) << fmt::format("fed {}", fmt::join(order, ", "));
  }
}

// ---- real captures, through the trawl binary -------------------------------------------------------------

std::vector<json> read_jsonl(const std::string& path) {
  std::vector<json> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(json::parse(line));
  return out;
}

bool is_ours(const std::string& type) { return type.rfind("bruteforce.", 0) == 0 || type == "credential.compromised"; }

std::vector<json> our_alerts(const std::string& dir) {
  std::vector<json> out;
  for (json& a : read_jsonl(dir + "/alerts.jsonl"))
    if (is_ours(a["type"])) out.push_back(std::move(a));
  return out;
}

void analyze(const std::string& pcap, const testing::TempDir& out, const std::string& extra = "") {
  auto r = testing::run(testing::shell_quote(testing::trawl_binary()) + " analyze --quiet " + extra + " " +
                        testing::shell_quote(pcap) + " -o " + testing::shell_quote(out.path()));
  ASSERT_NE(r.exit_code, 1) << r.err;
}

TEST(BruteforceCaptures, HydraAgainstSshIsOneBruteForceWithEveryInferredFailure) {
  testing::TempDir out;
  analyze(testing::shared_pcap("traceshare-ssh-hydra-1task.pcapng"), out);
  uint64_t tries = 0;  // the failed tries the SSH analyzer inferred, connection by connection
  for (const json& s : read_jsonl(out.file("ssh.jsonl")))
    if (s["auth_outcome"] == "failure") tries += s["auth_attempts"].get<uint64_t>();
  ASSERT_GT(tries, 100u);
  auto alerts = our_alerts(out.path());
  ASSERT_EQ(alerts.size(), 1u);
  const json& a = alerts[0];
  EXPECT_EQ(a["type"], "bruteforce.ssh");
  EXPECT_EQ(a["src"], "240.0.1.2");
  EXPECT_EQ(a["dst"], "240.125.0.2");
  EXPECT_EQ(a["dst_port"], 22);
  EXPECT_EQ(a["evidence"]["failures"], tries);
  EXPECT_EQ(a["frames"][0]["file"], "traceshare-ssh-hydra-1task.pcapng");
  EXPECT_EQ(a["frames"][0]["frames"].size(), 50u);
}

TEST(BruteforceCaptures, SshGuesserIsBruteForce) {
  testing::TempDir out;
  analyze(testing::shared_pcap("zeek-sshguess.pcap"), out);
  auto alerts = our_alerts(out.path());
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0]["type"], "bruteforce.ssh");
  EXPECT_EQ(alerts[0]["src"], "192.168.56.1");
  EXPECT_EQ(alerts[0]["severity"], "high");
}

TEST(BruteforceCaptures, DefaultPasswordLoginsAreCompromises) {
  // Logins accepted with a password from the common list: DVWA's default admin / password over a form
  // (302), and the Wireshark telnet sample's fake / user ("Last login: ...").
  for (auto [name, user, password] : {std::tuple{"chrissanders-http-dvwa-clearlogin.pcapng", "admin", "password"},
                                      std::tuple{"suricata-telnet.pcap", "fake", "user"}}) {
    testing::TempDir out;
    analyze(testing::shared_pcap(name), out);
    auto alerts = our_alerts(out.path());
    ASSERT_EQ(alerts.size(), 1u) << name;
    EXPECT_EQ(alerts[0]["type"], "credential.compromised");
    EXPECT_EQ(alerts[0]["evidence"]["users"], json::array({user}));
    EXPECT_EQ(alerts[0]["evidence"]["dictionary_passwords"], json::array({reference_mask(password)}));
    EXPECT_EQ(alerts[0]["evidence"]["after_bruteforce"], false);
  }
}

TEST(BruteforceCaptures, SingleLoginsStayQuiet) {
  // zeek-ftp-ipv4: anonymous FTP with the password "test", which is no credential; zeek-smb3-multichannel:
  // 26 refused anonymous session setups on one connection next to the real NTLM logins.
  for (std::string name : {"ndpi-ftp-failed.pcap", "suricata-pop3-auth.pcap", "zeek-ftp-ipv4.pcap", "zeek-pop3.pcap",
                           "zeek-rdp-to-ssl.pcap", "zeek-smb3-multichannel.pcap"}) {
    testing::TempDir out;
    analyze(testing::shared_pcap(name), out);
    EXPECT_TRUE(our_alerts(out.path()).empty()) << name;
  }
  // The project's login fixtures: a success and a failure per protocol against real servers.
  for (std::string name : {"logins.pcap", "db-logins.pcap"}) {
    testing::TempDir out;
    analyze(testing::fixtures_dir() + "/" + name, out);
    EXPECT_GE(read_jsonl(out.file("auth.jsonl")).size(), 10u) << name;
    EXPECT_TRUE(our_alerts(out.path()).empty()) << name;
  }
}

// The dictionary must hash its words exactly as auth.jsonl masks passwords: the same capture analyzed with
// and without --show-passwords gives the clear and the masked form of every password.
TEST(BruteforceCaptures, MaskMatchesTheLedgers) {
  testing::TempDir masked, clear;
  analyze(testing::fixtures_dir() + "/logins.pcap", masked);
  analyze(testing::fixtures_dir() + "/logins.pcap", clear, "--show-passwords");
  auto m = read_jsonl(masked.file("auth.jsonl")), c = read_jsonl(clear.file("auth.jsonl"));
  ASSERT_EQ(m.size(), c.size());
  size_t compared = 0;
  for (size_t i = 0; i < m.size(); ++i) {
    if (c[i]["password"].is_null()) continue;
    EXPECT_EQ(bruteforce::mask_password(c[i]["password"].get<std::string>()), m[i]["password"]);
    auto d = bruteforce::PasswordDictionary({c[i]["password"].get<std::string>()});
    EXPECT_TRUE(d.contains(m[i]["password"].get<std::string>()));
    ++compared;
  }
  EXPECT_GT(compared, 10u);
}

// Attack fixtures (fixtures/attacks/<scenario>.pcap with a label file): every bruteforce/compromise label is
// found, and nothing of ours is raised that no label asks for. Two deviations are accepted:
// - the labels mark credential.compromised only where the server's answer is cleartext; SSH successes are
//   inferred from encrypted packet sizes (evidence.outcome_inferred), and the fixture script checked that the
//   tool found the password, so such an alert next to a labelled bruteforce.ssh is right;
// - kKnownGaps: labels the records cannot support yet (reason beside each).
const std::set<std::tuple<std::string, std::string, std::string>> kKnownGaps = {
    // ncrack telnet: the accepted login prints the MOTD and ncrack hangs up before a shell prompt, so the
    // telnet analyzer leaves the last attempt's outcome unknown (no "Last login", no prompt).
    {"credential.compromised", "10.66.0.79", "10.66.1.10"},
};

// Returns false when the scenario has not been made yet.
bool check_fixture(const std::string& scenario) {
  std::string pcap = testing::fixtures_dir() + "/attacks/" + scenario + ".pcap";
  std::string labels = testing::fixtures_dir() + "/attacks/" + scenario + ".labels.tsv";
  if (!std::filesystem::exists(pcap) || !std::filesystem::exists(labels)) return false;
  testing::TempDir out;
  analyze(pcap, out);
  std::set<std::tuple<std::string, std::string, std::string>> want, got, inferred;  // type, src, dst
  std::ifstream in(labels);
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> f;
    for (size_t s = 0, t; s <= line.size(); s = t + 1) {
      t = std::min(line.find('\t', s), line.size());
      f.push_back(line.substr(s, t - s));
    }
    if (f.size() >= 3 && is_ours(f[0])) want.insert({f[0], f[1], f[2]});
  }
  for (const json& a : our_alerts(out.path())) {
    std::tuple<std::string, std::string, std::string> k{a["type"], a["src"],
                                                        a["dst"].is_null() ? "-" : a["dst"].get<std::string>()};
    got.insert(k);
    if (a["type"] == "credential.compromised" && a["evidence"].value("outcome_inferred", false)) inferred.insert(k);
  }
  for (const auto& w : want) {
    if (kKnownGaps.count(w)) continue;
    EXPECT_TRUE(got.count(w)) << "missed " << std::get<0>(w) << " " << std::get<1>(w) << " -> " << std::get<2>(w);
  }
  for (const auto& g : got) {
    bool inferred_success = inferred.count(g) && want.count({"bruteforce.ssh", std::get<1>(g), std::get<2>(g)});
    EXPECT_TRUE(want.count(g) || inferred_success)
        << "false " << std::get<0>(g) << " " << std::get<1>(g) << " -> " << std::get<2>(g);
  }
  return true;
}

TEST(BruteforceFixtures, BruteforceScenario) {
  if (!check_fixture("bruteforce")) GTEST_SKIP() << "fixtures/attacks/bruteforce.pcap not made yet";
}
TEST(BruteforceFixtures, BenignScenarioHasNoneOfOurs) {
  if (!check_fixture("benign")) GTEST_SKIP() << "fixtures/attacks/benign.pcap not made yet";
}
TEST(BruteforceFixtures, OtherScenariosHaveNoneOfOurs) {
  for (std::string s : {"scans", "smb-vuln", "mail", "beacon", "dns", "worm"}) {
    SCOPED_TRACE(s);
    check_fixture(s);
  }
}

}  // namespace
}  // namespace trawl::detect
