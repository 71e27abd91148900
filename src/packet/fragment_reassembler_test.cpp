// FragmentReassembler through its own API: ordering, overlaps (first copy wins), duplicates, timeouts,
// the memory bound and hostile lengths. The real captures are compared with tshark in
// decoder_golden_test.cpp.
#include "packet/fragment_reassembler.h"

#include <gtest/gtest.h>

#include <numeric>
#include <string>

#include "packet/test_packets.h"
#include "util/bytes.h"

namespace trawl::packet {
namespace {

using test::Bytes;

IpAddress v4(uint8_t last) {
  uint8_t b[4] = {192, 0, 2, last};
  return IpAddress::v4(b);
}

struct Datagram {
  Bytes header = test::ipv4(17, 0, 99);
  Bytes payload;
  explicit Datagram(size_t n) : payload(n) { std::iota(payload.begin(), payload.end(), uint8_t(0)); }
  std::span<const uint8_t> piece(size_t from, size_t n) const { return {payload.data() + from, n}; }
};

std::span<const uint8_t> add(FragmentReassembler& r, const Datagram& d, size_t from, size_t n, bool more,
                             int64_t ts = 0, uint32_t id = 99, uint8_t src = 1) {
  return r.add(ts, v4(src), v4(2), id, 17, d.header, uint32_t(from), d.piece(from, n), more);
}

Bytes payload_of(std::span<const uint8_t> whole) {
  size_t ihl = (whole[0] & 0xf) * 4;
  return Bytes(whole.begin() + ihl, whole.end());
}

TEST(FragmentReassembler, InOrder) {
  FragmentReassembler r;
  Datagram d(64);
  EXPECT_TRUE(add(r, d, 0, 24, true).empty());
  EXPECT_TRUE(add(r, d, 24, 24, true).empty());
  auto whole = add(r, d, 48, 16, false);
  ASSERT_EQ(whole.size(), 84u);
  EXPECT_EQ(payload_of(whole), d.payload);
  EXPECT_EQ(load_be16(whole.data() + 2), 84);  // total length fixed up
  EXPECT_EQ(load_be16(whole.data() + 6), 0);   // MF and offset cleared
  EXPECT_EQ(r.stats().completed, 1u);
  EXPECT_EQ(r.bytes_pending(), 0u);
  EXPECT_EQ(r.datagrams_pending(), 0u);
}

TEST(FragmentReassembler, OutOfOrderAndLastFirst) {
  FragmentReassembler r;
  Datagram d(40);
  EXPECT_TRUE(add(r, d, 32, 8, false).empty());
  EXPECT_TRUE(add(r, d, 8, 16, true).empty());
  EXPECT_TRUE(add(r, d, 24, 8, true).empty());
  auto whole = add(r, d, 0, 8, true);  // the header arrives last
  ASSERT_FALSE(whole.empty());
  EXPECT_EQ(payload_of(whole), d.payload);
}

TEST(FragmentReassembler, OverlapFirstCopyWins) {
  FragmentReassembler r;
  Datagram d(32);
  Datagram forged(32);
  std::fill(forged.payload.begin(), forged.payload.end(), 0xee);
  EXPECT_TRUE(add(r, d, 8, 16, true).empty());       // bytes 8..24 genuine
  EXPECT_TRUE(add(r, forged, 0, 16, true).empty());  // 0..8 new (forged), 8..16 overlap: ignored
  auto whole = add(r, forged, 16, 16, false);        // 16..24 overlap ignored, 24..32 new
  ASSERT_FALSE(whole.empty());
  Bytes p = payload_of(whole);
  for (size_t i = 0; i < 8; ++i) EXPECT_EQ(p[i], 0xee) << i;
  for (size_t i = 8; i < 24; ++i) EXPECT_EQ(p[i], d.payload[i]) << i;
  for (size_t i = 24; i < 32; ++i) EXPECT_EQ(p[i], 0xee) << i;
}

TEST(FragmentReassembler, DuplicatesCompleteOnce) {
  FragmentReassembler r;
  Datagram d(16);
  EXPECT_TRUE(add(r, d, 0, 8, true).empty());
  EXPECT_TRUE(add(r, d, 0, 8, true).empty());
  EXPECT_FALSE(add(r, d, 8, 8, false).empty());
  EXPECT_TRUE(add(r, d, 8, 8, false).empty());  // a late duplicate starts a new, incomplete datagram
  EXPECT_EQ(r.stats().completed, 1u);
  EXPECT_EQ(r.datagrams_pending(), 1u);
}

TEST(FragmentReassembler, SeparateKeys) {
  FragmentReassembler r;
  Datagram d(16);
  EXPECT_TRUE(add(r, d, 0, 8, true, 0, 1).empty());
  EXPECT_TRUE(add(r, d, 8, 8, false, 0, 2).empty());           // other id
  EXPECT_TRUE(add(r, d, 8, 8, false, 0, 1, /*src=*/9).empty());  // other source
  EXPECT_EQ(r.datagrams_pending(), 3u);
  EXPECT_FALSE(add(r, d, 8, 8, false, 0, 1).empty());
}

TEST(FragmentReassembler, TimeoutInCaptureTime) {
  FragmentReassembler r({/*timeout_ns=*/1'000'000'000});
  Datagram d(16);
  EXPECT_TRUE(add(r, d, 0, 8, true, 0).empty());
  r.expire(900'000'000);
  EXPECT_EQ(r.datagrams_pending(), 1u);
  r.expire(1'000'000'001);
  EXPECT_EQ(r.datagrams_pending(), 0u);
  EXPECT_EQ(r.stats().timed_out, 1u);
  EXPECT_EQ(r.bytes_pending(), 0u);
  // The rest arriving after the timeout does not complete it.
  EXPECT_TRUE(add(r, d, 8, 8, false, 1'500'000'000).empty());
  // And a datagram whose timer ran out is dropped even without an expire() call.
  FragmentReassembler r2({1'000'000'000});
  EXPECT_TRUE(add(r2, d, 0, 8, true, 0).empty());
  EXPECT_TRUE(add(r2, d, 8, 8, false, 2'000'000'000).empty());
  EXPECT_EQ(r2.stats().timed_out, 1u);
}

TEST(FragmentReassembler, MemoryLimitEvictsOldest) {
  FragmentLimits lim;
  lim.max_bytes = 300;  // header (20) + payload sizes count
  FragmentReassembler r(lim);
  Datagram d(200);
  EXPECT_TRUE(add(r, d, 0, 100, true, 0, 1).empty());  // 120 bytes
  EXPECT_TRUE(add(r, d, 0, 100, true, 1, 2).empty());  // 240 bytes
  EXPECT_LE(r.bytes_pending(), 300u);
  EXPECT_TRUE(add(r, d, 0, 100, true, 2, 3).empty());  // would be 360: id 1 is evicted
  EXPECT_EQ(r.stats().dropped_memory, 1u);
  EXPECT_EQ(r.datagrams_pending(), 2u);
  EXPECT_LE(r.bytes_pending(), 300u);
  // Completing id 3 needs 100 more bytes: the oldest (id 2) makes room, id 3 completes.
  EXPECT_FALSE(add(r, d, 100, 100, false, 3, 3).empty());
  EXPECT_EQ(r.stats().dropped_memory, 2u);
  EXPECT_EQ(r.bytes_pending(), 0u);
  EXPECT_TRUE(add(r, d, 100, 100, false, 4, 1).empty());  // id 1's first half is gone
  EXPECT_EQ(r.datagrams_pending(), 1u);
  // A single datagram larger than the whole budget is dropped, not kept half.
  FragmentReassembler small({30'000'000'000, 100});
  EXPECT_TRUE(add(small, d, 0, 200, true).empty());
  EXPECT_EQ(small.stats().dropped_memory, 1u);
  EXPECT_EQ(small.bytes_pending(), 0u);
}

TEST(FragmentReassembler, PendingCountLimit) {
  FragmentLimits lim;
  lim.max_pending = 4;
  FragmentReassembler r(lim);
  Datagram d(16);
  for (uint32_t id = 0; id < 10; ++id) add(r, d, 0, 8, true, id, id);
  EXPECT_EQ(r.datagrams_pending(), 4u);
  EXPECT_EQ(r.stats().dropped_memory, 6u);
  EXPECT_FALSE(add(r, d, 8, 8, false, 10, 9).empty());  // the newest survived
}

TEST(FragmentReassembler, HostileLengths) {
  FragmentReassembler r;
  Datagram d(16);
  Bytes big(8);
  // Beyond 65535 bytes for IPv4.
  EXPECT_TRUE(r.add(0, v4(1), v4(2), 5, 17, d.header, 65528, big, true).empty());
  EXPECT_EQ(r.stats().dropped_invalid, 1u);
  // Data beyond the end a last fragment announced.
  EXPECT_TRUE(add(r, d, 8, 8, true, 0, 6).empty());
  EXPECT_TRUE(add(r, d, 0, 8, false, 0, 6).empty());
  EXPECT_EQ(r.stats().dropped_invalid, 2u);
  // Two different ends.
  EXPECT_TRUE(add(r, d, 0, 16, false, 0, 7).empty() == false);  // unfragmented-looking: completes at once
  EXPECT_TRUE(add(r, d, 8, 8, false, 0, 8).empty());
  EXPECT_TRUE(add(r, d, 0, 4, false, 0, 8).empty());
  EXPECT_EQ(r.stats().dropped_invalid, 3u);
  EXPECT_EQ(r.bytes_pending(), 0u);
  // A header shorter than an IP header is refused.
  Bytes short_hdr(10);
  EXPECT_TRUE(r.add(0, v4(1), v4(2), 9, 17, short_hdr, 0, big, true).empty());
  EXPECT_EQ(r.stats().dropped_invalid, 4u);
}

TEST(FragmentReassembler, Ipv6HeaderFixup) {
  FragmentReassembler r;
  Bytes h = test::ipv6(44, 24);
  uint8_t a[16] = {0x20, 1, 0xd, 0xb8}, b[16] = {0x20, 1, 0xd, 0xb8};
  b[15] = 2;
  Bytes p(40, 7);
  EXPECT_TRUE(r.add(0, IpAddress::v6(a), IpAddress::v6(b), 0x12345678, 6, h, 16, {p.data() + 16, 24}, false).empty());
  auto whole = r.add(0, IpAddress::v6(a), IpAddress::v6(b), 0x12345678, 6, h, 0, {p.data(), 16}, true);
  ASSERT_EQ(whole.size(), 80u);
  EXPECT_EQ(load_be16(whole.data() + 4), 40);  // payload length
  EXPECT_EQ(whole[6], 6);                      // next header: the fragmented protocol
}

}  // namespace
}  // namespace trawl::packet
