// Flows of real captures against Zeek's own conn.log baselines for the same traces.
//
// The expected rows are copied from Zeek's repository (zeek/zeek, testing/btest/Baseline/<test>/conn.log),
// i.e. what a peer tool computed, not what this code computes. The captures are Zeek's test traces, kept
// in ../shared/pcaps. Rows compare as a multiset (Zeek orders its log by removal time).
#include <gtest/gtest.h>
#include <pcap/pcap.h>

#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include "flow/flow_table.h"
#include "packet/decoder.h"
#include "support/testing.h"

namespace trawl::flow {
namespace {

struct Row {
  std::string orig_h;
  uint16_t orig_p;
  std::string resp_h;
  uint16_t resp_p;
  std::string proto, conn_state, history;
  uint64_t orig_pkts, orig_ip_bytes, resp_pkts, resp_ip_bytes;

  auto tie() const {
    return std::tie(orig_h, orig_p, resp_h, resp_p, proto, conn_state, history, orig_pkts, orig_ip_bytes,
                    resp_pkts, resp_ip_bytes);
  }
  bool operator<(const Row& o) const { return tie() < o.tie(); }
  bool operator==(const Row& o) const { return tie() == o.tie(); }
};

void PrintTo(const Row& r, std::ostream* os) {
  *os << r.orig_h << ":" << r.orig_p << " -> " << r.resp_h << ":" << r.resp_p << " " << r.proto << " "
      << r.conn_state << " " << r.history << " " << r.orig_pkts << "/" << r.orig_ip_bytes << " " << r.resp_pkts
      << "/" << r.resp_ip_bytes;
}

struct Collect : FlowSink {
  std::vector<ConnRecord> records;
  void on_flow_end(ConnRecord&& r) override { records.push_back(std::move(r)); }
};

// Decodes the capture with libpcap + the packet Decoder and returns its flows. Sets *decoded to the
// number of packets that had an IP layer.
std::vector<Row> flows_of(const std::string& path, size_t* decoded) {
  char err[PCAP_ERRBUF_SIZE];
  pcap_t* p = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, err);
  EXPECT_NE(p, nullptr) << err;
  Collect sink;
  FlowTable table(sink);
  packet::Decoder decoder;
  *decoded = 0;
  if (p) {
    pcap_pkthdr* h;
    const u_char* data;
    uint64_t frame = 0;
    while (pcap_next_ex(p, &h, &data) == 1) {
      capture::RawPacket raw;
      raw.ts_ns = int64_t(h->ts.tv_sec) * 1'000'000'000 + h->ts.tv_usec;  // nanosecond precision requested
      raw.caplen = h->caplen;
      raw.wirelen = h->len;
      raw.linktype = uint16_t(pcap_datalink(p));
      raw.frame = ++frame;
      raw.data = data;
      packet::PacketView view;
      decoder.decode(raw, view);
      if (view.is_ip()) ++*decoded;
      table.add(view, raw);
    }
    pcap_close(p);
  }
  table.flush();
  std::vector<Row> rows;
  for (const auto& r : sink.records)
    rows.push_back({r.orig_h.str(), r.orig_p, r.resp_h.str(), r.resp_p, proto_name(r.proto), r.conn_state,
                    r.history, r.orig_pkts, r.orig_ip_bytes, r.resp_pkts, r.resp_ip_bytes});
  std::sort(rows.begin(), rows.end());
  return rows;
}

void expect_flows(const std::string& capture, std::vector<Row> expected) {
  size_t decoded = 0;
  std::vector<Row> got = flows_of(testing::shared_pcap(capture), &decoded);
  ASSERT_GT(decoded, 0u) << "the packet Decoder returned no IP packet for " << capture;
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(got, expected);
}

// Baseline/scripts.base.protocols.ftp.ftp-ipv4/conn.log
TEST(FlowGolden, ZeekFtpIpv4) {
  expect_flows("zeek-ftp-ipv4.pcap",
               {
                   {"141.142.220.235", 37604, "199.233.217.249", 56666, "tcp", "SF", "ShAdfFa", 4, 216, 4, 562},
                   {"141.142.220.235", 59378, "199.233.217.249", 56667, "tcp", "SF", "ShAdfFa", 4, 216, 4, 297},
                   {"199.233.217.249", 61920, "141.142.220.235", 33582, "tcp", "SF", "ShADaFf", 5, 614, 3, 164},
                   {"199.233.217.249", 61918, "141.142.220.235", 37835, "tcp", "SF", "ShADaFf", 5, 349, 3, 164},
                   {"141.142.220.235", 50003, "199.233.217.249", 21, "tcp", "SF", "ShAdDfFa", 38, 2164, 25, 4458},
               });
}

// Baseline/scripts.base.protocols.ftp.ftp-ipv6/conn.log
TEST(FlowGolden, ZeekFtpIpv6) {
  const char* c = "2001:470:1f11:81f:c999:d94:aa7c:2e3e";
  const char* s = "2001:470:4867:99::21";
  expect_flows("zeek-ftp-ipv6.pcap", {
                                         {c, 49186, s, 57086, "tcp", "SF", "ShAdfFa", 5, 372, 4, 642},
                                         {c, 49187, s, 57087, "tcp", "SF", "ShAdfFa", 5, 372, 4, 343},
                                         {c, 49188, s, 57088, "tcp", "SF", "ShAdfFa", 5, 372, 4, 377},
                                         {s, 55785, c, 49189, "tcp", "SF", "ShADFaf", 5, 449, 4, 300},
                                         {c, 49185, s, 21, "tcp", "SF", "ShAdDfFa", 57, 4426, 34, 5908},
                                         {s, 55647, c, 49190, "tcp", "SF", "ShADFaf", 5, 714, 4, 300},
                                     });
}

// Baseline/scripts.base.protocols.pop3.basic/conn.log: rejected attempts retried on the same ports are
// separate connections (Zeek's connection reuse after a RST).
TEST(FlowGolden, ZeekPop3) {
  const char* c = "192.168.0.4";
  expect_flows("zeek-pop3.pcap",
               {
                   {c, 26242, "212.227.15.188", 110, "tcp", "REJ", "Sr", 1, 52, 1, 40},
                   {c, 26242, "212.227.15.188", 110, "tcp", "REJ", "Sr", 1, 52, 1, 40},
                   {c, 26245, "212.227.15.171", 110, "tcp", "REJ", "Sr", 1, 52, 1, 40},
                   {c, 26245, "212.227.15.171", 110, "tcp", "REJ", "Sr", 1, 52, 1, 40},
                   {c, 26242, "212.227.15.188", 110, "tcp", "REJ", "Sr", 1, 48, 1, 40},
                   {c, 26245, "212.227.15.171", 110, "tcp", "REJ", "Sr", 1, 48, 1, 40},
                   {c, 26272, "212.227.15.166", 110, "tcp", "SF", "ShAdDafF", 6, 264, 6, 427},
                   {c, 26284, "212.227.15.166", 110, "tcp", "SF", "ShAdDafF", 9, 470, 9, 577},
                   {c, 26304, "212.227.15.166", 110, "tcp", "SF", "ShAdDafF", 6, 264, 6, 427},
                   {c, 26308, "212.227.15.166", 110, "tcp", "SF", "ShAdDafF", 9, 468, 10, 709},
                   {c, 26383, "212.227.15.166", 110, "tcp", "SF", "ShAdDafF", 22, 1030, 30, 20863},
               });
}

}  // namespace
}  // namespace trawl::flow
