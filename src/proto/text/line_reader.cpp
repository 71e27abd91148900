#include "proto/text/line_reader.h"

#include <algorithm>
#include <cstring>

namespace trawl::proto::text {

namespace {
std::string_view strip_eol(std::string_view s, uint8_t* eol = nullptr) {
  uint8_t n = 0;
  if (!s.empty() && s.back() == '\n') s.remove_suffix(1), ++n;
  if (n && !s.empty() && s.back() == '\r') s.remove_suffix(1), ++n;
  if (eol) *eol = n;
  return s;
}
}  // namespace

void LineReader::push(std::span<const uint8_t> data) {
  data_ = data;
  off_ = 0;
}

void LineReader::clear() {
  buf_.clear();
  buf_off_ = 0;
  release_ = false;
  skipping_ = false;
  data_ = {};
  off_ = 0;
}

void LineReader::keep(std::string_view bytes) {
  size_t room = max_line_ + 1 > buf_.size() ? max_line_ + 1 - buf_.size() : 0;  // +1: room for a CR
  buf_.append(bytes.substr(0, std::min(room, bytes.size())));
}

std::optional<Line> LineReader::next_line() {
  if (release_) {
    buf_.clear();
    buf_off_ = 0;
    release_ = false;
  }
  for (;;) {
    std::string_view r = rest();
    if (r.empty()) return std::nullopt;
    size_t nl = r.find('\n');
    if (skipping_) {
      if (nl == std::string_view::npos) {
        off_ = data_.size();
        return std::nullopt;
      }
      off_ += nl + 1;
      skipping_ = false;
      continue;
    }
    if (buf_off_ == buf_.size() && buf_off_ != 0) {  // take() consumed the kept bytes
      buf_.clear();
      buf_off_ = 0;
    }
    if (nl == std::string_view::npos) {
      keep(r);
      off_ = data_.size();
      if (buf_.size() - buf_off_ > max_line_) {  // over-long: hand out its start now, drop the rest
        buf_.resize(buf_off_ + max_line_);
        skipping_ = true;
        release_ = true;
        return Line{std::string_view(buf_).substr(buf_off_), true, 0};
      }
      return std::nullopt;
    }
    off_ += nl + 1;
    if (buf_.size() == buf_off_) {
      uint8_t eol = 0;
      std::string_view line = strip_eol(r.substr(0, nl + 1), &eol);
      if (line.size() > max_line_) return Line{line.substr(0, max_line_), true, 0};
      return Line{line, false, eol};
    }
    keep(r.substr(0, nl + 1));
    release_ = true;
    std::string_view line = std::string_view(buf_).substr(buf_off_);
    bool cut = line.empty() || line.back() != '\n';
    uint8_t eol = 0;
    line = strip_eol(line, &eol);
    if (line.size() > max_line_) line = line.substr(0, max_line_), cut = true;
    return Line{line, cut, cut ? uint8_t{0} : eol};
  }
}

std::string_view LineReader::take(size_t n) {
  if (release_) {
    buf_.clear();
    buf_off_ = 0;
    release_ = false;
  }
  if (n == 0) return {};
  if (buf_off_ < buf_.size()) {
    size_t k = std::min(n, buf_.size() - buf_off_);
    std::string_view out = std::string_view(buf_).substr(buf_off_, k);
    buf_off_ += k;
    return out;
  }
  std::string_view r = rest();
  size_t k = std::min(n, r.size());
  off_ += k;
  return r.substr(0, k);
}

}  // namespace trawl::proto::text
