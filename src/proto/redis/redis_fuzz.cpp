// libFuzzer target for the Redis analyzer (see proto/stream_fuzz.h).
#include "proto/redis/redis_analyzer.h"
#include "proto/stream_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return trawl::proto::fuzz_stream_analyzer(trawl::proto::redis::kRedisAnalyzer, data, size);
}
