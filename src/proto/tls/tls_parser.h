// TLS wire parser: pure functions over handshake message bodies (ClientHello, ServerHello, Certificate),
// the JA3/JA3S/JA4 fingerprints computed from them, and a minimal bounds-checked DER walker for the
// server certificate's subject, issuer and validity. Nothing here trusts a length field.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace trawl::proto::tls {

// RFC 8701 GREASE values (0x0a0a, 0x1a1a, ... 0xfafa): left out of every fingerprint.
inline bool is_grease(uint16_t v) { return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff); }

// "SSLv3", "TLSv10", "TLSv11", "TLSv12", "TLSv13", "DTLSv10", "DTLSv12", "DTLSv13"; else "0x%04x".
std::string version_name(uint16_t v);

enum class ParseResult : uint8_t { kOk, kMalformed };

struct ClientHello {
  uint16_t legacy_version = 0;
  std::vector<uint8_t> session_id;
  std::vector<uint16_t> ciphers;           // as offered, GREASE included
  std::vector<uint16_t> extensions;        // as offered, GREASE included
  std::string server_name;                 // first host_name of the SNI extension
  bool has_sni = false;
  std::vector<std::string> alpn;           // protocol names as offered
  std::vector<uint16_t> supported_versions;
  std::vector<uint16_t> groups;            // supported_groups (elliptic curves)
  std::vector<uint8_t> point_formats;
  std::vector<uint16_t> signature_algorithms;
};
// `body` is the handshake message body (after the 4-byte handshake header). Extensions that are
// malformed are skipped; the hello is malformed only when its fixed part or extension framing is.
ParseResult parse_client_hello(std::span<const uint8_t> body, ClientHello& out);

struct ServerHello {
  uint16_t legacy_version = 0;
  uint16_t selected_version = 0;           // supported_versions extension (TLS 1.3), 0 when absent
  uint16_t cipher = 0;
  std::vector<uint8_t> session_id;
  std::vector<uint16_t> extensions;
  std::string alpn;                        // the protocol the server selected
  bool hello_retry_request = false;        // RFC 8446 4.1.3: the special random value
  uint16_t version() const { return selected_version ? selected_version : legacy_version; }
};
ParseResult parse_server_hello(std::span<const uint8_t> body, ServerHello& out);

// JA3 (Salesforce): "version,ciphers,extensions,groups,point_formats", decimal, '-' joined, no GREASE.
std::string ja3_string(const ClientHello& ch);
// JA3S: "version,cipher,extensions".
std::string ja3s_string(const ServerHello& sh);
std::string md5_hex(std::string_view s);
// JA4 (FoxIO, technical_details/JA4.md), TLS over TCP: e.g. t13d1516h2_8daaf6152771_e5627efa2ab1.
std::string ja4(const ClientHello& ch);
// The parts of JA4 that are hashes, exposed for tests: sha256 of the text, first 12 hex digits.
std::string ja4_hash12(std::string_view text);

struct CertificateInfo {
  std::string subject_cn, issuer_cn;
  std::optional<int64_t> not_before_ns, not_after_ns;  // epoch nanoseconds
  bool self_signed = false;                            // subject Name == issuer Name, byte for byte
};
// One DER X.509 certificate; false when its structure up to the subject cannot be walked.
bool parse_certificate(std::span<const uint8_t> der, CertificateInfo& out);

// The Certificate handshake message (TLS <= 1.2): the first certificate and how many there are.
// Returns false when the list framing is broken.
bool parse_certificate_list(std::span<const uint8_t> body, CertificateInfo& first, uint32_t& count);

}  // namespace trawl::proto::tls
