// libFuzzer target for the SMB analyzer (see proto/stream_fuzz.h).
#include "proto/smb/smb_analyzer.h"
#include "proto/stream_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return trawl::proto::fuzz_stream_analyzer(trawl::proto::kSmbAnalyzer, data, size);
}
