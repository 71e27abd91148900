// libFuzzer target for the MySQL analyzer (see proto/stream_fuzz.h).
#include "proto/mysql/mysql_analyzer.h"
#include "proto/stream_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return trawl::proto::fuzz_stream_analyzer(trawl::proto::mysql::kMysqlAnalyzer, data, size);
}
