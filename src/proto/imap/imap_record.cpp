#include "proto/imap/imap_record.h"

#include <array>

#include <fmt/format.h>

namespace trawl::proto::imap {

namespace {
using CT = output::ColumnType;
constexpr output::Column kOwn[] = {
    {"banner", CT::kString, 0},        {"tls", CT::kBool, 5},          {"user", CT::kString, 0},
    {"auth_attempts", CT::kCount, -3}, {"auth_success", CT::kBool, 5}, {"commands", CT::kJson, 0},
    {"mailboxes", CT::kJson, 0},       {"anomalies", CT::kJson, 0},
};
constexpr auto kColumns = [] {
  std::array<output::Column, std::size(kCommonColumns) + std::size(kOwn)> c{};
  size_t i = 0;
  for (const auto& col : kCommonColumns) c[i++] = col;
  for (const auto& col : kOwn) c[i++] = col;
  return c;
}();

void add_strings(output::TableWriter& w, const std::vector<std::string>& v) {
  fmt::memory_buffer buf;
  buf.push_back('[');
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) buf.push_back(',');
    output::append_json_string(buf, v[i]);
  }
  buf.push_back(']');
  w.add_json(std::string_view(buf.data(), buf.size()));
}
}  // namespace

const RecordType ImapRecord::kType{"imap", kColumns};

void ImapRecord::write(output::TableWriter& w, const WriteOptions&) const {
  origin.write(w);
  if (banner.empty()) w.add_null();
  else w.add(banner);
  w.add_bool(tls);
  if (user.empty()) w.add_null();
  else w.add(user);
  w.add_count(auth_attempts);
  w.add_bool(auth_success);
  add_strings(w, commands);
  add_strings(w, mailboxes);
  add_strings(w, anomalies);
  w.end_row();
}

}  // namespace trawl::proto::imap
