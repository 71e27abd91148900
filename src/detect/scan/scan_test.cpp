// The scan detectors on hand-written records: each threshold met and missed by one, the flag sets that
// name the scan types, and the traffic that must not look like a scan (busy clients, floods, traceroute).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>

#include <fmt/format.h>

#include "detect/engine.h"
#include "detect/scan/scan_detector.h"
#include "support/testing.h"

namespace trawl::detect::scan {
namespace {

constexpr uint8_t kF = 0x01, kS = 0x02, kR = 0x04, kP = 0x08, kA = 0x10, kU = 0x20;

// OUTDIR files built line by line.
struct Records {
  std::map<std::string, std::string> files;
  uint64_t frame = 0;

  struct Conn {
    std::string src = "10.0.0.66", dst = "10.0.1.10", proto = "tcp", history = "Sr";
    int sport = 40000, dport = 80;
    int flags = kS;  // orig_flags; -1 leaves the column out (records of an older trawl)
    uint64_t orig_bytes = 0, resp_bytes = 0, orig_pkts = 1, resp_pkts = 1;
    double ts = 1000;
    std::string file = "t.pcap";
  };
  void conn(const Conn& c) {
    ++frame;
    files["conn"] += fmt::format(
        R"({{"ts":{},"uid":"C{}","src":"{}","sport":{},"dst":"{}","dport":{},"proto":"{}","history":"{}",)"
        R"("orig_bytes":{},"resp_bytes":{},"orig_pkts":{},"resp_pkts":{},{}"file":"{}","frame":{},)"
        R"("frames":[{{"file":"{}","frames":[{}]}}]}})"
        "\n",
        c.ts, frame, c.src, c.sport, c.dst, c.dport, c.proto, c.history, c.orig_bytes, c.resp_bytes, c.orig_pkts,
        c.resp_pkts, c.flags < 0 ? "" : fmt::format(R"("orig_flags":{},)", c.flags), c.file, frame, c.file, frame);
  }
  void arp(double ts, const std::string& sender, const std::string& target, int op = 1,
           const std::string& file = "t.pcap") {
    ++frame;
    files["arp"] += fmt::format(R"({{"ts":{},"uid":"","src":"{}","sport":0,"dst":"{}","dport":0,"file":"{}",)"
                                R"("frame":{},"op":{}}})"
                                "\n",
                                ts, sender, target, file, frame, op);
  }
  void icmp(double ts, const std::string& from, const std::string& kind, const std::string& reason,
            const std::string& qproto, const std::string& qsrc, int qsport, const std::string& qdst, int qdport) {
    ++frame;
    files["icmp"] += fmt::format(
        R"({{"ts":{},"uid":"","src":"{}","sport":0,"dst":"{}","dport":0,"file":"t.pcap","frame":{},"proto":"icmp",)"
        R"("kind":"{}","reason":"{}","quoted_proto":"{}","quoted_src":"{}","quoted_sport":{},"quoted_dst":"{}",)"
        R"("quoted_dport":{}}})"
        "\n",
        ts, from, qsrc, frame, kind, reason, qproto, qsrc, qsport, qdst, qdport);
  }

  // `order`: the order record types are fed in (FeedOptions::order); empty for the usual one.
  std::vector<Alert> detect(const DetectorInfo& which = kScanDetector, const std::string& toml = "",
                            const std::vector<std::string>& order = {}) const {
    testing::TempDir dir;
    for (const char* type : {"conn", "arp", "icmp", "smb"}) {
      auto it = files.find(type);
      testing::write_file(dir.file(std::string(type) + ".jsonl"), it == files.end() ? "" : it->second);
    }
    const DetectorInfo* list[] = {&which};
    FeedOptions feed;
    feed.order = order;
    return run_detectors(dir.path(), Config::from_text(toml), list, feed).alerts;
  }
};

std::string host(int i) { return fmt::format("10.0.1.{}", i); }

// A probe of `flags` from 10.0.0.66 to each port of one host; history as the answer makes it.
void vertical(Records& r, int ports, int flags, const std::string& history, int first_port = 1) {
  for (int p = first_port; p < first_port + ports; ++p) {
    Records::Conn c;
    c.dport = p;
    c.flags = flags;
    c.history = history;
    c.ts = 1000 + p * 0.01;
    r.conn(c);
  }
}

const Alert* find(const std::vector<Alert>& alerts, const std::string& type) {
  for (const Alert& a : alerts)
    if (a.type == type) return &a;
  return nullptr;
}

TEST(ScanDetector, VerticalSynScanAtTheThresholdAndOneBelow) {
  Records r;
  vertical(r, 10, kS, "Sr");
  auto alerts = r.detect();
  ASSERT_EQ(alerts.size(), 1u);
  const Alert& a = alerts[0];
  EXPECT_EQ(a.type, "scan.tcp_syn");
  EXPECT_EQ(a.src, "10.0.0.66");
  EXPECT_EQ(a.dst, "10.0.1.10");
  EXPECT_FALSE(a.dst_port);
  EXPECT_EQ(a.count, 10u);
  EXPECT_EQ(a.evidence["shape"], "vertical");
  EXPECT_EQ(a.evidence["ports_count"], 10);
  EXPECT_EQ(a.evidence["responses"]["rst"], 10);
  EXPECT_EQ(a.mitre, std::vector<std::string>{"T1046"});
  EXPECT_DOUBLE_EQ(a.ts_first, 1000.01);
  EXPECT_DOUBLE_EQ(a.ts_last, 1000.1);
  EXPECT_EQ(a.frames.size(), 10u);

  Records below;
  vertical(below, 9, kS, "Sr");
  EXPECT_TRUE(below.detect().empty());
  // The setting is read, not hard-coded.
  EXPECT_EQ(below.detect(kScanDetector, "[scan]\nmin_ports = 9\n").size(), 1u);
}

TEST(ScanDetector, HorizontalScanNeedsMinHostsOnOnePort) {
  for (int hosts : {12, 11}) {
    Records r;
    for (int i = 1; i <= hosts; ++i) {
      Records::Conn c;
      c.dst = host(i);
      c.dport = 445;
      c.history = i % 2 ? "S" : "ShR";
      c.resp_pkts = i % 2 ? 0 : 1;
      r.conn(c);
    }
    auto alerts = r.detect();
    if (hosts == 11) {
      EXPECT_TRUE(alerts.empty());
      continue;
    }
    ASSERT_EQ(alerts.size(), 1u);
    EXPECT_EQ(alerts[0].type, "scan.tcp_syn");
    EXPECT_FALSE(alerts[0].dst);
    EXPECT_EQ(alerts[0].dst_port, 445);
    EXPECT_EQ(alerts[0].evidence["shape"], "horizontal");
    EXPECT_EQ(alerts[0].evidence["targets_count"], 12);
    EXPECT_EQ(alerts[0].evidence["open_count"], 6);
    EXPECT_EQ(alerts[0].evidence["open"][0], "10.0.1.2:445");  // sorted by address
  }
}

TEST(ScanDetector, BothShapesAndExternalScannerAddsActiveScanning) {
  Records r;
  for (int i = 1; i <= 12; ++i)
    for (int p = 1; p <= 10; ++p) {
      Records::Conn c;
      c.src = "203.0.113.9";
      c.dst = host(i);
      c.dport = p;
      c.history = "S";
      r.conn(c);
    }
  auto alerts = r.detect();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].evidence["shape"], "both");
  EXPECT_EQ(alerts[0].summary.find("203.0.113.9 SYN-scanned 10 ports on 12 hosts"), 0u) << alerts[0].summary;
  EXPECT_EQ(alerts[0].mitre, (std::vector<std::string>{"T1046", "T1595.001"}));
}

TEST(ScanDetector, FlagsNameTheStealthScans) {
  struct Case {
    int flags;
    std::string history, type;
  };
  for (const Case& c : {Case{kF, "Fr", "scan.tcp_fin"}, Case{kF | kP | kU, "Fr", "scan.tcp_xmas"},
                        Case{0, "r", "scan.tcp_null"}, Case{kA, "Ar", "scan.tcp_ack"}}) {
    Records r;
    vertical(r, 12, c.flags, c.history);
    auto alerts = r.detect();
    ASSERT_EQ(alerts.size(), 1u) << c.type;
    EXPECT_EQ(alerts[0].type, c.type);
  }
  // FIN with ACK is how a timed-out connection ends, not a probe; so is a stray RST.
  Records r;
  vertical(r, 12, kF | kA, "F");
  vertical(r, 12, kR | kA, "R", 100);
  EXPECT_TRUE(r.detect().empty());
}

TEST(ScanDetector, RecordsWithoutTheFlagsColumnFallBackToHistory) {
  Records r;
  vertical(r, 12, -1, "Fr");
  vertical(r, 12, -1, "Sr", 100);
  auto alerts = r.detect();
  ASSERT_EQ(alerts.size(), 2u);
  EXPECT_TRUE(find(alerts, "scan.tcp_fin"));
  EXPECT_TRUE(find(alerts, "scan.tcp_syn"));
}

TEST(ScanDetector, StealthScansReportSilentPortsOfAnsweringHostsAsOpenOrFiltered) {
  Records r;
  vertical(r, 10, kF, "Fr");
  vertical(r, 2, kF, "F", 200);  // no RST: open (or filtered)
  auto alerts = r.detect();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].evidence["open_or_filtered_count"], 2);
  EXPECT_EQ(alerts[0].evidence["open_or_filtered"][1], "10.0.1.10:201");
}

TEST(ScanDetector, HandshakesOrSourcePortsTellConnectFromSyn) {
  auto type_of = [](const std::string& open_history, bool fresh_ports) {
    Records r;
    for (int p = 1; p <= 12; ++p) {
      Records::Conn c;
      c.dport = p;
      c.sport = fresh_ports ? 40000 + p : 40000;
      c.history = p <= 2 && !open_history.empty() ? open_history : "Sr";
      c.flags = c.history.find('A') != std::string::npos ? kS | kA | kR : kS | kR;
      r.conn(c);
    }
    auto alerts = r.detect();
    return alerts.size() == 1 ? alerts[0].type : "none";
  };
  EXPECT_EQ(type_of("ShAR", false), "scan.tcp_connect");  // a completed handshake per open port
  EXPECT_EQ(type_of("ShR", true), "scan.tcp_syn");        // SYN/ACK answered by RST: half-open
  EXPECT_EQ(type_of("", true), "scan.tcp_connect");       // nothing open: a fresh source port per probe
  EXPECT_EQ(type_of("", false), "scan.tcp_syn");          // nothing open, one source port
}

TEST(ScanDetector, BusyClientWithFailuresIsNoScan) {
  // 25 hosts never answered on 443, but the client used 443 on 30 others: browsing, not scanning.
  Records r;
  for (int i = 1; i <= 55; ++i) {
    Records::Conn c;
    c.dst = host(i);
    c.dport = 443;
    c.sport = 40000 + i;
    if (i <= 25) {
      c.history = "S", c.resp_pkts = 0;
    } else {
      c.history = "ShADadFf", c.flags = kS | kA | kP | kF, c.orig_bytes = 500, c.resp_bytes = 5000;
    }
    r.conn(c);
  }
  EXPECT_TRUE(r.detect().empty());
  // Without the successful connections the same failures are a horizontal scan.
  Records only_failures;
  for (int i = 1; i <= 25; ++i) {
    Records::Conn c;
    c.dst = host(i);
    c.dport = 443;
    c.history = "S";
    only_failures.conn(c);
  }
  EXPECT_EQ(only_failures.detect().size(), 1u);
}

TEST(ScanDetector, ProbesOfServicesTheSourceUsesDoNotCount) {
  Records r;
  vertical(r, 10, kS, "Sr");
  Records::Conn used;  // a real connection to port 5: its failed retries are no probes
  used.dport = 5;
  used.history = "ShADadFf";
  used.orig_bytes = used.resp_bytes = 100;
  r.conn(used);
  EXPECT_TRUE(r.detect().empty());
}

TEST(ScanDetector, SpoofedSynFloodIsNoScan) {
  Records r;
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    Records::Conn c;
    c.src = fmt::format("{}.{}.{}.{}", 1 + rng() % 200, rng() % 256, rng() % 256, 1 + rng() % 254);
    c.sport = int(1024 + rng() % 60000);
    c.dst = "10.10.10.10";
    c.dport = 25565;
    c.history = "SW";
    c.resp_pkts = 0;
    r.conn(c);
  }
  EXPECT_TRUE(r.detect().empty());
}

TEST(ScanDetector, UdpScanCountsRefusedAndSilentPortsNotReplies) {
  for (int refused : {8, 7}) {
    Records r;
    for (int p = 1; p <= 12; ++p) {
      Records::Conn c;
      c.proto = "udp", c.history = "D", c.flags = -1, c.dport = p, c.resp_pkts = 0;
      if (p > refused) c.history = "Dd", c.resp_pkts = 1;  // answered: a service in use
      r.conn(c);
      if (p <= refused) r.icmp(1000, "10.0.1.10", "dest_unreachable", "port_unreachable", "udp", c.src, c.sport, c.dst, p);
    }
    auto alerts = r.detect();
    if (refused == 7) {
      EXPECT_TRUE(alerts.empty());
      continue;
    }
    ASSERT_EQ(alerts.size(), 1u);
    EXPECT_EQ(alerts[0].type, "scan.udp");
    EXPECT_EQ(alerts[0].proto, "udp");
    EXPECT_EQ(alerts[0].evidence["responses"]["icmp_port_unreachable"], 8);
    EXPECT_EQ(alerts[0].evidence["responses"]["udp_reply"], 4);
    EXPECT_EQ(alerts[0].evidence["open_ports"], nlohmann::ordered_json({9, 10, 11, 12}));
  }
}

TEST(ScanDetector, UdpResolverAndTracerouteAreNoScans) {
  Records r;
  // A resolver asking 40 servers on 53: answered, so not probes. One conversation with many packets.
  for (int i = 1; i <= 40; ++i) {
    Records::Conn c;
    c.src = "10.0.0.53", c.proto = "udp", c.history = "Dd", c.flags = -1, c.dst = host(i), c.dport = 53;
    c.resp_pkts = i <= 35 ? 1 : 0;
    r.conn(c);
  }
  // A server's answers whose queries were not captured: from port 53 to a client's ephemeral ports.
  for (int p = 0; p < 30; ++p) {
    Records::Conn c;
    c.src = "192.0.2.53", c.sport = 53, c.proto = "udp", c.history = "D", c.flags = -1, c.dport = 40000 + p;
    c.resp_pkts = 0;
    r.conn(c);
  }
  // Traceroute: 30 ports of one host, answered by routers with time exceeded.
  for (int p = 33434; p < 33464; ++p) {
    Records::Conn c;
    c.src = "10.0.0.7", c.proto = "udp", c.history = "D", c.flags = -1, c.dport = p, c.resp_pkts = 0;
    r.conn(c);
    r.icmp(1000, "10.0.0.1", "time_exceeded", "ttl_exceeded", "udp", c.src, c.sport, c.dst, p);
  }
  EXPECT_TRUE(r.detect().empty());
}

TEST(ScanDetector, EmptyUdpDatagramsRetriedAreStillProbes) {
  Records r;
  for (int i = 1; i <= 12; ++i) {
    Records::Conn c;
    c.proto = "udp", c.history = "D", c.flags = -1, c.dst = host(i), c.dport = 40125, c.orig_pkts = 4, c.resp_pkts = 0;
    r.conn(c);
  }
  ASSERT_EQ(r.detect().size(), 1u);
}

TEST(ScanDetector, ArpSweepNeedsManyMostlyUnansweredTargets) {
  auto sweep = [](int targets, int answered) {
    Records r;
    for (int i = 1; i <= targets; ++i) {
      r.arp(1000 + i * 0.01, "10.0.0.66", fmt::format("10.0.0.{}", 100 + i));
      r.arp(1000 + i * 0.01, "10.0.0.66", fmt::format("10.0.0.{}", 100 + i));  // a retry is the same target
      if (i <= answered) r.arp(1000 + i * 0.01, fmt::format("10.0.0.{}", 100 + i), "10.0.0.66", 2);
      else r.arp(1000 + i * 0.01, fmt::format("10.0.0.{}", 100 + i), "10.0.0.1", 2);  // answers someone else
    }
    r.arp(1000, "0.0.0.0", "10.0.0.5");    // RFC 5227 probe: ignored
    r.arp(1000, "10.0.0.66", "10.0.0.66");  // gratuitous: ignored
    return r.detect();
  };
  auto alerts = sweep(30, 15);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].type, "scan.arp_sweep");
  EXPECT_EQ(alerts[0].proto, "arp");
  EXPECT_EQ(alerts[0].severity, Severity::kLow);
  EXPECT_EQ(alerts[0].evidence["targets_count"], 30);
  EXPECT_EQ(alerts[0].evidence["answered_count"], 15);
  EXPECT_EQ(alerts[0].evidence["range"], "10.0.0.101 - 10.0.0.130");
  EXPECT_EQ(alerts[0].mitre, std::vector<std::string>{"T1018"});
  EXPECT_TRUE(sweep(29, 0).empty());   // too few
  EXPECT_TRUE(sweep(30, 16).empty());  // a router refreshing live neighbours: mostly answered
}

TEST(ScanDetector, IcmpSweepAtTheThresholdAndOneBelow) {
  for (int targets : {20, 19}) {
    Records r;
    for (int i = 1; i <= targets; ++i) {
      Records::Conn c;
      c.proto = "icmp", c.history = "", c.flags = -1, c.dst = host(i), c.sport = 8, c.dport = 0;
      c.resp_pkts = i <= 5 ? 1 : 0;
      r.conn(c);
      if (i == 20) r.icmp(1000, "10.0.0.1", "dest_unreachable", "host_unreachable", "icmp", c.src, 0, c.dst, 0);
    }
    // Echo replies and other ICMP flows are not requests.
    Records::Conn reply;
    reply.proto = "icmp", reply.flags = -1, reply.sport = 0, reply.dport = 8;
    r.conn(reply);
    auto alerts = r.detect();
    if (targets == 19) {
      EXPECT_TRUE(alerts.empty());
      continue;
    }
    ASSERT_EQ(alerts.size(), 1u);
    EXPECT_EQ(alerts[0].type, "scan.icmp_sweep");
    EXPECT_EQ(alerts[0].evidence["answered_count"], 5);
    EXPECT_EQ(alerts[0].evidence["unreachable_count"], 1);
  }
}

TEST(ScanDetector, OutputDoesNotDependOnRecordOrder) {
  Records r;
  vertical(r, 60, kS, "Sr");
  for (int i = 1; i <= 40; ++i) r.arp(2000 + i, "10.0.0.66", fmt::format("10.0.0.{}", i + 100));
  Records shuffled = r;
  for (auto& [type, text] : shuffled.files) {
    std::vector<std::string> lines;
    for (size_t s = 0, e; (e = text.find('\n', s)) != std::string::npos; s = e + 1)
      lines.push_back(text.substr(s, e - s + 1));
    std::shuffle(lines.begin(), lines.end(), std::mt19937(3));
    text.clear();
    for (const auto& l : lines) text += l;
  }
  auto a = r.detect(), b = shuffled.detect();
  ASSERT_EQ(a.size(), 2u);
  ASSERT_EQ(b.size(), 2u);
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].to_json().dump(), b[i].to_json().dump());
  // The frames are the first probes in time, whatever order the file had.
  const Alert* syn = find(b, "scan.tcp_syn");
  ASSERT_TRUE(syn);
  EXPECT_EQ(syn->frames.to_json()[0]["frames"][0], 1);
  EXPECT_EQ(syn->frames.size(), FrameSet::kMax);
}

// Inside analyze the record types interleave as the traffic does: ICMP errors and ARP may come after the conns
// they concern. Those correlations wait for finish(), and nothing an alert shows follows the arrival order.
TEST(ScanDetector, AlertsDoNotDependOnHowRecordTypesInterleave) {
  Records r;
  // UDP probes, 8 refused with ICMP port unreachable; a traceroute answered with time exceeded.
  for (int p = 1; p <= 12; ++p) {
    Records::Conn c;
    c.proto = "udp", c.history = "D", c.flags = -1, c.dport = p, c.resp_pkts = 0;
    r.conn(c);
    if (p <= 8) r.icmp(1000, "10.0.1.10", "dest_unreachable", "port_unreachable", "udp", c.src, c.sport, c.dst, p);
  }
  for (int p = 33434; p < 33464; ++p) {
    Records::Conn c;
    c.src = "10.0.0.7", c.proto = "udp", c.history = "D", c.flags = -1, c.dport = p, c.resp_pkts = 0;
    r.conn(c);
    r.icmp(1000, "10.0.0.1", "time_exceeded", "ttl_exceeded", "udp", c.src, c.sport, c.dst, p);
  }
  // An echo sweep, one host unreachable; SYN probes at one instant in two files, one filtered by a router.
  for (int i = 1; i <= 20; ++i) {
    Records::Conn c;
    c.proto = "icmp", c.history = "", c.flags = -1, c.dst = host(i), c.sport = 8, c.dport = 0, c.resp_pkts = 0;
    r.conn(c);
    if (i == 20) r.icmp(1000, "10.0.0.1", "dest_unreachable", "host_unreachable", "icmp", c.src, 0, c.dst, 0);
  }
  for (int p = 1; p <= 60; ++p) {
    Records::Conn c;
    c.dport = p, c.history = p == 1 ? "S" : "Sr", c.resp_pkts = p == 1 ? 0 : 1, c.file = p % 2 ? "a.pcap" : "b.pcap";
    r.conn(c);
    if (p == 1) r.icmp(1000, "10.0.0.1", "dest_unreachable", "host_unreachable", "tcp", c.src, c.sport, c.dst, p);
  }
  // An ARP sweep from the same source over the hosts it pinged, in the file its conns come second in.
  for (int i = 1; i <= 40; ++i) r.arp(2000 + i, "10.0.0.66", host(41 - i), 1, "b.pcap");

  const auto usual = r.detect();
  ASSERT_EQ(usual.size(), 4u);
  const Alert* udp = find(usual, "scan.udp");
  ASSERT_TRUE(udp);
  EXPECT_EQ(udp->evidence["responses"]["icmp_port_unreachable"], 8);
  const Alert* sweep = find(usual, "scan.icmp_sweep");
  ASSERT_TRUE(sweep);
  EXPECT_EQ(sweep->evidence["unreachable_count"], 1);
  const Alert* syn = find(usual, "scan.tcp_syn");
  ASSERT_TRUE(syn);
  EXPECT_EQ(syn->evidence["responses"]["icmp_unreachable"], 1);
  // Equal times go by file name: all 30 probes of a.pcap, then the first 20 of b.pcap.
  EXPECT_EQ(syn->frames.to_json()[0]["file"], "a.pcap");
  EXPECT_EQ(syn->frames.to_json()[0]["frames"].size(), 30u);
  EXPECT_TRUE(find(usual, "scan.arp_sweep"));

  // The usual order with `last` moved to the end, in that order.
  auto moved_last = [](const std::vector<std::string>& last) {
    std::vector<std::string> order;
    for (const auto& t : record_type_order())
      if (std::find(last.begin(), last.end(), t) == last.end()) order.push_back(t);
    order.insert(order.end(), last.begin(), last.end());
    return order;
  };
  for (const auto& last : std::vector<std::vector<std::string>>{{"icmp", "arp"}, {"arp", "icmp"}, {"conn", "icmp"}}) {
    SCOPED_TRACE(fmt::format("{} and then {} after the others", last[0], last[1]));
    const auto alerts = r.detect(kScanDetector, "", moved_last(last));
    ASSERT_EQ(alerts.size(), usual.size());
    for (size_t i = 0; i < alerts.size(); ++i) EXPECT_EQ(alerts[i].to_json().dump(), usual[i].to_json().dump());
  }
}

// ---- scan.smb_vuln ----

void smb(Records& r, const std::string& src, const std::string& dst, const std::string& pipe,
         const std::string& iface, const std::string& notes) {
  ++r.frame;
  r.files["smb"] += fmt::format(
      R"({{"ts":{},"uid":"C1","src":"{}","sport":50000,"dst":"{}","dport":445,"file":"s.pcap","frame":{},)"
      R"("pipe":{},"rpc_interface":{},"notes":{}}})"
      "\n",
      1000 + double(r.frame), src, dst, r.frame, pipe.empty() ? "null" : "\"" + pipe + "\"",
      iface.empty() ? "null" : "\"" + iface + "\"", notes.empty() ? "null" : notes);
}

TEST(SmbVulnDetector, ListsEachCheckAndWhatTheServerConfirmed) {
  Records r;
  smb(r, "10.0.0.66", "10.0.1.10", "browser", "srvsvc", R"(["ms08-067-path"])");
  smb(r, "10.0.0.66", "10.0.1.10", "", "", R"(["cve-2009-3103","no-response"])");
  smb(r, "10.0.0.66", "10.0.1.10", "ROUTER", "", "");  // the pipe alone (the server has no such pipe)
  smb(r, "10.0.0.66", "10.0.1.10", "dnsserver", "dnsserver", "");
  smb(r, "10.0.0.66", "10.0.1.10", "", "", R"(["ms17-010-check","ms17-010-vulnerable"])");
  smb(r, "10.0.0.66", "10.0.1.10", "srvsvc", "srvsvc", "");  // share enumeration: no check
  smb(r, "10.0.0.7", "10.0.1.10", "srvsvc", "srvsvc", R"(["null-session"])");
  auto alerts = r.detect(kSmbVulnDetector);
  ASSERT_EQ(alerts.size(), 1u);
  const Alert& a = alerts[0];
  EXPECT_EQ(a.type, "scan.smb_vuln");
  EXPECT_EQ(a.src, "10.0.0.66");
  EXPECT_EQ(a.dst, "10.0.1.10");
  EXPECT_EQ(a.dst_port, 445);
  EXPECT_EQ(a.severity, Severity::kCritical);
  EXPECT_EQ(a.evidence["checks"],
            nlohmann::ordered_json({"ms08-067", "cve-2009-3103", "ms06-025", "ms07-029", "ms17-010"}));
  EXPECT_EQ(a.evidence["vulnerable"], nlohmann::ordered_json({"ms17-010"}));
  EXPECT_EQ(a.count, 5u);
  EXPECT_EQ(a.frames.size(), 5u);
  EXPECT_EQ(a.mitre, (std::vector<std::string>{"T1210", "T1595.002"}));
}

TEST(SmbVulnDetector, RasrpcOverSrvsvcCountsAndMinChecksIsASetting) {
  Records r;
  smb(r, "10.0.0.66", "10.0.1.10", "srvsvc", "rasrpc", "");
  auto alerts = r.detect(kSmbVulnDetector);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].evidence["checks"], nlohmann::ordered_json({"ms06-025"}));
  EXPECT_EQ(alerts[0].severity, Severity::kHigh);
  EXPECT_TRUE(r.detect(kSmbVulnDetector, "[smb_vuln]\nmin_checks = 2\n").empty());
}

TEST(ScanDetectors, ExplainNamesTheSettings) {
  std::string text = explain("scan.tcp_xmas");
  EXPECT_NE(text.find("min_ports = 10"), std::string::npos) << text;
  EXPECT_NE(explain("scan.smb_vuln").find("min_checks"), std::string::npos);
}

}  // namespace
}  // namespace trawl::detect::scan
