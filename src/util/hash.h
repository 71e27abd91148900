// FNV-1a over bytes: a hash that is the same on every run and machine (absl's is seeded per process), for
// what must not change between runs: shard choice, keys that stand for strings.
#pragma once

#include <cstddef>
#include <cstdint>

namespace trawl {

inline uint64_t fnv1a64(const void* data, size_t size) {
  const auto* p = static_cast<const unsigned char*>(data);
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < size; ++i) {
    h ^= p[i];
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace trawl
