#include "proto/smb/ntlmssp.h"

#include <algorithm>

#include "util/bytes.h"

namespace trawl::proto::smb {

namespace {
void append_code_point(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xC0 | cp >> 6);
    out += char(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += char(0xE0 | cp >> 12);
    out += char(0x80 | (cp >> 6 & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  } else {
    out += char(0xF0 | cp >> 18);
    out += char(0x80 | (cp >> 12 & 0x3F));
    out += char(0x80 | (cp >> 6 & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  }
}

// Security buffers (length, max length, offset) are relative to the start of the NTLMSSP message.
bool security_buffer(std::span<const uint8_t> msg, size_t field, std::span<const uint8_t>& out) {
  if (field + 8 > msg.size()) return false;
  uint32_t len = load_le16(msg.data() + field);
  uint32_t off = load_le32(msg.data() + field + 4);
  if (len == 0) {
    out = {};
    return true;
  }
  if (off > msg.size() || len > msg.size() - off) return false;
  out = msg.subspan(off, len);
  return true;
}

constexpr uint8_t kSignature[] = {'N', 'T', 'L', 'M', 'S', 'S', 'P', 0};
constexpr uint32_t kNegotiateUnicode = 0x00000001;
}  // namespace

void append_utf16le(std::string& out, std::span<const uint8_t> s) {
  for (size_t i = 0; i + 1 < s.size(); i += 2) {
    uint32_t u = load_le16(s.data() + i);
    if (u >= 0xD800 && u < 0xDC00 && i + 3 < s.size()) {
      uint32_t lo = load_le16(s.data() + i + 2);
      if (lo >= 0xDC00 && lo < 0xE000) {
        append_code_point(out, 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00));
        i += 2;
        continue;
      }
    }
    if (u >= 0xD800 && u < 0xE000) u = 0xFFFD;
    append_code_point(out, u);
  }
}

void append_oem(std::string& out, std::span<const uint8_t> bytes) {
  out.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

std::string_view NtlmMessage::method() const {
  if (anonymous()) return "anonymous";
  if (nt_response_len > 24) return "NTLMv2";
  if (nt_response_len == 24) return "NTLMv1";
  return "NTLMSSP";
}

NtlmMessage parse_ntlmssp(std::span<const uint8_t> msg) {
  NtlmMessage m;
  if (msg.size() < 12 || !std::equal(std::begin(kSignature), std::end(kSignature), msg.begin())) return m;
  uint32_t type = load_le32(msg.data() + 8);
  if (type < 1 || type > 3) {
    m.malformed = true;
    return m;
  }
  m.type = NtlmType(type);
  if (m.type == NtlmType::kNegotiate) {
    if (msg.size() >= 16) m.flags = load_le32(msg.data() + 12);
    return m;
  }
  if (m.type == NtlmType::kChallenge) {
    if (msg.size() >= 24) m.flags = load_le32(msg.data() + 20);
    return m;
  }
  // AUTHENTICATE: Lm(12) Nt(20) Domain(28) User(36) Workstation(44) SessionKey(52) Flags(60).
  if (msg.size() < 64) {
    m.malformed = msg.size() < 52;
    if (m.malformed) return m;
  } else {
    m.flags = load_le32(msg.data() + 60);
  }
  std::span<const uint8_t> lm, nt, domain, user, ws;
  bool ok = security_buffer(msg, 12, lm) && security_buffer(msg, 20, nt) && security_buffer(msg, 28, domain) &&
            security_buffer(msg, 36, user) && security_buffer(msg, 44, ws);
  if (!ok) {
    m.malformed = true;
    return m;
  }
  m.lm_response_len = uint32_t(lm.size());
  m.nt_response_len = uint32_t(nt.size());
  // Before flags exist (short form) assume Unicode, as every modern client sends it.
  bool unicode = msg.size() < 64 || (m.flags & kNegotiateUnicode);
  auto text = [unicode](std::string& out, std::span<const uint8_t> s) {
    if (unicode) append_utf16le(out, s);
    else append_oem(out, s);
  };
  text(m.domain, domain);
  text(m.user, user);
  text(m.workstation, ws);
  return m;
}

NtlmMessage find_ntlmssp(std::span<const uint8_t> blob) {
  auto it = std::search(blob.begin(), blob.end(), std::begin(kSignature), std::end(kSignature));
  if (it == blob.end()) return {};
  return parse_ntlmssp(blob.subspan(size_t(it - blob.begin())));
}

bool blob_mentions_kerberos(std::span<const uint8_t> blob) {
  // OID 1.2.840.113554.1.2.2 (krb5) and 1.2.840.48018.1.2.2 (Microsoft's krb5), DER encoded.
  static constexpr uint8_t kKrb5[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02};
  static constexpr uint8_t kMsKrb5[] = {0x2a, 0x86, 0x48, 0x82, 0xf7, 0x12, 0x01, 0x02, 0x02};
  return std::search(blob.begin(), blob.end(), std::begin(kKrb5), std::end(kKrb5)) != blob.end() ||
         std::search(blob.begin(), blob.end(), std::begin(kMsKrb5), std::end(kMsKrb5)) != blob.end();
}

}  // namespace trawl::proto::smb
