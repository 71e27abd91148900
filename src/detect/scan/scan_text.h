// Small pieces the scan and worm alerts share: compact address ids, and how addresses, durations and
// capped lists read in evidence and summaries.
#pragma once

#include <absl/container/flat_hash_map.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "util/ip_address.h"

namespace trawl::detect::scan {

// Addresses as dense 32-bit ids: per-record state stays small however many records repeat an address.
class AddressIds {
 public:
  uint32_t id(const IpAddress& a) {
    // A scan's probes come in runs from one source and often to one target: the last answer usually fits.
    if (last_ < addrs_.size() && addrs_[last_] == a) return last_;
    auto [it, inserted] = ids_.try_emplace(a, uint32_t(addrs_.size()));
    if (inserted) addrs_.push_back(a);
    return last_ = it->second;
  }
  const IpAddress& address(uint32_t id) const { return addrs_[id]; }
  size_t size() const { return addrs_.size(); }  // ids run from 0 to size() - 1
  std::string text(uint32_t id) const { return addrs_[id].str(); }
  // The addresses of `ids` in numeric order, at most `cap` of them, as JSON strings.
  nlohmann::ordered_json sorted_texts(std::vector<uint32_t> ids, size_t cap) const {
    std::sort(ids.begin(), ids.end(), [&](uint32_t a, uint32_t b) { return addrs_[a] < addrs_[b]; });
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    auto out = nlohmann::ordered_json::array();
    for (size_t i = 0; i < ids.size() && i < cap; ++i) out.push_back(addrs_[ids[i]].str());
    return out;
  }

 private:
  absl::flat_hash_map<IpAddress, uint32_t> ids_;
  std::vector<IpAddress> addrs_;
  uint32_t last_ = 0;
};

// "10.0.0.1:445", "[2001:db8::1]:445".
inline std::string endpoint_text(const IpAddress& a, uint16_t port) {
  return a.is_v6() ? fmt::format("[{}]:{}", a.str(), port) : fmt::format("{}:{}", a.str(), port);
}

// "12 ms", "8.4 s", "3.5 min", "2.1 h".
inline std::string span_text(double seconds) {
  if (seconds < 0.001) return "under a millisecond";
  if (seconds < 1) return fmt::format("{:.0f} ms", seconds * 1000);
  if (seconds < 60) return fmt::format("{:.1f} s", seconds);
  if (seconds < 3600) return fmt::format("{:.1f} min", seconds / 60);
  return fmt::format("{:.1f} h", seconds / 3600);
}

// "in 8.4 s", "over 3.5 min": how long something took, for a summary.
inline std::string duration_text(double seconds) { return (seconds < 60 ? "in " : "over ") + span_text(seconds); }

inline double round3(double v) { return std::round(v * 1000) / 1000; }

template <typename T>
nlohmann::ordered_json capped(const std::vector<T>& values, size_t cap) {
  auto out = nlohmann::ordered_json::array();
  for (size_t i = 0; i < values.size() && i < cap; ++i) out.push_back(values[i]);
  return out;
}

// ": 22, 80, 443" for a summary (up to five ports), or "" when the ports belong to many hosts.
inline std::string port_preview(const std::vector<uint16_t>& ports, bool one_host) {
  if (!one_host || ports.empty()) return "";
  std::string s = ": ";
  for (size_t i = 0; i < ports.size() && i < 5; ++i) s += fmt::format("{}{}", i ? ", " : "", ports[i]);
  if (ports.size() > 5) s += ", ...";
  return s;
}

}  // namespace trawl::detect::scan
