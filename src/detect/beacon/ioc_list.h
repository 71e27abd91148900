// IocList: the user's indicators of compromise (ioc.file / --ioc FILE), one per line with `#` comments:
// addresses, CIDRs, domains (a domain covers its subdomains), URLs, JA3 MD5 hashes and JA4 fingerprints,
// indexed so that matching a record costs a few hash lookups whatever the list's length.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <absl/container/flat_hash_map.h>

#include "util/ip_address.h"

namespace trawl::detect::beacon {

enum class IocKind : uint8_t { kAddress, kCidr, kDomain, kUrl, kJa3, kJa4 };
std::string_view ioc_kind_name(IocKind k);  // "address", "cidr", "domain", "url", "ja3", "ja4"

struct Indicator {
  std::string text;  // as written (trimmed)
  IocKind kind;
  int line = 0;
};

class IocList {
 public:
  // Throws std::runtime_error naming the source and line of an indicator it cannot read.
  static IocList parse(std::string_view text, std::string_view source = "ioc");
  static IocList load(const std::string& path);

  const std::vector<Indicator>& indicators() const { return indicators_; }
  bool empty() const { return indicators_.empty(); }

  // Each call appends the indices of the matching indicators to `out`.
  void match_address(const IpAddress& a, std::vector<uint32_t>& out) const;
  void match_domain(std::string_view normalized_name, std::vector<uint32_t>& out) const;
  void match_url(std::string_view normalized_host, std::string_view uri, std::vector<uint32_t>& out) const;
  void match_hash(std::string_view hash, std::vector<uint32_t>& out) const;  // JA3 MD5 or JA4, any case

 private:
  uint32_t add(std::string text, IocKind kind, int line);
  std::vector<Indicator> indicators_;
  absl::flat_hash_map<IpAddress, std::vector<uint32_t>> addresses_;
  // CIDRs by prefix length: the masked network -> indicators, one lookup per distinct length.
  std::map<int, absl::flat_hash_map<IpAddress, std::vector<uint32_t>>> networks_;
  absl::flat_hash_map<std::string, std::vector<uint32_t>> domains_, hashes_;
  absl::flat_hash_map<std::string, std::vector<std::pair<std::string, uint32_t>>> urls_;  // host -> (path prefix, index)
};

// `a` with every bit past `prefix` cleared.
IpAddress masked(const IpAddress& a, int prefix);

}  // namespace trawl::detect::beacon
