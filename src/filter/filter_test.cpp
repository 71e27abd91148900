// Display filters: errors point at the right column, and on real captures the frames a filter selects
// equal tshark's (`tshark -r F -Y EXPR -T fields -e frame.number`, run inside the test).
#include "filter/filter.h"

#include <gtest/gtest.h>

#include <sstream>

#include "filter/filter_test_support.h"
#include "support/testing.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

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
  EXPECT_EQ(error_column(std::string(300, '(') + "tcp" + std::string(300, ')')), 200u);  // too deep
  EXPECT_EQ(error_column("ip.src # 3"), 7u);
  EXPECT_EQ(describe_error("ip.adr == 1", FilterError("unknown field", 0)), "unknown field\n  ip.adr == 1\n  ^");
}

// Captures by what they hold; each expression runs on the groups that exercise it (tshark starts in about
// 0.4 s, so running every expression on every file would make this test take minutes).
#define ETH "ppp-example.pcap zeek-erspan.pcap ppp-ip4-fragments.pcap "
#define TCP "zeek-http-bro-org.pcap chrissanders-synscan.pcapng "
#define ICMP "chrissanders-icmp-traceroute.pcapng sgr-icmp-scan.pcap "
#define UDP "ppp-dns-packets.pcap sgr-udp-scan.pcap "
#define VLAN "ppp-many-protocols.pcap zeek-mixed-vlan-mpls.pcap zeek-http-qinq.pcap "
#define V6 "zeek-ftp-ipv6.pcap ndpi-alexa-app.pcapng zeek-linux-sll2.pcap "
#define ARP "zeek-arp-who-has.pcap sgr-arp-scan.pcap "
#define SCANS "attacks/scans.pcap "  // under fixtures/: UDP probes answered by port unreachable

struct Case {
  const char* expr;
  const char* files;          // space-separated names in ../shared/pcaps
  const char* tshark_expr = nullptr;  // what tshark 4.0 is given when it lacks trawl's syntax (nullptr: the same)
};

const Case kCases[] = {
    // presence of protocols and fields
    {"tcp", TCP ICMP}, {"udp", UDP ICMP}, {"ip", V6 ETH}, {"ipv6", V6 UDP}, {"arp", ARP ETH},
    {"icmp", ICMP ETH}, {"icmpv6", V6}, {"eth", ETH V6}, {"vlan", VLAN}, {"frame", ARP},
    {"!tcp", TCP ETH}, {"tcp.flags.urg", TCP},
    // comparisons and their spellings
    {"tcp.port == 80", TCP ETH}, {"tcp.port eq 80", TCP}, {"tcp.dstport != 80", TCP ICMP}, {"tcp.srcport ne 80", TCP},
    {"udp.port === 137", ETH UDP}, {"tcp.port !== 80", TCP ICMP}, {"udp.port == 53", UDP ICMP},
    {"udp.srcport >= 1024", UDP}, {"udp.dstport < 1024", UDP ICMP}, {"frame.len > 1000", TCP},
    {"frame.len le 60", TCP ARP}, {"frame.cap_len gt 100", ICMP}, {"ip.ttl == 64", ETH ICMP},
    {"ip.ttl < 64", ETH ICMP}, {"ip.proto == 17", ICMP ETH}, {"ip.id == 0", TCP ICMP},
    {"ip.len >= 1500", ETH TCP}, {"ipv6.hlim == 255", V6}, {"ipv6.nxt == 0", V6}, {"ipv6.nxt == 58", V6},
    {"tcp.window_size_value == 0", TCP}, {"tcp.len > 0", TCP V6},
    {"tcp.seq == 1", TCP ETH}, {"tcp.ack == 1 and tcp.stream == 3", TCP ETH},
    {"tcp.stream in {0..2}", TCP VLAN}, {"frame.protocols contains \"ip:tcp\"", TCP V6},
    {"frame.protocols contains \"vlan\"", VLAN}, {"frame.protocols contains \"icmp:ip:udp\"", UDP SCANS}, {"tcp.len == 0 and tcp.flags.syn == 0", TCP},
    {"udp.length == 8 or udp.length > 512", UDP ETH},
    // addresses, CIDR, MACs, slices
    {"ip.addr == 10.0.0.6", ETH}, {"ip.src == 10.0.0.0/8", ETH ICMP}, {"ip.dst == 192.168.0.0/16", ICMP TCP},
    {"ip.addr != 192.168.0.0/16", ICMP TCP}, {"ipv6.addr == 2001:470::/32", V6}, {"ipv6.src == fe80::/10", V6},
    {"eth.dst == ff:ff:ff:ff:ff:ff", ARP ETH}, {"eth.src[0:3] == 00:0c:29", ETH ARP}, {"eth.addr[0] & 1", ETH ARP},
    {"eth.type == 0x0800", ETH VLAN}, {"eth.type == 0x8100", VLAN}, {"vlan.id == 10", VLAN},
    {"vlan.id in {1..200}", VLAN}, {"arp.opcode == 1", ARP}, {"arp.src.proto_ipv4 == 10.0.0.0/24", ARP},
    {"arp.dst.proto_ipv4 != 0.0.0.0", ARP},
    // flags, bit tests, sets, ranges
    {"tcp.flags == 0x02", TCP}, {"tcp.flags == 0x12", TCP}, {"tcp.flags & 0x04", TCP},
    {"tcp.flags.syn == 1 and tcp.flags.ack == 0", TCP}, {"tcp.flags.reset == 1", TCP},
    {"tcp.flags.fin == 1 || tcp.flags.push == 1", TCP},
    {"tcp.port in {80 443 8080}", TCP ETH, "tcp.port in {80, 443, 8080}"},  // 4.0 wants commas
    {"tcp.port in {1..1024}", TCP}, {"udp.port in {53, 123, 137..139}", UDP ETH}, {"icmp.type == 8", ICMP},
    {"icmp.type in {0 8}", ICMP ETH, "icmp.type in {0, 8}"}, {"icmp.type == 3 and icmp.code == 3", UDP SCANS},
    {"icmpv6.type == 135", V6}, {"icmpv6.type in {128..129}", V6}, {"tcp.seq_raw > 2000000000", TCP},
    // logic and precedence (xor and ^^ are newer than tshark 4.0: compared with their expansion)
    {"tcp and not tcp.port == 80", TCP ETH}, {"not (tcp or udp)", ETH ICMP},
    {"tcp xor ip.proto == 6", V6 ETH, "(tcp or ip.proto == 6) and not (tcp and ip.proto == 6)"},
    {"udp ^^ icmp", ICMP ETH, "(udp or icmp) and not (udp and icmp)"},
    {"ip.ttl == 64 && tcp.port == 80 || udp", ETH}, {"!(ip.src == 10.0.0.0/8) and ip", ETH ICMP},
    {"tcp or udp and icmp", ICMP TCP},
    {"tcp or udp xor icmp and ip.ttl == 64", ICMP ETH, "tcp or ((udp or (icmp and ip.ttl == 64)) and not (udp and (icmp and ip.ttl == 64)))"},
    // contains and matches
    {"tcp contains \"GET\"", TCP}, {"frame contains \"HTTP/1.1\"", TCP ETH}, {"udp contains 00:01", UDP},
    {"frame matches \"(?i)host: \"", TCP}, {"tcp matches \"GET /[a-z]+\\\\.\"", TCP ETH}, {"frame matches \"(?-i)GET /[A-Z]\"", TCP ETH}, {"eth.src contains 0c:29", ETH ARP},
    {"http contains \"GET\"", TCP ETH}, {"dns contains \"google\"", UDP ETH},
    // time
    {"frame.time_relative < 1", TCP}, {"frame.time_relative >= 0.5", ICMP}, {"frame.number in {1..10}", UDP},
    {"frame.number == 3 or frame.number == 7", ARP},
};

std::string frames(const std::string& command) {
  auto r = testing::run(command);
  EXPECT_EQ(r.exit_code, 0) << command << "\n" << r.err;
  return r.out;
}

void PrintTo(const Case& c, std::ostream* os) { *os << c.expr; }

class FilterVsTshark : public ::testing::TestWithParam<Case> {};

TEST_P(FilterVsTshark, SameFrames) {
  if (!testing::have_tool("tshark")) GTEST_SKIP() << "tshark not installed";
  const Case& c = GetParam();
  const std::string tshark_expr = c.tshark_expr ? c.tshark_expr : c.expr;
  size_t nonempty = 0;
  std::istringstream files(c.files);
  for (std::string file; files >> file;) {
    std::string path = file.find('/') == std::string::npos ? testing::shared_pcap(file) : testing::fixtures_dir() + "/" + file;
    std::string want = frames("tshark -n -r " + testing::shell_quote(path) + " -Y " + testing::shell_quote(tshark_expr) +
                              " -T fields -e frame.number");
    std::string got = frames(testing::shell_quote(testing::trawl_binary()) + " packets -q --format csv -Y " +
                             testing::shell_quote(c.expr) + " " + testing::shell_quote(path) +
                             " | awk -F, 'NR>1{print $NF}'");
    EXPECT_EQ(got, want) << c.expr << " on " << file;
    nonempty += !want.empty();
  }
  // A filter that matches nothing anywhere proves little; every expression here matches somewhere.
  EXPECT_GT(nonempty, 0u) << c.expr << " matched no frame in any file";
}

INSTANTIATE_TEST_SUITE_P(Expressions, FilterVsTshark, ::testing::ValuesIn(kCases));

// The fuzz target on every prefix of every filter above and on splices of two of them: parsing stops
// at each possible point, and half-formed filters mix operators, literals and fields.
TEST(FilterFuzzTarget, SurvivesCutAndSplicedFilters) {
  auto feed = [](const std::string& s) {
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  };
  size_t n = std::size(kCases);
  for (size_t i = 0; i < n; ++i) {
    const std::string a = kCases[i].expr, b = kCases[(i * 7 + 3) % n].expr;
    for (size_t cut = 0; cut <= a.size(); ++cut) {
      feed(a.substr(0, cut));
      feed(a.substr(0, cut) + b.substr(std::min(cut, b.size())));
    }
  }
  feed("((((((((((((((((((((tcp))))))))))))))))))))");
  feed(std::string(10000, '('));  // deep nesting must be refused, not overflow the stack
  feed("eth.src[-100:50] == 00 and frame[4294967295:1] == 1 and ip.addr in {1.2.3.4..1.2.3.3}");
}

}  // namespace
}  // namespace trawl::filter
