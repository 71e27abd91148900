// FragmentReassembler: rebuilds IPv4 and IPv6 datagrams from fragments, with bounded memory and timeouts.
//
// Keyed by (family, src, dst, id, protocol). Overlaps: the first copy of a byte wins (BSD policy as
// documented in the README). A datagram whose fragments do not all arrive within `timeout_ns` (capture
// time), or that would push memory past `max_bytes`, is dropped and counted.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "util/ip_address.h"

namespace trawl::packet {

class FragmentReassembler {
 public:
  struct Limits {
    int64_t timeout_ns = 30'000'000'000;   // 30 s, as Linux's ipfrag_time
    uint64_t max_bytes = 64ull << 20;      // all pending datagrams together
    uint32_t max_datagram = 65535 + 40;    // largest IPv6 datagram with its base header
  };
  struct Stats {
    uint64_t completed = 0, timed_out = 0, dropped_memory = 0, dropped_invalid = 0;
  };

  explicit FragmentReassembler(Limits limits = {});
  ~FragmentReassembler();

  // Adds one fragment. `header` is the IP header to use for the rebuilt datagram (the first fragment's),
  // `payload` the fragment's data starting at `offset` bytes into the datagram payload. Returns the whole
  // datagram (header then payload, its length fields fixed up) when this fragment completes it; the span
  // stays valid until the next call. Returns an empty span otherwise.
  std::span<const uint8_t> add(int64_t ts_ns, const IpAddress& src, const IpAddress& dst, uint32_t id,
                               uint8_t proto, std::span<const uint8_t> header, uint32_t offset,
                               std::span<const uint8_t> payload, bool more_fragments);

  // Drops datagrams older than the timeout relative to now_ns.
  void expire(int64_t now_ns);
  const Stats& stats() const { return stats_; }
  uint64_t bytes_pending() const { return bytes_pending_; }

 private:
  struct Pending;
  Limits limits_;
  Stats stats_;
  uint64_t bytes_pending_ = 0;
  std::vector<Pending*> pending_;  // implementation detail; replace freely
  std::vector<uint8_t> out_;
};

}  // namespace trawl::packet
