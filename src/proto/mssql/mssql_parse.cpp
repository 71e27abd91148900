#include "proto/mssql/mssql_parse.h"

#include <algorithm>

#include "proto/smb/ntlmssp.h"
#include "util/bytes.h"

namespace trawl::proto::mssql {

namespace {
// Token types of the login response.
enum Token : uint8_t {
  kTokenError = 0xAA, kTokenInfo = 0xAB, kTokenLoginAck = 0xAD, kTokenFeatureExtAck = 0xAE,
  kTokenEnvChange = 0xE3, kTokenSspi = 0xED, kTokenFedAuthInfo = 0xEE,
  kTokenDone = 0xFD, kTokenDoneProc = 0xFE, kTokenDoneInProc = 0xFF,
};

// UTF-16LE text of `chars` characters at `off`; false when it does not fit.
bool utf16_at(std::span<const uint8_t> b, size_t off, size_t chars, std::string& out) {
  if (off > b.size() || chars * 2 > b.size() - off) return false;
  out.clear();
  smb::append_utf16le(out, b.subspan(off, chars * 2));
  return true;
}
}  // namespace

ParseStatus parse_header(std::span<const uint8_t> b, PacketHeader& h) {
  if (b.size() < kHeaderLen) return ParseStatus::kNeedMore;
  h.type = b[0];
  h.status = b[1];
  h.length = load_be16(b.data() + 2);
  return h.length < kHeaderLen ? ParseStatus::kMalformed : ParseStatus::kComplete;
}

ParseStatus parse_tls_record(std::span<const uint8_t> b, size_t& length) {
  if (b.empty() || b[0] < 0x14 || b[0] > 0x17) return ParseStatus::kMalformed;
  if (b.size() >= 2 && b[1] != 3) return ParseStatus::kMalformed;
  if (b.size() < 5) return ParseStatus::kNeedMore;
  length = 5 + size_t(load_be16(b.data() + 3));
  return ParseStatus::kComplete;
}

ParseStatus parse_prelogin(std::span<const uint8_t> p, Prelogin& out) {
  out = {};
  size_t pos = 0;
  // (token, offset BE16, length BE16)... 0xFF; offsets are from the payload's start.
  for (int n = 0; n < 32; ++n) {
    if (pos >= p.size()) return ParseStatus::kMalformed;
    uint8_t token = p[pos];
    if (token == 0xFF) return ParseStatus::kComplete;
    if (p.size() - pos < 5) return ParseStatus::kMalformed;
    size_t off = load_be16(p.data() + pos + 1), len = load_be16(p.data() + pos + 3);
    if (off > p.size() || len > p.size() - off) return ParseStatus::kMalformed;
    if (token == 0x00 && len >= 6) {
      out.has_version = true;
      out.major = p[off];
      out.minor = p[off + 1];
      out.build = load_be16(p.data() + off + 2);
    } else if (token == 0x01 && len >= 1) {
      out.has_encryption = true;
      out.encryption = p[off];
    }
    pos += 5;
  }
  return ParseStatus::kMalformed;
}

uint8_t obfuscate_password_byte(uint8_t b) { return uint8_t(((b << 4) | (b >> 4)) ^ 0xA5); }
uint8_t deobfuscate_password_byte(uint8_t b) {
  b ^= 0xA5;
  return uint8_t((b << 4) | (b >> 4));
}

ParseStatus parse_login7(std::span<const uint8_t> p, Login7& out) {
  out = Login7{};
  // Fixed part up to ibSSPI/cbSSPI (TDS 7.0 and 7.1); 7.2 adds ibChangePassword and cbSSPILong.
  constexpr size_t kFixed = 82;
  if (p.size() < kFixed) return ParseStatus::kMalformed;
  out.tds_version = load_le32(p.data() + 4);
  out.integrated = (p[25] & 0x80) != 0;
  auto field = [&](size_t at, std::string& s) { return utf16_at(p, load_le16(p.data() + at), load_le16(p.data() + at + 2), s); };
  if (!field(36, out.host) || !field(40, out.user) || !field(48, out.app) || !field(52, out.server) ||
      !field(68, out.database))
    return ParseStatus::kMalformed;
  size_t pw_off = load_le16(p.data() + 44), pw_chars = load_le16(p.data() + 46);
  if (pw_off > p.size() || pw_chars * 2 > p.size() - pw_off) return ParseStatus::kMalformed;
  uint8_t clear[256];
  size_t n = std::min<size_t>(pw_chars * 2, sizeof clear);
  for (size_t i = 0; i < n; ++i) clear[i] = deobfuscate_password_byte(p[pw_off + i]);
  smb::append_utf16le(out.password, {clear, n});
  size_t sspi_off = load_le16(p.data() + 78), sspi_len = load_le16(p.data() + 80);
  if (sspi_len == 0xFFFF && p.size() >= 94) sspi_len = load_le32(p.data() + 90);  // cbSSPILong
  if (sspi_off <= p.size() && sspi_len <= p.size() - sspi_off) out.sspi = p.subspan(sspi_off, sspi_len);
  return ParseStatus::kComplete;
}

void scan_login_response(std::span<const uint8_t> p, LoginResponse& out) {
  size_t pos = 0;
  while (pos < p.size()) {
    uint8_t token = p[pos++];
    size_t len = 0;
    switch (token) {
      case kTokenError: case kTokenInfo: case kTokenLoginAck: case kTokenEnvChange: case kTokenSspi:
        if (p.size() - pos < 2) return;
        len = load_le16(p.data() + pos);
        pos += 2;
        break;
      case kTokenFedAuthInfo:
        if (p.size() - pos < 4) return;
        len = load_le32(p.data() + pos);
        pos += 4;
        break;
      case kTokenFeatureExtAck:
        // (FeatureId, DWORD length, data)... 0xFF
        while (pos < p.size() && p[pos] != 0xFF) {
          if (p.size() - pos < 5) return;
          size_t l = load_le32(p.data() + pos + 1);
          if (l > p.size() - pos - 5) return;
          pos += 5 + l;
        }
        ++pos;
        continue;
      case kTokenDone: case kTokenDoneProc: case kTokenDoneInProc:
        return;  // the login answer is complete
      default:
        return;  // a token this scan cannot size
    }
    if (len > p.size() - pos) return;
    auto body = p.subspan(pos, len);
    pos += len;
    if (token == kTokenLoginAck && body.size() >= 6) {
      // Interface (1), TDSVersion (4), ProgName (B_VARCHAR), ProgVersion (4)
      size_t chars = body[5];
      if (!utf16_at(body, 6, chars, out.program) || body.size() < 6 + chars * 2 + 4) return;
      for (int i = 0; i < 4; ++i) out.version[i] = body[6 + chars * 2 + size_t(i)];
      out.login_ack = true;
    } else if (token == kTokenError && !out.error && body.size() >= 8) {
      // Number (4), State (1), Class (1), MsgText (US_VARCHAR), ...
      out.error = true;
      out.error_number = load_le32(body.data());
      out.error_state = body[4];
      out.error_class = body[5];
      if (!utf16_at(body, 8, load_le16(body.data() + 6), out.error_message)) out.error_message.clear();
    } else if (token == kTokenSspi) {
      out.sspi = true;
    }
  }
}

}  // namespace trawl::proto::mssql
