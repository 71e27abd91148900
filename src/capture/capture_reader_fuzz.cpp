// libFuzzer target: any bytes, as a (possibly compressed) pcap or pcapng in memory, read to the end.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "capture/capture_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace trawl::capture;
  OpenResult r = open_capture_memory({data, size}, 0);
  if (!r.reader) return 0;
  RawPacket pkt;
  uint64_t prev = 0;
  volatile uint8_t sink = 0;
  while (r.reader->next(pkt)) {
    if (pkt.caplen > kMaxCaplen || pkt.frame != prev + 1) __builtin_trap();
    prev = pkt.frame;
    // Touch both ends of the packet so ASan checks the bytes it claims to hold.
    if (pkt.caplen) sink = sink + pkt.data[0] + pkt.data[pkt.caplen - 1];
  }
  (void)sink;
  return 0;
}
