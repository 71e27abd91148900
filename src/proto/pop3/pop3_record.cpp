#include "proto/pop3/pop3_record.h"

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
constexpr auto kColumns = with_common_columns(kOwn);

}  // namespace

const RecordType Pop3Record::kType{"pop3", kColumns};

void Pop3Record::write(output::TableWriter& w, const WriteOptions&) const {
  origin.write(w);
  add_or_null(w, banner);
  w.add_bool(tls);
  add_or_null(w, user);
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
  add_json_strings(w, commands);
  add_json_strings(w, anomalies);
  w.end_row();
}

}  // namespace trawl::proto::pop3
