#include "detect/beacon/ioc_list.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <absl/strings/string_view.h>
#include <fmt/format.h>

#include "detect/dns/domain_name.h"

namespace trawl::detect::beacon {

namespace {

absl::string_view key(std::string_view s) { return absl::string_view(s.data(), s.size()); }

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(uint8_t(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(uint8_t(s.back()))) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::tolower(uint8_t(c)));
  return out;
}

bool all_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(uint8_t(c)); });
}

// JA4: "t13d1516h2_8daaf6152771_e5627efa2ab1" (and JA4S/JA4H-like: three underscore-separated parts).
bool looks_ja4(std::string_view s) {
  if (std::count(s.begin(), s.end(), '_') != 2 || s.size() < 12) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(uint8_t(c)) || c == '_'; }) &&
         (s[0] == 't' || s[0] == 'q' || s[0] == 'd');
}

bool valid_domain(std::string_view s) {
  if (s.empty() || s.size() > 253 || s.front() == '.' || s.back() == '.') return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(uint8_t(c)) || c == '-' || c == '.' || c == '_'; });
}

}  // namespace

std::string_view ioc_kind_name(IocKind k) {
  switch (k) {
    case IocKind::kAddress: return "address";
    case IocKind::kCidr: return "cidr";
    case IocKind::kDomain: return "domain";
    case IocKind::kUrl: return "url";
    case IocKind::kJa3: return "ja3";
    case IocKind::kJa4: return "ja4";
  }
  return "address";
}

IpAddress masked(const IpAddress& a, int prefix) {
  IpAddress m = a;
  int bits = a.is_v4() ? 32 : 128;
  for (int i = std::max(0, prefix); i < bits; ++i) m.bytes[size_t(i / 8)] &= uint8_t(~(0x80 >> (i % 8)));
  return m;
}

uint32_t IocList::add(std::string text, IocKind kind, int line) {
  indicators_.push_back({std::move(text), kind, line});
  return uint32_t(indicators_.size() - 1);
}

IocList IocList::parse(std::string_view text, std::string_view source) {
  IocList list;
  int number = 0;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++number;
    if (size_t hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    line = trim(line);
    if (line.empty()) continue;
    auto fail = [&](std::string_view why) {
      return std::runtime_error(fmt::format("{}:{}: {}: '{}'", source, number, why, line));
    };
    if (line.find("://") != std::string_view::npos) {  // a URL: scheme://host[:port]/path
      std::string_view rest = line.substr(line.find("://") + 3);
      size_t slash = rest.find('/');
      std::string host = dns::normalize_name(rest.substr(0, slash));
      std::string path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
      if (host.empty()) throw fail("a URL without a host");
      uint32_t i = list.add(std::string(line), IocKind::kUrl, number);
      list.urls_[host].emplace_back(path, i);
      continue;
    }
    if (size_t slash = line.find('/'); slash != std::string_view::npos) {
      auto base = IpAddress::parse(line.substr(0, slash));
      std::string_view bits = line.substr(slash + 1);
      int prefix = -1;
      if (!bits.empty() && bits.size() <= 3 && std::all_of(bits.begin(), bits.end(), [](char c) { return std::isdigit(uint8_t(c)); }))
        prefix = std::stoi(std::string(bits));
      if (!base || prefix < 0 || prefix > (base->is_v4() ? 32 : 128)) throw fail("not a CIDR");
      uint32_t i = list.add(std::string(line), IocKind::kCidr, number);
      list.networks_[base->is_v4() ? prefix : 1000 + prefix][masked(*base, prefix)].push_back(i);
      continue;
    }
    if (auto a = IpAddress::parse(line)) {
      list.addresses_[*a].push_back(list.add(std::string(line), IocKind::kAddress, number));
      continue;
    }
    std::string low = lower(line);
    if (low.size() == 32 && all_hex(low)) {
      list.hashes_[low].push_back(list.add(std::string(line), IocKind::kJa3, number));
      continue;
    }
    if (looks_ja4(low)) {
      list.hashes_[low].push_back(list.add(std::string(line), IocKind::kJa4, number));
      continue;
    }
    std::string_view domain = low;
    if (domain.substr(0, 2) == "*.") domain.remove_prefix(2);
    else if (domain.substr(0, 1) == ".") domain.remove_prefix(1);
    std::string name = dns::normalize_name(domain);
    if (!valid_domain(name)) throw fail("not an address, CIDR, domain, URL, JA3 or JA4");
    list.domains_[name].push_back(list.add(std::string(line), IocKind::kDomain, number));
  }
  return list;
}

IocList IocList::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("cannot read the indicator file {}", path));
  std::ostringstream text;
  text << in.rdbuf();
  return parse(text.str(), path);
}

void IocList::match_address(const IpAddress& a, std::vector<uint32_t>& out) const {
  if (auto it = addresses_.find(a); it != addresses_.end()) out.insert(out.end(), it->second.begin(), it->second.end());
  for (const auto& [length, nets] : networks_) {
    bool v6 = length >= 1000;
    if (v6 != a.is_v6()) continue;
    auto it = nets.find(masked(a, v6 ? length - 1000 : length));
    if (it != nets.end()) out.insert(out.end(), it->second.begin(), it->second.end());
  }
}

void IocList::match_domain(std::string_view name, std::vector<uint32_t>& out) const {
  if (domains_.empty()) return;
  while (!name.empty()) {  // the name, then each parent domain
    if (auto it = domains_.find(key(name)); it != domains_.end()) out.insert(out.end(), it->second.begin(), it->second.end());
    size_t dot = name.find('.');
    if (dot == std::string_view::npos) break;
    name.remove_prefix(dot + 1);
  }
}

void IocList::match_url(std::string_view host, std::string_view uri, std::vector<uint32_t>& out) const {
  auto it = urls_.find(key(host));
  if (it == urls_.end()) return;
  for (const auto& [path, index] : it->second)
    if (uri.substr(0, path.size()) == path) out.push_back(index);
}

void IocList::match_hash(std::string_view hash, std::vector<uint32_t>& out) const {
  if (hashes_.empty() || hash.empty()) return;
  auto it = hashes_.find(key(lower(hash)));
  if (it != hashes_.end()) out.insert(out.end(), it->second.begin(), it->second.end());
}

}  // namespace trawl::detect::beacon
