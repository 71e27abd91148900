// FragmentReassembler: rebuilds IPv4 and IPv6 datagrams from fragments, with bounded memory and timeouts.
//
// Keyed by (family, src, dst, id, protocol). Overlaps: the first copy of a byte wins (a later fragment
// only fills the holes left by earlier ones; like BSD/Windows, unlike Linux's "last wins" for some
// overlaps), so a retransmitted or forged overlapping fragment cannot rewrite data already seen. A datagram
// whose fragments do not all arrive within `timeout_ns` of its first fragment (capture time) is dropped
// and counted; when the pending bytes would pass `max_bytes` (or the datagram count `max_pending`), the
// oldest pending datagrams are evicted first. Memory is only allocated while fragments are pending.
//
// The rebuilt datagram is the header of the fragment at offset 0 followed by the payload, with its length
// fields fixed up (IPv4: total length, MF and offset cleared; IPv6: payload length and next header set to
// the fragmented protocol). For IPv6 only the 40-byte base header is kept: the unfragmentable extension
// headers (hop-by-hop, routing) are not carried into the rebuilt datagram.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <vector>

#include <absl/container/flat_hash_map.h>

#include "util/ip_address.h"

namespace trawl::packet {

// At namespace scope so that `Limits limits = {}` default arguments compile (a nested struct with default
// member initializers is incomplete there).
struct FragmentLimits {
  int64_t timeout_ns = 30'000'000'000;   // 30 s, as Linux's ipfrag_time
  uint64_t max_bytes = 64ull << 20;      // all pending datagrams together
  uint32_t max_datagram = 65535 + 40;    // largest IPv6 datagram with its base header
  uint32_t max_pending = 16384;          // datagrams pending at once
};

class FragmentReassembler {
 public:
  using Limits = FragmentLimits;
  struct Stats {
    uint64_t completed = 0, timed_out = 0, dropped_memory = 0, dropped_invalid = 0;
  };

  explicit FragmentReassembler(Limits limits = {});
  ~FragmentReassembler();
  FragmentReassembler(const FragmentReassembler&) = delete;
  FragmentReassembler& operator=(const FragmentReassembler&) = delete;

  // Adds one fragment. `header` is the fragment's IP header (IPv4 with options; IPv6 its 40-byte base
  // header); the one of the fragment at offset 0 becomes the rebuilt datagram's. `payload` is the
  // fragment's data starting at `offset` bytes into the datagram payload. Returns the whole datagram
  // (header then payload, length fields fixed up) when this fragment completes it; the span stays valid
  // until the next call. Returns an empty span otherwise.
  std::span<const uint8_t> add(int64_t ts_ns, const IpAddress& src, const IpAddress& dst, uint32_t id,
                               uint8_t proto, std::span<const uint8_t> header, uint32_t offset,
                               std::span<const uint8_t> payload, bool more_fragments);

  // Drops datagrams older than the timeout relative to now_ns.
  void expire(int64_t now_ns);
  const Stats& stats() const { return stats_; }
  uint64_t bytes_pending() const { return bytes_pending_; }
  size_t datagrams_pending() const { return pending_.size(); }

 private:
  struct Key {
    IpAddress src, dst;
    uint32_t id = 0;
    uint8_t proto = 0;
    friend bool operator==(const Key&, const Key&) = default;
    template <typename H>
    friend H AbslHashValue(H h, const Key& k) {
      return H::combine(std::move(h), k.src, k.dst, k.id, k.proto);
    }
  };
  struct Pending;
  struct Arrival {  // insertion order, for expiry and eviction (entries may be stale)
    Key key;
    uint64_t serial;
  };

  void drop(const Key& key);
  bool evict_oldest();

  Limits limits_;
  Stats stats_;
  uint64_t bytes_pending_ = 0;
  uint64_t next_serial_ = 0;
  absl::flat_hash_map<Key, std::unique_ptr<Pending>> pending_;
  std::deque<Arrival> order_;
  std::vector<uint8_t> out_;
};

}  // namespace trawl::packet
