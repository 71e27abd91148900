// The conn.jsonl columns the scan and worm detectors read, taken in one pass over the record: conn records
// are most of the input, and looking each field up by name walks the object once per field. A ConnRow
// (inside analyze) is read directly; src and dst are then left empty: use src_ip() / dst_ip().
#pragma once

#include <cstdint>
#include <string_view>

#include "detect/record_view.h"

namespace trawl::detect::scan {

struct ConnFields {
  std::string_view proto, src, dst, history, file;
  double ts = 0;
  int64_t sport = 0, dport = 0, orig_bytes = 0, resp_bytes = 0, orig_pkts = 0, resp_pkts = 0, frame = 0;
  int orig_flags = -1;  // -1: the column is missing (records of an older trawl) or null (not TCP)

  explicit ConnFields(const RecordView& r) : row_(r.conn_row()) {
    if (row_) {
      proto = row_->proto, history = row_->history, ts = row_->ts, sport = row_->sport, dport = row_->dport;
      orig_bytes = int64_t(row_->orig_bytes), resp_bytes = int64_t(row_->resp_bytes);
      orig_pkts = int64_t(row_->orig_pkts), resp_pkts = int64_t(row_->resp_pkts), orig_flags = row_->orig_flags;
      if (!row_->frames.empty()) file = row_->file_names[row_->frames[0].file_index], frame = int64_t(row_->frames[0].frame);
      return;
    }
    for (simdjson::dom::key_value_pair f : r.object()) {
      const std::string_view k = f.key;
      switch (k.size()) {
        case 2: if (k == "ts") ts = number(f.value); break;
        case 3:
          if (k == "src") src = text(f.value);
          else if (k == "dst") dst = text(f.value);
          break;
        case 4: if (k == "file") file = text(f.value); break;
        case 5:
          if (k == "proto") proto = text(f.value);
          else if (k == "sport") sport = integer(f.value);
          else if (k == "dport") dport = integer(f.value);
          else if (k == "frame") frame = integer(f.value);
          break;
        case 7: if (k == "history") history = text(f.value); break;
        case 9:
          if (k == "orig_pkts") orig_pkts = integer(f.value);
          else if (k == "resp_pkts") resp_pkts = integer(f.value);
          break;
        case 10:
          if (k == "orig_bytes") orig_bytes = integer(f.value);
          else if (k == "resp_bytes") resp_bytes = integer(f.value);
          else if (k == "orig_flags" && !f.value.is_null()) orig_flags = int(integer(f.value));
          break;
        default: break;
      }
    }
  }

  // The addresses, parsed (nullopt when missing or not an address).
  std::optional<IpAddress> src_ip() const {
    return row_ ? (row_->src.family ? std::optional<IpAddress>(row_->src) : std::nullopt) : IpAddress::parse(src);
  }
  std::optional<IpAddress> dst_ip() const {
    return row_ ? (row_->dst.family ? std::optional<IpAddress>(row_->dst) : std::nullopt) : IpAddress::parse(dst);
  }

 private:
  const ConnRow* row_ = nullptr;

  static std::string_view text(simdjson::dom::element e) {
    std::string_view s;
    return e.get_string().get(s) ? std::string_view() : s;
  }
  static int64_t integer(simdjson::dom::element e) {
    int64_t i;
    if (!e.get_int64().get(i)) return i;
    double d;
    return e.get_double().get(d) ? 0 : int64_t(d);
  }
  static double number(simdjson::dom::element e) {
    double d;
    if (!e.get_double().get(d)) return d;
    int64_t i;
    return e.get_int64().get(i) ? 0 : double(i);
  }
};

}  // namespace trawl::detect::scan
