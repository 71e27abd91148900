// Record: what an analyzer emits. Every record type declares its columns once (output/table_writer.h);
// the same declaration drives JSON Lines, CSV, Zeek TSV and later the case database.
#pragma once

#include <array>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "output/table_writer.h"
#include "proto/analyzer.h"

namespace trawl::proto {

struct RecordType {
  std::string_view name;                   // file stem: "dns" -> dns.jsonl
  std::span<const output::Column> columns; // all columns, the common ones first (kCommonColumns)
};

// The columns every record starts with: when, which connection, and the packet that completed it.
inline constexpr output::Column kCommonColumns[] = {
    {"ts", output::ColumnType::kTime, 17},  {"uid", output::ColumnType::kString, 13},
    {"src", output::ColumnType::kAddr, 15}, {"sport", output::ColumnType::kPort, -5},
    {"dst", output::ColumnType::kAddr, 15}, {"dport", output::ColumnType::kPort, -5},
    {"file", output::ColumnType::kString, 0}, {"frame", output::ColumnType::kCount, -6},
};

// A record type's columns: the common ones, then its own.
template <size_t N>
constexpr auto with_common_columns(const output::Column (&own)[N]) {
  std::array<output::Column, std::size(kCommonColumns) + N> c{};
  size_t i = 0;
  for (const auto& col : kCommonColumns) c[i++] = col;
  for (const auto& col : own) c[i++] = col;
  return c;
}

// A string column that is null when the string is empty.
inline void add_or_null(output::TableWriter& w, std::string_view s) {
  if (s.empty()) w.add_null();
  else w.add(s);
}

// Adds an anomaly token to a record's list once; the list is bounded against hostile input.
inline void add_anomaly(std::vector<std::string>& anomalies, std::string_view token, size_t cap = 16) {
  for (const auto& a : anomalies)
    if (a == token) return;
  if (anomalies.size() < cap) anomalies.emplace_back(token);
}

// Writes a list of strings as one kJson column: a JSON array ([] when empty).
template <typename Strings>
void add_json_strings(output::TableWriter& w, const Strings& items) {
  fmt::memory_buffer buf;
  buf.push_back('[');
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) buf.push_back(',');
    output::append_json_string(buf, items[i]);
  }
  buf.push_back(']');
  w.add_json(std::string_view(buf.data(), buf.size()));
}

// Values of the common columns. file_name is the capture file's name (not its path).
struct RecordOrigin {
  int64_t ts_ns = 0;
  std::string_view uid;
  IpAddress src, dst;
  uint16_t sport = 0, dport = 0;
  std::string_view file_name;
  uint64_t frame = 0;

  void write(output::TableWriter& w) const;
};

// Choices the user makes about how records are written.
struct WriteOptions {
  bool show_passwords = false;  // otherwise passwords are written as "len:N sha256:XXXXXXXX" (8 hex digits)
};

class Record {
 public:
  virtual ~Record() = default;
  virtual const RecordType& type() const = 0;
  // Writes every column of type().columns in order, the common ones first.
  virtual void write(output::TableWriter& w, const WriteOptions& options) const = 0;
};

class RecordSink {
 public:
  virtual ~RecordSink() = default;
  virtual void emit(const Record& record) = 0;
};

}  // namespace trawl::proto
