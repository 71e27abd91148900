#include "proto/smb/smb_record.h"

#include <algorithm>
namespace trawl::proto::smb {

namespace {
using CT = output::ColumnType;
constexpr output::Column kOwn[] = {
    {"version", CT::kCount, 1},      {"command", CT::kString, 18},    {"status", CT::kString, 10},
    {"status_name", CT::kString, 24}, {"message_id", CT::kCount, -6}, {"tree", CT::kString, 20},
    {"name", CT::kString, 20},       {"pipe", CT::kString, 8},        {"dialects", CT::kJson, 0},
    {"dialect", CT::kString, 8},     {"pid_high", CT::kCount, -5},    {"user", CT::kString, 12},
    {"domain", CT::kString, 10},     {"workstation", CT::kString, 10}, {"auth", CT::kString, 8},
    {"subcommand", CT::kString, 14}, {"fid", CT::kCount, -5},         {"rpc_uuid", CT::kString, 36},
    {"rpc_interface", CT::kString, 8}, {"rpc_opnum", CT::kCount, -3}, {"rpc_operation", CT::kString, 16},
    {"rpc_arg", CT::kString, 0},     {"bytes", CT::kCount, -8},       {"notes", CT::kJson, 0},
};
constexpr auto kColumns = with_common_columns(kOwn);

template <typename T>
void add_count_or_null(output::TableWriter& w, const std::optional<T>& v) {
  if (v) w.add_count(*v);
  else w.add_null();
}
template <typename Strings>
void add_string_array(output::TableWriter& w, const Strings& items) {
  if (items.empty()) w.add_null();
  else add_json_strings(w, items);
}
}  // namespace

const RecordType SmbRecord::kType{"smb", kColumns};

void SmbRecord::note(std::string_view token) {
  if (!has_note(token)) notes.push_back(token);
}
bool SmbRecord::has_note(std::string_view token) const {
  return std::find(notes.begin(), notes.end(), token) != notes.end();
}

void SmbRecord::write(output::TableWriter& w, const WriteOptions&) const {
  origin.write(w);
  if (version) w.add_count(version);
  else w.add_null();
  add_or_null(w, command);
  if (status) w.add(fmt::format("0x{:08x}", *status));
  else w.add_null();
  add_or_null(w, status_name);
  add_count_or_null(w, message_id);
  add_or_null(w, tree);
  add_or_null(w, name);
  add_or_null(w, pipe);
  add_string_array(w, dialects);
  add_or_null(w, dialect);
  add_count_or_null(w, pid_high);
  add_or_null(w, user);
  add_or_null(w, domain);
  add_or_null(w, workstation);
  add_or_null(w, auth);
  add_or_null(w, subcommand);
  add_count_or_null(w, fid);
  add_or_null(w, rpc_uuid);
  add_or_null(w, rpc_interface);
  add_count_or_null(w, rpc_opnum);
  add_or_null(w, rpc_operation);
  add_or_null(w, rpc_arg);
  add_count_or_null(w, bytes);
  add_string_array(w, notes);
  w.end_row();
}

}  // namespace trawl::proto::smb
