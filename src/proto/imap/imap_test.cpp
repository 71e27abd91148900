#include <gtest/gtest.h>

#include <sstream>

#include "proto/imap/imap_analyzer.h"
#include "proto/stream_test_support.h"
#include "support/testing.h"

namespace trawl::proto::imap {
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

TEST(Imap, AgreesWithTshark) {
  if (!have_tool("tshark")) GTEST_SKIP() << "tshark missing";
  for (std::string name : {"ndpi-imap.pcap", "ndpi-imap-starttls.pcap"}) {
    SCOPED_TRACE(name);
    std::string pcap = shared_pcap(name);
    auto chunks = tcp_stream_chunks(pcap, 0);
    ASSERT_FALSE(chunks.empty());
    auto sink = feed(kImapAnalyzer, chunks).sink;
    auto t = tshark_rows(pcap, "imap && tcp.stream==0",
                         {"imap.isrequest", "imap.request.command", "imap.request.username", "imap.request.password",
                          "imap.response.status", "imap.request_tag"});
    std::vector<std::string> want, users;
    for (const auto& r : t) {
      if (r[0] == "1" && !r[1].empty()) want.push_back(r[1]);
      if (!r[2].empty()) users.push_back(r[2]);
    }
    auto rec = sink.of("imap");
    ASSERT_EQ(rec.size(), 1u);
    std::vector<std::string> got;
    for (std::string c : rec[0]["commands"]) {
      if (c.starts_with("UID ")) c.erase(0, 4);  // tshark names "UID FETCH" "FETCH"
      got.push_back(c);
    }
    EXPECT_EQ(got, want);
    auto auth = sink.of("auth");
    ASSERT_EQ(auth.size(), users.size());
    for (size_t i = 0; i < auth.size(); ++i) EXPECT_EQ(auth[i]["user"], users[i]);
    // -z credentials lists the same users.
    auto cred = run("tshark -n -q -r " + shell_quote(pcap) + " -z credentials 2>/dev/null | grep IMAP");
    std::string cred_users;
    std::istringstream in(cred.out);
    for (std::string line; std::getline(in, line);) {
      std::istringstream f(line);
      std::string frame, proto, user;
      f >> frame >> proto >> user;
      cred_users += user + ";";
    }
    std::string ours;
    for (const auto& a : auth) ours += a["user"].get<std::string>() + ";";
    EXPECT_EQ(ours, cred_users);
    for (size_t step : {1, 2, 5, 33}) EXPECT_EQ(feed(kImapAnalyzer, chunks, step).sink.lines, sink.lines) << step;
  }
}

TEST(Imap, HandCheckedValuesOfRealCaptures) {
  if (!have_tool("tshark")) GTEST_SKIP() << "tshark missing";
  auto s = feed(kImapAnalyzer, tcp_stream_chunks(shared_pcap("ndpi-imap.pcap"), 0)).sink;
  auto a = s.of("auth");
  ASSERT_EQ(a.size(), 1u);
  // "C00001 LOGIN samir pfres": tshark's imap.request.password says "fre" (it drops the first and last
  // characters of an unquoted password as if they were quotes); the password is "pfres".
  EXPECT_EQ(a[0]["password"], "pfres");
  EXPECT_EQ(a[0]["outcome"], "success");
  EXPECT_EQ(a[0]["method"], "LOGIN");
  EXPECT_EQ(a[0]["reply"], "C00001 OK LOGIN completed");
  auto r = s.of("imap");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0]["banner"], "OK IMAP4Rev1 Server Version 4.9.04.012");
  EXPECT_EQ(r[0]["mailboxes"], json::parse(R"(["INBOX"])"));
  // The FETCH response carries a 666-byte literal whose lines must not be read as responses.
  EXPECT_EQ(r[0]["anomalies"], json::array());

  auto st = feed(kImapAnalyzer, tcp_stream_chunks(shared_pcap("ndpi-imap-starttls.pcap"), 0)).sink.of("imap");
  ASSERT_EQ(st.size(), 1u);
  EXPECT_EQ(st[0]["tls"], true);
}

TEST(Imap, LoginFormsLiteralsAndAuthenticate) {
  auto c = conv({{1, "* OK [CAPABILITY IMAP4rev1 LITERAL+ SASL-IR] Dovecot ready.\r\n"},
                 {0, "a1 LOGIN \"al\\\"ice\" \"pa ss\"\r\n"},
                 {1, "a1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n"},
                 {0, "a2 LOGIN {3}\r\n"},
                 {1, "+ OK\r\n"},
                 {0, "bob {6+}\r\nx\r\n} y\r\n"},  // a non-synchronising literal holding CRLF and "}"
                 {1, "a2 OK Logged in\r\n"},
                 {0, "a3 LOGIN {4}\r\n"},
                 {1, "a3 BAD literal refused\r\n"},  // the client never sends those 4 bytes
                 {0, "a4 AUTHENTICATE PLAIN\r\n"},
                 {1, "+ \r\n"},
                 {0, "AGNhcm9sAHNlY3JldA==\r\n"},  // \0carol\0secret
                 {1, "a4 OK done\r\n"},
                 {0, "a5 AUTHENTICATE PLAIN AGRhdmUAeA==\r\n"},  // SASL-IR: \0dave\0x
                 {1, "a5 NO bad\r\n"},
                 {0, "a6 SELECT \"Sent Messages\"\r\na7 UID FETCH 1:* (FLAGS)\r\n"},
                 {1, "* 1 FETCH (UID 7 BODY[] {22}\r\na7 OK not a response\r\n)\r\na6 OK [READ-WRITE] done\r\na7 OK done\r\n"},
                 {0, "a8 LOGIN eve pw\r\n"}});
  auto sink = feed(kImapAnalyzer, c).sink;
  auto a = sink.of("auth");
  ASSERT_EQ(a.size(), 6u);
  EXPECT_EQ(a[0]["user"], "al\"ice");
  EXPECT_EQ(a[0]["password"], "pa ss");
  EXPECT_EQ(a[0]["outcome"], "failure");
  EXPECT_EQ(a[1]["user"], "bob");
  EXPECT_EQ(a[1]["password"], "x\r\n} y");
  EXPECT_EQ(a[1]["outcome"], "success");
  EXPECT_EQ(a[2]["outcome"], "failure");
  EXPECT_EQ(a[2]["password_seen"], false);
  EXPECT_EQ(a[3]["method"], "AUTHENTICATE PLAIN");
  EXPECT_EQ(a[3]["user"], "carol");
  EXPECT_EQ(a[3]["password"], "secret");
  EXPECT_EQ(a[3]["outcome"], "success");
  EXPECT_EQ(a[4]["user"], "dave");
  EXPECT_EQ(a[4]["outcome"], "failure");
  EXPECT_EQ(a[5]["user"], "eve");
  EXPECT_EQ(a[5]["outcome"], "unknown");
  auto r = sink.of("imap");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0]["commands"], json::parse(R"(["LOGIN","LOGIN","LOGIN","AUTHENTICATE","AUTHENTICATE","SELECT","UID FETCH","LOGIN"])"));
  EXPECT_EQ(r[0]["mailboxes"], json::parse(R"(["Sent Messages"])"));
  EXPECT_EQ(r[0]["anomalies"], json::array());
  EXPECT_EQ(r[0]["auth_attempts"], 6);
  for (size_t step = 1; step < 8; ++step) EXPECT_EQ(feed(kImapAnalyzer, c, step).sink.lines, sink.lines) << step;
}

TEST(Imap, GapsGarbageAndTruncation) {
  std::string junk;
  for (int i = 0; i < 5000; ++i) junk += char((i * 7919) & 0xff);
  auto g = feed(kImapAnalyzer, conv({{0, junk}, {1, junk}})).sink;
  EXPECT_TRUE(g.of("auth").empty());
  ASSERT_EQ(g.of("imap").size(), 1u);
  // A huge announced literal that never arrives: bounded, and the login still counted at the end.
  auto h = feed(kImapAnalyzer, conv({{1, "* OK IMAP4\r\n"}, {0, "x LOGIN {99999999999}\r\nabc"}})).sink;
  ASSERT_EQ(h.of("auth").size(), 1u);
  EXPECT_EQ(h.of("auth")[0]["outcome"], "unknown");
  EXPECT_EQ(h.of("imap")[0]["anomalies"], json::parse(R"(["unterminated_literal"])"));

  // A gap in the replies: the next tagged reply still pairs by tag.
  auto c = conv({{1, "* OK IMAP4rev1\r\n"}, {0, "1 FETCH 1 BODY[]\r\n"}, {1, "* 1 FETCH (BODY[] {5000}\r\nabc"}});
  c.push_back({Dir::kResp, std::string(4000, 'x'), true});
  c.insert(c.end(), {{Dir::kOrig, "2 LOGIN u p\r\n"}, {Dir::kResp, "tail)\r\n1 OK done\r\n2 OK hi\r\n"}});
  auto au = feed(kImapAnalyzer, c).sink.of("auth");
  ASSERT_EQ(au.size(), 1u);
  EXPECT_EQ(au[0]["outcome"], "success");
}

TEST(Imap, Probe) {
  auto p = [](std::string_view s, Dir d) { return probe({reinterpret_cast<const uint8_t*>(s.data()), s.size()}, d); };
  EXPECT_EQ(p("* OK IMAP4Rev1 Server Version 4.9.04.012\r\n", Dir::kResp), Match::kYes);
  EXPECT_EQ(p("* OK [CAPABILITY IMAP4rev1] ready\r\n", Dir::kResp), Match::kYes);
  EXPECT_EQ(p("* OK ready\r\n", Dir::kResp), Match::kMaybe);
  EXPECT_EQ(p("+OK POP3\r\n", Dir::kResp), Match::kNo);
  EXPECT_EQ(p("C00000 CAPABILITY\r\n", Dir::kOrig), Match::kYes);
  EXPECT_EQ(p(". CAPABILITY\r\n", Dir::kOrig), Match::kYes);
  EXPECT_EQ(p("a1 login x y\r\n", Dir::kOrig), Match::kYes);
  EXPECT_EQ(p("GET / HTTP/1.1\r\n", Dir::kOrig), Match::kNo);
}

TEST(Imap, Astrings) {
  EXPECT_EQ(parse_astrings("samir pfres", {}, 2), (std::vector<std::string>{"samir", "pfres"}));
  EXPECT_EQ(parse_astrings("\"a b\" {3}", {"xyz"}, 2), (std::vector<std::string>{"a b", "xyz"}));
  EXPECT_EQ(parse_astrings("{3} {4+}", {"abc"}, 2), (std::vector<std::string>{"abc", ""}));
  EXPECT_EQ(parse_astrings("\"unterminated", {}, 2), (std::vector<std::string>{"unterminated"}));
}

}  // namespace
}  // namespace trawl::proto::imap
