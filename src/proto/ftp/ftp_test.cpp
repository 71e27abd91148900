#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "proto/ftp/ftp_analyzer.h"
#include "proto/ftp/ftp_parse.h"
#include "proto/stream_test_support.h"

namespace trawl::proto::ftp {
namespace {

using nlohmann::json;
using testing::Chunk;
using testing::feed;
using testing::stream_chunks;
using testing::tshark_rows;
using trawl::testing::have_tool;
using trawl::testing::run;
using trawl::testing::shared_pcap;
using trawl::testing::shell_quote;

std::string str(const json& j) { return j.is_null() ? std::string() : j.get<std::string>(); }

// What tshark says about the control connection, in packet order.
struct TsharkFtp {
  std::vector<std::string> commands, args, codes;
  std::vector<std::string> endpoints;  // "passive addr port" / "active addr port" / "epsv - port" / "eprt addr port"
};

TsharkFtp tshark_ftp(const std::string& pcap) {
  TsharkFtp t;
  for (const auto& row : tshark_rows(pcap, "ftp && tcp.stream==0",
                                     {"ftp.request.command", "ftp.request.arg", "ftp.response.code",
                                      "ftp.passive.ip", "ftp.passive.port", "ftp.active.cip", "ftp.active.port",
                                      "ftp.epsv.port", "ftp.eprt.ip", "ftp.eprt.ipv6", "ftp.eprt.port"})) {
    if (!row[0].empty()) {
      std::string c = row[0];
      for (auto& ch : c) ch = static_cast<char>(toupper(static_cast<unsigned char>(ch)));
      t.commands.push_back(c);
      t.args.push_back(row[1]);
    }
    if (!row[2].empty()) t.codes.push_back(row[2]);
    if (!row[3].empty()) t.endpoints.push_back("passive " + row[3] + " " + row[4]);
    if (!row[5].empty()) t.endpoints.push_back("active " + row[5] + " " + row[6]);
    if (!row[7].empty()) t.endpoints.push_back("passive - " + row[7]);
    if (!row[10].empty()) t.endpoints.push_back("active " + (row[8].empty() ? row[9] : row[8]) + " " + row[10]);
  }
  return t;
}

struct Ours {
  std::vector<std::string> commands, args, codes, endpoints;
};

Ours ours_of(const std::vector<json>& recs, const std::string& server) {
  Ours o;
  for (const auto& r : recs) {
    if (!r["command"].is_null()) {
      o.commands.push_back(r["command"]);
      o.args.push_back(str(r["arg"]));
    }
    if (!r["prelim_code"].is_null()) o.codes.push_back(std::to_string(r["prelim_code"].get<int>()));
    if (!r["reply_code"].is_null()) o.codes.push_back(std::to_string(r["reply_code"].get<int>()));
    if (!r["data_passive"].is_null()) {
      bool passive = r["data_passive"];
      std::string h = str(r["data_h"]);
      // tshark gives EPSV only a port: the address is the server's.
      if (r["command"] == "EPSV") {
        EXPECT_EQ(h, server);
        h = "-";
      }
      o.endpoints.push_back(std::string(passive ? "passive " : "active ") + h + " " +
                            std::to_string(r["data_p"].get<int>()));
    }
  }
  return o;
}

AnalyzerContext ctx_for(const std::string& orig, const std::string& resp) {
  AnalyzerContext c;
  c.conn.orig_h = *IpAddress::parse(orig);
  c.conn.resp_h = *IpAddress::parse(resp);
  c.conn.uid = "Cftp";
  return c;
}

void check_capture(const std::string& name, const std::string& client, const std::string& server) {
  SCOPED_TRACE(name);
  if (!have_tool("tshark")) GTEST_SKIP() << "tshark missing";
  std::string pcap = shared_pcap(name);
  auto chunks = stream_chunks(pcap, 21);
  ASSERT_FALSE(chunks.empty());
  auto ctx = ctx_for(client, server);
  auto whole = feed(kFtpAnalyzer, chunks, 0, &ctx);
  auto t = tshark_ftp(pcap);
  auto o = ours_of(whole.sink.of("ftp"), server);
  ASSERT_FALSE(t.commands.empty());
  EXPECT_EQ(o.commands, t.commands);
  EXPECT_EQ(o.args, t.args);
  // tshark shows a reply code on each packet that starts a reply; every one of ours must be among them in
  // the same order, and the only ones of tshark's we lack are continuation lines of a multi-line reply that
  // began a packet (none in these captures), so the lists are equal.
  EXPECT_EQ(o.codes, t.codes);
  EXPECT_EQ(o.endpoints, t.endpoints);
  // Credentials: tshark -z credentials lists every user name it saw.
  auto cred = run("tshark -n -r " + shell_quote(pcap) + " -q -z credentials 2>/dev/null");
  std::vector<std::string> tshark_users;
  for (size_t pos = 0; (pos = cred.out.find("FTP ", pos)) != std::string::npos; pos += 4) {
    size_t b = cred.out.find_first_not_of(' ', pos + 4), e = cred.out.find(' ', b);
    tshark_users.push_back(cred.out.substr(b, e - b));
  }
  std::vector<std::string> our_users;
  for (const auto& a : whole.sink.of("auth"))
    if (a["password_seen"].get<bool>()) our_users.push_back(a["user"]);
  EXPECT_EQ(our_users, tshark_users);
  // The same records whatever the segmentation.
  auto bytewise = feed(kFtpAnalyzer, chunks, 1, &ctx);
  EXPECT_EQ(bytewise.sink.lines, whole.sink.lines);
}

TEST(FtpCapture, Ipv4MatchesTshark) { check_capture("zeek-ftp-ipv4.pcap", "141.142.220.235", "199.233.217.249"); }
TEST(FtpCapture, Ipv6MatchesTshark) {
  check_capture("zeek-ftp-ipv6.pcap", "2001:470:1f11:81f:c999:d94:aa7c:2e3e", "2001:470:0:7::2");
}
TEST(FtpCapture, FailedLoginMatchesTshark) { check_capture("ndpi-ftp-failed.pcap", "::1", "::1"); }

TEST(FtpCapture, Ipv4LoginAndMultilineReply) {
  if (!have_tool("tshark")) GTEST_SKIP();
  auto r = feed(kFtpAnalyzer, stream_chunks(shared_pcap("zeek-ftp-ipv4.pcap"), 21));
  auto auth = r.sink.of("auth");
  ASSERT_EQ(auth.size(), 1u);
  EXPECT_EQ(auth[0]["app"], "ftp");
  EXPECT_EQ(auth[0]["user"], "anonymous");
  EXPECT_EQ(auth[0]["password"], "test");
  EXPECT_EQ(auth[0]["outcome"], "success");
  // The 230 reply spans many lines (banner art, export notice); its last line carries the text.
  EXPECT_EQ(auth[0]["reply"], "230 Guest login ok, access restrictions apply.");
  auto ftp = r.sink.of("ftp");
  ASSERT_GE(ftp.size(), 5u);
  EXPECT_TRUE(ftp[0]["command"].is_null());  // the greeting
  EXPECT_EQ(ftp[0]["reply_code"], 220);
  EXPECT_EQ(ftp[2]["command"], "PASS");
  EXPECT_GT(ftp[2]["reply_lines"].get<int>(), 20);
  bool retr = false;
  for (const auto& f : ftp)
    if (f["command"] == "RETR") {
      EXPECT_EQ(f["file"], "robots.txt");
      EXPECT_EQ(f["prelim_code"], 150);
      EXPECT_EQ(f["reply_code"], 226);
      retr = true;
    }
  EXPECT_TRUE(retr);
}

TEST(FtpCapture, FailedLogin) {
  if (!have_tool("tshark")) GTEST_SKIP();
  auto r = feed(kFtpAnalyzer, stream_chunks(shared_pcap("ndpi-ftp-failed.pcap"), 21));
  auto auth = r.sink.of("auth");
  ASSERT_EQ(auth.size(), 1u);  // rejected at USER; the later "530 Please login" to SYST is no attempt
  EXPECT_EQ(auth[0]["user"], "hello");
  EXPECT_EQ(auth[0]["outcome"], "failure");
  EXPECT_FALSE(auth[0]["password_seen"].get<bool>());
  EXPECT_EQ(auth[0]["reply"], "530 This FTP server is anonymous only.");
}

TEST(FtpCapture, CutShortCaptureGivesAPrefix) {
  if (!have_tool("tshark")) GTEST_SKIP();
  auto full = feed(kFtpAnalyzer, stream_chunks(shared_pcap("zeek-ftp-ipv4.pcap"), 21));
  auto cut = feed(kFtpAnalyzer, stream_chunks(shared_pcap("derived-ftp-ipv4-cut-short.pcap"), 21));
  auto f = full.sink.of("ftp"), c = cut.sink.of("ftp");
  ASSERT_FALSE(c.empty());
  ASSERT_LE(c.size(), f.size());
  // Every record but the last (possibly unanswered) one is the same command with the same reply.
  for (size_t i = 0; i + 1 < c.size(); ++i) {
    EXPECT_EQ(c[i]["command"], f[i]["command"]);
    EXPECT_EQ(c[i]["reply_code"], f[i]["reply_code"]);
  }
}

// Hand-built conversations.
std::vector<Chunk> convo(std::initializer_list<std::pair<int, std::string>> parts) {
  std::vector<Chunk> out;
  for (const auto& [d, s] : parts) out.push_back({d == 0 ? Dir::kOrig : Dir::kResp, s});
  return out;
}

TEST(FtpAnalyzer, WrongPasswordThenRightOne) {
  auto chunks = convo({{1, "220 vsftpd\r\n"},
                       {0, "USER bob\r\n"},
                       {1, "331 Please specify the password.\r\n"},
                       {0, "PASS guess1\r\n"},
                       {1, "530 Login incorrect.\r\n"},
                       {0, "USER bob\r\nPASS s3cret\r\n"},  // pipelined
                       {1, "331 Please specify the password.\r\n230 Login successful.\r\n"},
                       {0, "PASS again\r\n"}});             // never answered
  for (size_t step : {0, 1, 3}) {
    auto r = feed(kFtpAnalyzer, chunks, step);
    auto auth = r.sink.of("auth");
    ASSERT_EQ(auth.size(), 3u) << step;
    EXPECT_EQ(auth[0]["user"], "bob");
    EXPECT_EQ(auth[0]["password"], "guess1");
    EXPECT_EQ(auth[0]["outcome"], "failure");
    EXPECT_EQ(auth[0]["reply"], "530 Login incorrect.");
    EXPECT_EQ(auth[1]["password"], "s3cret");
    EXPECT_EQ(auth[1]["outcome"], "success");
    EXPECT_EQ(auth[2]["outcome"], "unknown");
    auto ftp = r.sink.of("ftp");
    ASSERT_EQ(ftp.size(), 6u);  // the greeting and five commands
    EXPECT_EQ(ftp[5]["command"], "PASS");
    EXPECT_TRUE(ftp[5]["reply_code"].is_null());
  }
}

TEST(FtpAnalyzer, PasswordsMaskedUnlessAsked) {
  auto chunks = convo({{0, "USER a\r\n"}, {1, "331 pw\r\n"}, {0, "PASS hunter2\r\n"}, {1, "230 ok\r\n"}});
  AnalyzerContext ctx;
  testing::CollectSink sink;
  sink.show_passwords = false;
  ctx.sink = &sink;
  FtpAnalyzer a(ctx);
  PacketRef at;
  for (const auto& c : chunks) a.on_data(c.dir, testing::bytes_of(c.bytes), at);
  a.on_end(at);
  auto ftp = sink.of("ftp");
  ASSERT_EQ(ftp.size(), 2u);
  EXPECT_EQ(ftp[1]["arg"].get<std::string>().rfind("len:7 sha256:", 0), 0u);
  auto auth = sink.of("auth");
  ASSERT_EQ(auth.size(), 1u);
  EXPECT_EQ(auth[0]["password"], ftp[1]["arg"]);  // same mask in both files
}

TEST(FtpAnalyzer, MultilineReplyWithInnerCodes) {
  // Lines inside a multi-line reply may start with other codes, or the same code with '-'.
  auto chunks = convo({{0, "HELP\r\n"},
                       {1, "214-The following commands are recognized.\r\n"
                           "200 this line does not end the reply\r\n214-nor this\r\n"
                           " ABOR ACCT\r\n214 Help OK.\r\n"}});
  auto r = feed(kFtpAnalyzer, chunks, 1);
  auto ftp = r.sink.of("ftp");
  ASSERT_EQ(ftp.size(), 1u);
  EXPECT_EQ(ftp[0]["reply_code"], 214);
  EXPECT_EQ(ftp[0]["reply_msg"], "Help OK.");
  EXPECT_EQ(ftp[0]["reply_lines"], 5);
}

TEST(FtpAnalyzer, DataEndpoints) {
  auto ctx = ctx_for("10.0.0.1", "10.0.0.2");
  auto chunks = convo({{0, "PASV\r\n"},
                       {1, "227 Entering Passive Mode (10,0,0,2,4,1).\r\n"},
                       {0, "EPSV\r\n"},
                       {1, "229 Entering Extended Passive Mode (|||6446|)\r\n"},
                       {0, "PORT 10,0,0,1,200,10\r\n"},
                       {1, "200 PORT command successful.\r\n"},
                       {0, "EPRT |2|2001:db8::1|5282|\r\n"},
                       {1, "200 EPRT command successful.\r\n"},
                       {0, "PORT 300,0,0,1,1,1\r\n"},
                       {1, "500 Illegal PORT command.\r\n"}});
  auto r = feed(kFtpAnalyzer, chunks, 0, &ctx);
  auto ftp = r.sink.of("ftp");
  ASSERT_EQ(ftp.size(), 5u);
  EXPECT_EQ(ftp[0]["data_passive"], true);
  EXPECT_EQ(ftp[0]["data_orig_h"], "10.0.0.1");
  EXPECT_EQ(ftp[0]["data_h"], "10.0.0.2");
  EXPECT_EQ(ftp[0]["data_p"], 4 * 256 + 1);
  EXPECT_EQ(ftp[1]["data_h"], "10.0.0.2");
  EXPECT_EQ(ftp[1]["data_p"], 6446);
  EXPECT_EQ(ftp[2]["data_passive"], false);
  EXPECT_EQ(ftp[2]["data_orig_h"], "10.0.0.2");
  EXPECT_EQ(ftp[2]["data_h"], "10.0.0.1");
  EXPECT_EQ(ftp[2]["data_p"], 200 * 256 + 10);
  EXPECT_EQ(ftp[3]["data_h"], "2001:db8::1");
  EXPECT_EQ(ftp[3]["data_p"], 5282);
  EXPECT_TRUE(ftp[4]["data_passive"].is_null());
  EXPECT_EQ(ftp[4]["anomalies"][0], "bad_data_port");
}

// Records the announcements; the data connection "opens" at once, named after the announced port.
struct OpeningExpectations final : ExpectedConnections {
  std::vector<std::string> announced;
  void expect(ExpectedConnection c, int64_t) override {
    std::string port = std::to_string(c.resp_p);
    announced.push_back(std::string(c.service) + " " + c.orig_h.str() + " " + c.resp_h.str() + " " + port);
    if (c.matched_uid) *c.matched_uid = "Cdata" + port;
  }
};

TEST(FtpAnalyzer, AnnouncesAcceptedDataConnectionsAndNamesThemOnTheTransfer) {
  auto ctx = ctx_for("10.0.0.1", "10.0.0.2");
  OpeningExpectations expected;
  ctx.expected = &expected;
  auto chunks = convo({{0, "PASV\r\n"},
                       {1, "227 Entering Passive Mode (10,0,0,2,4,1).\r\n"},
                       {0, "LIST\r\n"},
                       {1, "150 Here comes the directory listing.\r\n226 Directory send OK.\r\n"},
                       {0, "PORT 10,0,0,9,0,7\r\n"},
                       {1, "500 Illegal PORT command.\r\n"},
                       {0, "EPRT |1|10.0.0.1|5282|\r\n"},
                       {1, "200 EPRT command successful.\r\n"},
                       {0, "CWD /pub\r\n"},
                       {1, "250 ok\r\n"},
                       {0, "RETR a.txt\r\n"},
                       {1, "150 Opening BINARY mode data connection.\r\n"}});  // capture ends: no 226
  auto r = feed(kFtpAnalyzer, chunks, 0, &ctx);
  // The rejected PORT (a bounce attempt to 10.0.0.9) announces nothing.
  EXPECT_EQ(expected.announced,
            (std::vector<std::string>{"ftp-data 10.0.0.1 10.0.0.2 1025", "ftp-data 10.0.0.2 10.0.0.1 5282"}));
  auto ftp = r.sink.of("ftp");
  ASSERT_EQ(ftp.size(), 6u);
  std::vector<std::string> data_uids;
  for (const auto& f : ftp) data_uids.push_back(str(f["data_uid"]));
  EXPECT_EQ(data_uids, (std::vector<std::string>{"", "Cdata1025", "", "", "", "Cdata5282"}));
}

TEST(FtpParse, EndpointsRejectHostileInput) {
  EXPECT_FALSE(parse_port_arg("1,2,3,4,5"));
  EXPECT_FALSE(parse_port_arg("1,2,3,4,5,256"));
  EXPECT_FALSE(parse_port_arg("99999999999999999999,2,3,4,5,6"));
  EXPECT_FALSE(parse_pasv_reply("Entering Passive Mode"));
  EXPECT_TRUE(parse_pasv_reply("Entering Passive Mode 1,2,3,4,5,6"));
  EXPECT_FALSE(parse_eprt_arg("|1|2001:db8::1|80|"));  // family says v4, address is v6
  EXPECT_FALSE(parse_eprt_arg("|1|1.2.3.4|65536|"));
  EXPECT_FALSE(parse_eprt_arg("|1|1.2.3.4"));
  EXPECT_FALSE(parse_epsv_reply("(|||"));
  EXPECT_FALSE(parse_epsv_reply("(|||70000|)"));
  EXPECT_EQ(parse_epsv_reply("ok (!!!21!)").value_or(0), 21);
  EXPECT_FALSE(parse_reply_line("22"));
  EXPECT_FALSE(parse_reply_line("220x"));
  EXPECT_EQ(parse_reply_line("220").value().code, 220);
}

TEST(FtpAnalyzer, AuthTlsStopsParsing) {
  auto chunks = convo({{1, "220 FTP ready\r\n"},
                       {0, "AUTH TLS\r\n"},
                       {1, "234 Proceed with negotiation.\r\n"},
                       {0, std::string("\x16\x03\x01\x00\x05hello", 10)}});
  auto r = feed(kFtpAnalyzer, chunks);
  EXPECT_TRUE(r.tls);
  EXPECT_EQ(r.tls_at_chunk, 3u);
  EXPECT_EQ(r.sink.of("ftp").size(), 2u);
}

TEST(FtpAnalyzer, GapsLongLinesAndGarbage) {
  std::string longarg(20000, 'a');
  auto chunks = convo({{1, "220 hi\r\n"},
                       {0, "RETR " + longarg + "\r\n"},
                       {1, "550 no\r\n"},
                       {1, "garbage without a code\r\n"},
                       {0, "NOOP\r\n"}});
  chunks.push_back({Dir::kResp, std::string(100, 'x'), true});  // the reply to NOOP is lost
  chunks.push_back({Dir::kResp, "partial line lost\r\n200 next\r\n"});
  auto r = feed(kFtpAnalyzer, chunks, 7);
  auto ftp = r.sink.of("ftp");
  ASSERT_EQ(ftp.size(), 4u);
  EXPECT_EQ(ftp[1]["command"], "RETR");
  EXPECT_LE(ftp[1]["arg"].get<std::string>().size(), FtpAnalyzer::kMaxField);
  EXPECT_EQ(ftp[1]["anomalies"][0], "command_too_long");
  EXPECT_EQ(ftp[2]["anomalies"][0], "reply_without_code");
  EXPECT_EQ(ftp[3]["command"], "NOOP");
  EXPECT_EQ(ftp[3]["reply_code"], 200);
  EXPECT_EQ(ftp[3]["anomalies"][0], "server_gap");
}

TEST(FtpProbe, GreetingAndClient) {
  using testing::bytes_of;
  EXPECT_EQ(probe(bytes_of("220 ProFTPD Server ready\r\n"), Dir::kResp), Match::kYes);
  EXPECT_EQ(probe(bytes_of("220 mail.example.com ESMTP\r\n"), Dir::kResp), Match::kMaybe);
  EXPECT_EQ(probe(bytes_of("+OK POP3\r\n"), Dir::kResp), Match::kNo);
  EXPECT_EQ(probe(bytes_of("USER bob\r\n"), Dir::kOrig), Match::kMaybe);
  EXPECT_EQ(probe(bytes_of("GET / HTTP/1.1\r\n"), Dir::kOrig), Match::kNo);
  EXPECT_EQ(probe(bytes_of("22"), Dir::kResp), Match::kNo);
}

}  // namespace
}  // namespace trawl::proto::ftp
