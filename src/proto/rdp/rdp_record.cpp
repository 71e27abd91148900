#include "proto/rdp/rdp_record.h"

#include <fmt/format.h>

#include "proto/rdp/rdp_parse.h"

namespace trawl::proto::rdp {

namespace {
using CT = output::ColumnType;
constexpr output::Column kOwn[] = {
    {"cookie", CT::kString, 0},            {"requested_protocols", CT::kJson, 0},
    {"requested_flags", CT::kCount, -3},   {"security_protocol", CT::kString, 8},
    {"selected_flags", CT::kCount, -3},    {"result", CT::kString, 0},
    {"tls", CT::kBool, 5},                 {"client_name", CT::kString, 0},
    {"client_build", CT::kCount, -5},      {"keyboard_layout", CT::kCount, -5},
    {"desktop_width", CT::kCount, -4},     {"desktop_height", CT::kCount, -4},
    {"encryption_method", CT::kString, 0}, {"encryption_level", CT::kString, 0},
    {"anomalies", CT::kJson, 0},
};
constexpr auto kColumns = with_common_columns(kOwn);
}  // namespace

const RecordType RdpRecord::kType{"rdp", kColumns};

void RdpRecord::write(output::TableWriter& w, const WriteOptions&) const {
  fmt::memory_buffer buf;
  origin.write(w);
  add_or_null(w, cookie);
  if (has_neg_req) {
    buf.push_back('[');
    bool first = true;
    if (requested_protocols == 0) {
      output::append_json_string(buf, "RDP");
    }
    for (uint32_t bit = 1; bit; bit <<= 1) {
      if (!(requested_protocols & bit)) continue;
      if (!first) buf.push_back(',');
      first = false;
      std::string_view n = protocol_name(bit);
      if (n == "unknown") output::append_json_string(buf, fmt::format("0x{:x}", bit));
      else output::append_json_string(buf, n);
    }
    buf.push_back(']');
    w.add_json(std::string_view(buf.data(), buf.size()));
    w.add_count(requested_protocols);
  } else {
    w.add_null();
    w.add_null();
  }
  if (has_selected) {
    w.add(protocol_name(selected_protocol));
    w.add_count(selected_protocol);
    w.add("Success");
  } else if (has_failure) {
    w.add_null();
    w.add_null();
    w.add(failure_name(failure_code));
  } else {
    w.add_null();
    w.add_null();
    w.add_null();
  }
  w.add_bool(tls);
  if (has_client_core) {
    w.add(client_name);
    w.add_count(client_build);
    w.add_count(keyboard_layout);
    w.add_count(desktop_width);
    w.add_count(desktop_height);
  } else {
    for (int i = 0; i < 5; ++i) w.add_null();
  }
  if (has_server_security) {
    w.add(encryption_method_name(encryption_method));
    w.add(encryption_level_name(encryption_level));
  } else {
    w.add_null();
    w.add_null();
  }
  add_json_strings(w, anomalies);
  w.end_row();
}

}  // namespace trawl::proto::rdp
