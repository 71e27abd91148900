// FlowShards: the flows split among N FlowTables by a symmetric hash of their key (both directions of a
// connection meet in the same table), with the finished records merged into one canonical order, so
// the output is identical whatever the number of shards.
//
// The order is (end_ns, ts_first, first frame): properties of each flow alone. Once per capture second
// every shard is advanced to the current time, after which no record can still end at or before it,
// and the records buffered up to then are released in that order. Memory: the records ending within
// one second of capture time. Today the shards run on the calling thread; a worker per shard only has
// to run add()/advance() on its own thread and hand its records to the same merge.
#pragma once

#include <cstdint>
#include <tuple>
#include <memory>
#include <vector>

#include "flow/flow_table.h"

namespace trawl::flow {

class FlowShards {
 public:
  FlowShards(FlowSink& sink, size_t shards, FlowTimeouts timeouts = {}, FlowAppFactory* apps = nullptr);
  ~FlowShards();

  void add(const packet::PacketView& view, const capture::RawPacket& raw);
  void flush();

  size_t shards() const { return tables_.size(); }
  // Summed over the shards (the peak of active flows is the sum of each shard's peak).
  FlowStats stats() const;

 private:
  struct Buffer : FlowSink {
    std::vector<ConnRecord> records;
    void on_flow_end(ConnRecord&& r) override { records.push_back(std::move(r)); }
    ConnRecord* emplace_record() override { return &records.emplace_back(); }
  };
  void release(int64_t up_to_ns);
  std::vector<std::pair<std::tuple<int64_t, int64_t, uint32_t, uint64_t>, uint32_t>> order_;  // release()'s scratch

  FlowSink& sink_;
  Buffer buffer_;
  std::vector<std::unique_ptr<FlowTable>> tables_;
  int64_t next_tick_ns_ = INT64_MIN;
  int64_t now_ns_ = INT64_MIN;  // newest packet time seen
};

}  // namespace trawl::flow
