// libFuzzer target for the RDP analyzer (see proto/stream_fuzz.h).
#include "proto/rdp/rdp_analyzer.h"
#include "proto/stream_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return trawl::proto::fuzz_stream_analyzer(trawl::proto::rdp::kRdpAnalyzer, data, size);
}
