// Pop3Record: one POP3 connection (pop3.jsonl): greeting, logins, what the client did to the mailbox.
// Each login attempt also goes to the login ledger as an AuthRecord.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "proto/record.h"

namespace trawl::proto::pop3 {

struct Pop3Record final : Record {
  RecordOrigin origin;  // the connection's last packet seen
  std::string banner;   // the greeting after "+OK "
  bool tls = false;     // STLS accepted: the rest is TLS
  std::string user;     // the last user a login was attempted for
  uint32_t auth_attempts = 0;
  bool auth_success = false;
  int64_t mailbox_messages = -1, mailbox_bytes = -1;  // from the STAT reply (-1: not seen)
  uint32_t stat = 0, list = 0, retr = 0, top = 0, dele = 0;  // commands answered +OK
  uint64_t retr_bytes = 0;  // message bytes returned by RETR and TOP
  std::vector<std::string> commands;  // every command verb in order (bounded)
  std::vector<std::string> anomalies;

  static const RecordType kType;
  const RecordType& type() const override { return kType; }
  void write(output::TableWriter& w, const WriteOptions& options) const override;
};

}  // namespace trawl::proto::pop3
