// RecordView: one record of an analyze output file (OUTDIR/<type>.jsonl) as detectors see it. Detectors read
// records only, never packets, so the same code runs inside `trawl analyze` and later in `trawl detect`.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <absl/functional/function_ref.h>
#include <simdjson.h>

#include "detect/alert.h"
#include "util/ip_address.h"

namespace trawl::detect {

// A conn record handed over in memory (conn_codec.h, inside `trawl analyze`), with every value exactly as conn.jsonl
// would give it after a round trip through its text: detectors cannot tell the two apart.
struct ConnRow {
  double ts = 0, duration = 0;
  std::string_view uid, proto, service, conn_state, history;
  IpAddress src, dst;
  uint16_t sport = 0, dport = 0, vlan = 0;
  int orig_flags = -1;  // -1: null (not TCP)
  uint64_t orig_bytes = 0, resp_bytes = 0, missed_bytes = 0, orig_pkts = 0, resp_pkts = 0, orig_ip_bytes = 0,
           resp_ip_bytes = 0;
  struct Frame {
    uint32_t file_index;
    uint64_t frame;
  };
  std::span<const Frame> frames;  // the first frames, in order; file and frame are the first one's
  std::span<const std::string> file_names;
  // src and dst as text, made at the first str("src") / str("dst") (most detectors take src_ip()).
  std::string_view address_text(bool source) const;
  void reset_texts() { text_len_[0] = text_len_[1] = 0; }

 private:
  mutable char text_[2][48] = {};
  mutable uint8_t text_len_[2] = {};
};

// Views into the parser's buffer (or the ConnRow): valid during the on_record call only; copy what you keep.
// Missing fields, nulls and fields of another JSON type read as empty / zero / false.
class RecordView {
 public:
  explicit RecordView(simdjson::dom::object object) : object_(object) {}
  explicit RecordView(const ConnRow& row) : row_(&row) {}

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
  std::optional<IpAddress> src_ip() const;  // src parsed (nullopt when missing or not an address)
  std::optional<IpAddress> dst_ip() const;
  uint16_t sport() const { return uint16_t(integer("sport")); }
  uint16_t dport() const { return uint16_t(integer("dport")); }
  std::string_view file() const { return str("file"); }
  uint64_t frame() const { return uint64_t(integer("frame")); }

  // Adds the packets behind this record: its `frames` list (conn records) or else its file and frame.
  void add_frames(FrameSet& out) const;
  // Calls fn(file, frame) for each of them, in the order add_frames adds them.
  void for_each_frame(absl::FunctionRef<void(std::string_view file, uint64_t frame)> fn) const;

  simdjson::dom::object object() const { return object_; }  // empty for a ConnRow
  const ConnRow* conn_row() const { return row_; }           // set when the record is a ConnRow

 private:
  simdjson::dom::object object_;
  const ConnRow* row_ = nullptr;
};

}  // namespace trawl::detect
