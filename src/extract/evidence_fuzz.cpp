// libFuzzer target: any bytes as analyze's frame index and as alerts.jsonl (trawl extract --alerts reads
// both from a directory a user may have edited). Only std::runtime_error may come out.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>

#include "extract/evidence.h"
#include "extract/frame_index.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    trawl::extract::parse_frame_index(text);
  } catch (const std::runtime_error&) {
  }
  try {
    trawl::extract::select_alert_frames(text, {});
    trawl::extract::select_alert_frames(text, {"scan.tcp_syn/0"});
  } catch (const std::runtime_error&) {
  }
  return 0;
}
