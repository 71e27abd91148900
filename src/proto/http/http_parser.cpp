#include "proto/http/http_parser.h"

#include <cstring>

namespace trawl::proto::http {

namespace {
constexpr std::string_view kMethods[] = {
    "GET",       "POST",   "HEAD",   "PUT",    "DELETE",      "OPTIONS",    "CONNECT",  "PATCH",
    "TRACE",     "PROPFIND", "PROPPATCH", "MKCOL", "COPY",     "MOVE",       "LOCK",     "UNLOCK",
    "SEARCH",    "REPORT", "MKACTIVITY", "CHECKOUT", "MERGE",  "M-SEARCH",   "NOTIFY",   "SUBSCRIBE",
    "UNSUBSCRIBE", "PURGE", "LINK",  "UNLINK", "BPROPFIND", "ACL", "VERSION-CONTROL", "BASELINE-CONTROL"};

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

// RFC 9110 token characters.
bool is_tchar(char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return std::strchr("!#$%&'*+-.^_`|~", c) != nullptr && c != '\0';
}

// "HTTP/d.d" -> "d.d".
bool parse_version(std::string_view s, std::string_view& version) {
  if (s.size() != 8 || s.substr(0, 5) != "HTTP/") return false;
  if (s[5] < '0' || s[5] > '9' || s[6] != '.' || s[7] < '0' || s[7] > '9') return false;
  version = s.substr(5);
  return true;
}

std::string_view chomp(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}
}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

size_t HeaderEndScanner::scan(std::string_view data) {
  size_t i = 0;
  while (i < data.size()) {
    if (state_ == kMidLine) {
      const void* lf = std::memchr(data.data() + i, '\n', data.size() - i);
      if (!lf) return std::string_view::npos;
      i = static_cast<size_t>(static_cast<const char*>(lf) - data.data()) + 1;
      state_ = kLineStart;
      continue;
    }
    char c = data[i++];
    if (c == '\n') {
      state_ = kMidLine;
      return i;
    }
    state_ = (state_ == kLineStart && c == '\r') ? kLineStartCr : kMidLine;
  }
  return std::string_view::npos;
}

std::string_view split_first_line(std::string_view block, std::string_view& rest) {
  size_t lf = block.find('\n');
  if (lf == std::string_view::npos) {
    rest = {};
    return chomp(block);
  }
  rest = block.substr(lf + 1);
  return chomp(block.substr(0, lf));
}

Parse parse_request_line(std::string_view line, RequestLine& out) {
  out = {};
  size_t sp = line.find(' ');
  if (sp == 0 || sp == std::string_view::npos || sp > 32) return Parse::kMalformed;
  for (size_t i = 0; i < sp; ++i)
    if (!is_tchar(line[i])) return Parse::kMalformed;
  out.method = line.substr(0, sp);
  std::string_view rest = line.substr(sp + 1);
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  while (!rest.empty() && (rest.back() == ' ' || rest.back() == '\t')) rest.remove_suffix(1);
  // The version is after the last space: a URI with raw spaces (broken clients, attacks) stays whole.
  size_t last = rest.rfind(' ');
  if (last == std::string_view::npos) {
    out.uri = rest;  // HTTP/0.9 style "GET /": recorded, but not HTTP/1.x
    return Parse::kMalformed;
  }
  out.uri = rest.substr(0, last);
  while (!out.uri.empty() && out.uri.back() == ' ') out.uri.remove_suffix(1);
  if (!parse_version(rest.substr(last + 1), out.version)) return Parse::kMalformed;
  return out.uri.empty() ? Parse::kMalformed : Parse::kComplete;
}

Parse parse_status_line(std::string_view line, StatusLine& out) {
  out = {};
  if (line.size() < 12 || !parse_version(line.substr(0, 8), out.version) || line[8] != ' ')
    return Parse::kMalformed;
  int code = 0;
  for (size_t i = 9; i < 12; ++i) {
    if (line[i] < '0' || line[i] > '9') return Parse::kMalformed;
    code = code * 10 + (line[i] - '0');
  }
  if (line.size() > 12 && line[12] != ' ') return Parse::kMalformed;
  if (code < 100) return Parse::kMalformed;
  out.code = code;
  out.reason = line.size() > 13 ? trim(line.substr(13)) : std::string_view();
  return Parse::kComplete;
}

void parse_headers(std::string_view lines, Headers& out, uint32_t max_headers) {
  out = {};
  while (!lines.empty()) {
    size_t lf = lines.find('\n');
    std::string_view line = chomp(lines.substr(0, lf));
    lines = lf == std::string_view::npos ? std::string_view() : lines.substr(lf + 1);
    if (line.empty()) break;                               // the blank line ending the block
    if (line.front() == ' ' || line.front() == '\t') continue;  // obsolete folding: ignored
    if (++out.count > max_headers) {
      out.too_many = true;
      break;
    }
    size_t colon = line.find(':');
    if (colon == 0 || colon == std::string_view::npos) {
      out.bad_line = true;
      continue;
    }
    std::string_view name = trim(line.substr(0, colon));
    std::string_view value = trim(line.substr(colon + 1));
    switch (lower(name.empty() ? ' ' : name[0])) {
      case 'a':
        if (iequals(name, "authorization")) out.authorization = value;
        break;
      case 'c':
        if (iequals(name, "content-type")) {
          out.content_type = value;
        } else if (iequals(name, "content-encoding")) {
          out.content_encoding = value;
        } else if (iequals(name, "content-length")) {
          uint64_t n = 0;
          bool ok = !value.empty() && value.size() <= 15;
          for (char c : value) ok = ok && c >= '0' && c <= '9', n = n * 10 + static_cast<uint64_t>(c - '0');
          if (!ok || (out.content_length && *out.content_length != n)) out.bad_content_length = true;
          else out.content_length = n;
        }
        break;
      case 'h':
        if (iequals(name, "host")) out.host = value;
        break;
      case 'l':
        if (iequals(name, "location")) out.location = value;
        break;
      case 'r':
        if (iequals(name, "referer")) out.referer = value;
        break;
      case 't':
        if (iequals(name, "transfer-encoding")) {
          out.transfer_encoding = value;
          size_t comma = value.rfind(',');
          out.chunked = iequals(trim(comma == std::string_view::npos ? value : value.substr(comma + 1)), "chunked");
        }
        break;
      case 'u':
        if (iequals(name, "user-agent")) out.user_agent = value;
        else if (iequals(name, "upgrade")) out.upgrade = value;
        break;
      case 'w':
        if (iequals(name, "www-authenticate")) out.www_authenticate = value;
        break;
      default:
        break;
    }
  }
}

Parse parse_chunk_size(std::string_view line, uint64_t& size) {
  size = 0;
  line = trim(line);
  size_t digits = 0;
  for (char c : line) {
    int v = c >= '0' && c <= '9' ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
    if (v < 0) {
      if (c != ';' && c != ' ' && c != '\t') return Parse::kMalformed;
      break;
    }
    if (++digits > 15) return Parse::kMalformed;  // 2^60 bytes is no real chunk
    size = size << 4 | static_cast<uint64_t>(v);
  }
  return digits ? Parse::kComplete : Parse::kMalformed;
}

bool is_known_method(std::string_view token) {
  for (auto m : kMethods)
    if (m == token) return true;
  return false;
}

Parse match_method_prefix(std::string_view prefix) {
  bool could = false;
  for (auto m : kMethods) {
    if (prefix.size() > m.size()) {
      if (prefix.substr(0, m.size()) == m && prefix[m.size()] == ' ') return Parse::kComplete;
    } else if (m.substr(0, prefix.size()) == prefix) {
      could = true;
    }
  }
  return could ? Parse::kNeedMore : Parse::kMalformed;
}

}  // namespace trawl::proto::http
