// libFuzzer target: random bytes, split into client and server chunks at random points (and gaps), through
// the TELNET analyzer; records are written as JSON so every field is exercised.
#include <algorithm>
#include <cstdio>

#include "proto/telnet/telnet_analyzer.h"

namespace {
struct WriteSink final : trawl::proto::RecordSink {
  std::FILE* null = std::fopen("/dev/null", "w");
  ~WriteSink() { std::fclose(null); }
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
  auto a = trawl::proto::telnet::kTelnetAnalyzer.make_stream(ctx);
  trawl::proto::PacketRef at;
  // Each chunk: 1 control byte (direction, gap flag, length), then up to 63 bytes.
  size_t i = 0;
  while (i < size && !a->upgraded_to_tls()) {
    uint8_t c = data[i++];
    size_t n = std::min<size_t>(c & 0x3f, size - i);
    auto dir = c & 0x80 ? trawl::proto::Dir::kResp : trawl::proto::Dir::kOrig;
    if ((c & 0x40) && n == 0) a->on_gap(dir, 10, at);
    else a->on_data(dir, {data + i, n}, at);
    i += n;
    ++at.frame;
  }
  a->on_end(at);
  (void)trawl::proto::telnet::probe({data, std::min<size_t>(size, 512)}, trawl::proto::Dir::kResp);
  return 0;
}
