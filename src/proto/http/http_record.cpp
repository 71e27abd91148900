#include "proto/http/http_record.h"

namespace trawl::proto::http {

namespace {
using CT = output::ColumnType;
constexpr output::Column kOwn[] = {
    {"trans_depth", CT::kCount, -3},     {"method", CT::kString, 7},          {"host", CT::kString, 20},
    {"uri", CT::kString, 30},            {"version", CT::kString, 3},         {"user_agent", CT::kString, 0},
    {"referer", CT::kString, 0},         {"request_body_len", CT::kCount, -7}, {"request_content_type", CT::kString, 0},
    {"status_code", CT::kCount, -3},     {"status_msg", CT::kString, 10},     {"info_code", CT::kCount, -3},
    {"info_msg", CT::kString, 0},        {"response_body_len", CT::kCount, -8}, {"content_type", CT::kString, 16},
    {"location", CT::kString, 0},        {"missing_bytes", CT::kCount, -6},   {"anomalies", CT::kJson, 0},
};
constexpr auto kColumns = with_common_columns(kOwn);

constexpr std::string_view kAnomalyNames[] = {
    "bad_request_line", "bad_status_line", "header_too_long", "too_many_headers", "bad_header_line",
    "bad_content_length", "bad_chunk", "resync", "gap", "no_request", "no_response", "unfinished",
    "truncated_field", "tunnel", "te_and_length", "unexpected_1xx", "gave_up"};

void add_or_null(output::TableWriter& w, std::string_view s, bool present = true) {
  if (!present || s.empty()) w.add_null();
  else w.add(s);
}
}  // namespace

const RecordType HttpRecord::kType{"http", kColumns};

std::string_view anomaly_name(uint32_t bit) {
  for (size_t i = 0; i < std::size(kAnomalyNames); ++i)
    if (bit == 1u << i) return kAnomalyNames[i];
  return {};
}

void HttpRecord::write(output::TableWriter& w, const WriteOptions&) const {
  origin.write(w);
  w.add_count(trans_depth);
  add_or_null(w, method);
  add_or_null(w, host);
  add_or_null(w, uri);
  add_or_null(w, version);
  add_or_null(w, user_agent);
  add_or_null(w, referer);
  if (has_request) w.add_count(request_body_len);
  else w.add_null();
  add_or_null(w, request_content_type);
  if (status_code) w.add_count(static_cast<uint64_t>(status_code));
  else w.add_null();
  add_or_null(w, status_msg, status_code != 0);
  if (info_code) w.add_count(static_cast<uint64_t>(info_code));
  else w.add_null();
  add_or_null(w, info_msg, info_code != 0);
  if (has_response) w.add_count(response_body_len);
  else w.add_null();
  add_or_null(w, content_type);
  add_or_null(w, location);
  w.add_count(missing_bytes);
  if (!anomalies) {
    w.add_null();
  } else {
    fmt::memory_buffer buf;
    buf.push_back('[');
    for (size_t i = 0; i < std::size(kAnomalyNames); ++i) {
      if (!(anomalies & 1u << i)) continue;
      if (buf.size() > 1) buf.push_back(',');
      output::append_json_string(buf, kAnomalyNames[i]);
    }
    buf.push_back(']');
    w.add_json(std::string_view(buf.data(), buf.size()));
  }
  w.end_row();
}

}  // namespace trawl::proto::http
