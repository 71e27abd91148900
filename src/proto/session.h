// AppLayer: the application stage's side of the flow stage. For every TCP or UDP flow it attaches a
// session that reassembles the streams, identifies the protocol by content (port only breaks ties),
// and drives that protocol's analyzer, which emits records to the RecordSink.
//
// Identification: the first bytes of each direction (up to kProbeBytes) are kept and shown to every
// registered probe as they grow. A "yes" decides at once; otherwise the best "maybe" (the well-known port
// breaking ties) decides once kProbeBytes arrived in one direction or the flow ends. Kept bytes are then
// replayed to the chosen analyzer in arrival order, so it sees the stream from its first byte.
//
// Expected connections: a TCP flow an analyzer announced (an FTP data channel, see
// expected_connection_table.h) is labelled with the announced service ("ftp-data") and not probed: its
// bytes are file contents, which could look like any protocol (a downloaded mail would say "smtp"). It is
// still reassembled, for missed_bytes.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "flow/flow_app.h"
#include "flow/tcp_reassembler.h"
#include "proto/expected_connection_table.h"
#include "proto/registry.h"

namespace trawl::proto {

struct AppLayerStats {
  uint64_t sessions = 0;
  uint64_t identified = 0;           // sessions whose protocol was found
  uint64_t reassembly_gaps = 0;      // gaps reported by the reassemblers
  uint64_t reassembly_limit_hits = 0; // segments turned into gaps by a buffering limit
};

struct AppLayerOptions {
  uint32_t max_buffered_per_direction = 1u << 20;  // out-of-order bytes held per direction
  uint64_t max_buffered_total = 256ull << 20;      // and in total
};

class AppLayer final : public flow::FlowAppFactory {
 public:
  static constexpr size_t kProbeBytes = 512;

  AppLayer(RecordSink& sink, std::vector<std::string> file_names, AppLayerOptions options = {});
  ~AppLayer() override;

  std::unique_ptr<flow::FlowApp> create(const flow::FlowStart& start) override;

  const AppLayerStats& stats() const { return stats_; }
  flow::ReassemblyBudget& budget() { return budget_; }
  ExpectedConnectionTable& expected() { return expected_; }

  // For the sessions.
  RecordSink& sink() { return sink_; }
  std::span<const std::string_view> file_names() const { return name_views_; }
  const AppLayerOptions& options() const { return options_; }
  AppLayerStats& mutable_stats() { return stats_; }

 private:
  RecordSink& sink_;
  std::vector<std::string> names_;
  std::vector<std::string_view> name_views_;
  AppLayerOptions options_;
  flow::ReassemblyBudget budget_;
  AppLayerStats stats_;
  ExpectedConnectionTable expected_;
};

// Picks the analyzer for a connection from the first bytes of each direction (either may be empty).
// final_call: no more bytes will come, so settle for the best "maybe" or the port. Returns null when
// undecided (or, with final_call, when nothing fits).
const AnalyzerInfo* identify(uint8_t transport, uint16_t resp_port, std::span<const uint8_t> orig,
                             std::span<const uint8_t> resp, bool final_call);

}  // namespace trawl::proto
