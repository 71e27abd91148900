#include "detect/record_view.h"

namespace trawl::detect {

simdjson::dom::element RecordView::get(std::string_view key) const {
  simdjson::dom::element e;
  if (object_[key].get(e)) return simdjson::dom::element();
  return e;
}

bool RecordView::has(std::string_view key) const {
  simdjson::dom::element e;
  return !object_[key].get(e) && !e.is_null();
}

std::string_view RecordView::str(std::string_view key) const {
  std::string_view s;
  if (object_[key].get_string().get(s)) return {};
  return s;
}

double RecordView::num(std::string_view key) const {
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
  simdjson::dom::element e;
  if (object_[key].get(e)) return 0;
  int64_t i;
  if (!e.get_int64().get(i)) return i;
  double d;
  if (!e.get_double().get(d)) return int64_t(d);
  return 0;
}

bool RecordView::flag(std::string_view key) const {
  bool b;
  if (object_[key].get_bool().get(b)) return false;
  return b;
}

std::vector<std::string_view> RecordView::strings(std::string_view key) const {
  std::vector<std::string_view> out;
  simdjson::dom::array a;
  if (object_[key].get_array().get(a)) return out;
  for (simdjson::dom::element e : a) {
    std::string_view s;
    if (!e.get_string().get(s)) out.push_back(s);
  }
  return out;
}

void RecordView::add_frames(FrameSet& out) const {
  simdjson::dom::array groups;
  if (!object_["frames"].get_array().get(groups)) {
    for (simdjson::dom::element g : groups) {
      std::string_view file;
      simdjson::dom::array frames;
      if (g["file"].get_string().get(file) || g["frames"].get_array().get(frames)) continue;
      for (simdjson::dom::element f : frames) {
        uint64_t n;
        if (!f.get_uint64().get(n)) out.add(file, n);
      }
    }
    return;
  }
  out.add(file(), frame());
}

}  // namespace trawl::detect
