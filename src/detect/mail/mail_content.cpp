#include "detect/mail/mail_content.h"

#include <algorithm>
#include <array>

#include "util/ip_address.h"

namespace trawl::detect::mail {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool istarts_with(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if ((s[i] | 0x20) != (prefix[i] | 0x20)) return false;
  return true;
}

// Top-level domains that make a bare "name.tld" link text read as a domain; any two-letter country code
// does too. Longer endings ("invoice.pdf") are file names.
constexpr std::string_view kCommonTlds[] = {"com", "net", "org", "info", "biz", "edu", "gov", "mil", "int",
                                            "app", "dev", "xyz", "top", "online", "site", "shop", "club", "vip",
                                            "live", "cloud", "store", "tech", "email", "link", "click"};

std::vector<std::string_view> split_labels(std::string_view host) {
  std::vector<std::string_view> labels;
  size_t start = 0;
  while (start <= host.size()) {
    size_t dot = host.find('.', start);
    if (dot == std::string_view::npos) dot = host.size();
    labels.push_back(host.substr(start, dot - start));
    start = dot + 1;
  }
  return labels;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xC0 | cp >> 6), out += char(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += char(0xE0 | cp >> 12), out += char(0x80 | (cp >> 6 & 0x3F)), out += char(0x80 | (cp & 0x3F));
  } else {
    out += char(0xF0 | cp >> 18), out += char(0x80 | (cp >> 12 & 0x3F)), out += char(0x80 | (cp >> 6 & 0x3F)),
        out += char(0x80 | (cp & 0x3F));
  }
}

// UTF-8 to code points; a byte that starts no valid sequence becomes U+FFFD.
std::u32string utf8_decode(std::string_view s) {
  std::u32string out;
  for (size_t i = 0; i < s.size();) {
    auto b = static_cast<uint8_t>(s[i]);
    if (b < 0x80) {
      out += char32_t(b);
      ++i;
      continue;
    }
    size_t n = (b & 0xE0) == 0xC0 ? 1 : (b & 0xF0) == 0xE0 ? 2 : (b & 0xF8) == 0xF0 ? 3 : 0;
    char32_t cp = n == 1 ? b & 0x1F : n == 2 ? b & 0x0F : b & 0x07;
    bool ok = n > 0 && i + n < s.size();
    for (size_t k = 1; ok && k <= n; ++k) {
      auto c = static_cast<uint8_t>(s[i + k]);
      ok = (c & 0xC0) == 0x80;
      cp = cp << 6 | (c & 0x3F);
    }
    if (!ok) {
      out += U'\uFFFD';
      ++i;
      continue;
    }
    out += cp;
    i += n + 1;
  }
  return out;
}

// The Latin letter a character passes for, or 0. Covers what look-alike domains use: ASCII digits,
// accented Latin, and the Cyrillic and Greek letters drawn like Latin ones.
char latin_lookalike(char32_t cp) {
  // U+00C0..U+017F: accented Latin letters by their base letter ('?' for ligatures and the like).
  static constexpr std::string_view kLatin1 = "aaaaaa?ceeeelllldnoooooxouuuuy??aaaaaa?ceeeelllldnooooo?ouuuuy?y";
  static constexpr std::string_view kLatinExtA =
      "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhlllllllllllljjkk?llllllllllnnnnnn???oooooo??rrrrrrssssssssttttttuuuu"
      "uuuuuuuuwwyyyzzzzzz?";
  static_assert(kLatin1.size() == 0x40 && kLatinExtA.size() == 0x80);
  struct Pair {
    char32_t cp;
    char c;
  };
  static constexpr Pair kOthers[] = {
      // Cyrillic
      {0x0430, 'a'}, {0x0435, 'e'}, {0x043A, 'k'}, {0x043C, 'm'}, {0x043D, 'h'}, {0x043E, 'o'}, {0x0440, 'p'},
      {0x0441, 'c'}, {0x0442, 't'}, {0x0443, 'y'}, {0x0445, 'x'}, {0x0451, 'e'}, {0x0455, 's'}, {0x0456, 'l'},
      {0x0457, 'l'}, {0x0458, 'j'}, {0x04BB, 'h'}, {0x04CF, 'l'}, {0x0501, 'd'}, {0x051B, 'q'}, {0x051D, 'w'},
      {0x0410, 'a'}, {0x0412, 'b'}, {0x0415, 'e'}, {0x041A, 'k'}, {0x041C, 'm'}, {0x041D, 'h'}, {0x041E, 'o'},
      {0x0420, 'p'}, {0x0421, 'c'}, {0x0422, 't'}, {0x0423, 'y'}, {0x0425, 'x'}, {0x0405, 's'}, {0x0406, 'l'},
      {0x0408, 'j'},
      // Greek
      {0x03B1, 'a'}, {0x03B9, 'l'}, {0x03BA, 'k'}, {0x03BD, 'v'}, {0x03BF, 'o'}, {0x03C1, 'p'}, {0x03C4, 't'},
      {0x03C5, 'u'}, {0x03C7, 'x'}, {0x0391, 'a'}, {0x0392, 'b'}, {0x0395, 'e'}, {0x0396, 'z'}, {0x0397, 'h'},
      {0x0399, 'l'}, {0x039A, 'k'}, {0x039C, 'm'}, {0x039D, 'n'}, {0x039F, 'o'}, {0x03A1, 'p'}, {0x03A4, 't'},
      {0x03A5, 'y'}, {0x03A7, 'x'},
      // IPA and Latin Extended letters
      {0x0251, 'a'}, {0x0261, 'g'}, {0x0269, 'l'}, {0x026A, 'l'}, {0x0280, 'r'}, {0x028F, 'y'},
  };
  if (cp >= 'A' && cp <= 'Z') cp += 32;
  if (cp >= 0xFF01 && cp <= 0xFF5E) return latin_lookalike(cp - 0xFEE0);  // full-width ASCII
  if (cp < 0x80) {
    switch (cp) {
      case '0': return 'o';
      case '1': case 'i': return 'l';
      case '3': return 'e';
      case '4': return 'a';
      case '5': return 's';
      case '7': return 't';
      case '8': return 'b';
      case '9': return 'g';
      default: return (cp >= 'a' && cp <= 'z') || (cp >= '2' && cp <= '9') ? char(cp) : 0;
    }
  }
  if (cp >= 0xC0 && cp < 0x100) return kLatin1[cp - 0xC0] == '?' ? 0 : kLatin1[cp - 0xC0];
  if (cp >= 0x100 && cp < 0x180) return kLatinExtA[cp - 0x100] == '?' ? 0 : kLatinExtA[cp - 0x100];
  for (const Pair& p : kOthers)
    if (p.cp == cp) return p.c;
  return 0;
}

bool has_non_ascii(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<uint8_t>(c) >= 0x80; });
}

// A label as code points: punycode decoded, UTF-8 decoded, or as it is.
std::u32string label_code_points(std::string_view label, bool& unicode) {
  unicode = false;
  if (istarts_with(label, "xn--")) {
    if (auto cps = punycode_decode(label.substr(4))) {
      unicode = true;
      return *cps;
    }
  }
  unicode = has_non_ascii(label);
  return utf8_decode(label);
}

}  // namespace

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = char(c + 32);
  return out;
}

std::string url_host(std::string_view url) {
  std::string_view u = trim(url);
  std::string_view rest;
  size_t i = 0;
  while (i < u.size() && (is_alpha(u[i]) || (i > 0 && (is_digit(u[i]) || u[i] == '+' || u[i] == '-' || u[i] == '.')))) ++i;
  if (istarts_with(u, "www.")) {
    rest = u;
  } else if (i > 0 && i < u.size() && u[i] == ':') {
    rest = u.substr(i + 1);
    if (rest.size() < 2 || (rest[0] != '/' && rest[0] != '\\') || (rest[1] != '/' && rest[1] != '\\')) return {};
    rest.remove_prefix(2);
  } else if (u.size() > 2 && u[0] == '/' && u[1] == '/') {
    rest = u.substr(2);
  } else {
    return {};
  }
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#\\"));
  size_t at = authority.rfind('@');
  if (at != std::string_view::npos) authority.remove_prefix(at + 1);
  std::string_view host;
  if (!authority.empty() && authority[0] == '[') {
    host = authority.substr(1, authority.find(']') - 1);
  } else {
    host = authority.substr(0, authority.find(':'));
  }
  std::string out = ascii_lower(host);
  while (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

std::string host_named_by_text(std::string_view text) {
  std::string_view t = trim(text);
  if (t.empty() || std::any_of(t.begin(), t.end(), is_space)) return {};
  if (istarts_with(t, "http://") || istarts_with(t, "https://") || istarts_with(t, "www.")) return url_host(t);
  std::string_view host = t.substr(0, t.find('/'));
  if (host.find('.') == std::string_view::npos || host.front() == '.' || host.back() == '.') return {};
  for (char c : host)
    if (!(is_alpha(c) || is_digit(c) || c == '.' || c == '-' || static_cast<uint8_t>(c) >= 0x80)) return {};
  std::string lower = ascii_lower(host);
  std::string_view tld = std::string_view(lower).substr(lower.rfind('.') + 1);
  bool country = tld.size() == 2 && is_alpha(tld[0]) && is_alpha(tld[1]);
  if (!country && std::find(std::begin(kCommonTlds), std::end(kCommonTlds), tld) == std::end(kCommonTlds) &&
      !istarts_with(tld, "xn--"))
    return {};
  return lower;
}

std::string address_domain(std::string_view address) {
  size_t at = address.rfind('@');
  if (at == std::string_view::npos) return {};
  std::string_view d = address.substr(at + 1);
  size_t end = 0;
  while (end < d.size() && d[end] != '>' && d[end] != ',' && d[end] != ';' && !is_space(d[end])) ++end;
  std::string out = ascii_lower(d.substr(0, end));
  while (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

bool is_ip_host(std::string_view host) {
  // Names have letters past f: most hosts are told apart without parsing.
  if (host.empty() || std::any_of(host.begin(), host.end(), [](char c) { return !is_hex(c) && c != '.' && c != ':' && c != 'x' && c != 'X'; }))
    return false;
  if (IpAddress::parse(host)) return true;
  // 3232235777, 0xc0a80001, 0300.0250.0.1 and mixes: every dotted part a number.
  auto labels = split_labels(host);
  if (labels.size() > 4) return false;
  for (std::string_view l : labels) {
    if (l.empty()) return false;
    if (istarts_with(l, "0x")) {
      if (l.size() == 2 || !std::all_of(l.begin() + 2, l.end(), is_hex)) return false;
    } else if (!std::all_of(l.begin(), l.end(), is_digit)) {
      return false;
    }
  }
  return true;
}

std::optional<std::u32string> punycode_decode(std::string_view label) {
  constexpr uint64_t kBase = 36, kTmin = 1, kTmax = 26, kSkew = 38, kDamp = 700, kMaxCp = 0x10FFFF;
  constexpr size_t kMaxOut = 63;
  if (label.empty() || label.size() > 63) return std::nullopt;
  std::u32string out;
  size_t b = label.rfind('-');
  size_t in = 0;
  if (b != std::string_view::npos) {
    for (size_t k = 0; k < b; ++k) {
      if (static_cast<uint8_t>(label[k]) >= 0x80) return std::nullopt;
      out += char32_t(label[k]);
    }
    in = b + 1;
  }
  auto adapt = [&](uint64_t delta, uint64_t points, bool first) {
    delta = first ? delta / kDamp : delta / 2;
    delta += delta / points;
    uint64_t k = 0;
    while (delta > ((kBase - kTmin) * kTmax) / 2) delta /= kBase - kTmin, k += kBase;
    return k + (kBase - kTmin + 1) * delta / (delta + kSkew);
  };
  uint64_t n = 128, i = 0, bias = 72;
  while (in < label.size()) {
    uint64_t old_i = i, w = 1;
    for (uint64_t k = kBase;; k += kBase) {
      if (in >= label.size()) return std::nullopt;
      char c = label[in++];
      uint64_t digit = c >= 'a' && c <= 'z' ? uint64_t(c - 'a') : c >= 'A' && c <= 'Z' ? uint64_t(c - 'A')
                     : c >= '0' && c <= '9' ? uint64_t(c - '0' + 26) : kBase;
      if (digit >= kBase) return std::nullopt;
      i += digit * w;
      if (i > (uint64_t(1) << 32)) return std::nullopt;
      uint64_t t = k <= bias ? kTmin : k >= bias + kTmax ? kTmax : k - bias;
      if (digit < t) break;
      w *= kBase - t;
      if (w > (uint64_t(1) << 32)) return std::nullopt;
    }
    uint64_t points = out.size() + 1;
    bias = adapt(i - old_i, points, old_i == 0);
    n += i / points;
    i %= points;
    if (n > kMaxCp || (n >= 0xD800 && n <= 0xDFFF) || out.size() >= kMaxOut) return std::nullopt;
    out.insert(out.begin() + std::ptrdiff_t(i), char32_t(n));
    ++i;
  }
  return out;
}

std::string skeleton(std::u32string_view label) {
  std::string s;
  for (char32_t cp : label) {
    if (cp == '-' || cp == '_') continue;
    if (char c = latin_lookalike(cp)) s += c;
    else append_utf8(s, cp);  // no Latin look-alike: only the same character matches it
  }
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i + 1 < s.size() && s[i] == 'r' && s[i + 1] == 'n') out += 'm', ++i;
    else if (i + 1 < s.size() && s[i] == 'v' && s[i + 1] == 'v') out += 'w', ++i;
    else out += s[i];
  }
  return out;
}

std::string skeleton(std::string_view ascii_label) { return skeleton(utf8_decode(ascii_label)); }

size_t edit_distance(std::string_view a, std::string_view b, size_t cap) {
  if (a.size() > b.size()) std::swap(a, b);
  constexpr size_t kMax = 64;  // a DNS label has at most 63 characters
  if (b.size() - a.size() > cap || a.size() >= kMax) return a == b ? 0 : cap + 1;
  // Three rows of the optimal string alignment table, on the stack.
  std::array<size_t, kMax + 1> prev2{}, prev{}, cur{};
  for (size_t i = 0; i <= a.size(); ++i) prev[i] = i;
  for (size_t j = 1; j <= b.size(); ++j) {
    cur[0] = j;
    size_t row_min = cur[0];
    for (size_t i = 1; i <= a.size(); ++i) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      cur[i] = std::min({prev[i] + 1, cur[i - 1] + 1, prev[i - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) cur[i] = std::min(cur[i], prev2[i - 2] + 1);
      row_min = std::min(row_min, cur[i]);
    }
    if (row_min > cap) return cap + 1;
    std::swap(prev2, prev);
    std::swap(prev, cur);
  }
  return std::min(prev[a.size()], cap + 1);
}

DomainComparer::DomainComparer(const std::vector<std::string>& brands,
                               const std::vector<std::string>& multi_label_suffixes, size_t min_edit_length)
    : min_edit_length_(min_edit_length) {
  for (const auto& s : multi_label_suffixes) suffixes_.insert(ascii_lower(s));
  for (const auto& b : brands) {
    Known k = make_known(ascii_lower(b));
    if (k.label.empty() || !brand_domains_.insert(k.domain).second) continue;
    brands_.push_back(std::move(k));
  }
}

std::string DomainComparer::registrable(std::string_view host) const {
  size_t last = host.rfind('.');
  if (last == std::string_view::npos || last == 0 || is_ip_host(host)) return std::string(host);
  size_t second = host.rfind('.', last - 1);
  if (second == std::string_view::npos) return std::string(host);
  if (suffixes_.count(host.substr(second + 1))) {  // example.co.uk: one label more
    if (second == 0) return std::string(host);
    size_t third = host.rfind('.', second - 1);
    return std::string(third == std::string_view::npos ? host : host.substr(third + 1));
  }
  return std::string(host.substr(second + 1));
}

bool DomainComparer::is_brand(std::string_view host) const { return brand_domains_.count(registrable(host)) > 0; }

DomainComparer::Known DomainComparer::make_known(std::string_view domain) const {
  Known k;
  k.domain = registrable(domain);
  k.label = k.domain.substr(0, k.domain.find('.'));
  bool unicode = false;
  k.skeleton = skeleton(label_code_points(k.label, unicode));
  k.domain_dot = k.domain + ".";
  return k;
}

std::vector<DomainComparer::Known> DomainComparer::prepare(const std::vector<std::string>& domains) const {
  std::vector<Known> out;
  for (const auto& d : domains)
    if (!d.empty() && !is_ip_host(d)) out.push_back(make_known(d));
  return out;
}

// How the host's name imitates k, or nullopt.
std::optional<std::string> DomainComparer::compare(const Host& h, const Known& k) const {
  if (h.label == k.label || k.skeleton.size() < 3) return std::nullopt;  // same name under another suffix
  if (h.skeleton == k.skeleton) return h.unicode ? "homoglyph" : "character swap";
  if (std::min(h.label.size(), k.label.size()) >= min_edit_length_ &&
      (edit_distance(h.label, k.label, 1) == 1 || edit_distance(h.skeleton, k.skeleton, 1) == 1))
    return h.unicode ? "homoglyph" : "edit distance 1";
  return std::nullopt;
}

std::optional<LookalikeHit> DomainComparer::brand_lookalike(std::string_view host, const Host& h) const {
  auto hit = [&](const Known& k, std::string how) {
    return LookalikeHit{std::string(host), k.domain, h.unicode ? how + " (reads " + h.shown + ")" : how};
  };
  std::string_view label = h.label;
  for (const Known& k : brands_) {
    if (auto how = compare(h, k)) return hit(k, *how);
    // The brand's whole domain in front of another one (paypal.com.account-check.net).
    for (size_t pos = host.find(k.domain_dot); pos != std::string_view::npos; pos = host.find(k.domain_dot, pos + 1))
      if ((pos == 0 || host[pos - 1] == '.') && pos + k.domain.size() < host.size() - h.reg.size())
        return hit(k, "brand in subdomain");
    // The brand as a word of the name (paypal-security.com); short names ("ups", "live") are coincidences.
    if (k.label.size() < 5 || label.find('-') == std::string_view::npos) continue;
    for (size_t start = 0; start < label.size();) {
      size_t dash = std::min(label.find('-', start), label.size());
      if (label.substr(start, dash - start) == k.label) return hit(k, "brand in name");
      start = dash + 1;
    }
  }
  return std::nullopt;
}

const DomainComparer::Host& DomainComparer::host_info(std::string_view host) {
  if (auto it = hosts_.find(host); it != hosts_.end()) return it->second;
  if (hosts_.size() >= kMaxHosts) hosts_.clear();
  Host& h = hosts_[std::string(host)];
  h.reg = registrable(host);
  h.brand = brand_domains_.count(h.reg) > 0;
  h.label = h.reg.substr(0, h.reg.find('.'));
  std::u32string cps = label_code_points(h.label, h.unicode);
  h.skeleton = skeleton(cps);
  for (char32_t cp : cps) append_utf8(h.shown, cp);
  if (!h.brand) h.brand_hit = brand_lookalike(host, h);
  return h;
}

std::optional<LookalikeHit> DomainComparer::imitates(std::string_view host, const std::vector<Known>& own) {
  if (host.empty() || is_ip_host(host)) return std::nullopt;
  const Host& h = host_info(host);
  if (h.brand) return std::nullopt;
  if (h.brand_hit) return h.brand_hit;
  for (const Known& k : own) {
    if (k.domain == h.reg) continue;
    if (auto how = compare(h, k))
      return LookalikeHit{std::string(host), k.domain, h.unicode ? *how + " (reads " + h.shown + ")" : *how};
  }
  return std::nullopt;
}

LureMatcher::LureMatcher(const std::vector<std::string>& phrases, const std::vector<std::string>& words) {
  auto add = [&](const std::string& e) {
    std::string v = ascii_lower(trim(e));
    if (v.size() >= 2 && std::find(entries_.begin(), entries_.end(), v) == entries_.end()) entries_.push_back(std::move(v));
  };
  for (const auto& p : phrases) add(p);
  phrases_ = entries_.size();
  for (const auto& w : words) add(w);
  // Counting sort of the entries by their first two bytes.
  auto key = [](std::string_view s) { return size_t(static_cast<uint8_t>(s[0])) << 8 | static_cast<uint8_t>(s[1]); };
  bucket_start_.assign(65537, 0);
  for (const auto& e : entries_) ++bucket_start_[key(e) + 1];
  for (size_t i = 1; i < bucket_start_.size(); ++i) bucket_start_[i] += bucket_start_[i - 1];
  bucket_ids_.resize(entries_.size());
  std::vector<uint32_t> fill(bucket_start_.begin(), bucket_start_.end() - 1);
  for (uint32_t id = 0; id < entries_.size(); ++id) bucket_ids_[fill[key(entries_[id])]++] = id;
  for (const auto& e : entries_) starts_[key(e) >> 6] |= uint64_t(1) << (key(e) & 63);
}

void LureMatcher::find(std::string_view text, Found& found) const {
  std::string norm;
  norm.reserve(text.size());
  bool space = false;
  for (char c : text) {
    if (is_space(c)) {
      space = true;
      continue;
    }
    if (space && !norm.empty()) norm += ' ';
    space = false;
    norm += c >= 'A' && c <= 'Z' ? char(c + 32) : c;
  }
  std::vector<bool> hit(entries_.size());
  for (size_t i = 0; i + 1 < norm.size(); ++i) {
    size_t key = size_t(static_cast<uint8_t>(norm[i])) << 8 | static_cast<uint8_t>(norm[i + 1]);
    if (!(starts_[key >> 6] >> (key & 63) & 1)) continue;  // the common case, answered from 8 KiB
    for (uint32_t k = bucket_start_[key]; k < bucket_start_[key + 1]; ++k) {
      const std::string& e = entries_[bucket_ids_[k]];
      if (norm.compare(i, e.size(), e) == 0) hit[bucket_ids_[k]] = true;
    }
  }
  for (size_t id = 0; id < entries_.size(); ++id) {
    if (!hit[id]) continue;
    auto& into = id < phrases_ ? found.phrases : found.words;
    if (std::find(into.begin(), into.end(), entries_[id]) == into.end()) into.push_back(entries_[id]);
  }
}

AttachmentCheck::AttachmentCheck(const std::vector<std::string>& executable_extensions,
                                 const std::vector<std::string>& decoy_extensions,
                                 const std::vector<std::string>& executable_types) {
  auto fill = [](const std::vector<std::string>& in, std::set<std::string, std::less<>>& out) {
    for (const auto& s : in) {
      std::string v = ascii_lower(trim(s));
      if (!v.empty() && v[0] == '.') v.erase(0, 1);
      if (!v.empty()) out.insert(v);
    }
  };
  fill(executable_extensions, executable_);
  fill(decoy_extensions, decoy_);
  fill(executable_types, types_);
}

AttachmentCheck::Verdict AttachmentCheck::check(std::string_view name, std::string_view media_type) const {
  // Windows ignores trailing dots and spaces: "a.exe. " runs as a.exe.
  std::string n = ascii_lower(name);
  while (!n.empty() && (n.back() == '.' || is_space(n.back()))) n.pop_back();
  size_t dot = n.rfind('.');
  bool executable = dot != std::string::npos && executable_.count(std::string_view(n).substr(dot + 1));
  if (!executable) return types_.count(ascii_lower(trim(media_type))) ? Verdict::kExecutable : Verdict::kHarmless;
  std::string_view stem = std::string_view(n).substr(0, dot);
  if (n.find("\xE2\x80\xAE") != std::string::npos) return Verdict::kDisguised;  // U+202E RIGHT-TO-LEFT OVERRIDE
  if (stem.size() >= 3 && stem.ends_with("   ")) return Verdict::kDisguised;   // the extension pushed out of view
  while (!stem.empty() && is_space(stem.back())) stem.remove_suffix(1);
  size_t dot2 = stem.rfind('.');
  if (dot2 != std::string_view::npos && decoy_.count(stem.substr(dot2 + 1))) return Verdict::kDisguised;
  return Verdict::kExecutable;
}

}  // namespace trawl::detect::mail
