#include "proto/smtp/smtp_record.h"

#include <array>

#include <fmt/format.h>

namespace trawl::proto::smtp {

namespace {
using CT = output::ColumnType;
constexpr output::Column kOwn[] = {
    {"trans_depth", CT::kCount, -3}, {"banner", CT::kString, 0},      {"helo", CT::kString, 0},
    {"tls", CT::kBool, 5},           {"auth_method", CT::kString, 0}, {"auth_user", CT::kString, 0},
    {"mailfrom", CT::kString, 0},    {"rcptto", CT::kJson, 0},        {"from", CT::kString, 0},
    {"to", CT::kString, 0},          {"cc", CT::kString, 0},          {"reply_to", CT::kString, 0},
    {"subject", CT::kString, 0},     {"date", CT::kString, 0},        {"msg_id", CT::kString, 0},
    {"user_agent", CT::kString, 0},  {"x_originating_ip", CT::kString, 0},
    {"msg_size", CT::kCount, -8},    {"attachments", CT::kJson, 0},   {"urls", CT::kJson, 0},
    {"body_text", CT::kString, 0},   {"status", CT::kCount, -3},      {"last_reply", CT::kString, 0},  {"commands", CT::kJson, 0},
    {"anomalies", CT::kJson, 0},
};
constexpr auto kColumns = [] {
  std::array<output::Column, std::size(kCommonColumns) + std::size(kOwn)> c{};
  size_t i = 0;
  for (const auto& col : kCommonColumns) c[i++] = col;
  for (const auto& col : kOwn) c[i++] = col;
  return c;
}();

void add_opt(output::TableWriter& w, const std::string& s) {
  if (s.empty()) w.add_null();
  else w.add(s);
}

void add_strings(output::TableWriter& w, const std::vector<std::string>& v, fmt::memory_buffer& buf) {
  buf.clear();
  buf.push_back('[');
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) buf.push_back(',');
    output::append_json_string(buf, v[i]);
  }
  buf.push_back(']');
  w.add_json(std::string_view(buf.data(), buf.size()));
}
}  // namespace

const RecordType SmtpRecord::kType{"smtp", kColumns};

void SmtpRecord::clear() {
  trans_depth = 0;
  mailfrom.clear();
  rcptto.clear();
  has_message = false;
  msg_size = 0;
  mail = text::MailSummary();
  status = 0;
  last_reply.clear();
  commands.clear();
  anomalies.clear();
}

void SmtpRecord::write(output::TableWriter& w, const WriteOptions&) const {
  fmt::memory_buffer buf;
  origin.write(w);
  w.add_count(trans_depth);
  add_opt(w, banner);
  add_opt(w, helo);
  w.add_bool(tls);
  add_opt(w, auth_method);
  add_opt(w, auth_user);
  add_opt(w, mailfrom);
  add_strings(w, rcptto, buf);
  add_opt(w, mail.from);
  add_opt(w, mail.to);
  add_opt(w, mail.cc);
  add_opt(w, mail.reply_to);
  add_opt(w, mail.subject);
  add_opt(w, mail.date);
  add_opt(w, mail.message_id);
  add_opt(w, mail.user_agent);
  add_opt(w, mail.x_originating_ip);
  if (has_message) w.add_count(msg_size);
  else w.add_null();
  buf.clear();
  buf.push_back('[');
  for (size_t i = 0; i < mail.attachments.size(); ++i) {
    const auto& a = mail.attachments[i];
    if (i) buf.push_back(',');
    fmt::format_to(std::back_inserter(buf), "{{\"name\":");
    output::append_json_string(buf, a.name);
    fmt::format_to(std::back_inserter(buf), ",\"type\":");
    output::append_json_string(buf, a.type);
    fmt::format_to(std::back_inserter(buf), ",\"encoded_bytes\":{}}}", a.encoded_bytes);
  }
  buf.push_back(']');
  w.add_json(std::string_view(buf.data(), buf.size()));
  buf.clear();
  buf.push_back('[');
  for (size_t i = 0; i < mail.urls.size(); ++i) {
    if (i) buf.push_back(',');
    fmt::format_to(std::back_inserter(buf), "{{\"url\":");
    output::append_json_string(buf, mail.urls[i].url);
    if (!mail.urls[i].text.empty()) {
      fmt::format_to(std::back_inserter(buf), ",\"text\":");
      output::append_json_string(buf, mail.urls[i].text);
    }
    buf.push_back('}');
  }
  buf.push_back(']');
  w.add_json(std::string_view(buf.data(), buf.size()));
  add_opt(w, mail.body_text);
  if (status) w.add_count(status);
  else w.add_null();
  add_opt(w, last_reply);
  add_strings(w, commands, buf);
  std::vector<std::string> all = anomalies;
  all.insert(all.end(), mail.anomalies.begin(), mail.anomalies.end());
  add_strings(w, all, buf);
  w.end_row();
}

}  // namespace trawl::proto::smtp
