// CaptureSummary: what `trawl analyze` prints first and writes to summary.txt: files, time span,
// packets and bytes, link types, protocol mix, malformed packets, skipped inputs, flows.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "capture/capture_set.h"
#include "capture/raw_packet.h"
#include "flow/flow_table.h"
#include "packet/decoder.h"
#include "packet/packet_view.h"

namespace trawl::stats {

class CaptureSummary {
 public:
  void add(const packet::PacketView& view, const capture::RawPacket& raw);

  uint64_t packets() const { return packets_; }
  uint64_t wire_bytes() const { return wire_bytes_; }
  int64_t first_ns() const { return first_ns_; }
  int64_t last_ns() const { return last_ns_; }

  // The report as plain text. flows may be null when no flow table ran.
  std::string render(const capture::CaptureSet& set, const packet::DecoderStats& decoder,
                     const flow::FlowStats* flows, uint64_t conn_records) const;

 private:
  uint64_t packets_ = 0, wire_bytes_ = 0, captured_bytes_ = 0;
  int64_t first_ns_ = 0, last_ns_ = 0;
  std::map<uint16_t, uint64_t> link_types_;
  uint64_t ipv4_ = 0, ipv6_ = 0, arp_ = 0, other_l3_ = 0;
  uint64_t tcp_ = 0, udp_ = 0, icmp_ = 0, other_l4_ = 0, fragments_ = 0, tunneled_ = 0;
};

// Human name of a LINKTYPE_ value ("ethernet", "linux-sll", ...), or "linktype-N".
std::string link_type_name(uint16_t linktype);

}  // namespace trawl::stats
