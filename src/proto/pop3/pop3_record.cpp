#include "proto/pop3/pop3_record.h"

#include <array>

#include <fmt/format.h>

namespace trawl::proto::pop3 {

namespace {
using CT = output::ColumnType;
constexpr output::Column kOwn[] = {
    {"banner", CT::kString, 0},         {"tls", CT::kBool, 5},           {"user", CT::kString, 0},
    {"auth_attempts", CT::kCount, -3},  {"auth_success", CT::kBool, 5},  {"mailbox_messages", CT::kInt, -5},
    {"mailbox_bytes", CT::kInt, -9},    {"stat", CT::kCount, -3},        {"list", CT::kCount, -3},
    {"retr", CT::kCount, -3},           {"top", CT::kCount, -3},         {"dele", CT::kCount, -3},
    {"retr_bytes", CT::kCount, -9},     {"commands", CT::kJson, 0},      {"anomalies", CT::kJson, 0},
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

const RecordType Pop3Record::kType{"pop3", kColumns};

void Pop3Record::write(output::TableWriter& w, const WriteOptions&) const {
  origin.write(w);
  if (banner.empty()) w.add_null();
  else w.add(banner);
  w.add_bool(tls);
  if (user.empty()) w.add_null();
  else w.add(user);
  w.add_count(auth_attempts);
  w.add_bool(auth_success);
  if (mailbox_messages < 0) w.add_null();
  else w.add_int(mailbox_messages);
  if (mailbox_bytes < 0) w.add_null();
  else w.add_int(mailbox_bytes);
  w.add_count(stat);
  w.add_count(list);
  w.add_count(retr);
  w.add_count(top);
  w.add_count(dele);
  w.add_count(retr_bytes);
  add_strings(w, commands);
  add_strings(w, anomalies);
  w.end_row();
}

}  // namespace trawl::proto::pop3
