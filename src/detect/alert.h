// Alert: one finding, as ../shared/spec/alerts.md defines it (the contract the UI, exports and SIEMs read).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace trawl::detect {

enum class Severity : uint8_t { kInfo, kLow, kMedium, kHigh, kCritical };
std::string_view severity_name(Severity s);

// The packets that prove a finding, per capture file: at most kMax frame numbers in all (the first ones
// added win), written sorted per file as the contract's `frames` array.
class FrameSet {
 public:
  static constexpr size_t kMax = 50;
  void add(std::string_view file, uint64_t frame);
  void add(const FrameSet& other);
  size_t size() const { return size_; }
  nlohmann::ordered_json to_json() const;

 private:
  std::map<std::string, std::set<uint64_t>, std::less<>> by_file_;
  size_t size_ = 0;
};

struct Alert {
  std::string type;  // from the contract's vocabulary: "scan.tcp_syn", "bruteforce.pop3", ...
  Severity severity = Severity::kMedium;
  std::string src;   // the actor
  std::optional<std::string> dst;
  std::optional<uint16_t> dst_port;
  std::string proto;  // tcp, udp, icmp, icmp6, arp, or the application protocol
  double ts_first = 0, ts_last = 0;
  uint64_t count = 0;
  std::string summary;  // one sentence a responder can read aloud
  nlohmann::ordered_json evidence = nlohmann::ordered_json::object();
  std::vector<std::string> mitre;
  FrameSet frames;

  nlohmann::ordered_json to_json() const;
};

// alerts.jsonl's text: one alert a line, in the given order.
std::string alert_lines(const std::vector<Alert>& alerts);

// The order alerts.jsonl is written in: by ts_first, then by what tells equal times apart, so the same
// records always give the same file.
bool alert_order(const Alert& a, const Alert& b);

}  // namespace trawl::detect
