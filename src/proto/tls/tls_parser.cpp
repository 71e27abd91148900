#include "proto/tls/tls_parser.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "util/hex.h"

namespace trawl::proto::tls {

namespace {

// A cursor over untrusted bytes: every read checks what is left and fails sticky.
class Reader {
 public:
  explicit Reader(std::span<const uint8_t> b) : b_(b) {}
  bool ok() const { return ok_; }
  size_t left() const { return ok_ ? b_.size() - pos_ : 0; }
  uint32_t u8() { return take(1) ? b_[pos_ - 1] : 0; }
  uint32_t u16() { return take(2) ? uint32_t(b_[pos_ - 2]) << 8 | b_[pos_ - 1] : 0; }
  uint32_t u24() {
    return take(3) ? uint32_t(b_[pos_ - 3]) << 16 | uint32_t(b_[pos_ - 2]) << 8 | b_[pos_ - 1] : 0;
  }
  std::span<const uint8_t> bytes(size_t n) { return take(n) ? b_.subspan(pos_ - n, n) : std::span<const uint8_t>(); }
  Reader sub(size_t n) { return take(n) ? Reader(b_.subspan(pos_ - n, n)) : Reader(false); }

 private:
  explicit Reader(bool) : ok_(false) {}
  bool take(size_t n) {
    if (!ok_ || b_.size() - pos_ < n) return ok_ = false;
    pos_ += n;
    return true;
  }
  std::span<const uint8_t> b_;
  size_t pos_ = 0;
  bool ok_ = true;
};

std::string_view as_text(std::span<const uint8_t> b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

void parse_client_extension(uint16_t type, Reader r, ClientHello& ch) {
  switch (type) {
    case 0: {  // server_name: list of (type, name); the first host_name (type 0) counts
      Reader list = r.sub(r.u16());
      while (list.ok() && list.left() >= 3) {
        uint32_t kind = list.u8();
        auto name = list.bytes(list.u16());
        if (!list.ok()) break;
        if (kind == 0) {
          ch.server_name.assign(as_text(name));
          break;
        }
      }
      break;
    }
    case 16: {  // ALPN
      Reader list = r.sub(r.u16());
      while (list.ok() && list.left() >= 1) {
        auto name = list.bytes(list.u8());
        if (!list.ok()) break;
        if (ch.alpn.size() < 32) ch.alpn.emplace_back(as_text(name));
      }
      break;
    }
    case 43: {  // supported_versions (ClientHello form: a 1-byte length list)
      Reader list = r.sub(r.u8());
      while (list.ok() && list.left() >= 2) ch.supported_versions.push_back(uint16_t(list.u16()));
      break;
    }
    case 10: {  // supported_groups
      Reader list = r.sub(r.u16());
      while (list.ok() && list.left() >= 2) ch.groups.push_back(uint16_t(list.u16()));
      break;
    }
    case 11: {  // ec_point_formats
      Reader list = r.sub(r.u8());
      while (list.ok() && list.left() >= 1) ch.point_formats.push_back(uint8_t(list.u8()));
      break;
    }
    case 13: {  // signature_algorithms
      Reader list = r.sub(r.u16());
      while (list.ok() && list.left() >= 2) ch.signature_algorithms.push_back(uint16_t(list.u16()));
      break;
    }
    default:
      break;
  }
}

template <typename T>
void append_joined(std::string& out, const std::vector<T>& v, bool skip_grease) {
  bool first = true;
  for (T x : v) {
    if (skip_grease && is_grease(uint16_t(x))) continue;
    if (!first) out.push_back('-');
    first = false;
    char digits[8];
    out.append(digits, std::to_chars(digits, digits + sizeof digits, unsigned(x)).ptr);
  }
}

std::string hex(const unsigned char* d, size_t n) {
  std::string out;
  append_hex(out, d, n);
  return out;
}

}  // namespace

std::string version_name(uint16_t v) {
  switch (v) {
    case 0x0002: return "SSLv2";
    case 0x0300: return "SSLv3";
    case 0x0301: return "TLSv10";
    case 0x0302: return "TLSv11";
    case 0x0303: return "TLSv12";
    case 0x0304: return "TLSv13";
    case 0xfeff: return "DTLSv10";
    case 0xfefd: return "DTLSv12";
    case 0xfefc: return "DTLSv13";
  }
  return fmt::format("0x{:04x}", v);
}

ParseResult parse_client_hello(std::span<const uint8_t> body, ClientHello& ch) {
  ch = ClientHello();
  Reader r(body);
  ch.legacy_version = uint16_t(r.u16());
  r.bytes(32);  // random
  auto sid = r.bytes(r.u8());
  ch.session_id.assign(sid.begin(), sid.end());
  Reader ciphers = r.sub(r.u16());
  while (ciphers.ok() && ciphers.left() >= 2) ch.ciphers.push_back(uint16_t(ciphers.u16()));
  r.bytes(r.u8());  // compression methods
  if (!r.ok()) return ParseResult::kMalformed;
  if (r.left() == 0) return ParseResult::kOk;  // no extensions (SSLv3-era hellos)
  Reader exts = r.sub(r.u16());
  if (!exts.ok()) return ParseResult::kMalformed;
  while (exts.left() >= 4) {
    uint16_t type = uint16_t(exts.u16());
    Reader data = exts.sub(exts.u16());
    if (!exts.ok()) return ParseResult::kMalformed;
    ch.extensions.push_back(type);
    if (type == 0) ch.has_sni = true;
    parse_client_extension(type, data, ch);
  }
  return ParseResult::kOk;
}

ParseResult parse_server_hello(std::span<const uint8_t> body, ServerHello& sh) {
  static constexpr uint8_t kHrrRandom[32] = {
      0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
      0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};
  sh = ServerHello();
  Reader r(body);
  sh.legacy_version = uint16_t(r.u16());
  auto random = r.bytes(32);
  auto sid = r.bytes(r.u8());
  sh.session_id.assign(sid.begin(), sid.end());
  sh.cipher = uint16_t(r.u16());
  r.u8();  // compression method
  if (!r.ok()) return ParseResult::kMalformed;
  sh.hello_retry_request = std::equal(random.begin(), random.end(), std::begin(kHrrRandom));
  if (r.left() == 0) return ParseResult::kOk;
  Reader exts = r.sub(r.u16());
  if (!exts.ok()) return ParseResult::kMalformed;
  while (exts.left() >= 4) {
    uint16_t type = uint16_t(exts.u16());
    Reader data = exts.sub(exts.u16());
    if (!exts.ok()) return ParseResult::kMalformed;
    sh.extensions.push_back(type);
    if (type == 43 && data.left() == 2) sh.selected_version = uint16_t(data.u16());
    if (type == 16) {
      Reader list = data.sub(data.u16());
      auto name = list.bytes(list.u8());
      if (list.ok()) sh.alpn.assign(as_text(name));
    }
  }
  return ParseResult::kOk;
}

std::string ja3_string(const ClientHello& ch) {
  std::string s = fmt::format("{},", ch.legacy_version);
  append_joined(s, ch.ciphers, true);
  s.push_back(',');
  append_joined(s, ch.extensions, true);
  s.push_back(',');
  append_joined(s, ch.groups, true);
  s.push_back(',');
  append_joined(s, ch.point_formats, false);
  return s;
}

std::string ja3s_string(const ServerHello& sh) {
  std::string s = fmt::format("{},{},", sh.legacy_version, sh.cipher);
  append_joined(s, sh.extensions, true);
  return s;
}

std::string md5_hex(std::string_view s) {
  unsigned char d[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(s.data(), s.size(), d, &n, EVP_md5(), nullptr);
  return hex(d, n);
}

std::string ja4_hash12(std::string_view text) {
  unsigned char d[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), d);
  return hex(d, 6);
}

std::string ja4(const ClientHello& ch) {
  std::string out = "t";
  // Version: the highest supported_versions entry when the extension is there, else the hello's version.
  uint16_t v = 0;
  bool has_sv = std::find(ch.extensions.begin(), ch.extensions.end(), 43) != ch.extensions.end();
  if (has_sv) {
    for (uint16_t x : ch.supported_versions)
      if (!is_grease(x)) v = std::max(v, x);
  } else {
    v = ch.legacy_version;
  }
  switch (v) {
    case 0x0304: out += "13"; break;
    case 0x0303: out += "12"; break;
    case 0x0302: out += "11"; break;
    case 0x0301: out += "10"; break;
    case 0x0300: out += "s3"; break;
    case 0x0002: out += "s2"; break;
    case 0xfeff: out += "d1"; break;
    case 0xfefd: out += "d2"; break;
    case 0xfefc: out += "d3"; break;
    default: out += "00"; break;
  }
  out.push_back(ch.has_sni ? 'd' : 'i');
  std::vector<uint16_t> ciphers, exts;
  for (uint16_t c : ch.ciphers)
    if (!is_grease(c)) ciphers.push_back(c);
  size_t ext_count = 0;
  for (uint16_t e : ch.extensions) {
    if (is_grease(e)) continue;
    ++ext_count;
    if (e != 0x0000 && e != 0x0010) exts.push_back(e);
  }
  for (size_t count : {std::min<size_t>(ciphers.size(), 99), std::min<size_t>(ext_count, 99)}) {
    out.push_back(char('0' + count / 10));
    out.push_back(char('0' + count % 10));
  }
  // ALPN: first and last character of the first value; their hex digits when either is not alphanumeric.
  if (ch.alpn.empty() || ch.alpn[0].empty()) {
    out += "00";
  } else {
    const std::string& a = ch.alpn[0];
    auto alnum = [](unsigned char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); };
    unsigned char f = a.front(), l = a.back();
    if (alnum(f) && alnum(l)) {
      out.push_back(char(f));
      out.push_back(char(l));
    } else {
      out.push_back(kHexDigits[f >> 4]);
      out.push_back(kHexDigits[l & 0xf]);
    }
  }
  auto hex_list = [](const std::vector<uint16_t>& v) {
    std::string s;
    for (size_t i = 0; i < v.size(); ++i) {
      if (i) s.push_back(',');
      append_hex16(s, v[i]);
    }
    return s;
  };
  std::sort(ciphers.begin(), ciphers.end());
  std::sort(exts.begin(), exts.end());
  out.push_back('_');
  out += ciphers.empty() ? std::string("000000000000") : ja4_hash12(hex_list(ciphers));
  out.push_back('_');
  if (exts.empty()) {
    out += "000000000000";
  } else {
    std::string c = hex_list(exts);
    std::vector<uint16_t> sigs;
    for (uint16_t s : ch.signature_algorithms)
      if (!is_grease(s)) sigs.push_back(s);
    if (!sigs.empty()) c += "_" + hex_list(sigs);
    out += ja4_hash12(c);
  }
  return out;
}

// ---- DER ----

namespace {

struct Tlv {
  uint8_t tag = 0;
  std::span<const uint8_t> content;
  std::span<const uint8_t> whole;  // tag, length and content
};

// Reads the TLV at the front of `in` and advances past it. Low tag numbers and definite lengths only,
// as DER requires.
bool next_tlv(std::span<const uint8_t>& in, Tlv& out) {
  if (in.size() < 2) return false;
  uint8_t tag = in[0];
  if ((tag & 0x1f) == 0x1f) return false;
  size_t pos = 2, len = in[1];
  if (len & 0x80) {
    size_t n = len & 0x7f;
    if (n == 0 || n > 4 || in.size() < 2 + n) return false;
    len = 0;
    for (size_t i = 0; i < n; ++i) len = len << 8 | in[2 + i];
    pos = 2 + n;
  }
  if (len > in.size() - pos) return false;
  out.tag = tag;
  out.content = in.subspan(pos, len);
  out.whole = in.first(pos + len);
  in = in.subspan(pos + len);
  return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = unsigned(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + int64_t(doe) - 719468;
}

// UTCTime (YYMMDDHHMMSSZ) or GeneralizedTime (YYYYMMDDHHMMSSZ), the forms RFC 5280 allows.
std::optional<int64_t> der_time(const Tlv& t) {
  std::string_view s = as_text(t.content);
  size_t ylen = t.tag == 0x17 ? 2 : t.tag == 0x18 ? 4 : 0;
  if (ylen == 0 || s.size() < ylen + 10) return std::nullopt;
  for (size_t i = 0; i < ylen + 10; ++i)
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
  auto num = [&](size_t at, size_t n) {
    int v = 0;
    for (size_t i = 0; i < n; ++i) v = v * 10 + (s[at + i] - '0');
    return v;
  };
  int year = num(0, ylen);
  if (ylen == 2) year += year < 50 ? 2000 : 1900;
  int mon = num(ylen, 2), day = num(ylen + 2, 2), h = num(ylen + 4, 2), mi = num(ylen + 6, 2), sec = num(ylen + 8, 2);
  if (mon < 1 || mon > 12 || day < 1 || day > 31 || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  int64_t secs = days_from_civil(year, unsigned(mon), unsigned(day)) * 86400 + h * 3600 + mi * 60 + sec;
  return secs * 1'000'000'000;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(char(cp));
  } else if (cp < 0x800) {
    out.push_back(char(0xc0 | cp >> 6));
    out.push_back(char(0x80 | (cp & 0x3f)));
  } else {
    out.push_back(char(0xe0 | cp >> 12));
    out.push_back(char(0x80 | ((cp >> 6) & 0x3f)));
    out.push_back(char(0x80 | (cp & 0x3f)));
  }
}

// The commonName (2.5.4.3) of a Name; the last one when there are several (the most specific).
std::string common_name(std::span<const uint8_t> name) {
  static constexpr uint8_t kCn[] = {0x55, 0x04, 0x03};
  std::string cn;
  Tlv set;
  while (next_tlv(name, set)) {
    if (set.tag != 0x31) continue;
    auto in_set = set.content;
    Tlv atv;
    while (next_tlv(in_set, atv)) {
      auto in_atv = atv.content;
      Tlv oid, value;
      if (atv.tag != 0x30 || !next_tlv(in_atv, oid) || !next_tlv(in_atv, value) || oid.tag != 0x06) continue;
      if (!std::equal(oid.content.begin(), oid.content.end(), std::begin(kCn), std::end(kCn))) continue;
      cn.clear();
      if (value.tag == 0x1e) {  // BMPString: UCS-2 big endian
        for (size_t i = 0; i + 1 < value.content.size(); i += 2)
          append_utf8(cn, uint32_t(value.content[i]) << 8 | value.content[i + 1]);
      } else {
        cn.assign(as_text(value.content));
      }
    }
  }
  return cn;
}

}  // namespace

bool parse_certificate(std::span<const uint8_t> der, CertificateInfo& out) {
  out = CertificateInfo();
  Tlv cert, tbs;
  if (!next_tlv(der, cert) || cert.tag != 0x30) return false;
  auto in_cert = cert.content;
  if (!next_tlv(in_cert, tbs) || tbs.tag != 0x30) return false;
  auto p = tbs.content;
  Tlv t;
  if (!next_tlv(p, t)) return false;
  if (t.tag == 0xa0 && !next_tlv(p, t)) return false;  // [0] version, then serialNumber
  if (t.tag != 0x02) return false;
  Tlv sigalg, issuer, validity, subject;
  if (!next_tlv(p, sigalg) || sigalg.tag != 0x30) return false;
  if (!next_tlv(p, issuer) || issuer.tag != 0x30) return false;
  if (!next_tlv(p, validity) || validity.tag != 0x30) return false;
  if (!next_tlv(p, subject) || subject.tag != 0x30) return false;
  auto v = validity.content;
  Tlv nb, na;
  if (next_tlv(v, nb) && next_tlv(v, na)) {
    out.not_before_ns = der_time(nb);
    out.not_after_ns = der_time(na);
  }
  out.subject_cn = common_name(subject.content);
  out.issuer_cn = common_name(issuer.content);
  out.self_signed = std::equal(subject.content.begin(), subject.content.end(), issuer.content.begin(),
                               issuer.content.end());
  return true;
}

bool parse_certificate_list(std::span<const uint8_t> body, CertificateInfo& first, uint32_t& count) {
  count = 0;
  Reader r(body);
  Reader list = r.sub(r.u24());
  if (!r.ok()) return false;
  bool have_first = false;
  while (list.left() >= 3) {
    auto der = list.bytes(list.u24());
    if (!list.ok()) return false;
    ++count;
    if (!have_first) have_first = parse_certificate(der, first);
  }
  return list.left() == 0;
}

}  // namespace trawl::proto::tls
