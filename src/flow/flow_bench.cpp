// Microbenchmark of FlowTable::add() per packet on a synthetic mix (not a test): many short TCP
// connections and UDP request/replies among a few thousand hosts. Run: ninja flow_bench && ./flow_bench
#include <chrono>
#include <cstdio>

#include "flow/flow_table.h"

using namespace trawl;

namespace {
struct NullSink : flow::FlowSink {
  uint64_t n = 0;
  void on_flow_end(flow::ConnRecord&&) override { ++n; }
};

packet::PacketView view(uint32_t src, uint32_t dst, uint8_t proto, uint16_t sp, uint16_t dp, uint8_t flags,
                        uint32_t seq, uint32_t len) {
  packet::PacketView v;
  uint8_t a[4] = {10, uint8_t(src >> 16), uint8_t(src >> 8), uint8_t(src)};
  uint8_t b[4] = {10, uint8_t(dst >> 16), uint8_t(dst >> 8), uint8_t(dst)};
  v.l3 = packet::L3::kIpv4;
  v.src = IpAddress::v4(a);
  v.dst = IpAddress::v4(b);
  v.ip_proto = proto;
  v.l4_offset = 34;
  v.sport = sp;
  v.dport = dp;
  v.tcp_flags = flags;
  v.tcp_seq = seq;
  v.tcp_window = 1000;
  v.payload_wire_len = len;
  v.ip_len = 40 + len;
  return v;
}
}  // namespace

int main() {
  NullSink sink;
  flow::FlowTable table(sink);
  const int kConns = 400'000;
  capture::RawPacket raw;
  raw.ts_ns = 1'600'000'000'000'000'000;
  uint64_t packets = 0;
  auto t0 = std::chrono::steady_clock::now();
  for (int c = 0; c < kConns; ++c) {
    uint32_t cl = 1 + c % 5000, sv = 100000 + c % 50;
    uint16_t sp = uint16_t(1024 + c % 60000);
    auto add = [&](const packet::PacketView& v) {
      raw.ts_ns += 20'000;
      raw.frame++;
      table.add(v, raw);
      ++packets;
    };
    if (c % 4 == 0) {
      add(view(cl, sv, 17, sp, 53, 0, 0, 40));
      add(view(sv, cl, 17, 53, sp, 0, 0, 120));
      continue;
    }
    add(view(cl, sv, 6, sp, 80, packet::kSyn, 1000, 0));
    add(view(sv, cl, 6, 80, sp, packet::kSyn | packet::kAck, 5000, 0));
    add(view(cl, sv, 6, sp, 80, packet::kAck, 1001, 0));
    for (int k = 0; k < 6; ++k) {
      add(view(cl, sv, 6, sp, 80, packet::kAck | packet::kPsh, 1001 + 100 * k, 100));
      add(view(sv, cl, 6, 80, sp, packet::kAck, 5001, 0));
    }
    add(view(cl, sv, 6, sp, 80, packet::kFin | packet::kAck, 1601, 0));
    add(view(sv, cl, 6, 80, sp, packet::kFin | packet::kAck, 5001, 0));
  }
  table.flush();
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%llu packets, %llu flows, peak %llu active: %.1f ns/packet\n", (unsigned long long)packets,
              (unsigned long long)sink.n, (unsigned long long)table.stats().flows_active_peak, s * 1e9 / packets);
}
