#include "util/ip_address.h"

#include <arpa/inet.h>

namespace trawl {

namespace {
char* put_decimal(char* out, unsigned v) {
  if (v >= 100) *out++ = char('0' + v / 100);
  if (v >= 10) *out++ = char('0' + v / 10 % 10);
  *out++ = char('0' + v % 10);
  return out;
}
}  // namespace

size_t IpAddress::format(char* out) const {
  if (family == 4) {
    char* p = out;
    for (int i = 0; i < 4; ++i) {
      if (i) *p++ = '.';
      p = put_decimal(p, bytes[i]);
    }
    return size_t(p - out);
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
