// Detector: one finding family (scans, brute force, beacons, ...). It reads records, never packets, keeps
// what it needs, and reports alerts when every record has been seen. Within a type, records arrive in the
// order analyze wrote them (not sorted by time); types may interleave in any way: `trawl detect` feeds them
// type by type, analyze as the traffic makes them. So a detector's alerts may depend only on each type's
// own sequence: whatever joins records of different types happens in finish(). finish() runs after the
// capture is read, on the critical path: work that can be done as records arrive belongs in on_record.
#pragma once

#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "detect/alert.h"
#include "detect/config.h"
#include "detect/record_view.h"

namespace trawl::detect {

struct DetectContext {
  const Config& config;
  const HomeNet& home;
};

class Detector {
 public:
  virtual ~Detector() = default;
  virtual void on_record(std::string_view type, const RecordView& record) = 0;
  virtual void finish(std::vector<Alert>& out) = 0;
};

struct DetectorInfo {
  std::string_view name;                          // its config/detect.toml section and --explain name
  std::span<const std::string_view> inputs;       // record types it reads: "conn", "auth", ...
  std::span<const std::string_view> alert_types;  // the alert types it can report
  std::string_view explain;                       // what it looks at and why, for --explain
  std::unique_ptr<Detector> (*make)(const DetectContext& context) = nullptr;
  // Its share of the detection work (roughly millions of instructions on the 100 MB bench capture), for
  // spreading the detectors over threads evenly.
  unsigned cost = 1;
};

// Every detector, in one explicit table (registry.cpp), in the order they run.
std::span<const DetectorInfo* const> detectors();

}  // namespace trawl::detect
