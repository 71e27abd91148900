// Lower-case hex, two digits a byte, as fingerprints (JA3, JA4, HASSH) and MAC addresses print it; written
// directly: fmt's "{:02x}" per byte was a visible cost of every TLS hello.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace trawl {

inline constexpr char kHexDigits[] = "0123456789abcdef";

inline void append_hex(std::string& out, const unsigned char* bytes, size_t n) {
  const size_t at = out.size();
  out.resize(at + 2 * n);
  for (size_t i = 0; i < n; ++i) {
    out[at + 2 * i] = kHexDigits[bytes[i] >> 4];
    out[at + 2 * i + 1] = kHexDigits[bytes[i] & 15];
  }
}

// A 16-bit value as four digits, most significant first.
inline void append_hex16(std::string& out, uint16_t v) {
  const unsigned char bytes[2] = {uint8_t(v >> 8), uint8_t(v)};
  append_hex(out, bytes, 2);
}

}  // namespace trawl
