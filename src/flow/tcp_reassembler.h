// TcpReassembler: one direction of a TCP connection put back in sequence order.
//
// Segments arrive as captured (out of order, retransmitted, overlapping, with holes). Bytes are handed to
// the consumer in sequence order as soon as they are contiguous. Sequence numbers are compared modulo 2^32
// and mapped to a 64-bit stream offset, so wraparound is invisible past the entry point.
//
// Policy (documented in the README):
// - Overlaps: the first copy of a byte that arrived wins; later copies only fill holes. Every byte
//   received again is counted (overlaps); those that differ from a first copy still buffered are counted
//   as conflicts (a possible evasion). Bytes already delivered are no longer held, so a retransmission of
//   them is counted as an overlap but cannot be compared.
// - Gaps: a hole the peer acknowledged past (acked), or that blocks more buffered data than max_buffered
//   (or the shared budget, or max_segments) allows, is skipped: the consumer is told the number of missing
//   bytes (on_gap) and delivery resumes after it. A payload cut by the snaplen delivers what was captured
//   and reports the rest as a gap (held as a known hole when out of order: like any first copy, it is not
//   replaced by a later full copy). stats().missing is Zeek's missed_bytes.
// - Start: a SYN anchors the stream at ISN+1; without one (mid-stream pickup) the stream starts at the
//   first segment that carries data or FIN. Data before the start and segments more than 2^30 ahead (a
//   bogus segment) are dropped and counted, never buffered. A FIN ends the stream: data past it is dropped.
// - Memory: max_buffered and the budget count payload bytes held; a held piece's vector may reserve up to
//   twice that, and max_segments bounds the per-piece bookkeeping.
// - Zero copy: a segment that is in order while nothing is buffered is delivered straight from the
//   packet's bytes; only out-of-order data is copied.
// - Delivery time: bytes that were buffered are delivered with the origin of the packet that made them
//   contiguous (the one that completed them), not of the packet that carried them.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "capture/raw_packet.h"

namespace trawl::flow {

// Where one packet came from, for the consumer to name the packet that carried data.
struct SegmentOrigin {
  int64_t ts_ns = 0;
  uint32_t file_index = 0;
  uint64_t frame = 0;
};

class StreamConsumer {
 public:
  virtual ~StreamConsumer() = default;
  // The next in-order bytes; `at` is the packet that carried the last of them.
  virtual void on_data(std::span<const uint8_t> bytes, const SegmentOrigin& at) = 0;
  // `bytes` will never be delivered (capture loss or a limit): the next on_data continues after them.
  virtual void on_gap(uint64_t bytes, const SegmentOrigin& at) = 0;
};

// Bytes buffered out of order by all the reassemblers of one worker, against a common limit.
struct ReassemblyBudget {
  uint64_t limit = 256ull << 20;  // 256 MiB in total
  uint64_t used = 0;
  uint64_t limit_hits = 0;        // times a segment was dropped (turned into a gap) for this limit
};

struct ReassemblyStats {
  uint64_t delivered = 0;      // bytes handed to the consumer
  uint64_t missing = 0;        // bytes reported as gaps (Zeek's missed_bytes)
  uint64_t overlaps = 0;       // bytes received again (retransmissions), first copy kept
  uint64_t overlap_conflicts = 0;  // of which differed from the first copy (a possible evasion)
  uint64_t limit_hits = 0;     // segments turned into gaps by max_buffered, max_segments or the budget
  uint64_t before_start = 0;   // bytes dropped because they lie before the initial sequence number
  uint64_t after_fin = 0;      // bytes dropped because they lie past the FIN
  uint64_t far_segments = 0;   // segments dropped for starting more than 2^30 past the next byte
};

class TcpReassembler {
 public:
  struct Limits {
    uint32_t max_buffered = 1u << 20;  // out-of-order bytes held for this direction (1 MiB)
    // Separate out-of-order pieces held (adjacent pieces merge, so this is about the number of holes);
    // bounds the bookkeeping that a stream of tiny, scattered segments would otherwise cost.
    uint32_t max_segments = 4096;
  };
  // Segments starting further than this past the next expected byte are bogus (no window is that big).
  static constexpr int64_t kFarAhead = int64_t(1) << 30;

  TcpReassembler(ReassemblyBudget& budget, Limits limits);
  ~TcpReassembler();  // returns its buffered bytes to the budget
  TcpReassembler(const TcpReassembler&) = delete;
  TcpReassembler& operator=(const TcpReassembler&) = delete;

  // One segment of this direction: its sequence number, SYN/FIN flags and captured payload. A payload
  // shorter than the segment announced (snaplen) is delivered as far as captured, the rest as a gap.
  void add(uint32_t seq, bool syn, bool fin, std::span<const uint8_t> payload, uint32_t announced_len,
           const SegmentOrigin& at, StreamConsumer& consumer);
  // The peer acknowledged up to `ack`: bytes before it will never be retransmitted, so a hole below it is
  // a capture loss: deliver what is buffered after it (with a gap). Acknowledged bytes never seen at all
  // are reported as a gap too (Zeek's "ack above hole").
  void acked(uint32_t ack, const SegmentOrigin& at, StreamConsumer& consumer);
  // End of the connection: deliver everything still buffered, gaps included (and up to the FIN, when the
  // FIN was seen beyond the last byte received).
  void flush(const SegmentOrigin& at, StreamConsumer& consumer);

  const ReassemblyStats& stats() const { return stats_; }
  bool started() const { return started_; }
  // Every byte up to the FIN has been delivered or reported missing.
  bool finished() const { return fin_known_ && next_ >= fin_off_; }
  uint64_t buffered() const { return buffered_; }  // out-of-order bytes held now
  uint64_t next_offset() const { return next_; }   // stream offset of the next byte to deliver

 private:
  // An out-of-order piece: bytes copied from a packet, or a known-missing range (snaplen cut).
  struct Pending {
    uint64_t off = 0;
    uint64_t len = 0;
    bool missing = false;
    std::vector<uint8_t> bytes;  // len bytes unless missing
    uint64_t end() const { return off + len; }
  };

  uint32_t seq_of(uint64_t off) const { return base_ + uint32_t(off); }
  void add_slow(int64_t off, std::span<const uint8_t> payload, uint64_t len, bool fin, const SegmentOrigin& at,
                StreamConsumer& consumer);
  void set_fin(uint64_t fin_off);
  // Delivers [next_, end) of a segment that starts at or before next_ (pending first copies win).
  void deliver_in_order(uint64_t off, std::span<const uint8_t> captured, uint64_t end, const SegmentOrigin& at,
                        StreamConsumer& consumer);
  // Copies the parts of a segment not yet held into pending_, counting the overlaps.
  void insert(uint64_t off, std::span<const uint8_t> captured, uint64_t end);
  // What insert() would add: bytes to copy and new pieces.
  void measure(uint64_t off, uint64_t cap_end, uint64_t end, uint64_t& bytes, uint64_t& pieces) const;
  void skip_to(uint64_t off, const SegmentOrigin& at, StreamConsumer& consumer);  // gap up to off
  void drain(const SegmentOrigin& at, StreamConsumer& consumer);  // pending pieces now contiguous
  void emit_data(std::span<const uint8_t> bytes, const SegmentOrigin& at, StreamConsumer& consumer);
  void emit_gap(uint64_t bytes, const SegmentOrigin& at, StreamConsumer& consumer);
  void release(uint64_t bytes);

  ReassemblyBudget& budget_;
  Limits limits_;
  ReassemblyStats stats_;
  bool started_ = false;
  bool fin_known_ = false;
  uint32_t base_ = 0;      // sequence number of stream offset 0 (ISN + 1, or the first segment's)
  uint64_t next_ = 0;      // stream offset of the next byte to deliver
  uint64_t fin_off_ = 0;   // stream offset of the FIN (= the stream's length) when fin_known_
  uint64_t buffered_ = 0;  // bytes held in pending_ (charged to budget_)
  std::vector<Pending> pending_;  // sorted by off, disjoint, all after next_
};

}  // namespace trawl::flow
