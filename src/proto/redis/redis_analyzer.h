// Redis analyzer: pairs commands with replies (RESP2/RESP3, pipelining included) and records every AUTH
// (AUTH password, AUTH user password) and HELLO ... AUTH user password as an AuthRecord (app "redis"; the
// password is cleartext). +OK (or HELLO's map) is a success, an error reply (-WRONGPASS, -ERR ...) a
// failure. AUTH may come at any point, so the whole connection is read; pairing stops at SUBSCRIBE,
// MONITOR and replication (their replies are streams) and at a gap (pending attempts become unknown).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "proto/auth/auth_record.h"
#include "proto/redis/resp_reader.h"
#include "proto/registry.h"

namespace trawl::proto::redis {

extern const AnalyzerInfo kRedisAnalyzer;

// Client: a RESP array of bulk strings naming a Redis command: yes (another name: maybe); an inline
// AUTH/PING/INFO/HELLO: maybe. Server: +PONG, -NOAUTH, -WRONGPASS, -DENIED: yes.
Match probe(std::span<const uint8_t> first_bytes, Dir dir);

class RedisAnalyzer final : public StreamAnalyzer {
 public:
  static constexpr size_t kMaxPending = 1024;  // pipelined commands awaiting replies

  explicit RedisAnalyzer(const AnalyzerContext& ctx);
  void on_data(Dir dir, std::span<const uint8_t> data, const PacketRef& at) override;
  void on_gap(Dir dir, uint64_t bytes, const PacketRef& at) override;
  void on_end(const PacketRef& at) override;

 private:
  enum class Cmd : uint8_t { kOther, kAuth, kHello, kStop };
  struct Pending {
    Cmd cmd = Cmd::kOther;
    std::string user, password;  // kAuth, kHello only
    PacketRef at;
  };

  void command(const RespValue& v, const PacketRef& at);
  void reply(const RespValue& v, const PacketRef& at);
  void emit(const Pending& p, AuthOutcome outcome, std::string_view reply, const PacketRef& at);
  void stop(const PacketRef& at);  // pending attempts become unknown; nothing more is read

  AnalyzerContext ctx_;
  RespReader readers_[2];
  RespValue value_;
  std::vector<Pending> pending_;
  size_t pending_head_ = 0;
  bool done_ = false;
};

}  // namespace trawl::proto::redis
