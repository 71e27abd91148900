// libFuzzer target: random bytes split at random points between the two directions, with gaps and an
// early end; also the probe and the login helpers on the raw input.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "proto/http/http_analyzer.h"
#include "proto/http/http_login.h"

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
  auto a = kHttpAnalyzer.make_stream(ctx);
  (void)http::probe(std::span<const uint8_t>(data, size), Dir::kOrig);
  (void)http::probe(std::span<const uint8_t>(data, size), Dir::kResp);
  std::string_view text(reinterpret_cast<const char*>(data), size);
  http::Credentials c;
  (void)http::form_credentials(text, size % 2 == 0, c);
  (void)http::decode_body_prefix(size % 3 ? "gzip" : "deflate", text, 4096);
  PacketRef at;
  size_t i = 0;
  // Control byte per chunk: low 7 bits the chunk length, top bit the direction; 0xFF is a gap.
  while (i < size) {
    uint8_t ctl = data[i++];
    if (ctl == 0xFF || ctl == 0x7F) {
      a->on_gap(ctl == 0xFF ? Dir::kOrig : Dir::kResp, 7, at);
      continue;
    }
    size_t len = ctl & 0x7F;
    if (len == 0x7E) len = 4096;
    len = len < size - i ? len : size - i;
    a->on_data(ctl & 0x80 ? Dir::kResp : Dir::kOrig, std::span<const uint8_t>(data + i, len), at);
    ++at.frame;
    i += len;
  }
  a->on_end(at);
  return 0;
}
