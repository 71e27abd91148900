#include "proto/ftp/ftp_record.h"

#include <openssl/sha.h>

#include <array>

#include <fmt/format.h>

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
constexpr auto kColumns = [] {
  std::array<output::Column, std::size(kCommonColumns) + std::size(kOwn)> c{};
  size_t i = 0;
  for (const auto& col : kCommonColumns) c[i++] = col;
  for (const auto& col : kOwn) c[i++] = col;
  return c;
}();

// Same masking as the login ledger, so a PASS here can be matched with its auth.jsonl row.
std::string mask_password(std::string_view p) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(p.data()), p.size(), digest);
  return fmt::format("len:{} sha256:{:02x}{:02x}{:02x}{:02x}", p.size(), digest[0], digest[1], digest[2], digest[3]);
}

void add_opt(output::TableWriter& w, const std::string& s) {
  if (s.empty()) w.add_null();
  else w.add(s);
}
}  // namespace

const RecordType FtpRecord::kType{"ftp", kColumns};

void FtpRecord::write(output::TableWriter& w, const WriteOptions& options) const {
  origin.write(w);
  add_opt(w, user);
  add_opt(w, command);
  if (command == "PASS" && !options.show_passwords) w.add(mask_password(arg));
  else add_opt(w, arg);
  add_opt(w, file);
  if (reply_code) w.add_count(reply_code);
  else w.add_null();
  add_opt(w, reply_msg);
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
  add_opt(w, data_uid);
  fmt::memory_buffer buf;
  buf.push_back('[');
  for (size_t i = 0; i < anomalies.size(); ++i) {
    if (i) buf.push_back(',');
    output::append_json_string(buf, anomalies[i]);
  }
  buf.push_back(']');
  w.add_json(std::string_view(buf.data(), buf.size()));
  w.end_row();
}

}  // namespace trawl::proto::ftp
