#include "util/ip_address.h"

#include <arpa/inet.h>

namespace trawl {

namespace {
// "0." to "255.": each octet's text with its dot, four bytes copied at once (format writes into a
// 46-byte buffer, so the bytes past an octet's length are scratch, overwritten by the next).
struct OctetText {
  char text[4];
  uint8_t len;  // digits and the dot
};
constexpr std::array<OctetText, 256> kOctets = [] {
  std::array<OctetText, 256> t{};
  for (int v = 0; v < 256; ++v) {
    uint8_t n = 0;
    if (v >= 100) t[v].text[n++] = char('0' + v / 100);
    if (v >= 10) t[v].text[n++] = char('0' + v / 10 % 10);
    t[v].text[n++] = char('0' + v % 10);
    t[v].text[n] = '.';
    t[v].len = uint8_t(n + 1);
  }
  return t;
}();
}  // namespace

size_t IpAddress::format(char* out) const {
  if (family == 4) {
    char* p = out;
    for (int i = 0; i < 4; ++i) {
      const OctetText& o = kOctets[bytes[i]];
      std::memcpy(p, o.text, 4);
      p += o.len;
    }
    return size_t(p - out) - 1;  // the last octet's dot is not part of the address
  }
  if (family == 6) {
    // inet_ntop implements RFC 5952 (longest zero run compressed, lower case, embedded IPv4 forms).
    if (!inet_ntop(AF_INET6, bytes.data(), out, 46)) return 0;
    return std::strlen(out);
  }
  return 0;
}

std::string IpAddress::str() const {
  char buf[64];
  return std::string(buf, format(buf));
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  char buf[64];
  if (text.size() >= sizeof buf) return std::nullopt;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = 0;
  IpAddress a;
  if (inet_pton(AF_INET, buf, a.bytes.data()) == 1) {
    a.family = 4;
    return a;
  }
  if (inet_pton(AF_INET6, buf, a.bytes.data()) == 1) {
    a.family = 6;
    return a;
  }
  return std::nullopt;
}

}  // namespace trawl
