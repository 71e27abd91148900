#include "detect/dns/domain_name.h"

#include <algorithm>
#include <array>

#include <absl/strings/string_view.h>

namespace trawl::detect::dns {

namespace {

// Public suffixes of two labels under which people register names (a subset of the Public Suffix List:
// the generic second levels of the country domains seen most, plus the hosting suffixes where every
// subdomain is a different owner). Longer suffixes are not needed for what the detectors group by.
constexpr std::string_view kTwoLabelSuffixes[] = {
    "ac.il", "ac.jp", "ac.kr", "ac.nz", "ac.uk", "ac.za", "appspot.com", "blogspot.com", "co.id", "co.il",
    "co.in", "co.jp", "co.ke", "co.kr", "co.nz", "co.th", "co.uk", "co.za", "com.ar", "com.au", "com.br",
    "com.cn", "com.co", "com.eg", "com.hk", "com.mx", "com.my", "com.ng", "com.pe", "com.ph", "com.pk",
    "com.sa", "com.sg", "com.tr", "com.tw", "com.ua", "com.vn", "edu.au", "edu.cn", "github.io", "go.jp",
    "gov.au", "gov.br", "gov.cn", "gov.il", "gov.uk", "herokuapp.com", "ltd.uk", "me.uk", "ne.jp",
    "net.au", "net.br", "net.cn", "net.il", "net.in", "net.nz", "net.uk", "nhs.uk", "or.jp", "or.kr",
    "org.au", "org.br", "org.cn", "org.il", "org.in", "org.nz", "org.uk", "org.za", "plc.uk", "sch.uk",
};

// Top-level names that never reach the public DNS.
constexpr std::string_view kLocalTlds[] = {"arpa", "corp", "home", "internal", "intranet", "lan", "local",
                                           "localdomain", "localhost", "private", "test", "invalid", "example"};

std::string_view last_label(std::string_view name) {
  size_t dot = name.rfind('.');
  return dot == std::string_view::npos ? name : name.substr(dot + 1);
}

bool plausible_tld(std::string_view label) {
  if (label.size() < 2 || label.size() > 24) return false;
  if (label.substr(0, 4) == "xn--") return true;
  return std::all_of(label.begin(), label.end(), [](char c) { return c >= 'a' && c <= 'z'; });
}

// Where the registered domain starts in `name`, or npos when `name` is no Internet name.
size_t registered_start(std::string_view name) {
  if (!plausible_tld(last_label(name))) return std::string_view::npos;
  size_t last = name.rfind('.');
  if (last == std::string_view::npos) return 0;  // one label
  size_t second = last == 0 ? std::string_view::npos : name.rfind('.', last - 1);
  std::string_view two = second == std::string_view::npos ? name : name.substr(second + 1);
  bool long_suffix = std::binary_search(std::begin(kTwoLabelSuffixes), std::end(kTwoLabelSuffixes), two);
  size_t suffix_start = long_suffix ? (second == std::string_view::npos ? 0 : second + 1) : last + 1;
  if (suffix_start == 0) return 0;  // the name is a public suffix itself
  size_t label_dot = suffix_start >= 2 ? name.rfind('.', suffix_start - 2) : std::string_view::npos;
  return label_dot == std::string_view::npos ? 0 : label_dot + 1;
}

}  // namespace

void normalize_name(std::string_view name, std::string& out) {
  out.clear();
  // An HTTP Host may carry a port; an IPv6 literal in brackets keeps its colons.
  if (!name.empty() && name.front() != '[') {
    size_t colon = name.find(':');
    if (colon != std::string_view::npos && name.find(':', colon + 1) == std::string_view::npos) name = name.substr(0, colon);
  }
  while (!name.empty() && name.back() == '.') name.remove_suffix(1);
  out.reserve(name.size());
  for (char c : name) out.push_back(c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c);
}

std::string normalize_name(std::string_view name) {
  std::string out;
  normalize_name(name, out);
  return out;
}

bool has_domain_suffix(std::string_view name, std::string_view suffix) {
  if (suffix.empty() || name.size() < suffix.size()) return false;
  if (name.substr(name.size() - suffix.size()) != suffix) return false;
  return name.size() == suffix.size() || name[name.size() - suffix.size() - 1] == '.';
}

std::string_view registered_domain(std::string_view name) {
  size_t start = registered_start(name);
  if (start == std::string_view::npos) return name.substr(0, name.find('.'));
  return name.substr(start);
}

std::string_view registered_label(std::string_view name) {
  size_t start = registered_start(name);
  if (start == std::string_view::npos) return {};
  std::string_view reg = name.substr(start);
  size_t dot = reg.find('.');
  return dot == std::string_view::npos ? std::string_view{} : reg.substr(0, dot);
}

std::string_view subdomain_part(std::string_view name) {
  std::string_view reg = registered_domain(name);
  if (reg.size() >= name.size()) return {};
  if (registered_start(name) == std::string_view::npos) return name.substr(reg.size() + 1);  // after the first label
  return name.substr(0, name.size() - reg.size() - 1);
}

bool is_local_name(std::string_view name) {
  if (name.find('.') == std::string_view::npos) return true;
  std::string_view tld = last_label(name);
  return std::find(std::begin(kLocalTlds), std::end(kLocalTlds), tld) != std::end(kLocalTlds);
}

bool is_public_name(std::string_view name) { return !is_local_name(name) && plausible_tld(last_label(name)); }

namespace {
// Debian's Abseil has its own string_view: heterogeneous lookup needs one.
absl::string_view key(std::string_view s) { return absl::string_view(s.data(), s.size()); }
}  // namespace

uint32_t NameTable::intern(std::string_view name) {
  auto it = ids_.find(key(name));
  if (it != ids_.end()) return it->second;
  uint32_t id = uint32_t(names_.size());
  names_.emplace_back(name);
  ids_.emplace(names_.back(), id);
  return id;
}

uint32_t NameTable::find(std::string_view name) const {
  auto it = ids_.find(key(name));
  return it == ids_.end() ? kNone : it->second;
}

}  // namespace trawl::detect::dns
