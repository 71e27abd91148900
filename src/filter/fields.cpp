#include "filter/fields.h"

#include <algorithm>
#include <string>
#include <vector>

#include "filter/app_fields.h"
#include "util/bytes.h"

namespace trawl::filter {

namespace {

using packet::L3;
using packet::PacketView;

// Field ids: the index into kFields. Keep both lists in the same order.
enum Id : int {
  kFrame, kFrameNumber, kFrameLen, kFrameCapLen, kFrameTimeEpoch, kFrameTimeRelative, kFrameProtocols,
  kEth, kEthSrc, kEthDst, kEthAddr, kEthType,
  kVlan, kVlanId,
  kArp, kArpOpcode, kArpSrcIp, kArpDstIp, kArpSrcMac,
  kIp, kIpSrc, kIpDst, kIpAddr, kIpProto, kIpTtl, kIpId, kIpLen,
  kIpv6, kIpv6Src, kIpv6Dst, kIpv6Addr, kIpv6Nxt, kIpv6Hlim,
  kTcp, kTcpSrcport, kTcpDstport, kTcpPort, kTcpFlags, kTcpFlagsFin, kTcpFlagsSyn, kTcpFlagsReset,
  kTcpFlagsPush, kTcpFlagsAck, kTcpFlagsUrg, kTcpSeqRaw, kTcpAckRaw, kTcpSeq, kTcpAck, kTcpStream, kTcpLen, kTcpWindowSizeValue,
  kUdp, kUdpSrcport, kUdpDstport, kUdpPort, kUdpLength,
  kIcmp, kIcmpType, kIcmpCode, kIcmpv6, kIcmpv6Type, kIcmpv6Code,
};

constexpr FieldInfo kFields[] = {
    {"frame", FieldType::kProtocol, "every packet"},
    {"frame.number", FieldType::kUint, "frame number in its capture file (1-based)"},
    {"frame.len", FieldType::kUint, "length on the wire"},
    {"frame.cap_len", FieldType::kUint, "bytes captured"},
    {"frame.time_epoch", FieldType::kTime, "capture time, seconds since 1970"},
    {"frame.time_relative", FieldType::kTime, "seconds since the first packet of the same file"},
    {"frame.protocols", FieldType::kString, "the layers trawl decoded, as \"eth:ethertype:ip:tcp\" (no application layer)"},
    {"eth", FieldType::kProtocol, "Ethernet"},
    {"eth.src", FieldType::kEther, "source MAC"},
    {"eth.dst", FieldType::kEther, "destination MAC"},
    {"eth.addr", FieldType::kEther, "source or destination MAC"},
    {"eth.type", FieldType::kUint, "EtherType of the Ethernet header (0x8100 when VLAN-tagged)"},
    {"vlan", FieldType::kProtocol, "802.1Q / 802.1ad tag"},
    {"vlan.id", FieldType::kUint, "VLAN id (each tag)"},
    {"arp", FieldType::kProtocol, "ARP"},
    {"arp.opcode", FieldType::kUint, "1 request, 2 reply"},
    {"arp.src.proto_ipv4", FieldType::kIp, "sender IPv4 address"},
    {"arp.dst.proto_ipv4", FieldType::kIp, "target IPv4 address"},
    {"arp.src.hw_mac", FieldType::kEther, "sender MAC"},
    {"ip", FieldType::kProtocol, "IPv4 (any header: tunnels and ICMP-quoted headers count)"},
    {"ip.src", FieldType::kIp, "IPv4 source"},
    {"ip.dst", FieldType::kIp, "IPv4 destination"},
    {"ip.addr", FieldType::kIp, "IPv4 source or destination"},
    {"ip.proto", FieldType::kUint, "protocol number (every IPv4 header: tunnel outer and inner, ICMP-quoted)"},
    {"ip.ttl", FieldType::kUint, "time to live (every IPv4 header)"},
    {"ip.id", FieldType::kUint, "identification (every IPv4 header)"},
    {"ip.len", FieldType::kUint, "total length (every IPv4 header; a fragment's own, not the reassembled datagram's)"},
    {"ipv6", FieldType::kProtocol, "IPv6"},
    {"ipv6.src", FieldType::kIp, "IPv6 source"},
    {"ipv6.dst", FieldType::kIp, "IPv6 destination"},
    {"ipv6.addr", FieldType::kIp, "IPv6 source or destination"},
    {"ipv6.nxt", FieldType::kUint, "next header of the fixed header (every IPv6 header)"},
    {"ipv6.hlim", FieldType::kUint, "hop limit (every IPv6 header)"},
    {"tcp", FieldType::kProtocol, "TCP"},
    {"tcp.srcport", FieldType::kUint, "source port"},
    {"tcp.dstport", FieldType::kUint, "destination port"},
    {"tcp.port", FieldType::kUint, "source or destination port"},
    {"tcp.flags", FieldType::kUint, "flag byte (FIN 0x01 SYN 0x02 RST 0x04 PSH 0x08 ACK 0x10 URG 0x20 ECE 0x40 CWR 0x80)"},
    {"tcp.flags.fin", FieldType::kBool, "FIN set"},
    {"tcp.flags.syn", FieldType::kBool, "SYN set"},
    {"tcp.flags.reset", FieldType::kBool, "RST set"},
    {"tcp.flags.push", FieldType::kBool, "PSH set"},
    {"tcp.flags.ack", FieldType::kBool, "ACK set"},
    {"tcp.flags.urg", FieldType::kBool, "URG set"},
    {"tcp.seq_raw", FieldType::kUint, "sequence number as sent"},
    {"tcp.ack_raw", FieldType::kUint, "acknowledgment number as sent"},
    {"tcp.seq", FieldType::kUint, "sequence number relative to the sender's first (its SYN's)"},
    {"tcp.ack", FieldType::kUint, "acknowledgment number relative to the receiver's first (with ACK set)"},
    {"tcp.stream", FieldType::kUint, "conversation index, from 0 in order of appearance (a new SYN starts a new one)"},
    {"tcp.len", FieldType::kUint, "segment payload length (from the IP lengths)"},
    {"tcp.window_size_value", FieldType::kUint, "window field as sent (unscaled)"},
    {"udp", FieldType::kProtocol, "UDP"},
    {"udp.srcport", FieldType::kUint, "source port"},
    {"udp.dstport", FieldType::kUint, "destination port"},
    {"udp.port", FieldType::kUint, "source or destination port"},
    {"udp.length", FieldType::kUint, "length field of the UDP header"},
    {"icmp", FieldType::kProtocol, "ICMP"},
    {"icmp.type", FieldType::kUint, "ICMP type (and the type of an ICMP message an error quotes)"},
    {"icmp.code", FieldType::kUint, "ICMP code (and the quoted message's)"},
    {"icmpv6", FieldType::kProtocol, "ICMPv6"},
    {"icmpv6.type", FieldType::kUint, "ICMPv6 type"},
    {"icmpv6.code", FieldType::kUint, "ICMPv6 code"},
};
static_assert(std::size(kFields) == size_t(kIcmpv6Code) + 1, "kFields and Id disagree");

// Every Ethernet header of the frame, outer first, as tshark lists them: the link header and one inside a
// tunnel (ERSPAN, VXLAN). A reassembled datagram's view has no Ethernet offset; its frame still has one.
struct EthHeaders {
  const uint8_t* h[2] = {};
  int n = 0;
};
EthHeaders eth_headers(const PacketContext& p) {
  EthHeaders e{};
  const PacketView& v = p.view;
  const bool link_eth = p.raw.linktype == 1 && p.raw.caplen >= 14;
  if (link_eth) e.h[e.n++] = p.raw.data;
  const bool inner = v.eth_offset != 0xffff && v.eth_offset + 14u <= v.caplen;
  if (inner && !(link_eth && v.data == p.raw.data && v.eth_offset == 0)) e.h[e.n++] = v.data + v.eth_offset;
  return e;
}

// Every IP header of one family in the frame, as tshark shows them: the frame's outer header (with
// reassembly: this fragment's own), the innermost one of a tunnel, and the header an ICMP error quotes.
struct IpHeaders {
  const uint8_t* h[3] = {};  // the headers found, then nullptr
  int n = 0;
};
IpHeaders ip_headers(const PacketContext& p, bool v6) {
  IpHeaders r{};
  const PacketView& v = p.view;
  const uint8_t version = v6 ? 6 : 4;
  const uint32_t fixed = v6 ? 40 : 20;
  auto add = [&](const uint8_t* base, uint32_t caplen, uint32_t off) {
    if (off < caplen && caplen - off >= fixed && base[off] >> 4 == version) r.h[r.n++] = base + off;
  };
  if (v.outer_l3_offset != PacketView::kNoOffset) add(p.raw.data, p.raw.caplen, v.outer_l3_offset);
  if (v.is_ip() && (v.tunnel_depth || v.outer_l3_offset == PacketView::kNoOffset)) add(v.data, v.caplen, v.l3_offset);
  if (v.quoted.present) add(v.data, v.caplen, v.payload_offset);
  return r;
}

void add_uint(FieldValues& out, uint64_t u) { out.add().u = u; }
void add_addr(FieldValues& out, const IpAddress& a) { out.add().a = a; }
void add_bytes(FieldValues& out, const uint8_t* p, uint32_t n) {
  FieldValue& f = out.add();
  f.bytes = p;
  f.len = n;
}

// ip.src / ipv6.src etc. from every header of the family.
void addresses(const PacketContext& p, bool v6, bool src, bool dst, FieldValues& out) {
  const IpHeaders hs = ip_headers(p, v6);
  const uint32_t at = v6 ? 8 : 12, len = v6 ? 16 : 4;
  for (const uint8_t* h : hs.h) {
    if (!h) break;
    if (src) add_addr(out, v6 ? IpAddress::v6(h + at) : IpAddress::v4(h + at));
    if (dst) add_addr(out, v6 ? IpAddress::v6(h + at + len) : IpAddress::v4(h + at + len));
  }
}

// A one-byte or two-byte header field of every IP header of the family (ip.ttl, ipv6.nxt, ...).
void header_field(const PacketContext& p, bool v6, uint32_t at, bool two_bytes, FieldValues& out) {
  const IpHeaders hs = ip_headers(p, v6);
  for (const uint8_t* h : hs.h)
    if (h) add_uint(out, two_bytes ? load_be16(h + at) : h[at]);
}

// tcp.port / udp.port: this packet's header and an ICMP-quoted one of the same transport.
void ports(const PacketView& v, uint8_t proto, bool src, bool dst, FieldValues& out) {
  bool own = proto == packet::kProtoTcp ? v.is_tcp() : v.is_udp();
  if (own) {
    if (src) add_uint(out, v.sport);
    if (dst) add_uint(out, v.dport);
  }
  if (v.quoted.present && v.quoted.ip_proto == proto) {
    if (src) add_uint(out, v.quoted.sport);
    if (dst) add_uint(out, v.quoted.dport);
  }
}

// frame.protocols in tshark's spelling, for the layers trawl decodes: "eth:ethertype:vlan:ethertype:ip:udp".
void protocols(const PacketContext& p, std::string& out) {
  const PacketView& v = p.view;
  out.clear();
  switch (p.raw.linktype) {
    case 1: out = "eth:ethertype"; break;
    case 113:
    case 276: out = "sll:ethertype"; break;
    case 0: out = "null"; break;
    case 12:
    case 101: out = "raw"; break;
    default: break;
  }
  for (int i = 0; i < v.vlan_count; ++i) out += ":vlan:ethertype";
  auto layer = [&](std::string_view name) {
    if (!out.empty()) out += ':';
    out += name;
  };
  if (v.l3 == L3::kArp) layer("arp");
  if (v.outer_l3_offset != PacketView::kNoOffset || v.is_ip()) layer(v.l3 == L3::kIpv6 ? "ipv6" : "ip");
  if (v.is_tcp()) layer("tcp");
  else if (v.is_udp()) layer("udp");
  else if (v.is_icmp()) layer(v.ip_proto == packet::kProtoIcmp6 ? "icmpv6" : "icmp");
  if (!v.quoted.present) return;  // an ICMP error's quoted datagram: "icmp:ip:tcp"
  layer(v.quoted.src.is_v6() ? "ipv6" : "ip");
  switch (v.quoted.ip_proto) {
    case packet::kProtoTcp: layer("tcp"); break;
    case packet::kProtoUdp: layer("udp"); break;
    case packet::kProtoIcmp: layer("icmp"); break;
    case packet::kProtoIcmp6: layer("icmpv6"); break;
    default: break;
  }
}

bool icmp_of(const PacketView& v, bool v6) {
  return v.is_icmp() && (v6 ? v.ip_proto == packet::kProtoIcmp6 : v.ip_proto == packet::kProtoIcmp);
}

// icmp.type / icmp.code (at = 0 / 1): this packet's message and, in an error, the ICMP message it quotes
// (a traceroute's time-exceeded quotes the echo request, and tshark lists both types).
void icmp_field(const PacketView& v, bool v6, uint32_t at, FieldValues& out) {
  if (!icmp_of(v, v6)) return;
  add_uint(out, at ? v.icmp_code : v.icmp_type);
  if (!v.quoted.present || v.quoted.ip_proto != (v6 ? packet::kProtoIcmp6 : packet::kProtoIcmp)) return;
  const uint32_t q = v.payload_offset;
  const uint32_t hlen = v6 ? 40 : (v.data[q] & 0x0fu) * 4;
  if (q + hlen + 2 <= v.caplen) add_uint(out, v.data[q + hlen + at]);
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string_view type_name(FieldType t) {
  switch (t) {
    case FieldType::kProtocol: return "protocol";
    case FieldType::kUint: return "unsigned integer";
    case FieldType::kBool: return "boolean";
    case FieldType::kIp: return "IP address";
    case FieldType::kEther: return "MAC address";
    case FieldType::kBytes: return "byte string";
    case FieldType::kTime: return "time";
    case FieldType::kString: return "string";
  }
  return "?";
}

// The packet fields, then the application fields (app_fields.cpp).
std::span<const FieldInfo> all_fields() {
  static const std::vector<FieldInfo> all = [] {
    std::vector<FieldInfo> v(std::begin(kFields), std::end(kFields));
    for (const auto& f : app_fields()) v.push_back(f);
    return v;
  }();
  return all;
}

bool is_app_field(int id) { return size_t(id) >= std::size(kFields); }

bool needs_tcp_streams(int id) { return id == kTcpSeq || id == kTcpAck || id == kTcpStream; }

int find_field(std::string_view name) {
  auto fields = all_fields();
  for (size_t i = 0; i < fields.size(); ++i)
    if (fields[i].name == name) return int(i);
  return -1;
}

std::string nearest_fields(std::string_view name, size_t limit) {
  std::vector<std::pair<size_t, std::string_view>> scored;
  for (const auto& f : all_fields()) scored.emplace_back(edit_distance(name, f.name), f.name);
  std::stable_sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string out;
  for (size_t i = 0; i < scored.size() && i < limit; ++i) out += (i ? ", " : "") + std::string(scored[i].second);
  return out;
}

void extract(int id, const PacketContext& p, FieldValues& out) {
  out.n = 0;
  if (is_app_field(id)) {
    if (p.app) p.app->extract(id - int(std::size(kFields)), p.view, out);
    return;
  }
  const PacketView& v = p.view;
  const EthHeaders eth = eth_headers(p);
  switch (Id(id)) {
    case kFrame: add_uint(out, 1); break;
    case kFrameNumber: add_uint(out, p.raw.frame); break;
    case kFrameLen: add_uint(out, p.raw.wirelen); break;
    case kFrameCapLen: add_uint(out, p.raw.caplen); break;
    case kFrameTimeEpoch: out.add().d = double(p.raw.ts_ns) / 1e9; break;
    case kFrameTimeRelative: out.add().d = double(p.raw.ts_ns - p.first_ts_ns) / 1e9; break;
    case kFrameProtocols:
      if (p.scratch) {
        protocols(p, *p.scratch);
        add_bytes(out, reinterpret_cast<const uint8_t*>(p.scratch->data()), uint32_t(p.scratch->size()));
      }
      break;
    case kEth: if (eth.n) add_uint(out, 1); break;
    case kEthSrc: for (int i = 0; i < eth.n; ++i) add_bytes(out, eth.h[i] + 6, 6); break;
    case kEthDst: for (int i = 0; i < eth.n; ++i) add_bytes(out, eth.h[i], 6); break;
    case kEthAddr:
      for (int i = 0; i < eth.n; ++i) {
        add_bytes(out, eth.h[i], 6);
        add_bytes(out, eth.h[i] + 6, 6);
      }
      break;
    case kEthType: for (int i = 0; i < eth.n; ++i) add_uint(out, load_be16(eth.h[i] + 12)); break;
    case kVlan: if (v.vlan_count) add_uint(out, 1); break;
    case kVlanId: for (int i = 0; i < v.vlan_count && i < 2; ++i) add_uint(out, v.vlan_ids[i]); break;
    case kArp: if (v.l3 == L3::kArp) add_uint(out, 1); break;
    case kArpOpcode: if (v.l3 == L3::kArp) add_uint(out, v.arp_op); break;
    case kArpSrcIp: if (v.l3 == L3::kArp && v.arp_sender_ip.is_v4()) add_addr(out, v.arp_sender_ip); break;
    case kArpDstIp: if (v.l3 == L3::kArp && v.arp_target_ip.is_v4()) add_addr(out, v.arp_target_ip); break;
    case kArpSrcMac:
      if (v.l3 == L3::kArp && v.arp_sender_mac_offset && v.arp_sender_mac_offset + 6 <= v.caplen)
        add_bytes(out, v.data + v.arp_sender_mac_offset, 6);
      break;
    case kIp: if (ip_headers(p, false).n) add_uint(out, 1); break;
    case kIpSrc: addresses(p, false, true, false, out); break;
    case kIpDst: addresses(p, false, false, true, out); break;
    case kIpAddr: addresses(p, false, true, true, out); break;
    case kIpProto: header_field(p, false, 9, false, out); break;
    case kIpTtl: header_field(p, false, 8, false, out); break;
    case kIpId: header_field(p, false, 4, true, out); break;
    case kIpLen: header_field(p, false, 2, true, out); break;
    case kIpv6: if (ip_headers(p, true).n) add_uint(out, 1); break;
    case kIpv6Src: addresses(p, true, true, false, out); break;
    case kIpv6Dst: addresses(p, true, false, true, out); break;
    case kIpv6Addr: addresses(p, true, true, true, out); break;
    case kIpv6Nxt: header_field(p, true, 6, false, out); break;
    case kIpv6Hlim: header_field(p, true, 7, false, out); break;
    case kTcp: ports(v, packet::kProtoTcp, true, false, out); out.n = out.n ? 1 : 0; break;
    case kTcpSrcport: ports(v, packet::kProtoTcp, true, false, out); break;
    case kTcpDstport: ports(v, packet::kProtoTcp, false, true, out); break;
    case kTcpPort: ports(v, packet::kProtoTcp, true, true, out); break;
    case kTcpFlags: if (v.is_tcp()) add_uint(out, v.tcp_flags); break;
    case kTcpFlagsFin: if (v.is_tcp()) add_uint(out, (v.tcp_flags & packet::kFin) != 0); break;
    case kTcpFlagsSyn: if (v.is_tcp()) add_uint(out, (v.tcp_flags & packet::kSyn) != 0); break;
    case kTcpFlagsReset: if (v.is_tcp()) add_uint(out, (v.tcp_flags & packet::kRst) != 0); break;
    case kTcpFlagsPush: if (v.is_tcp()) add_uint(out, (v.tcp_flags & packet::kPsh) != 0); break;
    case kTcpFlagsAck: if (v.is_tcp()) add_uint(out, (v.tcp_flags & packet::kAck) != 0); break;
    case kTcpFlagsUrg: if (v.is_tcp()) add_uint(out, (v.tcp_flags & packet::kUrg) != 0); break;
    case kTcpSeqRaw: if (v.is_tcp()) add_uint(out, v.tcp_seq); break;
    case kTcpAckRaw: if (v.is_tcp()) add_uint(out, v.tcp_ack); break;
    case kTcpSeq: if (p.tcp) add_uint(out, p.tcp->seq); break;
    case kTcpAck: if (p.tcp && p.tcp->has_ack) add_uint(out, p.tcp->ack); break;
    case kTcpStream: if (p.tcp) add_uint(out, p.tcp->stream); break;
    case kTcpLen: if (v.is_tcp()) add_uint(out, v.payload_wire_len); break;
    case kTcpWindowSizeValue: if (v.is_tcp()) add_uint(out, v.tcp_window); break;
    case kUdp: ports(v, packet::kProtoUdp, true, false, out); out.n = out.n ? 1 : 0; break;
    case kUdpSrcport: ports(v, packet::kProtoUdp, true, false, out); break;
    case kUdpDstport: ports(v, packet::kProtoUdp, false, true, out); break;
    case kUdpPort: ports(v, packet::kProtoUdp, true, true, out); break;
    case kUdpLength:
      if (v.is_udp() && v.l4_offset + 8 <= v.caplen) add_uint(out, load_be16(v.data + v.l4_offset + 4));
      break;
    case kIcmp: if (icmp_of(v, false)) add_uint(out, 1); break;
    case kIcmpType: icmp_field(v, false, 0, out); break;
    case kIcmpCode: icmp_field(v, false, 1, out); break;
    case kIcmpv6: if (icmp_of(v, true)) add_uint(out, 1); break;
    case kIcmpv6Type: icmp_field(v, true, 0, out); break;
    case kIcmpv6Code: icmp_field(v, true, 1, out); break;
  }
}

}  // namespace trawl::filter
