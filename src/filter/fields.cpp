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
  kFrame, kFrameNumber, kFrameLen, kFrameCapLen, kFrameTimeEpoch, kFrameTimeRelative,
  kEth, kEthSrc, kEthDst, kEthAddr, kEthType,
  kVlan, kVlanId,
  kArp, kArpOpcode, kArpSrcIp, kArpDstIp, kArpSrcMac,
  kIp, kIpSrc, kIpDst, kIpAddr, kIpProto, kIpTtl, kIpId, kIpLen,
  kIpv6, kIpv6Src, kIpv6Dst, kIpv6Addr, kIpv6Nxt, kIpv6Hlim,
  kTcp, kTcpSrcport, kTcpDstport, kTcpPort, kTcpFlags, kTcpFlagsFin, kTcpFlagsSyn, kTcpFlagsReset,
  kTcpFlagsPush, kTcpFlagsAck, kTcpFlagsUrg, kTcpSeqRaw, kTcpAckRaw, kTcpLen, kTcpWindowSizeValue,
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
    {"ip.proto", FieldType::kUint, "protocol number of the innermost header"},
    {"ip.ttl", FieldType::kUint, "time to live of the innermost header"},
    {"ip.id", FieldType::kUint, "identification of the innermost header"},
    {"ip.len", FieldType::kUint, "total length of the innermost header"},
    {"ipv6", FieldType::kProtocol, "IPv6"},
    {"ipv6.src", FieldType::kIp, "IPv6 source"},
    {"ipv6.dst", FieldType::kIp, "IPv6 destination"},
    {"ipv6.addr", FieldType::kIp, "IPv6 source or destination"},
    {"ipv6.nxt", FieldType::kUint, "transport protocol after the extension headers"},
    {"ipv6.hlim", FieldType::kUint, "hop limit"},
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
    {"tcp.len", FieldType::kUint, "segment payload length (from the IP lengths)"},
    {"tcp.window_size_value", FieldType::kUint, "window field as sent (unscaled)"},
    {"udp", FieldType::kProtocol, "UDP"},
    {"udp.srcport", FieldType::kUint, "source port"},
    {"udp.dstport", FieldType::kUint, "destination port"},
    {"udp.port", FieldType::kUint, "source or destination port"},
    {"udp.length", FieldType::kUint, "length field of the UDP header"},
    {"icmp", FieldType::kProtocol, "ICMP"},
    {"icmp.type", FieldType::kUint, "ICMP type"},
    {"icmp.code", FieldType::kUint, "ICMP code"},
    {"icmpv6", FieldType::kProtocol, "ICMPv6"},
    {"icmpv6.type", FieldType::kUint, "ICMPv6 type"},
    {"icmpv6.code", FieldType::kUint, "ICMPv6 code"},
};
static_assert(std::size(kFields) == size_t(kIcmpv6Code) + 1, "kFields and Id disagree");

bool has_eth(const PacketView& v) { return v.eth_offset != 0xffff && v.eth_offset + 14u <= v.caplen; }
bool is_v4(const PacketView& v) { return v.l3 == L3::kIpv4; }
bool is_v6(const PacketView& v) { return v.l3 == L3::kIpv6; }
// The ICMP-quoted header, when its family matches.
bool quoted(const PacketView& v, bool v6) { return v.quoted.present && v.quoted.src.is_v6() == v6; }

void add_uint(FieldValues& out, uint64_t u) { out.add().u = u; }
void add_addr(FieldValues& out, const IpAddress& a) { out.add().a = a; }
void add_bytes(FieldValues& out, const uint8_t* p, uint32_t n) {
  FieldValue& f = out.add();
  f.bytes = p;
  f.len = n;
}

// ip.src / ipv6.src etc.: the outer tunnel header, the innermost header, and an ICMP-quoted header.
void addresses(const PacketView& v, bool v6, bool src, bool dst, FieldValues& out) {
  if (v.tunnel_depth && v.tunnel_src.is_v6() == v6) {
    if (src) add_addr(out, v.tunnel_src);
    if (dst) add_addr(out, v.tunnel_dst);
  }
  if (v6 ? is_v6(v) : is_v4(v)) {
    if (src) add_addr(out, v.src);
    if (dst) add_addr(out, v.dst);
  }
  if (quoted(v, v6)) {
    if (src) add_addr(out, v.quoted.src);
    if (dst) add_addr(out, v.quoted.dst);
  }
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

bool icmp_of(const PacketView& v, bool v6) {
  return v.is_icmp() && (v6 ? v.ip_proto == packet::kProtoIcmp6 : v.ip_proto == packet::kProtoIcmp);
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
  const uint8_t* eth = has_eth(v) ? v.data + v.eth_offset : nullptr;
  switch (Id(id)) {
    case kFrame: add_uint(out, 1); break;
    case kFrameNumber: add_uint(out, p.raw.frame); break;
    case kFrameLen: add_uint(out, p.raw.wirelen); break;
    case kFrameCapLen: add_uint(out, p.raw.caplen); break;
    case kFrameTimeEpoch: out.add().d = double(p.raw.ts_ns) / 1e9; break;
    case kFrameTimeRelative: out.add().d = double(p.raw.ts_ns - p.first_ts_ns) / 1e9; break;
    case kEth: if (eth) add_uint(out, 1); break;
    case kEthSrc: if (eth) add_bytes(out, eth + 6, 6); break;
    case kEthDst: if (eth) add_bytes(out, eth, 6); break;
    case kEthAddr: if (eth) { add_bytes(out, eth, 6); add_bytes(out, eth + 6, 6); } break;
    case kEthType: if (eth) add_uint(out, load_be16(eth + 12)); break;
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
    case kIp: addresses(v, false, true, false, out); out.n = out.n ? 1 : 0; break;
    case kIpSrc: addresses(v, false, true, false, out); break;
    case kIpDst: addresses(v, false, false, true, out); break;
    case kIpAddr: addresses(v, false, true, true, out); break;
    case kIpProto: if (is_v4(v)) add_uint(out, v.ip_proto); break;
    case kIpTtl: if (is_v4(v)) add_uint(out, v.ttl); break;
    case kIpId: if (is_v4(v)) add_uint(out, v.ip_id); break;
    case kIpLen: if (is_v4(v)) add_uint(out, v.ip_len); break;
    case kIpv6: addresses(v, true, true, false, out); out.n = out.n ? 1 : 0; break;
    case kIpv6Src: addresses(v, true, true, false, out); break;
    case kIpv6Dst: addresses(v, true, false, true, out); break;
    case kIpv6Addr: addresses(v, true, true, true, out); break;
    case kIpv6Nxt: if (is_v6(v)) add_uint(out, v.ip_proto); break;
    case kIpv6Hlim: if (is_v6(v)) add_uint(out, v.ttl); break;
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
    case kIcmpType: if (icmp_of(v, false)) add_uint(out, v.icmp_type); break;
    case kIcmpCode: if (icmp_of(v, false)) add_uint(out, v.icmp_code); break;
    case kIcmpv6: if (icmp_of(v, true)) add_uint(out, 1); break;
    case kIcmpv6Type: if (icmp_of(v, true)) add_uint(out, v.icmp_type); break;
    case kIcmpv6Code: if (icmp_of(v, true)) add_uint(out, v.icmp_code); break;
  }
}

}  // namespace trawl::filter
