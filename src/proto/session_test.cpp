#include "proto/session.h"

#include <string_view>

#include <gtest/gtest.h>

namespace trawl::proto {
namespace {

std::span<const uint8_t> bytes(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

std::string_view name_of(const AnalyzerInfo* info) { return info ? info->name : "none"; }

// The examples: protocols found by content on ports that are not theirs.
TEST(Identify, ContentWinsOverPort) {
  EXPECT_EQ(name_of(identify(6, 7000, bytes("GET /search?q=1 HTTP/1.1\r\nHost: x\r\n\r\n"), {}, false)), "http");
  EXPECT_EQ(name_of(identify(6, 8080, bytes("POST /login HTTP/1.0\r\n"), {}, false)), "http");
  EXPECT_EQ(name_of(identify(6, 2525, {}, bytes("220 mail.example.test ESMTP Postfix\r\n"), false)), "smtp");
  EXPECT_EQ(name_of(identify(6, 80, {}, bytes("SSH-2.0-OpenSSH_9.2p1\r\n"), false)), "ssh");
  // A TLS ClientHello record header on an unusual port.
  const uint8_t hello[] = {0x16, 0x03, 0x01, 0x00, 0x2e, 0x01, 0x00, 0x00, 0x2a, 0x03, 0x03, 0, 0, 0, 0, 0, 0, 0,
                           0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0, 0, 0, 0, 0, 0, 0, 0,
                           0,    0,    0,    0,    0,    0,    0,    0,    0x00, 0x00, 0x02, 0x13, 0x01, 0x01, 0x00};
  EXPECT_EQ(name_of(identify(6, 50000, std::span<const uint8_t>(hello), {}, true)), "tls");
}

TEST(Identify, PortOnlyBreaksTies) {
  // The same DNS query is DNS on 53 and mDNS on 5353.
  const uint8_t query[] = {0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 'w', 'w',
                           'w',  0x04, 't',  'e',  's',  't',  0x00, 0x00, 0x01, 0x00, 0x01};
  EXPECT_EQ(name_of(identify(17, 53, std::span<const uint8_t>(query), {}, true)), "dns");
  EXPECT_EQ(name_of(identify(17, 5353, std::span<const uint8_t>(query), {}, true)), "mdns");
}

TEST(Identify, UnknownBytesAreNothingEvenOnAWellKnownPort) {
  EXPECT_EQ(identify(6, 80, bytes("\x8f\x01\x02 binary junk that is no protocol"), {}, true), nullptr);
  EXPECT_EQ(identify(6, 443, {}, {}, true), nullptr);
}

}  // namespace
}  // namespace trawl::proto
