#include "flow/flow_shards.h"

#include <algorithm>
#include <tuple>

namespace trawl::flow {

namespace {
constexpr int64_t kTickNs = 1'000'000'000;

auto order_key(const ConnRecord& r) {
  FrameRef first = r.first_frames.empty() ? FrameRef{} : r.first_frames.front();
  return std::tuple(r.end_ns, r.ts_first_ns, first.file_index, first.frame);
}
}  // namespace

FlowShards::FlowShards(FlowSink& sink, size_t shards, FlowTimeouts timeouts, FlowAppFactory* apps) : sink_(sink) {
  for (size_t i = 0; i < std::max<size_t>(shards, 1); ++i)
    tables_.push_back(std::make_unique<FlowTable>(buffer_, timeouts, apps));
}

FlowShards::~FlowShards() = default;

void FlowShards::add(const packet::PacketView& view, const capture::RawPacket& raw) {
  if (raw.ts_ns >= next_tick_ns_) {
    now_ns_ = raw.ts_ns;
    for (auto& t : tables_) t->advance(now_ns_);
    release(now_ns_);
    next_tick_ns_ = now_ns_ + kTickNs;
  }
  size_t shard = tables_.size() == 1 ? 0 : flow_shard_hash(view) % tables_.size();
  // A packet older than one already seen (files are not always in time order): a single table would be
  // at the newest time already, so bring this shard there too before it sees the packet.
  if (raw.ts_ns < now_ns_) tables_[shard]->advance(now_ns_);
  now_ns_ = std::max(now_ns_, raw.ts_ns);
  tables_[shard]->add(view, raw);
}

void FlowShards::flush() {
  for (auto& t : tables_) t->flush();
  release(kEndOfInput);
}

void FlowShards::release(int64_t up_to_ns) {
  auto& recs = buffer_.records;
  if (recs.empty()) return;
  // Sort small (key, index) pairs, not the records: moving a ConnRecord costs its strings and vectors.
  using Key = decltype(order_key(recs[0]));
  std::vector<std::pair<Key, uint32_t>>& order = order_;
  order.clear();
  for (size_t i = 0; i < recs.size(); ++i)
    if (recs[i].end_ns <= up_to_ns) order.emplace_back(order_key(recs[i]), uint32_t(i));
  if (order.empty()) return;
  // A single table ends its flows in deadline order, so the keys are usually sorted already.
  if (!std::is_sorted(order.begin(), order.end())) std::sort(order.begin(), order.end());
  for (const auto& [key, i] : order) sink_.on_flow_end(std::move(recs[i]));
  // Keep the records not released yet, in their order.
  size_t kept = 0;
  for (auto& r : recs)
    if (r.end_ns > up_to_ns) recs[kept++] = std::move(r);
  recs.resize(kept);
}

FlowStats FlowShards::stats() const {
  FlowStats sum;
  for (const auto& t : tables_) {
    const FlowStats& s = t->stats();
    sum.flows_created += s.flows_created;
    sum.flows_active += s.flows_active;
    sum.flows_active_peak += s.flows_active_peak;
    sum.packets += s.packets;
    sum.non_flow += s.non_flow;
    sum.flows_reused += s.flows_reused;
  }
  return sum;
}

}  // namespace trawl::flow
