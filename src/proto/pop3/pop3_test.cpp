#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "proto/pop3/pop3_analyzer.h"
#include "proto/stream_test_support.h"
#include "proto/text/codecs.h"
#include "support/testing.h"

namespace trawl::proto::pop3 {
namespace {

using nlohmann::json;
using proto::testing::Chunk;
using proto::testing::conv;
using proto::testing::feed;
using proto::testing::tcp_stream_chunks;
using proto::testing::tshark_rows;
using trawl::testing::have_tool;
using trawl::testing::run;
using trawl::testing::shared_pcap;
using trawl::testing::shell_quote;

struct Row {
  std::string cmd, param, indicator, description;
};

std::vector<Row> tshark_pop(const std::string& pcap, int stream) {
  std::vector<Row> rows;
  for (const auto& c : tshark_rows(pcap, "pop && tcp.stream==" + std::to_string(stream),
                                   {"pop.request.command", "pop.request.parameter", "pop.response.indicator",
                                    "pop.response.description"}))
    rows.push_back({c[0], c[1], c[2], c[3]});
  return rows;
}

const std::set<std::string> kVerbs = {"USER", "PASS", "APOP", "AUTH", "STAT", "LIST", "RETR", "DELE",
                                      "QUIT", "CAPA", "UIDL", "TOP",  "NOOP", "RSET", "STLS"};

void check_against_tshark(const std::string& name, int stream) {
  SCOPED_TRACE(name + " stream " + std::to_string(stream));
  std::string pcap = shared_pcap(name);
  auto chunks = tcp_stream_chunks(pcap, stream);
  ASSERT_FALSE(chunks.empty());
  auto sink = feed(kPop3Analyzer, chunks).sink;
  auto rows = tshark_pop(pcap, stream);
  ASSERT_FALSE(rows.empty());

  // Commands in order. tshark shows SASL response lines as commands; they are not POP3 verbs.
  std::vector<std::string> want;
  struct Attempt {
    std::string method, user, outcome, reply;
  };
  std::vector<Attempt> attempts;
  Attempt* open = nullptr;
  uint64_t stat_n = 0, stat_bytes = 0, retr = 0;
  bool stat_seen = false;
  std::string last_cmd;
  for (const auto& r : rows) {
    if (!r.cmd.empty()) {
      if (kVerbs.count(r.cmd)) {
        want.push_back(r.cmd);
        last_cmd = r.cmd;
        if (r.cmd == "AUTH" && !r.param.empty()) {
          attempts.push_back({"AUTH " + r.param, "", "", ""});
          open = &attempts.back();
        }
        if (r.cmd == "RETR") ++retr;
      } else if (open) {
        std::string decoded;
        text::base64_decode(r.cmd, decoded);
        if (open->method == "AUTH PLAIN") decoded = decoded.substr(decoded.find('\0') + 1), decoded = decoded.substr(0, decoded.find('\0'));
        if (open->method == "AUTH XOAUTH2") decoded = decoded.substr(5, decoded.find('\x01') - 5);  // "user=..."
        open->user = decoded;
      }
    } else if (!r.indicator.empty()) {
      if (open && r.indicator != "+") {
        open->outcome = r.indicator == "+OK" ? "success" : "failure";
        open->reply = r.indicator + (r.description.empty() ? "" : " " + r.description);
        open = nullptr;
      }
      if (last_cmd == "STAT" && r.indicator == "+OK") {
        std::istringstream d(r.description);
        d >> stat_n >> stat_bytes;
        stat_seen = true;
        last_cmd.clear();
      }
    }
  }
  auto pop = sink.of("pop3");
  ASSERT_EQ(pop.size(), 1u);
  std::vector<std::string> got = pop[0]["commands"];
  EXPECT_EQ(got, want);
  EXPECT_EQ(pop[0]["retr"], retr);
  if (stat_seen) {
    EXPECT_EQ(pop[0]["mailbox_messages"], stat_n);
    EXPECT_EQ(pop[0]["mailbox_bytes"], stat_bytes);
  }
  auto auth = sink.of("auth");
  ASSERT_EQ(auth.size(), attempts.size());
  for (size_t i = 0; i < auth.size(); ++i) {
    EXPECT_EQ(auth[i]["app"], "pop3");
    EXPECT_EQ(auth[i]["method"], attempts[i].method);
    EXPECT_EQ(auth[i]["user"], attempts[i].user);
    EXPECT_EQ(auth[i]["outcome"], attempts[i].outcome);
    EXPECT_EQ(auth[i]["reply"], attempts[i].reply);
  }
  for (size_t step : {1, 3, 10}) EXPECT_EQ(feed(kPop3Analyzer, chunks, step).sink.lines, sink.lines) << step;
}

TEST(Pop3, AgreesWithTshark) {
  if (!have_tool("tshark")) GTEST_SKIP() << "tshark missing";
  check_against_tshark("suricata-pop3-auth.pcap", 0);
  for (int s : {2, 3, 4, 5, 6}) check_against_tshark("zeek-pop3.pcap", s);
  // tshark -z credentials finds no POP3 credentials in either capture (it decodes USER/PASS only);
  // the ledger has the SASL ones.
  for (auto name : {"suricata-pop3-auth.pcap", "zeek-pop3.pcap"}) {
    auto r = run("tshark -n -q -r " + shell_quote(shared_pcap(name)) + " -z credentials 2>/dev/null | grep -c POP");
    EXPECT_EQ(r.out, "0\n");
  }
}

TEST(Pop3, HandCheckedValuesOfRealCaptures) {
  if (!have_tool("tshark")) GTEST_SKIP() << "tshark missing";
  auto fail = feed(kPop3Analyzer, tcp_stream_chunks(shared_pcap("zeek-pop3.pcap"), 3)).sink.of("auth");
  ASSERT_EQ(fail.size(), 1u);
  EXPECT_EQ(fail[0]["user"], "digitalinvestigator@networksims.com");
  EXPECT_EQ(fail[0]["password"], "napier");
  EXPECT_EQ(fail[0]["outcome"], "failure");
  auto s6 = feed(kPop3Analyzer, tcp_stream_chunks(shared_pcap("zeek-pop3.pcap"), 6)).sink;
  auto ok = s6.of("auth");
  ASSERT_EQ(ok.size(), 1u);
  EXPECT_EQ(ok[0]["password"], "napier123");
  EXPECT_EQ(ok[0]["outcome"], "success");
  auto p = s6.of("pop3");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0]["banner"], "POP server ready H mimap15 0LfD5x-1VsVU4327M-00pHSn");
  EXPECT_EQ(p[0]["retr"], 3);
  // Three RETRs of the whole maildrop: its size as STAT gave it, dot-stuffing removed.
  EXPECT_EQ(p[0]["retr_bytes"], 19191);
  EXPECT_EQ(p[0]["auth_success"], true);
  auto x = feed(kPop3Analyzer, tcp_stream_chunks(shared_pcap("suricata-pop3-auth.pcap"), 0)).sink.of("auth");
  ASSERT_EQ(x.size(), 1u);
  EXPECT_EQ(x[0]["user"], "joe.speedboat");
  EXPECT_EQ(x[0]["password_seen"], false);  // an OAuth token, not a password
}

TEST(Pop3, LoginsOfEveryKind) {
  auto c = conv({{1, "+OK ready <1896.697170952@dbc.mtview.ca.us>\r\n"},
                 {0, "USER alice\r\nPASS wrong one\r\n"},  // pipelined
                 {1, "+OK\r\n-ERR [AUTH] Authentication failed.\r\n"},
                 {0, "USER nobody\r\n"},
                 {1, "-ERR no such user\r\n"},
                 {0, "APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n"},
                 {1, "-ERR permission denied\r\n"},
                 {0, "AUTH LOGIN\r\n"},
                 {1, "+ VXNlcm5hbWU6\r\n"},
                 {0, "Ym9i\r\n"},
                 {1, "+ UGFzc3dvcmQ6\r\n"},
                 {0, "aHVudGVyMg==\r\n"},
                 {1, "+OK Logged in.\r\n"},
                 {0, "STAT\r\nLIST\r\nRETR 1\r\nDELE 1\r\n"},
                 {1, "+OK 2 320\r\n+OK 2 messages\r\n1 120\r\n2 200\r\n.\r\n+OK 120 octets\r\nSubject: x\r\n\r\n..dot\r\n.\r\n+OK deleted\r\n"},
                 {0, "STLS\r\n"},
                 {1, "+OK Begin TLS\r\n"},
                 {0, "\x16\x03\x01\x02\x00\x01"}});
  auto sink = feed(kPop3Analyzer, c).sink;
  auto a = sink.of("auth");
  ASSERT_EQ(a.size(), 4u);
  EXPECT_EQ(a[0]["method"], "USER/PASS");
  EXPECT_EQ(a[0]["user"], "alice");
  EXPECT_EQ(a[0]["password"], "wrong one");
  EXPECT_EQ(a[0]["outcome"], "failure");
  EXPECT_EQ(a[0]["reply"], "-ERR [AUTH] Authentication failed.");
  EXPECT_EQ(a[1]["user"], "nobody");
  EXPECT_EQ(a[1]["password_seen"], false);
  EXPECT_EQ(a[1]["outcome"], "failure");
  EXPECT_EQ(a[2]["method"], "APOP");
  EXPECT_EQ(a[2]["user"], "mrose");
  EXPECT_EQ(a[3]["method"], "AUTH LOGIN");
  EXPECT_EQ(a[3]["user"], "bob");
  EXPECT_EQ(a[3]["password"], "hunter2");
  EXPECT_EQ(a[3]["outcome"], "success");
  auto p = sink.of("pop3");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0]["tls"], true);
  EXPECT_EQ(p[0]["mailbox_messages"], 2);
  EXPECT_EQ(p[0]["mailbox_bytes"], 320);
  EXPECT_EQ(p[0]["list"], 1);
  EXPECT_EQ(p[0]["retr"], 1);
  EXPECT_EQ(p[0]["dele"], 1);
  EXPECT_EQ(p[0]["retr_bytes"], 12 + 2 + 6);  // "Subject: x", "", ".dot" (unstuffed), CRLF each
  EXPECT_EQ(p[0]["auth_attempts"], 4);
  EXPECT_EQ(p[0]["commands"], json::parse(R"(["USER","PASS","USER","APOP","AUTH","STAT","LIST","RETR","DELE","STLS"])"));
  EXPECT_EQ(p[0]["anomalies"], json::array());
  for (size_t step = 1; step < 8; ++step) EXPECT_EQ(feed(kPop3Analyzer, c, step).sink.lines, sink.lines) << step;
}

TEST(Pop3, GapsGarbageAndTruncation) {
  // PASS sent, the reply never captured: the attempt is kept with an unknown outcome.
  auto cut = feed(kPop3Analyzer, conv({{1, "+OK POP3\r\n"}, {0, "USER a\r\nPASS b\r\n"}, {1, "+OK\r\n"}})).sink;
  auto a = cut.of("auth");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0]["outcome"], "unknown");
  EXPECT_EQ(a[0]["password"], "b");

  std::string junk;
  for (int i = 0; i < 5000; ++i) junk += char((i * 7919) & 0xff);
  auto g = feed(kPop3Analyzer, conv({{0, junk}, {1, junk}})).sink;
  EXPECT_TRUE(g.of("auth").empty());
  ASSERT_EQ(g.of("pop3").size(), 1u);
  EXPECT_NE(g.of("pop3")[0]["anomalies"], json::array());

  // A gap in the replies while a RETR body streams: what follows still pairs.
  auto c = conv({{1, "+OK POP3\r\n"}, {0, "RETR 1\r\n"}, {1, "+OK\r\nline\r\n"}});
  c.push_back({Dir::kResp, std::string(5000, 'x'), true});
  c.insert(c.end(), {{Dir::kOrig, "USER z\r\nPASS y\r\n"}, {Dir::kResp, "+OK\r\n+OK welcome\r\n"}});
  auto au = feed(kPop3Analyzer, c).sink.of("auth");
  ASSERT_EQ(au.size(), 1u);
  EXPECT_EQ(au[0]["outcome"], "success");
}

TEST(Pop3, Probe) {
  auto p = [](std::string_view s, Dir d) { return probe({reinterpret_cast<const uint8_t*>(s.data()), s.size()}, d); };
  EXPECT_EQ(p("+OK POP server ready H mimap4\r\n", Dir::kResp), Match::kYes);
  EXPECT_EQ(p("+OK Dovecot ready.\r\n", Dir::kResp), Match::kYes);
  EXPECT_EQ(p("+OK <1896.697170952@dbc.mtview.ca.us>\r\n", Dir::kResp), Match::kMaybe);
  EXPECT_EQ(p("* OK IMAP4rev1\r\n", Dir::kResp), Match::kNo);
  EXPECT_EQ(p("CAPA\r\n", Dir::kOrig), Match::kMaybe);
  EXPECT_EQ(p("GET /", Dir::kOrig), Match::kNo);
}

}  // namespace
}  // namespace trawl::proto::pop3
