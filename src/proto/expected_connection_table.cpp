#include "proto/expected_connection_table.h"

namespace trawl::proto {

void ExpectedConnectionTable::expect(ExpectedConnection c, int64_t now_ns) {
  expire(now_ns);
  if (order_.size() >= kMaxEntries && drop_oldest()) ++stats_.evicted;
  Key key{c.orig_h, c.resp_h, c.resp_p};
  uint64_t seq = next_seq_++;
  int64_t expires = now_ns + kLifetimeNs;
  entries_.insert_or_assign(key, Entry{std::move(c), expires, seq});
  order_.push_back({key, expires, seq});
  ++stats_.expected;
}

std::string_view ExpectedConnectionTable::match(const IpAddress& orig_h, const IpAddress& resp_h, uint16_t resp_p,
                                                std::string_view uid, int64_t now_ns) {
  expire(now_ns);
  auto it = entries_.find(Key{orig_h, resp_h, resp_p});
  // (An entry behind a later-expiring one in order_, when capture time stepped back, is checked here.)
  if (it == entries_.end() || it->second.expires_ns <= now_ns) return {};
  std::string_view service = it->second.c.service;
  if (it->second.c.matched_uid) it->second.c.matched_uid->assign(uid);
  entries_.erase(it);  // its item in order_ is stale now and goes when it would have expired
  ++stats_.matched;
  return service;
}

void ExpectedConnectionTable::expire(int64_t now_ns) {
  // order_ is in announcement order, which is capture-time order: the front expires first.
  while (!order_.empty() && order_.front().expires_ns <= now_ns)
    if (drop_oldest()) ++stats_.expired;
}

bool ExpectedConnectionTable::drop_oldest() {
  Announced a = order_.front();
  order_.pop_front();
  auto it = entries_.find(a.key);
  if (it == entries_.end() || it->second.seq != a.seq) return false;
  entries_.erase(it);
  return true;
}

}  // namespace trawl::proto
