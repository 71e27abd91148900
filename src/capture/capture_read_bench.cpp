// capture_read_bench FILE...: reads every packet through CaptureSet and prints GB/s and Mpkt/s.
// A throwaway measuring tool for the reader's fast path (warm page cache), not a test.
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "capture/capture_set.h"

int main(int argc, char** argv) {
  std::vector<std::string> paths(argv + 1, argv + argc);
  for (int round = 0; round < 3; ++round) {
    auto t0 = std::chrono::steady_clock::now();
    trawl::capture::CaptureSet set(paths);
    trawl::capture::RawPacket pkt;
    uint64_t n = 0, bytes = 0, sum = 0;
    while (set.next(pkt)) {
      ++n;
      bytes += pkt.caplen;
      sum += pkt.caplen ? pkt.data[0] : 0;  // touch the data like a decoder would
    }
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("%llu packets, %llu file bytes in %.3f s: %.2f GB/s, %.2f Mpkt/s (checksum %llu)\n",
                (unsigned long long)n, (unsigned long long)set.bytes_total(), s, set.bytes_total() / s / 1e9,
                n / s / 1e6, (unsigned long long)sum);
    for (const auto& i : set.issues()) std::printf("%s\n", i.message().c_str());
  }
}
