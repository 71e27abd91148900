// DnsDetector ([dns]): dns.ddns (lookups under dynamic-DNS provider domains), dns.dga (many machine-made
// names that mostly do not exist), dns.tunnel (data carried in names or TXT answers). A lookup an internal
// resolver makes for a client it serves is that client's; a malicious name a resolver looked up for an
// unseen client is pinned on the internal hosts that then connect to the addresses it resolved to.
#pragma once

#include "detect/detector.h"

namespace trawl::detect::dns {

extern const DetectorInfo kDnsDetector;

}  // namespace trawl::detect::dns
