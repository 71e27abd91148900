// RecordView: one record of an analyze output file (OUTDIR/<type>.jsonl) as detectors see it. Detectors read
// records only, never packets, so the same code runs inside `trawl analyze` and later in `trawl detect`.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "detect/alert.h"

namespace trawl::detect {

// Views into the parser's buffer: valid during the on_record call only; copy what you keep.
// Missing fields, nulls and fields of another JSON type read as empty / zero / false.
class RecordView {
 public:
  explicit RecordView(simdjson::dom::object object) : object_(object) {}

  bool has(std::string_view key) const;  // present and not null
  std::string_view str(std::string_view key) const;
  double num(std::string_view key) const;
  int64_t integer(std::string_view key) const;
  bool flag(std::string_view key) const;
  std::vector<std::string_view> strings(std::string_view key) const;  // an array of strings
  simdjson::dom::element get(std::string_view key) const;              // anything else; check .error()

  // The common columns every record starts with (proto/record.h kCommonColumns).
  double ts() const { return num("ts"); }
  std::string_view uid() const { return str("uid"); }
  std::string_view src() const { return str("src"); }
  std::string_view dst() const { return str("dst"); }
  uint16_t sport() const { return uint16_t(integer("sport")); }
  uint16_t dport() const { return uint16_t(integer("dport")); }
  std::string_view file() const { return str("file"); }
  uint64_t frame() const { return uint64_t(integer("frame")); }

  // Adds the packets behind this record: its `frames` list (conn records) or else its file and frame.
  void add_frames(FrameSet& out) const;

  simdjson::dom::object object() const { return object_; }

 private:
  simdjson::dom::object object_;
};

}  // namespace trawl::detect
