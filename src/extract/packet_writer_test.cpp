// The writers round-trip through libpcap (an independent reader) and through trawl's own reader for the
// multi-link-type pcapng that libpcap does not read.
#include "extract/packet_writer.h"

#include <pcap/pcap.h>

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "capture/capture_reader.h"
#include "support/testing.h"

namespace trawl::extract {
namespace {

struct Pkt {
  int64_t ts_ns;
  uint32_t wirelen;
  uint16_t linktype;
  std::vector<uint8_t> bytes;
};

// Odd lengths (pcapng padding), a snapped packet (wirelen > caplen), a nanosecond-exact time.
std::vector<Pkt> sample(uint16_t second_linktype) {
  std::vector<Pkt> v;
  for (int i = 0; i < 5; ++i) {
    Pkt p;
    p.ts_ns = 1'700'000'000'123'456'789 + int64_t(i) * 1'000'001'001;
    p.linktype = i == 3 ? second_linktype : uint16_t(capture::kLinkEthernet);
    for (int b = 0; b < 60 + i; ++b) p.bytes.push_back(uint8_t(b * 7 + i));
    p.wirelen = uint32_t(p.bytes.size()) + (i == 2 ? 1000 : 0);
    v.push_back(p);
  }
  return v;
}

capture::RawPacket raw_of(const Pkt& p) {
  capture::RawPacket r;
  r.ts_ns = p.ts_ns;
  r.caplen = uint32_t(p.bytes.size());
  r.wirelen = p.wirelen;
  r.linktype = p.linktype;
  r.data = p.bytes.data();
  return r;
}

void write_all(const std::string& path, const std::vector<Pkt>& pkts, OutputOptions options, FileFormat expect) {
  PacketFile f(path, options);
  for (const auto& p : pkts) f.write(raw_of(p));
  f.close();
  EXPECT_EQ(f.written(), pkts.size());
  EXPECT_EQ(f.format(), expect);
}

// What libpcap reads back, at the given timestamp precision.
std::vector<Pkt> read_libpcap(const std::string& path, bool nano, int* linktype = nullptr, int* snaplen = nullptr) {
  char err[PCAP_ERRBUF_SIZE];
  pcap_t* p = pcap_open_offline_with_tstamp_precision(path.c_str(), nano ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO, err);
  if (!p) throw std::runtime_error(err);
  if (linktype) *linktype = pcap_datalink(p);
  if (snaplen) *snaplen = pcap_snapshot(p);
  std::vector<Pkt> out;
  pcap_pkthdr* h;
  const u_char* data;
  while (pcap_next_ex(p, &h, &data) == 1) {
    Pkt k;
    k.ts_ns = int64_t(h->ts.tv_sec) * 1'000'000'000 + int64_t(h->ts.tv_usec) * (nano ? 1 : 1000);
    k.wirelen = h->len;
    k.linktype = uint16_t(pcap_datalink(p));
    k.bytes.assign(data, data + h->caplen);
    out.push_back(k);
  }
  pcap_close(p);
  return out;
}

void expect_same(const std::vector<Pkt>& got, const std::vector<Pkt>& want, int64_t ts_unit) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].ts_ns, want[i].ts_ns / ts_unit * ts_unit) << i;
    EXPECT_EQ(got[i].wirelen, want[i].wirelen) << i;
    EXPECT_EQ(got[i].linktype, want[i].linktype) << i;
    EXPECT_EQ(got[i].bytes, want[i].bytes) << i;
  }
}

TEST(PcapWriter, MicrosecondFileReadsBackThroughLibpcap) {
  testing::TempDir dir;
  auto pkts = sample(capture::kLinkEthernet);
  OutputOptions o;
  o.snaplen = 1600;
  write_all(dir.file("u.pcap"), pkts, o, FileFormat::kPcap);
  int linktype = 0, snaplen = 0;
  expect_same(read_libpcap(dir.file("u.pcap"), false, &linktype, &snaplen), pkts, 1000);
  EXPECT_EQ(linktype, DLT_EN10MB);
  EXPECT_EQ(snaplen, 1600);
  EXPECT_EQ(uint8_t(testing::read_file(dir.file("u.pcap"))[0]), 0xd4);  // microsecond magic
}

TEST(PcapWriter, NanosecondFileKeepsEveryNanosecond) {
  testing::TempDir dir;
  auto pkts = sample(capture::kLinkEthernet);
  OutputOptions o;
  o.nanosecond = true;
  write_all(dir.file("n.pcap"), pkts, o, FileFormat::kPcap);
  expect_same(read_libpcap(dir.file("n.pcap"), true), pkts, 1);
  EXPECT_EQ(uint8_t(testing::read_file(dir.file("n.pcap"))[0]), 0x4d);  // nanosecond magic
}

TEST(PcapngWriter, ForcedPcapngReadsBackThroughLibpcap) {
  testing::TempDir dir;
  auto pkts = sample(capture::kLinkEthernet);
  OutputOptions o;
  o.format = FileFormat::kPcapng;
  write_all(dir.file("a.pcapng"), pkts, o, FileFormat::kPcapng);
  expect_same(read_libpcap(dir.file("a.pcapng"), true), pkts, 1);
}

TEST(PacketFile, SecondLinkTypeTurnsTheFileIntoPcapng) {
  testing::TempDir dir;
  auto pkts = sample(capture::kLinkLinuxSll);
  write_all(dir.file("m.out"), pkts, OutputOptions{}, FileFormat::kPcapng);
  // The packets written as pcap before the switch keep microseconds; libpcap rejects a second link type
  // in one pcapng, so trawl's reader (tested against Wireshark's) reads it back.
  auto r = capture::open_capture(dir.file("m.out"), 0);
  ASSERT_TRUE(r.reader) << r.error;
  EXPECT_EQ(r.reader->format(), capture::CaptureFormat::kPcapng);
  std::vector<Pkt> got;
  capture::RawPacket raw;
  while (r.reader->next(raw)) got.push_back({raw.ts_ns, raw.wirelen, raw.linktype, {raw.data, raw.data + raw.caplen}});
  EXPECT_FALSE(r.reader->error());
  ASSERT_EQ(got.size(), pkts.size());
  for (size_t i = 0; i < got.size(); ++i) {
    int64_t unit = i < 3 ? 1000 : 1;  // written before the switch: as microsecond pcap first
    EXPECT_EQ(got[i].ts_ns, pkts[i].ts_ns / unit * unit) << i;
    EXPECT_EQ(got[i].linktype, pkts[i].linktype) << i;
    EXPECT_EQ(got[i].wirelen, pkts[i].wirelen) << i;
    EXPECT_EQ(got[i].bytes, pkts[i].bytes) << i;
  }
}

TEST(PacketFile, ForcedPcapRefusesASecondLinkType) {
  testing::TempDir dir;
  auto pkts = sample(capture::kLinkRaw);
  OutputOptions o;
  o.format = FileFormat::kPcap;
  PacketFile f(dir.file("x.pcap"), o);
  for (int i = 0; i < 3; ++i) f.write(raw_of(pkts[i]));
  EXPECT_THROW(f.write(raw_of(pkts[3])), std::runtime_error);
}

TEST(PacketFile, UnwritablePathIsAClearError) {
  try {
    PacketFile f("/nonexistent-dir/x.pcap", OutputOptions{});
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent-dir/x.pcap"), std::string::npos);
  }
}

TEST(PacketFile, NoPacketsIsAValidEmptyCapture) {
  testing::TempDir dir;
  PacketFile f(dir.file("e.pcap"), OutputOptions{});
  f.close();
  EXPECT_EQ(f.written(), 0u);
  EXPECT_TRUE(read_libpcap(dir.file("e.pcap"), false).empty());
}

}  // namespace
}  // namespace trawl::extract
