// TableWriter: writes rows of a fixed schema as aligned text, CSV, JSON Lines or Zeek TSV.
//
// A record type declares its columns once (name, type, text width); the same declaration drives every
// format, so the formats cannot drift apart. Values are added left to right, then end_row(). Output is
// buffered and written in large blocks; nothing is allocated per row once the buffer has grown.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "output/text_buffer.h"
#include "util/ip_address.h"

namespace trawl::output {

enum class Format : uint8_t { kText, kCsv, kJsonl, kZeek };
// Parses "text", "csv", "jsonl" (also "json"), "zeek"; false when unknown.
bool parse_format(std::string_view name, Format& out);

enum class ColumnType : uint8_t {
  kString, kCount, kInt, kDouble, kTime, kInterval, kAddr, kPort, kBool, kJson
};

struct Column {
  std::string_view name;
  ColumnType type;
  int text_width = 0;  // minimum width in text format (negative: right-aligned)
};

namespace json_scan {
// True when one of the 8 bytes of w needs escaping in JSON or starts a UTF-8 sequence: a control
// character, a byte >= 0x80, '"' or '\\' (SWAR: a byte-wise compare of 8 bytes at once).
inline bool needs_care(uint64_t w) {
  constexpr uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
  auto has_zero = [](uint64_t x) { return (x - kOnes) & ~x & kHigh; };
  return ((w - kOnes * 0x20) & ~w & kHigh) | (w & kHigh) | has_zero(w ^ (kOnes * '"')) | has_zero(w ^ (kOnes * '\\'));
}

// True when s is all plain printable ASCII (nothing to escape), eight bytes per test: longer strings
// end with a word overlapping the one before; shorter ones are gathered into one word with overlapping
// loads (every byte lands in it at least once) and padded with spaces.
[[gnu::always_inline]] inline bool is_plain_ascii(std::string_view s) {
  size_t n = s.size();
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  uint64_t w = 0x2020202020202020ull;
  if (n >= 8) {
    for (size_t i = 0; i + 8 < n; i += 8) {
      std::memcpy(&w, p + i, 8);
      if (needs_care(w)) return false;
    }
    std::memcpy(&w, p + n - 8, 8);
  } else if (n >= 4) {
    uint32_t a, b;
    std::memcpy(&a, p, 4);
    std::memcpy(&b, p + n - 4, 4);
    w = a | uint64_t(b) << 32;
  } else if (n > 0) {
    w = (w << 24) | uint64_t(p[0]) | uint64_t(p[n / 2]) << 8 | uint64_t(p[n - 1]) << 16;
  }
  return !needs_care(w);
}
}  // namespace json_scan

// Writes s at d as a JSON string literal, quotes included (d needs room for 6 * s.size() + 2 bytes);
// returns its end. Same bytes as append_json_string.
char* put_json_string_slow(char* d, std::string_view s);
[[gnu::always_inline]] inline char* put_json_string(char* d, std::string_view s) {
  if (!json_scan::is_plain_ascii(s)) return put_json_string_slow(d, s);
  *d++ = '"';
  TextBuffer::copy_small(d, s.data(), s.size());
  d += s.size();
  *d++ = '"';
  return d;
}

// Writes the N - 1 characters of a string literal at d (a fixed-size copy); returns their end.
template <size_t N>
[[gnu::always_inline]] inline char* put_literal(char* d, const char (&s)[N]) {
  std::memcpy(d, s, N - 1);
  return d + N - 1;
}

// Sees every row a TableWriter finishes, as its bytes (a JSONL line, newline included), valid during the
// call: detection inside `trawl analyze` takes records this way instead of reading the files back.
class RowTap {
 public:
  virtual void on_row(std::string_view row) = 0;

 protected:
  ~RowTap() = default;
};

// Hands out the tap for a record type, or null when nobody wants that type.
class RowTaps {
 public:
  virtual RowTap* tap(std::string_view type) = 0;

 protected:
  ~RowTaps() = default;
};

// Where the bytes go: a FILE* that the caller owns (stdout or an opened file).
class TableWriter {
 public:
  TableWriter(std::FILE* out, Format format, std::span<const Column> columns, std::string_view zeek_path = {});
  ~TableWriter();
  TableWriter(const TableWriter&) = delete;
  TableWriter& operator=(const TableWriter&) = delete;

  // Header line(s): the text header, the CSV header, or Zeek's #fields/#types block. JSONL has none.
  void write_header();

  void add(std::string_view value) {             // kString
    if (json_fast() && json_scan::is_plain_ascii(value)) {  // JSONL, nothing to escape: key, quotes, copy
      char* d = buf_.reserve(sizeof(JsonKey::text) + value.size() + 2);
      char* p = put_json_key(d);
      *p++ = '"';
      TextBuffer::copy_small(p, value.data(), value.size());
      p += value.size();
      *p++ = '"';
      buf_.advance(size_t(p - d));
      ++col_;
      return;
    }
    add_other(value);
  }
  void add_count(uint64_t value) {               // kCount, kPort
    if (json_fast()) {  // JSONL (the bulk of conn.jsonl): key and digits in one reservation, inline
      char* d = buf_.reserve(sizeof(JsonKey::text) + 20);
      buf_.advance(size_t(TextBuffer::put_decimal(put_json_key(d), value) - d));
      ++col_;
      return;
    }
    add_count_other(value);
  }
  void add_int(int64_t value);                   // kInt
  void add_time(int64_t ts_ns);                  // kTime: epoch seconds with 6 decimals
  void add_interval_ns(int64_t ns);              // kInterval, kDouble: seconds with 6 decimals, rounded to the microsecond
  void add_addr(const IpAddress& a);             // kAddr
  void add_bool(bool value);
  void add_json(std::string_view raw_json);      // kJson: an already-encoded JSON value (array, object)
  void add_null();                               // JSON null, empty CSV cell, "-" in text and Zeek
  void end_row();

  // For a writer that formats whole JSONL rows itself (conn.jsonl, the bulk of analyze's output):
  // row_space(n) is room for n bytes at the end of the output, commit_row(end) keeps what was written
  // there up to end (the row's "}\n" included). The put_* helpers write a column's value as add_* would.
  char* row_space(size_t n) { return buf_.reserve(n); }
  void commit_row(char* end) {  // (no tap: conn records reach detection as a flow sink)
    buf_.advance(size_t(end - (buf_.data() + buf_.size())));
    row_start_ = buf_.size();
    if (buf_.size() >= kFlushAt) flush();
  }
  char* put_time(char* d, int64_t ts_ns);          // room for 32 bytes
  static char* put_interval(char* d, int64_t ns);  // room for 32 bytes

  void set_tap(RowTap* tap) { tap_ = tap; }

  // Writes Zeek's #close line (Zeek format only) and flushes.
  void finish();
  void flush();

 private:
  [[gnu::always_inline]] void begin_value() {
    if (json_fast()) {
      char* d = buf_.reserve(sizeof(JsonKey::text));
      buf_.advance(size_t(put_json_key(d) - d));
    } else {
      begin_value_slow();
    }
  }
  // JSONL with a declared column whose key fits a fixed slot: the key is one 31-byte copy.
  [[gnu::always_inline]] bool json_fast() const { return col_ < json_fast_keys_.size(); }
  // Writes the current column's key at d (room for 31 bytes); returns its end. Needs json_fast().
  [[gnu::always_inline]] char* put_json_key(char* d) const {
    const JsonKey& k = json_fast_keys_[col_];
    std::memcpy(d, k.text, sizeof k.text);
    return d + k.len;
  }
  [[gnu::always_inline]] void end_value(size_t start) {
    if (format_ == Format::kText) pad_text(start);
    ++col_;
  }
  void begin_value_slow();
  void add_count_other(uint64_t value);
  void add_other(std::string_view value);
  void pad_text(size_t start);
  void append_csv_string(std::string_view s);

  static constexpr size_t kFlushAt = 1 << 16;

  std::FILE* out_;
  Format format_;
  std::span<const Column> columns_;
  std::string zeek_path_;
  std::vector<std::string> json_keys_;  // JSONL: `{"name":` for the first column, `,"name":` for the others
  struct JsonKey {  // 32 bytes: indexing is a shift
    char text[31];
    uint8_t len;
  };
  // The same keys in fixed slots, for the leading columns whose keys fit (all of them in practice);
  // empty unless JSONL.
  std::vector<JsonKey> json_fast_keys_;
  TextBuffer buf_;
  size_t col_ = 0;
  RowTap* tap_ = nullptr;
  size_t row_start_ = 0;  // where the row being written starts in buf_
  bool finished_ = false;
  uint64_t time_sec_ = 0;    // add_time(): the seconds last written, and their digits
  char time_sec_text_[20];
  uint8_t time_sec_len_ = 0;
};

// Appends s to out as a JSON string literal (quotes included); invalid UTF-8 bytes become \u00XX escapes
// of their byte value so the output is always valid JSON.
void append_json_string(fmt::memory_buffer& out, std::string_view s);
void append_json_string(TextBuffer& out, std::string_view s);

}  // namespace trawl::output
