// Decoder: fills a PacketView from a RawPacket in one pass over the headers, reassembling IP fragments.
//
// Link types: Ethernet (802.1Q/802.1ad stacks, MPLS if cheap), Linux SLL and SLL2, raw IP (101, 228, 229,
// and DLT_RAW's platform aliases 12/14), BSD NULL/LOOP, PPPoE sessions. Tunnels (GRE incl. ERSPAN, VXLAN,
// IP-in-IP) are unwrapped and the view describes the innermost IP packet. Never reads past caplen.
#pragma once

#include <array>
#include <cstdint>
#include <map>

#include "capture/raw_packet.h"
#include "packet/fragment_reassembler.h"
#include "packet/packet_view.h"

namespace trawl::packet {

struct DecoderStats {
  uint64_t packets = 0;
  std::array<uint64_t, size_t(Malformed::kCount)> malformed{};
  std::map<uint16_t, uint64_t> unsupported_links;  // link type -> packets
  uint64_t fragments = 0;            // IP fragments seen
  uint64_t datagrams_reassembled = 0;
};

class Decoder {
 public:
  explicit Decoder(FragmentReassembler::Limits limits = {});

  // Decodes pkt into view (which is reset first). Returns false only when the packet has no usable
  // network layer at all (unsupported link or link header cut short); the reason is in view.malformed.
  // A fragment that completes a datagram yields a view of the whole datagram (view.ip_reassembled); the
  // other fragments yield views with ip_fragment set and no transport fields.
  bool decode(const capture::RawPacket& pkt, PacketView& view);

  const DecoderStats& stats() const { return stats_; }
  FragmentReassembler& reassembler() { return reassembler_; }

 private:
  FragmentReassembler reassembler_;
  DecoderStats stats_;
};

}  // namespace trawl::packet
