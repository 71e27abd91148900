// Hand-built packets: every link type, tunnels, ICMP quotes, options, and one test per malformation
// reason (the header in question cut one byte short; the layers before it stay decoded).
#include "packet/decoder.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "packet/test_packets.h"

// Counts heap allocations in this test binary, to check that decoding does not allocate. (GCC warns that
// free() meets memory from operator new; here both are ours and malloc-based.)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
namespace {
std::atomic<uint64_t> g_allocations{0};
}
void* operator new(size_t n) {
  ++g_allocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace trawl::packet {
namespace {

using namespace test;
using capture::LinkType;

struct Decoded {
  Bytes bytes;  // owned, so that the view's pointers stay valid (a moved vector keeps its buffer)
  PacketView v;
  bool ok = false;
};
Decoded decode(const Bytes& b, uint16_t link = capture::kLinkEthernet, uint32_t wirelen = 0) {
  Decoder dec;
  Decoded d;
  d.bytes = b;
  d.ok = dec.decode(raw(d.bytes, link, 0, wirelen), d.v);
  return d;
}

IpAddress ip(const char* s) { return *IpAddress::parse(s); }

Bytes v4_tcp_syn() { return cat({ipv4(kProtoTcp, 20), tcp(1234, 80, kSyn, 1000)}); }
Bytes v6_udp(size_t n = 4) { return cat({ipv6(kProtoUdp, 8 + n), udp(5353, 53, n), zeros(n, 'x')}); }

void expect_v4_syn(const PacketView& v) {
  EXPECT_EQ(v.l3, L3::kIpv4);
  EXPECT_EQ(v.src, ip("10.0.0.1"));
  EXPECT_EQ(v.dst, ip("10.0.0.2"));
  EXPECT_TRUE(v.is_tcp());
  EXPECT_EQ(v.sport, 1234);
  EXPECT_EQ(v.dport, 80);
  EXPECT_EQ(v.tcp_flags, kSyn);
  EXPECT_EQ(v.tcp_seq, 1000u);
  EXPECT_EQ(v.ip_len, 40u);
  EXPECT_EQ(v.malformed, Malformed::kNone);
}
void expect_v6_udp(const PacketView& v) {
  EXPECT_EQ(v.l3, L3::kIpv6);
  EXPECT_EQ(v.src, ip("2001:db8::1"));
  EXPECT_EQ(v.dst, ip("2001:db8::2"));
  EXPECT_TRUE(v.is_udp());
  EXPECT_EQ(v.sport, 5353);
  EXPECT_EQ(v.dport, 53);
  EXPECT_EQ(v.payload_len, 4u);
  EXPECT_EQ(v.ip_len, 52u);
  EXPECT_EQ(v.malformed, Malformed::kNone);
}

// ---- link types ----

TEST(DecoderLink, Ethernet) {
  auto d = decode(cat({eth(0x0800), v4_tcp_syn()}));
  EXPECT_TRUE(d.ok);
  expect_v4_syn(d.v);
  EXPECT_EQ(d.v.eth_offset, 0);
  EXPECT_EQ(d.v.l3_offset, 14u);
  EXPECT_EQ(d.v.l4_offset, 34u);
  EXPECT_EQ(d.v.vlan(), 0);
}

TEST(DecoderLink, QinQ) {
  for (uint16_t outer : {0x88a8, 0x9100, 0x8100}) {
    auto d = decode(cat({eth(outer), vlan(0x2000 | 100, 0x8100), vlan(200, 0x86dd), v6_udp()}));
    expect_v6_udp(d.v);
    EXPECT_EQ(d.v.vlan_count, 2);
    EXPECT_EQ(d.v.vlan_ids[0], 100);  // priority bits masked off
    EXPECT_EQ(d.v.vlan_ids[1], 200);
    EXPECT_EQ(d.v.vlan(), 200);
    EXPECT_EQ(d.v.l3_offset, 22u);
  }
}

TEST(DecoderLink, LinuxSll) {
  Bytes sll = cat({be16(0), be16(1), be16(6), zeros(8), be16(0x0800)});
  ASSERT_EQ(sll.size(), 16u);
  auto d = decode(cat({sll, v4_tcp_syn()}), capture::kLinkLinuxSll);
  expect_v4_syn(d.v);
  EXPECT_EQ(d.v.eth_offset, 0xffff);
}

TEST(DecoderLink, LinuxSll2) {
  Bytes sll2 = cat({be16(0x86dd), be16(0), zeros(4), be16(1), {0, 6}, zeros(8)});
  ASSERT_EQ(sll2.size(), 20u);
  expect_v6_udp(decode(cat({sll2, v6_udp()}), capture::kLinkLinuxSll2).v);
}

TEST(DecoderLink, RawIpAllAliases) {
  for (uint16_t link : {101, 12, 14}) {
    expect_v4_syn(decode(v4_tcp_syn(), link).v);
    expect_v6_udp(decode(v6_udp(), link).v);
  }
  expect_v4_syn(decode(v4_tcp_syn(), capture::kLinkIpv4).v);
  expect_v6_udp(decode(v6_udp(), capture::kLinkIpv6).v);
  // 228 means IPv4 whatever the nibble says.
  EXPECT_EQ(decode(v6_udp(), capture::kLinkIpv4).v.malformed, Malformed::kIpBadVersion);
}

TEST(DecoderLink, NullBothByteOrders) {
  expect_v4_syn(decode(cat({{2, 0, 0, 0}, v4_tcp_syn()}), capture::kLinkNull).v);
  expect_v4_syn(decode(cat({{0, 0, 0, 2}, v4_tcp_syn()}), capture::kLinkNull).v);
  for (uint8_t fam : {24, 28, 30}) {
    expect_v6_udp(decode(cat({{fam, 0, 0, 0}, v6_udp()}), capture::kLinkNull).v);
    expect_v6_udp(decode(cat({{0, 0, 0, fam}, v6_udp()}), capture::kLinkNull).v);
  }
  auto other = decode(cat({{23, 0, 0, 0}, zeros(30)}), capture::kLinkNull);  // IPX: not IP, not malformed
  EXPECT_EQ(other.v.l3, L3::kOther);
  EXPECT_EQ(other.v.malformed, Malformed::kNone);
}

TEST(DecoderLink, Loop) {
  expect_v4_syn(decode(cat({{0, 0, 0, 2}, v4_tcp_syn()}), capture::kLinkLoop).v);
  expect_v6_udp(decode(cat({{0, 0, 0, 24}, v6_udp()}), capture::kLinkLoop).v);
  // LOOP is network order only: a little-endian family is not IPv4.
  EXPECT_NE(decode(cat({{2, 0, 0, 0}, v4_tcp_syn()}), capture::kLinkLoop).v.l3, L3::kIpv4);
}

TEST(DecoderLink, PppoeSession) {
  Bytes pppoe4 = {0x11, 0x00, 0x12, 0x34, 0x00, 42, 0x00, 0x21};
  expect_v4_syn(decode(cat({eth(0x8864), pppoe4, v4_tcp_syn()})).v);
  Bytes pppoe6 = {0x11, 0x00, 0x12, 0x34, 0x00, 54, 0x00, 0x57};
  expect_v6_udp(decode(cat({eth(0x8100), vlan(7, 0x8864), pppoe6, v6_udp()})).v);
  Bytes lcp = {0x11, 0x00, 0x12, 0x34, 0x00, 10, 0xc0, 0x21};
  auto d = decode(cat({eth(0x8864), lcp, zeros(8)}));
  EXPECT_EQ(d.v.l3, L3::kOther);
  EXPECT_EQ(d.v.malformed, Malformed::kNone);
}

TEST(DecoderLink, MplsStack) {
  Bytes two_labels = {0x00, 0x01, 0x00, 0x40, 0x00, 0x02, 0x01, 0x40};  // second has bottom-of-stack
  expect_v4_syn(decode(cat({eth(0x8847), two_labels, v4_tcp_syn()})).v);
  expect_v6_udp(decode(cat({eth(0x8100), vlan(5, 0x8847), {0, 1, 1, 64}, v6_udp()})).v);
}

TEST(DecoderLink, UnsupportedLinkCountedPerType) {
  Decoder dec;
  PacketView v;
  Bytes b = zeros(40);
  EXPECT_FALSE(dec.decode(raw(b, 105), v));
  EXPECT_FALSE(dec.decode(raw(b, 105), v));
  EXPECT_FALSE(dec.decode(raw(b, 127), v));
  EXPECT_EQ(v.malformed, Malformed::kUnsupportedLink);
  EXPECT_EQ(dec.stats().unsupported_links.at(105), 2u);
  EXPECT_EQ(dec.stats().unsupported_links.at(127), 1u);
  EXPECT_EQ(dec.stats().malformed[size_t(Malformed::kUnsupportedLink)], 3u);
  EXPECT_EQ(dec.stats().packets, 3u);
}

TEST(DecoderLink, Arp) {
  Bytes arp = {0, 1, 8, 0, 6, 4, 0, 2, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 192, 168, 1, 1,
               0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 192, 168, 1, 2};
  auto d = decode(cat({eth(0x0806), arp}));
  EXPECT_TRUE(d.ok);
  EXPECT_EQ(d.v.l3, L3::kArp);
  EXPECT_EQ(d.v.arp_op, 2);
  EXPECT_EQ(d.v.arp_sender_ip, ip("192.168.1.1"));
  EXPECT_EQ(d.v.arp_target_ip, ip("192.168.1.2"));
  EXPECT_EQ(d.v.arp_sender_mac_offset, 22u);
  EXPECT_FALSE(d.v.is_ip());
}

// ---- IP and transport details ----

TEST(DecoderIp, Ipv4OptionsAndPadding) {
  Bytes p = cat({eth(0x0800), ipv4(kProtoTcp, 20, 7, 0x4000, 2), tcp(1, 2, kAck), zeros(6)});  // Ethernet pad
  auto d = decode(p);
  EXPECT_EQ(d.v.l4_offset, 14u + 28);
  EXPECT_EQ(d.v.ip_len, 48u);
  EXPECT_EQ(d.v.ip_id, 7);
  EXPECT_EQ(d.v.payload_len, 0u);  // the padding is not payload
  EXPECT_EQ(d.v.payload_wire_len, 0u);
  EXPECT_FALSE(d.v.ip_fragment);   // DF alone is not a fragment
}

TEST(DecoderIp, TcpOptions) {
  Bytes opts = {2, 4, 0x05, 0xb4, 1, 3, 3, 7, 4, 2, 8, 10, 0, 0, 0, 9, 0, 0, 0, 5, 1, 1, 0, 0};
  auto d = decode(cat({eth(0x0800), ipv4(kProtoTcp, 20 + opts.size() + 3), tcp(1, 2, kSyn, 5, 0, opts),
                       Bytes{'a', 'b', 'c'}}));
  EXPECT_EQ(d.v.malformed, Malformed::kNone);
  EXPECT_EQ(d.v.tcp_mss, 1460);
  EXPECT_EQ(d.v.tcp_wscale, 7);
  EXPECT_TRUE(d.v.tcp_sack_permitted);
  EXPECT_TRUE(d.v.tcp_has_timestamps);
  EXPECT_EQ(d.v.tcp_tsval, 9u);
  EXPECT_EQ(d.v.tcp_tsecr, 5u);
  EXPECT_EQ(d.v.payload_len, 3u);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(d.v.payload()), 3), "abc");
  // An option whose length runs past the header is ignored, not trusted.
  Bytes bad = {2, 40, 0, 0};
  auto b = decode(cat({eth(0x0800), ipv4(kProtoTcp, 24), tcp(1, 2, kSyn, 5, 0, bad)}));
  EXPECT_EQ(b.v.tcp_mss, 0);
  EXPECT_EQ(b.v.malformed, Malformed::kNone);
}

TEST(DecoderIp, SnaplenCutPayloadIsNotMalformed) {
  Bytes full = cat({eth(0x0800), ipv4(kProtoTcp, 20 + 100), tcp(1, 2, kAck | kPsh), zeros(100, 'z')});
  Bytes b = cut(full, 50);
  auto d = decode(b, capture::kLinkEthernet, uint32_t(full.size()));
  EXPECT_EQ(d.v.malformed, Malformed::kNone);
  EXPECT_EQ(d.v.payload_len, 50u);
  EXPECT_EQ(d.v.payload_wire_len, 100u);
  EXPECT_EQ(d.v.ip_len, 140u);
}

TEST(DecoderIp, IpLengthBeyondTheFrameIsClippedToTheWireLength) {
  // As in suricata-telnet.pcap frame 18: the IP header claims more than the frame carried.
  Bytes b = cat({eth(0x0800), ipv4(kProtoTcp, 20 + 100), tcp(1, 2, kAck)});
  auto d = decode(b);
  EXPECT_EQ(d.v.ip_len, 140u);
  EXPECT_EQ(d.v.payload_wire_len, 0u);
  EXPECT_EQ(d.v.malformed, Malformed::kNone);
}

TEST(DecoderIp, Ipv6ExtensionChain) {
  Bytes hop = {60, 0, 1, 4, 0, 0, 0, 0};             // hop-by-hop -> destination options, 8 bytes
  Bytes dst = {51, 1, 1, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};  // dest opts (16 bytes) -> AH
  Bytes ah = {6, 4, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};  // AH (24 bytes) -> TCP
  Bytes t = tcp(443, 5000, kSyn | kAck);
  auto d = decode(cat({eth(0x86dd), ipv6(0, hop.size() + dst.size() + ah.size() + t.size()), hop, dst, ah, t}));
  EXPECT_EQ(d.v.malformed, Malformed::kNone);
  EXPECT_EQ(d.v.ip_proto, kProtoTcp);
  EXPECT_EQ(d.v.l4_offset, 14u + 40 + 8 + 16 + 24);
  EXPECT_EQ(d.v.sport, 443);
  EXPECT_EQ(d.v.tcp_flags, kSyn | kAck);
  // ESP ends the chain: no transport header.
  auto e = decode(cat({eth(0x86dd), ipv6(50, 16), zeros(16)}));
  EXPECT_EQ(e.v.ip_proto, 50);
  EXPECT_EQ(e.v.l4_offset, 0u);
  EXPECT_EQ(e.v.malformed, Malformed::kNone);
}

TEST(DecoderIcmp, EchoAndQuotedHeaders) {
  Bytes echo = {8, 0, 0, 0, 0x12, 0x34, 0, 7};
  auto e = decode(cat({eth(0x0800), ipv4(kProtoIcmp, 8 + 4), echo, zeros(4)}));
  EXPECT_TRUE(e.v.is_icmp());
  EXPECT_EQ(e.v.icmp_type, 8);
  EXPECT_EQ(e.v.icmp_id, 0x1234);
  EXPECT_EQ(e.v.icmp_seq, 7);
  EXPECT_EQ(e.v.payload_len, 4u);

  // Port unreachable from 10.0.0.2 quoting the UDP probe 10.0.0.9:40000 -> 10.0.0.2:161.
  Bytes quoted = cat({ipv4(kProtoUdp, 8 + 20, 1, 0, 0, 9, 2), udp(40000, 161, 20)});
  Bytes unreach = {3, 3, 0, 0, 0, 0, 0, 0};
  auto u = decode(cat({eth(0x0800), ipv4(kProtoIcmp, 8 + quoted.size(), 1, 0, 0, 2, 9), unreach, quoted}));
  EXPECT_EQ(u.v.src, ip("10.0.0.2"));  // the error's sender, not the quoted datagram's
  EXPECT_EQ(u.v.icmp_type, 3);
  EXPECT_EQ(u.v.icmp_code, 3);
  EXPECT_EQ(u.v.tunnel_depth, 0);      // a quote is not a tunnel
  EXPECT_EQ(u.v.sport, 0);
  ASSERT_TRUE(u.v.quoted.present);
  EXPECT_EQ(u.v.quoted.src, ip("10.0.0.9"));
  EXPECT_EQ(u.v.quoted.dst, ip("10.0.0.2"));
  EXPECT_EQ(u.v.quoted.ip_proto, kProtoUdp);
  EXPECT_EQ(u.v.quoted.sport, 40000);
  EXPECT_EQ(u.v.quoted.dport, 161);

  // Time exceeded quoting only the IP header and 4 bytes: addresses and ports still there, not malformed.
  Bytes q2 = cut(cat({ipv4(kProtoTcp, 20), tcp(5555, 80, kSyn)}), 16);
  Bytes te = {11, 0, 0, 0, 0, 0, 0, 0};
  auto t = decode(cat({eth(0x0800), ipv4(kProtoIcmp, 8 + q2.size()), te, q2}));
  EXPECT_EQ(t.v.malformed, Malformed::kNone);
  EXPECT_EQ(t.v.quoted.sport, 5555);
  EXPECT_EQ(t.v.quoted.ip_proto, kProtoTcp);

  // ICMPv6 destination unreachable quoting IPv6/UDP; echo request id/seq.
  Bytes q6 = cat({ipv6(kProtoUdp, 8), udp(1000, 2000, 0)});
  Bytes u6 = {1, 4, 0, 0, 0, 0, 0, 0};
  auto d6 = decode(cat({eth(0x86dd), ipv6(kProtoIcmp6, 8 + q6.size()), u6, q6}));
  EXPECT_EQ(d6.v.icmp_type, 1);
  EXPECT_TRUE(d6.v.quoted.present);
  EXPECT_EQ(d6.v.quoted.dst, ip("2001:db8::2"));
  EXPECT_EQ(d6.v.quoted.dport, 2000);
  Bytes ping6 = {128, 0, 0, 0, 0, 9, 0, 1};
  auto p6 = decode(cat({eth(0x86dd), ipv6(kProtoIcmp6, 8), ping6}));
  EXPECT_EQ(p6.v.icmp_id, 9);
  EXPECT_EQ(p6.v.icmp_seq, 1);
}

// ---- tunnels ----

Bytes outer_v4(uint8_t proto, size_t payload) { return ipv4(proto, payload, 1, 0, 0, 100, 200); }

TEST(DecoderTunnel, IpInIp) {
  Bytes inner = v4_tcp_syn();
  auto d = decode(cat({eth(0x0800), outer_v4(4, inner.size()), inner}));
  expect_v4_syn(d.v);
  EXPECT_EQ(d.v.tunnel_depth, 1);
  EXPECT_EQ(d.v.tunnel_src, ip("10.0.0.100"));
  EXPECT_EQ(d.v.tunnel_dst, ip("10.0.0.200"));
  Bytes in6 = v6_udp();
  auto s = decode(cat({eth(0x0800), outer_v4(41, in6.size()), in6}));
  expect_v6_udp(s.v);
  EXPECT_EQ(s.v.tunnel_src, ip("10.0.0.100"));
}

TEST(DecoderTunnel, GreVariants) {
  Bytes inner = v4_tcp_syn();
  Bytes gre_ip = {0x20, 0, 0x08, 0x00, 0, 0, 0, 1};  // key present
  auto a = decode(cat({eth(0x0800), outer_v4(kProtoGre, gre_ip.size() + inner.size()), gre_ip, inner}));
  expect_v4_syn(a.v);
  EXPECT_EQ(a.v.tunnel_depth, 1);

  Bytes teb = {0, 0, 0x65, 0x58};
  Bytes frame = cat({eth(0x0800), inner});
  auto b = decode(cat({eth(0x0800), outer_v4(kProtoGre, teb.size() + frame.size()), teb, frame}));
  expect_v4_syn(b.v);
  EXPECT_EQ(b.v.eth_offset, 14u + 20 + 4);  // the inner Ethernet header

  Bytes erspan2 = cat({{0x10, 0, 0x88, 0xbe, 0, 0, 0, 5}, {0x10, 0, 0, 1, 0, 0, 0, 0}});  // seq + type II hdr
  auto c = decode(cat({eth(0x0800), outer_v4(kProtoGre, erspan2.size() + frame.size()), erspan2, frame}));
  expect_v4_syn(c.v);
  EXPECT_EQ(c.v.tunnel_src, ip("10.0.0.100"));

  Bytes erspan3 = cat({{0x10, 0, 0x22, 0xeb, 0, 0, 0, 5}, {0x20, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1},
                       zeros(8)});  // type III with the O flag: 8-byte platform subheader
  auto e = decode(cat({eth(0x0800), outer_v4(kProtoGre, erspan3.size() + frame.size()), erspan3, frame}));
  expect_v4_syn(e.v);

  // Inner ARP: the view describes the ARP packet; the outer header stays in tunnel_src/dst.
  Bytes arp = {0, 1, 8, 0, 6, 4, 0, 1, 1, 2, 3, 4, 5, 6, 192, 168, 1, 1, 0, 0, 0, 0, 0, 0, 192, 168, 1, 2};
  Bytes aframe = cat({eth(0x0806), arp});
  auto f = decode(cat({eth(0x0800), outer_v4(kProtoGre, 4 + aframe.size()), teb, aframe}));
  EXPECT_EQ(f.v.l3, L3::kArp);
  EXPECT_TRUE(f.v.src.empty());
  EXPECT_EQ(f.v.tunnel_dst, ip("10.0.0.200"));
}

TEST(DecoderTunnel, Vxlan) {
  Bytes frame = cat({eth(0x86dd), v6_udp()});
  Bytes vx = {0x08, 0, 0, 0, 0, 0, 42, 0};
  auto d = decode(cat({eth(0x0800), outer_v4(kProtoUdp, 8 + vx.size() + frame.size()),
                       udp(33333, 4789, vx.size() + frame.size()), vx, frame}));
  expect_v6_udp(d.v);
  EXPECT_EQ(d.v.tunnel_depth, 1);
  EXPECT_EQ(d.v.tunnel_src, ip("10.0.0.100"));
}

TEST(DecoderTunnel, NestingIsBounded) {
  Bytes p = v4_tcp_syn();
  for (int i = 0; i < 10; ++i) p = cat({ipv4(4, p.size()), p});
  auto d = decode(p, capture::kLinkRaw);
  EXPECT_EQ(d.v.tunnel_depth, 4);
  EXPECT_EQ(d.v.ip_proto, 4);  // stopped at an IP-in-IP header, opaque beyond
  EXPECT_EQ(d.v.malformed, Malformed::kNone);
}

// ---- fragments through the decoder ----

TEST(DecoderFragments, Ipv4TwoFragmentsOutOfOrder) {
  Bytes seg = cat({tcp(1111, 80, kAck | kPsh), zeros(28, 'q')});  // 48 bytes: 40 + 8
  Bytes f1 = cat({eth(0x0800), ipv4(kProtoTcp, 40, 77, 0x2000), Bytes(seg.begin(), seg.begin() + 40)});
  Bytes f2 = cat({eth(0x0800), ipv4(kProtoTcp, 8, 77, 40 / 8), Bytes(seg.begin() + 40, seg.end())});
  Decoder dec;
  PacketView v;
  EXPECT_TRUE(dec.decode(raw(f2, 1, 1000), v));
  EXPECT_TRUE(v.ip_fragment);
  EXPECT_FALSE(v.is_tcp());
  EXPECT_EQ(v.src, ip("10.0.0.1"));
  EXPECT_EQ(dec.reassembler().datagrams_pending(), 1u);
  EXPECT_TRUE(dec.decode(raw(f1, 1, 2000), v));
  EXPECT_TRUE(v.ip_reassembled);
  EXPECT_FALSE(v.ip_fragment);
  ASSERT_TRUE(v.is_tcp());
  EXPECT_EQ(v.sport, 1111);
  EXPECT_EQ(v.ip_len, 68u);
  EXPECT_EQ(v.frame_ip_len, 60u);
  EXPECT_EQ(v.payload_len, 28u);
  EXPECT_EQ(v.payload()[27], 'q');
  EXPECT_EQ(v.l3_offset, 0u);
  EXPECT_TRUE(v.data < f1.data() || v.data >= f1.data() + f1.size());  // points into the reassembler
  EXPECT_EQ(dec.stats().fragments, 2u);
  EXPECT_EQ(dec.stats().datagrams_reassembled, 1u);
  EXPECT_EQ(dec.reassembler().bytes_pending(), 0u);
}

TEST(DecoderFragments, Ipv6Fragments) {
  Bytes dgram = cat({udp(53, 9999, 24), zeros(24, 'r')});  // 32 bytes: 16 + 16
  auto frag = [&](uint16_t off, bool more, size_t from, size_t n) {
    Bytes fh = {kProtoUdp, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef};
    put16(fh, 2, uint16_t(off | (more ? 1 : 0)));
    return cat({eth(0x86dd), ipv6(44, 8 + n), fh, Bytes(dgram.begin() + from, dgram.begin() + from + n)});
  };
  Decoder dec;
  PacketView v;
  dec.decode(raw(frag(0, true, 0, 16), 1, 1), v);
  EXPECT_TRUE(v.ip_fragment);
  EXPECT_EQ(v.ip_proto, kProtoUdp);
  EXPECT_EQ(v.l4_offset, 0u);
  dec.decode(raw(frag(16, false, 16, 16), 1, 2), v);
  ASSERT_TRUE(v.is_udp());
  EXPECT_TRUE(v.ip_reassembled);
  EXPECT_EQ(v.sport, 53);
  EXPECT_EQ(v.payload_len, 24u);
  EXPECT_EQ(v.ip_len, 72u);
  EXPECT_EQ(v.data[6], kProtoUdp);  // next header patched in the rebuilt datagram
}

TEST(DecoderAlloc, PlainPacketsDoNotAllocate) {
  Bytes a = cat({eth(0x0800), v4_tcp_syn()});
  Bytes b = cat({eth(0x8100), vlan(3, 0x86dd), v6_udp()});
  Decoder dec;
  PacketView v;
  dec.decode(raw(a), v);
  dec.decode(raw(b), v);
  const uint64_t before = g_allocations.load();
  for (int i = 0; i < 1000; ++i) {
    dec.decode(raw(a), v);
    dec.decode(raw(b), v);
  }
  EXPECT_EQ(g_allocations.load(), before);
}

// ---- one test per malformation reason: a header cut one byte short ----

struct MalformedCase {
  const char* name;
  Bytes packet;
  uint16_t link;
  Malformed want;
  L3 l3_kept;  // the layer that must survive
  uint32_t wirelen = 0;  // 0: the frame was this short on the wire too
};

std::vector<MalformedCase> malformed_cases() {
  Bytes syn = v4_tcp_syn();
  Bytes arp = {0, 1, 8, 0, 6, 4, 0, 1, 1, 2, 3, 4, 5, 6, 192, 168, 1, 1, 0, 0, 0, 0, 0, 0, 192, 168, 1, 2};
  Bytes hop = {kProtoTcp, 0, 1, 4, 0, 0, 0, 0};
  Bytes opts = {2, 4, 5, 0xb4};
  return {
      {"link_truncated_ethernet", cut(eth(0x0800), 1), 1, Malformed::kLinkTruncated, L3::kNone},
      {"link_truncated_sll", zeros(15), capture::kLinkLinuxSll, Malformed::kLinkTruncated, L3::kNone},
      {"link_truncated_sll2", zeros(19), capture::kLinkLinuxSll2, Malformed::kLinkTruncated, L3::kNone},
      {"link_truncated_null", zeros(3), capture::kLinkNull, Malformed::kLinkTruncated, L3::kNone},
      {"unsupported_link", zeros(60), 147, Malformed::kUnsupportedLink, L3::kNone},
      {"vlan_truncated", cat({eth(0x8100), {0, 5, 8}}), 1, Malformed::kVlanTruncated, L3::kNone},
      {"mpls_truncated", cat({eth(0x8847), {0, 1, 0, 64}, {0, 2, 1}}), 1, Malformed::kMplsTruncated, L3::kNone},
      {"pppoe_truncated", cat({eth(0x8864), {0x11, 0, 0, 1, 0, 40, 0}}), 1, Malformed::kPppoeTruncated,
       L3::kNone},
      {"arp_truncated", cat({eth(0x0806), cut(arp, 1)}), 1, Malformed::kArpTruncated, L3::kNone},
      {"ip_bad_version", cat({eth(0x0800), v6_udp()}), 1, Malformed::kIpBadVersion, L3::kNone},
      {"ipv4_truncated", cat({eth(0x0800), cut(ipv4(kProtoTcp, 0), 1)}), 1, Malformed::kIpv4Truncated,
       L3::kNone},
      {"ipv4_truncated_options", cat({eth(0x0800), cut(ipv4(kProtoTcp, 0, 1, 0, 3), 1)}), 1,
       Malformed::kIpv4Truncated, L3::kIpv4},
      {"ipv4_bad_header_length", [&] { Bytes b = cat({eth(0x0800), syn}); b[14] = 0x44; return b; }(), 1,
       Malformed::kIpv4BadHeaderLength, L3::kIpv4},
      {"ipv4_bad_total_length", [&] { Bytes b = cat({eth(0x0800), syn}); put16(b, 16, 19); return b; }(), 1,
       Malformed::kIpv4BadTotalLength, L3::kIpv4},
      {"ipv6_truncated", cat({eth(0x86dd), cut(ipv6(kProtoUdp, 0), 1)}), 1, Malformed::kIpv6Truncated, L3::kNone},
      {"ipv6_extension_truncated", cat({eth(0x86dd), ipv6(0, 7), cut(hop, 1)}), 1,
       Malformed::kIpv6ExtensionTruncated, L3::kIpv6},
      {"tcp_truncated", cat({eth(0x0800), ipv4(kProtoTcp, 19), cut(tcp(1, 2, kSyn), 1)}), 1,
       Malformed::kTcpTruncated, L3::kIpv4},
      {"tcp_truncated_options", cat({eth(0x0800), cut(cat({ipv4(kProtoTcp, 24), tcp(1, 2, kSyn, 0, 0, opts)}), 1)}),
       1, Malformed::kTcpTruncated, L3::kIpv4, 14 + 20 + 24},  // cut by the snaplen, not on the wire
      {"tcp_bad_header_length", [&] { Bytes b = cat({eth(0x0800), syn}); b[46] = 0x40; return b; }(), 1,
       Malformed::kTcpBadHeaderLength, L3::kIpv4},
      {"udp_truncated", cat({eth(0x86dd), ipv6(kProtoUdp, 7), cut(udp(1, 2, 0), 1)}), 1, Malformed::kUdpTruncated,
       L3::kIpv6},
      {"udp_bad_length", [&] { Bytes b = cat({eth(0x86dd), v6_udp()}); put16(b, 58, 7); return b; }(), 1,
       Malformed::kUdpBadLength, L3::kIpv6},
      {"icmp_truncated", cat({eth(0x0800), ipv4(kProtoIcmp, 7), {8, 0, 0, 0, 0, 1, 0}}), 1,
       Malformed::kIcmpTruncated, L3::kIpv4},
      {"tunnel_truncated_gre", cat({eth(0x0800), ipv4(kProtoGre, 3), {0, 0, 8}}), 1, Malformed::kTunnelTruncated,
       L3::kIpv4},
      {"tunnel_truncated_gre_key", cat({eth(0x0800), ipv4(kProtoGre, 7), {0x20, 0, 8, 0, 0, 0, 0}}), 1,
       Malformed::kTunnelTruncated, L3::kIpv4},
      {"tunnel_truncated_erspan2",
       cat({eth(0x0800), ipv4(kProtoGre, 15), {0x10, 0, 0x88, 0xbe, 0, 0, 0, 1}, {0x10, 0, 0, 1, 0, 0, 0}}), 1,
       Malformed::kTunnelTruncated, L3::kIpv4},
      {"tunnel_truncated_vxlan_inner_ethernet",
       cat({eth(0x0800), ipv4(kProtoUdp, 8 + 8 + 13), udp(1, 4789, 8 + 13), {8, 0, 0, 0, 0, 0, 1, 0}, zeros(13)}),
       1, Malformed::kTunnelTruncated, L3::kIpv4},
  };
}

TEST(DecoderMalformed, EveryReasonHasACase) {
  std::vector<bool> seen(size_t(Malformed::kCount));
  for (const auto& c : malformed_cases()) seen[size_t(c.want)] = true;
  for (size_t i = 1; i < seen.size(); ++i) EXPECT_TRUE(seen[i]) << malformed_name(Malformed(i));
}

TEST(DecoderMalformed, HeaderCutOneByteShort) {
  for (const auto& c : malformed_cases()) {
    SCOPED_TRACE(c.name);
    Decoder dec;
    PacketView v;
    // An exact-size heap copy: ASan would catch a read one byte past caplen.
    std::vector<uint8_t> copy(c.packet);
    dec.decode(raw(copy, c.link, 0, c.wirelen), v);
    EXPECT_EQ(v.malformed, c.want) << malformed_name(v.malformed);
    EXPECT_EQ(v.l3, c.l3_kept);
    EXPECT_EQ(dec.stats().malformed[size_t(c.want)], 1u);
    if (c.l3_kept == L3::kIpv4) {
      EXPECT_EQ(v.src, ip("10.0.0.1"));
    } else if (c.l3_kept == L3::kIpv6) {
      EXPECT_EQ(v.src, ip("2001:db8::1"));
    }
  }
}

TEST(DecoderMalformed, TruncatedTransportKeepsWhatWasDecoded) {
  // UDP cut after the ports: the ports stay, the flow can still be keyed.
  auto u = decode(cat({eth(0x0800), ipv4(kProtoUdp, 8), Bytes{0x00, 0x35, 0x12, 0x34, 0}}));
  EXPECT_EQ(u.v.malformed, Malformed::kUdpTruncated);
  EXPECT_EQ(u.v.sport, 53);
  EXPECT_EQ(u.v.dport, 0x1234);
  // TCP options cut: ports and flags stay, no payload.
  Bytes opts = {2, 4, 5, 0xb4};
  auto t = decode(cut(cat({eth(0x0800), ipv4(kProtoTcp, 24), tcp(7, 8, kSyn, 0, 0, opts)}), 1));
  EXPECT_EQ(t.v.sport, 7);
  EXPECT_EQ(t.v.tcp_flags, kSyn);
  EXPECT_EQ(t.v.payload_len, 0u);
  EXPECT_LE(t.v.payload_offset, t.v.caplen);
}

TEST(DecoderMalformed, Names) {
  EXPECT_STREQ(malformed_name(Malformed::kTcpTruncated), "tcp_truncated");
  EXPECT_STREQ(malformed_name(Malformed::kIpv6ExtensionTruncated), "ipv6_extension_truncated");
  for (size_t i = 0; i < size_t(Malformed::kCount); ++i) EXPECT_STRNE(malformed_name(Malformed(i)), "unknown");
}

}  // namespace
}  // namespace trawl::packet
