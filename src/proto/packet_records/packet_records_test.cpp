// ARP and ICMP-error records of real captures against tshark's dissection of the same frames.
#include "proto/packet_records/packet_records.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "capture/capture_set.h"
#include "packet/decoder.h"
#include "packet/test_packets.h"
#include "support/testing.h"

namespace trawl::proto::packet_records {
namespace {

using nlohmann::json;
using testing::have_tool;
using testing::run;
using testing::shared_pcap;
using testing::shell_quote;

struct Sink final : RecordSink {
  std::map<std::string, std::vector<json>> by_type;
  void emit(const Record& r) override {
    char* buf = nullptr;
    size_t len = 0;
    std::FILE* f = open_memstream(&buf, &len);
    {
      output::TableWriter w(f, output::Format::kJsonl, r.type().columns);
      r.write(w, {});
      w.finish();
    }
    std::fclose(f);
    by_type[std::string(r.type().name)].push_back(json::parse(std::string(buf, len)));
    std::free(buf);
  }
};

// Every record of one capture, read and decoded the way `trawl analyze` does it.
Sink records_of(const std::string& path) {
  capture::CaptureSet set({path});
  std::vector<std::string> names;
  for (const auto& f : set.files()) names.push_back(f.name);
  Sink sink;
  PacketRecords records(sink, names);
  packet::Decoder decoder;
  capture::RawPacket raw;
  packet::PacketView view;
  while (set.next(raw)) {
    decoder.decode(raw, view);
    records.add(view, raw);
  }
  return sink;
}

// tshark -T fields rows, split at tabs.
std::vector<std::vector<std::string>> tshark_rows(const std::string& pcap, const std::string& filter,
                                                  const std::string& fields) {
  auto r = run("tshark -n -r " + shell_quote(pcap) + " -Y " + shell_quote(filter) + " -T fields " + fields +
               " -E occurrence=a -E aggregator=, 2>/dev/null");
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(r.out);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> cols;
    size_t start = 0;
    while (true) {
      size_t tab = line.find('\t', start);
      cols.push_back(line.substr(start, tab - start));
      if (tab == std::string::npos) break;
      start = tab + 1;
    }
    rows.push_back(cols);
  }
  return rows;
}

std::string nth(const std::string& list, size_t i) {  // the i-th value of an aggregated field, or ""
  size_t start = 0;
  for (size_t k = 0; k < i; ++k) {
    start = list.find(',', start);
    if (start == std::string::npos) return "";
    ++start;
  }
  return list.substr(start, list.find(',', start) - start);
}

std::string text(const json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

void compare_arp(const std::string& name, size_t min_rows) {
  if (!have_tool("tshark")) GTEST_SKIP() << "tshark missing";
  const std::string pcap = shared_pcap(name);
  auto theirs = tshark_rows(pcap, "arp",
                            "-e frame.number -e arp.opcode -e arp.src.proto_ipv4 -e arp.dst.proto_ipv4 "
                            "-e arp.src.hw_mac -e arp.dst.hw_mac");
  ASSERT_GE(theirs.size(), min_rows) << name;
  auto ours = records_of(pcap).by_type["arp"];
  ASSERT_EQ(ours.size(), theirs.size()) << name;
  for (size_t i = 0; i < ours.size(); ++i) {
    const json& r = ours[i];
    const auto& t = theirs[i];
    EXPECT_EQ(std::to_string(r["frame"].get<uint64_t>()), t[0]);
    EXPECT_EQ(std::to_string(r["op"].get<int>()), t[1]) << "frame " << t[0];
    EXPECT_EQ(text(r["src"]), t[2]) << "frame " << t[0];
    EXPECT_EQ(text(r["dst"]), t[3]) << "frame " << t[0];
    EXPECT_EQ(text(r["sender_mac"]), t[4]) << "frame " << t[0];
    EXPECT_EQ(text(r["target_mac"]), t[5]) << "frame " << t[0];
    EXPECT_EQ(r["op_name"], t[1] == "1" ? "request" : "reply") << "frame " << t[0];
    EXPECT_EQ(r["sport"], 0);
    EXPECT_EQ(r["file"], name);
  }
}

TEST(ArpRecords, SgrArpScan) { compare_arp("sgr-arp-scan.pcap", 500); }
TEST(ArpRecords, ZeekArpWhoHas) { compare_arp("zeek-arp-who-has.pcap", 2); }
TEST(ArpRecords, ZeekNmapVersionScan) { compare_arp("zeek-nmap-vsn.pcap", 200); }
TEST(ArpRecords, ChrisSandersArpPoison) { compare_arp("chrissanders-arppoison.pcapng", 4); }
TEST(ArpRecords, LinuxCookedCapture) { compare_arp("ppp-sll.pcap", 1); }

// tshark prints the outer and the quoted IP header's fields one after the other; transport ports appear
// only in the quote.
void compare_icmp(const std::string& pcap, size_t min_rows, bool v6 = false) {
  if (!have_tool("tshark")) GTEST_SKIP() << "tshark missing";
  std::string filter = v6 ? "icmpv6.type >= 1 && icmpv6.type <= 4"
                          : "icmp.type == 3 || icmp.type == 4 || icmp.type == 5 || icmp.type == 11 || icmp.type == 12";
  std::string ip = v6 ? "ipv6" : "ip";
  std::string icmp = v6 ? "icmpv6" : "icmp";
  auto theirs = tshark_rows(pcap, filter,
                            "-e frame.number -e " + icmp + ".type -e " + icmp + ".code -e " + ip + ".src -e " + ip +
                                ".dst -e " + (v6 ? "ipv6.nxt" : "ip.proto") +
                                " -e udp.srcport -e udp.dstport -e tcp.srcport -e tcp.dstport");
  ASSERT_GE(theirs.size(), min_rows) << pcap;
  auto ours = records_of(pcap).by_type["icmp"];
  ASSERT_EQ(ours.size(), theirs.size()) << pcap;
  std::map<std::string, std::string> proto_names = {{"1", "icmp"}, {"6", "tcp"}, {"17", "udp"}, {"58", "icmp6"}};
  for (size_t i = 0; i < ours.size(); ++i) {
    const json& r = ours[i];
    const auto& t = theirs[i];
    const std::string at = "frame " + t[0];
    EXPECT_EQ(std::to_string(r["frame"].get<uint64_t>()), t[0]);
    EXPECT_EQ(r["proto"], v6 ? "icmp6" : "icmp");
    EXPECT_EQ(std::to_string(r["type"].get<int>()), nth(t[1], 0)) << at;
    EXPECT_EQ(std::to_string(r["code"].get<int>()), nth(t[2], 0)) << at;
    EXPECT_EQ(text(r["src"]), nth(t[3], 0)) << at;
    EXPECT_EQ(text(r["dst"]), nth(t[4], 0)) << at;
    if (nth(t[3], 1).empty()) {  // a quote cut inside its IP header: tshark shows bits of it, we nothing
      EXPECT_TRUE(r["quoted_proto"].is_null() && r["quoted_dst"].is_null()) << at;
      continue;
    }
    EXPECT_EQ(text(r["quoted_src"]), nth(t[3], 1)) << at;
    EXPECT_EQ(text(r["quoted_dst"]), nth(t[4], 1)) << at;
    std::string qproto = nth(t[5], 1);  // the outer header's protocol comes first
    EXPECT_EQ(text(r["quoted_proto"]), proto_names.count(qproto) ? proto_names[qproto] : qproto) << at;
    std::string sport = !t[6].empty() ? t[6] : t[8], dport = !t[7].empty() ? t[7] : t[9];
    EXPECT_EQ(text(r["quoted_sport"]), sport) << at;
    EXPECT_EQ(text(r["quoted_dport"]), dport) << at;
  }
}

TEST(IcmpRecords, TracerouteTimeExceeded) {
  compare_icmp(shared_pcap("chrissanders-icmp-traceroute.pcapng"), 20);
  auto ours = records_of(shared_pcap("chrissanders-icmp-traceroute.pcapng")).by_type["icmp"];
  ASSERT_FALSE(ours.empty());
  EXPECT_EQ(ours[0]["kind"], "time_exceeded");
  EXPECT_EQ(ours[0]["reason"], "ttl_exceeded");
  EXPECT_EQ(ours[0]["quoted_proto"], "icmp");
  EXPECT_TRUE(ours[0]["quoted_sport"].is_null());  // an echo request has no ports
}
TEST(IcmpRecords, NmapAdminProhibitedQuotingTcp) { compare_icmp(shared_pcap("esnet-nmap-80-all.pcap"), 6); }
TEST(IcmpRecords, SalityMixed) { compare_icmp(shared_pcap("id2t-sality-botnet.pcap"), 40); }
TEST(IcmpRecords, PortUnreachableQuotingUdp) {
  compare_icmp(shared_pcap("suricata-smb2-psexec-add-user.pcap"), 3);
  auto ours = records_of(shared_pcap("suricata-smb2-psexec-add-user.pcap")).by_type["icmp"];
  ASSERT_FALSE(ours.empty());
  EXPECT_EQ(ours[0]["reason"], "port_unreachable");
  EXPECT_EQ(ours[0]["quoted_proto"], "udp");
}
TEST(IcmpRecords, ZeekSmtp) { compare_icmp(shared_pcap("zeek-smtp.pcap"), 4); }

// ICMPv6 errors (none in the shared corpus): hand-built packets, checked against tshark all the same.
TEST(IcmpRecords, Icmpv6PortUnreachableAndTooBig) {
  using namespace packet::test;
  auto icmp6 = [](uint8_t type, uint8_t code, const Bytes& quote) {
    Bytes m = cat({Bytes{type, code, 0, 0, 0, 0, 0, 0}, quote});
    return cat({eth(0x86dd), ipv6(58, m.size()), m});
  };
  Bytes quoted_udp = cat({ipv6(17, 8 + 4), udp(40000, 161, 4), zeros(4)});
  Bytes quoted_tcp = cat({ipv6(6, 20), tcp(40001, 443, 0x02)});
  testing::TempDir dir;
  std::string pcap = dir.file("icmp6.pcap");
  testing::write_file(pcap, testing::make_pcap({{icmp6(1, 4, quoted_udp)},
                                                {icmp6(2, 0, quoted_tcp)},
                                                {icmp6(128, 0, zeros(8))},                 // echo: no record
                                                {icmp6(3, 0, cut(quoted_udp, 30))}}));  // quote cut short
  compare_icmp(pcap, 3, true);
  auto ours = records_of(pcap).by_type["icmp"];
  ASSERT_EQ(ours.size(), 3u);
  EXPECT_EQ(ours[0]["reason"], "port_unreachable");
  EXPECT_EQ(ours[1]["kind"], "packet_too_big");
  EXPECT_EQ(ours[2]["kind"], "time_exceeded");
  EXPECT_TRUE(ours[2]["quoted_src"].is_null());
}

TEST(PacketRecords, OnlyArpAndIcmpErrorsMakeRecords) {
  auto sink = records_of(shared_pcap("chrissanders-synscan.pcapng"));
  EXPECT_TRUE(sink.by_type.empty());
}

}  // namespace
}  // namespace trawl::proto::packet_records
