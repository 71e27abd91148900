// libFuzzer target: the input is a script of segments, ACKs, FINs and flushes for the two directions of
// one connection sharing a small budget. Payloads are cut from a fixed "true" byte sequence (a function
// of the sequence number), so every byte delivered must equal the truth at its position unless the script
// sent a conflicting copy; the limits and the budget are checked after every step.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "flow/tcp_reassembler.h"

namespace {

using trawl::flow::ReassemblyBudget;
using trawl::flow::SegmentOrigin;
using trawl::flow::StreamConsumer;
using trawl::flow::TcpReassembler;

uint8_t truth(uint32_t seq) { return uint8_t((seq * 2654435761u) >> 24); }

struct Checker : StreamConsumer {
  uint32_t base = 0;       // sequence number of stream offset 0
  uint64_t position = 0;   // stream offset of the next byte
  bool tainted = false;    // a conflicting copy was sent: bytes may differ from the truth
  uint64_t delivered = 0, missing = 0;
  void on_data(std::span<const uint8_t> b, const SegmentOrigin&) override {
    if (b.empty()) __builtin_trap();  // empty deliveries are useless calls
    for (size_t i = 0; i < b.size(); ++i) {
      if (!tainted && b[i] != truth(base + uint32_t(position + i))) __builtin_trap();
    }
    position += b.size();
    delivered += b.size();
  }
  void on_gap(uint64_t n, const SegmentOrigin&) override {
    if (n == 0) __builtin_trap();
    position += n;
    missing += n;
  }
};

struct Reader {
  const uint8_t* p;
  size_t n;
  uint8_t u8() { return n ? (--n, *p++) : 0; }
  uint16_t u16() { return uint16_t(u8() | u8() << 8); }
  uint32_t u32() { return uint32_t(u16() | uint32_t(u16()) << 16); }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Reader in{data, size};
  ReassemblyBudget budget;
  budget.limit = 1 + in.u16() % 6000;
  const TcpReassembler::Limits limits{uint32_t(1 + in.u16() % 4000), uint32_t(1 + in.u8() % 32)};
  // The ISN is near 2^32 often, so that wraparound is exercised.
  const uint32_t isn = (in.u8() & 1) ? 0xffffffffu - in.u16() : in.u32();
  auto r = std::vector<TcpReassembler*>{new TcpReassembler(budget, limits), new TcpReassembler(budget, limits)};
  Checker c[2];
  std::vector<uint8_t> payload;
  SegmentOrigin at;
  while (in.n) {
    const uint8_t op = in.u8();
    const int d = op & 1;
    at.frame++;
    const bool was_started = r[d]->started();
    switch ((op >> 1) % 6) {
      case 0:
      case 1: {  // a segment cut from the truth; sometimes cut by the snaplen, sometimes conflicting
        const uint8_t flags = in.u8();
        const uint32_t seq = isn + uint32_t(int32_t(int16_t(in.u16())));
        const uint32_t len = in.u16() % 3000;
        uint32_t captured = len;
        if (flags & 4) captured = len ? in.u16() % (len + 1) : 0;
        payload.resize(captured);
        const bool syn = flags & 1, fin = flags & 2;
        const uint32_t first = syn ? seq + 1 : seq;
        for (uint32_t i = 0; i < captured; ++i) payload[i] = truth(first + i);
        if ((flags & 8) && captured) {
          payload[in.u16() % captured] ^= 0x5a;
          c[d].tainted = true;
        }
        // The stream starts with a SYN or with the first segment that has data or FIN (mid-stream).
        if (!was_started && (syn || fin || len)) c[d].base = first;
        r[d]->add(seq, syn, fin, payload, len, at, c[d]);
        if (r[d]->started() != (was_started || syn || fin || len)) __builtin_trap();
        break;
      }
      case 2:
        r[d]->acked(isn + uint32_t(int32_t(int16_t(in.u16()))), at, c[d]);
        break;
      case 3:
        r[d]->acked(in.u32(), at, c[d]);  // anything at all
        break;
      case 4: {  // a segment at any sequence number (bogus, far, old)
        const uint32_t seq = in.u32();
        payload.assign(in.u8(), 0xee);
        c[d].tainted = true;
        const bool fin = in.u8() & 1;
        if (!was_started && (fin || !payload.empty())) c[d].base = seq;
        r[d]->add(seq, false, fin, payload, uint32_t(payload.size()), at, c[d]);
        break;
      }
      case 5:
        r[d]->flush(at, c[d]);
        if (r[d]->buffered()) __builtin_trap();
        break;
    }
    for (int k = 0; k < 2; ++k) {
      if (r[k]->buffered() > limits.max_buffered) __builtin_trap();
      if (r[k]->stats().delivered != c[k].delivered || r[k]->stats().missing != c[k].missing) __builtin_trap();
      if (r[k]->next_offset() != c[k].position) __builtin_trap();
    }
    if (budget.used > budget.limit) __builtin_trap();
    if (budget.used != r[0]->buffered() + r[1]->buffered()) __builtin_trap();
  }
  delete r[0];
  if (budget.used != r[1]->buffered()) __builtin_trap();
  delete r[1];
  if (budget.used != 0) __builtin_trap();
  return 0;
}
