// AuthRecord: one login attempt, whatever the protocol: the login ledger (auth.jsonl) that brute-force
// and compromise detection count. Every attempt is kept, not only distinct ones.
#pragma once

#include <string>
#include <string_view>

#include "proto/record.h"

namespace trawl::proto {

enum class AuthOutcome : uint8_t { kUnknown, kSuccess, kFailure };
std::string_view outcome_name(AuthOutcome o);  // "unknown", "success", "failure"

// How a password is written without --show-passwords: "len:N sha256:XXXXXXXX" (the first 8 hex digits).
// Enough to tell whether two attempts used the same password, not enough to print it.
std::string mask_password(std::string_view password);

struct AuthRecord final : Record {
  RecordOrigin origin;      // the packet that settled the outcome (or the attempt, when never settled)
  std::string app;          // "pop3", "imap", "smtp", "http", "ftp", "telnet", "ssh", "rdp", "smb", ...
  std::string user;
  std::string password;     // cleartext protocols only; masked on output unless --show-passwords
  bool password_seen = false;
  std::string method;       // "USER/PASS", "APOP", "AUTH PLAIN", "Basic", "form", "NTLMSSP", ...
  AuthOutcome outcome = AuthOutcome::kUnknown;
  std::string reply;        // the server's reply text (first line), e.g. "-ERR authentication failed"
  std::string confidence;   // for inferred outcomes (SSH by packet sizes): "high", "medium", "low"

  static const RecordType kType;
  const RecordType& type() const override { return kType; }
  void write(output::TableWriter& w, const WriteOptions& options) const override;
};

}  // namespace trawl::proto
