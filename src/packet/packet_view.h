// PacketView: everything the later stages need from one packet's headers, filled in one pass.
//
// Offsets and values only; payload bytes are read through `data`, which points either into the capture
// reader's buffer or, for a reassembled IP datagram, into the FragmentReassembler's buffer. No allocation.
#pragma once

#include <cstdint>

#include "util/ip_address.h"

namespace trawl::packet {

enum class L3 : uint8_t { kNone, kArp, kIpv4, kIpv6, kOther };

// IP protocol numbers the decoder understands.
enum IpProto : uint8_t {
  kProtoIcmp = 1,
  kProtoTcp = 6,
  kProtoUdp = 17,
  kProtoGre = 47,
  kProtoIcmp6 = 58,
};

enum TcpFlag : uint8_t {
  kFin = 0x01, kSyn = 0x02, kRst = 0x04, kPsh = 0x08, kAck = 0x10, kUrg = 0x20, kEce = 0x40, kCwr = 0x80,
};

// Why a packet could not be decoded to the end of its headers. Counted per reason in the summary.
enum class Malformed : uint8_t {
  kNone,
  kLinkTruncated,        // link header shorter than its fixed size
  kUnsupportedLink,      // link type trawl does not decode (counted per link type too)
  kVlanTruncated,
  kMplsTruncated,        // label stack cut before its bottom-of-stack entry
  kPppoeTruncated,       // PPPoE session header or PPP protocol field cut short
  kArpTruncated,
  kIpBadVersion,         // version nibble disagrees with the ethertype / link family
  kIpv4Truncated,        // fewer bytes than the minimal or the announced header
  kIpv4BadHeaderLength,  // IHL < 5 or beyond the total length
  kIpv4BadTotalLength,   // total length below the header length
  kIpv6Truncated,
  kIpv6ExtensionTruncated,
  kTcpTruncated,
  kTcpBadHeaderLength,   // data offset < 5 or beyond the segment
  kUdpTruncated,
  kUdpBadLength,         // UDP length below 8 or above the IP payload
  kIcmpTruncated,        // fewer than the 8 bytes every ICMP/ICMPv6 message has
  kTunnelTruncated,      // GRE / VXLAN / ERSPAN header cut short
  kCount
};
const char* malformed_name(Malformed m);  // snake_case name for summaries ("tcp_truncated")

// The header fields of an ICMP or ICMPv6 error's quoted datagram (port unreachable etc.).
struct QuotedHeader {
  bool present = false;
  IpAddress src, dst;
  uint8_t ip_proto = 0;
  uint16_t sport = 0, dport = 0;
};

struct PacketView {
  // Frame
  // First byte of the link header, or of the reassembled IP datagram (then every offset below, except
  // eth_offset and arp_sender_mac_offset which are cleared, is relative to that datagram).
  const uint8_t* data = nullptr;
  uint32_t caplen = 0;            // bytes readable at data
  uint32_t wirelen = 0;
  uint16_t linktype = 0;

  // Link layer
  uint16_t eth_offset = 0xffff;   // offset of the (innermost) Ethernet header, 0xffff if none
  uint16_t ethertype = 0;         // ethertype of the network layer (after VLAN tags)
  uint8_t vlan_count = 0;         // 802.1Q/802.1ad tags seen (outer first)
  uint16_t vlan_ids[2] = {0, 0};  // first two VLAN ids, outer first
  uint16_t vlan() const { return vlan_count ? vlan_ids[vlan_count > 1 ? 1 : 0] : 0; }  // innermost

  // Network layer (the innermost IP header when tunnels are decoded)
  L3 l3 = L3::kNone;
  uint32_t l3_offset = 0;
  IpAddress src, dst;
  uint8_t ip_proto = 0;           // transport protocol (after IPv6 extension headers)
  uint8_t ttl = 0;                // TTL or hop limit
  uint16_t ip_id = 0;
  uint32_t ip_len = 0;            // IP datagram length from the header (IPv4 total length, IPv6 40 + payload)
  bool ip_fragment = false;       // a fragment that was not (yet) reassembled: no transport header
  bool ip_reassembled = false;    // data/caplen describe a datagram rebuilt from fragments
  uint8_t tunnel_depth = 0;       // encapsulations removed (GRE, ERSPAN, VXLAN, IP-in-IP)
  IpAddress tunnel_src, tunnel_dst;  // outermost IP header when tunnel_depth > 0
  // Offset of the frame's first IP header in the captured frame (not in a reassembled datagram), or
  // kNoOffset. With a tunnel it is the outer header; with reassembly, this fragment's own header.
  static constexpr uint32_t kNoOffset = 0xffffffff;
  uint32_t outer_l3_offset = kNoOffset;
  // This frame's own IP length. Differs from ip_len only on the frame that completes a reassembled
  // datagram (ip_len is then the whole datagram's): count wire bytes with this one.
  uint32_t frame_ip_len = 0;

  // ARP (l3 == kArp)
  uint16_t arp_op = 0;
  IpAddress arp_sender_ip, arp_target_ip;
  uint32_t arp_sender_mac_offset = 0;

  // Transport layer
  uint32_t l4_offset = 0;
  uint16_t sport = 0, dport = 0;  // TCP/UDP ports
  uint8_t tcp_flags = 0;
  uint32_t tcp_seq = 0, tcp_ack = 0;
  uint16_t tcp_window = 0;
  uint16_t tcp_mss = 0;           // 0 when absent
  int8_t tcp_wscale = -1;         // -1 when absent
  bool tcp_sack_permitted = false;
  bool tcp_has_timestamps = false;
  uint32_t tcp_tsval = 0, tcp_tsecr = 0;
  uint8_t icmp_type = 0, icmp_code = 0;
  uint16_t icmp_id = 0, icmp_seq = 0;  // echo request/reply only
  QuotedHeader quoted;            // ICMP errors

  // Application payload (bytes after the transport header, clipped to what was captured)
  uint32_t payload_offset = 0;
  uint32_t payload_len = 0;       // captured payload bytes
  uint32_t payload_wire_len = 0;  // payload length the headers announce (may exceed payload_len)

  Malformed malformed = Malformed::kNone;

  bool is_ip() const { return l3 == L3::kIpv4 || l3 == L3::kIpv6; }
  // An IP header whose lengths make sense (tshark stops at the others, so traffic tables skip them).
  bool ip_header_valid() const {
    return is_ip() && malformed != Malformed::kIpv4BadHeaderLength && malformed != Malformed::kIpv4BadTotalLength &&
           malformed != Malformed::kIpv4Truncated && malformed != Malformed::kIpv6Truncated;
  }
  bool is_tcp() const { return is_ip() && !ip_fragment && ip_proto == kProtoTcp && l4_offset; }
  bool is_udp() const { return is_ip() && !ip_fragment && ip_proto == kProtoUdp && l4_offset; }
  bool is_icmp() const {
    return is_ip() && !ip_fragment && (ip_proto == kProtoIcmp || ip_proto == kProtoIcmp6) && l4_offset;
  }
  const uint8_t* payload() const { return data + payload_offset; }
};

}  // namespace trawl::packet
