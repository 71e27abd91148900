#include "detect/detector.h"

// One include and one row per detector; nothing registers itself.

namespace trawl::detect {

namespace {
constexpr const DetectorInfo* kDetectors[] = {
    nullptr,  // placeholder (keep last) until the first detector: a C++ array cannot be empty
};
}  // namespace

std::span<const DetectorInfo* const> detectors() {
  std::span<const DetectorInfo* const> all = kDetectors;
  return all.first(all.size() - (all.back() == nullptr ? 1 : 0));
}

}  // namespace trawl::detect
