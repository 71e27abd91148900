// CaptureReader against capinfos/tshark on the shared corpus, plus hand-built damaged and unusual files.
#include "capture/capture_reader.h"

#include <dirent.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "support/testing.h"

namespace trawl::capture {
namespace {

using trawl::testing::have_tool;
using trawl::testing::make_pcap;
using trawl::testing::read_file;
using trawl::testing::run;
using trawl::testing::shared_pcap;
using trawl::testing::shared_pcaps_dir;
using trawl::testing::shell_quote;
using trawl::testing::TempDir;
using trawl::testing::TestFrame;
using trawl::testing::write_file;

struct Pkt {
  int64_t ts_ns;
  uint32_t caplen, wirelen;
  uint16_t linktype;
  uint64_t frame;
  std::string data;
  bool operator==(const Pkt&) const = default;
};

struct ReadAll {
  std::vector<Pkt> pkts;
  std::optional<ReadError> error;
  Probe probe = Probe::kUnreadable;
  std::string open_error;
  CaptureFormat format = CaptureFormat::kPcap;
  Compression compression = Compression::kNone;
};

ReadAll drain(OpenResult r) {
  ReadAll out;
  out.probe = r.probe;
  out.open_error = r.error;
  if (!r.reader) return out;
  RawPacket p;
  while (r.reader->next(p)) {
    out.pkts.push_back({p.ts_ns, p.caplen, p.wirelen, p.linktype, p.frame,
                        std::string(reinterpret_cast<const char*>(p.data), p.caplen)});
  }
  out.error = r.reader->error();
  out.format = r.reader->format();
  out.compression = r.reader->compression();
  return out;
}
ReadAll read_path(const std::string& path, size_t buffer = kDefaultBufferSize) {
  return drain(open_capture(path, 0, buffer));
}

std::vector<std::string> corpus_files() {
  std::vector<std::string> names;
  DIR* d = opendir(shared_pcaps_dir().c_str());
  if (!d) return names;
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != ".." && n != "MANIFEST.tsv") names.push_back(n);
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

// tshark prints frame.time_epoch as seconds "." nanoseconds zero-padded to 9 digits; a nanosecond field
// that was out of range in the file (>= 10^9) shows as more digits, which sum the same way.
int64_t parse_epoch(const std::string& s) {
  size_t dot = s.find('.');
  int64_t sec = std::stoll(s.substr(0, dot));
  std::string frac = dot == std::string::npos ? "" : s.substr(dot + 1);
  while (frac.size() < 9) frac += '0';
  return sec * 1'000'000'000 + std::stoll(frac);
}

// Wireshark's WTAP_ENCAP numbers (frame.encap_type) for the LINKTYPE values the corpus uses.
int wtap_encap(uint16_t linktype) {
  switch (linktype) {
    case 0: return 15;
    case 1: return 1;
    case 101: return 7;
    case 113: return 25;
    case 228: return 129;
    case 229: return 130;
    case 276: return 210;
    default: return -1000 - linktype;
  }
}

constexpr int kNoEncap = -1;

struct TsharkPkt {
  std::string time;
  uint32_t caplen, wirelen;
  int encap;
};
std::vector<TsharkPkt> tshark_packets(const std::string& path) {
  auto r = run("tshark -r " + shell_quote(path) +
               " -T fields -e frame.time_epoch -e frame.cap_len -e frame.len -e frame.encap_type 2>/dev/null");
  std::vector<TsharkPkt> out;
  std::istringstream in(r.out);
  std::string line;
  while (std::getline(in, line)) {
    // Tab-separated; a record that is not a packet has no time and no encapsulation.
    std::vector<std::string> f;
    size_t start = 0;
    for (size_t tab; (tab = line.find('\t', start)) != std::string::npos; start = tab + 1) f.push_back(line.substr(start, tab - start));
    f.push_back(line.substr(start));
    if (f.size() != 4) continue;
    TsharkPkt p;
    p.time = f[0].empty() ? "0" : f[0];
    p.caplen = uint32_t(std::stoul(f[1]));
    p.wirelen = uint32_t(std::stoul(f[2]));
    p.encap = f[3].empty() ? kNoEncap : std::stoi(f[3]);
    out.push_back(p);
  }
  return out;
}

// Compares by frame number: Wireshark also numbers records that are not packets (pcapng custom blocks),
// which we skip but count, so our frame numbers stay the ones Wireshark shows.
void expect_same_as_tshark(const std::string& path, const std::vector<Pkt>& ours) {
  auto theirs = tshark_packets(path);
  size_t non_packets = 0;
  for (const auto& t : theirs) non_packets += t.encap == kNoEncap;
  ASSERT_EQ(theirs.size(), ours.size() + non_packets) << path;
  for (size_t i = 0; i < ours.size(); ++i) {
    SCOPED_TRACE(fmt::format("{} packet {} frame {}", path, i + 1, ours[i].frame));
    ASSERT_LE(ours[i].frame, theirs.size());
    ASSERT_TRUE(i == 0 || ours[i].frame > ours[i - 1].frame);
    const TsharkPkt& t = theirs[ours[i].frame - 1];
    // Negative: Wireshark's own arithmetic overflowed on a garbage microsecond field; nothing to compare.
    if (t.time[0] != '-') {
      EXPECT_EQ(parse_epoch(t.time), ours[i].ts_ns);
    }
    EXPECT_EQ(t.caplen, ours[i].caplen);
    EXPECT_EQ(t.wirelen, ours[i].wirelen);
    EXPECT_EQ(t.encap, wtap_encap(ours[i].linktype));
  }
}

TEST(CaptureReaderCorpus, PacketCountsMatchCapinfos) {
  if (!have_tool("capinfos")) GTEST_SKIP() << "capinfos not installed";
  auto names = corpus_files();
  ASSERT_FALSE(names.empty());
  std::string cmd = "cd " + shell_quote(shared_pcaps_dir()) + " && capinfos -T -m -r -c";
  for (const auto& n : names) cmd += " " + shell_quote(n);
  auto r = run(cmd);
  std::map<std::string, uint64_t> expected;
  std::istringstream in(r.out);
  std::string line;
  while (std::getline(in, line)) {
    size_t comma = line.rfind(',');
    if (comma != std::string::npos) expected[line.substr(0, comma)] = std::stoull(line.substr(comma + 1));
  }
  // Files that end in damage Wireshark calls "bad" (not "cut short") are missing from -c's table; their
  // count is in the error line.
  const std::string marker = "An error occurred after reading ";
  for (size_t at = r.err.find(marker); at != std::string::npos; at = r.err.find(marker, at + 1)) {
    size_t num = at + marker.size();
    uint64_t n = std::stoull(r.err.substr(num));
    size_t q1 = r.err.find('"', num), q2 = r.err.find('"', q1 + 1);
    expected[r.err.substr(q1 + 1, q2 - q1 - 1)] = n;
  }
  ASSERT_EQ(expected.size(), names.size()) << r.err;
  for (const auto& n : names) {
    auto got = read_path(shared_pcap(n));
    EXPECT_EQ(got.pkts.size(), expected[n]) << n;
    // capinfos says which files end in damage: exactly those must report an error.
    bool damaged = r.err.find("\"" + n + "\"") != std::string::npos;
    EXPECT_EQ(got.error.has_value(), damaged) << n << (got.error ? ": " + got.error->reason : "");
  }
}

TEST(CaptureReaderCorpus, EveryPacketMatchesTshark) {
  if (!have_tool("tshark")) GTEST_SKIP() << "tshark not installed";
  for (const auto& n : corpus_files()) expect_same_as_tshark(shared_pcap(n), read_path(shared_pcap(n)).pkts);
}

TEST(CaptureReaderCorpus, MultiInterfacePcapng) {
  auto got = read_path(shared_pcap("zeek-pcapng-multi-interface.pcapng"));
  ASSERT_EQ(got.pkts.size(), 6u);
  EXPECT_EQ(got.format, CaptureFormat::kPcapng);
  // Interface 0 has if_tsresol 9 (ns), interface 1 the default µs (hand-checked with tshark).
  EXPECT_EQ(got.pkts[0].ts_ns, 1767663089500330493);
  EXPECT_EQ(got.pkts[2].ts_ns, 1767663437111897000);
  EXPECT_EQ(got.pkts[5].caplen, 182u);
}

// The three damaged files of the MANIFEST: good packets first, then the damage at its exact offset.
TEST(CaptureReaderDamage, CorpusMalformedFiles) {
  auto ftp = read_path(shared_pcap("derived-ftp-ipv4-cut-short.pcap"));
  EXPECT_EQ(ftp.pkts.size(), 45u);
  ASSERT_TRUE(ftp.error);
  EXPECT_EQ(ftp.error->offset, 6847u);  // 45th record ends there; 7000 - 6847 - 16 = 137 bytes of 143
  EXPECT_EQ(ftp.error->reason, "record cut short: 143 bytes announced, 137 present");

  auto sur = read_path(shared_pcap("suricata-fuzz-damaged.pcap"));
  EXPECT_EQ(sur.pkts.size(), 2u);  // 24-byte (ss990417) records, as Wireshark guesses
  ASSERT_TRUE(sur.error);
  EXPECT_EQ(sur.error->offset, 261u);
  EXPECT_NE(sur.error->reason.find("caplen 16711424"), std::string::npos) << sur.error->reason;

  auto ndpi = read_path(shared_pcap("ndpi-fuzz-cut-short.pcap"));
  ASSERT_EQ(ndpi.pkts.size(), 1u);
  EXPECT_EQ(ndpi.pkts[0].linktype, kLinkNull);  // 0x40000000: FCS bits above the type
  EXPECT_EQ(ndpi.pkts[0].caplen, 197u);         // version 2.0: caplen and wirelen stored swapped
  EXPECT_EQ(ndpi.pkts[0].wirelen, 524501u);
  ASSERT_TRUE(ndpi.error);
  EXPECT_EQ(ndpi.error->offset, 237u);
  EXPECT_EQ(ndpi.error->reason, "record header cut short: 16 bytes announced, 2 present");

  auto nano = read_path(shared_pcap("tcpdump-timestamp-invalid-nano.pcap"));
  EXPECT_EQ(nano.pkts.size(), 3u);
  EXPECT_FALSE(nano.error);
}

// ---- hand-built files ------------------------------------------------------------------------------

std::vector<uint8_t> bytes_of(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = uint8_t(seed + i);
  return v;
}

ReadAll read_bytes(const std::string& s, size_t buffer = kMinBufferSize) {
  return drain(open_capture_memory({reinterpret_cast<const uint8_t*>(s.data()), s.size()}, 0, buffer));
}

void put32le(std::string& s, uint32_t v) {
  for (int i = 0; i < 4; ++i) s += char(v >> (8 * i));
}
void put32be(std::string& s, uint32_t v) {
  for (int i = 3; i >= 0; --i) s += char(v >> (8 * i));
}
void set32le(std::string& s, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) s[at + i] = char(v >> (8 * i));
}

// Rewrites a little-endian classic pcap as the big-endian file a SPARC would have written.
std::string to_big_endian(const std::string& le) {
  auto swap_at = [](std::string& s, size_t at, int n) { std::reverse(s.begin() + long(at), s.begin() + long(at) + n); };
  std::string s = le;
  swap_at(s, 0, 4);
  swap_at(s, 4, 2);
  swap_at(s, 6, 2);
  for (size_t at : {8, 12, 16, 20}) swap_at(s, at, 4);
  size_t off = 24;
  while (off + 16 <= s.size()) {
    uint32_t caplen = uint8_t(s[off + 8]) | uint8_t(s[off + 9]) << 8 | uint8_t(s[off + 10]) << 16 | uint32_t(uint8_t(s[off + 11])) << 24;
    for (size_t k = 0; k < 16; k += 4) swap_at(s, off + k, 4);
    off += 16 + caplen;
  }
  return s;
}

TEST(CaptureReaderFormats, BigEndianAndNanosecondMatchOriginal) {
  if (!have_tool("editcap") || !have_tool("tshark")) GTEST_SKIP() << "editcap/tshark not installed";
  TempDir tmp;
  const std::string src = shared_pcap("zeek-ftp-ipv4.pcap");
  auto base = read_path(src);
  ASSERT_EQ(base.pkts.size(), 95u);

  auto nsec = tmp.file("nsec.pcap");
  ASSERT_EQ(run("editcap -F nsecpcap " + shell_quote(src) + " " + shell_quote(nsec)).exit_code, 0);
  auto n = read_path(nsec);
  EXPECT_EQ(n.format, CaptureFormat::kPcapNano);
  EXPECT_EQ(n.pkts, base.pkts);

  auto be = tmp.file("be.pcap");
  write_file(be, to_big_endian(read_file(src)));
  auto b = read_path(be);
  EXPECT_EQ(b.pkts, base.pkts);
  expect_same_as_tshark(be, b.pkts);

  auto benano = tmp.file("be-nsec.pcap");
  write_file(benano, to_big_endian(read_file(nsec)));
  auto bn = read_path(benano);
  EXPECT_EQ(bn.format, CaptureFormat::kPcapNano);
  EXPECT_EQ(bn.pkts, base.pkts);
  expect_same_as_tshark(benano, bn.pkts);
}

TEST(CaptureReaderFormats, ModifiedPcapMagic) {
  // a1b2cd34 with 24-byte records (ss991029: 8 extra bytes of ifindex, protocol, packet type).
  std::string s;
  put32le(s, 0xa1b2cd34);
  s += std::string("\x02\x00\x04\x00", 4);
  put32le(s, 0);
  put32le(s, 0);
  put32le(s, 65535);
  put32le(s, 1);
  for (uint32_t i = 0; i < 3; ++i) {
    put32le(s, 1000 + i);
    put32le(s, 250000);
    put32le(s, 60);
    put32le(s, 60 + i);
    s += std::string(8, '\x07');
    auto b = bytes_of(60, uint8_t(i));
    s.append(b.begin(), b.end());
  }
  auto r = read_bytes(s);
  ASSERT_EQ(r.pkts.size(), 3u);
  EXPECT_FALSE(r.error);
  EXPECT_EQ(r.pkts[2].ts_ns, 1002'250'000'000);
  EXPECT_EQ(r.pkts[2].wirelen, 62u);
  EXPECT_EQ(r.pkts[2].data[0], 2);
}

TEST(CaptureReaderFormats, CaplenAboveSnaplenIsReadLikeWireshark) {
  // Wireshark and libpcap read records longer than the header's snaplen; so do we (only > 256 KiB is
  // damage). Checked against tshark on the same bytes.
  TempDir tmp;
  auto path = tmp.file("snap.pcap");
  write_file(path, make_pcap({{bytes_of(100, 1)}, {bytes_of(80, 2)}}, 1, 64));
  auto r = read_path(path);
  ASSERT_EQ(r.pkts.size(), 2u);
  EXPECT_FALSE(r.error);
  EXPECT_EQ(r.pkts[0].caplen, 100u);
  if (have_tool("tshark")) expect_same_as_tshark(path, r.pkts);
}

// pcapng builder: blocks in little- or big-endian order.
struct Ng {
  bool be = false;
  std::string s;
  void u32(std::string& b, uint32_t v) const { be ? put32be(b, v) : put32le(b, v); }
  void u16(std::string& b, uint16_t v) const {
    if (be) {
      b += char(v >> 8);
      b += char(v);
    } else {
      b += char(v);
      b += char(v >> 8);
    }
  }
  void block(uint32_t type, const std::string& body) {
    std::string b;
    u32(b, type);
    u32(b, uint32_t(12 + body.size()));
    b += body;
    u32(b, uint32_t(12 + body.size()));
    s += b;
  }
  std::string option(uint16_t code, const std::string& value) const {
    std::string o;
    u16(o, code);
    u16(o, uint16_t(value.size()));
    o += value;
    while (o.size() % 4) o += '\0';
    return o;
  }
  void shb() {
    std::string b;
    u32(b, 0x1a2b3c4d);
    u16(b, 1);
    u16(b, 0);
    b += std::string(8, '\xff');
    b += option(1, "a comment that is ignored");
    b += option(0, "");
    block(0x0a0d0d0a, b);
  }
  void idb(uint16_t linktype, uint32_t snaplen, const std::string& options) {
    std::string b;
    u16(b, linktype);
    u16(b, 0);
    u32(b, snaplen);
    b += options;
    block(1, b);
  }
  void epb(uint32_t iface, uint64_t ts, const std::vector<uint8_t>& data, uint32_t wirelen, const std::string& options = "") {
    std::string b;
    u32(b, iface);
    u32(b, uint32_t(ts >> 32));
    u32(b, uint32_t(ts));
    u32(b, uint32_t(data.size()));
    u32(b, wirelen);
    b.append(data.begin(), data.end());
    while (b.size() % 4) b += '\0';
    b += options;
    block(6, b);
  }
  void spb(const std::vector<uint8_t>& data, uint32_t wirelen) {
    std::string b;
    u32(b, wirelen);
    b.append(data.begin(), data.end());
    while (b.size() % 4) b += '\0';
    block(3, b);
  }
  void pb(uint16_t iface, uint64_t ts, const std::vector<uint8_t>& data) {
    std::string b;
    u16(b, iface);
    u16(b, 0);
    u32(b, uint32_t(ts >> 32));
    u32(b, uint32_t(ts));
    u32(b, uint32_t(data.size()));
    u32(b, uint32_t(data.size()));
    b.append(data.begin(), data.end());
    while (b.size() % 4) b += '\0';
    block(2, b);
  }
};

std::string le64(uint64_t v) {
  std::string s;
  for (int i = 0; i < 8; ++i) s += char(v >> (8 * i));
  return s;
}

// Two sections (little- then big-endian), interfaces with different link types and timestamp units,
// every packet block type, and blocks that must be skipped.
std::string multi_section_pcapng() {
  Ng ng;
  ng.shb();
  ng.idb(1, 0, ng.option(9, std::string(1, '\x89')) + ng.option(0, ""));          // Ethernet, 2^-9 s units
  ng.idb(101, 0, ng.option(9, std::string(1, '\x03')) + ng.option(14, le64(100)) + ng.option(0, ""));  // raw IP, ms, +100 s
  ng.block(4, std::string(8, '\0'));                                                // name resolution: skipped
  ng.epb(0, uint64_t(1'700'000'000) * 512 + 3, bytes_of(60, 1), 64, ng.option(1, "packet comment") + ng.option(0, ""));
  ng.epb(1, uint64_t(1'700'000'000'123), bytes_of(40, 2), 40);
  ng.block(0x40000bad, std::string(16, 'x'));  // custom block: Wireshark numbers it, it is no packet
  ng.block(0x0000abcd, std::string(8, 'y'));   // unknown type: skipped
  ng.pb(0, uint64_t(1'700'000'001) * 512, bytes_of(50, 3));
  ng.spb(bytes_of(70, 4), 70);
  Ng big;
  big.be = true;
  big.shb();
  big.idb(113, 0, big.option(9, std::string(1, '\x09')) + big.option(0, ""));     // SLL, ns
  big.epb(0, uint64_t(1'700'000'002'000'000'007), bytes_of(44, 5), 44);
  return ng.s + big.s;
}

TEST(CaptureReaderFormats, PcapngSectionsInterfacesAndBlockTypes) {
  TempDir tmp;
  auto path = tmp.file("multi.pcapng");
  write_file(path, multi_section_pcapng());
  auto r = read_path(path);
  ASSERT_FALSE(r.error) << r.error->reason;
  ASSERT_EQ(r.pkts.size(), 5u);
  EXPECT_EQ(r.pkts[0].linktype, kLinkEthernet);
  EXPECT_EQ(r.pkts[0].ts_ns, 1'700'000'000'005'859'375);  // 3/512 s = 5859375 ns
  EXPECT_EQ(r.pkts[0].wirelen, 64u);
  EXPECT_EQ(r.pkts[1].linktype, kLinkRaw);
  EXPECT_EQ(r.pkts[1].ts_ns, 1'700'000'100'123'000'000);  // ms units plus if_tsoffset 100 s
  EXPECT_EQ(r.pkts[2].linktype, kLinkEthernet);            // obsolete packet block
  EXPECT_EQ(r.pkts[2].ts_ns, 1'700'000'001'000'000'000);
  EXPECT_EQ(r.pkts[3].caplen, 70u);                        // simple packet block: no timestamp
  EXPECT_EQ(r.pkts[3].ts_ns, 0);
  EXPECT_EQ(r.pkts[4].linktype, kLinkLinuxSll);            // second section starts its own interfaces
  EXPECT_EQ(r.pkts[4].ts_ns, 1'700'000'002'000'000'007);
  EXPECT_EQ(r.pkts[4].data, std::string(reinterpret_cast<const char*>(bytes_of(44, 5).data()), 44));
  EXPECT_EQ(r.pkts[2].frame, 4u);  // frame 3 is the custom block
  EXPECT_EQ(r.pkts[4].frame, 6u);
  if (have_tool("tshark")) expect_same_as_tshark(path, r.pkts);
}

TEST(CaptureReaderFormats, GzipAndZstdGiveIdenticalPackets) {
  TempDir tmp;
  for (const std::string name : {"ppp-http-packets.pcap", "chrissanders-synscan.pcapng"}) {
    const std::string src = shared_pcap(name);
    auto plain = read_path(src);
    ASSERT_FALSE(plain.pkts.empty());
    auto gz = tmp.file(name + ".gz");
    ASSERT_EQ(run("gzip -c " + shell_quote(src) + " > " + shell_quote(gz)).exit_code, 0);
    auto g = read_path(gz);
    EXPECT_EQ(g.compression, Compression::kGzip);
    EXPECT_EQ(g.pkts, plain.pkts) << name;
    EXPECT_FALSE(g.error);
    // Detection is by content: a compressed file with no telling name is still read.
    auto noname = tmp.file("noname-" + name);
    ASSERT_EQ(run("cp " + shell_quote(gz) + " " + shell_quote(noname)).exit_code, 0);
    EXPECT_EQ(read_path(noname).pkts.size(), plain.pkts.size());
    if (!have_tool("zstd")) continue;
    auto zst = tmp.file(name + ".zst");
    ASSERT_EQ(run("zstd -q -c " + shell_quote(src) + " > " + shell_quote(zst)).exit_code, 0);
    auto z = read_path(zst, kMinBufferSize);
    EXPECT_EQ(z.compression, Compression::kZstd);
    EXPECT_EQ(z.pkts, plain.pkts) << name;
    EXPECT_FALSE(z.error);
  }
}

TEST(CaptureReaderFormats, SmallBufferGivesSamePackets) {
  // Records straddle the buffer end many times: the tail must be moved and refilled correctly.
  auto big = read_path(shared_pcap("ppp-example.pcap"));
  auto small = read_path(shared_pcap("ppp-example.pcap"), kMinBufferSize);
  EXPECT_EQ(big.pkts, small.pkts);
  auto ng_big = read_path(shared_pcap("ndpi-alexa-app.pcapng"));
  auto ng_small = read_path(shared_pcap("ndpi-alexa-app.pcapng"), kMinBufferSize);
  EXPECT_EQ(ng_big.pkts, ng_small.pkts);
}

TEST(CaptureReaderFormats, TruncatedCompressedStreamIsReported) {
  TempDir tmp;
  const std::string src = shared_pcap("ppp-http-packets.pcap");
  auto gz = tmp.file("a.pcap.gz");
  ASSERT_EQ(run("gzip -c " + shell_quote(src) + " | head -c 300000 > " + shell_quote(gz)).exit_code, 0);
  auto g = read_path(gz);
  EXPECT_FALSE(g.pkts.empty());
  ASSERT_TRUE(g.error);
  EXPECT_LT(g.pkts.size(), 1985u);
}

// ---- bad input, each with its exact offset -----------------------------------------------------------

TEST(CaptureReaderDamage, NotACaptureEmptyAndShortHeader) {
  auto text = read_bytes("This is a README, not a capture.\n");
  EXPECT_EQ(text.probe, Probe::kNotCapture);
  EXPECT_EQ(text.open_error, "not a capture file (no pcap or pcapng magic)");

  auto empty = read_bytes("");
  EXPECT_EQ(empty.probe, Probe::kNotCapture);
  EXPECT_EQ(empty.open_error, "empty file");

  std::string pcap = make_pcap({{bytes_of(60, 0)}});
  auto header = read_bytes(pcap.substr(0, 10));
  EXPECT_EQ(header.probe, Probe::kUnreadable);
  EXPECT_EQ(header.open_error, "pcap file header cut short: 24 bytes needed, 10 present");

  // A header and no packets is a valid, empty capture.
  auto none = read_bytes(pcap.substr(0, 24));
  EXPECT_EQ(none.probe, Probe::kCapture);
  EXPECT_TRUE(none.pkts.empty());
  EXPECT_FALSE(none.error);
}

TEST(CaptureReaderDamage, RecordCutShortInHeaderAndInData) {
  std::string pcap = make_pcap({{bytes_of(60, 0)}, {bytes_of(100, 1)}, {bytes_of(200, 2)}});
  const size_t third = 24 + (16 + 60) + (16 + 100);
  auto mid_header = read_bytes(pcap.substr(0, third + 5));
  EXPECT_EQ(mid_header.pkts.size(), 2u);
  ASSERT_TRUE(mid_header.error);
  EXPECT_EQ(mid_header.error->offset, third);
  EXPECT_EQ(mid_header.error->reason, "record header cut short: 16 bytes announced, 5 present");

  auto mid_data = read_bytes(pcap.substr(0, third + 16 + 150));
  EXPECT_EQ(mid_data.pkts.size(), 2u);
  ASSERT_TRUE(mid_data.error);
  EXPECT_EQ(mid_data.error->offset, third);
  EXPECT_EQ(mid_data.error->reason, "record cut short: 200 bytes announced, 150 present");

  // Truncating a real file: the corpus' FTP capture cut inside its 10th record.
  std::string real = read_file(shared_pcap("zeek-ftp-ipv4.pcap"));
  auto whole = read_bytes(real);
  ASSERT_EQ(whole.pkts.size(), 95u);
  size_t tenth = 24;
  for (int i = 0; i < 9; ++i) tenth += 16 + whole.pkts[size_t(i)].caplen;
  auto cut = read_bytes(real.substr(0, tenth + 20));
  EXPECT_EQ(cut.pkts.size(), 9u);
  ASSERT_TRUE(cut.error);
  EXPECT_EQ(cut.error->offset, tenth);
}

TEST(CaptureReaderDamage, CaplenAboveLimit) {
  // In the 4th record: the first three decide the pcap variant (see pcap_variant_demerit).
  std::string pcap = make_pcap({{bytes_of(60, 0)}, {bytes_of(60, 1)}, {bytes_of(60, 2)}, {bytes_of(60, 3)}}, 1, 65535);
  set32le(pcap, 24 + 3 * 76 + 8, kMaxCaplen + 1);
  auto r = read_bytes(pcap);
  EXPECT_EQ(r.pkts.size(), 3u);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->offset, 24u + 3 * 76);
  EXPECT_EQ(r.error->reason, "caplen 262145 larger than the 262144-byte limit (snaplen 65535)");
}

TEST(CaptureReaderDamage, PcapngBadBlocks) {
  Ng ng;
  ng.shb();
  ng.idb(1, 0, "");
  ng.epb(0, 1, bytes_of(60, 1), 60);
  const size_t second = ng.s.size();
  ng.epb(0, 2, bytes_of(60, 2), 60);

  std::string bad_len = ng.s;
  set32le(bad_len, second + 4, 13);  // not a multiple of 4
  auto a = read_bytes(bad_len);
  EXPECT_EQ(a.pkts.size(), 1u);
  ASSERT_TRUE(a.error);
  EXPECT_EQ(a.error->offset, second);
  EXPECT_EQ(a.error->reason, "invalid pcapng block length 13 (must be a multiple of 4, at least 12)");

  std::string huge = ng.s;
  set32le(huge, second + 4, 0x7ffffff0);
  auto b = read_bytes(huge);
  EXPECT_EQ(b.pkts.size(), 1u);
  ASSERT_TRUE(b.error);
  EXPECT_EQ(b.error->offset, second);

  std::string bad_iface = ng.s;
  set32le(bad_iface, second + 8, 3);
  auto c = read_bytes(bad_iface);
  EXPECT_EQ(c.pkts.size(), 1u);
  ASSERT_TRUE(c.error);
  EXPECT_EQ(c.error->reason, "packet on interface 3 but the section describes 1");

  auto cut = read_bytes(ng.s.substr(0, second + 40));
  EXPECT_EQ(cut.pkts.size(), 1u);
  ASSERT_TRUE(cut.error);
  EXPECT_EQ(cut.error->offset, second);
  EXPECT_EQ(cut.error->reason, "packet block cut short: 92 bytes announced, 40 present");

  std::string big_caplen = ng.s;
  set32le(big_caplen, second + 20, 1000);  // more than the block holds
  auto d = read_bytes(big_caplen);
  EXPECT_EQ(d.pkts.size(), 1u);
  ASSERT_TRUE(d.error);
  EXPECT_EQ(d.error->reason, "packet block of 92 bytes cannot hold caplen 1000");
}

TEST(CaptureReaderDamage, UnreadablePaths) {
  TempDir tmp;
  auto dir = open_capture(tmp.path(), 0);
  EXPECT_EQ(dir.probe, Probe::kUnreadable);
  EXPECT_EQ(dir.error, "is a directory");
  auto missing = open_capture(tmp.file("nope.pcap"), 0);
  EXPECT_EQ(missing.probe, Probe::kUnreadable);
  EXPECT_EQ(missing.error, "cannot open: No such file or directory");
  if (geteuid() != 0) {  // root reads anything
    auto path = tmp.file("locked.pcap");
    write_file(path, make_pcap({{bytes_of(60, 0)}}));
    chmod(path.c_str(), 0);
    auto locked = open_capture(path, 0);
    EXPECT_EQ(locked.probe, Probe::kUnreadable);
    EXPECT_EQ(locked.error, "cannot open: Permission denied");
  }
}

}  // namespace
}  // namespace trawl::capture
