#include "proto/text/codecs.h"

#include <array>

namespace trawl::proto::text {

namespace {
constexpr std::array<int8_t, 256> kB64 = [] {
  std::array<int8_t, 256> t{};
  for (auto& v : t) v = -1;
  const char* a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (int i = 0; i < 64; ++i) t[static_cast<uint8_t>(a[i])] = static_cast<int8_t>(i);
  t['-'] = 62, t['_'] = 63;  // the URL-safe alphabet, which some SASL clients send
  return t;
}();

int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
}  // namespace

bool base64_decode(std::string_view in, std::string& out) {
  uint32_t acc = 0;
  int n = 0;
  bool pad = false;
  for (char c : in) {
    if (is_space(c)) continue;
    if (c == '=') {
      pad = true;
      continue;
    }
    int v = kB64[static_cast<uint8_t>(c)];
    if (v < 0 || pad) return false;
    acc = acc << 6 | static_cast<uint32_t>(v);
    if (++n == 4) {
      out += char(acc >> 16), out += char(acc >> 8 & 0xff), out += char(acc & 0xff);
      acc = 0, n = 0;
    }
  }
  if (n == 1) return false;  // 6 bits cannot make a byte
  if (n == 2) out += char(acc >> 4);
  if (n == 3) out += char(acc >> 10), out += char(acc >> 2 & 0xff);
  return true;
}

void Base64Stream::feed(std::string_view in, std::string& out, size_t max_out) {
  for (char c : in) {
    if (is_space(c)) continue;
    if (c == '=') {
      if (n_ == 2 && out.size() < max_out) out += char(acc_ >> 4);
      if (n_ == 3 && out.size() + 1 < max_out) out += char(acc_ >> 10), out += char(acc_ >> 2 & 0xff);
      n_ = 0, acc_ = 0, done_ = true;
      continue;
    }
    int v = kB64[static_cast<uint8_t>(c)];
    if (v < 0) {
      ++invalid;
      continue;
    }
    done_ = false;
    acc_ = acc_ << 6 | static_cast<uint32_t>(v);
    if (++n_ == 4) {
      if (out.size() + 2 < max_out) out += char(acc_ >> 16), out += char(acc_ >> 8 & 0xff), out += char(acc_ & 0xff);
      acc_ = 0, n_ = 0;
    }
  }
}

bool qp_decode_line(std::string_view line, std::string& out, size_t max_out) {
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);  // RFC 2045 6.7 (3)
  for (size_t i = 0; i < line.size() && out.size() < max_out; ++i) {
    char c = line[i];
    if (c != '=') {
      out += c;
      continue;
    }
    if (i + 1 == line.size()) return true;  // soft line break
    int h = i + 2 < line.size() ? hexval(line[i + 1]) : -1;
    int l = i + 2 < line.size() ? hexval(line[i + 2]) : -1;
    if (h < 0 || l < 0) {
      out += c;
      continue;
    }
    out += char(h << 4 | l);
    i += 2;
  }
  return false;
}

void q_decode(std::string_view in, std::string& out) {
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '_') {
      out += ' ';
    } else if (c == '=' && i + 2 < in.size() && hexval(in[i + 1]) >= 0 && hexval(in[i + 2]) >= 0) {
      out += char(hexval(in[i + 1]) << 4 | hexval(in[i + 2]));
      i += 2;
    } else {
      out += c;
    }
  }
}

}  // namespace trawl::proto::text
