#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "proto/redis/redis_analyzer.h"
#include "proto/redis/resp_reader.h"
#include "proto/stream_test_support.h"

namespace trawl::proto::redis {
namespace {

using nlohmann::json;
using testing::bytes_of;
using testing::Chunk;
using testing::feed;
using testing::tshark_rows;
using trawl::testing::fixtures_dir;
using trawl::testing::have_tool;

// A command as a RESP array of bulk strings.
std::string cmd(const std::vector<std::string>& args) {
  std::string s(1, '*');  // (appended piecewise: GCC 12 warns falsely on "*" + ..., -Wrestrict)
  s += std::to_string(args.size()) + "\r\n";
  for (const auto& a : args) {
    s += '$';
    s += std::to_string(a.size()) + "\r\n" + a + "\r\n";
  }
  return s;
}
std::vector<json> auth_of(const testing::FeedResult& r) { return r.sink.of("auth"); }

TEST(RedisAnalyzer, AuthFormsAndOutcomesAnyCut) {
  std::vector<Chunk> c = {
      {Dir::kOrig, cmd({"AUTH", "wrong pass"})},
      {Dir::kResp, "-WRONGPASS invalid username-password pair or user is disabled.\r\n"},
      {Dir::kOrig, "AUTH \"inline pw\"\r\n"},
      {Dir::kResp, "-ERR invalid password\r\n"},
      {Dir::kOrig, cmd({"auth", "admin", "r1ght"})},
      {Dir::kResp, "+OK\r\n"},
      // A value holding CR LF, then the result of KEYS (an array): neither is an attempt.
      {Dir::kOrig, cmd({"SET", "k", "a\r\nb"}) + cmd({"KEYS", "*"})},
      {Dir::kResp, "+OK\r\n*2\r\n$1\r\nk\r\n$4\r\nAUTH\r\n"},
      {Dir::kOrig, cmd({"HELLO", "3", "AUTH", "svc", "hellopw", "SETNAME", "x"})},
      {Dir::kResp, "%1\r\n+server\r\n+redis\r\n"},
  };
  for (size_t step : {0, 1, 3}) {
    SCOPED_TRACE(step);
    auto a = auth_of(feed(kRedisAnalyzer, c, step));
    ASSERT_EQ(a.size(), 4u);
    EXPECT_EQ(a[0]["user"], "");
    EXPECT_EQ(a[0]["password"], "wrong pass");
    EXPECT_EQ(a[0]["outcome"], "failure");
    EXPECT_EQ(a[0]["reply"], "-WRONGPASS invalid username-password pair or user is disabled.");
    EXPECT_EQ(a[0]["frame"], 2);
    EXPECT_EQ(a[1]["password"], "inline pw");
    EXPECT_EQ(a[1]["outcome"], "failure");
    EXPECT_EQ(a[2]["user"], "admin");
    EXPECT_EQ(a[2]["password"], "r1ght");
    EXPECT_EQ(a[2]["method"], "AUTH");
    EXPECT_EQ(a[2]["outcome"], "success");
    EXPECT_EQ(a[2]["reply"], "+OK");
    EXPECT_EQ(a[3]["user"], "svc");
    EXPECT_EQ(a[3]["password"], "hellopw");
    EXPECT_EQ(a[3]["method"], "HELLO AUTH");
    EXPECT_EQ(a[3]["outcome"], "success");
    for (const auto& x : a) {
      EXPECT_EQ(x["app"], "redis");
      EXPECT_EQ(x["password_seen"], true);
    }
  }
}

TEST(RedisAnalyzer, PipelinedPushesAndAttributes) {
  // Three AUTHs in one write (a guessing tool), replies in one; a RESP3 push and an attribute in between.
  std::vector<Chunk> c = {{Dir::kOrig, cmd({"AUTH", "a"}) + cmd({"AUTH", "b"}) + cmd({"PING"}) + cmd({"AUTH", "c"})},
                          {Dir::kResp, "-WRONGPASS x\r\n>2\r\n+message\r\n+hi\r\n-WRONGPASS y\r\n"},
                          {Dir::kResp, "|1\r\n+ttl\r\n:3\r\n+PONG\r\n+OK\r\n"}};
  auto a = auth_of(feed(kRedisAnalyzer, c, 2));
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(a[0]["password"], "a");
  EXPECT_EQ(a[0]["outcome"], "failure");
  EXPECT_EQ(a[1]["password"], "b");
  EXPECT_EQ(a[1]["reply"], "-WRONGPASS y");
  EXPECT_EQ(a[2]["password"], "c");
  EXPECT_EQ(a[2]["outcome"], "success");
}

TEST(RedisAnalyzer, UnansweredGapsAndStreams) {
  // No reply before the end: unknown.
  auto a = auth_of(feed(kRedisAnalyzer, {{Dir::kOrig, cmd({"AUTH", "pw"})}}));
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0]["outcome"], "unknown");
  // A gap: pairing is lost; the waiting attempt is unknown and later replies are not believed.
  a = auth_of(feed(kRedisAnalyzer, {{Dir::kOrig, cmd({"AUTH", "pw"})}, {Dir::kResp, "xxxx", true}, {Dir::kResp, "+OK\r\n"}}));
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0]["outcome"], "unknown");
  // After SUBSCRIBE the server streams messages: nothing after it is paired.
  a = auth_of(feed(kRedisAnalyzer, {{Dir::kOrig, cmd({"SUBSCRIBE", "ch"}) + cmd({"AUTH", "x"})},
                                    {Dir::kResp, "*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n+OK\r\n"}}));
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0]["outcome"], "unknown");
  // AUTH with the wrong number of arguments is no attempt.
  EXPECT_TRUE(auth_of(feed(kRedisAnalyzer, {{Dir::kOrig, cmd({"AUTH"})}, {Dir::kResp, "-ERR wrong number\r\n"}})).empty());
}

TEST(RedisAnalyzer, HostileInput) {
  for (const std::string& s : {std::string("*99999999999\r\n"), std::string("*2\r\n$-5\r\n"), std::string(40, '*') + "\r\n",
                               std::string("*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n"),
                               std::string("$100000000\r\nab"), std::string("\x00\xff\r\n", 4)}) {
    auto a = auth_of(feed(kRedisAnalyzer, {{Dir::kOrig, s + cmd({"AUTH", "p"})}, {Dir::kResp, "+OK\r\n+OK\r\n"}}, 1));
    for (const auto& x : a) EXPECT_NE(x["outcome"], "failure");  // never paired with the wrong reply
  }
}

TEST(RespReader, NestedValuesAndCaps) {
  RespReader r;
  std::string in = "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$2000\r\n" + std::string(2000, 'v') + "\r\n" +
                   "%2\r\n+a\r\n*2\r\n:1\r\n:2\r\n+b\r\n_\r\n" + "!5\r\nERR x\r\n" + "*-1\r\n";
  r.push(bytes_of(in));
  RespValue v;
  ASSERT_TRUE(r.next(v));
  EXPECT_EQ(v.type, '*');
  EXPECT_EQ(v.count, 3u);
  ASSERT_EQ(v.kept, 3u);
  EXPECT_EQ(v.item(1), "key");
  EXPECT_EQ(v.item(2).size(), RespReader::kMaxItem);
  ASSERT_TRUE(r.next(v));
  EXPECT_EQ(v.type, '%');
  EXPECT_EQ(v.count, 2u);
  ASSERT_TRUE(r.next(v));
  EXPECT_EQ(v.type, '!');
  EXPECT_EQ(v.item(0), "ERR x");
  ASSERT_TRUE(r.next(v));
  EXPECT_EQ(v.count, 0u);
  EXPECT_FALSE(r.next(v));
  EXPECT_FALSE(r.broken());
}

TEST(RedisProbe, CommandsAndReplies) {
  EXPECT_EQ(probe(bytes_of(cmd({"AUTH", "x"})), Dir::kOrig), Match::kYes);
  EXPECT_EQ(probe(bytes_of(cmd({"FOO.BAR", "x"})), Dir::kOrig), Match::kMaybe);
  EXPECT_EQ(probe(bytes_of("AUTH secret\r\n"), Dir::kOrig), Match::kMaybe);
  EXPECT_EQ(probe(bytes_of("-NOAUTH Authentication required.\r\n"), Dir::kResp), Match::kYes);
  EXPECT_EQ(probe(bytes_of("+OK POP3 ready\r\n"), Dir::kResp), Match::kNo);
  EXPECT_EQ(probe(bytes_of("* OK IMAP4rev1 ready\r\n"), Dir::kOrig), Match::kNo);
  EXPECT_EQ(probe(bytes_of("GET / HTTP/1.1\r\n"), Dir::kOrig), Match::kNo);
}

// The Redis logins of fixtures/db-logins.pcap, against tshark's RESP dissector.
TEST(RedisCapture, MatchesTshark) {
  if (!have_tool("tshark")) GTEST_SKIP() << "tshark missing";
  std::string pcap = fixtures_dir() + "/db-logins.pcap";
  auto streams = testing::streams_to_port(pcap, 6379);
  ASSERT_EQ(streams.size(), 2u);
  auto unhex = [](const std::string& h) {
    std::string s;
    for (size_t i = 0; i + 1 < h.size(); i += 2) s.push_back(char(std::stoi(h.substr(i, 2), nullptr, 16)));
    return s;
  };
  for (const auto& s : streams) {
    SCOPED_TRACE(s.node0);
    // The first request's arguments, and whether the first reply was an error.
    std::vector<std::string> args;
    std::string first_reply;
    for (const auto& row : tshark_rows(pcap, "resp && tcp.stream==" + std::to_string(s.index),
                                       {"resp.bulk_string.value", "resp.string", "resp.error"})) {
      if (args.empty() && !row[0].empty()) {
        for (size_t pos = 0; pos <= row[0].size();) {
          size_t comma = row[0].find(',', pos);
          args.push_back(unhex(row[0].substr(pos, comma - pos)));
          if (comma == std::string::npos) break;
          pos = comma + 1;
        }
      } else if (first_reply.empty() && (!row[1].empty() || !row[2].empty())) {
        first_reply = row[1].empty() ? '-' + row[2] : '+' + row[1];
      }
    }
    ASSERT_GE(args.size(), 2u);
    ASSERT_EQ(args[0], "AUTH");
    auto a = auth_of(feed(kRedisAnalyzer, testing::chunks_of(s), 1));
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0]["user"], args.size() == 3 ? args[1] : "");
    EXPECT_EQ(a[0]["password"], args.back());
    EXPECT_EQ(a[0]["reply"], first_reply);
    EXPECT_EQ(a[0]["outcome"], first_reply[0] == '+' ? "success" : "failure");
  }
}

}  // namespace
}  // namespace trawl::proto::redis
