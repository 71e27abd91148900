// libFuzzer target for the MSSQL (TDS) analyzer (see proto/stream_fuzz.h).
#include "proto/mssql/mssql_analyzer.h"
#include "proto/stream_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return trawl::proto::fuzz_stream_analyzer(trawl::proto::mssql::kMssqlAnalyzer, data, size);
}
