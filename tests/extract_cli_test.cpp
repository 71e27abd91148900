// trawl extract end to end: the written file must open in tshark and hold exactly the frames tshark
// selects itself (same times, lengths, link types and an md5 of every frame's bytes, all printed by
// tshark), for display filters, BPF, -c, --flows and the evidence of findings.
#include <filesystem>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/testing.h"

namespace trawl::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string trawl(const std::string& args) { return shell_quote(trawl_binary()) + " " + args; }
std::string q(const std::string& s) { return shell_quote(s); }

// One line per frame, computed by tshark: time, lengths, link type, md5 of the bytes.
std::string digest(const std::string& capture) {
  auto r = run("tshark -n -r " + q(capture) +
               " -o frame.generate_md5_hash:TRUE -T fields -e frame.time_epoch -e frame.len -e frame.cap_len"
               " -e frame.encap_type -e frame.md5_hash");
  EXPECT_EQ(r.exit_code, 0) << capture << ": " << r.err;
  return r.out;
}

size_t line_count(const std::string& s) { return size_t(std::count(s.begin(), s.end(), '\n')); }

// tshark's own extraction: -r IN -Y EXPR -w OUT.
void tshark_extract(const std::string& in, const std::string& expr, const std::string& out) {
  auto r = run("tshark -n -r " + q(in) + " -Y " + q(expr) + " -w " + q(out));
  ASSERT_EQ(r.exit_code, 0) << r.err;
}

std::string magic(const std::string& file) {
  std::string head = read_file(file).substr(0, 4);
  std::ostringstream s;
  for (unsigned char c : head) s << std::hex << int(c >> 4) << int(c & 15);
  return s.str();
}

class ExtractTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* tool : {"tshark", "mergecap"})
      if (!have_tool(tool)) GTEST_SKIP() << tool << " not installed";
  }
  TempDir dir;
};

struct Case {
  const char* file;
  const char* expr;
  const char* magic;  // of the output: the input's precision
};

class ExtractVsTshark : public ExtractTest, public ::testing::WithParamInterface<Case> {};

TEST_P(ExtractVsTshark, SameFramesByteForByte) {
  const Case& c = GetParam();
  std::string in = shared_pcap(c.file), out = dir.file("out"), ref = dir.file("ref");
  auto r = run(trawl("extract " + q(in) + " -Y " + q(c.expr) + " -w " + q(out)));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  tshark_extract(in, c.expr, ref);
  std::string want = digest(ref);
  ASSERT_GT(line_count(want), 0u) << "the case selects nothing";
  EXPECT_EQ(digest(out), want);
  EXPECT_EQ(magic(out), c.magic);
  EXPECT_THAT(r.err, HasSubstr("extract: " + std::to_string(line_count(want)) + " of "));
}

INSTANTIATE_TEST_SUITE_P(
    SharedCaptures, ExtractVsTshark,
    ::testing::Values(Case{"zeek-http-bro-org.pcap", "tcp.srcport == 80", "d4c3b2a1"},
                      Case{"ppp-many-protocols.pcap", "ip.addr == 82.102.137.164", "d4c3b2a1"},
                      Case{"ppp-many-protocols.pcap", "udp", "d4c3b2a1"},
                      Case{"chrissanders-arppoison.pcapng", "arp", "4d3cb2a1"},
                      Case{"tcpdump-tcp-handshake-nano.pcap", "tcp", "4d3cb2a1"},
                      Case{"ppp-sll.pcap", "tcp", "d4c3b2a1"},
                      Case{"zeek-smb-many-open-files.pcap.gz", "tcp.port == 445", "d4c3b2a1"}));

// Rotated files whose packets interleave in time: one capture, written in time order.
TEST_F(ExtractTest, SeveralFilesAreMergedInTimeOrder) {
  std::string in = shared_pcap("zeek-http-bro-org.pcap");
  fs::create_directory(dir.file("in"));
  tshark_extract(in, "tcp.srcport == 80", dir.file("in/a.pcap"));
  tshark_extract(in, "!(tcp.srcport == 80)", dir.file("in/b.pcap"));
  auto r = run(trawl("extract " + q(dir.file("in")) + " -Y 'tcp.len > 0' -w " + q(dir.file("out"))));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  tshark_extract(in, "tcp.len > 0", dir.file("ref"));
  std::string want = digest(dir.file("ref"));
  EXPECT_GT(line_count(want), 100u);
  EXPECT_EQ(digest(dir.file("out")), want);
}

TEST_F(ExtractTest, SeveralLinkTypesGivePcapng) {
  std::vector<std::string> ins = {shared_pcap("ppp-sll.pcap"), shared_pcap("zeek-http-post.pcap"),
                                  shared_pcap("ppp-raw-ip.pcap")};
  std::string args;
  for (const auto& f : ins) args += q(f) + " ";
  ASSERT_EQ(run("mergecap -w " + q(dir.file("merged.pcapng")) + " " + args).exit_code, 0);
  tshark_extract(dir.file("merged.pcapng"), "tcp", dir.file("ref"));
  std::string want = digest(dir.file("ref"));
  auto r = run(trawl("extract " + args + "-Y tcp -w " + q(dir.file("out"))));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(magic(dir.file("out")), "0a0d0d0a");
  EXPECT_EQ(digest(dir.file("out")), want);
  EXPECT_THAT(r.err, HasSubstr("(pcapng)"));
  // Standard output gets the same file (spooled until the format is known).
  auto s = run(trawl("extract " + args + "-Y tcp -q -w - > " + q(dir.file("stdout"))));
  ASSERT_EQ(s.exit_code, 0) << s.err;
  EXPECT_EQ(read_file(dir.file("stdout")), read_file(dir.file("out")));
  // -F pcap cannot hold them: a clear error.
  auto f = run(trawl("extract " + args + "-F pcap -w " + q(dir.file("bad"))));
  EXPECT_EQ(f.exit_code, 1);
  EXPECT_THAT(f.err, HasSubstr("-F pcapng"));
}

TEST_F(ExtractTest, ForcedPcapngOfOneLinkType) {
  std::string in = shared_pcap("zeek-http-post.pcap");
  ASSERT_EQ(run(trawl("extract " + q(in) + " -F pcapng -w " + q(dir.file("out")))).exit_code, 0);
  EXPECT_EQ(magic(dir.file("out")), "0a0d0d0a");
  EXPECT_EQ(digest(dir.file("out")), digest(in));
}

// The pcap header keeps the input's link type and snaplen (bytes 16-23 of the file header).
TEST_F(ExtractTest, PcapHeaderKeepsLinkTypeAndSnaplen) {
  for (const char* name : {"ppp-sll.pcap", "zeek-http-basic-auth-colon.pcap"}) {
    std::string in = shared_pcap(name);
    ASSERT_EQ(run(trawl("extract " + q(in) + " -q -w " + q(dir.file("out")))).exit_code, 0);
    EXPECT_EQ(read_file(dir.file("out")).substr(16, 8), read_file(in).substr(16, 8)) << name;
  }
}

TEST_F(ExtractTest, CountStopsAfterNWrittenPackets) {
  std::string in = shared_pcap("ppp-many-protocols.pcap");
  auto r = run(trawl("extract " + q(in) + " -Y udp -c 7 -w " + q(dir.file("out"))));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  tshark_extract(in, "udp", dir.file("ref"));
  std::string want = digest(dir.file("ref"));
  std::string first7;
  std::istringstream lines(want);
  for (std::string l; line_count(first7) < 7 && std::getline(lines, l);) first7 += l + "\n";
  EXPECT_EQ(line_count(first7), 7u);
  EXPECT_EQ(digest(dir.file("out")), first7);
  EXPECT_THAT(r.err, HasSubstr("extract: 7 of "));
}

TEST_F(ExtractTest, CaptureFilterIsLibpcapsBpf) {
  if (!have_tool("tcpdump")) GTEST_SKIP() << "tcpdump not installed";
  std::string in = shared_pcap("ppp-many-protocols.pcap");
  const char* bpf = "tcp port 443 and host 173.194.78.104";
  ASSERT_EQ(run("tcpdump -r " + q(in) + " -w " + q(dir.file("ref")) + " " + q(bpf)).exit_code, 0);
  auto r = run(trawl("extract " + q(in) + " -f " + q(bpf) + " -w " + q(dir.file("out"))));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string want = digest(dir.file("ref"));
  EXPECT_GT(line_count(want), 10u);
  EXPECT_EQ(digest(dir.file("out")), want);
  // -f and -Y together: both must hold.
  r = run(trawl("extract " + q(in) + " -f 'tcp port 443' -Y 'ip.addr == 173.194.78.104' -w " + q(dir.file("both"))));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(digest(dir.file("both")), want);
  auto bad = run(trawl("extract " + q(in) + " -f 'tcp prot 80' -w " + q(dir.file("x"))));
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("bad capture filter (-f) 'tcp prot 80'"));
}

TEST_F(ExtractTest, DisplayFilterErrorsAsTrawlPackets) {
  auto r = run(trawl("extract " + q(shared_pcap("zeek-http-post.pcap")) + " -Y 'ip.adr == 1.2.3.4' -w " + q(dir.file("x"))));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("ip.adr"));
  EXPECT_THAT(r.err, HasSubstr("^"));
  EXPECT_FALSE(fs::exists(dir.file("x")));  // the filter fails before anything is opened
}

TEST_F(ExtractTest, UsageErrorsExitTwo) {
  EXPECT_EQ(run(trawl("extract -w " + q(dir.file("x")))).exit_code, 2);  // no input
  EXPECT_EQ(run(trawl("extract " + q(shared_pcap("zeek-http-post.pcap")))).exit_code, 2);  // no -w
  auto r = run(trawl("extract " + q(shared_pcap("zeek-http-post.pcap")) + " --alert scan.udp/0 -w " + q(dir.file("x"))));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--alerts OUTDIR"));
}

// --flows: every packet, both directions, of each TCP connection with a match (tshark: tcp.stream in {...}).
TEST_F(ExtractTest, FlowsAreWholeConnections) {
  std::string in = shared_pcap("ppp-many-protocols.pcap");
  const std::string expr = "tcp.flags.push == 1 and ip.addr == 212.199.202.53";
  auto streams = run("tshark -n -r " + q(in) + " -Y " + q(expr) + " -T fields -e tcp.stream | sort -un | paste -sd, -");
  ASSERT_EQ(streams.exit_code, 0);
  std::string set = streams.out.substr(0, streams.out.find('\n'));
  ASSERT_FALSE(set.empty());
  tshark_extract(in, "tcp.stream in {" + set + "}", dir.file("ref"));
  tshark_extract(in, expr, dir.file("matches"));
  auto r = run(trawl("extract " + q(in) + " -Y " + q(expr) + " --flows -w " + q(dir.file("out"))));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string want = digest(dir.file("ref"));
  EXPECT_GT(line_count(want), line_count(digest(dir.file("matches"))));
  EXPECT_EQ(digest(dir.file("out")), want);
}

// The frames of findings, from an analyze directory: through its frame index, or from named captures.
TEST_F(ExtractTest, AlertEvidenceFrames) {
  fs::create_directory(dir.file("caps"));
  for (const char* f : {"scans.pcap", "beacon.pcap"})
    fs::copy_file(fixtures_dir() + "/attacks/" + f, dir.file(std::string("caps/") + f));
  auto a = run(trawl("analyze " + q(dir.file("caps")) + " -o " + q(dir.file("an")) + " -q"));
  ASSERT_EQ(a.exit_code, 0) << a.err;
  ASSERT_TRUE(fs::exists(dir.file("an/frame_index.jsonl")));

  // The reference: tshark picks each alert's frames by number from each file; mergecap orders them.
  auto reference = [&](const std::vector<nlohmann::json>& alerts, const std::string& name) {
    std::map<std::string, std::set<uint64_t>> frames;
    for (const auto& alert : alerts)
      for (const auto& f : alert["frames"])
        for (const auto& n : f["frames"]) frames[f["file"]].insert(n.get<uint64_t>());
    std::string parts;
    for (const auto& [file, numbers] : frames) {
      std::string set;
      for (uint64_t n : numbers) {
        if (!set.empty()) set += ',';
        set += std::to_string(n);
      }
      std::string part = dir.file(name + "-" + file);
      tshark_extract(dir.file("caps/" + file), "frame.number in {" + set + "}", part);
      parts += q(part) + " ";
    }
    EXPECT_EQ(run("mergecap -F pcap -w " + q(dir.file(name)) + " " + parts).exit_code, 0);
    return digest(dir.file(name));
  };
  std::vector<nlohmann::json> alerts, syn;
  std::istringstream lines(read_file(dir.file("an/alerts.jsonl")));
  for (std::string l; std::getline(lines, l);) {
    alerts.push_back(nlohmann::json::parse(l));
    if (alerts.back()["type"] == "scan.tcp_syn") syn.push_back(alerts.back());
  }
  ASSERT_GE(syn.size(), 2u);
  ASSERT_GE(alerts.size(), 5u);

  auto one = run(trawl("extract --alerts " + q(dir.file("an")) + " --alert scan.tcp_syn/1 -w " + q(dir.file("one"))));
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_EQ(digest(dir.file("one")), reference({syn[1]}, "ref-one"));
  auto same = run(trawl("extract " + q(dir.file("an")) + " --alert scan.tcp_syn/1 -w " + q(dir.file("one-b"))));
  ASSERT_EQ(same.exit_code, 0) << same.err;
  EXPECT_EQ(read_file(dir.file("one-b")), read_file(dir.file("one")));

  std::string want_all = reference(alerts, "ref-all");
  auto all = run(trawl("extract --alerts " + q(dir.file("an")) + " -w " + q(dir.file("all"))));
  ASSERT_EQ(all.exit_code, 0) << all.err;
  EXPECT_EQ(digest(dir.file("all")), want_all);
  // Named captures are streamed instead of read through the index: the same frames.
  auto streamed = run(trawl("extract " + q(dir.file("caps")) + " --alerts " + q(dir.file("an")) + " -w " + q(dir.file("all-s"))));
  ASSERT_EQ(streamed.exit_code, 0) << streamed.err;
  EXPECT_EQ(digest(dir.file("all-s")), want_all);
  // frame.time_relative counts from each file's first packet on both paths, though the index path
  // never reads that packet.
  const std::string late = q("frame.time_relative >= 2");
  auto late_i = run(trawl("extract --alerts " + q(dir.file("an")) + " -Y " + late + " -w " + q(dir.file("late-i"))));
  auto late_s = run(trawl("extract " + q(dir.file("caps")) + " --alerts " + q(dir.file("an")) + " -Y " + late + " -w " +
                          q(dir.file("late-s"))));
  ASSERT_EQ(late_i.exit_code, 0) << late_i.err;
  ASSERT_EQ(late_s.exit_code, 0) << late_s.err;
  EXPECT_EQ(digest(dir.file("late-i")), digest(dir.file("late-s")));
  EXPECT_GT(line_count(digest(dir.file("late-i"))), 0u);
  EXPECT_LT(line_count(digest(dir.file("late-i"))), line_count(want_all));

  auto bad = run(trawl("extract --alerts " + q(dir.file("an")) + " --alert scan.tcp_syn/99 -w " + q(dir.file("x"))));
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("99 asked"));
  fs::remove(dir.file("caps/scans.pcap"));
  auto missing = run(trawl("extract --alerts " + q(dir.file("an")) + " --alert scan.tcp_syn/0 -w " + q(dir.file("x"))));
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("missing"));
  EXPECT_THAT(missing.err, HasSubstr("scans.pcap"));
}

// One connection of an analyze directory by its uid, read through the records and the frame index, here
// from a capture split into three files with the connection across two of them.
TEST_F(ExtractTest, ConnectionByUid) {
  if (!have_tool("editcap")) GTEST_SKIP() << "editcap not installed";
  const std::string sample = fixtures_dir() + "/sample.pcap";
  fs::create_directory(dir.file("parts"));
  ASSERT_EQ(run("editcap -c 100 " + q(sample) + " " + q(dir.file("parts/sample.pcap"))).exit_code, 0);
  auto a = run(trawl("analyze " + q(dir.file("parts")) + " -o " + q(dir.file("an")) + " -q --no-detect"));
  ASSERT_EQ(a.exit_code, 0) << a.err;
  nlohmann::json longest;
  std::istringstream lines(read_file(dir.file("an/conn.jsonl")));
  for (std::string l; std::getline(lines, l);) {
    auto c = nlohmann::json::parse(l);
    auto packets = [](const nlohmann::json& r) { return r["orig_pkts"].get<int>() + r["resp_pkts"].get<int>(); };
    if (c["proto"] == "tcp" && (longest.is_null() || packets(c) > packets(longest))) longest = c;
  }
  ASSERT_FALSE(longest.is_null());
  const size_t packets = longest["orig_pkts"].get<size_t>() + longest["resp_pkts"].get<size_t>();
  ASSERT_GT(packets, 100u);  // so it crosses from one part into the next
  const std::string uid = longest["uid"], src = longest["src"], dst = longest["dst"];
  tshark_extract(sample, "ip.addr==" + src + " && ip.addr==" + dst + " && tcp.port==" + longest["sport"].dump() +
                             " && tcp.port==" + longest["dport"].dump(), dir.file("ref"));

  auto r = run(trawl("extract " + q(dir.file("an")) + " --uid " + uid + " -w " + q(dir.file("out"))));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string got = digest(dir.file("out"));
  EXPECT_EQ(line_count(got), packets);
  EXPECT_EQ(got, digest(dir.file("ref")));

  auto unknown = run(trawl("extract " + q(dir.file("an")) + " --uid Cnope -w " + q(dir.file("x"))));
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("no connection with uid Cnope"));
  auto no_dir = run(trawl("extract " + q(sample) + " --uid " + uid + " -w " + q(dir.file("x"))));
  EXPECT_EQ(no_dir.exit_code, 2);
  EXPECT_THAT(no_dir.err, HasSubstr("--uid needs"));
}

}  // namespace
}  // namespace trawl::testing
