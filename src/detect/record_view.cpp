#include "detect/record_view.h"

namespace trawl::detect {

namespace {

// One field of a ConnRow, typed as conn.jsonl writes it.
struct RowValue {
  enum Kind : uint8_t { kMissing, kNull, kText, kReal, kInt, kArray } kind = kMissing;
  std::string_view text;
  double real = 0;
  uint64_t integer = 0;
};
RowValue of_kind(RowValue::Kind k) {
  RowValue v;
  v.kind = k;
  return v;
}
RowValue text(std::string_view s) {
  RowValue v = of_kind(RowValue::kText);
  v.text = s;
  return v;
}
RowValue real(double d) {
  RowValue v = of_kind(RowValue::kReal);
  v.real = d;
  return v;
}
RowValue count(uint64_t n) {
  RowValue v = of_kind(RowValue::kInt);
  v.integer = n;
  return v;
}
RowValue addr(const ConnRow& r, bool source) {
  return (source ? r.src : r.dst).family ? text(r.address_text(source)) : of_kind(RowValue::kNull);
}

// The conn columns by name: a switch on the length first, so a lookup is a compare or two.
RowValue row_value(const ConnRow& r, std::string_view key) {
  switch (key.size()) {
    case 2: if (key == "ts") return real(r.ts); break;
    case 3:
      if (key == "uid") return text(r.uid);
      if (key == "src") return addr(r, true);
      if (key == "dst") return addr(r, false);
      break;
    case 4:
      if (key == "file") return r.frames.empty() ? of_kind(RowValue::kNull) : text(r.file_names[r.frames[0].file_index]);
      if (key == "vlan") return count(r.vlan);
      break;
    case 5:
      if (key == "sport") return count(r.sport);
      if (key == "dport") return count(r.dport);
      if (key == "proto") return text(r.proto);
      if (key == "frame") return r.frames.empty() ? of_kind(RowValue::kNull) : count(r.frames[0].frame);
      break;
    case 6: if (key == "frames") return of_kind(RowValue::kArray); break;
    case 7:
      if (key == "service") return text(r.service);
      if (key == "history") return text(r.history);
      break;
    case 8: if (key == "duration") return real(r.duration); break;
    case 9:
      if (key == "orig_pkts") return count(r.orig_pkts);
      if (key == "resp_pkts") return count(r.resp_pkts);
      break;
    case 10:
      if (key == "orig_bytes") return count(r.orig_bytes);
      if (key == "resp_bytes") return count(r.resp_bytes);
      if (key == "conn_state") return text(r.conn_state);
      if (key == "orig_flags") return r.orig_flags < 0 ? of_kind(RowValue::kNull) : count(uint64_t(r.orig_flags));
      break;
    case 12: if (key == "missed_bytes") return count(r.missed_bytes); break;
    case 13:
      if (key == "orig_ip_bytes") return count(r.orig_ip_bytes);
      if (key == "resp_ip_bytes") return count(r.resp_ip_bytes);
      break;
    default: break;
  }
  return {};
}

}  // namespace

std::string_view ConnRow::address_text(bool source) const {
  const int i = source ? 0 : 1;
  if (!text_len_[i]) text_len_[i] = uint8_t((source ? src : dst).format(text_[i]));
  return {text_[i], text_len_[i]};
}

simdjson::dom::element RecordView::get(std::string_view key) const {
  simdjson::dom::element e;
  if (row_ || object_[key].get(e)) return simdjson::dom::element();
  return e;
}

bool RecordView::has(std::string_view key) const {
  if (row_) {
    auto k = row_value(*row_, key).kind;
    return k != RowValue::kMissing && k != RowValue::kNull;
  }
  simdjson::dom::element e;
  return !object_[key].get(e) && !e.is_null();
}

std::string_view RecordView::str(std::string_view key) const {
  if (row_) return row_value(*row_, key).text;
  std::string_view s;
  if (object_[key].get_string().get(s)) return {};
  return s;
}

double RecordView::num(std::string_view key) const {
  if (row_) {
    RowValue v = row_value(*row_, key);
    return v.kind == RowValue::kReal ? v.real : v.kind == RowValue::kInt ? double(v.integer) : 0;
  }
  simdjson::dom::element e;
  if (object_[key].get(e)) return 0;
  double d;
  if (!e.get_double().get(d)) return d;
  int64_t i;
  if (!e.get_int64().get(i)) return double(i);
  uint64_t u;
  if (!e.get_uint64().get(u)) return double(u);
  return 0;
}

int64_t RecordView::integer(std::string_view key) const {
  if (row_) {
    RowValue v = row_value(*row_, key);
    return v.kind == RowValue::kInt ? int64_t(v.integer) : v.kind == RowValue::kReal ? int64_t(v.real) : 0;
  }
  simdjson::dom::element e;
  if (object_[key].get(e)) return 0;
  int64_t i;
  if (!e.get_int64().get(i)) return i;
  double d;
  if (!e.get_double().get(d)) return int64_t(d);
  return 0;
}

bool RecordView::flag(std::string_view key) const {
  if (row_) return false;  // conn has no booleans
  bool b;
  if (object_[key].get_bool().get(b)) return false;
  return b;
}

std::vector<std::string_view> RecordView::strings(std::string_view key) const {
  std::vector<std::string_view> out;
  simdjson::dom::array a;
  if (row_ || object_[key].get_array().get(a)) return out;  // conn has no string arrays
  for (simdjson::dom::element e : a) {
    std::string_view s;
    if (!e.get_string().get(s)) out.push_back(s);
  }
  return out;
}

std::optional<IpAddress> RecordView::src_ip() const {
  if (row_) return row_->src.family ? std::optional<IpAddress>(row_->src) : std::nullopt;
  return IpAddress::parse(src());
}

std::optional<IpAddress> RecordView::dst_ip() const {
  if (row_) return row_->dst.family ? std::optional<IpAddress>(row_->dst) : std::nullopt;
  return IpAddress::parse(dst());
}

void RecordView::add_frames(FrameSet& out) const {
  for_each_frame([&](std::string_view file, uint64_t frame) { out.add(file, frame); });
}

void RecordView::for_each_frame(absl::FunctionRef<void(std::string_view file, uint64_t frame)> fn) const {
  if (row_) {
    // Grouped by file in order of first appearance, as conn.jsonl's frames list is: the same frames win
    // when the set is full.
    const auto frames = row_->frames;
    for (size_t i = 0; i < frames.size(); ++i) {
      bool first_of_file = true;
      for (size_t j = 0; j < i && first_of_file; ++j) first_of_file = frames[j].file_index != frames[i].file_index;
      if (!first_of_file) continue;
      for (size_t j = i; j < frames.size(); ++j)
        if (frames[j].file_index == frames[i].file_index) fn(row_->file_names[frames[j].file_index], frames[j].frame);
    }
    return;
  }
  simdjson::dom::array groups;
  if (!object_["frames"].get_array().get(groups)) {
    for (simdjson::dom::element g : groups) {
      std::string_view file;
      simdjson::dom::array frames;
      if (g["file"].get_string().get(file) || g["frames"].get_array().get(frames)) continue;
      for (simdjson::dom::element f : frames) {
        uint64_t n;
        if (!f.get_uint64().get(n)) fn(file, n);
      }
    }
    return;
  }
  fn(file(), frame());
}

}  // namespace trawl::detect
