#include "proto/mysql/mysql_parse.h"

#include <algorithm>

#include "proto/analyzer.h"
#include "util/bytes.h"

namespace trawl::proto::mysql {

namespace {
// A NUL-terminated string from `pos`; with `to_end`, a missing NUL ends the string at the payload's end
// (clients leave it off the last field).
bool cstring(std::span<const uint8_t> b, size_t& pos, std::string_view& out, bool to_end = false) {
  if (pos > b.size()) return false;
  auto it = std::find(b.begin() + std::ptrdiff_t(pos), b.end(), uint8_t{0});
  if (it == b.end() && !to_end) return false;
  size_t end = size_t(it - b.begin());
  out = as_view(b.subspan(pos, end - pos));
  pos = std::min(end + 1, b.size());
  return true;
}

// A length-encoded integer.
bool lenenc(std::span<const uint8_t> b, size_t& pos, uint64_t& v) {
  if (pos >= b.size()) return false;
  uint8_t f = b[pos++];
  size_t n = f < 0xfb ? 0 : f == 0xfc ? 2 : f == 0xfd ? 3 : f == 0xfe ? 8 : SIZE_MAX;
  if (n == SIZE_MAX || b.size() - pos < n) return false;
  v = n == 0 ? f : 0;
  for (size_t i = 0; i < n; ++i) v |= uint64_t(b[pos + i]) << (8 * i);
  pos += n;
  return true;
}
}  // namespace

ParseStatus parse_header(std::span<const uint8_t> b, PacketHeader& h) {
  if (b.size() < kHeaderLen) return ParseStatus::kNeedMore;
  h.length = uint32_t(b[0]) | uint32_t(b[1]) << 8 | uint32_t(b[2]) << 16;
  h.seq = b[3];
  return ParseStatus::kComplete;
}

ParseStatus parse_greeting(std::span<const uint8_t> p, Greeting& out) {
  out = {};
  if (p.empty() || p[0] != 10) return ParseStatus::kMalformed;
  size_t pos = 1;
  if (!cstring(p, pos, out.server_version)) return ParseStatus::kMalformed;
  // thread id (4), auth-plugin-data part 1 (8), filler (1), capabilities low (2)
  if (p.size() < pos + 15) return ParseStatus::kMalformed;
  pos += 13;
  out.capabilities = load_le16(p.data() + pos);
  pos += 2;
  // character set (1), status (2), capabilities high (2), auth data length (1), reserved (10)
  if (p.size() < pos + 16) return ParseStatus::kComplete;
  out.capabilities |= uint32_t(load_le16(p.data() + pos + 3)) << 16;
  uint8_t auth_len = p[pos + 5];
  pos += 16;
  if (out.capabilities & kClientSecureConnection) pos += std::max<size_t>(13, auth_len > 8 ? auth_len - 8u : 0u);
  if ((out.capabilities & kClientPluginAuth) && pos < p.size()) cstring(p, pos, out.auth_plugin, true);
  return ParseStatus::kComplete;
}

ParseStatus parse_handshake_response(std::span<const uint8_t> p, HandshakeResponse& out) {
  out = {};
  if (p.size() < 4) return ParseStatus::kMalformed;
  uint32_t caps = load_le16(p.data());
  size_t pos = 0;
  if (caps & kClientProtocol41) {
    // capabilities (4), max packet size (4), character set (1), filler (23: MariaDB keeps its own
    // capabilities in the last 4)
    if (p.size() < 32) return ParseStatus::kMalformed;
    caps = load_le32(p.data());
    out.capabilities = caps;
    pos = 32;
    if (p.size() == 32) {
      out.ssl_request = (caps & kClientSsl) != 0;
      return out.ssl_request ? ParseStatus::kComplete : ParseStatus::kMalformed;
    }
    if (!cstring(p, pos, out.user)) return ParseStatus::kMalformed;
    size_t auth_len = 0;
    if (caps & kClientPluginAuthLenencData) {
      uint64_t n = 0;
      if (!lenenc(p, pos, n) || n > p.size() - pos) return ParseStatus::kMalformed;
      auth_len = size_t(n);
    } else if (caps & kClientSecureConnection) {
      if (pos >= p.size()) return ParseStatus::kMalformed;
      auth_len = p[pos++];
      if (auth_len > p.size() - pos) return ParseStatus::kMalformed;
    } else {
      std::string_view s;
      cstring(p, pos, s, true);
      out.auth_response = {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
      auth_len = SIZE_MAX;
    }
    if (auth_len != SIZE_MAX) {
      out.auth_response = p.subspan(pos, auth_len);
      pos += auth_len;
    }
    if ((caps & kClientConnectWithDb) && pos < p.size()) cstring(p, pos, out.database, true);
    if ((caps & kClientPluginAuth) && pos < p.size()) cstring(p, pos, out.auth_plugin, true);
    return ParseStatus::kComplete;
  }
  // HandshakeResponse320: capabilities (2), max packet size (3), user, auth response[, database].
  out.capabilities = caps;
  if (p.size() < 5) return ParseStatus::kMalformed;
  pos = 5;
  if (p.size() == 5) {
    out.ssl_request = (caps & kClientSsl) != 0;
    return out.ssl_request ? ParseStatus::kComplete : ParseStatus::kMalformed;
  }
  if (!cstring(p, pos, out.user, true)) return ParseStatus::kMalformed;
  std::string_view s;
  if (pos < p.size()) cstring(p, pos, s, true);
  out.auth_response = {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
  if ((caps & kClientConnectWithDb) && pos < p.size()) cstring(p, pos, out.database, true);
  return ParseStatus::kComplete;
}

ParseStatus parse_err(std::span<const uint8_t> p, ErrPacket& out) {
  out = {};
  if (p.size() < 3 || p[0] != 0xff) return ParseStatus::kMalformed;
  out.code = load_le16(p.data() + 1);
  size_t pos = 3;
  if (p.size() >= 9 && p[3] == '#') {
    out.sql_state = as_view(p.subspan(4, 5));
    pos = 9;
  }
  out.message = as_view(p.subspan(pos));
  return ParseStatus::kComplete;
}

ParseStatus parse_auth_switch(std::span<const uint8_t> p, std::string_view& plugin) {
  plugin = {};
  if (p.empty() || p[0] != 0xfe) return ParseStatus::kMalformed;
  if (p.size() == 1) {
    plugin = "mysql_old_password";
    return ParseStatus::kComplete;
  }
  size_t pos = 1;
  cstring(p, pos, plugin, true);
  return ParseStatus::kComplete;
}

}  // namespace trawl::proto::mysql
