// Login attempts over HTTP: credentials from an Authorization header or a form post (urlencoded, JSON, or a
// GET query), and the attempt's outcome inferred from the response. Pure functions over bounded inputs
// (a request body prefix of at most 4 KiB, a response body prefix of at most 8 KiB).
#pragma once

#include <string>
#include <string_view>

#include "proto/auth/auth_record.h"

namespace trawl::proto::http {

struct Credentials {
  std::string user, password;
  bool has_user = false, has_password = false;
};

// "Basic <base64 user:password>": the password is everything after the first ':' (it may hold colons).
bool decode_basic(std::string_view authorization, Credentials& out);
// "Digest username="x", ...": the user only (the password never crosses the wire).
bool digest_user(std::string_view authorization, std::string& user);

// Fields of an application/x-www-form-urlencoded string (a body or a query) or of a JSON object that name
// a user and a password (uname/upass, username/password, login/pwd, email/passwd, log/pwd, j_username,
// ASP.NET's ctl00$...$txtPassword, Rails' session[password], ...). True when a password field was found.
bool form_credentials(std::string_view body, bool json, Credentials& out);

// Percent and (when plus_is_space) '+' decoding; bad escapes are copied literally.
void percent_decode(std::string_view in, std::string& out, bool plus_is_space);

// Undoes Content-Encoding gzip/deflate on a body prefix (up to max_out bytes of output); identity and
// unknown encodings are copied. Returns what it could decode.
std::string decode_body_prefix(std::string_view content_encoding, std::string_view raw, size_t max_out);

// What the server said to a form login, as far as the response shows it.
struct LoginResponse {
  int status = 0;                   // 0: no response seen
  std::string_view request_uri;     // the login page (the URI the form was posted to)
  std::string_view location;        // of a 3xx
  std::string_view body;            // decoded first bytes of the response body
};
struct Verdict {
  AuthOutcome outcome = AuthOutcome::kUnknown;
  std::string_view confidence;  // "high" (status 401/403), "medium" (redirect), "low" (page text); empty: unknown
};
Verdict infer_form_outcome(const LoginResponse& r);
// Basic and Digest: the status says it (401/403 refused; 2xx/3xx accepted).
AuthOutcome infer_header_auth_outcome(int status);

}  // namespace trawl::proto::http
