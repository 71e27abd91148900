// PostgreSQL analyzer: the startup and authentication of each connection, one AuthRecord per login (app
// "postgresql"). The method is what the server asked for: "password" (cleartext: the password is
// recorded), "md5", the SASL mechanism the client chose ("SCRAM-SHA-256"), "gss", "sspi", or "trust" when
// the server accepted without asking. AuthenticationOk then ReadyForQuery is a success; an ErrorResponse
// (28P01 and the like, or one after AuthenticationOk such as a missing database) is a failure. An
// SSLRequest answered 'S' makes the rest TLS (method "tls", outcome unknown; the session hands the stream
// to the TLS analyzer); 'N' lets the cleartext startup follow. Parsing stops once the login is settled.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "proto/auth/auth_record.h"
#include "proto/registry.h"

namespace trawl::proto::postgres {

extern const AnalyzerInfo kPostgresAnalyzer;

// Client: SSLRequest, GSSENCRequest, CancelRequest or a protocol 3.0 StartupMessage with a user: yes.
// Server: an authentication request ('R' with a known code and its exact length): maybe.
Match probe(std::span<const uint8_t> first_bytes, Dir dir);

class PostgresAnalyzer final : public StreamAnalyzer {
 public:
  static constexpr size_t kMaxMessage = 64 * 1024;  // startup-phase messages are small; bigger: not ours

  explicit PostgresAnalyzer(const AnalyzerContext& ctx);
  void on_data(Dir dir, std::span<const uint8_t> data, const PacketRef& at) override;
  void on_gap(Dir dir, uint64_t bytes, const PacketRef& at) override;
  void on_end(const PacketRef& at) override;
  bool upgraded_to_tls() const override { return tls_; }

 private:
  enum class Phase : uint8_t { kStartup, kAuth, kDone };

  // Consumes what it can of `b`; returns the bytes used.
  size_t client_bytes(std::span<const uint8_t> b, const PacketRef& at);
  size_t server_bytes(std::span<const uint8_t> b, const PacketRef& at);
  void server_message(uint8_t type, std::span<const uint8_t> body, const PacketRef& at);
  void finish(AuthOutcome outcome, std::string_view reply, const PacketRef& at);

  AnalyzerContext ctx_;
  std::string buf_[2];  // an unfinished message per direction
  Phase phase_ = Phase::kStartup;
  uint32_t awaiting_answer_ = 0;  // SSLRequest / GSSENCRequest sent: the server answers with one byte
  uint32_t auth_requested_ = 0;   // the last authentication request code
  bool authenticated_ = false;    // AuthenticationOk seen
  bool password_seen_ = false;
  bool tls_ = false;
  std::string user_, method_, password_;
  PacketRef attempt_at_, auth_ok_at_;
};

}  // namespace trawl::proto::postgres
