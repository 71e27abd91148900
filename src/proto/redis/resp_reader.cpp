#include "proto/redis/resp_reader.h"

#include <algorithm>

namespace trawl::proto::redis {

namespace {
// A RESP length or count: optional '-', then digits (-1 means null).
bool parse_count(std::string_view s, int64_t& v) {
  bool neg = !s.empty() && s[0] == '-';
  if (neg) s.remove_prefix(1);
  if (s.empty() || s.size() > 12) return false;
  int64_t n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + (c - '0');
  }
  v = neg ? -n : n;
  return true;
}
}  // namespace

std::string& RespValue::slot(size_t i) {
  if (items.size() <= i) items.resize(i + 1);
  for (; kept <= i; ++kept) items[kept].clear();
  return items[i];
}

void RespValue::reset(char t) {
  type = t;
  count = 0;
  kept = 0;
}

void split_inline(std::string_view line, RespValue& out) {
  out.reset(0);
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i >= line.size()) break;
    std::string* arg = out.count < RespReader::kKeptItems ? &out.slot(size_t(out.count)) : nullptr;
    char quote = line[i] == '"' || line[i] == '\'' ? line[i] : 0;
    if (quote) ++i;
    while (i < line.size()) {
      char c = line[i];
      if (quote ? c == quote : (c == ' ' || c == '\t')) break;
      if (quote == '"' && c == '\\' && i + 1 < line.size()) c = line[++i];
      if (arg && arg->size() < RespReader::kMaxItem) arg->push_back(c);
      ++i;
    }
    if (quote && i < line.size()) ++i;
    ++out.count;
  }
}

int RespReader::item_slot() const {
  // The top-level string itself, or an element of the top-level array.
  if (stack_.empty()) return 0;
  if (stack_.size() == 1 && !stack_[0].attribute && stack_[0].done < kKeptItems) return int(stack_[0].done);
  return -1;
}

void RespReader::keep(RespValue& out, int slot, std::string_view text) {
  if (slot < 0) return;
  std::string& s = out.slot(size_t(slot));
  s.append(text.substr(0, kMaxItem - std::min(kMaxItem, s.size())));
}

bool RespReader::element_done() {
  while (!stack_.empty()) {
    Frame& f = stack_.back();
    if (++f.done < f.total) return false;
    bool attribute = f.attribute;
    stack_.pop_back();
    // An attribute describes the value after it: that value, not the attribute, fills the slot.
    if (attribute) {
      if (stack_.empty()) started_ = false;
      return false;
    }
  }
  started_ = false;
  return true;
}

bool RespReader::next(RespValue& out) {
  while (!broken_) {
    if (bulk_left_ || bulk_crlf_) {
      std::string_view t = lines_.take(size_t(std::min<uint64_t>(bulk_left_ ? bulk_left_ : bulk_crlf_, 1 << 20)));
      if (t.empty()) return false;
      if (bulk_left_) {
        keep(out, bulk_slot_, t);
        bulk_left_ -= t.size();
      } else {
        bulk_crlf_ -= t.size();
        if (!bulk_crlf_ && element_done()) return true;
      }
      continue;
    }
    auto l = lines_.next_line();
    if (!l) return false;
    std::string_view line = l->text;
    if (!started_) {
      if (line.empty()) continue;  // stray line ends between values
      out.reset(line[0]);
      out.count = 1;
      started_ = true;
    }
    char type = line.empty() ? 0 : line[0];
    int64_t n = 0;
    switch (type) {
      case '*': case '~': case '>': case '%': case '|': {
        if (!parse_count(line.substr(1), n) || stack_.size() >= kMaxDepth) {
          broken_ = true;
          return false;
        }
        bool pairs = type == '%' || type == '|';
        if (stack_.empty() && type != '|') out.count = n > 0 ? uint64_t(n) : 0;
        if (n <= 0) {
          if (element_done()) return true;
          break;
        }
        stack_.push_back({uint64_t(n) * (pairs ? 2 : 1), 0, type == '|'});
        break;
      }
      case '$': case '=': case '!': {
        if (!parse_count(line.substr(1), n) || n < -1) {
          broken_ = true;
          return false;
        }
        if (n == -1) {
          if (stack_.empty()) out.count = 0;
          if (element_done()) return true;
          break;
        }
        bulk_slot_ = item_slot();
        keep(out, bulk_slot_, {});
        bulk_left_ = uint64_t(n);
        bulk_crlf_ = 2;
        break;
      }
      case '+': case '-': case ':': case '_': case ',': case '#': case '(':
        keep(out, item_slot(), line.substr(1));
        if (element_done()) return true;
        break;
      default:
        if (!stack_.empty()) {
          broken_ = true;
          return false;
        }
        // Not a RESP type byte at the top level: an inline command.
        split_inline(line, out);
        started_ = false;
        if (out.count) return true;
        break;
    }
  }
  return false;
}

}  // namespace trawl::proto::redis
