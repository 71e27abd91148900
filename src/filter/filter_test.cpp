// Display filters: errors point at the right column, and on real captures the frames a filter selects
// equal tshark's (`tshark -r F -Y EXPR -T fields -e frame.number`, run inside the test).
#include "filter/filter.h"

#include <gtest/gtest.h>

#include <sstream>

#include "support/testing.h"

namespace trawl::filter {
namespace {

size_t error_column(const std::string& text) {
  try {
    Filter f(text);
  } catch (const FilterError& e) {
    return e.column();
  }
  ADD_FAILURE() << "no error for: " << text;
  return size_t(-1);
}

std::string error_text(const std::string& text) {
  try {
    Filter f(text);
  } catch (const FilterError& e) {
    return e.what();
  }
  return "";
}

TEST(FilterErrors, PointAtTheMistake) {
  EXPECT_EQ(error_column("ip.adr == 1.2.3.4"), 0u);
  EXPECT_NE(error_text("ip.adr == 1.2.3.4").find("ip.addr"), std::string::npos);  // nearest names offered
  EXPECT_EQ(error_column("tcp.port == 1.2.3.4"), 12u);                           // not an integer
  EXPECT_EQ(error_column("ip.addr == 10.0.0.0/33"), 11u);
  EXPECT_EQ(error_column("tcp.port == 80 and"), 18u);                              // nothing after and
  EXPECT_EQ(error_column("(tcp"), 4u);
  EXPECT_EQ(error_column("tcp.port == 80 udp"), 15u);
  EXPECT_EQ(error_column("http.host == \"x"), 13u);                                // unterminated (after the field check)
  EXPECT_EQ(error_column("eth.src == 00:11:22"), 11u);                             // a MAC needs 6 bytes
  EXPECT_EQ(error_column("tcp.port[0:1] == 3"), 0u);                               // integers cannot be sliced
  EXPECT_EQ(error_column("frame matches \"(\""), 14u);
  EXPECT_EQ(error_column(""), 0u);
  EXPECT_EQ(error_column("ip.src # 3"), 7u);
  EXPECT_EQ(describe_error("ip.adr == 1", FilterError("unknown field", 0)), "unknown field\n  ip.adr == 1\n  ^");
}

// The shared captures each expression runs on (a few per family, so the suite stays quick).
const char* const kFiles[] = {
    "ppp-example.pcap",           "zeek-http-bro-org.pcap",        "chrissanders-synscan.pcapng",
    "sgr-udp-scan.pcap",          "zeek-mixed-vlan-mpls.pcap",     "zeek-arp-who-has.pcap",
    "ppp-dns-packets.pcap",       "chrissanders-icmp-traceroute.pcapng", "zeek-ftp-ipv6.pcap",
    "zeek-erspan.pcap",           "ppp-ip4-fragments.pcap",        "sgr-icmp-scan.pcap",
};

const char* const kExpressions[] = {
    // presence of protocols and fields
    "tcp", "udp", "ip", "ipv6", "arp", "icmp", "icmpv6", "eth", "vlan", "frame", "!tcp", "tcp.flags.urg",
    // comparisons and their spellings
    "tcp.port == 80", "tcp.port eq 80", "tcp.dstport != 80", "tcp.srcport ne 80", "tcp.port === 80",
    "tcp.port !== 80", "udp.port == 53", "udp.srcport >= 1024", "udp.dstport < 1024", "frame.len > 1000",
    "frame.len le 60", "frame.cap_len gt 100", "ip.ttl == 64", "ip.ttl < 64", "ip.proto == 17",
    "ip.id == 0", "ip.len >= 1500", "ipv6.hlim == 255", "ipv6.nxt == 58", "tcp.window_size_value == 0",
    "tcp.len > 0", "tcp.len == 0 and tcp.flags.syn == 0", "udp.length == 8 or udp.length > 512",
    // addresses, CIDR, MACs, slices
    "ip.addr == 192.168.1.1", "ip.src == 10.0.0.0/8", "ip.dst == 192.168.0.0/16", "ip.addr != 192.168.0.0/16",
    "ipv6.addr == 2001:db8::/32", "ipv6.src == fe80::/10", "eth.dst == ff:ff:ff:ff:ff:ff", "eth.src[0:3] == 00:0c:29",
    "eth.addr[0] & 1", "eth.type == 0x0800", "eth.type == 0x8100", "vlan.id == 10", "vlan.id in {1..100}",
    "arp.opcode == 1", "arp.src.proto_ipv4 == 192.168.0.0/16", "arp.dst.proto_ipv4 != 0.0.0.0",
    // flags, bit tests, sets, ranges
    "tcp.flags == 0x02", "tcp.flags == 0x12", "tcp.flags & 0x04", "tcp.flags.syn == 1 and tcp.flags.ack == 0",
    "tcp.flags.reset == 1", "tcp.flags.fin == 1 || tcp.flags.push == 1", "tcp.port in {80 443 8080}",
    "tcp.port in {1..1024}", "udp.port in {53, 123, 137..139}", "icmp.type == 8", "icmp.type in {0 8}",
    "icmp.type == 3 and icmp.code == 3", "icmpv6.type == 135", "tcp.seq_raw > 2000000000",
    // logic and precedence
    "tcp and not tcp.port == 80", "not (tcp or udp)", "tcp xor ip.proto == 6", "udp ^^ icmp",
    "ip.ttl == 64 && tcp.port == 80 || udp", "!(ip.src == 10.0.0.0/8) and ip", "tcp or udp and icmp",
    // contains and matches
    "tcp contains \"GET\"", "frame contains \"HTTP/1.1\"", "udp contains 00:01", "frame matches \"(?i)host: \"",
    "tcp matches \"^GET /[a-z]\"", "eth.src contains 0c:29",
    // time
    "frame.time_relative < 1", "frame.time_relative >= 0.5", "frame.number in {1..10}", "frame.number == 3 or frame.number == 7",
};

std::string frames(const std::string& command) {
  auto r = testing::run(command);
  EXPECT_EQ(r.exit_code, 0) << command << "\n" << r.err;
  return r.out;
}

class FilterVsTshark : public ::testing::TestWithParam<const char*> {};

TEST_P(FilterVsTshark, SameFrames) {
  if (!testing::have_tool("tshark")) GTEST_SKIP() << "tshark not installed";
  const std::string expr = GetParam();
  size_t nonempty = 0;
  for (const char* file : kFiles) {
    std::string path = testing::shared_pcap(file);
    std::string want = frames("tshark -n -r " + testing::shell_quote(path) + " -Y " + testing::shell_quote(expr) +
                              " -T fields -e frame.number 2>/dev/null");
    std::string got = frames(testing::shell_quote(testing::trawl_binary()) + " packets -q --format csv -Y " +
                             testing::shell_quote(expr) + " " + testing::shell_quote(path) +
                             " | awk -F, 'NR>1{print $NF}'");
    EXPECT_EQ(got, want) << expr << " on " << file;
    nonempty += !want.empty();
  }
  // A filter that matches nothing anywhere proves little; every expression here matches somewhere.
  EXPECT_GT(nonempty, 0u) << expr << " matched no frame in any file";
}

INSTANTIATE_TEST_SUITE_P(Expressions, FilterVsTshark, ::testing::ValuesIn(kExpressions));

}  // namespace
}  // namespace trawl::filter
