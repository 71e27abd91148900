// ExpectedConnectionTable: the connections analyzers announced (FTP data channels), waiting for the TCP
// flow that opens them, like Zeek's expected-connection table. A new flow from orig_h to resp_h:resp_p
// that matches an announcement takes its service and consumes it; the originator's port is not compared
// (it is never announced).
//
// Limits: an announcement lives kLifetimeNs of capture time (5 minutes, as Zeek's FTP data channels);
// at most kMaxEntries are held, the oldest dropped first when more come (a client sending thousands of
// PORT commands cannot grow memory). A newer announcement of the same endpoints replaces the older one.
//
// Cost: AppLayer::create asks only when the table is not empty (an if on the hot path otherwise); a match
// is one hash lookup and allocates nothing. Announcing allocates (rare: a few per FTP transfer).
// Time and order come from the packets, so results do not depend on the number of shards; the table is
// the AppLayer's, which today serves every shard on one thread (a thread per shard would need one shared,
// locked table, since the data connection hashes to another shard than its control connection).
#pragma once

#include <cstdint>
#include <deque>
#include <string_view>

#include <absl/container/flat_hash_map.h>

#include "proto/analyzer.h"

namespace trawl::proto {

class ExpectedConnectionTable final : public ExpectedConnections {
 public:
  static constexpr int64_t kLifetimeNs = 300'000'000'000;  // 5 minutes
  static constexpr size_t kMaxEntries = 4096;

  struct Stats {
    uint64_t expected = 0;  // announcements
    uint64_t matched = 0;   // flows that opened one
    uint64_t expired = 0;   // never opened within the lifetime
    uint64_t evicted = 0;   // dropped for kMaxEntries before their lifetime ended
  };

  void expect(ExpectedConnection c, int64_t now_ns) override;

  bool empty() const { return entries_.empty(); }
  size_t size() const { return entries_.size(); }
  const Stats& stats() const { return stats_; }

  // For a new TCP flow at capture time now_ns: the announced service, the announcement consumed (its
  // matched_uid set to uid); empty when nothing matches. Also drops the announcements that expired.
  std::string_view match(const IpAddress& orig_h, const IpAddress& resp_h, uint16_t resp_p, std::string_view uid,
                         int64_t now_ns);

 private:
  struct Key {
    IpAddress orig_h, resp_h;
    uint16_t resp_p = 0;
    friend bool operator==(const Key&, const Key&) = default;
    template <typename H>
    friend H AbslHashValue(H h, const Key& k) {
      return H::combine(std::move(h), k.orig_h, k.resp_h, k.resp_p);
    }
  };
  struct Entry {
    ExpectedConnection c;
    int64_t expires_ns = 0;
    uint64_t seq = 0;  // which announcement of these endpoints (an older one in order_ is stale)
  };
  struct Announced {
    Key key;
    int64_t expires_ns;
    uint64_t seq;
  };

  void expire(int64_t now_ns);
  // Removes order_'s oldest item and its entry, if that entry is still the one it announced.
  bool drop_oldest();

  absl::flat_hash_map<Key, Entry> entries_;
  std::deque<Announced> order_;  // every announcement, oldest first (consumed or replaced ones included)
  uint64_t next_seq_ = 0;
  Stats stats_;
};

}  // namespace trawl::proto
