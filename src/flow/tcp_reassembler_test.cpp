// TcpReassembler on hand-built segments (every rule of the policy in tcp_reassembler.h), and on real
// captures against tshark's own reassembly (`tshark -z follow,tcp,raw,N`).
#include "flow/tcp_reassembler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "capture/capture_set.h"
#include "packet/decoder.h"
#include "support/follow.h"
#include "support/testing.h"

namespace trawl::flow {
namespace {

// "D12", "G5": built by appending (gcc 12 warns falsely on "literal" + std::string).
std::string tagged(char tag, uint64_t n) {
  std::string out(1, tag);
  out += std::to_string(n);
  return out;
}

// What the consumer saw: the bytes, and the events in order ("D<n>" data, "G<n>" gap) to check where gaps
// fall.
struct Collector : StreamConsumer {
  std::string bytes;
  std::vector<std::string> events;
  std::vector<const uint8_t*> pointers;  // first byte of every on_data call
  uint64_t gap_total = 0;
  uint64_t last_frame = 0;
  void on_data(std::span<const uint8_t> b, const SegmentOrigin& at) override {
    bytes.append(reinterpret_cast<const char*>(b.data()), b.size());
    pointers.push_back(b.data());
    // Consecutive data calls are joined so the events do not depend on how pieces were held.
    if (!events.empty() && events.back()[0] == 'D') {
      events.back() = tagged('D', std::stoull(events.back().substr(1)) + b.size());
    } else {
      events.push_back(tagged('D', b.size()));
    }
    last_frame = at.frame;
  }
  void on_gap(uint64_t n, const SegmentOrigin& at) override {
    gap_total += n;
    events.push_back(tagged('G', n));
    last_frame = at.frame;
  }
};

using Events = std::vector<std::string>;

std::span<const uint8_t> bytes_of(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// One direction under test, with a budget of its own unless one is given.
struct Stream {
  ReassemblyBudget own_budget;
  TcpReassembler r;
  Collector c;
  uint64_t frame = 0;
  explicit Stream(TcpReassembler::Limits limits = {}) : r(own_budget, limits) {}
  Stream(ReassemblyBudget& budget, TcpReassembler::Limits limits) : r(budget, limits) {}
  SegmentOrigin next_origin() { return SegmentOrigin{int64_t(++frame) * 1000, 0, frame}; }
  void syn(uint32_t isn) { r.add(isn, true, false, {}, 0, next_origin(), c); }
  void data(uint32_t seq, const std::string& payload, bool fin = false) {
    r.add(seq, false, fin, bytes_of(payload), uint32_t(payload.size()), next_origin(), c);
  }
  void cut(uint32_t seq, const std::string& captured, uint32_t announced) {
    r.add(seq, false, false, bytes_of(captured), announced, next_origin(), c);
  }
  void fin(uint32_t seq) { r.add(seq, false, true, {}, 0, next_origin(), c); }
  void ack(uint32_t a) { r.acked(a, next_origin(), c); }
  void flush() { r.flush(next_origin(), c); }
};

TEST(TcpReassembler, InOrderIsDeliveredFromThePacketsBytes) {
  Stream s;
  s.syn(1000);
  const std::string a = "hello", b = " world";
  s.data(1001, a);
  s.data(1006, b);
  EXPECT_EQ(s.c.bytes, "hello world");
  // Zero copy: each call points into the segment's own bytes.
  ASSERT_EQ(s.c.pointers.size(), 2u);
  EXPECT_EQ(s.c.pointers[0], reinterpret_cast<const uint8_t*>(a.data()));
  EXPECT_EQ(s.c.pointers[1], reinterpret_cast<const uint8_t*>(b.data()));
  EXPECT_EQ(s.r.stats().delivered, 11u);
  EXPECT_EQ(s.r.stats().missing, 0u);
  EXPECT_EQ(s.r.buffered(), 0u);
  EXPECT_EQ(s.c.last_frame, 3u);
}

TEST(TcpReassembler, ReversedOrderIsHeldThenDeliveredWhole) {
  Stream s;
  s.syn(0);           // data starts at sequence number 1
  s.data(8, "ghi");
  s.data(4, "def");  // leaves sequence number 7 missing
  s.data(5, "ef");   // a copy of held bytes
  EXPECT_EQ(s.c.bytes, "");
  EXPECT_EQ(s.r.buffered(), 6u);
  EXPECT_EQ(s.own_budget.used, 6u);
  s.data(1, "abc");
  EXPECT_EQ(s.c.bytes, "abcdef");  // stops at the hole
  s.data(7, "-");
  EXPECT_EQ(s.c.bytes, "abcdef-ghi");
  EXPECT_EQ(s.c.events, (Events{"D10"}));
  EXPECT_EQ(s.r.stats().overlaps, 2u);
  EXPECT_EQ(s.r.stats().overlap_conflicts, 0u);
  EXPECT_EQ(s.r.buffered(), 0u);
  EXPECT_EQ(s.own_budget.used, 0u);
  // The bytes held were delivered with the packet that completed them.
  EXPECT_EQ(s.c.last_frame, 6u);
}

// Four segments that overlap one another, fed in every order: the same bytes come out, and the overlap
// count is the same (the sum of the lengths less the stream's length).
TEST(TcpReassembler, EveryPermutationOfFourSegmentsGivesTheSameBytes) {
  const std::string text = "The quick brown fox jumps";  // 25 bytes
  struct Piece {
    uint32_t off, len;
  };
  const std::array<Piece, 4> pieces{{{0, 7}, {5, 8}, {10, 10}, {18, 7}}};
  std::array<int, 4> order{0, 1, 2, 3};
  int runs = 0;
  do {
    Stream s;
    const uint32_t isn = 0xfffffff8u;  // crosses 2^32 within the data as well
    s.syn(isn);
    for (int i : order) s.data(isn + 1 + pieces[i].off, text.substr(pieces[i].off, pieces[i].len));
    EXPECT_EQ(s.c.bytes, text) << "order " << order[0] << order[1] << order[2] << order[3];
    EXPECT_EQ(s.r.stats().overlaps, 7u + 8 + 10 + 7 - 25);
    EXPECT_EQ(s.r.stats().overlap_conflicts, 0u);
    EXPECT_EQ(s.r.stats().missing, 0u);
    EXPECT_EQ(s.own_budget.used, 0u);
    ++runs;
  } while (std::next_permutation(order.begin(), order.end()));
  EXPECT_EQ(runs, 24);
}

TEST(TcpReassembler, IdenticalRetransmissionIsCountedOnce) {
  Stream s;
  s.syn(100);
  s.data(101, "abcdef");
  s.data(101, "abcdef");  // already delivered
  s.data(110, "xyz");     // held
  s.data(110, "xyz");     // retransmitted while held
  s.data(107, "ghi");
  EXPECT_EQ(s.c.bytes, "abcdefghixyz");
  EXPECT_EQ(s.r.stats().overlaps, 9u);
  EXPECT_EQ(s.r.stats().overlap_conflicts, 0u);
  EXPECT_EQ(s.r.stats().delivered, 12u);
}

TEST(TcpReassembler, ConflictingRetransmissionKeepsTheFirstCopy) {
  Stream s;
  s.syn(100);
  s.data(106, "WORLD");  // held
  s.data(106, "WORLX");  // a later, different copy of held bytes: one conflict
  s.data(101, "helloworld");  // in order, its last five bytes overlap the held ones (all differ)
  EXPECT_EQ(s.c.bytes, "helloWORLD");
  EXPECT_EQ(s.r.stats().overlaps, 10u);
  EXPECT_EQ(s.r.stats().overlap_conflicts, 1u + 5u);
  // Already delivered bytes cannot be compared any more: counted as overlap only.
  s.data(101, "HELLO");
  EXPECT_EQ(s.r.stats().overlaps, 15u);
  EXPECT_EQ(s.r.stats().overlap_conflicts, 6u);
  EXPECT_EQ(s.c.bytes, "helloWORLD");
}

TEST(TcpReassembler, PartialOverlapsFromBothSides) {
  Stream s;
  s.syn(0);
  s.data(11, "KKKKKKKKKK");  // [10,20)
  s.data(6, "lllllLLLLL");   // [5,15): only [5,10) is new
  s.data(16, "RRRRRrrrrr");  // [15,25): only [20,25) is new
  s.data(1, "aaaaa");        // [0,5)
  EXPECT_EQ(s.c.bytes, "aaaaalllllKKKKKKKKKKrrrrr");
  EXPECT_EQ(s.r.stats().overlaps, 10u);
  EXPECT_EQ(s.r.stats().overlap_conflicts, 10u);  // the later copies differ from the held K's
  // A segment that covers a held piece and sticks out on both sides.
  Stream t;
  t.syn(0);
  t.data(6, "MMM");           // [5,8)
  t.data(4, "xxMMMyy");       // [3,10)
  t.data(1, "ab");            // [0,2)
  EXPECT_EQ(t.c.bytes, "ab");
  t.data(3, "c");
  EXPECT_EQ(t.c.bytes, "abcxxMMMyy");
  EXPECT_EQ(t.r.stats().overlaps, 3u);
  EXPECT_EQ(t.r.stats().overlap_conflicts, 0u);
}

TEST(TcpReassembler, SequenceWrapsAround2To32) {
  Stream s;
  s.syn(0xfffffff0u);  // data starts at 0xfffffff1
  s.data(0x00000005u, "after");  // offset 20: held
  s.data(0xfffffff1u, std::string(15, 'a'));  // [0xfffffff1, 0x100000000)
  EXPECT_EQ(s.c.bytes, std::string(15, 'a'));
  s.data(0x00000000u, "01234");
  EXPECT_EQ(s.c.bytes, std::string(15, 'a') + "01234after");
  EXPECT_EQ(s.r.next_offset(), 25u);
  s.ack(0x0000000au);  // acknowledges exactly what was delivered: no gap
  EXPECT_EQ(s.r.stats().missing, 0u);
  // A SYN on the very last sequence number: data begins at 0.
  Stream t;
  t.syn(0xffffffffu);
  t.data(0, "x");
  EXPECT_EQ(t.c.bytes, "x");
  // A stream longer than 4 GiB wraps the sequence space more than once.
  struct Count : StreamConsumer {
    uint64_t data = 0, gaps = 0;
    void on_data(std::span<const uint8_t> b, const SegmentOrigin&) override { data += b.size(); }
    void on_gap(uint64_t n, const SegmentOrigin&) override { gaps += n; }
  } count;
  ReassemblyBudget budget;
  TcpReassembler u(budget, {});
  const std::vector<uint8_t> chunk(1 << 16, 'z');
  u.add(12345, true, false, {}, 0, {}, count);
  uint32_t seq = 12346;
  for (int i = 0; i < 70000; ++i, seq += uint32_t(chunk.size())) u.add(seq, false, false, chunk, 1 << 16, {}, count);
  EXPECT_EQ(count.data, 70000ull << 16);
  const std::vector<uint8_t> five(5, 'a'), one(1, 'b');
  u.add(seq + 5, false, false, one, 1, {}, count);  // out of order after many wraps: held, not taken as old
  EXPECT_EQ(u.buffered(), 1u);
  u.add(seq, false, false, five, 5, {}, count);
  EXPECT_EQ(count.data, (70000ull << 16) + 6);
  EXPECT_EQ(count.gaps, 0u);
  EXPECT_EQ(u.stats().before_start, 0u);
}

TEST(TcpReassembler, SynAnchorsTheStreamAndOldDataIsDropped) {
  Stream s;
  s.syn(500);
  s.syn(500);              // retransmitted SYN
  s.data(490, "0123456789");  // entirely before the ISN
  s.data(498, "..ab");        // straddles it: 498, 499 and 500 (the SYN's own number) are dropped
  EXPECT_EQ(s.r.stats().before_start, 10u + 3u);  // 498, 499 and 500 (the SYN) lie before data
  EXPECT_EQ(s.c.bytes, "b");
  // SYN with data (TCP Fast Open): the payload starts after the SYN's sequence number.
  Stream t;
  t.r.add(7000, true, false, bytes_of("GET"), 3, t.next_origin(), t.c);
  t.data(7004, " /");
  EXPECT_EQ(t.c.bytes, "GET /");
}

TEST(TcpReassembler, MidStreamPickupStartsAtTheFirstSegment) {
  Stream s;
  s.data(5000, "", false);  // a bare ACK anchors nothing (a keep-alive would be one byte early)
  EXPECT_FALSE(s.r.started());
  s.data(5001, "world");   // first data: the stream starts here
  EXPECT_TRUE(s.r.started());
  s.data(4996, "hello");   // before the start: dropped, not a gap
  s.data(4999, "lo wo");   // straddles the start: 2 bytes dropped, 3 overlap
  s.data(5006, "!");
  EXPECT_EQ(s.c.bytes, "world!");
  EXPECT_EQ(s.r.stats().before_start, 5u + 2u);
  EXPECT_EQ(s.r.stats().overlaps, 3u);
  EXPECT_EQ(s.r.stats().missing, 0u);
  // Mid-stream with the first captured segment out of order: it still anchors the stream.
  Stream t;
  t.data(200, "cd");
  t.data(198, "ab");
  EXPECT_EQ(t.c.bytes, "cd");
  EXPECT_EQ(t.r.stats().before_start, 2u);
}

TEST(TcpReassembler, FinEndsTheStream) {
  Stream s;
  s.syn(0);
  s.data(1, "abc");
  s.data(4, "def", /*fin=*/true);
  EXPECT_TRUE(s.r.finished());
  EXPECT_EQ(s.c.bytes, "abcdef");
  s.data(8, "zzz");  // past the FIN (which took number 7): dropped
  s.data(7, "y");
  EXPECT_EQ(s.r.stats().after_fin, 4u);
  s.ack(8);  // acknowledges the FIN: its sequence number is not data, so no gap
  s.flush();
  EXPECT_EQ(s.c.bytes, "abcdef");
  EXPECT_EQ(s.r.stats().missing, 0u);

  // A FIN seen before the last data: held data past it is cut, and the stream finishes when filled.
  Stream t;
  t.syn(0);
  t.data(6, "EFGH");  // [5,9) held
  t.fin(8);           // FIN at 7: ends the data at offset 7
  EXPECT_EQ(t.r.buffered(), 2u);
  EXPECT_EQ(t.r.stats().after_fin, 2u);
  EXPECT_FALSE(t.r.finished());
  t.data(1, "abcde");
  EXPECT_EQ(t.c.bytes, "abcdeEF");
  EXPECT_TRUE(t.r.finished());

  // A FIN beyond the last byte received: flush reports the bytes in between as missing.
  Stream u;
  u.syn(0);
  u.data(1, "ab");
  u.fin(11);
  u.flush();
  EXPECT_EQ(u.c.events, (Events{"D2", "G8"}));
  EXPECT_TRUE(u.r.finished());
}

TEST(TcpReassembler, HoleSkippedWhenThePeerAcksPastIt) {
  Stream s;
  s.syn(1000);
  s.data(1001, std::string(10, 'a'));  // [0,10)
  s.data(1021, std::string(10, 'c'));  // [20,30) held behind a 10-byte hole
  s.data(1036, std::string(4, 'e'));   // [35,39) held behind a 5-byte hole
  s.ack(1011);  // acknowledges what was delivered only: nothing happens
  EXPECT_EQ(s.c.events, (Events{"D10"}));
  s.ack(1031);  // past the first hole: it is lost
  EXPECT_EQ(s.c.events, (Events{"D10", "G10", "D10"}));
  EXPECT_EQ(s.r.stats().missing, 10u);
  EXPECT_EQ(s.r.buffered(), 4u);
  s.ack(1041);  // past the second hole, and past a byte never seen (offset 39)
  EXPECT_EQ(s.c.events, (Events{"D10", "G10", "D10", "G5", "D4", "G1"}));
  EXPECT_EQ(s.r.stats().missing, 16u);
  s.ack(1031);  // an old ACK: nothing
  s.ack(1041 + (1u << 31));  // bogus (far ahead): ignored
  EXPECT_EQ(s.r.stats().missing, 16u);
  s.data(1041, "z");
  EXPECT_EQ(s.c.bytes, std::string(10, 'a') + std::string(10, 'c') + "eeeez");
  EXPECT_EQ(s.own_budget.used, 0u);
}

TEST(TcpReassembler, HoleSkippedWhenMaxBufferedIsExceeded) {
  Stream s(TcpReassembler::Limits{.max_buffered = 100, .max_segments = 4096});
  s.syn(0);
  s.data(1, std::string(10, 'a'));   // [0,10)
  s.data(51, std::string(60, 'b'));  // [50,110) held: 60
  EXPECT_EQ(s.r.buffered(), 60u);
  s.data(121, std::string(50, 'c'));  // [120,170) would hold 110 > 100: skip the hole before 50
  EXPECT_EQ(s.c.events, (Events{"D10", "G40", "D60"}));
  EXPECT_EQ(s.r.stats().limit_hits, 1u);
  EXPECT_EQ(s.r.buffered(), 50u);  // the new segment is held now that there is room
  s.flush();
  EXPECT_EQ(s.c.events, (Events{"D10", "G40", "D60", "G10", "D50"}));
  EXPECT_EQ(s.r.stats().missing, 50u);
  EXPECT_EQ(s.r.stats().delivered, 120u);
  EXPECT_EQ(s.own_budget.limit_hits, 0u);

  // One out-of-order segment bigger than the limit: delivered at once after a gap, without a copy.
  Stream t(TcpReassembler::Limits{.max_buffered = 100, .max_segments = 4096});
  t.syn(0);
  const std::string big(200, 'x');
  t.data(11, big);
  EXPECT_EQ(t.c.events, (Events{"G10", "D200"}));
  EXPECT_EQ(t.c.pointers.back(), reinterpret_cast<const uint8_t*>(big.data()));
  t.data(1, "0123456789");  // the hole's bytes arrive too late: overlap with bytes reported missing
  EXPECT_EQ(t.r.stats().overlaps, 10u);
  EXPECT_EQ(t.c.bytes, big);

  // Too many scattered pieces: the same skip.
  Stream u(TcpReassembler::Limits{.max_buffered = 1000, .max_segments = 2});
  u.syn(0);
  u.data(11, "a");
  u.data(21, "b");
  u.data(23, "c");  // not adjacent to "b": a third piece
  EXPECT_EQ(u.c.events, (Events{"G10", "D1"}));  // only the first hole was skipped
  EXPECT_EQ(u.r.stats().limit_hits, 1u);
  u.data(22, "-");  // fills between "b" and "c"
  u.flush();
  EXPECT_EQ(u.c.events, (Events{"G10", "D1", "G9", "D3"}));
  EXPECT_EQ(u.c.bytes, "ab-c");
}

TEST(TcpReassembler, SharedBudgetAcrossTwoReassemblers) {
  ReassemblyBudget budget;
  budget.limit = 100;
  auto a = std::make_unique<Stream>(budget, TcpReassembler::Limits{});
  Stream b(budget, TcpReassembler::Limits{});
  a->syn(0);
  b.syn(0);
  a->data(11, std::string(80, 'a'));  // held by a
  EXPECT_EQ(budget.used, 80u);
  b.data(11, std::string(30, 'b'));  // 80 + 30 > 100: b cannot hold it; b skips its hole
  EXPECT_LE(budget.used, budget.limit);
  EXPECT_EQ(b.c.events, (Events{"G10", "D30"}));
  EXPECT_EQ(budget.limit_hits, 1u);
  EXPECT_EQ(b.r.stats().limit_hits, 1u);
  b.data(51, std::string(20, 'B'));  // 80 + 20 fits exactly
  EXPECT_EQ(budget.used, 100u);
  b.data(46, std::string(3, 'x'));  // [45,48) does not fit any more: gap before it, delivered uncopied
  EXPECT_EQ(budget.used, 100u);
  EXPECT_EQ(b.c.events, (Events{"G10", "D30", "G5", "D3"}));
  EXPECT_EQ(budget.limit_hits, 2u);
  a.reset();  // the destructor returns a's bytes
  EXPECT_EQ(budget.used, 20u);
  b.flush();
  EXPECT_EQ(b.c.events, (Events{"G10", "D30", "G5", "D3", "G2", "D20"}));
  EXPECT_EQ(budget.used, 0u);
}

TEST(TcpReassembler, SnaplenCutPayloadReportsTheRestAsAGap) {
  Stream s;
  s.syn(0);
  s.cut(1, "abcd", 10);   // [0,4) captured, [4,10) cut
  s.data(11, "klm");
  EXPECT_EQ(s.c.events, (Events{"D4", "G6", "D3"}));
  EXPECT_EQ(s.c.bytes, "abcdklm");
  // Out of order: the cut part is held as a known gap and reported in its place.
  Stream t;
  t.syn(0);
  t.cut(6, "fg", 5);  // [5,7) captured, [7,10) cut
  t.data(11, "KL");
  t.data(1, "abcde");
  EXPECT_EQ(t.c.events, (Events{"D7", "G3", "D2"}));
  EXPECT_EQ(t.r.stats().missing, 3u);
  EXPECT_EQ(t.r.buffered(), 0u);
  // A cut segment whose missing part was already held in full from an earlier copy: the held bytes win.
  Stream u;
  u.syn(0);
  u.data(5, "efgh");  // [4,8)
  u.cut(1, "ab", 8);  // [0,2) captured, [2,8) cut, of which [4,8) is held
  EXPECT_EQ(u.c.events, (Events{"D2", "G2", "D4"}));
}

TEST(TcpReassembler, ZeroLengthSegmentsChangeNothing) {
  Stream s;
  s.syn(0);
  for (uint32_t seq : {0u, 1u, 2u, 100u, 0x80000000u}) s.data(seq, "");
  s.data(1, "ab");
  s.data(2, "");  // keep-alive style, before the next byte
  s.data(3, "cd");
  EXPECT_EQ(s.c.bytes, "abcd");
  EXPECT_EQ(s.r.stats().overlaps, 0u);
  EXPECT_EQ(s.r.stats().before_start, 0u);
  EXPECT_EQ(s.r.stats().far_segments, 0u);
  EXPECT_EQ(s.r.buffered(), 0u);
  EXPECT_EQ(s.c.events, (Events{"D4"}));
}

TEST(TcpReassembler, FlushDeliversEverythingHeldWithItsHoles) {
  Stream s;
  s.syn(0);
  s.data(11, std::string(10, 'b'));  // [10,20)
  s.data(31, std::string(10, 'd'));  // [30,40)
  s.data(21, std::string(5, 'c'));   // [20,25) joins the first piece
  EXPECT_EQ(s.own_budget.used, 25u);
  s.flush();
  EXPECT_EQ(s.c.events, (Events{"G10", "D15", "G5", "D10"}));
  EXPECT_EQ(s.r.stats().missing, 15u);
  EXPECT_EQ(s.own_budget.used, 0u);
  s.flush();  // idempotent
  EXPECT_EQ(s.c.events.size(), 4u);
}

TEST(TcpReassembler, FarFutureSegmentsAreDropped) {
  Stream s;
  s.syn(0);
  s.data(1, "a");
  s.data(2 + (1u << 30) + 1, "bogus");  // more than 2^30 past the next byte
  EXPECT_EQ(s.r.stats().far_segments, 1u);
  EXPECT_EQ(s.r.buffered(), 0u);
  s.data(2 + (1u << 30), "edge");  // exactly 2^30 ahead is still a (held) segment
  EXPECT_EQ(s.r.buffered(), 4u);
  EXPECT_EQ(s.r.stats().far_segments, 1u);
}

// --- Real captures against tshark -------------------------------------------------------------------------

// tshark's follow output marks a hole with a chunk of its own: "[N bytes missing in capture file]" and a
// NUL. Our gaps are written the same way, so the two transcripts compare byte for byte.
std::string missing_marker(uint64_t n) {
  std::string out = tagged('[', n);
  out += " bytes missing in capture file]";
  out += '\0';
  return out;
}

struct DirectionResult : StreamConsumer {
  std::unique_ptr<TcpReassembler> r;
  std::string transcript;  // bytes, with a marker for each gap
  uint64_t delivered = 0, gaps = 0, pending_gap = 0;
  void on_data(std::span<const uint8_t> b, const SegmentOrigin&) override {
    close_gap();
    transcript.append(reinterpret_cast<const char*>(b.data()), b.size());
    delivered += b.size();
  }
  void on_gap(uint64_t n, const SegmentOrigin&) override {
    pending_gap += n;  // adjacent gaps are one hole for tshark
    gaps += n;
  }
  void close_gap() {
    if (pending_gap) transcript += missing_marker(pending_gap);
    pending_gap = 0;
  }
};

std::string endpoint(const IpAddress& a, uint16_t port) {
  std::string out = a.is_v6() ? std::string(1, '[') : std::string();
  out += a.str();
  if (a.is_v6()) out += ']';
  out += ':';
  out += std::to_string(port);
  return out;
}

// Every TCP packet's payload fed to one reassembler per (src, sport, dst, dport); with use_acks, every
// ACK also tells the reverse direction's reassembler what the peer acknowledged.
std::map<std::string, DirectionResult> reassemble(const std::string& path, ReassemblyBudget& budget, bool use_acks) {
  std::map<std::string, DirectionResult> dirs;
  capture::CaptureSet set({path});
  packet::Decoder decoder;
  capture::RawPacket raw;
  packet::PacketView v;
  while (set.next(raw)) {
    if (!decoder.decode(raw, v) || !v.is_tcp()) continue;
    const std::string src = endpoint(v.src, v.sport), dst = endpoint(v.dst, v.dport);
    DirectionResult& d = dirs[src + ">" + dst];
    if (!d.r) d.r = std::make_unique<TcpReassembler>(budget, TcpReassembler::Limits{});
    const SegmentOrigin at{raw.ts_ns, raw.file_index, raw.frame};
    const bool syn = v.tcp_flags & 0x02, fin = v.tcp_flags & 0x01, ack = v.tcp_flags & 0x10;
    d.r->add(v.tcp_seq, syn, fin, {v.payload(), v.payload_len}, v.payload_wire_len, at, d);
    if (use_acks && ack) {
      auto peer = dirs.find(dst + ">" + src);
      if (peer != dirs.end()) peer->second.r->acked(v.tcp_ack, at, peer->second);
    }
  }
  for (auto& [key, d] : dirs) {
    d.r->flush({}, d);
    d.close_gap();
  }
  return dirs;
}

// Where two transcripts part, with the text around it, for a readable failure.
std::string first_difference(const std::string& ours, const std::string& theirs) {
  size_t i = 0;
  while (i < ours.size() && i < theirs.size() && ours[i] == theirs[i]) ++i;
  auto around = [i](const std::string& t) {
    std::string out;
    for (size_t k = i < 40 ? 0 : i - 40; k < std::min(t.size(), i + 60); ++k) {
      out += (t[k] >= 32 && t[k] < 127) ? t[k] : '.';
    }
    return out;
  };
  return "at byte " + std::to_string(i) + "\n  ours:   " + around(ours) + "\n  tshark: " + around(theirs);
}

// Each direction's transcript must equal tshark's follow output for it: the same bytes, and holes of the
// same sizes at the same places.
void compare_with_tshark(const std::string& name, bool use_acks, int min_with_gaps) {
  if (!testing::have_tool("tshark")) GTEST_SKIP() << "tshark not installed";
  const std::string path = testing::shared_pcap(name);
  const auto streams = testing::follow_streams(path);
  ASSERT_FALSE(streams.empty());
  ReassemblyBudget budget;
  auto dirs = reassemble(path, budget, use_acks);
  EXPECT_EQ(budget.used, 0u);  // the flush gave everything back
  int clean = 0, with_gaps = 0;
  uint64_t total = 0;
  std::set<std::string> seen_keys;
  for (const auto& st : streams) {
    for (int dir = 0; dir < 2; ++dir) {
      const std::string key = dir == 0 ? st.node0 + ">" + st.node1 : st.node1 + ">" + st.node0;
      SCOPED_TRACE(name + " " + key);
      ASSERT_TRUE(seen_keys.insert(key).second) << "4-tuple reused: the test keys by 4-tuple only";
      std::string expected;
      for (const auto& c : st.chunks) {
        if (c.dir == dir) expected += c.bytes;
      }
      auto it = dirs.find(key);
      if (it == dirs.end()) {
        EXPECT_TRUE(expected.empty());
        continue;
      }
      const DirectionResult& d = it->second;
      EXPECT_EQ(d.transcript.size(), expected.size());
      EXPECT_TRUE(d.transcript == expected) << "transcript differs from tshark's: " << first_difference(d.transcript, expected);
      EXPECT_EQ(d.r->stats().delivered, d.delivered);
      EXPECT_EQ(d.r->stats().missing, d.gaps);
      (d.gaps ? with_gaps : clean) += 1;
      total += d.delivered;
    }
  }
  EXPECT_GT(clean, 0);
  EXPECT_GE(with_gaps, min_with_gaps);
  std::printf("%s%s: %d directions without gaps, %d with gaps, %llu bytes delivered, compared with tshark\n",
              name.c_str(), use_acks ? " (with acks)" : "", clean, with_gaps, (unsigned long long)total);
}

TEST(TcpReassemblerCapture, BroOrgMatchesTsharkFollow) { compare_with_tshark("zeek-http-bro-org.pcap", false, 1); }
TEST(TcpReassemblerCapture, BroOrgMatchesTsharkFollowWithAcks) {
  compare_with_tshark("zeek-http-bro-org.pcap", true, 1);
}
TEST(TcpReassemblerCapture, PppHttpMatchesTsharkFollow) { compare_with_tshark("ppp-http-packets.pcap", false, 1); }
TEST(TcpReassemblerCapture, PppHttpMatchesTsharkFollowWithAcks) {
  compare_with_tshark("ppp-http-packets.pcap", true, 1);
}

}  // namespace
}  // namespace trawl::flow
