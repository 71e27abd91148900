// Bounds-safe big/little-endian loads. Callers check lengths first; these only assemble bytes.
#pragma once

#include <cstdint>
#include <cstring>

namespace trawl {

inline uint16_t load_be16(const uint8_t* p) { return uint16_t(p[0] << 8 | p[1]); }
inline uint32_t load_be32(const uint8_t* p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}
inline uint16_t load_le16(const uint8_t* p) { return uint16_t(p[1] << 8 | p[0]); }
inline uint32_t load_le32(const uint8_t* p) {
  return uint32_t(p[3]) << 24 | uint32_t(p[2]) << 16 | uint32_t(p[1]) << 8 | p[0];
}
inline uint64_t load_le64(const uint8_t* p) { return uint64_t(load_le32(p + 4)) << 32 | load_le32(p); }
inline uint16_t byteswap16(uint16_t v) { return uint16_t(v << 8 | v >> 8); }
inline uint32_t byteswap32(uint32_t v) { return __builtin_bswap32(v); }

}  // namespace trawl
