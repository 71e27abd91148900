// SaslLogin: what a SASL exchange (SMTP AUTH, POP3 AUTH, IMAP AUTHENTICATE) reveals about the login:
// the user, and the password for the cleartext mechanisms (PLAIN, LOGIN). CRAM-MD5, DIGEST-MD5, XOAUTH2
// and OAUTHBEARER give the user only; NTLM, GSSAPI and the rest give nothing but the mechanism.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace trawl::proto::text {

class SaslLogin {
 public:
  static constexpr size_t kMaxField = 256;  // user and password are cut here

  // AUTH <mechanism> [initial-response]; has_initial: an initial response was on the command line.
  void start(std::string_view mechanism, std::string_view initial, bool has_initial);
  // One client line of the exchange: base64, or "*" to cancel. Returns false for a line that is not base64
  // (the caller may then decide the exchange is over and the line is a command).
  bool client_line(std::string_view line);

  // The mechanism has given all it can (LOGIN: user and password; PLAIN: its one response; ...).
  bool complete() const;

  std::string mechanism;  // upper-cased: "PLAIN", "LOGIN", "CRAM-MD5", ...
  std::string user;
  std::string password;
  bool password_seen = false;
  bool cancelled = false;
  int responses = 0;  // client responses seen, the initial one included
  bool bad_base64 = false;

 private:
  void response(std::string_view decoded);
};

}  // namespace trawl::proto::text
