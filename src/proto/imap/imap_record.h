// ImapRecord: one IMAP connection (imap.jsonl): greeting, logins, STARTTLS, the commands and mailboxes
// used. Each login attempt (LOGIN, AUTHENTICATE) also goes to the login ledger as an AuthRecord.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "proto/record.h"

namespace trawl::proto::imap {

struct ImapRecord final : Record {
  RecordOrigin origin;  // the connection's last packet seen
  std::string banner;   // the greeting after "* "  ("OK IMAP4rev1 ready", "PREAUTH ...")
  bool tls = false;     // STARTTLS accepted: the rest is TLS
  std::string user;     // the last user a login was attempted for
  uint32_t auth_attempts = 0;
  bool auth_success = false;
  std::vector<std::string> commands;   // command names in order ("LOGIN", "UID FETCH"), bounded
  std::vector<std::string> mailboxes;  // SELECT/EXAMINE arguments, distinct, bounded
  std::vector<std::string> anomalies;

  static const RecordType kType;
  const RecordType& type() const override { return kType; }
  void write(output::TableWriter& w, const WriteOptions& options) const override;
};

}  // namespace trawl::proto::imap
