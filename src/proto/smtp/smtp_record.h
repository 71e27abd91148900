// SmtpRecord: one mail transaction (MAIL FROM to the reply after the message), or, for a connection
// that never started one, one record for the connection (banner, HELO, AUTH, STARTTLS). Written to
// smtp.jsonl. Field names follow Zeek's smtp.log where Zeek has the same field.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "proto/record.h"
#include "proto/text/mail_message.h"

namespace trawl::proto::smtp {

struct SmtpRecord final : Record {
  RecordOrigin origin;
  uint32_t trans_depth = 0;  // 1 for the connection's first record, 2 for the next, ...
  std::string banner;        // the server's greeting (first line, without the code)
  std::string helo;          // EHLO/HELO argument
  bool tls = false;          // STARTTLS accepted: what follows is encrypted
  std::string auth_method;   // of the last successful AUTH ("AUTH LOGIN"); empty when none succeeded
  std::string auth_user;
  std::string mailfrom;      // the MAIL FROM address, without <> and ESMTP parameters
  std::vector<std::string> rcptto;  // every RCPT TO address, accepted or not
  bool has_message = false;  // DATA/BDAT content was seen
  uint64_t msg_size = 0;     // message bytes after dot-unstuffing, line endings as sent
  text::MailSummary mail;    // headers, attachments, URLs and the start of the text of the message
  uint32_t status = 0;       // the reply code that ended the transaction (0: none seen)
  std::string last_reply;    // that reply's first line
  std::vector<std::string> commands;  // the commands of this record, in order (verbs only)
  std::vector<std::string> anomalies;

  static const RecordType kType;
  const RecordType& type() const override { return kType; }
  void write(output::TableWriter& w, const WriteOptions& options) const override;
  void clear();  // keeps capacity
};

}  // namespace trawl::proto::smtp
