// Shared body of the stream analyzers' libFuzzer targets: random bytes, split into client and server
// chunks at random points (and gaps), through one analyzer and its probe; records are written as JSON so
// every field's writer runs too. The other proto fuzz targets use its record writer.
#pragma once

#include <algorithm>
#include <cstdio>

#include "proto/registry.h"

namespace trawl::proto {

// The fuzz targets' sink: every record written as JSON to /dev/null, so each column's writer reads what
// the parser left in the record.
inline RecordSink& fuzz_record_writer() {
  struct WriteSink final : RecordSink {
    std::FILE* null = std::fopen("/dev/null", "w");
    ~WriteSink() override { std::fclose(null); }
    void emit(const Record& r) override {
      output::TableWriter w(null, output::Format::kJsonl, r.type().columns);
      r.write(w, {});
      w.finish();
    }
  };
  static WriteSink sink;
  return sink;
}

// expected: where announced connections go (for analyzers that announce them, e.g. FTP), or null.
inline int fuzz_stream_analyzer(const AnalyzerInfo& info, const uint8_t* data, size_t size,
                                ExpectedConnections* expected = nullptr) {
  AnalyzerContext ctx;
  ctx.sink = &fuzz_record_writer();
  ctx.expected = expected;
  auto a = info.make_stream(ctx);
  PacketRef at;
  // Each chunk: 1 control byte (bit 7 direction, bit 6 with length 0 a gap, bits 0-5 length), then the bytes.
  size_t i = 0;
  while (i < size && !a->upgraded_to_tls()) {
    uint8_t c = data[i++];
    size_t n = std::min<size_t>(c & 0x3f, size - i);
    Dir dir = c & 0x80 ? Dir::kResp : Dir::kOrig;
    if ((c & 0x40) && n == 0) a->on_gap(dir, 10, at);
    else a->on_data(dir, {data + i, n}, at);
    i += n;
    ++at.frame;
  }
  a->on_end(at);
  (void)info.probe({data, std::min<size_t>(size, 512)}, Dir::kResp);
  (void)info.probe({data, std::min<size_t>(size, 512)}, Dir::kOrig);
  return 0;
}

}  // namespace trawl::proto
