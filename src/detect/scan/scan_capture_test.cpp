// End to end: `trawl analyze` on real captures. The expected scans, their targets, ports and open services
// come from tshark's reading of the same captures (or from the attack fixture's labels), not from this code.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "support/labels.h"
#include "support/testing.h"

namespace trawl::detect::scan {
namespace {

using nlohmann::json;
using testing::run;
using testing::shell_quote;

bool is_scan_type(const std::string& type) { return type.starts_with("scan."); }

// Runs trawl analyze; returns the scan alerts and leaves the records in `out`.
std::vector<json> scan_alerts(const std::string& pcap, const testing::TempDir& out) {
  auto r = run(shell_quote(testing::trawl_binary()) + " analyze --quiet " + shell_quote(pcap) + " -o " +
               shell_quote(out.path()) + " >/dev/null");
  // 2: an input was damaged and read up to the damage (some shared captures are cut short on purpose).
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 2) << r.exit_code << r.err;
  std::vector<json> alerts;
  std::istringstream in(testing::read_file(out.file("alerts.jsonl")));
  for (std::string line; std::getline(in, line);) {
    json a = json::parse(line);
    if (is_scan_type(a["type"])) alerts.push_back(a);
  }
  return alerts;
}
std::vector<json> scan_alerts(const std::string& pcap) {
  testing::TempDir out;
  return scan_alerts(pcap, out);
}

// The distinct values tshark prints for one field of the packets a filter selects, sorted numerically
// when they are numbers.
std::vector<std::string> tshark_values(const std::string& pcap, const std::string& filter, const std::string& field) {
  auto r = run("tshark -n -r " + shell_quote(pcap) + " -Y " + shell_quote(filter) + " -T fields -e " + field +
               " 2>/dev/null | sort -u | sort -n");
  std::vector<std::string> out;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

std::vector<std::string> texts(const json& array) {
  std::vector<std::string> out;
  for (const auto& v : array) out.push_back(v.is_string() ? v.get<std::string>() : v.dump());
  return out;
}

const json* only(const std::vector<json>& alerts, const std::string& type) {
  const json* found = nullptr;
  for (const json& a : alerts) {
    if (a["type"] != type) continue;
    EXPECT_EQ(found, nullptr) << "two " << type << " alerts";
    found = &a;
  }
  EXPECT_NE(found, nullptr) << "no " << type << " alert";
  return found;
}

#define NEED_TSHARK() \
  if (!testing::have_tool("tshark")) GTEST_SKIP() << "tshark missing"

TEST(ScanCaptures, SynScanOfOneHost) {
  NEED_TSHARK();
  const std::string pcap = testing::shared_pcap("chrissanders-synscan.pcapng");
  auto alerts = scan_alerts(pcap);
  ASSERT_EQ(alerts.size(), 1u);
  const json* a = only(alerts, "scan.tcp_syn");
  ASSERT_TRUE(a);
  EXPECT_EQ((*a)["src"], "172.16.0.8");
  EXPECT_EQ((*a)["dst"], "64.13.134.52");
  EXPECT_EQ((*a)["evidence"]["shape"], "vertical");
  auto ports = tshark_values(pcap, "ip.src==172.16.0.8 && tcp.flags==0x002", "tcp.dstport");
  EXPECT_EQ((*a)["evidence"]["ports_count"], ports.size());
  // Open: the ports that answered SYN/ACK.
  EXPECT_EQ(texts((*a)["evidence"]["open_ports"]),
            tshark_values(pcap, "ip.dst==172.16.0.8 && tcp.flags==0x012", "tcp.srcport"));
  EXPECT_EQ((*a)["frames"][0]["frames"].size(), 50u);
}

TEST(ScanCaptures, MasscanFindsNothingOpen) {
  NEED_TSHARK();
  const std::string pcap = testing::shared_pcap("esnet-masscan-tcp.pcap");
  auto alerts = scan_alerts(pcap);
  ASSERT_EQ(alerts.size(), 1u);
  const json* a = only(alerts, "scan.tcp_syn");
  ASSERT_TRUE(a);
  EXPECT_EQ((*a)["src"], "172.31.15.102");
  EXPECT_EQ((*a)["evidence"]["ports_count"], tshark_values(pcap, "tcp.flags==0x002", "tcp.dstport").size());
  EXPECT_EQ((*a)["evidence"]["open_count"], 0);
}

TEST(ScanCaptures, SweepsOfASubnet) {
  NEED_TSHARK();
  struct Case {
    std::string file, type, filter, field, src;
  };
  for (const Case& c : {Case{"sgr-arp-scan.pcap", "scan.arp_sweep", "arp.opcode==1 && arp.dst.proto_ipv4 != 10.0.0.128",
                             "arp.dst.proto_ipv4", "10.0.0.128"},
                        Case{"zeek-nmap-vsn.pcap", "scan.arp_sweep", "arp.opcode==1", "arp.dst.proto_ipv4", "192.168.1.71"},
                        Case{"sgr-icmp-scan.pcap", "scan.icmp_sweep", "icmp.type==8", "ip.dst", "10.0.0.128"}}) {
    SCOPED_TRACE(c.file);
    const std::string pcap = testing::shared_pcap(c.file);
    auto alerts = scan_alerts(pcap);
    ASSERT_EQ(alerts.size(), 1u);
    const json* a = only(alerts, c.type);
    ASSERT_TRUE(a);
    EXPECT_EQ((*a)["src"], c.src);
    EXPECT_EQ((*a)["evidence"]["targets_count"], tshark_values(pcap, c.filter, c.field).size());
  }
}

TEST(ScanCaptures, UdpHostDiscoveryIsAHorizontalUdpScan) {
  NEED_TSHARK();
  const std::string pcap = testing::shared_pcap("sgr-udp-scan.pcap");
  auto alerts = scan_alerts(pcap);
  ASSERT_EQ(alerts.size(), 1u);
  const json* a = only(alerts, "scan.udp");
  ASSERT_TRUE(a);
  EXPECT_EQ((*a)["evidence"]["shape"], "horizontal");
  auto ports = tshark_values(pcap, "udp", "udp.dstport");
  ASSERT_EQ(ports.size(), 1u);
  EXPECT_EQ((*a)["dst_port"].dump(), ports[0]);
  EXPECT_EQ((*a)["evidence"]["targets_count"], tshark_values(pcap, "udp", "ip.dst").size());
}

TEST(ScanCaptures, EternalBlueCheck) {
  auto alerts = scan_alerts(testing::shared_pcap("id2t-eternalblue-scan.pcap"));
  ASSERT_EQ(alerts.size(), 1u);
  const json* a = only(alerts, "scan.smb_vuln");
  ASSERT_TRUE(a);
  EXPECT_EQ((*a)["src"], "192.168.189.138");
  EXPECT_EQ((*a)["dst"], "192.168.189.140");
  EXPECT_EQ((*a)["evidence"]["checks"], json({"ms17-010", "doublepulsar"}));
  EXPECT_EQ((*a)["evidence"]["vulnerable"], json({"ms17-010"}));  // STATUS_INSUFF_SERVER_RESOURCES
  EXPECT_EQ((*a)["severity"], "critical");
}

// Every other shared capture holds no scan: a spoofed SYN flood, an nmap -A of one port, traceroute, botnet
// C2, ordinary sessions. Nothing of the scan family may fire there.
TEST(ScanCaptures, NoScanAnywhereElse) {
  const std::set<std::string> scans = {"chrissanders-synscan.pcapng", "esnet-masscan-tcp.pcap", "sgr-arp-scan.pcap",
                                       "sgr-icmp-scan.pcap",         "sgr-udp-scan.pcap",      "zeek-nmap-vsn.pcap",
                                       "id2t-eternalblue-scan.pcap"};
  size_t checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(testing::shared_pcaps_dir())) {
    std::string name = entry.path().filename().string();
    if (scans.count(name) || name == "MANIFEST.tsv" || !entry.is_regular_file()) continue;
    SCOPED_TRACE(name);
    for (const json& a : scan_alerts(entry.path().string())) ADD_FAILURE() << a.dump();
    ++checked;
  }
  EXPECT_GT(checked, 40u);
}

// conn.jsonl's orig_flags is the OR of tcp.flags over the originator's packets: checked per originator
// 4-tuple (all connections on it together) against tshark on captures full of odd flag sets.
TEST(ScanCaptures, OrigFlagsMatchTshark) {
  NEED_TSHARK();
  std::vector<std::string> pcaps = {testing::shared_pcap("esnet-nmap-80-all.pcap"),
                                    testing::shared_pcap("zeek-nmap-vsn.pcap"),
                                    testing::shared_pcap("chrissanders-synscan.pcapng")};
  std::string scans = testing::fixtures_dir() + "/attacks/scans.pcap";
  if (std::filesystem::exists(scans)) pcaps.push_back(scans);
  for (const std::string& pcap : pcaps) {
    SCOPED_TRACE(pcap);
    testing::TempDir out;
    scan_alerts(pcap, out);
    std::map<std::string, int> ours;
    std::set<std::string> roles;  // 4-tuples seen as originator
    std::istringstream in(testing::read_file(out.file("conn.jsonl")));
    for (std::string line; std::getline(in, line);) {
      json c = json::parse(line);
      if (c["proto"] != "tcp") continue;
      std::string key = c["src"].get<std::string>() + ":" + c["sport"].dump() + ">" + c["dst"].get<std::string>() +
                        ":" + c["dport"].dump();
      ours[key] |= c["orig_flags"].get<int>();
    }
    auto r = run("tshark -n -r " + shell_quote(pcap) +
                 " -Y 'tcp && !icmp' -T fields -e ip.src -e tcp.srcport -e ip.dst -e tcp.dstport -e tcp.flags 2>/dev/null");
    std::map<std::string, int> theirs;
    std::istringstream t(r.out);
    for (std::string line; std::getline(t, line);) {
      std::istringstream f(line);
      std::string s, sp, d, dp, flags;
      f >> s >> sp >> d >> dp >> flags;
      theirs[s + ":" + sp + ">" + d + ":" + dp] |= std::stoi(flags, nullptr, 16);
    }
    ASSERT_FALSE(ours.empty());
    for (const auto& [key, flags] : ours) {
      // A tuple that is also some flow's responder side mixes both roles in tshark's packets: skip it.
      std::string rev = key.substr(key.find('>') + 1) + ">" + key.substr(0, key.find('>'));
      if (ours.count(rev)) continue;
      EXPECT_EQ(flags, theirs[key]) << key;
    }
  }
}

// ---- the attack fixtures: labels say what must be found ----

std::string fixture(const std::string& name) {
  std::string path = testing::fixtures_dir() + "/attacks/" + name;
  return std::filesystem::exists(path) ? path : "";
}

struct Label {
  std::string type, src, dst, port, note;
};
std::vector<Label> labels(const std::string& tsv) {
  std::vector<Label> out;
  for (auto& r : testing::read_label_rows(tsv, {"type", "src", "dst", "dst_port", "note"}))
    if (is_scan_type(r["type"])) out.push_back({r["type"], r["src"], r["dst"], r["dst_port"], r["note"]});
  return out;
}

// Each label matches exactly one alert (type, source, and target or port where the label names one), and no
// scan alert is left unmatched.
void check_fixture(const std::string& scenario) {
  std::string pcap = fixture(scenario + ".pcap");
  if (pcap.empty()) GTEST_SKIP() << "fixtures/attacks/" << scenario << ".pcap not made yet";
  auto alerts = scan_alerts(pcap);
  auto want = labels(fixture(scenario + ".labels.tsv"));
  ASSERT_FALSE(want.empty());
  std::vector<bool> used(alerts.size());
  for (const Label& l : want) {
    SCOPED_TRACE(l.type + " " + l.src + " " + l.note);
    int hits = 0;
    for (size_t i = 0; i < alerts.size(); ++i) {
      const json& a = alerts[i];
      if (a["type"] != l.type || a["src"] != l.src) continue;
      if (!l.dst.empty() && a["dst"] != l.dst) continue;
      if (!l.port.empty() && a["dst_port"].dump() != l.port) continue;
      ++hits;
      used[i] = true;
      // Shape and open services against the label's note and tshark.
      if (l.note.find("shape=vertical") != std::string::npos) {
        EXPECT_EQ(a["evidence"]["shape"], "vertical");
      }
      if (l.note.find("shape=horizontal") != std::string::npos) {
        EXPECT_EQ(a["evidence"]["shape"], "horizontal");
      }
      if (l.type == "scan.tcp_syn" || l.type == "scan.tcp_connect") {
        EXPECT_EQ(texts(a["evidence"]["open_ports"]),
                  tshark_values(pcap, "ip.dst==" + l.src + " && tcp.flags==0x012", "tcp.srcport"));
      }
      // Sweeps: the hosts that answered the sweeper.
      if (l.type == "scan.arp_sweep") {
        EXPECT_EQ(a["evidence"]["answered_count"],
                  tshark_values(pcap, "arp.opcode==2 && arp.dst.proto_ipv4==" + l.src, "arp.src.proto_ipv4").size());
      }
      if (l.type == "scan.icmp_sweep") {
        EXPECT_EQ(a["evidence"]["answered_count"], tshark_values(pcap, "icmp.type==0 && ip.dst==" + l.src, "ip.src").size());
      }
      if (l.type == "scan.udp") {
        EXPECT_EQ(texts(a["evidence"]["open_ports"]),
                  tshark_values(pcap, "ip.dst==" + l.src + " && udp && !icmp", "udp.srcport"));
      }
    }
    EXPECT_EQ(hits, 1);
  }
  for (size_t i = 0; i < alerts.size(); ++i)
    if (!used[i]) ADD_FAILURE() << "unlabelled: " << alerts[i].dump();
}

TEST(ScanFixtures, Scans) { check_fixture("scans"); }
TEST(ScanFixtures, SmbVuln) {
  check_fixture("smb-vuln");
  std::string pcap = fixture("smb-vuln.pcap");
  if (pcap.empty()) return;
  auto alerts = scan_alerts(pcap);
  const json* a = only(alerts, "scan.smb_vuln");
  ASSERT_TRUE(a);
  EXPECT_EQ((*a)["evidence"]["checks"], json({"ms08-067", "cve-2009-3103", "ms06-025", "ms07-029", "ms17-010"}));
}
TEST(ScanFixtures, BenignRaisesNothing) {
  std::string pcap = fixture("benign.pcap");
  if (pcap.empty()) GTEST_SKIP() << "fixtures/attacks/benign.pcap not made yet";
  for (const json& a : scan_alerts(pcap)) ADD_FAILURE() << a.dump();
}
// The other attack scenarios hold scans only where their labels say so (the worm hosts' scans are labelled).
TEST(ScanFixtures, OtherScenariosOnlyWhereLabelled) {
  for (const char* scenario : {"bruteforce", "mail", "beacon", "dns", "worm"}) {
    SCOPED_TRACE(scenario);
    if (fixture(std::string(scenario) + ".pcap").empty()) continue;
    auto want = labels(fixture(std::string(scenario) + ".labels.tsv"));
    if (want.empty()) {
      for (const json& a : scan_alerts(fixture(std::string(scenario) + ".pcap"))) ADD_FAILURE() << a.dump();
    } else {
      check_fixture(scenario);
    }
  }
}

}  // namespace
}  // namespace trawl::detect::scan
