// DnsLookup: one record of dns.jsonl seen as a name lookup (who asked whom for what, and what came back),
// and the index of which names resolved to which address that the beacon, IOC and DNS detectors share.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <absl/container/flat_hash_map.h>

#include "detect/record_view.h"
#include "util/ip_address.h"

namespace trawl::detect::dns {

enum class Outcome : uint8_t { kNoResponse, kNoError, kNxDomain, kOtherError };

struct DnsLookup {
  double ts = 0;
  IpAddress client, server;
  std::string_view name;    // as queried (not normalized)
  std::string_view qtype;   // "A", "TXT", ...
  Outcome outcome = Outcome::kNoResponse;
};

// The lookup in a dns record, or nothing when the record is not unicast DNS on port 53 (mDNS, LLMNR and
// NetBIOS name records share the file) or has no question. The client is the side that is not port 53:
// a record made from a response alone has the server as its src.
std::optional<DnsLookup> read_lookup(const RecordView& record);

// Calls fn(IpAddress) for each A/AAAA answer of a dns record.
template <typename Fn>
void for_each_answer_address(const RecordView& record, Fn&& fn) {
  std::vector<std::string_view> answers = record.strings("answers");
  std::vector<std::string_view> types = record.strings("answer_types");
  for (size_t i = 0; i < answers.size() && i < types.size(); ++i) {
    if (types[i] != "A" && types[i] != "AAAA") continue;
    if (auto a = IpAddress::parse(answers[i])) fn(*a);
  }
}

// Which names resolved to an address, and when, from every dns answer; a connection to that address is
// named by the latest lookup before it (the name the client had just resolved).
class Resolutions {
 public:
  void add(const RecordView& dns_record, uint32_t name_id);
  // Call once every dns record is in (records are not time-sorted) and before the queries below.
  void seal();
  // Every (ts, name id) that resolved to `address`, in time order; nullptr when none.
  const std::vector<std::pair<double, uint32_t>>* lookups_of(const IpAddress& address) const;
  // The name id for a connection at `ts` to an address with these lookups: the latest one answered by then
  // (or, for a connection before every lookup, the first one).
  static uint32_t name_at(const std::vector<std::pair<double, uint32_t>>& lookups, double ts);
  bool empty() const { return by_address_.empty(); }

 private:
  absl::flat_hash_map<IpAddress, std::vector<std::pair<double, uint32_t>>> by_address_;
};

}  // namespace trawl::detect::dns
