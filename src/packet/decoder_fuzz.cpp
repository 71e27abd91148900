// libFuzzer target: the first byte picks a link type, the rest is one packet. Every input is also fed a
// second time with a later timestamp to a long-lived decoder, so fragments from earlier inputs meet and
// the reassembler's bookkeeping (eviction, timeouts, overlap) is exercised across inputs.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "packet/decoder.h"

namespace {
constexpr uint16_t kLinks[] = {1, 113, 276, 101, 12, 14, 228, 229, 0, 108, 147};
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Small limits so that memory eviction and timeouts happen within a run.
  static trawl::packet::Decoder dec({/*timeout_ns=*/1000, /*max_bytes=*/8192, /*max_datagram=*/65575,
                                     /*max_pending=*/16});
  static int64_t ts = 0;
  if (size < 1) return 0;
  const uint16_t link = kLinks[data[0] % (sizeof(kLinks) / sizeof(kLinks[0]))];
  // A copy of exactly the packet's size, so ASan catches any read past caplen.
  std::vector<uint8_t> pkt(data + 1, data + size);
  trawl::capture::RawPacket raw;
  raw.linktype = link;
  raw.caplen = raw.wirelen = uint32_t(pkt.size());
  raw.data = pkt.data();
  trawl::packet::PacketView v;
  for (int i = 0; i < 2; ++i) {
    raw.ts_ns = ts += 100;
    dec.decode(raw, v);
    // Touch every byte the view claims to describe.
    volatile uint8_t sink = 0;
    if (v.payload_len) {
      const uint8_t* p = v.payload();
      for (uint32_t k = 0; k < v.payload_len; ++k) sink = sink + p[k];
      if (v.payload_offset + v.payload_len > v.caplen) __builtin_trap();
    }
    if (v.l4_offset > v.caplen || v.l3_offset > v.caplen) __builtin_trap();
  }
  return 0;
}
