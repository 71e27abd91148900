#include "flow/flow_shards.h"

#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "capture/capture_set.h"
#include "packet/decoder.h"
#include "support/testing.h"

namespace trawl::flow {
namespace {

struct Collect : FlowSink {
  std::vector<std::string> lines;
  void on_flow_end(ConnRecord&& r) override {
    lines.push_back(fmt::format("{} {} {}:{} {}:{} {} {} {} {}/{} {}/{} {}", r.uid, r.ts_first_ns, r.orig_h.str(), r.orig_p,
                                r.resp_h.str(), r.resp_p, int(r.proto), r.conn_state, r.history, r.orig_pkts, r.resp_pkts,
                                r.orig_ip_bytes, r.resp_ip_bytes, r.end_ns));
  }
};

std::vector<std::string> flows(const std::vector<std::string>& paths, size_t shards, FlowTimeouts timeouts = {}) {
  capture::CaptureSet set(paths);
  packet::Decoder decoder;
  Collect sink;
  FlowShards table(sink, shards, timeouts);
  capture::RawPacket raw;
  packet::PacketView view;
  while (set.next(raw)) {
    decoder.decode(raw, view);
    table.add(view, raw);
  }
  table.flush();
  return sink.lines;
}

// The records, their content and their order do not depend on how many shards the flows are split into.
TEST(FlowShards, OutputIsIdenticalWhateverTheShardCount) {
  // Many short flows ending by timeout, reuse and close, interleaved: a scan, a SYN flood, SSH guessing.
  for (const char* name : {"chrissanders-synscan.pcapng", "zeek-sshguess.pcap", "ppp-many-protocols.pcap",
                           "stopddos-synflood-spoofed.pcap", "ndpi-alexa-app.pcapng", "ppp-example.pcap"}) {
    SCOPED_TRACE(name);
    std::vector<std::string> paths{trawl::testing::shared_pcap(name)};
    auto one = flows(paths, 1);
    ASSERT_GT(one.size(), 10u);
    EXPECT_EQ(flows(paths, 2), one);
    EXPECT_EQ(flows(paths, 7), one);
    // Short timeouts make most flows end mid-capture, by the periodic sweep or by their own next packet.
    FlowTimeouts quick;
    quick.tcp_ns = quick.udp_ns = quick.icmp_ns = quick.other_ns = 2'000'000'000;
    auto quick_one = flows(paths, 1, quick);
    EXPECT_EQ(flows(paths, 5, quick), quick_one);
  }
}

// Records come out ordered by when the flow ended, then by its first packet.
TEST(FlowShards, RecordsAreOrderedByEndThenStart) {
  capture::CaptureSet set({trawl::testing::shared_pcap("zeek-sshguess.pcap")});
  packet::Decoder decoder;
  struct Ends : FlowSink {
    std::vector<std::pair<int64_t, int64_t>> keys;
    void on_flow_end(ConnRecord&& r) override { keys.emplace_back(r.end_ns, r.ts_first_ns); }
  } sink;
  FlowShards table(sink, 3);
  capture::RawPacket raw;
  packet::PacketView view;
  while (set.next(raw)) {
    decoder.decode(raw, view);
    table.add(view, raw);
  }
  table.flush();
  ASSERT_GT(sink.keys.size(), 10u);
  EXPECT_TRUE(std::is_sorted(sink.keys.begin(), sink.keys.end()));
  EXPECT_LT(sink.keys.front().first, kEndOfInput);  // some flows ended before the end of input
}

}  // namespace
}  // namespace trawl::flow
