// Wording for summary sentences: how long a finding lasted ("over 42 s", "over 5.2 min", "over 3.1 h") and
// how often something happened.
#pragma once

#include <cstdint>
#include <string>

#include <fmt/format.h>

namespace trawl::detect::dns {

inline std::string span_text(double seconds) {
  if (seconds < 1) return "within a second";
  if (seconds < 120) return fmt::format("over {:.0f} s", seconds);
  if (seconds < 7200) return fmt::format("over {:.1f} min", seconds / 60);
  return fmt::format("over {:.1f} h", seconds / 3600);
}

// "once", "twice", "5 times".
inline std::string times_text(uint64_t n) {
  if (n == 1) return "once";
  if (n == 2) return "twice";
  return fmt::format("{} times", n);
}

}  // namespace trawl::detect::dns
