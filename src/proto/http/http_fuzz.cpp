// libFuzzer target for the HTTP analyzer (see proto/stream_fuzz.h); also the login helpers on the raw input.
#include <string_view>

#include "proto/http/http_analyzer.h"
#include "proto/http/http_login.h"
#include "proto/stream_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace trawl::proto;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  http::Credentials c;
  (void)http::form_credentials(text, size % 2 == 0, c);
  (void)http::decode_body_prefix(size % 3 ? "gzip" : "deflate", text, 4096);
  return fuzz_stream_analyzer(kHttpAnalyzer, data, size);
}
