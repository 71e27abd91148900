#include "output/progress.h"

#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

namespace trawl::output {

namespace {
std::string human_bytes(double b) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  int u = 0;
  while (b >= 1000 && u < 4) {
    b /= 1000;
    ++u;
  }
  return fmt::format("{:.1f} {}", b, units[u]);
}
}  // namespace

bool ProgressBar::stderr_is_terminal() { return isatty(STDERR_FILENO) == 1; }

ProgressBar::ProgressBar(uint64_t total_bytes, bool enabled)
    : total_(total_bytes), enabled_(enabled && total_bytes > 0), start_(std::chrono::steady_clock::now()), last_(start_) {}

ProgressBar::~ProgressBar() { finish(); }

void ProgressBar::maybe_draw(uint64_t done) {
  auto now = std::chrono::steady_clock::now();
  if (now - last_ < std::chrono::milliseconds(200)) return;
  last_ = now;
  double secs = std::chrono::duration<double>(now - start_).count();
  double frac = total_ ? double(done) / double(total_) : 0;
  if (frac > 1) frac = 1;
  double rate = secs > 0 ? double(done) / secs : 0;
  double eta = rate > 0 ? double(total_ - (done < total_ ? done : total_)) / rate : 0;
  constexpr int kWidth = 30;
  int filled = int(frac * kWidth);
  std::string bar(size_t(filled), '#');
  bar.resize(kWidth, '.');
  fmt::print(stderr, "\r[{}] {:5.1f}%  {} / {}  {}/s  ETA {:.0f}s   ", bar, frac * 100, human_bytes(double(done)),
             human_bytes(double(total_)), human_bytes(rate), eta);
  std::fflush(stderr);
  drawn_ = true;
}

void ProgressBar::finish() {
  if (drawn_) {
    fmt::print(stderr, "\r{:80}\r", "");
    std::fflush(stderr);
    drawn_ = false;
  }
}

}  // namespace trawl::output
