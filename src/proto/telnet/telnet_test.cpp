#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "proto/stream_test_support.h"
#include "proto/telnet/telnet_analyzer.h"

namespace trawl::proto::telnet {
namespace {

using nlohmann::json;
using testing::bytes_of;
using testing::Chunk;
using testing::feed;
using testing::stream_chunks;
using testing::tshark_rows;
using trawl::testing::have_tool;
using trawl::testing::shared_pcap;

std::vector<Chunk> convo(std::initializer_list<std::pair<int, std::string>> parts) {
  std::vector<Chunk> out;
  for (const auto& [d, s] : parts) out.push_back({d == 0 ? Dir::kOrig : Dir::kResp, s});
  return out;
}

// Client keystrokes one per segment, each echoed by the server (character mode).
void type_echoed(std::vector<Chunk>& out, const std::string& keys, bool echo) {
  for (char c : keys) {
    out.push_back({Dir::kOrig, std::string(1, c)});
    if (!echo) continue;
    if (c == '\x7f') out.push_back({Dir::kResp, "\b \b"});
    else if (c == '\r') out.push_back({Dir::kResp, "\r\n"});
    else out.push_back({Dir::kResp, std::string(1, c)});
  }
}

TEST(TelnetCapture, SuricataSessionLogsIn) {
  if (!have_tool("tshark")) GTEST_SKIP() << "tshark missing";
  std::string pcap = shared_pcap("suricata-telnet.pcap");
  auto chunks = stream_chunks(pcap, 23);
  ASSERT_FALSE(chunks.empty());
  // tshark's telnet.data: the text of each packet with the negotiation removed. The client's lines right
  // after the server's "login: " and "Password:" packets are the credentials.
  auto rows = tshark_rows(pcap, "telnet.data", {"tcp.srcport", "telnet.data"});
  std::string user, password;
  for (size_t i = 0; i + 1 < rows.size(); ++i) {
    if (rows[i][0] != "23") continue;
    std::string next = rows[i + 1][1];
    if (next.size() >= 4 && next.substr(next.size() - 4) == "\\r\\n") next.resize(next.size() - 4);
    if (rows[i][1].find("login:") != std::string::npos && rows[i + 1][0] != "23") user = next;
    if (rows[i][1].find("Password:") != std::string::npos && rows[i + 1][0] != "23") password = next;
  }
  ASSERT_FALSE(user.empty());
  for (size_t step : {0, 1}) {
    auto r = feed(kTelnetAnalyzer, chunks, step);
    auto auth = r.sink.of("auth");
    ASSERT_EQ(auth.size(), 1u) << step;
    EXPECT_EQ(auth[0]["app"], "telnet");
    EXPECT_EQ(auth[0]["user"], user);
    EXPECT_EQ(auth[0]["password"], password);
    EXPECT_EQ(auth[0]["outcome"], "success");  // "Last login: ..." follows
    EXPECT_EQ(auth[0]["reply"].get<std::string>().rfind("Last login:", 0), 0u);
  }
}

TEST(TelnetCapture, ClientOnlyTrafficHasNoAttempt) {
  if (!have_tool("tshark")) GTEST_SKIP();
  // zeek-mixed-vlan-mpls.pcap carries only the client's half of a telnet session (negotiation and an
  // empty line, telnet.data "\r\n" as tshark shows): no prompt, so no attempt.
  auto rows = tshark_rows(shared_pcap("zeek-mixed-vlan-mpls.pcap"), "telnet", {"tcp.dstport", "telnet.data"});
  ASSERT_FALSE(rows.empty());
  for (const auto& r : rows) EXPECT_EQ(r[0], "23");
  auto streams = trawl::testing::follow_streams(shared_pcap("zeek-mixed-vlan-mpls.pcap"));
  bool found = false;
  for (const auto& s : streams) {
    if (s.node1.find(":23") == std::string::npos) continue;
    found = true;
    auto r = feed(kTelnetAnalyzer, testing::chunks_of(s), 1);
    EXPECT_TRUE(r.sink.of("auth").empty());
  }
  EXPECT_TRUE(found);
}

TEST(TelnetAnalyzer, CharacterModeWithEditingAndFailure) {
  std::vector<Chunk> c = convo({{1, "\xff\xfb\x01\xff\xfb\x03" "Ubuntu 22.04\r\n\r\nhost login: "}});
  type_echoed(c, "roox\x7ft\r", true);  // typo corrected with DEL
  c.push_back({Dir::kResp, "Password: "});
  type_echoed(c, "wrong\r", false);     // no echo for the password
  c.push_back({Dir::kResp, "\r\n"});
  c.push_back({Dir::kResp, "\r\nLogin incorrect\r\nhost login: "});
  type_echoed(c, "root\r", true);
  c.push_back({Dir::kResp, "Password: "});
  type_echoed(c, "b\bright\r", false);  // backspace inside the password
  c.push_back({Dir::kResp, "\r\nWelcome to Ubuntu\r\nroot@host:~# "});
  type_echoed(c, "exit\r", true);
  for (size_t step : {0, 1, 2}) {
    auto r = feed(kTelnetAnalyzer, c, step);
    auto auth = r.sink.of("auth");
    ASSERT_EQ(auth.size(), 2u) << step;
    EXPECT_EQ(auth[0]["user"], "root");
    EXPECT_EQ(auth[0]["password"], "wrong");
    EXPECT_EQ(auth[0]["outcome"], "failure");
    EXPECT_EQ(auth[0]["reply"], "Login incorrect");
    EXPECT_EQ(auth[1]["password"], "right");
    EXPECT_EQ(auth[1]["outcome"], "success");
    EXPECT_EQ(auth[1]["reply"], "Welcome to Ubuntu");
  }
}

TEST(TelnetAnalyzer, RepeatedPromptIsFailureShellPromptIsSuccess) {
  auto c = convo({{1, "User Name: "}, {0, "admin\r\n"}, {1, "Password: "}, {0, "admin\r\n"},
                  {1, "\r\nUser Name: "}, {0, "admin\r\n"}, {1, "Password: "}, {0, "1234\r\n"},
                  {1, "\r\nswitch> "}, {0, "show version\r\n"}});
  auto r = feed(kTelnetAnalyzer, c, 1);
  auto auth = r.sink.of("auth");
  ASSERT_EQ(auth.size(), 2u);
  EXPECT_EQ(auth[0]["outcome"], "failure");
  EXPECT_EQ(auth[0]["reply"], "User Name:");
  EXPECT_EQ(auth[1]["password"], "1234");
  EXPECT_EQ(auth[1]["outcome"], "success");
  EXPECT_EQ(auth[1]["reply"], "switch>");
}

TEST(TelnetAnalyzer, PasswordOnlyDeviceAndUnknownEnd) {
  auto c = convo({{1, "\r\nUser Access Verification\r\n\r\nPassword: "}, {0, "cisco\r\n"}});
  auto r = feed(kTelnetAnalyzer, c);
  auto auth = r.sink.of("auth");
  ASSERT_EQ(auth.size(), 1u);
  EXPECT_EQ(auth[0]["user"], "");
  EXPECT_EQ(auth[0]["password"], "cisco");
  EXPECT_EQ(auth[0]["outcome"], "unknown");  // connection ended before any verdict
}

TEST(TelnetAnalyzer, MessageOfTheDayThenHangUpIsSuccess) {
  // /bin/login answers the right password with the MOTD only (no "Last login", no prompt yet); a guesser
  // such as ncrack hangs up there. What comes after the password decides, not the prompt it answered.
  const std::string motd = "Linux filesrv 6.18.44 #1 SMP PREEMPT_DYNAMIC x86_64";
  auto ok = convo({{1, "filesrv login: "}, {0, "trawlatk\r\n"}, {1, "Password: "}, {0, "Tr4wl-atk-Pw9\r\n"},
                   {1, "\r\n" + motd + "\r\n"}});
  auto auth = feed(kTelnetAnalyzer, ok).sink.of("auth");
  ASSERT_EQ(auth.size(), 1u);
  EXPECT_EQ(auth[0]["outcome"], "success");
  EXPECT_EQ(auth[0]["reply"], motd);

  // Not a success: the failure message (after /bin/login's delay), a login or password prompt again,
  // a line with a failure word no phrase lists, or a hang-up before the server said anything.
  for (const std::string& answer : {std::string("\r\nLogin incorrect\r\n"), std::string("\r\n\r\nfilesrv login: "),
                                    std::string("\r\nPassword: "), std::string("\r\nPassword is wrong\r\n"),
                                    std::string("\r\n")}) {
    auto bad = convo({{1, "filesrv login: "}, {0, "trawlatk\r\n"}, {1, "Password: "}, {0, "123456\r\n"}, {1, answer}});
    auto a = feed(kTelnetAnalyzer, bad).sink.of("auth");
    ASSERT_EQ(a.size(), 1u) << answer;
    EXPECT_NE(a[0]["outcome"], "success") << answer;
  }
  // The MOTD-like line and then a login prompt: failure.
  auto again = convo({{1, "login: "}, {0, "root\r\n"}, {1, "Password: "}, {0, "x\r\n"},
                      {1, "\r\nSystem maintenance tonight\r\nlogin: "}});
  auto a = feed(kTelnetAnalyzer, again).sink.of("auth");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0]["outcome"], "failure");
}

TEST(TelnetAnalyzer, LastLoginBannerIsNotAPrompt) {
  // The client types while the server's line is "Last login:" (odd, but must not read as a login prompt).
  auto c = convo({{1, "Last login:"}, {0, "x\r\n"}, {1, " Mon\r\n$ "}, {0, "ls\r\n"}});
  auto r = feed(kTelnetAnalyzer, c);
  EXPECT_TRUE(r.sink.of("auth").empty());
}

TEST(TelnetIac, StripsNegotiationAndBoundsSubnegotiation) {
  IacStripper s;
  std::string out;
  std::string in = std::string("\xff\xfd\x18", 3) + "a" + std::string("\xff\xff", 2) + "b" +
                   std::string("\xff\xfa\x18\x00xterm\xff\xf0", 11) + "c" + std::string("\xff\xf1", 2) + "d";
  s.feed(bytes_of(in), [&](char c) { out.push_back(c); });
  EXPECT_EQ(out, std::string("a\xff" "bcd"));
  // An endless subnegotiation is given up after kMaxSub bytes.
  IacStripper t;
  std::string sub = std::string("\xff\xfa\x18", 3) + std::string(IacStripper::kMaxSub + 10, 'x') + "tail";
  size_t n = 0;
  t.feed(bytes_of(sub), [&](char) { ++n; });
  EXPECT_TRUE(t.overlong_sub());
  // Option byte and x's make kMaxSub + 11 subnegotiation bytes: the (kMaxSub+1)th ends it, 10 remain.
  EXPECT_EQ(n, 10u + 4u);
}

TEST(TelnetProbe, Negotiation) {
  EXPECT_EQ(probe(bytes_of("\xff\xfd\x03\xff\xfb\x18"), Dir::kOrig), Match::kYes);
  EXPECT_EQ(probe(bytes_of("\xff\xfd\x03"), Dir::kResp), Match::kMaybe);
  EXPECT_EQ(probe(bytes_of("\xff"), Dir::kResp), Match::kNo);
  EXPECT_EQ(probe(bytes_of("login: "), Dir::kResp), Match::kNo);
}

}  // namespace
}  // namespace trawl::proto::telnet
