// libFuzzer target: random bytes as DNS datagrams and as a DNS-over-TCP stream split at random points,
// records written to a JSON writer so every field is exercised.
#include <cstdio>

#include "proto/dns/dns_analyzer.h"

namespace {
struct WriteSink final : trawl::proto::RecordSink {
  std::FILE* null = std::fopen("/dev/null", "w");
  ~WriteSink() override { std::fclose(null); }
  void emit(const trawl::proto::Record& r) override {
    trawl::output::TableWriter w(null, trawl::output::Format::kJsonl, r.type().columns);
    r.write(w, {});
    w.finish();
  }
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static WriteSink sink;
  trawl::proto::AnalyzerContext ctx;
  ctx.sink = &sink;
  trawl::proto::dns::DnsUdpAnalyzer udp(ctx, "dns");
  trawl::proto::dns::DnsTcpAnalyzer tcp(ctx);
  trawl::proto::PacketRef at;
  // Each chunk: 1 control byte (direction, gap flag, length), then up to 127 bytes.
  size_t i = 0;
  while (i < size) {
    uint8_t c = data[i++];
    size_t n = std::min<size_t>(c & 0x3f, size - i) * 2;
    n = std::min(n, size - i);
    auto dir = c & 0x80 ? trawl::proto::Dir::kResp : trawl::proto::Dir::kOrig;
    udp.on_datagram(dir, {data + i, n}, at);
    if ((c & 0x40) && n == 0) tcp.on_gap(dir, 10, at);
    else tcp.on_data(dir, {data + i, n}, at);
    i += n;
    ++at.frame;
    at.ts_ns += 1000;
  }
  udp.on_end(at);
  tcp.on_end(at);
  trawl::proto::dns::Message m;
  trawl::proto::dns::parse_message({data, size}, m);
  trawl::proto::dns::plausible_message({data, size});
  return 0;
}
