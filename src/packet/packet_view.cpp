#include "packet/packet_view.h"

namespace trawl::packet {

const char* malformed_name(Malformed m) {
  switch (m) {
    case Malformed::kNone: return "none";
    case Malformed::kLinkTruncated: return "link_truncated";
    case Malformed::kUnsupportedLink: return "unsupported_link";
    case Malformed::kVlanTruncated: return "vlan_truncated";
    case Malformed::kMplsTruncated: return "mpls_truncated";
    case Malformed::kPppoeTruncated: return "pppoe_truncated";
    case Malformed::kArpTruncated: return "arp_truncated";
    case Malformed::kIpBadVersion: return "ip_bad_version";
    case Malformed::kIpv4Truncated: return "ipv4_truncated";
    case Malformed::kIpv4BadHeaderLength: return "ipv4_bad_header_length";
    case Malformed::kIpv4BadTotalLength: return "ipv4_bad_total_length";
    case Malformed::kIpv6Truncated: return "ipv6_truncated";
    case Malformed::kIpv6ExtensionTruncated: return "ipv6_extension_truncated";
    case Malformed::kTcpTruncated: return "tcp_truncated";
    case Malformed::kTcpBadHeaderLength: return "tcp_bad_header_length";
    case Malformed::kUdpTruncated: return "udp_truncated";
    case Malformed::kUdpBadLength: return "udp_bad_length";
    case Malformed::kIcmpTruncated: return "icmp_truncated";
    case Malformed::kTunnelTruncated: return "tunnel_truncated";
    case Malformed::kCount: break;
  }
  return "unknown";
}

}  // namespace trawl::packet
