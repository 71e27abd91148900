// End-to-end golden tests: the trawl command on every capture of ../shared/pcaps against tshark and
// capinfos, run inside the test so the expectations come from the reference tool, not from trawl.
#include <cctype>
#include <cmath>
#include <array>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "support/testing.h"

namespace trawl::testing {
namespace {

std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

// The corpus files listed in the MANIFEST (read at test-listing time: no tool runs then).
std::vector<std::string> manifest_files() {
  std::vector<std::string> names;
  auto manifest = lines(read_file(shared_pcap("MANIFEST.tsv")));
  for (size_t i = 1; i < manifest.size(); ++i) names.push_back(split(manifest[i], '\t')[0]);
  return names;
}

// One test per corpus capture, so ctest runs them in parallel. Captures capinfos cannot read whole are
// skipped here: the bad-input tests cover them.
class GoldenTshark : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (!have_tool("tshark") || !have_tool("capinfos")) GTEST_SKIP() << "tshark/capinfos not installed";
    auto r = run("capinfos -T -m -r -c " + shell_quote(path()));
    if (r.exit_code == 0) {
      packets_ = std::stoull(split(lines(r.out).back(), ',').back());
      return;
    }
    // A damaged file: capinfos says how many packets it read before the damage, and so must trawl,
    // which then exits with 2.
    auto at = r.err.find("after reading ");
    ASSERT_NE(at, std::string::npos) << r.err;
    packets_ = std::stoull(r.err.substr(at + 14));
    damaged_ = true;
  }
  std::string path() const { return shared_pcap(GetParam()); }
  std::string quoted() const { return shell_quote(path()); }
  // Runs trawl and checks its exit code: 0, or 2 for a damaged file.
  CommandResult trawl(const std::string& args) const {
    auto r = run(shell_quote(trawl_binary()) + " " + args + " " + quoted());
    EXPECT_EQ(r.exit_code, damaged_ ? 2 : 0) << r.err;
    if (damaged_) EXPECT_EQ(lines(r.err).size(), 1u) << r.err;  // exactly one line names the damage
    return r;
  }
  uint64_t packets_ = 0;
  bool damaged_ = false;
};

// tshark's -T fields prints every occurrence of a repeated field, comma-separated.
// The innermost IP pair of a frame: the last IP header that is not the one quoted inside an ICMP error.
struct Pair {
  std::string src, dst;
};
bool innermost_pair(const std::vector<std::string>& f, size_t at, Pair& pair) {
  // f[at..at+5]: ip.src ip.dst ipv6.src ipv6.dst icmp.type icmpv6.type
  auto last_kept = [](const std::string& srcs, const std::string& dsts, bool drop_quoted, Pair& p) {
    auto s = split(srcs, ','), d = split(dsts, ',');
    if (srcs.empty() || s.size() != d.size()) return false;
    size_t n = s.size() - (drop_quoted && s.size() > 1 ? 1 : 0);
    p = {s[n - 1], d[n - 1]};
    return true;
  };
  auto is_error = [](const std::string& types, std::set<std::string> errors) {
    auto t = split(types, ',');
    return !types.empty() && errors.count(t[0]);
  };
  bool v4_error = is_error(f[at + 4], {"3", "4", "5", "11", "12"});
  bool v6_error = is_error(f[at + 5], {"1", "2", "3", "4"});
  if (!f[at + 2].empty()) return last_kept(f[at + 2], f[at + 3], v6_error, pair);
  return last_kept(f[at], f[at + 1], v4_error, pair);
}

// Per unordered address pair: frames and bytes in each direction, keyed by (lower, higher) address text.
struct Counts {
  uint64_t frames_lo_hi = 0, bytes_lo_hi = 0, frames_hi_lo = 0, bytes_hi_lo = 0;
  friend bool operator==(const Counts&, const Counts&) = default;
};
using PairCounts = std::map<std::pair<std::string, std::string>, Counts>;

void add(PairCounts& m, const std::string& src, const std::string& dst, uint64_t frames, uint64_t bytes) {
  bool lo_first = src < dst;
  auto& c = m[lo_first ? std::pair(src, dst) : std::pair(dst, src)];
  (lo_first ? c.frames_lo_hi : c.frames_hi_lo) += frames;
  (lo_first ? c.bytes_lo_hi : c.bytes_hi_lo) += bytes;
}

std::string describe(const PairCounts& m) {
  std::string s;
  for (const auto& [k, c] : m)
    s += k.first + " " + k.second + " " + std::to_string(c.frames_lo_hi) + "/" + std::to_string(c.bytes_lo_hi) + " " +
         std::to_string(c.frames_hi_lo) + "/" + std::to_string(c.bytes_hi_lo) + "\n";
  return s;
}

TEST_P(GoldenTshark, TopPairBytesAndFramesEqualTshark) {
  {
    std::string path = quoted();
    auto t = run("tshark -n -r " + path +
                 " -T fields -E separator='|' -e frame.len -e ip.src -e ip.dst -e ipv6.src -e ipv6.dst -e icmp.type"
                 " -e icmpv6.type 2>/dev/null");
    PairCounts expected;
    for (const auto& line : lines(t.out)) {
      auto f = split(line, '|');
      Pair p;
      // A header cut short inside its addresses (tshark shows one of them) counts nowhere in trawl.
      if (f.size() == 7 && innermost_pair(f, 1, p) && !p.src.empty() && !p.dst.empty())
        add(expected, p.src, p.dst, 1, std::stoull(f[0]));
    }
    auto r = trawl("top -n 0 --format csv --quiet");
    PairCounts got;
    auto rows = lines(r.out);
    ASSERT_FALSE(rows.empty());
    EXPECT_EQ(rows[0], "addr_a,addr_b,frames_a_to_b,bytes_a_to_b,frames_b_to_a,bytes_b_to_a,frames,bytes,first_ts,duration");
    for (size_t i = 1; i < rows.size(); ++i) {
      auto f = split(rows[i], ',');
      ASSERT_EQ(f.size(), 10u) << rows[i];
      add(got, f[0], f[1], std::stoull(f[2]), std::stoull(f[3]));
      add(got, f[1], f[0], std::stoull(f[4]), std::stoull(f[5]));
    }
    EXPECT_EQ(describe(got), describe(expected));
  }
}

// Per address: frames and bytes as source and as destination, from the same tshark fields.
TEST_P(GoldenTshark, IpsEqualTshark) {
  auto t = run("tshark -n -r " + quoted() +
               " -T fields -E separator='|' -e frame.len -e ip.src -e ip.dst -e ipv6.src -e ipv6.dst -e icmp.type"
               " -e icmpv6.type 2>/dev/null");
  std::map<std::string, std::array<uint64_t, 4>> expected;  // frames as src, as dst, bytes sent, received
  for (const auto& line : lines(t.out)) {
    auto f = split(line, '|');
    Pair p;
    if (f.size() != 7 || !innermost_pair(f, 1, p) || p.src.empty() || p.dst.empty()) continue;
    uint64_t len = std::stoull(f[0]);
    auto& s = expected[p.src];
    ++s[0];
    s[2] += len;
    auto& d = expected[p.dst];
    ++d[1];
    d[3] += len;
  }
  auto r = trawl("ips -n 0 --format csv --quiet");
  std::map<std::string, std::array<uint64_t, 4>> got;
  auto rows = lines(r.out);
  ASSERT_FALSE(rows.empty());
  for (size_t i = 1; i < rows.size(); ++i) {
    auto f = split(rows[i], ',');  // addr,frames,frames_as_src,frames_as_dst,bytes_sent,bytes_received,...
    ASSERT_GE(f.size(), 6u) << rows[i];
    got[f[0]] = {std::stoull(f[2]), std::stoull(f[3]), std::stoull(f[4]), std::stoull(f[5])};
  }
  EXPECT_EQ(got, expected);
}

TEST_P(GoldenTshark, PacketCountEqualsCapinfos) {
  auto r = trawl("packets --format csv --quiet");
  EXPECT_EQ(lines(r.out).size() - 1, packets_);
}

// Every frame's time, addresses, ports, length and frame number equal tshark's -T fields (name resolution
// off). Ports: TCP/UDP ports of the innermost header; for ICMP, trawl puts type and code there.
TEST_P(GoldenTshark, PerPacketFieldsEqualTshark) {
  {
    std::string path = quoted();
    auto t = run("tshark -n -r " + path +
                 " -T fields -E separator='|' -e frame.number -e frame.time_epoch -e frame.len"
                 " -e ip.src -e ip.dst -e ipv6.src -e ipv6.dst -e icmp.type -e icmpv6.type"
                 " -e tcp.srcport -e tcp.dstport -e udp.srcport -e udp.dstport 2>/dev/null");
    auto r = trawl("packets --format csv --quiet");
    auto expected = lines(t.out);
    auto got = lines(r.out);
    ASSERT_EQ(got.size(), expected.size() + 1);
    int mismatches = 0;
    for (size_t i = 0; i < expected.size() && mismatches < 5; ++i) {
      auto e = split(expected[i], '|');
      auto g = split(got[i + 1], ',');  // ts,src,dst,sport,dport,proto,app,len,file,frame
      ASSERT_EQ(g.size(), 10u) << got[i + 1];
      std::string where = "frame " + e[0];
      bool ok = g[9] == e[0] && g[7] == e[2];
      // Timestamps: tshark prints nanoseconds, trawl microseconds.
      // (A nanosecond field of 10^9 or more is out of range: tshark prints it as is, trawl carries it over
      // into the seconds; tcpdump-timestamp-invalid-nano.pcap has such records.)
      auto dot = e[1].find('.');
      if (e[1][0] != '-' && e[1].size() - dot - 1 == 9) ok = ok && std::abs(std::stod(g[0]) - std::stod(e[1])) < 1e-6;
      Pair p;
      // ARP inside a tunnel: trawl lists the ARP addresses, tshark's innermost IP is the tunnel's.
      // A header cut short inside its addresses: tshark shows what it could read, trawl nothing.
      if (g[5] != "arp" && innermost_pair(e, 3, p) && !p.src.empty() && !p.dst.empty())
        ok = ok && g[1] == p.src && g[2] == p.dst;
      // Ports only when tshark saw exactly one transport header (not inside ICMP errors or tunnels), and
      // not for the first fragment of a datagram never completed, which trawl lists as "frag".
      std::string sport = !e[9].empty() ? e[9] : e[11], dport = !e[10].empty() ? e[10] : e[12];
      if (!sport.empty() && sport.find(',') == std::string::npos && e[7].empty() && e[8].empty() && g[5] != "frag")
        ok = ok && g[3] == sport && g[4] == dport;
      if (!ok) {
        ++mismatches;
        ADD_FAILURE() << where << ": tshark " << expected[i] << " | trawl " << got[i + 1];
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Corpus, GoldenTshark, ::testing::ValuesIn(manifest_files()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           for (char& c : name)
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           return name;
                         });

}  // namespace
}  // namespace trawl::testing
