#include "proto/ssh/ssh_record.h"

#include <fmt/format.h>

namespace trawl::proto::ssh {

namespace {
using CT = output::ColumnType;
constexpr output::Column kOwn[] = {
    {"version", CT::kCount, -1},         {"client", CT::kString, 0},          {"server", CT::kString, 0},
    {"auth_outcome", CT::kString, 7},    {"auth_confidence", CT::kString, 6}, {"auth_attempts", CT::kCount, -3},
    {"kex_alg", CT::kString, 0},         {"host_key_alg", CT::kString, 0},    {"cipher_alg", CT::kString, 0},
    {"mac_alg", CT::kString, 0},         {"compression_alg", CT::kString, 0}, {"hassh", CT::kString, 32},
    {"hassh_server", CT::kString, 32},   {"hassh_algorithms", CT::kString, 0},
    {"hassh_server_algorithms", CT::kString, 0},
    {"client_kexinit", CT::kJson, 0},    {"server_kexinit", CT::kJson, 0},
    {"enc_segments_orig", CT::kCount, -5}, {"enc_segments_resp", CT::kCount, -5},
    {"enc_bytes_orig", CT::kCount, -8},  {"enc_bytes_resp", CT::kCount, -8}, {"anomalies", CT::kJson, 0},
};
constexpr auto kColumns = with_common_columns(kOwn);

constexpr std::string_view kListNames[KexInit::kCount] = {
    "kex", "host_key", "enc_c2s", "enc_s2c", "mac_c2s", "mac_s2c", "comp_c2s", "comp_s2c", "lang_c2s", "lang_s2c"};

void add_kex(output::TableWriter& w, const KexLists& k, fmt::memory_buffer& buf) {
  if (!k.seen) return w.add_null();
  buf.clear();
  buf.push_back('{');
  for (size_t i = 0; i < KexInit::kCount; ++i) {
    if (i) buf.push_back(',');
    output::append_json_string(buf, kListNames[i]);
    buf.push_back(':');
    output::append_json_string(buf, k.lists[i]);
  }
  buf.push_back('}');
  w.add_json(std::string_view(buf.data(), buf.size()));
}
}  // namespace

const RecordType SshRecord::kType{"ssh", kColumns};

void SshRecord::write(output::TableWriter& w, const WriteOptions&) const {
  fmt::memory_buffer buf;
  origin.write(w);
  if (version) w.add_count(version);
  else w.add_null();
  add_or_null(w, client);
  add_or_null(w, server);
  add_or_null(w, auth_outcome);
  add_or_null(w, auth_confidence);
  w.add_count(auth_attempts);
  add_or_null(w, kex_alg);
  add_or_null(w, host_key_alg);
  add_or_null(w, cipher_alg);
  add_or_null(w, mac_alg);
  add_or_null(w, compression_alg);
  add_or_null(w, hassh);
  add_or_null(w, hassh_server);
  add_or_null(w, hassh_algorithms);
  add_or_null(w, hassh_server_algorithms);
  add_kex(w, client_kex, buf);
  add_kex(w, server_kex, buf);
  w.add_count(enc_segments_orig);
  w.add_count(enc_segments_resp);
  w.add_count(enc_bytes_orig);
  w.add_count(enc_bytes_resp);
  add_json_strings(w, anomalies);
  w.end_row();
}

}  // namespace trawl::proto::ssh
