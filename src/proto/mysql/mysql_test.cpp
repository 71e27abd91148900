#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "proto/mysql/mysql_analyzer.h"
#include "proto/mysql/mysql_parse.h"
#include "proto/stream_test_support.h"

namespace trawl::proto::mysql {
namespace {

using nlohmann::json;
using testing::bytes_of;
using testing::Chunk;
using testing::feed;
using testing::tshark_rows;
using trawl::testing::fixtures_dir;
using trawl::testing::have_tool;

// A packet: 3-byte length, sequence id, payload.
std::string packet(uint8_t seq, const std::string& payload) {
  std::string p;
  p.push_back(char(payload.size() & 0xff));
  p.push_back(char(payload.size() >> 8 & 0xff));
  p.push_back(char(payload.size() >> 16 & 0xff));
  p.push_back(char(seq));
  return p + payload;
}

std::string le32(uint32_t v) { return {char(v), char(v >> 8), char(v >> 16), char(v >> 24)}; }

// HandshakeV10 as MariaDB sends it (from the protocol documentation).
std::string greeting(const std::string& version, const std::string& plugin) {
  uint32_t caps = kClientProtocol41 | kClientSecureConnection | kClientPluginAuth | kClientSsl | kClientConnectWithDb;
  std::string p(1, '\x0a');
  p += version + '\0';
  p += le32(42) + "abcdefgh" + '\0';
  p += {char(caps), char(caps >> 8), '\x21', '\x02', '\x00', char(caps >> 16), char(caps >> 24), '\x15'};
  p += std::string(10, '\0');
  p += "ijklmnopqrst" + std::string(1, '\0');
  p += plugin + '\0';
  return packet(0, p);
}

// HandshakeResponse41 (CLIENT_SSL alone: the SSLRequest).
std::string response(const std::string& user, const std::string& auth, const std::string& db, const std::string& plugin,
                     uint8_t seq = 1) {
  uint32_t caps = kClientProtocol41 | kClientSecureConnection | kClientPluginAuth | (db.empty() ? 0 : kClientConnectWithDb);
  std::string p = le32(caps) + le32(16 << 20) + '\x21' + std::string(23, '\0');
  p += user + '\0';
  p += char(auth.size()) + auth;
  if (!db.empty()) p += db + '\0';
  p += plugin + '\0';
  return packet(seq, p);
}

std::string ssl_request() { return packet(1, le32(kClientProtocol41 | kClientSsl) + le32(16 << 20) + '\x21' + std::string(23, '\0')); }
std::string ok(uint8_t seq) { return packet(seq, std::string("\x00\x00\x00\x02\x00\x00\x00", 7)); }
std::string err(uint8_t seq, uint16_t code, const std::string& state, const std::string& msg) {
  return packet(seq, std::string{'\xff', char(code), char(code >> 8)} + "#" + state + msg);
}

std::vector<json> auth_of(const testing::FeedResult& r) { return r.sink.of("auth"); }

TEST(MysqlAnalyzer, NativePasswordFailureAnyCut) {
  std::vector<Chunk> c = {{Dir::kResp, greeting("10.11.6-MariaDB", "mysql_native_password")},
                          {Dir::kOrig, response("root", std::string(20, 'x'), "shop", "mysql_native_password")},
                          {Dir::kResp, err(2, 1045, "28000", "Access denied for user 'root'@'10.0.0.1' (using password: YES)")}};
  for (size_t step : {0, 1, 3, 7}) {
    SCOPED_TRACE(step);
    auto a = auth_of(feed(kMysqlAnalyzer, c, step));
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0]["app"], "mysql");
    EXPECT_EQ(a[0]["user"], "root");
    EXPECT_EQ(a[0]["method"], "mysql_native_password");
    EXPECT_EQ(a[0]["outcome"], "failure");
    EXPECT_EQ(a[0]["password_seen"], false);
    EXPECT_TRUE(a[0]["password"].is_null());
    EXPECT_EQ(a[0]["reply"], "ERROR 1045 (28000): Access denied for user 'root'@'10.0.0.1' (using password: YES)");
    EXPECT_EQ(a[0]["frame"], 3);  // the ERR settled it
  }
}

TEST(MysqlAnalyzer, ClearPasswordAfterAuthSwitch) {
  std::string sw = packet(2, std::string("\xfe") + "mysql_clear_password" + '\0');
  std::vector<Chunk> c = {{Dir::kResp, greeting("8.0.36", "caching_sha2_password")},
                          {Dir::kOrig, response("app", std::string(32, 'y'), "", "caching_sha2_password")},
                          {Dir::kResp, sw},
                          {Dir::kOrig, packet(3, std::string("hunter2") + '\0')},
                          {Dir::kResp, ok(4)},
                          {Dir::kOrig, packet(0, "\x03SELECT 1")}};
  for (size_t step : {0, 1}) {
    auto a = auth_of(feed(kMysqlAnalyzer, c, step));
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0]["method"], "mysql_clear_password");
    EXPECT_EQ(a[0]["password"], "hunter2");
    EXPECT_EQ(a[0]["password_seen"], true);
    EXPECT_EQ(a[0]["outcome"], "success");
    EXPECT_EQ(a[0]["frame"], 5);
  }
}

TEST(MysqlAnalyzer, SslRequestHandsOverToTls) {
  std::vector<Chunk> c = {{Dir::kResp, greeting("8.0.36", "caching_sha2_password")},
                          {Dir::kOrig, ssl_request()},
                          {Dir::kOrig, "\x16\x03\x01\x00\x05hello"}};
  auto r = feed(kMysqlAnalyzer, c);
  EXPECT_TRUE(r.tls);
  EXPECT_EQ(r.tls_at_chunk, 2u);
  auto a = auth_of(r);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0]["method"], "tls");
  EXPECT_EQ(a[0]["outcome"], "unknown");
  EXPECT_EQ(a[0]["user"], "");
}

TEST(MysqlAnalyzer, NoLoginNoRecord) {
  // Refused before any login (host blocked), a greeting alone, garbage.
  EXPECT_TRUE(auth_of(feed(kMysqlAnalyzer, {{Dir::kResp, err(0, 1129, "HY000", "Host is blocked")}})).empty());
  EXPECT_TRUE(auth_of(feed(kMysqlAnalyzer, {{Dir::kResp, greeting("5.7.44", "mysql_native_password")}})).empty());
  EXPECT_TRUE(auth_of(feed(kMysqlAnalyzer, {{Dir::kOrig, "GET / HTTP/1.1\r\n\r\n"}, {Dir::kResp, "HTTP/1.1 400\r\n"}})).empty());
}

TEST(MysqlAnalyzer, UnsettledTruncatedAndHostile) {
  std::string g = greeting("10.11.6-MariaDB", "mysql_native_password");
  std::string resp = response("root", std::string(20, 'x'), "", "mysql_native_password");
  // The connection ends before the server's verdict: an unknown attempt at the response's packet.
  auto a = auth_of(feed(kMysqlAnalyzer, {{Dir::kResp, g}, {Dir::kOrig, resp}}));
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0]["outcome"], "unknown");
  EXPECT_EQ(a[0]["frame"], 2);
  // A response cut in the middle never completes: no attempt.
  EXPECT_TRUE(auth_of(feed(kMysqlAnalyzer, {{Dir::kResp, g}, {Dir::kOrig, resp.substr(0, 20)}}, 1)).empty());
  // A gap in the middle of the login: unknown, and nothing after it is read.
  a = auth_of(feed(kMysqlAnalyzer, {{Dir::kResp, g}, {Dir::kOrig, resp}, {Dir::kResp, "xxxx", true}, {Dir::kResp, ok(2)}}));
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0]["outcome"], "unknown");
  // A user field without its NUL, lengths past the end, a huge length: no crash, no success.
  std::string bad = resp;
  bad.resize(bad.size() - 30);
  bad[0] = char(bad.size() - 4);
  for (const auto& client : {bad, std::string("\xff\xff\xff\x01\x00", 5), std::string(100, '\xfb')}) {
    auto r = auth_of(feed(kMysqlAnalyzer, {{Dir::kResp, g}, {Dir::kOrig, client}, {Dir::kResp, ok(2)}}, 1));
    for (const auto& x : r) EXPECT_NE(x["outcome"], "success");
  }
}

TEST(MysqlParse, HandshakeResponseFields) {
  std::string p = response("bob", "0123456789abcdefghij", "inventory", "client_ed25519").substr(4);
  HandshakeResponse r;
  ASSERT_EQ(parse_handshake_response(bytes_of(p), r), ParseStatus::kComplete);
  EXPECT_EQ(r.user, "bob");
  EXPECT_EQ(r.database, "inventory");
  EXPECT_EQ(r.auth_plugin, "client_ed25519");
  EXPECT_EQ(r.auth_response.size(), 20u);
  EXPECT_FALSE(r.ssl_request);
  // Every prefix is malformed or complete, never out of bounds (ASan watches).
  for (size_t n = 0; n < p.size(); ++n) (void)parse_handshake_response(bytes_of(p.substr(0, n)), r);
}

TEST(MysqlProbe, GreetingDecides) {
  std::string g = greeting("10.11.6-MariaDB", "mysql_native_password");
  EXPECT_EQ(probe(bytes_of(g), Dir::kResp), Match::kYes);
  EXPECT_EQ(probe(bytes_of(g.substr(0, 20)), Dir::kResp), Match::kNo);  // not all there yet
  EXPECT_EQ(probe(bytes_of(response("a", "b", "", "p")), Dir::kOrig), Match::kMaybe);
  EXPECT_EQ(probe(bytes_of(ssl_request()), Dir::kOrig), Match::kMaybe);
  EXPECT_EQ(probe(bytes_of("SSH-2.0-OpenSSH_9.2\r\n"), Dir::kResp), Match::kNo);
  EXPECT_EQ(probe(bytes_of("220 smtp ready\r\n"), Dir::kResp), Match::kNo);
}

// The MariaDB logins of fixtures/db-logins.pcap, against what tshark's MySQL dissector reads from them.
TEST(MysqlCapture, MatchesTshark) {
  if (!have_tool("tshark")) GTEST_SKIP() << "tshark missing";
  std::string pcap = fixtures_dir() + "/db-logins.pcap";
  auto streams = testing::streams_to_port(pcap, 3306);
  ASSERT_EQ(streams.size(), 4u);
  for (const auto& s : streams) {
    SCOPED_TRACE(s.node0);
    std::string user, plugin, error, switched;
    for (const auto& row : tshark_rows(pcap, "mysql && tcp.stream==" + std::to_string(s.index),
                                       {"mysql.user", "mysql.client_auth_plugin", "mysql.error_code",
                                        "mysql.auth_switch_request.name"})) {
      if (!row[0].empty()) user = row[0];
      if (!row[0].empty()) plugin = row[1];  // the client's plugin, from its login request
      if (!row[2].empty()) error = row[2];
      if (!row[3].empty()) switched = row[3];
    }
    auto chunks = testing::chunks_of(s);
    bool ssl = user.empty();  // tshark names no user in an SSLRequest
    for (size_t step : {0, 1}) {
      auto r = feed(kMysqlAnalyzer, chunks, step);
      auto a = auth_of(r);
      ASSERT_EQ(a.size(), 1u);
      EXPECT_EQ(a[0]["user"], user);
      EXPECT_EQ(r.tls, ssl);
      if (ssl) {
        EXPECT_EQ(a[0]["outcome"], "unknown");
        EXPECT_EQ(a[0]["method"], "tls");
        continue;
      }
      EXPECT_EQ(a[0]["method"], switched.empty() ? plugin : switched);
      EXPECT_EQ(a[0]["outcome"], error.empty() ? "success" : "failure");
      if (!error.empty()) {
        EXPECT_NE(a[0]["reply"].get<std::string>().find("ERROR " + error + " "), std::string::npos);
      }
    }
  }
}

}  // namespace
}  // namespace trawl::proto::mysql
