#include "proto/expected_connection_table.h"

#include <gtest/gtest.h>

namespace trawl::proto {
namespace {

constexpr int64_t kSecond = 1'000'000'000;

IpAddress addr(const char* text) { return *IpAddress::parse(text); }

ExpectedConnection data_channel(uint16_t port, std::shared_ptr<std::string> uid = nullptr) {
  return {addr("10.0.0.1"), addr("10.0.0.2"), port, "ftp-data", std::move(uid)};
}

TEST(ExpectedConnectionTable, MatchConsumesAndNamesTheConnection) {
  ExpectedConnectionTable t;
  EXPECT_TRUE(t.empty());
  auto uid = std::make_shared<std::string>();
  t.expect(data_channel(2000, uid), 10 * kSecond);
  EXPECT_FALSE(t.empty());
  // Another responder port, the sides swapped, another originator: no match, nothing consumed.
  EXPECT_EQ(t.match(addr("10.0.0.1"), addr("10.0.0.2"), 2001, "Cx", 11 * kSecond), "");
  EXPECT_EQ(t.match(addr("10.0.0.2"), addr("10.0.0.1"), 2000, "Cx", 11 * kSecond), "");
  EXPECT_EQ(t.match(addr("10.0.0.3"), addr("10.0.0.2"), 2000, "Cx", 11 * kSecond), "");
  EXPECT_TRUE(uid->empty());
  EXPECT_EQ(t.match(addr("10.0.0.1"), addr("10.0.0.2"), 2000, "Cdata", 12 * kSecond), "ftp-data");
  EXPECT_EQ(*uid, "Cdata");
  // Consumed: a second connection to the same port is not a data channel.
  EXPECT_EQ(t.match(addr("10.0.0.1"), addr("10.0.0.2"), 2000, "Cagain", 13 * kSecond), "");
  EXPECT_TRUE(t.empty());
  EXPECT_EQ(t.stats().expected, 1u);
  EXPECT_EQ(t.stats().matched, 1u);
}

TEST(ExpectedConnectionTable, ExpiresAfterItsLifetime) {
  ExpectedConnectionTable t;
  t.expect(data_channel(2000), 0);
  t.expect(data_channel(2001), 100 * kSecond);
  int64_t end_of_first = ExpectedConnectionTable::kLifetimeNs;
  EXPECT_EQ(t.match(addr("10.0.0.1"), addr("10.0.0.2"), 2000, "C1", end_of_first), "");
  EXPECT_EQ(t.stats().expired, 1u);
  EXPECT_EQ(t.size(), 1u);
  EXPECT_EQ(t.match(addr("10.0.0.1"), addr("10.0.0.2"), 2001, "C2", end_of_first + 100 * kSecond - 1), "ftp-data");
  EXPECT_TRUE(t.empty());
}

TEST(ExpectedConnectionTable, ANewerAnnouncementReplacesTheOlder) {
  ExpectedConnectionTable t;
  auto first = std::make_shared<std::string>(), second = std::make_shared<std::string>();
  t.expect(data_channel(2000, first), 0);
  t.expect(data_channel(2000, second), 200 * kSecond);
  EXPECT_EQ(t.size(), 1u);
  // The first announcement's lifetime is over, the second's is not: the stale item must not drop it.
  EXPECT_EQ(t.match(addr("10.0.0.1"), addr("10.0.0.2"), 2000, "C1", 400 * kSecond), "ftp-data");
  EXPECT_TRUE(first->empty());
  EXPECT_EQ(*second, "C1");
}

TEST(ExpectedConnectionTable, HoldsAtMostMaxEntriesDroppingTheOldest) {
  ExpectedConnectionTable t;
  constexpr size_t n = ExpectedConnectionTable::kMaxEntries;
  for (size_t i = 0; i < n + 10; ++i) t.expect(data_channel(uint16_t(1000 + i)), int64_t(i));
  EXPECT_EQ(t.size(), n);
  EXPECT_EQ(t.stats().evicted, 10u);
  int64_t now = int64_t(n + 10);
  EXPECT_EQ(t.match(addr("10.0.0.1"), addr("10.0.0.2"), 1009, "Cold", now), "");
  EXPECT_EQ(t.match(addr("10.0.0.1"), addr("10.0.0.2"), 1010, "Ckept", now), "ftp-data");
  EXPECT_EQ(t.match(addr("10.0.0.1"), addr("10.0.0.2"), uint16_t(1000 + n + 9), "Cnew", now), "ftp-data");
}

TEST(ExpectedConnectionTable, IPv6EndpointsAreDistinctFromIPv4) {
  ExpectedConnectionTable t;
  t.expect({addr("2001:db8::1"), addr("2001:db8::2"), 5000, "ftp-data", nullptr}, 0);
  EXPECT_EQ(t.match(addr("10.0.0.1"), addr("10.0.0.2"), 5000, "C4", 1), "");
  EXPECT_EQ(t.match(addr("2001:db8::1"), addr("2001:db8::2"), 5000, "C6", 1), "ftp-data");
}

}  // namespace
}  // namespace trawl::proto
