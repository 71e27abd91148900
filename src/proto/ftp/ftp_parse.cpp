#include "proto/ftp/ftp_parse.h"

#include <array>

namespace trawl::proto::ftp {

namespace {
bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// A decimal number of at most `max`, consuming digits from s at i; false if none or too big.
bool read_number(std::string_view s, size_t& i, uint32_t max, uint32_t& out) {
  size_t start = i;
  uint32_t v = 0;
  while (i < s.size() && is_digit(s[i])) {
    v = v * 10 + static_cast<uint32_t>(s[i] - '0');
    if (v > max) return false;
    ++i;
  }
  if (i == start) return false;
  out = v;
  return true;
}

// Six numbers "a,b,c,d,e,f" starting at i (spaces around commas tolerated).
std::optional<Endpoint> six_numbers(std::string_view s, size_t i) {
  std::array<uint32_t, 6> n{};
  for (size_t k = 0; k < 6; ++k) {
    while (i < s.size() && s[i] == ' ') ++i;
    if (!read_number(s, i, 255, n[k])) return std::nullopt;
    while (i < s.size() && s[i] == ' ') ++i;
    if (k < 5) {
      if (i >= s.size() || s[i] != ',') return std::nullopt;
      ++i;
    }
  }
  uint8_t a[4] = {static_cast<uint8_t>(n[0]), static_cast<uint8_t>(n[1]), static_cast<uint8_t>(n[2]),
                  static_cast<uint8_t>(n[3])};
  Endpoint e;
  e.addr = IpAddress::v4(a);
  e.port = static_cast<uint16_t>(n[4] * 256 + n[5]);
  return e;
}
}  // namespace

std::optional<ReplyLine> parse_reply_line(std::string_view line) {
  if (line.size() < 3 || !is_digit(line[0]) || !is_digit(line[1]) || !is_digit(line[2])) return std::nullopt;
  ReplyLine r;
  r.code = static_cast<uint16_t>((line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0'));
  if (line.size() == 3) return r;
  if (line[3] != ' ' && line[3] != '-') return std::nullopt;
  r.continues = line[3] == '-';
  r.text = trim(line.substr(4));
  return r;
}

CommandLine split_command(std::string_view line) {
  line = trim(line);
  size_t sp = line.find(' ');
  if (sp == std::string_view::npos) return {line, {}};
  return {line.substr(0, sp), trim(line.substr(sp + 1))};
}

std::optional<Endpoint> parse_port_arg(std::string_view arg) {
  arg = trim(arg);
  size_t i = 0;
  auto e = six_numbers(arg, i);
  return e;
}

std::optional<Endpoint> parse_pasv_reply(std::string_view text) {
  // The numbers may follow "(" or just a space (RFC 1123 says clients must scan for them).
  for (size_t i = 0; i < text.size(); ++i) {
    if (!is_digit(text[i]) || (i > 0 && is_digit(text[i - 1]))) continue;
    if (auto e = six_numbers(text, i)) return e;
  }
  return std::nullopt;
}

std::optional<Endpoint> parse_eprt_arg(std::string_view arg) {
  arg = trim(arg);
  if (arg.size() < 4) return std::nullopt;
  char d = arg[0];
  if (d < 33 || d > 126 || is_digit(d)) return std::nullopt;
  std::string_view fields[3];
  size_t pos = 1;
  for (auto& f : fields) {
    size_t end = arg.find(d, pos);
    if (end == std::string_view::npos) return std::nullopt;
    f = arg.substr(pos, end - pos);
    pos = end + 1;
  }
  if (fields[0] != "1" && fields[0] != "2") return std::nullopt;
  auto addr = IpAddress::parse(fields[1]);
  if (!addr || (fields[0] == "1") != addr->is_v4()) return std::nullopt;
  size_t i = 0;
  uint32_t port = 0;
  if (!read_number(fields[2], i, 65535, port) || i != fields[2].size()) return std::nullopt;
  return Endpoint{*addr, static_cast<uint16_t>(port)};
}

std::optional<uint16_t> parse_epsv_reply(std::string_view text) {
  size_t open = text.find('(');
  if (open == std::string_view::npos || open + 5 > text.size()) return std::nullopt;
  std::string_view s = text.substr(open + 1);
  char d = s[0];
  if (s.size() < 5 || s[1] != d || s[2] != d) return std::nullopt;
  size_t i = 3;
  uint32_t port = 0;
  if (!read_number(s, i, 65535, port) || i >= s.size() || s[i] != d) return std::nullopt;
  return static_cast<uint16_t>(port);
}

bool names_file(std::string_view v) {
  static constexpr std::string_view kFileVerbs[] = {"RETR", "STOR", "STOU", "APPE", "DELE", "RNFR",
                                                    "RNTO", "SIZE", "MDTM", "MLST", "SMNT"};
  for (auto f : kFileVerbs)
    if (v == f) return true;
  return false;
}

std::string upper(std::string_view s, size_t max) {
  std::string out(s.substr(0, max));
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

}  // namespace trawl::proto::ftp
