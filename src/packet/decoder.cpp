#include "packet/decoder.h"

#include <algorithm>
#include <cstring>
#include <type_traits>
#include <utility>

#include "util/bytes.h"

namespace trawl::packet {

namespace {

using capture::LinkType;

constexpr int kMaxTunnels = 4;  // nested encapsulations decoded; deeper ones are left opaque

enum : uint16_t {
  kEtherIpv4 = 0x0800,
  kEtherArp = 0x0806,
  kEtherVlan = 0x8100,
  kEtherQinQ = 0x88a8,
  kEtherQinQOld = 0x9100,
  kEtherIpv6 = 0x86dd,
  kEtherMpls = 0x8847,
  kEtherMplsMulticast = 0x8848,
  kEtherPppoeSession = 0x8864,
  kEtherTeb = 0x6558,      // transparent Ethernet bridging (GRE)
  kEtherErspan2 = 0x88be,  // ERSPAN type I (no sequence number) or II
  kEtherErspan3 = 0x22eb,
};

// Writes an address in place. IpAddress::v4() builds a zeroed temporary on the stack with narrow stores
// and then copies it with one 16-byte load: a store-forwarding stall that cost ~10 ns per address.
inline void set_v4(IpAddress& a, const uint8_t* p) {
  uint32_t w;
  std::memcpy(&w, p, 4);
  const uint64_t lo = w, hi = 0;
  std::memcpy(a.bytes.data(), &lo, 8);
  std::memcpy(a.bytes.data() + 8, &hi, 8);
  a.family = 4;
}
inline void set_v6(IpAddress& a, const uint8_t* p) {
  std::memcpy(a.bytes.data(), p, 16);
  a.family = 6;
}

// One pass over one packet. `d`/`cap` switch to the reassembler's buffer when a datagram completes.
struct Walk {
  PacketView& v;
  FragmentReassembler& frag;
  DecoderStats& stats;
  int64_t ts;
  const uint8_t* d;
  uint32_t cap;
  uint32_t wire;  // frame length on the wire: an IP length beyond it is a lie, as tshark also assumes

  uint32_t avail(uint32_t off) const { return off <= cap ? cap - off : 0; }
  void bad(Malformed m) {
    if (v.malformed == Malformed::kNone) v.malformed = m;
  }

  void link(uint16_t linktype);
  void ethernet(uint32_t off, Malformed short_reason);
  void ethertype(uint16_t et, uint32_t off);
  void mpls(uint32_t off);
  void pppoe(uint32_t off);
  void ip_by_version(uint32_t off);
  void ip_by_family(uint32_t family, uint32_t off);
  void arp(uint32_t off);
  void ipv4(uint32_t off);
  void ipv6(uint32_t off);
  void transport(uint32_t off, uint32_t end, uint32_t wire_len);
  void tcp(uint32_t off, uint32_t end, uint32_t wire_len);
  void udp(uint32_t off, uint32_t end, uint32_t wire_len);
  void icmp(uint32_t off, uint32_t end, uint32_t wire_len, bool v6);
  void gre(uint32_t off, uint32_t end);
  bool enter_tunnel(uint32_t end);
  void switch_to_datagram(std::span<const uint8_t> whole);
  void clear_transport();
  void clear_network();
  void quote_ipv4(uint32_t off, uint32_t end);
  void quote_ipv6(uint32_t off, uint32_t end);
};

void Walk::link(uint16_t linktype) {
  switch (linktype) {
    case capture::kLinkEthernet:
      ethernet(0, Malformed::kLinkTruncated);
      return;
    case capture::kLinkLinuxSll:  // 16-byte header, protocol (an ethertype for the usual ARPHRD types) last
      if (cap < 16) return bad(Malformed::kLinkTruncated);
      return ethertype(load_be16(d + 14), 16);
    case capture::kLinkLinuxSll2:  // 20-byte header, protocol first
      if (cap < 20) return bad(Malformed::kLinkTruncated);
      return ethertype(load_be16(d), 20);
    case capture::kLinkRaw:
    case 12:  // DLT_RAW as some BSDs and OpenBSD write it into files
    case 14:
      if (cap < 1) return bad(Malformed::kLinkTruncated);
      return ip_by_version(0);
    case capture::kLinkIpv4:
      return ipv4(0);
    case capture::kLinkIpv6:
      return ipv6(0);
    case capture::kLinkNull: {  // family in the writer's byte order: small values sit in d[0] or d[3]
      if (cap < 4) return bad(Malformed::kLinkTruncated);
      uint32_t le = load_le32(d), be = load_be32(d);
      return ip_by_family(le < 256 ? le : be, 4);
    }
    case capture::kLinkLoop:
      if (cap < 4) return bad(Malformed::kLinkTruncated);
      return ip_by_family(load_be32(d), 4);
    default:
      bad(Malformed::kUnsupportedLink);
      ++stats.unsupported_links[linktype];
  }
}

void Walk::ip_by_family(uint32_t family, uint32_t off) {
  switch (family) {
    case 2:  // AF_INET everywhere
      return ipv4(off);
    case 24:  // AF_INET6: OpenBSD/NetBSD, FreeBSD, macOS
    case 28:
    case 30:
      return ipv6(off);
    default:
      v.l3 = L3::kOther;
  }
}

void Walk::ip_by_version(uint32_t off) {
  if (!avail(off)) return bad(Malformed::kIpv4Truncated);
  switch (d[off] >> 4) {
    case 4: return ipv4(off);
    case 6: return ipv6(off);
    default: bad(Malformed::kIpBadVersion);
  }
}

void Walk::ethernet(uint32_t off, Malformed short_reason) {
  if (avail(off) < 14) return bad(short_reason);
  v.eth_offset = uint16_t(std::min<uint32_t>(off, 0xfffe));
  ethertype(load_be16(d + off + 12), off + 14);
}

void Walk::ethertype(uint16_t et, uint32_t off) {
  for (;;) {
    switch (et) {
      case kEtherVlan:
      case kEtherQinQ:
      case kEtherQinQOld:
        if (avail(off) < 4) return bad(Malformed::kVlanTruncated);
        if (v.vlan_count < 2) v.vlan_ids[v.vlan_count] = load_be16(d + off) & 0x0fff;
        if (v.vlan_count < 255) ++v.vlan_count;
        et = load_be16(d + off + 2);
        off += 4;
        continue;
      case kEtherIpv4:
        v.ethertype = et;
        return ipv4(off);
      case kEtherIpv6:
        v.ethertype = et;
        return ipv6(off);
      case kEtherArp:
        v.ethertype = et;
        return arp(off);
      case kEtherMpls:
      case kEtherMplsMulticast:
        v.ethertype = et;
        return mpls(off);
      case kEtherPppoeSession:
        v.ethertype = et;
        return pppoe(off);
      default:
        v.ethertype = et;
        clear_network();
        v.l3 = L3::kOther;
        return;
    }
  }
}

void Walk::mpls(uint32_t off) {
  for (;;) {  // label stack entries until bottom-of-stack; each consumes 4 bytes, so this ends
    if (avail(off) < 4) return bad(Malformed::kMplsTruncated);
    bool bottom = d[off + 2] & 1;
    off += 4;
    if (bottom) break;
  }
  if (!avail(off)) return bad(Malformed::kMplsTruncated);
  switch (d[off] >> 4) {  // no protocol field: guess by the version nibble, as routers and Zeek do
    case 4: return ipv4(off);
    case 6: return ipv6(off);
    default:  // pseudowire (control word + Ethernet) or unknown payload
      clear_network();
      v.l3 = L3::kOther;
  }
}

void Walk::pppoe(uint32_t off) {
  // ver/type, code, session id, length, then the 2-byte PPP protocol
  if (avail(off) < 8) return bad(Malformed::kPppoeTruncated);
  switch (load_be16(d + off + 6)) {
    case 0x0021: return ipv4(off + 8);
    case 0x0057: return ipv6(off + 8);
    default:
      clear_network();
      v.l3 = L3::kOther;
  }
}

void Walk::clear_transport() {
  v.l4_offset = 0;
  v.sport = v.dport = 0;
  v.tcp_flags = 0;
  v.tcp_seq = v.tcp_ack = 0;
  v.tcp_window = 0;
  v.icmp_type = v.icmp_code = 0;
  v.icmp_id = v.icmp_seq = 0;
  v.payload_offset = v.payload_len = v.payload_wire_len = 0;
}

// A tunnel's inner layer that is not IP replaces the outer IP header in the view.
void Walk::clear_network() {
  if (!v.tunnel_depth) return;
  v.src = v.dst = IpAddress{};
  v.ip_proto = v.ttl = 0;
  v.ip_id = 0;
  v.ip_len = v.frame_ip_len = v.l3_offset = 0;
  clear_transport();
}

// The inner packet lives inside the outer datagram: clip to it (Ethernet padding is not inner data).
bool Walk::enter_tunnel(uint32_t end) {
  if (v.tunnel_depth >= kMaxTunnels) return false;
  cap = std::min(cap, end);
  wire = std::max(cap, std::min(wire, end));
  if (!v.tunnel_depth) {
    v.tunnel_src = v.src;
    v.tunnel_dst = v.dst;
  }
  ++v.tunnel_depth;
  return true;
}

void Walk::arp(uint32_t off) {
  const uint32_t a = avail(off);
  if (a < 8) return bad(Malformed::kArpTruncated);
  const uint8_t* p = d + off;
  const uint32_t hlen = p[4], plen = p[5];
  if (a < 8 + 2 * hlen + 2 * plen) return bad(Malformed::kArpTruncated);
  clear_network();
  v.l3 = L3::kArp;
  v.l3_offset = off;
  v.arp_op = load_be16(p + 6);
  v.arp_sender_mac_offset = off + 8;
  if (load_be16(p + 2) == kEtherIpv4 && plen == 4) {
    set_v4(v.arp_sender_ip, p + 8 + hlen);
    set_v4(v.arp_target_ip, p + 8 + 2 * hlen + 4);
  }
}

void Walk::switch_to_datagram(std::span<const uint8_t> whole) {
  ++stats.datagrams_reassembled;
  d = whole.data();
  cap = wire = uint32_t(whole.size());
  v.data = d;
  v.caplen = cap;
  v.ip_reassembled = true;
  v.eth_offset = 0xffff;
  v.arp_sender_mac_offset = 0;
  v.l3_offset = 0;
  v.ip_len = cap;
}

void Walk::ipv4(uint32_t off) {
  const uint32_t a = avail(off);
  if (a < 20) return bad(Malformed::kIpv4Truncated);
  const uint8_t* h = d + off;
  if (h[0] >> 4 != 4) return bad(Malformed::kIpBadVersion);
  if (v.tunnel_depth) clear_transport();
  else if (!v.ip_reassembled) v.outer_l3_offset = off;
  v.l3 = L3::kIpv4;
  v.l3_offset = off;
  set_v4(v.src, h + 12);
  set_v4(v.dst, h + 16);
  v.ip_proto = h[9];
  v.ttl = h[8];
  v.ip_id = load_be16(h + 4);
  const uint32_t ihl = (h[0] & 0x0f) * 4u;
  uint32_t total = load_be16(h + 2);
  if (total == 0) total = a;  // TSO/LRO capture: the NIC fills the length in later
  v.ip_len = v.frame_ip_len = total;
  if (ihl < 20) return bad(Malformed::kIpv4BadHeaderLength);
  if (total < 20) return bad(Malformed::kIpv4BadTotalLength);
  if (ihl > total) return bad(Malformed::kIpv4BadHeaderLength);
  if (ihl > a) return bad(Malformed::kIpv4Truncated);
  const uint32_t end = off + std::min(total, a);  // Ethernet padding and snaplen both clipped
  const uint32_t wire_total = std::min(total, wire - off);  // >= end - off as cap <= wire

  const uint16_t fo = load_be16(h + 6);
  const bool more = fo & 0x2000;
  const uint32_t frag_off = (fo & 0x1fff) * 8u;
  if (!more && !frag_off) return transport(off + ihl, end, wire_total - ihl);

  ++stats.fragments;
  v.ip_fragment = true;
  // A fragment cut by the snaplen would leave a hole; nested fragments would overwrite our own buffer.
  if (v.ip_reassembled || total > a) return;
  auto whole = frag.add(ts, v.src, v.dst, v.ip_id, v.ip_proto, {h, ihl}, frag_off, {h + ihl, total - ihl}, more);
  if (whole.empty()) return;
  v.ip_fragment = false;
  switch_to_datagram(whole);
  const uint32_t ihl2 = (d[0] & 0x0f) * 4u;  // the offset-0 fragment's header
  transport(ihl2, cap, cap - ihl2);
}

void Walk::ipv6(uint32_t off) {
  uint32_t a = avail(off);
  if (a < 40) return bad(Malformed::kIpv6Truncated);
  const uint8_t* h = d + off;
  if (h[0] >> 4 != 6) return bad(Malformed::kIpBadVersion);
  if (v.tunnel_depth) clear_transport();
  else if (!v.ip_reassembled) v.outer_l3_offset = off;
  v.l3 = L3::kIpv6;
  v.l3_offset = off;
  set_v6(v.src, h + 8);
  set_v6(v.dst, h + 24);
  v.ttl = h[7];
  const uint32_t plen = load_be16(h + 4);
  uint32_t total = plen ? 40 + plen : a;  // 0: jumbogram or TSO; use what was captured
  v.ip_len = v.frame_ip_len = total;
  uint32_t end = off + std::min(total, a);
  uint32_t wire_end = off + std::min(total, wire - off);
  uint8_t nh = h[6];
  uint32_t p = off + 40;
  v.ip_proto = nh;
  for (int i = 0; i < 32; ++i) {  // extension header chain; bounded against hostile chains
    uint32_t len;
    switch (nh) {
      case 0:    // hop-by-hop
      case 43:   // routing
      case 60:   // destination options
      case 135:  // mobility
      case 139:  // HIP
      case 140:  // shim6
        if (end - p < 2) return bad(Malformed::kIpv6ExtensionTruncated);
        len = (d[p + 1] + 1u) * 8;
        break;
      case 51:  // AH: length in 4-byte units minus 2
        if (end - p < 2) return bad(Malformed::kIpv6ExtensionTruncated);
        len = (d[p + 1] + 2u) * 4;
        break;
      case 44: {  // fragment
        if (end - p < 8) return bad(Malformed::kIpv6ExtensionTruncated);
        const uint16_t fo = load_be16(d + p + 2);
        const uint32_t frag_off = fo & 0xfff8;
        const bool more = fo & 1;
        const uint8_t next = d[p];
        if (!frag_off && !more) {  // atomic fragment (RFC 6946): nothing to reassemble
          nh = v.ip_proto = next;
          p += 8;
          continue;
        }
        ++stats.fragments;
        const uint32_t id = load_be32(d + p + 4);
        v.ip_id = uint16_t(id);
        v.ip_proto = next;
        v.ip_fragment = true;
        if (v.ip_reassembled || total > a) return;
        auto whole = frag.add(ts, v.src, v.dst, id, next, {h, 40}, frag_off, {d + p + 8, wire_end - (p + 8)}, more);
        if (whole.empty()) return;
        v.ip_fragment = false;
        switch_to_datagram(whole);
        // Carry on along the chain inside the rebuilt datagram (next header already patched).
        h = d;
        a = total = cap;
        end = wire_end = cap;
        p = 40;
        nh = v.ip_proto = next;
        continue;
      }
      default:  // transport, ESP (50), no next header (59)
        v.ip_proto = nh;
        return transport(p, end, wire_end - p);
    }
    if (end - p < len) return bad(Malformed::kIpv6ExtensionTruncated);
    nh = v.ip_proto = d[p];
    p += len;
  }
  v.ip_proto = nh;  // absurd chain: stop without a transport
}

void Walk::transport(uint32_t off, uint32_t end, uint32_t wire_len) {
  switch (v.ip_proto) {
    case kProtoTcp: return tcp(off, end, wire_len);
    case kProtoUdp: return udp(off, end, wire_len);
    case kProtoIcmp: return icmp(off, end, wire_len, false);
    case kProtoIcmp6: return icmp(off, end, wire_len, true);
    case kProtoGre: return gre(off, end);
    case 4:  // IPv4 in IP
      if (enter_tunnel(end)) ipv4(off);
      return;
    case 41:  // IPv6 in IP
      if (enter_tunnel(end)) ipv6(off);
      return;
    default: return;
  }
}

void Walk::tcp(uint32_t off, uint32_t end, uint32_t wire_len) {
  const uint32_t a = end - off;
  if (a < 20) return bad(Malformed::kTcpTruncated);
  const uint8_t* t = d + off;
  v.l4_offset = off;
  v.sport = load_be16(t);
  v.dport = load_be16(t + 2);
  v.tcp_seq = load_be32(t + 4);
  v.tcp_ack = load_be32(t + 8);
  v.tcp_flags = t[13];
  v.tcp_window = load_be16(t + 14);
  const uint32_t doff = (t[12] >> 4) * 4u;
  if (doff < 20 || doff > wire_len) return bad(Malformed::kTcpBadHeaderLength);
  v.payload_offset = off + doff;
  v.payload_wire_len = wire_len - doff;
  const uint32_t opt_end = std::min(doff, a);
  for (uint32_t i = 20; i < opt_end;) {
    const uint8_t kind = t[i];
    if (kind == 0) break;  // end of option list
    if (kind == 1) {       // NOP
      ++i;
      continue;
    }
    if (i + 1 >= opt_end) break;
    const uint32_t len = t[i + 1];
    if (len < 2 || i + len > opt_end) break;
    switch (kind) {
      case 2:
        if (len == 4) v.tcp_mss = load_be16(t + i + 2);
        break;
      case 3:  // RFC 7323: shifts above 14 are treated as 14
        if (len == 3) v.tcp_wscale = int8_t(std::min<uint8_t>(t[i + 2], 14));
        break;
      case 4:
        if (len == 2) v.tcp_sack_permitted = true;
        break;
      case 8:
        if (len == 10) {
          v.tcp_has_timestamps = true;
          v.tcp_tsval = load_be32(t + i + 2);
          v.tcp_tsecr = load_be32(t + i + 6);
        }
        break;
      default: break;
    }
    i += len;
  }
  if (doff > a) {  // options cut short: a header, so malformed; no payload
    v.payload_offset = end;
    return bad(Malformed::kTcpTruncated);
  }
  v.payload_len = end - (off + doff);
}

void Walk::udp(uint32_t off, uint32_t end, uint32_t wire_len) {
  const uint32_t a = end - off;
  const uint8_t* u = d + off;
  if (a >= 4) {  // the ports alone are enough to key a flow; no TCP equivalent (flags would read as 0)
    v.l4_offset = off;
    v.sport = load_be16(u);
    v.dport = load_be16(u + 2);
  }
  if (a < 8) return bad(Malformed::kUdpTruncated);
  uint32_t ulen = load_be16(u + 4);
  if (ulen < 8 || ulen > wire_len) {  // trust the IP length instead
    bad(Malformed::kUdpBadLength);
    ulen = wire_len;
  }
  v.payload_offset = off + 8;
  v.payload_wire_len = ulen - 8;
  v.payload_len = std::min(end, off + ulen) - (off + 8);
  if (v.dport == 4789 && v.malformed == Malformed::kNone) {  // VXLAN: 8-byte header with the I flag, then Ethernet
    if (v.payload_len < 8) {
      if (v.payload_wire_len >= 8) bad(Malformed::kTunnelTruncated);
      return;
    }
    if ((u[8] & 0x08) && enter_tunnel(end)) ethernet(off + 16, Malformed::kTunnelTruncated);
  }
}

void Walk::icmp(uint32_t off, uint32_t end, uint32_t wire_len, bool v6) {
  const uint32_t a = end - off;
  if (a >= 2) {
    v.icmp_type = d[off];
    v.icmp_code = d[off + 1];
  }
  if (a < 8) return bad(Malformed::kIcmpTruncated);
  const uint8_t* c = d + off;
  v.l4_offset = off;
  v.payload_offset = off + 8;
  v.payload_len = a - 8;
  v.payload_wire_len = wire_len - 8;
  const uint8_t type = c[0];
  if (v6) {
    if (type == 128 || type == 129) {
      v.icmp_id = load_be16(c + 4);
      v.icmp_seq = load_be16(c + 6);
    } else if (type >= 1 && type <= 4) {
      quote_ipv6(off + 8, end);
    }
  } else {
    switch (type) {
      case 0:   // echo reply / request, timestamp request / reply
      case 8:
      case 13:
      case 14:
        v.icmp_id = load_be16(c + 4);
        v.icmp_seq = load_be16(c + 6);
        break;
      case 3:   // unreachable, source quench, redirect, time exceeded, parameter problem
      case 4:
      case 5:
      case 11:
      case 12:
        quote_ipv4(off + 8, end);
        break;
      default: break;
    }
  }
}

// Quoted datagrams are partial by design (RFC 792: header + 8 bytes), so a short quote is not malformed.
static void quote_ports(QuotedHeader& q, const uint8_t* p, uint32_t avail) {
  if (avail >= 4 && (q.ip_proto == kProtoTcp || q.ip_proto == kProtoUdp || q.ip_proto == 132 /* SCTP */)) {
    q.sport = load_be16(p);
    q.dport = load_be16(p + 2);
  }
}

void Walk::quote_ipv4(uint32_t off, uint32_t end) {
  if (end < off || end - off < 20) return;
  const uint8_t* h = d + off;
  if (h[0] >> 4 != 4) return;
  QuotedHeader& q = v.quoted;
  q.present = true;
  set_v4(q.src, h + 12);
  set_v4(q.dst, h + 16);
  q.ip_proto = h[9];
  const uint32_t ihl = (h[0] & 0x0f) * 4u;
  if (ihl < 20 || ihl > end - off || (load_be16(h + 6) & 0x1fff)) return;
  quote_ports(q, h + ihl, end - off - ihl);
}

void Walk::quote_ipv6(uint32_t off, uint32_t end) {
  if (end < off || end - off < 40) return;
  const uint8_t* h = d + off;
  if (h[0] >> 4 != 6) return;
  QuotedHeader& q = v.quoted;
  q.present = true;
  set_v6(q.src, h + 8);
  set_v6(q.dst, h + 24);
  uint8_t nh = h[6];
  uint32_t p = off + 40;
  for (int i = 0; i < 8; ++i) {
    if (nh != 0 && nh != 43 && nh != 60 && nh != 44) break;
    if (end - p < 8) {
      q.ip_proto = nh;
      return;
    }
    if (nh == 44 && (load_be16(d + p + 2) & 0xfff8)) {  // non-first fragment: no ports
      q.ip_proto = d[p];
      return;
    }
    const uint32_t len = nh == 44 ? 8 : (d[p + 1] + 1u) * 8;
    nh = d[p];
    if (end - p < len) {
      q.ip_proto = nh;
      return;
    }
    p += len;
  }
  q.ip_proto = nh;
  quote_ports(q, d + p, end - p);
}

void Walk::gre(uint32_t off, uint32_t end) {
  const uint32_t a = end - off;
  if (a < 4) return bad(Malformed::kTunnelTruncated);
  const uint16_t flags = load_be16(d + off);
  const uint16_t proto = load_be16(d + off + 2);
  v.l4_offset = off;
  // Version 1 is PPTP's enhanced GRE (PPP inside), and source routing is obsolete: leave both opaque.
  if ((flags & 7) != 0 || (flags & 0x4000)) return;
  uint32_t p = off + 4 + ((flags & 0x8000) ? 4 : 0) + ((flags & 0x2000) ? 4 : 0) + ((flags & 0x1000) ? 4 : 0);
  if (p > end) return bad(Malformed::kTunnelTruncated);
  switch (proto) {
    case kEtherErspan2:
      if (flags & 0x1000) {  // type II has an 8-byte header; type I (no sequence number) has none
        if (end - p < 8) return bad(Malformed::kTunnelTruncated);
        p += 8;
      }
      if (enter_tunnel(end)) ethernet(p, Malformed::kTunnelTruncated);
      return;
    case kEtherErspan3: {
      if (end - p < 12) return bad(Malformed::kTunnelTruncated);
      const uint16_t w = load_be16(d + p + 10);  // P, frame type (5 bits), hw id, D, Gra, O
      const uint32_t hl = 12 + ((w & 1) ? 8 : 0);
      if (end - p < hl) return bad(Malformed::kTunnelTruncated);
      if (((w >> 10) & 0x1f) != 0) return;  // not an Ethernet frame
      if (enter_tunnel(end)) ethernet(p + hl, Malformed::kTunnelTruncated);
      return;
    }
    case kEtherTeb:
      if (enter_tunnel(end)) ethernet(p, Malformed::kTunnelTruncated);
      return;
    case kEtherIpv4:
    case kEtherIpv6:
    case kEtherMpls:
    case kEtherMplsMulticast:
      if (enter_tunnel(end)) ethertype(proto, p);
      return;
    default: return;
  }
}

// Resets the view with fixed 16-byte copies from a pristine one. `view = PacketView{}` compiles to
// `rep stos`, whose start-up cost alone was a third of the decode time of a plain TCP packet.
static_assert(std::is_trivially_copyable_v<PacketView>);
template <size_t... I>
inline void copy_chunks(uint8_t* dst, const uint8_t* src, std::index_sequence<I...>) {
  (std::memcpy(dst + I * 16, src + I * 16, 16), ...);
}
inline void reset(PacketView& v) {
  static const PacketView kEmpty{};
  constexpr size_t kChunks = sizeof(PacketView) / 16;
  auto* dst = reinterpret_cast<uint8_t*>(&v);
  auto* src = reinterpret_cast<const uint8_t*>(&kEmpty);
  copy_chunks(dst, src, std::make_index_sequence<kChunks>{});
  std::memcpy(dst + kChunks * 16, src + kChunks * 16, sizeof(PacketView) % 16);
}

}  // namespace

Decoder::Decoder(FragmentReassembler::Limits limits) : reassembler_(limits) {}

bool Decoder::decode(const capture::RawPacket& pkt, PacketView& view) {
  reset(view);
  view.data = pkt.data;
  view.caplen = pkt.data ? pkt.caplen : 0;
  view.wirelen = pkt.wirelen;
  view.linktype = pkt.linktype;
  ++stats_.packets;
  if (reassembler_.datagrams_pending()) reassembler_.expire(pkt.ts_ns);

  Walk w{view, reassembler_, stats_, pkt.ts_ns, view.data, view.caplen, std::max(pkt.wirelen, view.caplen)};
  w.link(pkt.linktype);
  if (view.malformed != Malformed::kNone) ++stats_.malformed[size_t(view.malformed)];
  return view.l3 != L3::kNone;
}

}  // namespace trawl::packet
