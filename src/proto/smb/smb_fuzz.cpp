// libFuzzer target: random bytes, split at random points between the two directions, with gaps.
#include <cstddef>
#include <cstdint>
#include <span>

#include "proto/smb/smb_analyzer.h"

namespace {
class NullSink final : public trawl::proto::RecordSink {
 public:
  void emit(const trawl::proto::Record&) override {}
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace trawl::proto;
  NullSink sink;
  AnalyzerContext ctx;
  ctx.sink = &sink;
  auto a = kSmbAnalyzer.make_stream(ctx);
  (void)smb::probe(std::span<const uint8_t>(data, size), Dir::kOrig);
  PacketRef at;
  size_t i = 0;
  // Control byte per chunk: low 7 bits the chunk length, top bit the direction; 0xFF is a gap.
  while (i < size) {
    uint8_t ctl = data[i++];
    if (ctl == 0xFF) {
      a->on_gap(Dir::kOrig, 7, at);
      continue;
    }
    size_t len = ctl & 0x7F;
    if (len == 0x7F) len = 4096;
    len = len < size - i ? len : size - i;
    a->on_data(ctl & 0x80 ? Dir::kResp : Dir::kOrig, std::span<const uint8_t>(data + i, len), at);
    ++at.frame;
    i += len;
  }
  a->on_end(at);
  return 0;
}
