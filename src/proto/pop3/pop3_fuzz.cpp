// libFuzzer target: random bytes, split into client and server chunks at random points, through the POP3
// analyzer, records written to a JSON writer so every field is exercised.
#include <cstdio>

#include "proto/pop3/pop3_analyzer.h"

namespace {
struct WriteSink final : trawl::proto::RecordSink {
  void emit(const trawl::proto::Record& r) override {
    std::FILE* null = std::fopen("/dev/null", "w");
    {
      trawl::output::TableWriter w(null, trawl::output::Format::kJsonl, r.type().columns);
      r.write(w, {});
      w.finish();
    }
    std::fclose(null);
  }
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  WriteSink sink;
  trawl::proto::AnalyzerContext ctx;
  ctx.sink = &sink;
  trawl::proto::pop3::Pop3Analyzer a(ctx);
  trawl::proto::PacketRef at;
  // Each chunk: 1 control byte (direction, gap flag, length), then up to 63 bytes.
  size_t i = 0;
  while (i < size) {
    uint8_t c = data[i++];
    size_t n = std::min<size_t>(c & 0x3f, size - i);
    auto dir = c & 0x80 ? trawl::proto::Dir::kResp : trawl::proto::Dir::kOrig;
    if ((c & 0x40) && n == 0) a.on_gap(dir, 10, at);
    else a.on_data(dir, {data + i, n}, at);
    i += n;
    ++at.frame;
  }
  a.on_end(at);
  return 0;
}
