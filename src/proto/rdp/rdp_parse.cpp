#include "proto/rdp/rdp_parse.h"

namespace trawl::proto::rdp {

namespace {
uint16_t le16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | p[1] << 8); }
uint32_t le32(const uint8_t* p) { return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24; }

// The X.224 variable part of a CR/CC: after LI, code, dst-ref, src-ref, class (7 bytes), up to LI + 1.
std::span<const uint8_t> variable_part(std::span<const uint8_t> x224, uint8_t code) {
  if (x224.size() < 7 || (x224[1] & 0xf0) != code) return {};
  size_t end = std::min<size_t>(x224.size(), size_t{x224[0]} + 1);
  if (end < 7) return {};
  return x224.subspan(7, end - 7);
}
}  // namespace

ParseStatus parse_tpkt_length(std::span<const uint8_t> b, uint16_t& length) {
  if (b.size() < 4) return ParseStatus::kNeedMore;
  if (b[0] != 3 || b[1] != 0) return ParseStatus::kMalformed;
  length = static_cast<uint16_t>(b[2] << 8 | b[3]);
  if (length < 7) return ParseStatus::kMalformed;  // header plus the smallest X.224 TPDU
  return ParseStatus::kComplete;
}

ParseStatus parse_connection_request(std::span<const uint8_t> x224, ConnectionRequest& out) {
  if (x224.size() < 7 || (x224[1] & 0xf0) != 0xe0 || size_t{x224[0]} + 1 > x224.size() || x224[0] < 6)
    return ParseStatus::kMalformed;
  auto v = variable_part(x224, 0xe0);
  std::string_view text(reinterpret_cast<const char*>(v.data()), v.size());
  size_t pos = 0;
  if (text.substr(0, 7) == "Cookie:") {
    size_t crlf = text.find("\r\n");
    if (crlf == std::string_view::npos) return ParseStatus::kMalformed;
    out.cookie = text.substr(0, crlf);
    constexpr std::string_view kHash = "Cookie: mstshash=";
    if (out.cookie.substr(0, kHash.size()) == kHash) out.user = out.cookie.substr(kHash.size());
    pos = crlf + 2;
  }
  if (v.size() - pos >= 8 && v[pos] == 0x01) {
    out.has_neg_req = true;
    out.neg_flags = v[pos + 1];
    out.requested_protocols = le32(v.data() + pos + 4);
  }
  return ParseStatus::kComplete;
}

ParseStatus parse_connection_confirm(std::span<const uint8_t> x224, ConnectionConfirm& out) {
  if (x224.size() < 7 || (x224[1] & 0xf0) != 0xd0 || size_t{x224[0]} + 1 > x224.size() || x224[0] < 6)
    return ParseStatus::kMalformed;
  auto v = variable_part(x224, 0xd0);
  if (v.size() >= 8 && v[0] == 0x02) {
    out.has_neg_rsp = true;
    out.selected_protocol = le32(v.data() + 4);
  } else if (v.size() >= 8 && v[0] == 0x03) {
    out.has_failure = true;
    out.failure_code = le32(v.data() + 4);
  }
  return ParseStatus::kComplete;
}

std::optional<ClientCore> find_client_core(std::span<const uint8_t> b) {
  constexpr size_t kMin = 56;  // header, version, sizes, color, SAS, layout, build, name
  for (size_t i = 0; i + kMin <= b.size(); ++i) {
    if (b[i] != 0x01 || b[i + 1] != 0xc0) continue;
    uint16_t len = le16(b.data() + i + 2);
    if (len < kMin || len > b.size() - i || le16(b.data() + i + 6) != 0x0008) continue;
    const uint8_t* p = b.data() + i;
    ClientCore c;
    c.desktop_width = le16(p + 8);
    c.desktop_height = le16(p + 10);
    c.keyboard_layout = le32(p + 16);
    c.client_build = le32(p + 20);
    for (size_t k = 0; k < 16; ++k) {
      uint16_t ch = le16(p + 24 + 2 * k);
      if (ch == 0) break;
      c.client_name.push_back(ch < 0x80 && ch >= 0x20 ? static_cast<char>(ch) : '?');
    }
    return c;
  }
  return std::nullopt;
}

std::optional<ServerSecurity> find_server_security(std::span<const uint8_t> b) {
  for (size_t i = 0; i + 12 <= b.size(); ++i) {
    if (b[i] != 0x02 || b[i + 1] != 0x0c) continue;
    uint16_t len = le16(b.data() + i + 2);
    if (len < 12 || len > b.size() - i) continue;
    uint32_t method = le32(b.data() + i + 4), level = le32(b.data() + i + 8);
    if (level > 4 || (method & ~uint32_t{0x1b}) != 0) continue;  // not a plausible SC_SECURITY
    return ServerSecurity{method, level};
  }
  return std::nullopt;
}

std::string_view protocol_name(uint32_t p) {
  switch (p) {
    case 0: return "RDP";
    case 1: return "TLS";
    case 2: return "CredSSP";
    case 4: return "RDSTLS";
    case 8: return "CredSSP-EX";
    case 0x10: return "RDSAAD";
    default: return "unknown";
  }
}

std::string_view failure_name(uint32_t c) {
  switch (c) {
    case 1: return "SSL_REQUIRED_BY_SERVER";
    case 2: return "SSL_NOT_ALLOWED_BY_SERVER";
    case 3: return "SSL_CERT_NOT_ON_SERVER";
    case 4: return "INCONSISTENT_FLAGS";
    case 5: return "HYBRID_REQUIRED_BY_SERVER";
    case 6: return "SSL_WITH_USER_AUTH_REQUIRED_BY_SERVER";
    default: return "unknown";
  }
}

std::string_view encryption_method_name(uint32_t m) {
  switch (m) {
    case 0: return "None";
    case 1: return "40bit";
    case 2: return "128bit";
    case 8: return "56bit";
    case 0x10: return "FIPS";
    default: return "unknown";
  }
}

std::string_view encryption_level_name(uint32_t l) {
  switch (l) {
    case 0: return "None";
    case 1: return "Low";
    case 2: return "Client compatible";
    case 3: return "High";
    case 4: return "FIPS";
    default: return "unknown";
  }
}

}  // namespace trawl::proto::rdp
