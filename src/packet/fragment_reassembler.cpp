#include "packet/fragment_reassembler.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace trawl::packet {

struct FragmentReassembler::Pending {
  int64_t first_ts = 0;
  uint64_t serial = 0;
  int64_t total = -1;                  // payload length, known once the last fragment arrived
  std::vector<uint8_t> header;         // header of the offset-0 fragment
  std::vector<uint8_t> data;           // payload bytes, sized to the largest end seen
  std::vector<std::pair<uint32_t, uint32_t>> have;  // filled ranges, sorted, disjoint, merged
  uint64_t accounted() const { return header.size() + data.size(); }
};

FragmentReassembler::FragmentReassembler(Limits limits) : limits_(limits) {}
FragmentReassembler::~FragmentReassembler() = default;

void FragmentReassembler::drop(const Key& key) {
  auto it = pending_.find(key);
  if (it == pending_.end()) return;
  bytes_pending_ -= it->second->accounted();
  pending_.erase(it);
  if (pending_.empty()) order_.clear();
}

bool FragmentReassembler::evict_oldest() {
  while (!order_.empty()) {
    Arrival a = order_.front();
    order_.pop_front();
    auto it = pending_.find(a.key);
    if (it == pending_.end() || it->second->serial != a.serial) continue;  // stale
    drop(a.key);
    ++stats_.dropped_memory;
    return true;
  }
  return false;
}

void FragmentReassembler::expire(int64_t now_ns) {
  while (!order_.empty()) {
    const Arrival& a = order_.front();
    auto it = pending_.find(a.key);
    if (it == pending_.end() || it->second->serial != a.serial) {
      order_.pop_front();
      continue;
    }
    if (now_ns - it->second->first_ts <= limits_.timeout_ns) break;
    Key k = a.key;
    order_.pop_front();
    drop(k);
    ++stats_.timed_out;
  }
}

std::span<const uint8_t> FragmentReassembler::add(int64_t ts_ns, const IpAddress& src, const IpAddress& dst,
                                                  uint32_t id, uint8_t proto, std::span<const uint8_t> header,
                                                  uint32_t offset, std::span<const uint8_t> payload,
                                                  bool more_fragments) {
  expire(ts_ns);
  Key key{src, dst, id, proto};
  const uint64_t end64 = uint64_t(offset) + payload.size();
  const uint64_t max_total = src.is_v4() ? 65535 : uint64_t(limits_.max_datagram);
  if (header.size() < (src.is_v4() ? 20u : 40u) || end64 + header.size() > std::min<uint64_t>(max_total, limits_.max_datagram)) {
    drop(key);
    ++stats_.dropped_invalid;
    return {};
  }
  const uint32_t end = uint32_t(end64);

  auto it = pending_.find(key);
  if (it != pending_.end() && ts_ns - it->second->first_ts > limits_.timeout_ns) {
    drop(key);  // its timer ran out before this fragment (unsorted input): start over
    ++stats_.timed_out;
    it = pending_.end();
  }
  if (it == pending_.end()) {
    while (pending_.size() >= limits_.max_pending && evict_oldest()) {
    }
    auto p = std::make_unique<Pending>();
    p->first_ts = ts_ns;
    p->serial = next_serial_++;
    order_.push_back({key, p->serial});
    it = pending_.emplace(key, std::move(p)).first;
  }
  Pending* p = it->second.get();

  // Length consistency: one end of datagram, nothing beyond it.
  if (!more_fragments) {
    if ((p->total >= 0 && p->total != end) || p->data.size() > end) {
      drop(key);
      ++stats_.dropped_invalid;
      return {};
    }
    p->total = end;
  } else if (p->total >= 0 && end > p->total) {
    drop(key);
    ++stats_.dropped_invalid;
    return {};
  }

  // Memory bound: evict the oldest datagrams; if this one is the oldest, it goes.
  const uint64_t growth = (end > p->data.size() ? end - p->data.size() : 0) +
                          (offset == 0 && p->header.empty() ? header.size() : 0);
  while (bytes_pending_ + growth > limits_.max_bytes) {
    while (!order_.empty()) {  // skip stale entries so we can see who is oldest
      auto f = pending_.find(order_.front().key);
      if (f != pending_.end() && f->second->serial == order_.front().serial) break;
      order_.pop_front();
    }
    if (order_.empty() || order_.front().serial == p->serial) {
      drop(key);
      ++stats_.dropped_memory;
      return {};
    }
    evict_oldest();
  }
  bytes_pending_ += growth;
  if (offset == 0 && p->header.empty()) p->header.assign(header.begin(), header.end());
  if (end > p->data.size()) p->data.resize(end);

  // First copy wins: copy only into the holes, then record the range.
  uint32_t pos = offset;
  auto copy = [&](uint32_t from, uint32_t to) {
    std::memcpy(p->data.data() + from, payload.data() + (from - offset), to - from);
  };
  for (auto [s, e] : p->have) {
    if (pos >= end || s >= end) break;
    if (e <= pos) continue;
    if (s > pos) copy(pos, s);
    pos = std::max(pos, e);
  }
  if (pos < end) copy(pos, end);
  if (end > offset) {
    auto& h = p->have;
    auto first = std::lower_bound(h.begin(), h.end(), offset,
                                  [](const std::pair<uint32_t, uint32_t>& r, uint32_t v) { return r.second < v; });
    uint32_t s = offset, e = end;
    auto last = first;
    while (last != h.end() && last->first <= e) {
      s = std::min(s, last->first);
      e = std::max(e, last->second);
      ++last;
    }
    first = h.erase(first, last);
    h.insert(first, {s, e});
  }

  if (p->total < 0 || p->header.empty() || p->have.size() != 1 || p->have[0].first != 0 ||
      p->have[0].second != uint32_t(p->total))
    return {};

  // Complete: header + payload, length fields fixed up.
  const size_t hlen = p->header.size();
  out_.resize(hlen + size_t(p->total));
  std::memcpy(out_.data(), p->header.data(), hlen);
  if (p->total) std::memcpy(out_.data() + hlen, p->data.data(), size_t(p->total));
  if (src.is_v4()) {
    const uint32_t tot = uint32_t(hlen + p->total);
    out_[2] = uint8_t(tot >> 8);
    out_[3] = uint8_t(tot);
    out_[6] &= 0x40;  // keep DF, clear MF and the offset
    out_[7] = 0;
  } else {
    const uint32_t plen = uint32_t(hlen - 40 + p->total);
    out_[4] = uint8_t(plen >> 8);
    out_[5] = uint8_t(plen);
    out_[6] = proto;
  }
  drop(key);
  ++stats_.completed;
  return out_;
}

}  // namespace trawl::packet
