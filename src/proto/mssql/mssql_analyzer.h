// MSSQL analyzer: the TDS login of each connection, one AuthRecord per login (app "mssql"). SQL Server
// authentication sends user and (obfuscated, so here cleartext) password in LOGIN7: method "password";
// Windows authentication carries NTLMSSP in SSPI messages: the NTLM user and method ("NTLMv2"...).
// LOGINACK is a success, an ERROR token (18456 "Login failed") a failure. When PRELOGIN negotiated
// encryption, LOGIN7 travels inside TLS (method "tls", no user): with login-only encryption the answer
// is cleartext and still read, with full encryption the outcome stays unknown. Parsing stops once the
// login is settled.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "proto/auth/auth_record.h"
#include "proto/registry.h"

namespace trawl::proto::mssql {

extern const AnalyzerInfo kMssqlAnalyzer;

// Client: a whole PRELOGIN packet whose options parse, with VERSION: yes; LOGIN7 naming TDS 7.x: maybe.
// Server: a tabular result holding PRELOGIN options with VERSION: maybe.
Match probe(std::span<const uint8_t> first_bytes, Dir dir);

class MssqlAnalyzer final : public StreamAnalyzer {
 public:
  static constexpr size_t kMaxMessage = 64 * 1024;  // login-phase messages and TLS records are smaller

  explicit MssqlAnalyzer(const AnalyzerContext& ctx);
  void on_data(Dir dir, std::span<const uint8_t> data, const PacketRef& at) override;
  void on_gap(Dir dir, uint64_t bytes, const PacketRef& at) override;
  void on_end(const PacketRef& at) override;

 private:
  struct Side {
    std::string buf;      // an unfinished packet or TLS record
    std::string message;  // payloads of the message under way
  };

  void message(Dir dir, uint8_t type, std::span<const uint8_t> payload, const PacketRef& at);
  void tls_record(Dir dir, const PacketRef& at);
  void finish(AuthOutcome outcome, std::string_view reply, const PacketRef& at);

  AnalyzerContext ctx_;
  Side sides_[2];
  bool prelogin_sent_ = false, prelogin_answered_ = false;
  bool tls_handshake_ = false;  // TLS inside PRELOGIN packets
  bool attempt_ = false, done_ = false;
  std::string user_, password_, method_;
  bool password_seen_ = false;
  PacketRef attempt_at_;
};

}  // namespace trawl::proto::mssql
