// RDP connection-sequence parsing ([MS-RDPBCGR] 2.2.1.1-2.2.1.4, TPKT RFC 1006, X.224 ISO 8073): pure
// functions over byte spans. Only the cleartext start of a connection is parsed.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace trawl::proto::rdp {

enum class ParseStatus : uint8_t { kComplete, kNeedMore, kMalformed };

// TPKT header: version 3, reserved, 16-bit big-endian length including the header.
ParseStatus parse_tpkt_length(std::span<const uint8_t> b, uint16_t& length);

// X.224 Connection Request (client) with the routing token or cookie and RDP_NEG_REQ.
struct ConnectionRequest {
  std::string_view cookie;       // the whole "Cookie: mstshash=..." line without CR LF (or a routing token)
  std::string_view user;         // the mstshash value
  bool has_neg_req = false;
  uint8_t neg_flags = 0;
  uint32_t requested_protocols = 0;
};
// `x224` is the TPKT payload. Malformed when it is not a CR or its lengths do not fit.
ParseStatus parse_connection_request(std::span<const uint8_t> x224, ConnectionRequest& out);

// X.224 Connection Confirm (server) with RDP_NEG_RSP or RDP_NEG_FAILURE.
struct ConnectionConfirm {
  bool has_neg_rsp = false;
  uint32_t selected_protocol = 0;
  bool has_failure = false;
  uint32_t failure_code = 0;
};
ParseStatus parse_connection_confirm(std::span<const uint8_t> x224, ConnectionConfirm& out);

// TS_UD_CS_CORE inside the client's MCS Connect Initial, found by its header (type 0xC001, version 8.x).
struct ClientCore {
  uint16_t desktop_width = 0, desktop_height = 0;
  uint32_t keyboard_layout = 0, client_build = 0;
  std::string client_name;  // UTF-16LE in the PDU; non-ASCII characters become '?'
};
std::optional<ClientCore> find_client_core(std::span<const uint8_t> pdu);

// TS_UD_SC_SEC1 inside the server's MCS Connect Response (type 0x0C02).
struct ServerSecurity {
  uint32_t encryption_method = 0, encryption_level = 0;
};
std::optional<ServerSecurity> find_server_security(std::span<const uint8_t> pdu);

// Names for the log: protocol flags ("TLS", "CredSSP", ...), failure codes, encryption method and level.
std::string_view protocol_name(uint32_t selected);
std::string_view failure_name(uint32_t code);
std::string_view encryption_method_name(uint32_t m);
std::string_view encryption_level_name(uint32_t l);

}  // namespace trawl::proto::rdp
