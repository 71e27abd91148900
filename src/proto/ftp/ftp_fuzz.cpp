// libFuzzer target for the FTP analyzer (see proto/stream_fuzz.h).
#include "proto/ftp/ftp_analyzer.h"
#include "proto/stream_fuzz.h"

namespace {
// Every announced data connection opens at once, so the data_uid path runs too.
struct OpenAtOnce final : trawl::proto::ExpectedConnections {
  void expect(trawl::proto::ExpectedConnection c, int64_t) override {
    if (c.matched_uid) *c.matched_uid = "Cfuzzdata";
  }
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static OpenAtOnce expected;
  return trawl::proto::fuzz_stream_analyzer(trawl::proto::ftp::kFtpAnalyzer, data, size, &expected);
}
