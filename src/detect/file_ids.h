// FileIds: capture file names as small ids, numbered as they first come, for detectors that keep
// millions of (file, frame) references. A capture set has few files and records come file by file, so the
// last one found is nearly always it: one string compare a record. Ids follow arrival order: a detector
// that orders anything by them must number each record type's files on its own (detector.h: types may
// interleave in any way) or compare the names.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace trawl::detect {

class FileIds {
 public:
  uint32_t id(std::string_view file) {
    if (names_.empty() || names_[last_] != file) {
      auto it = std::find(names_.begin(), names_.end(), file);
      last_ = uint32_t(it - names_.begin());
      if (it == names_.end()) names_.emplace_back(file);
    }
    return last_;
  }
  const std::string& name(uint32_t id) const { return names_[id]; }

 private:
  std::vector<std::string> names_;
  uint32_t last_ = 0;
};

}  // namespace trawl::detect
