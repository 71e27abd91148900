#include "stats/traffic_tables.h"

#include <algorithm>

namespace trawl::stats {

namespace {
// The IP pair a frame counts under: its innermost valid IP header, or the tunnel's own when what the
// tunnel carries is not IP (ARP inside ERSPAN), so every byte of an IP frame is counted somewhere.
bool counted_pair(const packet::PacketView& v, const IpAddress*& src, const IpAddress*& dst) {
  if (v.ip_header_valid()) {
    src = &v.src;
    dst = &v.dst;
    return true;
  }
  if (v.tunnel_depth && !v.tunnel_src.empty()) {
    src = &v.tunnel_src;
    dst = &v.tunnel_dst;
    return true;
  }
  return false;
}

// Ranks pointers, not the records (they are large, and there may be millions of addresses); the order
// is total (ties broken by the key), so the result does not depend on the sort algorithm.
template <typename T>
std::vector<T> rank(std::vector<const T*> all, size_t n, RankBy by, auto&& key_less) {
  auto better = [&](const T* x, const T* y) {
    uint64_t vx = by == RankBy::kBytes ? x->bytes() : x->frames();
    uint64_t vy = by == RankBy::kBytes ? y->bytes() : y->frames();
    if (vx != vy) return vx > vy;
    return key_less(*x, *y);
  };
  if (n && n < all.size()) {
    std::partial_sort(all.begin(), all.begin() + std::ptrdiff_t(n), all.end(), better);
    all.resize(n);
  } else {
    std::sort(all.begin(), all.end(), better);
  }
  std::vector<T> out;
  out.reserve(all.size());
  for (const T* p : all) out.push_back(*p);
  return out;
}
}  // namespace

void PairTable::add(const packet::PacketView& v, const capture::RawPacket& raw) {
  const IpAddress *src, *dst;
  if (!counted_pair(v, src, dst)) return;
  bool forward = *src <= *dst;
  Key key{forward ? *src : *dst, forward ? *dst : *src};
  auto [it, inserted] = pairs_.try_emplace(key);
  PairStats& p = it->second;
  if (inserted) {
    p.a = *src;
    p.b = *dst;
    p.first_ns = raw.ts_ns;
  }
  if (raw.ts_ns > p.last_ns) p.last_ns = raw.ts_ns;
  if (raw.ts_ns < p.first_ns) p.first_ns = raw.ts_ns;
  if (*src == p.a) {
    ++p.frames_ab;
    p.bytes_ab += raw.wirelen;
  } else {
    ++p.frames_ba;
    p.bytes_ba += raw.wirelen;
  }
}

std::vector<PairStats> PairTable::top(size_t n, RankBy by) const {
  std::vector<const PairStats*> all;
  all.reserve(pairs_.size());
  for (const auto& [k, v] : pairs_) all.push_back(&v);
  return rank<PairStats>(std::move(all), n, by, [](const PairStats& x, const PairStats& y) {
    if (x.a != y.a) return x.a < y.a;
    return x.b < y.b;
  });
}

HostStats& HostTable::host(const IpAddress& a, int64_t first_ns, int64_t last_ns) {
  auto [it, inserted] = hosts_.try_emplace(a);
  HostStats& h = it->second;
  if (inserted) {
    h.addr = a;
    h.first_ns = first_ns;
    h.last_ns = last_ns;
  }
  h.first_ns = std::min(h.first_ns, first_ns);
  h.last_ns = std::max(h.last_ns, last_ns);
  return h;
}

HostTable::HostTable(const PairTable& pairs) {
  pairs.for_each([&](const PairStats& p) {
    HostStats& a = host(p.a, p.first_ns, p.last_ns);
    a.frames_as_src += p.frames_ab;
    a.frames_as_dst += p.frames_ba;
    a.bytes_sent += p.bytes_ab;
    a.bytes_received += p.bytes_ba;
    HostStats& b = host(p.b, p.first_ns, p.last_ns);
    b.frames_as_src += p.frames_ba;
    b.frames_as_dst += p.frames_ab;
    b.bytes_sent += p.bytes_ba;
    b.bytes_received += p.bytes_ab;
  });
}

std::vector<HostStats> HostTable::top(size_t n, RankBy by) const {
  std::vector<const HostStats*> all;
  all.reserve(hosts_.size());
  for (const auto& [k, v] : hosts_) all.push_back(&v);
  return rank<HostStats>(std::move(all), n, by, [](const HostStats& x, const HostStats& y) { return x.addr < y.addr; });
}

}  // namespace trawl::stats
