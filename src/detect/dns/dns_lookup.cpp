#include "detect/dns/dns_lookup.h"

#include <algorithm>

namespace trawl::detect::dns {

std::optional<DnsLookup> read_lookup(const RecordView& record) {
  if (record.str("app") != "dns") return std::nullopt;
  uint16_t sport = record.sport(), dport = record.dport();
  bool to_server = dport == 53;
  if (!to_server && sport != 53) return std::nullopt;
  DnsLookup l;
  l.name = record.str("query");
  if (l.name.empty()) return std::nullopt;
  auto src = record.src_ip(), dst = record.dst_ip();
  if (!src || !dst) return std::nullopt;
  l.client = to_server ? *src : *dst;
  l.server = to_server ? *dst : *src;
  l.ts = record.ts();
  l.qtype = record.str("qtype_name");
  if (record.flag("response_seen")) {
    std::string_view rcode = record.str("rcode_name");
    l.outcome = rcode == "NOERROR" ? Outcome::kNoError : rcode == "NXDOMAIN" ? Outcome::kNxDomain : Outcome::kOtherError;
  }
  return l;
}

void Resolutions::add(const RecordView& dns_record, uint32_t name_id) {
  double ts = dns_record.ts();
  for_each_answer_address(dns_record, [&](const IpAddress& a) { by_address_[a].emplace_back(ts, name_id); });
}

void Resolutions::seal() {
  for (auto& [address, lookups] : by_address_) std::sort(lookups.begin(), lookups.end());
}

const std::vector<std::pair<double, uint32_t>>* Resolutions::lookups_of(const IpAddress& address) const {
  auto it = by_address_.find(address);
  return it == by_address_.end() ? nullptr : &it->second;
}

uint32_t Resolutions::name_at(const std::vector<std::pair<double, uint32_t>>& lookups, double ts) {
  // A connection may start a hair before its lookup's record time (the record's ts is the query's).
  auto after = std::upper_bound(lookups.begin(), lookups.end(), std::make_pair(ts + 1.0, UINT32_MAX));
  return after == lookups.begin() ? lookups.front().second : std::prev(after)->second;
}

}  // namespace trawl::detect::dns
