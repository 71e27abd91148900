#include "proto/smtp/smtp_record.h"

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
constexpr auto kColumns = with_common_columns(kOwn);

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
  add_or_null(w, banner);
  add_or_null(w, helo);
  w.add_bool(tls);
  add_or_null(w, auth_method);
  add_or_null(w, auth_user);
  add_or_null(w, mailfrom);
  add_json_strings(w, rcptto);
  add_or_null(w, mail.from);
  add_or_null(w, mail.to);
  add_or_null(w, mail.cc);
  add_or_null(w, mail.reply_to);
  add_or_null(w, mail.subject);
  add_or_null(w, mail.date);
  add_or_null(w, mail.message_id);
  add_or_null(w, mail.user_agent);
  add_or_null(w, mail.x_originating_ip);
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
  add_or_null(w, mail.body_text);
  if (status) w.add_count(status);
  else w.add_null();
  add_or_null(w, last_reply);
  add_json_strings(w, commands);
  std::vector<std::string> all = anomalies;
  all.insert(all.end(), mail.anomalies.begin(), mail.anomalies.end());
  add_json_strings(w, all);
  w.end_row();
}

}  // namespace trawl::proto::smtp
