#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "proto/postgres/postgres_analyzer.h"
#include "proto/postgres/postgres_parse.h"
#include "proto/stream_test_support.h"

namespace trawl::proto::postgres {
namespace {

using nlohmann::json;
using testing::bytes_of;
using testing::Chunk;
using testing::feed;
using testing::tshark_rows;
using trawl::testing::fixtures_dir;
using trawl::testing::have_tool;

std::string be32(uint32_t v) { return {char(v >> 24), char(v >> 16), char(v >> 8), char(v)}; }
std::string untyped(const std::string& body) { return be32(uint32_t(body.size() + 4)) + body; }
std::string msg(char type, const std::string& body) { return type + be32(uint32_t(body.size() + 4)) + body; }
std::string z(const std::string& s) { return s + '\0'; }

std::string ssl_request() { return untyped(be32(kSslRequest)); }
std::string startup(const std::string& user, const std::string& db) {
  return untyped(be32(kProtocol3) + z("user") + z(user) + z("database") + z(db) + z("application_name") + z("psql") + '\0');
}
std::string auth(uint32_t code, const std::string& extra = {}) { return msg('R', be32(code) + extra); }
std::string error(const std::string& code, const std::string& text) {
  return msg('E', z("SFATAL") + z("VFATAL") + z("C" + code) + z("M" + text) + z("Rauth_failed") + '\0');
}
std::string ready() { return msg('Z', "I"); }
std::vector<json> auth_of(const testing::FeedResult& r) { return r.sink.of("auth"); }

TEST(PostgresAnalyzer, CleartextPasswordAfterSslRefusedAnyCut) {
  std::vector<Chunk> c = {{Dir::kOrig, ssl_request()},
                          {Dir::kResp, "N"},
                          {Dir::kOrig, startup("alice", "sales")},
                          {Dir::kResp, auth(kAuthCleartext)},
                          {Dir::kOrig, msg('p', z("s3cr3t pw"))},
                          {Dir::kResp, auth(kAuthOk) + msg('S', z("server_version") + z("15.18")) + msg('K', be32(1) + be32(2)) + ready()},
                          {Dir::kOrig, msg('Q', z("SELECT 1"))}};
  for (size_t step : {0, 1, 2, 5}) {
    SCOPED_TRACE(step);
    auto r = feed(kPostgresAnalyzer, c, step);
    EXPECT_FALSE(r.tls);
    auto a = auth_of(r);
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0]["app"], "postgresql");
    EXPECT_EQ(a[0]["user"], "alice");
    EXPECT_EQ(a[0]["password"], "s3cr3t pw");
    EXPECT_EQ(a[0]["password_seen"], true);
    EXPECT_EQ(a[0]["method"], "password");
    EXPECT_EQ(a[0]["outcome"], "success");
    EXPECT_EQ(a[0]["frame"], 6);
  }
}

TEST(PostgresAnalyzer, Md5FailureKeepsNoHash) {
  std::vector<Chunk> c = {{Dir::kOrig, startup("bob", "bob")},
                          {Dir::kResp, auth(kAuthMd5, "salt")},
                          {Dir::kOrig, msg('p', z("md5" + std::string(32, 'f')))},
                          {Dir::kResp, error("28P01", "password authentication failed for user \"bob\"")}};
  auto a = auth_of(feed(kPostgresAnalyzer, c, 1));
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0]["method"], "md5");
  EXPECT_EQ(a[0]["outcome"], "failure");
  EXPECT_EQ(a[0]["password_seen"], false);
  EXPECT_EQ(a[0]["reply"], "FATAL 28P01: password authentication failed for user \"bob\"");
}

TEST(PostgresAnalyzer, TrustErrorAfterOkAndCutShort) {
  // No password asked: "trust".
  auto a = auth_of(feed(kPostgresAnalyzer, {{Dir::kOrig, startup("u", "d")}, {Dir::kResp, auth(kAuthOk) + ready()}}));
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0]["method"], "trust");
  EXPECT_EQ(a[0]["outcome"], "success");
  // Accepted, then the database is missing: the login failed.
  a = auth_of(feed(kPostgresAnalyzer, {{Dir::kOrig, startup("u", "nodb")},
                                       {Dir::kResp, auth(kAuthCleartext)},
                                       {Dir::kOrig, msg('p', z("pw"))},
                                       {Dir::kResp, auth(kAuthOk) + error("3D000", "database \"nodb\" does not exist")}}));
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0]["outcome"], "failure");
  // AuthenticationOk, then the capture ends before ReadyForQuery: a success at the AuthenticationOk.
  a = auth_of(feed(kPostgresAnalyzer, {{Dir::kOrig, startup("u", "d")}, {Dir::kResp, auth(kAuthCleartext)},
                                       {Dir::kOrig, msg('p', z("pw"))}, {Dir::kResp, auth(kAuthOk)}}));
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0]["outcome"], "success");
  EXPECT_EQ(a[0]["frame"], 4);
  // The password sent, no answer: unknown, at the startup's packet.
  a = auth_of(feed(kPostgresAnalyzer, {{Dir::kOrig, startup("u", "d")}, {Dir::kResp, auth(kAuthCleartext)},
                                       {Dir::kOrig, msg('p', z("pw"))}}));
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0]["outcome"], "unknown");
  EXPECT_EQ(a[0]["password"], "pw");
  EXPECT_EQ(a[0]["frame"], 1);
}

TEST(PostgresAnalyzer, SslAcceptedHandsOverToTls) {
  auto r = feed(kPostgresAnalyzer, {{Dir::kOrig, ssl_request()}, {Dir::kResp, "S"}, {Dir::kOrig, "\x16\x03\x01\x00\x05hello"}});
  EXPECT_TRUE(r.tls);
  EXPECT_EQ(r.tls_at_chunk, 2u);
  auto a = auth_of(r);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0]["method"], "tls");
  EXPECT_EQ(a[0]["outcome"], "unknown");
  // GSSAPI encryption accepted: unreadable, not TLS.
  r = feed(kPostgresAnalyzer, {{Dir::kOrig, untyped(be32(kGssEncRequest))}, {Dir::kResp, "G"}});
  EXPECT_FALSE(r.tls);
  a = auth_of(r);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0]["method"], "gssenc");
}

TEST(PostgresAnalyzer, NoLoginGarbageAndGaps) {
  // A CancelRequest is no login; neither is an SSLRequest the client then abandons.
  EXPECT_TRUE(auth_of(feed(kPostgresAnalyzer, {{Dir::kOrig, untyped(be32(kCancelRequest) + be32(1) + be32(2))}})).empty());
  EXPECT_TRUE(auth_of(feed(kPostgresAnalyzer, {{Dir::kOrig, ssl_request()}, {Dir::kResp, "N"}})).empty());
  // Hostile lengths and garbage: no crash, no success.
  for (const std::string& client :
       {std::string("\x00\x00\x00\x02", 4), std::string("\x7f\xff\xff\xff\x00\x03\x00\x00", 8), std::string(64, '\xff'),
        startup("u", "d").substr(0, 15), untyped(be32(kProtocol3) + "user")}) {
    auto a = auth_of(feed(kPostgresAnalyzer, {{Dir::kOrig, client}, {Dir::kResp, auth(kAuthOk) + ready()}}, 1));
    for (const auto& x : a) EXPECT_NE(x["outcome"], "success");
  }
  // A gap during the login: unknown, nothing after it is believed.
  auto a = auth_of(feed(kPostgresAnalyzer, {{Dir::kOrig, startup("u", "d")}, {Dir::kResp, "xx", true},
                                            {Dir::kResp, auth(kAuthOk) + ready()}}));
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0]["outcome"], "unknown");
}

TEST(PostgresParse, ErrorFieldsAndPrefixes) {
  std::string e = error("28P01", "nope").substr(5);
  ErrorFields f;
  ASSERT_EQ(parse_error_fields(bytes_of(e), f), ParseStatus::kComplete);
  EXPECT_EQ(f.severity, "FATAL");
  EXPECT_EQ(f.code, "28P01");
  EXPECT_EQ(f.message, "nope");
  std::string s = startup("carol", "db").substr(4);
  Startup st;
  for (size_t n = 0; n < s.size(); ++n) (void)parse_startup(bytes_of(s.substr(0, n)), st);  // ASan watches
  ASSERT_EQ(parse_startup(bytes_of(s), st), ParseStatus::kComplete);
  EXPECT_EQ(st.user, "carol");
  EXPECT_EQ(st.database, "db");
}

TEST(PostgresProbe, ClientRequestsDecide) {
  EXPECT_EQ(probe(bytes_of(ssl_request()), Dir::kOrig), Match::kYes);
  EXPECT_EQ(probe(bytes_of(startup("u", "d")), Dir::kOrig), Match::kYes);
  EXPECT_EQ(probe(bytes_of(startup("u", "d").substr(0, 12)), Dir::kOrig), Match::kNo);
  EXPECT_EQ(probe(bytes_of(auth(kAuthMd5, "salt")), Dir::kResp), Match::kMaybe);
  EXPECT_EQ(probe(bytes_of("GET / HTTP/1.1\r\n"), Dir::kOrig), Match::kNo);
  EXPECT_EQ(probe(bytes_of(std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11)), Dir::kOrig), Match::kNo);
}

// The PostgreSQL logins of fixtures/db-logins.pcap, against tshark's PGSQL dissector.
TEST(PostgresCapture, MatchesTshark) {
  if (!have_tool("tshark")) GTEST_SKIP() << "tshark missing";
  std::string pcap = fixtures_dir() + "/db-logins.pcap";
  auto streams = testing::streams_to_port(pcap, 5432);
  ASSERT_EQ(streams.size(), 5u);
  for (const auto& s : streams) {
    SCOPED_TRACE(s.node0);
    std::string user, password, authtype, mech, code;
    for (const auto& row : tshark_rows(pcap, "pgsql && tcp.stream==" + std::to_string(s.index),
                                       {"pgsql.parameter_name", "pgsql.parameter_value", "pgsql.password",
                                        "pgsql.authtype", "pgsql.auth.sasl.mech", "pgsql.code"})) {
      if (row[0].starts_with("user,")) user = row[1].substr(0, row[1].find(','));
      if (!row[2].empty()) password = row[2];
      if (!row[3].empty() && authtype.empty()) authtype = row[3];
      if (!row[4].empty()) mech = row[4];
      if (!row[5].empty()) code = row[5];
    }
    ASSERT_FALSE(user.empty());
    std::string method = authtype == "3" ? "password" : authtype == "5" ? "md5" : mech;
    for (size_t step : {0, 1}) {
      auto a = auth_of(feed(kPostgresAnalyzer, testing::chunks_of(s), step));
      ASSERT_EQ(a.size(), 1u);
      EXPECT_EQ(a[0]["user"], user);
      EXPECT_EQ(a[0]["method"], method);
      EXPECT_EQ(a[0]["password_seen"], authtype == "3");
      if (authtype == "3") {
        EXPECT_EQ(a[0]["password"], password);
      }
      EXPECT_EQ(a[0]["outcome"], code.empty() ? "success" : "failure");
      if (!code.empty()) {
        EXPECT_NE(a[0]["reply"].get<std::string>().find(code), std::string::npos);
      }
    }
  }
}

}  // namespace
}  // namespace trawl::proto::postgres
