#include "filter/tcp_streams.h"

#include <cstring>

namespace trawl::filter {

TcpStreams::Segment TcpStreams::add(const packet::PacketView& v) {
  flow::PacketKey pk;
  if (!flow::make_packet_key(v, pk)) return {};
  pk.key.vlan = 0;  // tshark's conversations ignore VLAN tags
  const int dir = pk.sport == pk.key.port1 && std::memcmp(pk.src.bytes.data(), pk.key.addr1.data(), 16) == 0 ? 0 : 1;
  const bool syn_only = (v.tcp_flags & (packet::kSyn | packet::kAck)) == packet::kSyn;
  auto [it, fresh] = conversations_.try_emplace(pk.key);
  Conversation& c = it->second;
  // A new SYN with another initial sequence number starts a new conversation on the same ports, as in
  // tshark (a retransmitted SYN keeps the old one).
  if (fresh || (syn_only && c.side[dir].known && c.side[dir].base != v.tcp_seq)) {
    c = Conversation{};
    c.stream = next_stream_++;
  }
  // Bases as tshark sets them: the SYN's sequence number; mid-stream, one before the first seen, so
  // that side's first segment reads seq 1 (and an ACK for a side not seen yet reads ack 1).
  Side& own = c.side[dir];
  if (v.tcp_flags & packet::kSyn) own = {v.tcp_seq, true};
  else if (!own.known) own = {v.tcp_seq - 1, true};
  Side& peer = c.side[1 - dir];
  Segment s;
  s.stream = c.stream;
  s.seq = v.tcp_seq - own.base;
  if (v.tcp_flags & packet::kAck) {
    if (!peer.known) peer = {v.tcp_ack - 1, true};
    s.ack = v.tcp_ack - peer.base;
    s.has_ack = true;
  }
  return s;
}

}  // namespace trawl::filter
