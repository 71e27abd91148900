#include "proto/http/http_login.h"

#include <zlib.h>

#include <algorithm>
#include <array>

#include "proto/http/http_parser.h"
#include "proto/text/codecs.h"

namespace trawl::proto::http {

namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

bool icontains(std::string_view hay, std::string_view needle) {
  if (needle.empty()) return true;
  if (hay.size() < needle.size()) return false;
  const char first = lower(needle[0]);
  for (size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    if (lower(hay[i]) != first) continue;
    size_t j = 1;
    while (j < needle.size() && lower(hay[i + j]) == lower(needle[j])) ++j;
    if (j == needle.size()) return true;
  }
  return false;
}

template <size_t N>
bool icontains_any(std::string_view hay, const std::array<std::string_view, N>& needles) {
  return std::any_of(needles.begin(), needles.end(), [&](std::string_view n) { return icontains(hay, n); });
}

int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// A form field name reduced to what identifies it: lower case, the innermost name of "session[login]"
// or ASP.NET's "ctl00$Main$txtUser", without '_', '-' and '.'.
std::string normalize_key(std::string_view raw) {
  std::string key;
  percent_decode(raw, key, true);
  std::string_view k = key;
  if (size_t dollar = k.rfind('$'); dollar != std::string_view::npos) k = k.substr(dollar + 1);
  if (!k.empty() && k.back() == ']') {
    size_t open = k.rfind('[');
    if (open != std::string_view::npos) k = k.substr(open + 1, k.size() - open - 2);
  }
  std::string out;
  for (char c : k)
    if (c != '_' && c != '-' && c != '.' && c != ' ') out += lower(c);
  return out;
}

// Lower rank: more surely the field. -1: not this kind of field.
int user_rank(std::string_view k) {
  constexpr std::string_view kExact[] = {"username", "user",    "uname",   "userid",  "loginname", "loginid",
                                         "login",    "email",   "emailaddress", "mail", "log",  "usr",
                                         "account",  "accountname", "acct", "uid",     "nickname",  "loginemail"};
  for (size_t i = 0; i < std::size(kExact); ++i)
    if (k == kExact[i]) return static_cast<int>(i);
  for (std::string_view suffix : {"username", "userid", "loginid", "login", "email", "user", "uname"})
    if (ends_with(k, suffix)) return 100;
  return -1;
}

int password_rank(std::string_view k) {
  constexpr std::string_view kExact[] = {"password", "passwd", "pass", "pwd", "upass", "pw", "passwort",
                                         "passcode", "userpassword", "loginpassword", "pword", "secret"};
  for (size_t i = 0; i < std::size(kExact); ++i)
    if (k == kExact[i]) return static_cast<int>(i);
  // A registration or change form's second copy is not the attempt.
  if (k.find("confirm") != std::string_view::npos || k.find("repeat") != std::string_view::npos) return -1;
  if (k.find("password") != std::string_view::npos || k.find("passwd") != std::string_view::npos ||
      ends_with(k, "pwd") || ends_with(k, "pass"))
    return 100;
  return -1;
}

struct FieldPicker {
  Credentials& out;
  int best_user = 1000, best_pass = 1000;
  void offer(std::string_view raw_key, std::string_view value, bool urlencoded) {
    std::string key = normalize_key(raw_key);
    int pr = password_rank(key);
    int ur = pr < 0 ? user_rank(key) : -1;
    if (pr >= 0 && pr < best_pass) {
      best_pass = pr;
      out.password.clear();
      if (urlencoded) percent_decode(value, out.password, true);
      else out.password.assign(value);
      out.has_password = true;
    } else if (ur >= 0 && ur < best_user) {
      best_user = ur;
      out.user.clear();
      if (urlencoded) percent_decode(value, out.user, true);
      else out.user.assign(value);
      out.has_user = true;
    }
  }
};

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | cp >> 6), out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | cp >> 12), out += static_cast<char>(0x80 | (cp >> 6 & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// A JSON string starting at s[i] == '"'; i ends after the closing quote (or at the end when unterminated).
std::string json_string(std::string_view s, size_t& i) {
  std::string out;
  ++i;
  while (i < s.size() && s[i] != '"') {
    char c = s[i++];
    if (c != '\\' || i >= s.size()) {
      out += c;
      continue;
    }
    char e = s[i++];
    switch (e) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'u': {
        uint32_t cp = 0;
        size_t k = 0;
        for (; k < 4 && i < s.size() && hexval(s[i]) >= 0; ++k, ++i) cp = cp << 4 | static_cast<uint32_t>(hexval(s[i]));
        append_utf8(out, k == 4 ? cp : 0xFFFD);  // lone surrogates pass through as their 3-byte form
        break;
      }
      default: out += e; break;  // \" \\ \/ and anything unknown
    }
  }
  if (i < s.size()) ++i;
  return out;
}

size_t skip_ws(std::string_view s, size_t i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')) ++i;
  return i;
}

// Every "key": scalar pair at any depth of a (possibly cut) JSON text.
void json_pairs(std::string_view s, FieldPicker& pick) {
  size_t i = 0;
  while (i < s.size()) {
    if (s[i] != '"') {
      ++i;
      continue;
    }
    std::string key = json_string(s, i);
    i = skip_ws(s, i);
    if (i >= s.size() || s[i] != ':') continue;  // a value string: its successor is examined next
    i = skip_ws(s, i + 1);
    if (i >= s.size()) break;
    if (s[i] == '"') {
      std::string value = json_string(s, i);
      pick.offer(key, value, false);
    } else if (s[i] != '{' && s[i] != '[') {
      size_t start = i;
      while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ']' && s[i] != ' ' && s[i] != '\n') ++i;
      pick.offer(key, s.substr(start, i - start), false);
    }
  }
}

// "http://host/a/b?x" or "/a/b?x" or "b?x" -> the path, resolved against base_dir for relative ones.
std::string path_of(std::string_view ref, std::string_view base_path) {
  if (size_t scheme = ref.find("://"); scheme != std::string_view::npos && scheme < 10) {
    size_t slash = ref.find('/', scheme + 3);
    ref = slash == std::string_view::npos ? std::string_view("/") : ref.substr(slash);
  } else if (ref.substr(0, 2) == "//") {
    size_t slash = ref.find('/', 2);
    ref = slash == std::string_view::npos ? std::string_view("/") : ref.substr(slash);
  }
  ref = ref.substr(0, std::min(ref.find('?'), ref.find('#')));
  std::string out;
  if (ref.empty() || ref.front() != '/') {
    size_t dir_end = base_path.rfind('/');
    out.assign(dir_end == std::string_view::npos ? std::string_view("/") : base_path.substr(0, dir_end + 1));
  }
  out.append(ref);
  return out;
}

bool looks_like_login_page(std::string_view path) {
  constexpr std::array<std::string_view, 6> kWords = {"login", "signin", "sign-in", "sign_in", "logon", "log-in"};
  return icontains_any(path, kWords);
}

constexpr std::array<std::string_view, 7> kLocationErrorWords = {"error", "fail", "invalid", "denied",
                                                                 "retry", "incorrect", "wrong"};
constexpr std::array<std::string_view, 23> kFailureText = {
    "login failed",      "log in failed",     "login failure",  "logon failed",   "failed login",
    "login incorrect",   "incorrect",         "invalid",        "wrong password", "wrong username",
    "authentication failed", "access denied", "bad credentials", "unsuccessful",  "not authorized",
    "\"success\":false", "\"success\": false", "登录失败",       "密码错误",       "用户名或密码",
    "账号或密码",        "认证失败",          "验证失败"};
constexpr std::array<std::string_view, 9> kLoggedInText = {"logout", "log out", "log-out", "sign out", "signout",
                                                           "log off", "\"success\":true", "退出", "注销"};
constexpr std::array<std::string_view, 6> kWelcomeText = {"welcome", "dashboard", "my account", "\"token\"",
                                                          "欢迎", "登录成功"};
constexpr std::array<std::string_view, 3> kPasswordInput = {"type=\"password\"", "type='password'",
                                                            "type=password"};
}  // namespace

void percent_decode(std::string_view in, std::string& out, bool plus_is_space) {
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '+' && plus_is_space) {
      out += ' ';
    } else if (c == '%' && i + 2 < in.size() && hexval(in[i + 1]) >= 0 && hexval(in[i + 2]) >= 0) {
      out += static_cast<char>(hexval(in[i + 1]) << 4 | hexval(in[i + 2]));
      i += 2;
    } else {
      out += c;
    }
  }
}

bool decode_basic(std::string_view authorization, Credentials& out) {
  authorization = trim(authorization);
  if (authorization.size() < 6 || !iequals(authorization.substr(0, 6), "basic ")) return false;
  std::string plain;
  if (!text::base64_decode(trim(authorization.substr(6)), plain)) return false;
  size_t colon = plain.find(':');
  out.user = plain.substr(0, colon);
  out.has_user = true;
  out.has_password = colon != std::string::npos;
  out.password = out.has_password ? plain.substr(colon + 1) : std::string();
  return true;
}

bool digest_user(std::string_view authorization, std::string& user) {
  authorization = trim(authorization);
  if (authorization.size() < 7 || !iequals(authorization.substr(0, 7), "digest ")) return false;
  std::string_view rest = authorization.substr(7);
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view param = trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    size_t eq = param.find('=');
    if (eq == std::string_view::npos || !iequals(trim(param.substr(0, eq)), "username")) continue;
    std::string_view v = trim(param.substr(eq + 1));
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    user.assign(v);
    return true;
  }
  return false;
}

bool form_credentials(std::string_view body, bool json, Credentials& out) {
  out = {};
  FieldPicker pick{out};
  if (json) {
    json_pairs(body, pick);
  } else {
    while (!body.empty()) {
      size_t amp = body.find('&');
      std::string_view pair = body.substr(0, amp);
      body = amp == std::string_view::npos ? std::string_view() : body.substr(amp + 1);
      size_t eq = pair.find('=');
      if (eq == std::string_view::npos) continue;
      pick.offer(trim(pair.substr(0, eq)), pair.substr(eq + 1), true);
    }
  }
  return out.has_password;
}

std::string decode_body_prefix(std::string_view content_encoding, std::string_view raw, size_t max_out) {
  std::string out;
  content_encoding = trim(content_encoding);
  bool gzip = iequals(content_encoding, "gzip") || iequals(content_encoding, "x-gzip");
  bool deflate = iequals(content_encoding, "deflate");
  if (!gzip && !deflate) {
    out.assign(raw.substr(0, max_out));
    return out;
  }
  z_stream z{};
  // 32+15: zlib or gzip header by detection; "deflate" senders that omit the zlib header get raw (-15).
  int window = gzip ? 16 + 15 : (raw.size() >= 2 && (static_cast<uint8_t>(raw[0]) & 0x0F) == 8 &&
                                         ((static_cast<uint8_t>(raw[0]) << 8 | static_cast<uint8_t>(raw[1])) % 31) == 0
                                     ? 15
                                     : -15);
  if (inflateInit2(&z, window) != Z_OK) return out;
  out.resize(max_out);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(raw.data()));
  z.avail_in = static_cast<uInt>(raw.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(max_out);
  inflate(&z, Z_SYNC_FLUSH);  // a cut stream decodes as far as it goes
  out.resize(max_out - z.avail_out);
  inflateEnd(&z);
  return out;
}

AuthOutcome infer_header_auth_outcome(int status) {
  if (status == 401 || status == 403 || status == 407) return AuthOutcome::kFailure;
  if (status >= 200 && status < 400) return AuthOutcome::kSuccess;
  return AuthOutcome::kUnknown;
}

Verdict infer_form_outcome(const LoginResponse& r) {
  using O = AuthOutcome;
  if (r.status == 401 || r.status == 403 || r.status == 407) return {O::kFailure, "high"};
  if (r.status >= 300 && r.status < 400) {
    if (r.location.empty()) return {};
    if (icontains_any(r.location, kLocationErrorWords)) return {O::kFailure, "medium"};
    std::string request_path = path_of(r.request_uri, "/");
    std::string target = path_of(r.location, request_path);
    // Sent back to the form (or to another login page) is a refusal; anywhere else is the way in.
    if (target == request_path || looks_like_login_page(target)) return {O::kFailure, "medium"};
    return {O::kSuccess, "medium"};
  }
  if (r.status >= 200 && r.status < 300) {
    if (icontains_any(r.body, kFailureText)) return {O::kFailure, "low"};
    if (icontains_any(r.body, kLoggedInText)) return {O::kSuccess, "low"};
    if (icontains_any(r.body, kPasswordInput)) return {O::kFailure, "low"};  // the login form again
    if (icontains_any(r.body, kWelcomeText)) return {O::kSuccess, "low"};
  }
  return {};
}

}  // namespace trawl::proto::http
