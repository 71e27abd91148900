#include "proto/text/sasl.h"

#include "proto/text/codecs.h"
#include "proto/text/mime_words.h"

namespace trawl::proto::text {

namespace {
std::string capped(std::string_view s) { return std::string(s.substr(0, SaslLogin::kMaxField)); }

// "key=value" fields separated by `sep` (XOAUTH2: "user=x\1auth=Bearer y\1\1").
std::string_view field(std::string_view s, std::string_view key, char sep) {
  size_t pos = 0;
  while (pos <= s.size()) {
    size_t end = s.find(sep, pos);
    if (end == std::string_view::npos) end = s.size();
    std::string_view part = s.substr(pos, end - pos);
    if (part.size() >= key.size() && part.substr(0, key.size()) == key) return part.substr(key.size());
    pos = end + 1;
  }
  return {};
}
}  // namespace

void SaslLogin::start(std::string_view mech, std::string_view initial, bool has_initial) {
  *this = SaslLogin();
  mechanism = capped(mech);
  for (char& c : mechanism)
    if (c >= 'a' && c <= 'z') c = char(c - 32);
  if (has_initial) client_line(initial);
}

bool SaslLogin::client_line(std::string_view line) {
  line = trim(line);
  if (line == "*") {
    cancelled = true;
    return true;
  }
  std::string decoded;
  if (line != "=" && !base64_decode(line, decoded)) {  // "=": an empty initial response
    bad_base64 = true;
    return false;
  }
  ++responses;
  response(decoded);
  return true;
}

void SaslLogin::response(std::string_view d) {
  if (mechanism == "PLAIN") {
    if (responses != 1) return;
    // authzid NUL authcid NUL passwd
    size_t a = d.find('\0');
    size_t b = a == std::string_view::npos ? a : d.find('\0', a + 1);
    if (b == std::string_view::npos) return;
    std::string_view authz = d.substr(0, a), authc = d.substr(a + 1, b - a - 1);
    user = capped(authc.empty() ? authz : authc);
    password = capped(d.substr(b + 1));
    password_seen = true;
  } else if (mechanism == "LOGIN") {
    if (responses == 1) user = capped(d);
    if (responses == 2) password = capped(d), password_seen = true;
  } else if (mechanism == "CRAM-MD5") {
    if (responses == 1) user = capped(d.substr(0, d.rfind(' ')));  // "user hexdigest"
  } else if (mechanism == "XOAUTH2") {
    if (responses == 1) user = capped(field(d, "user=", '\x01'));
  } else if (mechanism == "OAUTHBEARER") {
    if (responses == 1) {  // GS2 header: "n,a=user@example.com,"
      std::string_view gs2 = d.substr(0, d.find('\x01'));
      user = capped(field(gs2, "a=", ','));
    }
  } else if (mechanism == "DIGEST-MD5") {
    std::string_view u = field(d, "username=", ',');
    if (!u.empty()) {
      if (u.size() >= 2 && u.front() == '"') u = u.substr(1, u.find('"', 1) == std::string_view::npos ? u.size() - 1 : u.find('"', 1) - 1);
      user = capped(u);
    }
  }
}

bool SaslLogin::complete() const {
  if (cancelled) return true;
  if (mechanism == "LOGIN") return responses >= 2;
  if (mechanism == "PLAIN" || mechanism == "CRAM-MD5" || mechanism == "XOAUTH2" || mechanism == "OAUTHBEARER")
    return responses >= 1;
  return responses >= 1;
}

}  // namespace trawl::proto::text
