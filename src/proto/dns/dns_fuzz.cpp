// libFuzzer target: random bytes as DNS datagrams and as a DNS-over-TCP stream split at random points,
// records written to a JSON writer so every field is exercised.
#include "proto/dns/dns_analyzer.h"
#include "proto/stream_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  trawl::proto::AnalyzerContext ctx;
  ctx.sink = &trawl::proto::fuzz_record_writer();
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
