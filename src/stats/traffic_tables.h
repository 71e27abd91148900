// Per-packet traffic counters: IP endpoint pairs (`trawl top`) and single addresses (`trawl ips`).
//
// A frame counts once, under its innermost IP header (the conversation inside a tunnel, never the header
// an ICMP error quotes; the tunnel's own header when the tunnel carries no IP; nowhere when the header's
// lengths are impossible, where tshark stops too), with its whole length on the wire (frame.len). So the
// figures equal `tshark -z conv,ip` for every pair except tunnel endpoints, which tshark lists as well.
// Memory grows with the distinct pairs and addresses, never with the packets.
#pragma once

#include <cstdint>
#include <vector>

#include <absl/container/flat_hash_map.h>

#include "capture/raw_packet.h"
#include "packet/packet_view.h"
#include "util/ip_address.h"

namespace trawl::stats {

struct PairStats {
  IpAddress a, b;              // a sent the first packet seen between the two
  uint64_t frames_ab = 0, bytes_ab = 0;
  uint64_t frames_ba = 0, bytes_ba = 0;
  int64_t first_ns = 0, last_ns = 0;
  uint64_t frames() const { return frames_ab + frames_ba; }
  uint64_t bytes() const { return bytes_ab + bytes_ba; }
};

struct HostStats {
  IpAddress addr;
  uint64_t frames_as_src = 0, frames_as_dst = 0;
  uint64_t bytes_sent = 0, bytes_received = 0;
  int64_t first_ns = 0, last_ns = 0;
  uint64_t frames() const { return frames_as_src + frames_as_dst; }
  uint64_t bytes() const { return bytes_sent + bytes_received; }
};

enum class RankBy : uint8_t { kBytes, kPackets };

class PairTable {
 public:
  void add(const packet::PacketView& view, const capture::RawPacket& raw);
  // The n largest pairs (all when n == 0), largest first; ties broken by addresses for determinism.
  std::vector<PairStats> top(size_t n, RankBy by) const;
  size_t size() const { return pairs_.size(); }
  template <typename F>
  void for_each(F&& f) const {
    for (const auto& [key, stats] : pairs_) f(stats);
  }

 private:
  struct Key {
    IpAddress lo, hi;
    friend bool operator==(const Key&, const Key&) = default;
    template <typename H>
    friend H AbslHashValue(H h, const Key& k) { return H::combine(std::move(h), k.lo, k.hi); }
  };
  absl::flat_hash_map<Key, PairStats> pairs_;
};

// Per address, derived from the pairs (every count of an address is a sum over its pairs), so the
// per-packet work is one table lookup, not three.
class HostTable {
 public:
  explicit HostTable(const PairTable& pairs);
  std::vector<HostStats> top(size_t n, RankBy by) const;  // by packets: frames as src + dst
  size_t size() const { return hosts_.size(); }

 private:
  HostStats& host(const IpAddress& a, int64_t first_ns, int64_t last_ns);
  absl::flat_hash_map<IpAddress, HostStats> hosts_;
};

}  // namespace trawl::stats
