// Small pieces both mail detectors use: string interning for compact per-message state, and the words
// of a summary sentence.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>

#include <fmt/format.h>

namespace trawl::detect::mail {

// Each distinct string once; records refer to it by a 32-bit id. Looking up a known string does not allocate.
class StringIds {
 public:
  uint32_t id(std::string_view s) {
    auto it = ids_.find(s);
    if (it != ids_.end()) return it->second;
    uint32_t id = uint32_t(names_.size());
    names_.emplace_back(s);
    ids_.emplace(names_.back(), id);  // keys view the deque's strings, which never move
    return id;
  }
  const std::string& name(uint32_t id) const { return names_[id]; }
  size_t size() const { return names_.size(); }

 private:
  std::unordered_map<std::string_view, uint32_t> ids_;
  std::deque<std::string> names_;
};

// "45 s", "12 min", "2.5 h": how long a responder hears it.
inline std::string spoken_duration(double seconds) {
  if (seconds < 90) return fmt::format("{:.0f} s", seconds);
  if (seconds < 90 * 60) return fmt::format("{:.0f} min", seconds / 60);
  return fmt::format("{:.1f} h", seconds / 3600);
}

inline std::string plural(uint64_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

}  // namespace trawl::detect::mail
