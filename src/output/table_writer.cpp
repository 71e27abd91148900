#include "output/table_writer.h"

#include <cstring>
#include <type_traits>

namespace trawl::output {

namespace {
std::string_view zeek_type(ColumnType t) {
  switch (t) {
    case ColumnType::kString: return "string";
    case ColumnType::kCount: return "count";
    case ColumnType::kInt: return "int";
    case ColumnType::kDouble: return "double";
    case ColumnType::kTime: return "time";
    case ColumnType::kInterval: return "interval";
    case ColumnType::kAddr: return "addr";
    case ColumnType::kPort: return "port";
    case ColumnType::kBool: return "bool";
    case ColumnType::kJson: return "string";
  }
  return "string";
}

// Length of the valid UTF-8 sequence starting at s[i], or 0 if it is not valid.
size_t utf8_sequence(std::string_view s, size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return 0;
  if (n == 2 && c < 0xc2) return 0;  // overlong
  return n;
}
}  // namespace

bool parse_format(std::string_view name, Format& out) {
  if (name == "text") out = Format::kText;
  else if (name == "csv") out = Format::kCsv;
  else if (name == "jsonl" || name == "json") out = Format::kJsonl;
  else if (name == "zeek") out = Format::kZeek;
  else return false;
  return true;
}

namespace {

template <typename Buffer>
void append_json_string_to(Buffer& out, std::string_view s) {
  if constexpr (std::is_same_v<Buffer, TextBuffer>) {
    if (json_scan::is_plain_ascii(s)) {  // the common case: quotes around a copy
      char* d = out.reserve(s.size() + 2);
      d[0] = '"';
      TextBuffer::copy_small(d + 1, s.data(), s.size());
      d[s.size() + 1] = '"';
      out.advance(s.size() + 2);
      return;
    }
  }
  out.push_back('"');
  for (size_t i = 0; i < s.size();) {
    // Copy the run of plain printable ASCII in one go: most strings are nothing else.
    size_t run = i;
    for (uint64_t w; run + 8 <= s.size(); run += 8) {
      std::memcpy(&w, s.data() + run, 8);
      if (json_scan::needs_care(w)) break;
    }
    while (run < s.size()) {
      auto c = static_cast<unsigned char>(s[run]);
      if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') break;
      ++run;
    }
    if (run > i) {
      out.append(s.substr(i, run - i));
      i = run;
      if (i == s.size()) break;
    }
    auto c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(char(c));
      ++i;
    } else if (c < 0x20) {
      switch (c) {
        case '\n': out.append(std::string_view("\\n")); break;
        case '\r': out.append(std::string_view("\\r")); break;
        case '\t': out.append(std::string_view("\\t")); break;
        default: fmt::format_to(std::back_inserter(out), "\\u{:04x}", c);
      }
      ++i;
    } else if (size_t n = utf8_sequence(s, i)) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      fmt::format_to(std::back_inserter(out), "\\u{:04x}", c);  // a stray byte keeps its value
      ++i;
    }
  }
  out.push_back('"');
}
}  // namespace

void append_json_string(fmt::memory_buffer& out, std::string_view s) { append_json_string_to(out, s); }
void append_json_string(TextBuffer& out, std::string_view s) { append_json_string_to(out, s); }

namespace {
// append_json_string_to's output written through a pointer into memory reserved beforehand.
struct PointerOutput {
  using value_type = char;  // for std::back_inserter (fmt::format_to)
  char* p;
  void push_back(char c) { *p++ = c; }
  void append(std::string_view s) {
    std::memcpy(p, s.data(), s.size());
    p += s.size();
  }
};
}  // namespace

char* put_json_string_slow(char* d, std::string_view s) {
  PointerOutput out{d};
  append_json_string_to(out, s);
  return out.p;
}

TableWriter::TableWriter(std::FILE* out, Format format, std::span<const Column> columns, std::string_view zeek_path)
    : out_(out), format_(format), columns_(columns), zeek_path_(zeek_path) {
  if (format_ != Format::kJsonl) return;
  // Every JSON line repeats the keys: encode them once, with their separators, as `{"ts":` and `,"uid":`.
  for (size_t i = 0; i < columns_.size(); ++i) {
    fmt::memory_buffer key;
    key.push_back(i == 0 ? '{' : ',');
    output::append_json_string(key, columns_[i].name);
    key.push_back(':');
    json_keys_.emplace_back(key.data(), key.size());
  }
  for (const auto& key : json_keys_) {
    if (key.size() > sizeof(JsonKey::text)) break;
    JsonKey& k = json_fast_keys_.emplace_back();
    std::memcpy(k.text, key.data(), key.size());
    k.len = uint8_t(key.size());
  }
}

TableWriter::~TableWriter() { flush(); }

void TableWriter::write_header() {
  auto it = std::back_inserter(buf_);
  switch (format_) {
    case Format::kJsonl: break;
    case Format::kCsv:
      for (size_t i = 0; i < columns_.size(); ++i) {
        if (i) buf_.push_back(',');
        append_csv_string(columns_[i].name);
      }
      buf_.push_back('\n');
      break;
    case Format::kText:
      for (size_t i = 0; i < columns_.size(); ++i) {
        const auto& c = columns_[i];
        int w = c.text_width < 0 ? -c.text_width : c.text_width;
        if (i + 1 == columns_.size()) fmt::format_to(it, "{}", c.name);
        else if (c.text_width < 0) fmt::format_to(it, "{:>{}} ", c.name, w);
        else fmt::format_to(it, "{:<{}} ", c.name, w);
      }
      buf_.push_back('\n');
      break;
    case Format::kZeek:
      fmt::format_to(it, "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\t{}\n",
                     zeek_path_);
      buf_.append(std::string_view("#fields"));
      for (const auto& c : columns_) fmt::format_to(it, "\t{}", c.name);
      buf_.append(std::string_view("\n#types"));
      for (const auto& c : columns_) fmt::format_to(it, "\t{}", zeek_type(c.type));
      buf_.push_back('\n');
      break;
  }
}

void TableWriter::begin_value_slow() {
  if (format_ == Format::kJsonl) {
    // A value beyond the declared columns is a bug in its record type; keep the line valid JSON anyway.
    buf_.append(col_ < json_keys_.size() ? std::string_view(json_keys_[col_]) : std::string_view(col_ ? ",\"extra\":" : "{\"extra\":"));
    return;
  }
  if (col_ > 0) buf_.push_back(format_ == Format::kCsv ? ',' : format_ == Format::kZeek ? '\t' : ' ');
}

// Pads text columns to their width (the last column is never padded).
void TableWriter::pad_text(size_t start) {
  if (col_ + 1 < columns_.size()) {
    int w = columns_[col_].text_width;
    size_t width = size_t(w < 0 ? -w : w);
    size_t len = buf_.size() - start;
    if (len < width) {
      size_t pad = width - len;
      if (w < 0) {  // right-align: shift the value right
        buf_.resize(buf_.size() + pad);
        char* p = buf_.data() + start;
        std::memmove(p + pad, p, len);
        std::memset(p, ' ', pad);
      } else {
        for (size_t i = 0; i < pad; ++i) buf_.push_back(' ');
      }
    }
  }
}

void TableWriter::append_csv_string(std::string_view s) {
  if (s.find_first_of(",\"\n\r") == std::string_view::npos) {
    buf_.append(s);
    return;
  }
  buf_.push_back('"');
  for (char c : s) {
    if (c == '"') buf_.push_back('"');
    buf_.push_back(c);
  }
  buf_.push_back('"');
}

void TableWriter::add_other(std::string_view value) {
  begin_value();
  size_t start = buf_.size();
  switch (format_) {
    case Format::kJsonl: output::append_json_string(buf_, value); break;
    case Format::kCsv: append_csv_string(value); break;
    case Format::kZeek:
      if (value.empty()) {
        buf_.append(std::string_view("(empty)"));
      } else {
        for (char c : value) {  // Zeek escapes its separator and non-printables as \xNN
          auto u = static_cast<unsigned char>(c);
          if (c == '\t' || c == '\\' || u < 0x20 || u == 0x7f) fmt::format_to(std::back_inserter(buf_), "\\x{:02x}", u);
          else buf_.push_back(c);
        }
      }
      break;
    case Format::kText: buf_.append(value.empty() ? std::string_view("-") : value); break;
  }
  end_value(start);
}

void TableWriter::add_count_other(uint64_t value) {
  begin_value();
  size_t start = buf_.size();
  buf_.append_decimal(value);
  end_value(start);
}

void TableWriter::add_int(int64_t value) {
  begin_value();
  size_t start = buf_.size();
  if (value < 0) buf_.push_back('-');
  buf_.append_decimal(value < 0 ? uint64_t(-(value + 1)) + 1 : uint64_t(value));
  end_value(start);
}

namespace {
constexpr char kDigitPairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

// ".dddddd": the six decimals of a count of microseconds, two digits at a time.
char* put_fraction(char* d, uint64_t us) {
  auto f = uint32_t(us % 1'000'000);
  d[0] = '.';
  std::memcpy(d + 1, kDigitPairs + 2 * (f / 10000), 2);
  std::memcpy(d + 3, kDigitPairs + 2 * (f / 100 % 100), 2);
  std::memcpy(d + 5, kDigitPairs + 2 * (f % 100), 2);
  return d + 7;
}

// Seconds with exactly six decimals from a count of microseconds, in integer arithmetic (a double would
// round large epochs).
char* put_micros(char* d, bool negative, uint64_t us) {
  if (negative) *d++ = '-';
  return put_fraction(TextBuffer::put_decimal(d, us / 1'000'000), us);
}
uint64_t magnitude(int64_t v) { return v < 0 ? uint64_t(-(v + 1)) + 1 : uint64_t(v); }
}  // namespace

char* TableWriter::put_time(char* d, int64_t ts_ns) {
  if (ts_ns < 0) return put_micros(d, true, magnitude(ts_ns) / 1000);  // sub-microsecond digits truncated toward zero
  // Records come in time order, so most share the seconds of the one before: keep their digits.
  uint64_t us = uint64_t(ts_ns) / 1000;
  uint64_t sec = us / 1'000'000;
  if (sec != time_sec_ || time_sec_len_ == 0) {
    time_sec_ = sec;
    time_sec_len_ = uint8_t(TextBuffer::put_decimal(time_sec_text_, sec) - time_sec_text_);
  }
  TextBuffer::copy_small(d, time_sec_text_, time_sec_len_);
  return put_fraction(d + time_sec_len_, us);
}

char* TableWriter::put_interval(char* d, int64_t ns) {
  return put_micros(d, ns < 0, (magnitude(ns) + 500) / 1000);  // rounded, as "{:.6f}" of the seconds
}

void TableWriter::add_time(int64_t ts_ns) {
  begin_value();
  size_t start = buf_.size();
  char* d = buf_.reserve(32);
  buf_.advance(size_t(put_time(d, ts_ns) - d));
  end_value(start);
}

void TableWriter::add_interval_ns(int64_t ns) {
  begin_value();
  size_t start = buf_.size();
  char* d = buf_.reserve(32);
  buf_.advance(size_t(put_interval(d, ns) - d));
  end_value(start);
}

void TableWriter::add_addr(const IpAddress& a) {
  if (json_fast()) {  // JSONL: key and quoted address formatted in place (no address: null, below)
    char* d = buf_.reserve(sizeof(JsonKey::text) + 64);
    char* p = put_json_key(d);
    if (size_t n = a.format(p + 1)) {
      p[0] = '"';
      p[n + 1] = '"';
      buf_.advance(size_t(p + n + 2 - d));
      ++col_;
      return;
    }
  }
  begin_value();
  size_t start = buf_.size();
  char text[64];
  size_t n = a.format(text);
  if (n == 0) {
    buf_.append(format_ == Format::kJsonl ? std::string_view("null") : format_ == Format::kCsv ? std::string_view("") : std::string_view("-"));
  } else if (format_ == Format::kJsonl) {
    buf_.push_back('"');
    buf_.append(std::string_view(text, n));
    buf_.push_back('"');
  } else {
    buf_.append(std::string_view(text, n));
  }
  end_value(start);
}

void TableWriter::add_bool(bool value) {
  begin_value();
  size_t start = buf_.size();
  if (format_ == Format::kZeek) buf_.push_back(value ? 'T' : 'F');
  else buf_.append(value ? std::string_view("true") : std::string_view("false"));
  end_value(start);
}

void TableWriter::add_json(std::string_view raw_json) {
  begin_value();
  size_t start = buf_.size();
  if (format_ == Format::kJsonl) buf_.append(raw_json);
  else if (format_ == Format::kCsv) append_csv_string(raw_json);
  else buf_.append(raw_json.empty() ? std::string_view("-") : raw_json);
  end_value(start);
}

void TableWriter::add_null() {
  begin_value();
  size_t start = buf_.size();
  if (format_ == Format::kJsonl) buf_.append(std::string_view("null"));
  else if (format_ != Format::kCsv) buf_.push_back('-');
  end_value(start);
}

void TableWriter::end_row() {
  if (format_ == Format::kJsonl) buf_.push_back('}');
  buf_.push_back('\n');
  col_ = 0;
  if (tap_) tap_->on_row(std::string_view(buf_.data() + row_start_, buf_.size() - row_start_));
  row_start_ = buf_.size();
  if (buf_.size() >= kFlushAt) flush();
}

void TableWriter::flush() {
  if (buf_.size()) {
    std::fwrite(buf_.data(), 1, buf_.size(), out_);
    buf_.clear();
  }
  row_start_ = 0;
}

void TableWriter::finish() {
  if (finished_) return;
  finished_ = true;
  if (format_ == Format::kZeek) buf_.append(std::string_view("#close\n"));
  flush();
  std::fflush(out_);
}

}  // namespace trawl::output
