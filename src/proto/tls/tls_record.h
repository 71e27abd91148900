// TlsRecord (tls.jsonl): one TLS session per connection: what the client offered (versions, SNI, ALPN,
// ciphers, extensions, JA3, JA4), what the server chose (version, cipher, JA3S), the server certificate
// when it travels in clear (TLS <= 1.2), alerts, whether the handshake completed, and the application
// data bytes each way after it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "proto/record.h"
#include "proto/tls/tls_parser.h"

namespace trawl::proto::tls {

struct TlsAlert {
  uint8_t dir = 0;             // 0 client, 1 server
  bool encrypted = false;      // sent after the sender's ChangeCipherSpec: level and description unknown
  uint8_t level = 0, description = 0;
};

struct TlsRecord final : Record {
  RecordOrigin origin;  // the packet that carried the end of the ClientHello (else the first TLS record)

  bool client_hello_seen = false;
  ClientHello ch;
  std::string ja3, ja3_md5, ja4;

  bool server_hello_seen = false;
  ServerHello sh;
  std::string ja3s, ja3s_md5;
  bool resumed = false;

  uint32_t cert_count = 0;
  bool cert_seen = false;
  CertificateInfo cert;

  std::vector<TlsAlert> alerts;           // at most kMaxAlerts
  std::vector<uint8_t> handshake_types;   // plaintext handshake messages in arrival order, at most kMaxTypes
  bool established = false;
  uint64_t orig_app_bytes = 0, resp_app_bytes = 0;
  std::string anomaly;                    // first problem met

  static constexpr size_t kMaxAlerts = 16;
  static constexpr size_t kMaxTypes = 32;

  static const RecordType kType;
  const RecordType& type() const override { return kType; }
  void write(output::TableWriter& w, const WriteOptions& options) const override;
};

std::string_view alert_name(uint8_t description);  // "close_notify", "handshake_failure", ...; "" unknown

}  // namespace trawl::proto::tls
