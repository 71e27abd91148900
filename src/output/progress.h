// ProgressBar: "bytes done of total, rate, ETA" on stderr, redrawn at most every 200 ms.
// Disabled when stderr is not a terminal or when the user asked for --quiet.
#pragma once

#include <chrono>
#include <cstdint>

namespace trawl::output {

class ProgressBar {
 public:
  ProgressBar(uint64_t total_bytes, bool enabled);
  ~ProgressBar();
  // Cheap enough to call per packet: it looks at the clock only every 4096 calls.
  // done_bytes() is asked only when the bar may be redrawn (summing the readers' counts per packet is a
  // visible cost on a large capture).
  template <typename DoneBytes>
  void update(DoneBytes&& done_bytes) {
    if (enabled_ && (++calls_ & 4095) == 0) maybe_draw(done_bytes());
  }
  void finish();  // erases the bar

  static bool stderr_is_terminal();

 private:
  void maybe_draw(uint64_t done_bytes);
  uint64_t total_;
  bool enabled_;
  bool drawn_ = false;
  uint64_t calls_ = 0;
  std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace trawl::output
