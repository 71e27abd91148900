// TableWriter: writes rows of a fixed schema as aligned text, CSV, JSON Lines or Zeek TSV.
//
// A record type declares its columns once (name, type, text width); the same declaration drives every
// format, so the formats cannot drift apart. Values are added left to right, then end_row(). Output is
// buffered and written in large blocks; nothing is allocated per row once the buffer has grown.
#pragma once

#include <cstdint>
#include <cstdio>
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

// Where the bytes go: a FILE* that the caller owns (stdout or an opened file).
class TableWriter {
 public:
  TableWriter(std::FILE* out, Format format, std::span<const Column> columns, std::string_view zeek_path = {});
  ~TableWriter();
  TableWriter(const TableWriter&) = delete;
  TableWriter& operator=(const TableWriter&) = delete;

  // Header line(s): the text header, the CSV header, or Zeek's #fields/#types block. JSONL has none.
  void write_header();

  void add(std::string_view value);              // kString
  void add_count(uint64_t value);                // kCount, kPort
  void add_int(int64_t value);                   // kInt
  void add_time(int64_t ts_ns);                  // kTime: epoch seconds with 6 decimals
  void add_interval_ns(int64_t ns);              // kInterval, kDouble: seconds with 6 decimals, rounded to the microsecond
  void add_addr(const IpAddress& a);             // kAddr
  void add_bool(bool value);
  void add_json(std::string_view raw_json);      // kJson: an already-encoded JSON value (array, object)
  void add_null();                               // JSON null, empty CSV cell, "-" in text and Zeek
  void end_row();

  // Writes Zeek's #close line (Zeek format only) and flushes.
  void finish();
  void flush();

 private:
  void begin_value() {
    if (format_ == Format::kJsonl && col_ < json_keys_.size()) buf_.append(json_keys_[col_]);
    else begin_value_slow();
  }
  void end_value(size_t start) {
    if (format_ == Format::kText) pad_text(start);
    ++col_;
  }
  void begin_value_slow();
  void pad_text(size_t start);
  void append_csv_string(std::string_view s);

  std::FILE* out_;
  Format format_;
  std::span<const Column> columns_;
  std::string zeek_path_;
  std::vector<std::string> json_keys_;  // JSONL: `{"name":` for the first column, `,"name":` for the others
  TextBuffer buf_;
  size_t col_ = 0;
  bool finished_ = false;
};

// Appends s to out as a JSON string literal (quotes included); invalid UTF-8 bytes become \u00XX escapes
// of their byte value so the output is always valid JSON.
void append_json_string(fmt::memory_buffer& out, std::string_view s);
void append_json_string(TextBuffer& out, std::string_view s);

}  // namespace trawl::output
