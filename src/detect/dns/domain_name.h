// Domain names as the detectors compare them (lower case, no trailing dot), the registered domain of a name
// from a small bundled public-suffix subset, and a table that interns names so per-record state stays small.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <absl/container/flat_hash_map.h>

namespace trawl::detect::dns {

// Writes `name` lower-cased, without a trailing dot and without a ":port" (HTTP Host), into `out` (reused,
// so a caller that keeps `out` allocates only while names grow).
void normalize_name(std::string_view name, std::string& out);
std::string normalize_name(std::string_view name);

// True when `name` is `suffix` or ends with "." + `suffix` (both normalized): "a.duckdns.org" has the
// suffix "duckdns.org", "evilduckdns.org" has not.
bool has_domain_suffix(std::string_view name, std::string_view suffix);

// The registered domain: the public suffix and the one label before it ("www.bbc.co.uk" -> "bbc.co.uk",
// "a.b.example.com" -> "example.com"). Public suffixes of more than one label come from a bundled subset of
// the Public Suffix List (the country second levels in wide use: co.uk, com.au, co.jp, com.cn, ...); any
// other name is taken to end in a one-label suffix. A name whose last label is not a plausible top-level
// domain (letters only, or "xn--") is no Internet name (dnscat2 without a domain: "dnscat.<hex>.<hex>"):
// there the first label is what stays the same from query to query, so it is returned.
std::string_view registered_domain(std::string_view name);
// The label before the public suffix ("bbc" for "www.bbc.co.uk"); empty for one-label names.
std::string_view registered_label(std::string_view name);
// What is left of the registered domain ("www" for "www.bbc.co.uk"), empty when nothing is.
std::string_view subdomain_part(std::string_view name);
// A name of the public DNS: at least two labels and a plausible top-level domain that is not one of the
// local-only ones (local, lan, home, internal, arpa, localdomain, corp, ...).
bool is_public_name(std::string_view name);
// A name that only means something on the local network: one label, or under a local-only top-level domain
// (in-addr.arpa reverse lookups included).
bool is_local_name(std::string_view name);

// Interns names: each distinct string gets a small id, so state keyed by name holds ids.
class NameTable {
 public:
  uint32_t intern(std::string_view name);
  const std::string& name(uint32_t id) const { return names_[id]; }
  size_t size() const { return names_.size(); }
  // The id of a name seen before, or kNone.
  static constexpr uint32_t kNone = UINT32_MAX;
  uint32_t find(std::string_view name) const;

 private:
  absl::flat_hash_map<std::string, uint32_t> ids_;
  std::vector<std::string> names_;
};

}  // namespace trawl::detect::dns
