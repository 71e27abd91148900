// libFuzzer target for the POP3 analyzer (see proto/stream_fuzz.h).
#include "proto/pop3/pop3_analyzer.h"
#include "proto/stream_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return trawl::proto::fuzz_stream_analyzer(trawl::proto::pop3::kPop3Analyzer, data, size);
}
