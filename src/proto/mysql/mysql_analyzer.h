// MySQL/MariaDB analyzer: the connection phase of each connection, one AuthRecord per login (app
// "mysql"). The password travels scrambled (mysql_native_password, caching_sha2_password, ed25519...),
// so only the user, the auth plugin and the outcome are known, except with mysql_clear_password and the
// PAM "dialog" plugin, whose answers are cleartext. An SSLRequest makes the rest TLS: the attempt is
// recorded with method "tls" and outcome unknown, and the session hands the stream to the TLS analyzer.
// Parsing stops once the login is settled (COM_CHANGE_USER later in a session is not followed).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "proto/auth/auth_record.h"
#include "proto/registry.h"

namespace trawl::proto::mysql {

extern const AnalyzerInfo kMysqlAnalyzer;

// Server: a whole HandshakeV10 greeting (sequence 0, protocol 10, a version starting with a digit):
// yes; an ERR as the first packet: maybe. Client: a HandshakeResponse41 or SSLRequest (sequence 1): maybe.
Match probe(std::span<const uint8_t> first_bytes, Dir dir);

class MysqlAnalyzer final : public StreamAnalyzer {
 public:
  static constexpr size_t kMaxPacket = 64 * 1024;  // connection-phase packets are small; bigger: not ours

  explicit MysqlAnalyzer(const AnalyzerContext& ctx);
  void on_data(Dir dir, std::span<const uint8_t> data, const PacketRef& at) override;
  void on_gap(Dir dir, uint64_t bytes, const PacketRef& at) override;
  void on_end(const PacketRef& at) override;
  bool upgraded_to_tls() const override { return tls_; }

 private:
  enum class Phase : uint8_t { kGreeting, kResponse, kAuth, kDone };

  void server_packet(std::span<const uint8_t> payload, const PacketRef& at);
  void client_packet(std::span<const uint8_t> payload, const PacketRef& at);
  void finish(AuthOutcome outcome, std::string_view reply, const PacketRef& at);

  AnalyzerContext ctx_;
  std::string buf_[2];  // an unfinished packet per direction (at most kMaxPacket + header)
  Phase phase_ = Phase::kGreeting;
  std::string user_, method_, password_;
  bool password_seen_ = false;
  bool dialog_password_ = false;  // the last "dialog" prompt asked for a password (echo off)
  bool tls_ = false;
  PacketRef attempt_at_;
};

}  // namespace trawl::proto::mysql
