// FlowKey: the direction-free identity of a flow, and how a packet maps to it (Zeek's connection keying).
//
// TCP/UDP: (VLAN, addresses, ports, protocol), the two (address, port) ends in canonical order.
// ICMP/ICMPv6 follow Zeek's ICMPAnalyzer::InitConnKey (src/packet_analysis/protocol/icmp/ICMP.cc): the
// "ports" are (type, counterpart) where ICMP4_counterpart/ICMP6_counterpart map a request to its reply
// type and back (echo 8/0, timestamp 13/14, information 15/16, router solicitation/advertisement 10/9,
// address mask 17/18; ICMPv6 echo 128/129, router 133/134, neighbour 135/136, MLD 130/131, node
// information 139/140, home agent discovery 144/145), so both directions meet in one flow. Every other
// type is "one way": its counterpart is the code, and the key keeps the sender first (no canonical
// swap), so an unreachable from R to H is (R, 3, H, code) and is never merged with one from H to R.
// Like Zeek, the echo identifier is not part of the key: two pings between the same hosts inside the
// ICMP timeout are one flow.
// Other IP protocols: (VLAN, addresses, protocol) with ports 0.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>

#include "packet/packet_view.h"
#include "util/ip_address.h"

namespace trawl::flow {

struct FlowKey {
  std::array<uint8_t, 16> addr1{}, addr2{};
  uint16_t port1 = 0, port2 = 0;
  uint16_t vlan = 0;
  uint8_t family = 0;
  uint8_t proto = 0;
  uint8_t one_way = 0;
  uint8_t pad_ = 0;  // keeps the struct free of indeterminate padding bytes

  friend bool operator==(const FlowKey& a, const FlowKey& b) {
    return std::memcmp(&a, &b, sizeof(FlowKey)) == 0;
  }
  // As six 64-bit words (the last two overlap): absl mixes integers inline, while hashing 42 bytes as a
  // byte range calls its out-of-line bulk hash, a visible cost at two lookups per packet.
  template <typename H>
  friend H AbslHashValue(H h, const FlowKey& k) {
    const auto* p = reinterpret_cast<const unsigned char*>(&k);
    uint64_t w[6];
    for (int i = 0; i < 5; ++i) std::memcpy(&w[i], p + 8 * i, 8);
    std::memcpy(&w[5], p + sizeof(FlowKey) - 8, 8);
    return H::combine(std::move(h), w[0], w[1], w[2], w[3], w[4], w[5]);
  }
};
static_assert(sizeof(FlowKey) == 42, "FlowKey must have no padding (hashed and compared as bytes)");

// One packet's flow identity, with its own direction.
struct PacketKey {
  FlowKey key;
  IpAddress src, dst;
  uint16_t sport = 0, dport = 0;  // ICMP: type and counterpart/code
};

// Fills out for an IP packet that belongs to a flow; false for ARP, non-IP, unreassembled fragments and
// packets whose transport header is missing.
bool make_packet_key(const packet::PacketView& view, PacketKey& out);

// Zeek's counterpart type for ICMP (v6 when icmp6), or -1 when the type is one-way.
int icmp_counterpart(bool icmp6, uint8_t type);

// Deterministic (unsalted) 64-bit hash of a key; the same for both directions since the key is canonical.
uint64_t stable_hash(const FlowKey& key);

}  // namespace trawl::flow
