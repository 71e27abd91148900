// IpAddress: an IPv4 or IPv6 address held by value (17 bytes), cheap to copy, hash and compare.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace trawl {

struct IpAddress {
  // IPv4 uses bytes[0..3] and leaves the rest zero, so two equal addresses are equal byte for byte.
  std::array<uint8_t, 16> bytes{};
  uint8_t family = 0;  // 0 none, 4 or 6

  static IpAddress v4(const uint8_t* p) {
    IpAddress a;
    std::memcpy(a.bytes.data(), p, 4);
    a.family = 4;
    return a;
  }
  static IpAddress v6(const uint8_t* p) {
    IpAddress a;
    std::memcpy(a.bytes.data(), p, 16);
    a.family = 6;
    return a;
  }
  static std::optional<IpAddress> parse(std::string_view text);

  bool is_v4() const { return family == 4; }
  bool is_v6() const { return family == 6; }
  bool empty() const { return family == 0; }

  // Writes the canonical text form (RFC 5952 for IPv6) into out, which holds at least 46 chars;
  // returns the length written.
  size_t format(char* out) const;
  std::string str() const;

  // Comparisons and hashing work on two 64-bit words: they run for every packet in the traffic tables
  // and the flow table, where a memcmp call per comparison showed up as the top cost.
  uint64_t word(int i) const {
    uint64_t w;
    std::memcpy(&w, bytes.data() + 8 * i, 8);
    return w;
  }
  friend bool operator==(const IpAddress& a, const IpAddress& b) {
    return a.word(0) == b.word(0) && a.word(1) == b.word(1) && a.family == b.family;
  }
  // Orders by family, then by address in network byte order (numeric order of the address).
  friend std::strong_ordering operator<=>(const IpAddress& a, const IpAddress& b) {
    if (a.family != b.family) return a.family <=> b.family;
    uint64_t a0 = __builtin_bswap64(a.word(0)), b0 = __builtin_bswap64(b.word(0));
    if (a0 != b0) return a0 <=> b0;
    return __builtin_bswap64(a.word(1)) <=> __builtin_bswap64(b.word(1));
  }
  template <typename H>
  friend H AbslHashValue(H h, const IpAddress& a) {
    return H::combine(std::move(h), a.word(0), a.word(1), a.family);
  }
};

}  // namespace trawl
