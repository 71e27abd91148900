#include "proto/text/mime_words.h"

#include <iconv.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <vector>

#include "proto/text/codecs.h"

namespace trawl::proto::text {

namespace {
char lower(char c) { return c >= 'A' && c <= 'Z' ? char(c + 32) : c; }
bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// One encoded word starting at s[0] ("=?"): its decoded UTF-8 text and length, or 0 when it is not one.
size_t encoded_word(std::string_view s, std::string& out) {
  if (s.size() < 8 || s[0] != '=' || s[1] != '?') return 0;
  size_t q1 = s.find('?', 2);
  if (q1 == std::string_view::npos || q1 + 2 >= s.size() || s[q1 + 2] != '?') return 0;
  size_t end = s.find("?=", q1 + 3);
  if (end == std::string_view::npos) return 0;
  std::string_view charset = s.substr(2, q1 - 2);
  if (size_t star = charset.find('*'); star != std::string_view::npos) charset = charset.substr(0, star);  // RFC 2231 language
  char enc = lower(s[q1 + 1]);
  std::string_view payload = s.substr(q1 + 3, end - q1 - 3);
  if (payload.find_first_of(" \t") != std::string_view::npos) return 0;
  std::string raw;
  if (enc == 'b') {
    base64_decode(payload, raw);  // keeps what decoded; mailers do truncate words
  } else if (enc == 'q') {
    q_decode(payload, raw);
  } else {
    return 0;
  }
  charset_to_utf8(charset, raw, out);
  return end + 2;
}

void percent_decode(std::string_view in, std::string& out) {
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size() && hexval(in[i + 1]) >= 0 && hexval(in[i + 2]) >= 0) {
      out += char(hexval(in[i + 1]) << 4 | hexval(in[i + 2]));
      i += 2;
    } else {
      out += in[i];
    }
  }
}

// Parameters of a structured header: `type; a=b; c="d e"`. Calls f(name, value, quoted) for each.
template <class F>
void for_each_param(std::string_view v, F&& f) {
  size_t i = v.find(';');
  while (i != std::string_view::npos && i < v.size()) {
    ++i;
    while (i < v.size() && is_ws(v[i])) ++i;
    size_t eq = i;
    while (eq < v.size() && v[eq] != '=' && v[eq] != ';') ++eq;
    if (eq >= v.size() || v[eq] == ';') {
      i = eq < v.size() ? eq : std::string_view::npos;
      continue;
    }
    std::string_view name = trim(v.substr(i, eq - i));
    size_t j = eq + 1;
    while (j < v.size() && is_ws(v[j])) ++j;
    std::string value;
    bool quoted = false;
    if (j < v.size() && v[j] == '"') {
      quoted = true;
      for (++j; j < v.size() && v[j] != '"'; ++j) {
        if (v[j] == '\\' && j + 1 < v.size()) ++j;
        value += v[j];
      }
      if (j < v.size()) ++j;  // closing quote
      while (j < v.size() && v[j] != ';') ++j;
    } else {
      size_t k = j;
      while (k < v.size() && v[k] != ';') ++k;
      value = std::string(trim(v.substr(j, k - j)));
      j = k;
    }
    f(name, value, quoted);
    i = j < v.size() ? j : std::string_view::npos;
  }
}
}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_ws(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ws(s.back())) s.remove_suffix(1);
  return s;
}

bool charset_to_utf8(std::string_view charset, std::string_view bytes, std::string& out) {
  std::string cs(trim(charset));
  for (char& c : cs) c = lower(c);
  if (cs.empty() || cs == "us-ascii" || cs == "utf-8" || cs == "utf8" || cs == "ascii") {
    out.append(bytes);
    return true;
  }
  if (cs == "gb2312" || cs == "gbk" || cs == "x-gbk" || cs == "cp936" || cs == "euc-cn") cs = "gb18030";
  if (cs == "ks_c_5601-1987") cs = "cp949";
  if (cs.size() > 40) {
    out.append(bytes);
    return false;
  }
  iconv_t cd = iconv_open("UTF-8", cs.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) {
    out.append(bytes);
    return false;
  }
  size_t start = out.size();
  std::vector<char> in(bytes.begin(), bytes.end());
  char* inp = in.data();
  size_t inleft = in.size();
  char buf[1024];
  bool ok = true;
  while (inleft > 0) {
    char* outp = buf;
    size_t outleft = sizeof buf;
    size_t r = iconv(cd, &inp, &inleft, &outp, &outleft);
    out.append(buf, static_cast<size_t>(outp - buf));
    if (r == static_cast<size_t>(-1)) {
      if (errno == E2BIG) continue;
      // An invalid or cut sequence: keep the byte as it is (the writer escapes it) and go on.
      ok = false;
      out += *inp;
      ++inp, --inleft;
    }
  }
  char* outp = buf;
  size_t outleft = sizeof buf;
  iconv(cd, nullptr, nullptr, &outp, &outleft);
  out.append(buf, static_cast<size_t>(outp - buf));
  iconv_close(cd);
  (void)start;
  return ok;
}

std::string decode_header_words(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  size_t i = 0;
  bool last_was_word = false;
  std::string pending_ws;
  while (i < value.size()) {
    char c = value[i];
    if (c == '\r' || c == '\n') {
      ++i;
      continue;
    }
    if (is_ws(c)) {
      pending_ws += c;
      ++i;
      continue;
    }
    if (c == '=' && i + 1 < value.size() && value[i + 1] == '?') {
      std::string word;
      if (size_t n = encoded_word(value.substr(i), word); n > 0) {
        if (!last_was_word) out += pending_ws;  // whitespace between two encoded words is dropped
        pending_ws.clear();
        out += word;
        i += n;
        last_was_word = true;
        continue;
      }
    }
    out += pending_ws;
    pending_ws.clear();
    out += c;
    ++i;
    last_was_word = false;
  }
  out += pending_ws;
  return out;
}

std::string header_param(std::string_view value, std::string_view name) {
  std::string plain;
  bool have_plain = false;
  std::string ext_charset;
  std::vector<std::pair<int, std::string>> parts;  // RFC 2231 continuations, decoded to bytes
  for_each_param(value, [&](std::string_view pname, const std::string& pvalue, bool quoted) {
    if (iequals(pname, name)) {
      plain = pvalue, have_plain = true;
      return;
    }
    if (!istarts_with(pname, name) || pname.size() <= name.size() || pname[name.size()] != '*') return;
    std::string_view rest = pname.substr(name.size() + 1);  // "" (name*), "0", "0*", "1*", ...
    bool extended = !rest.empty() && rest.back() == '*';
    if (rest.empty()) extended = true;
    if (!rest.empty() && rest.back() == '*') rest.remove_suffix(1);
    int index = 0;
    for (char c : rest) {
      if (c < '0' || c > '9' || index > 999) return;
      index = index * 10 + (c - '0');
    }
    if (parts.size() >= 64) return;
    std::string_view v = pvalue;
    std::string bytes;
    if (extended && !quoted) {
      if (index == 0) {  // charset'language'value
        size_t q1 = v.find('\'');
        size_t q2 = q1 == std::string_view::npos ? q1 : v.find('\'', q1 + 1);
        if (q2 != std::string_view::npos) {
          ext_charset = std::string(v.substr(0, q1));
          v = v.substr(q2 + 1);
        }
      }
      percent_decode(v, bytes);
    } else {
      bytes = std::string(v);
    }
    parts.emplace_back(index, std::move(bytes));
  });
  if (!parts.empty()) {
    std::sort(parts.begin(), parts.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::string joined;
    for (const auto& p : parts) joined += p.second;
    std::string out;
    charset_to_utf8(ext_charset, joined, out);
    return decode_header_words(out);
  }
  return have_plain ? decode_header_words(plain) : std::string();
}

std::string media_type(std::string_view value) {
  size_t semi = value.find(';');
  std::string t(trim(value.substr(0, semi)));
  for (char& c : t) c = lower(c);
  if (t.find('/') == std::string::npos) return {};
  return t;
}

}  // namespace trawl::proto::text
