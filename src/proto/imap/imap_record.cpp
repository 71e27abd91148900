#include "proto/imap/imap_record.h"

namespace trawl::proto::imap {

namespace {
using CT = output::ColumnType;
constexpr output::Column kOwn[] = {
    {"banner", CT::kString, 0},        {"tls", CT::kBool, 5},          {"user", CT::kString, 0},
    {"auth_attempts", CT::kCount, -3}, {"auth_success", CT::kBool, 5}, {"commands", CT::kJson, 0},
    {"mailboxes", CT::kJson, 0},       {"anomalies", CT::kJson, 0},
};
constexpr auto kColumns = with_common_columns(kOwn);

}  // namespace

const RecordType ImapRecord::kType{"imap", kColumns};

void ImapRecord::write(output::TableWriter& w, const WriteOptions&) const {
  origin.write(w);
  add_or_null(w, banner);
  w.add_bool(tls);
  add_or_null(w, user);
  w.add_count(auth_attempts);
  w.add_bool(auth_success);
  add_json_strings(w, commands);
  add_json_strings(w, mailboxes);
  add_json_strings(w, anomalies);
  w.end_row();
}

}  // namespace trawl::proto::imap
