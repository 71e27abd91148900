#include "proto/ftp/ftp_record.h"

#include "proto/auth/auth_record.h"

namespace trawl::proto::ftp {

namespace {
using CT = output::ColumnType;
constexpr output::Column kOwn[] = {
    {"user", CT::kString, 10},        {"command", CT::kString, 5},     {"arg", CT::kString, 0},
    {"file", CT::kString, 0},         {"reply_code", CT::kCount, -3},  {"reply_msg", CT::kString, 0},
    {"prelim_code", CT::kCount, -3},  {"reply_lines", CT::kCount, -3}, {"data_passive", CT::kBool, 5},
    {"data_orig_h", CT::kAddr, 15},   {"data_h", CT::kAddr, 15},       {"data_p", CT::kPort, -5},
    {"data_uid", CT::kString, 13},    {"anomalies", CT::kJson, 0},
};
constexpr auto kColumns = with_common_columns(kOwn);

}  // namespace

const RecordType FtpRecord::kType{"ftp", kColumns};

void FtpRecord::write(output::TableWriter& w, const WriteOptions& options) const {
  origin.write(w);
  add_or_null(w, user);
  add_or_null(w, command);
  // Masked as in the login ledger, so a PASS here can be matched with its auth.jsonl row.
  if (command == "PASS" && !options.show_passwords) w.add(mask_password(arg));
  else add_or_null(w, arg);
  add_or_null(w, file);
  if (reply_code) w.add_count(reply_code);
  else w.add_null();
  add_or_null(w, reply_msg);
  if (prelim_code) w.add_count(prelim_code);
  else w.add_null();
  w.add_count(reply_lines);
  if (has_data) {
    w.add_bool(data_passive);
    w.add_addr(data_orig_h);
    if (data_h.empty()) w.add_null();
    else w.add_addr(data_h);
    w.add_count(data_p);
  } else {
    w.add_null();
    w.add_null();
    w.add_null();
    w.add_null();
  }
  add_or_null(w, data_uid);
  add_json_strings(w, anomalies);
  w.end_row();
}

}  // namespace trawl::proto::ftp
