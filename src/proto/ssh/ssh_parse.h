// SSH wire parsing (RFC 4253): the identification line and the binary packets of the key exchange, as
// pure functions over byte spans. Only the unencrypted part of a connection can be parsed; after NEWKEYS
// the analyzer only counts sizes.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace trawl::proto::ssh {

enum class ParseStatus : uint8_t { kComplete, kNeedMore, kMalformed };

inline constexpr uint32_t kMaxPacket = 256 * 1024;  // OpenSSH's limit; RFC 4253 requires 35000 at least

// The fixed start of a binary packet: uint32 packet_length, byte padding_length, byte message type.
struct PacketHeader {
  uint32_t packet_length = 0;
  uint8_t padding_length = 0;
  uint8_t msg_type = 0;
};
// Needs 6 bytes; malformed when the lengths cannot be an SSH packet.
ParseStatus parse_packet_header(std::span<const uint8_t> b, PacketHeader& out);

// SSH_MSG_KEXINIT's ten name-lists (views into the payload).
struct KexInit {
  enum List : uint8_t {
    kKex, kHostKey, kEncC2S, kEncS2C, kMacC2S, kMacS2C, kCompC2S, kCompS2C, kLangC2S, kLangS2C, kCount
  };
  std::array<std::string_view, kCount> lists;
  bool first_kex_follows = false;
};
// `payload` starts after the message type byte (at the 16-byte cookie). Malformed when a list runs past
// the end.
ParseStatus parse_kexinit(std::string_view payload, KexInit& out);

// HASSH (Salesforce): MD5 of "kex;enc;mac;comp" with the client-to-server lists for the client's KEXINIT,
// the server-to-client lists for the server's (HASSHServer). `algorithms` receives the hashed string.
std::string hassh(const KexInit& k, bool server, std::string* algorithms = nullptr);

// The algorithm both sides use: the first on the client's list that the server also offers (RFC 4253 7.1).
std::string_view negotiate(std::string_view client_list, std::string_view server_list);

}  // namespace trawl::proto::ssh
