#include "detect/alert.h"

#include <tuple>

namespace trawl::detect {

std::string_view severity_name(Severity s) {
  switch (s) {
    case Severity::kInfo: return "info";
    case Severity::kLow: return "low";
    case Severity::kMedium: return "medium";
    case Severity::kHigh: return "high";
    case Severity::kCritical: return "critical";
  }
  return "info";
}

void FrameSet::add(std::string_view file, uint64_t frame) {
  if (size_ >= kMax || frame == 0) return;
  auto it = by_file_.find(file);
  if (it == by_file_.end()) it = by_file_.emplace(std::string(file), std::set<uint64_t>{}).first;
  if (it->second.insert(frame).second) ++size_;
}

void FrameSet::add(const FrameSet& other) {
  for (const auto& [file, frames] : other.by_file_)
    for (uint64_t f : frames) add(file, f);
}

nlohmann::ordered_json FrameSet::to_json() const {
  auto out = nlohmann::ordered_json::array();
  for (const auto& [file, frames] : by_file_)
    out.push_back({{"file", file}, {"frames", std::vector<uint64_t>(frames.begin(), frames.end())}});
  return out;
}

nlohmann::ordered_json Alert::to_json() const {
  nlohmann::ordered_json j;
  j["type"] = type;
  j["severity"] = severity_name(severity);
  j["src"] = src;
  j["dst"] = dst ? nlohmann::ordered_json(*dst) : nlohmann::ordered_json(nullptr);
  j["dst_port"] = dst_port ? nlohmann::ordered_json(*dst_port) : nlohmann::ordered_json(nullptr);
  j["proto"] = proto;
  j["ts_first"] = ts_first;
  j["ts_last"] = ts_last;
  j["count"] = count;
  j["summary"] = summary;
  j["evidence"] = evidence;
  j["mitre"] = mitre;
  j["frames"] = frames.to_json();
  return j;
}

bool alert_order(const Alert& a, const Alert& b) {
  return std::tie(a.ts_first, a.type, a.src, a.dst, a.dst_port, a.ts_last, a.count, a.summary) <
         std::tie(b.ts_first, b.type, b.src, b.dst, b.dst_port, b.ts_last, b.count, b.summary);
}

std::string alert_lines(const std::vector<Alert>& alerts) {
  std::string text;
  for (const Alert& a : alerts)
    text += a.to_json().dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + '\n';
  return text;
}

}  // namespace trawl::detect
