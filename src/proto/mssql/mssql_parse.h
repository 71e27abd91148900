// Microsoft SQL Server TDS 7.x ([MS-TDS]), login only: pure functions over byte spans. Every TDS packet
// has an 8-byte header (type, status with end-of-message bit 0x01, big-endian length including the
// header, SPID, packet id, window); a message is the payloads up to end-of-message. The client sends
// PRELOGIN (0x12), then LOGIN7 (0x10); the server answers each with a tabular result (0x04), the login
// with LOGINACK or ERROR tokens. When PRELOGIN negotiates encryption the TLS handshake rides inside
// PRELOGIN packets and LOGIN7 then goes as bare TLS records; with login-only encryption the server's
// answer is cleartext again.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace trawl::proto::mssql {

enum class ParseStatus : uint8_t { kComplete, kNeedMore, kMalformed };

enum PacketType : uint8_t {
  kTabularResult = 0x04, kLogin7 = 0x10, kSspiMessage = 0x11, kPrelogin = 0x12,
};

inline constexpr size_t kHeaderLen = 8;
struct PacketHeader {
  uint8_t type = 0, status = 0;
  uint16_t length = 0;  // including the header
  bool end_of_message() const { return status & 0x01; }
};
// kMalformed when the length is below the header's own.
ParseStatus parse_header(std::span<const uint8_t> b, PacketHeader& h);

// A TLS record starts here (content type 20-23, version 3.x): TDS packet types never take those values.
// Sets `length` to the whole record's; kNeedMore until its 5-byte header is there.
ParseStatus parse_tls_record(std::span<const uint8_t> b, size_t& length);

// PRELOGIN options (client request or server response).
enum Encryption : uint8_t { kEncryptOff = 0, kEncryptOn = 1, kEncryptNotSup = 2, kEncryptReq = 3 };
struct Prelogin {
  bool has_version = false;
  uint8_t major = 0, minor = 0;
  uint16_t build = 0;
  bool has_encryption = false;
  uint8_t encryption = kEncryptNotSup;
};
ParseStatus parse_prelogin(std::span<const uint8_t> payload, Prelogin& out);

// LOGIN7: who logs in and with what. Strings are UTF-16LE on the wire, given here as UTF-8; the password
// is de-obfuscated (each byte XOR 0xA5, then its nibbles swapped).
struct Login7 {
  uint32_t tds_version = 0;
  bool integrated = false;  // fIntSecurity: Windows authentication (SSPI), no user or password here
  std::string host, user, password, app, server, database;
  std::span<const uint8_t> sspi;  // the first SSPI token (NTLMSSP or SPNEGO)
};
ParseStatus parse_login7(std::span<const uint8_t> payload, Login7& out);

// The obfuscation LOGIN7 applies to passwords, both ways (for building test input, and the reverse).
uint8_t obfuscate_password_byte(uint8_t b);
uint8_t deobfuscate_password_byte(uint8_t b);

// The server's answer to LOGIN7, from its token stream: LOGINACK, the first ERROR, an SSPI challenge.
struct LoginResponse {
  bool login_ack = false;
  std::string program;  // LOGINACK ProgName, e.g. "Microsoft SQL Server"
  uint8_t version[4] = {};  // LOGINACK ProgVersion: major, minor, build high, build low
  bool error = false;
  uint32_t error_number = 0;
  uint8_t error_state = 0, error_class = 0;
  std::string error_message;
  bool sspi = false;  // an SSPI token: integrated authentication goes on
};
// Walks the tokens until DONE or one it cannot size; what was read before stays.
void scan_login_response(std::span<const uint8_t> payload, LoginResponse& out);

}  // namespace trawl::proto::mssql
