// FlowTable: the bidirectional flows of one worker, their TCP state, history and timeouts.
//
// A flow is keyed by (VLAN, addresses, ports, transport); ICMP request/reply pairs by (type, counterpart
// type) and other ICMP by (type, code), as Zeek does (see flow_key.h). The originator is the side that
// sent the first packet, except that a TCP SYN/ACK seen first makes its receiver the originator (Zeek's
// "^" flip). A SYN on a closed or reset connection, or one with a new initial sequence number, starts a
// new flow (Zeek's IsReuse). Flows expire as capture time passes: per-class lists ordered by deadline
// make expiry O(1) per flow; memory is proportional to the active flows. Finished flows go to the
// FlowSink: by timeout as time passes, the rest in order of their first packet at flush().
#pragma once

#include <cstdint>
#include <memory>

#include "capture/raw_packet.h"
#include "flow/conn_record.h"
#include "packet/packet_view.h"

namespace trawl::flow {

class FlowAppFactory;

class FlowSink {
 public:
  virtual ~FlowSink() = default;
  virtual void on_flow_end(ConnRecord&& record) = 0;
  // A sink that keeps the records may return a fresh record of its own: the table then completes the
  // ended flow's record right there and does not call on_flow_end for it (saves moving every record).
  virtual ConnRecord* emplace_record() { return nullptr; }
};

struct FlowTimeouts {
  int64_t tcp_ns = 300'000'000'000;         // inactivity: Zeek's tcp_inactivity_timeout (5 min)
  int64_t tcp_closed_ns = 5'000'000'000;    // linger after FIN/FIN or RST (Zeek's tcp_close_delay)
  int64_t tcp_attempt_ns = 5'000'000'000;   // an unanswered SYN ends this long after it (tcp_attempt_delay)
  int64_t udp_ns = 60'000'000'000;          // Zeek's udp_inactivity_timeout
  int64_t icmp_ns = 60'000'000'000;         // Zeek's icmp_inactivity_timeout
  int64_t other_ns = 60'000'000'000;
};

struct FlowStats {
  uint64_t flows_created = 0;
  uint64_t flows_active = 0;
  uint64_t flows_active_peak = 0;
  uint64_t packets = 0;       // packets that belonged to a flow
  uint64_t non_flow = 0;      // packets with no flow (ARP, non-IP, fragments not reassembled, no L4 header)
  uint64_t flows_reused = 0;  // flows ended because a SYN started a new connection on the same key
};

class FlowTable {
 public:
  // apps, when given, attaches an application-layer session to each new flow (it must outlive the table).
  FlowTable(FlowSink& sink, FlowTimeouts timeouts = {}, FlowAppFactory* apps = nullptr);
  ~FlowTable();
  FlowTable(const FlowTable&) = delete;
  FlowTable& operator=(const FlowTable&) = delete;

  // Accounts one decoded packet. Packets must come in timestamp order; time is the packets' time,
  // so inactive flows are expired as capture time passes. Non-flow packets are counted and ignored.
  void add(const packet::PacketView& view, const capture::RawPacket& raw);

  // Moves capture time forward to now_ns and ends every flow whose deadline has passed. add() does this
  // by itself once per capture second; a caller that shards flows calls it on every shard at once.
  void advance(int64_t now_ns);

  // Ends every flow (end of input), in order of their first packet; their end_ns is kEndOfInput.
  void flush();

  const FlowStats& stats() const { return stats_; }
  size_t active() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  FlowStats stats_;
};

// Symmetric hash of a packet's flow key: the same value for both directions, used to pick a worker.
uint64_t flow_shard_hash(const packet::PacketView& view);

}  // namespace trawl::flow
