// MySQL/MariaDB client/server protocol, connection phase only: pure functions over byte spans.
// Packets are a 3-byte little-endian payload length and a sequence id, then the payload. The server
// greets (HandshakeV10), the client answers (HandshakeResponse41, or a 32-byte SSLRequest after which
// the rest is TLS), then the server ends the login with OK (0x00) or ERR (0xff), possibly after an
// AuthSwitchRequest (0xfe) or AuthMoreData (0x01) round trip.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace trawl::proto::mysql {

enum class ParseStatus : uint8_t { kComplete, kNeedMore, kMalformed };

// Capability flags the connection phase depends on.
inline constexpr uint32_t kClientConnectWithDb = 0x00000008;
inline constexpr uint32_t kClientProtocol41 = 0x00000200;
inline constexpr uint32_t kClientSsl = 0x00000800;
inline constexpr uint32_t kClientSecureConnection = 0x00008000;
inline constexpr uint32_t kClientPluginAuth = 0x00080000;
inline constexpr uint32_t kClientPluginAuthLenencData = 0x00200000;

inline constexpr size_t kHeaderLen = 4;
struct PacketHeader {
  uint32_t length = 0;  // of the payload
  uint8_t seq = 0;
};
ParseStatus parse_header(std::span<const uint8_t> b, PacketHeader& h);

// HandshakeV10 (protocol 10), the server's first packet.
struct Greeting {
  std::string_view server_version;
  uint32_t capabilities = 0;
  std::string_view auth_plugin;  // empty when the server does not name one
};
ParseStatus parse_greeting(std::span<const uint8_t> payload, Greeting& out);

// HandshakeResponse41 or HandshakeResponse320, or the SSLRequest that precedes TLS.
struct HandshakeResponse {
  uint32_t capabilities = 0;
  bool ssl_request = false;      // only the fixed part with CLIENT_SSL: TLS follows
  std::string_view user, database, auth_plugin;
  std::span<const uint8_t> auth_response;
};
ParseStatus parse_handshake_response(std::span<const uint8_t> payload, HandshakeResponse& out);

// ERR packet (0xff): error code, SQLSTATE (protocol 41) and message.
struct ErrPacket {
  uint16_t code = 0;
  std::string_view sql_state, message;
};
ParseStatus parse_err(std::span<const uint8_t> payload, ErrPacket& out);

// AuthSwitchRequest (0xfe): the plugin the server wants next (a bare 0xfe is the old-password request).
ParseStatus parse_auth_switch(std::span<const uint8_t> payload, std::string_view& plugin);

}  // namespace trawl::proto::mysql
