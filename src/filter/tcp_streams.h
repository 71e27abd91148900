// TcpStreams: the per-conversation state behind tcp.stream, tcp.seq and tcp.ack, which tshark computes
// from every earlier packet of the conversation. Kept only when a filter names one of those fields.
#pragma once

#include <cstdint>

#include <absl/container/flat_hash_map.h>

#include "flow/flow_key.h"
#include "packet/packet_view.h"

namespace trawl::filter {

class TcpStreams {
 public:
  struct Segment {
    uint32_t stream = 0;   // tcp.stream: conversations numbered from 0 in order of appearance
    uint32_t seq = 0;      // tcp.seq: relative to the sender's initial sequence number
    uint32_t ack = 0;      // tcp.ack: relative to the receiver's initial sequence number
    bool has_ack = false;  // tcp.ack is present only with the ACK flag and a known receiver base
  };

  // Updates the conversation of a TCP packet and returns its numbers. Call for every TCP packet, in order.
  Segment add(const packet::PacketView& v);

 private:
  struct Side {
    uint32_t base = 0;  // initial sequence number (the SYN's, else the first one seen)
    bool known = false;
  };
  struct Conversation {
    uint32_t stream = 0;
    Side side[2];  // by the canonical order of the flow key
  };
  absl::flat_hash_map<flow::FlowKey, Conversation> conversations_;
  uint32_t next_stream_ = 0;
};

}  // namespace trawl::filter
