// c2.beacon on synthetic conn records (regular, jittered, refused, merged rounds, rotating addresses behind one
// name) with a near miss for every gate, and end to end on the shared Sality capture against tshark.
#include "detect/beacon/beacon_detector.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>

#include <gtest/gtest.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "detect/dns/fixture_check.h"
#include "detect/engine.h"
#include "support/testing.h"

namespace trawl::detect::beacon {
namespace {

struct C {
  double ts;
  std::string src, dst;
  int dport;
  std::string state = "SF";
  int orig = 300, resp = 500;
  std::string proto = "tcp", service = "", uid = "";
};

std::string conn_line(const C& c, uint64_t frame) {
  nlohmann::json j;
  j["ts"] = c.ts;
  j["uid"] = c.uid.empty() ? fmt::format("C{}", frame) : c.uid;
  j["src"] = c.src;
  j["sport"] = 40000 + frame % 20000;
  j["dst"] = c.dst;
  j["dport"] = c.dport;
  j["proto"] = c.proto;
  j["service"] = c.service;
  j["duration"] = 0.5;
  j["orig_bytes"] = c.orig;
  j["resp_bytes"] = c.resp;
  j["conn_state"] = c.state;
  j["file"] = "b.pcap";
  j["frame"] = frame;
  j["frames"] = {{{"file", "b.pcap"}, {"frames", {frame, frame + 1}}}};
  return j.dump() + "\n";
}

// The capture runs from t = 1000 to 2200: two connections between internal hosts mark its ends.
constexpr double kStart = 1000, kEnd = 2200;

struct Capture {
  std::string conn, dns, http, tls;
  uint64_t frame = 1;
  Capture() {
    add({kStart, "10.0.0.1", "10.0.0.2", 445});
    add({kEnd - 0.5, "10.0.0.1", "10.0.0.2", 445});
  }
  void add(const C& c) {
    conn += conn_line(c, frame);
    frame += 10;
  }
  // `rounds` connections from t0, the gaps cycling through `gaps`.
  void series(C c, double t0, int rounds, std::vector<double> gaps) {
    c.ts = t0;
    for (int i = 0; i < rounds; ++i) {
      add(c);
      c.ts += gaps[size_t(i) % gaps.size()];
    }
  }
  // A dns record answering `address` for `name` at `ts`.
  void resolve(double ts, const std::string& name, const std::string& address) {
    dns += fmt::format(R"({{"ts":{},"src":"10.0.0.53","sport":5000,"dst":"198.51.100.53","dport":53,"app":"dns",)"
                       R"("query":"{}","qtype_name":"A","response_seen":true,"rcode_name":"NOERROR",)"
                       R"("answers":["{}"],"answer_types":["A"],"file":"b.pcap","frame":1}})" "\n", ts, name, address);
  }
  std::vector<Alert> run(const Config& config = Config::defaults(), std::vector<std::string> order = {}) const {
    testing::TempDir dir;
    testing::write_file(dir.file("conn.jsonl"), conn);
    testing::write_file(dir.file("dns.jsonl"), dns);
    testing::write_file(dir.file("http.jsonl"), http);
    testing::write_file(dir.file("tls.jsonl"), tls);
    const DetectorInfo* which[] = {&kBeaconDetector};
    FeedOptions feed;
    feed.order = std::move(order);
    return run_detectors(dir.path(), config, which, feed).alerts;
  }
};

TEST(Beacon, RegularHttpBeaconWithJitter) {
  Capture cap;
  cap.series({0, "10.0.0.5", "203.0.113.80", 80, "SF", 300, 500, "tcp", "http"}, kStart + 5, 40, {28, 30, 32, 30});
  auto alerts = cap.run();
  ASSERT_EQ(alerts.size(), 1u);
  const Alert& a = alerts[0];
  EXPECT_EQ(a.type, "c2.beacon");
  EXPECT_EQ(a.src, "10.0.0.5");
  EXPECT_EQ(a.dst, "203.0.113.80");
  EXPECT_EQ(a.dst_port, 80);
  EXPECT_EQ(a.proto, "tcp");
  EXPECT_EQ(a.count, 40u);
  EXPECT_EQ(a.evidence["interval_s"], 30);
  // 39 gaps: 19 of 30 s and 20 of 28 or 32 s, so the median deviation is 2 s: jitter 2 / 30.
  EXPECT_EQ(a.evidence["mad_s"], 2);
  EXPECT_EQ(a.evidence["jitter"], 0.067);
  EXPECT_EQ(a.evidence["connections"], 40);
  EXPECT_EQ(a.evidence["bytes"], 40 * 800);
  EXPECT_EQ(a.evidence["coverage"], 1);  // 39 gaps (1170 s) plus one interval: the whole 1200 s capture
  EXPECT_EQ(a.severity, Severity::kHigh);
  EXPECT_EQ(a.mitre, (std::vector<std::string>{"T1071", "T1071.001"}));
  EXPECT_EQ(a.ts_first, kStart + 5);
  EXPECT_EQ(a.frames.size(), 40u);  // each connection's first packet
}

TEST(Beacon, RefusedBeaconWithoutData) {
  // The article's host hitting TCP 7000 every 24 s, every attempt refused.
  Capture cap;
  cap.series({0, "10.0.0.6", "203.0.113.81", 7000, "REJ", 0, 0}, kStart + 100, 30, {24});
  auto alerts = cap.run();
  ASSERT_EQ(alerts.size(), 1u);
  const Alert& a = alerts[0];
  EXPECT_EQ(a.dst_port, 7000);
  EXPECT_EQ(a.evidence["interval_s"], 24);
  EXPECT_EQ(a.evidence["jitter"], 0);
  EXPECT_EQ(a.evidence["refused_or_unanswered"], 30);
  EXPECT_EQ(a.evidence["conn_states"], nlohmann::ordered_json::parse(R"({"REJ":30})"));
  EXPECT_EQ(a.evidence["score_components"]["size"], 1);
  EXPECT_NE(a.summary.find("every attempt refused"), std::string::npos) << a.summary;
  EXPECT_EQ(a.severity, Severity::kHigh);
}

TEST(Beacon, NearMissesDoNotAlert) {
  Config c = Config::defaults();
  ASSERT_EQ(c.integer("beacon.min_connections"), 4);
  ASSERT_EQ(c.number("beacon.min_coverage"), 0.2);
  ASSERT_EQ(c.number("beacon.min_interval_s"), 2.0);
  Capture cap;
  cap.series({0, "10.0.0.10", "203.0.113.1", 80}, kStart + 10, 3, {300});        // three rounds only
  cap.series({0, "10.0.0.11", "203.0.113.2", 123, "SF", 48, 48, "udp"}, kStart, 40, {30});  // NTP
  cap.series({0, "10.0.0.12", "10.0.0.200", 8080}, kStart, 40, {30});            // internal to internal
  cap.series({0, "10.0.0.13", "203.0.113.3", 80}, kStart + 50, 10, {20});         // 200 s of 1200: coverage 0.17
  cap.series({0, "10.0.0.14", "203.0.113.4", 80}, kStart, 300, {1.8, 1.9, 2.0});  // under min_interval_s
  // Poisson-like: exponential gaps, same sizes, whole capture.
  std::mt19937 rng(11);
  std::exponential_distribution<double> gap(1 / 30.0);
  std::vector<double> gaps;
  for (int i = 0; i < 39; ++i) gaps.push_back(2 + gap(rng));
  cap.series({0, "10.0.0.15", "203.0.113.5", 443}, kStart, 39, gaps);
  // Regular, but to a known periodic service's name.
  for (int i = 0; i < 20; ++i) {
    cap.add({kStart + 60.0 * i, "10.0.0.16", "203.0.113.6", 80, "SF", 300, 500, "tcp", "http", fmt::format("H{}", i)});
    cap.http += fmt::format(R"({{"ts":{},"uid":"H{}","src":"10.0.0.16","dst":"203.0.113.6","dport":80,"host":"time.windows.com"}})"
                            "\n", kStart + 60.0 * i, i);
  }
  EXPECT_TRUE(cap.run().empty());

  // The same records with every pair scored: the internal series is a beacon then.
  auto all = cap.run(Config::from_text("[beacon]\ninternal_to_external = false\n"));
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].dst, "10.0.0.200");
}

TEST(Beacon, OneRhythmToManyEndpointsOrSparseBurstsIsNoBeacon) {
  Config c = Config::defaults();
  ASSERT_EQ(c.integer("beacon.max_same_rhythm"), 6);
  ASSERT_EQ(c.number("beacon.min_presence"), 0.5);
  Capture cap;
  // A poller: one source, seven sites, one 60 s rhythm.
  for (int site = 0; site < 7; ++site)
    cap.series({0, "10.0.0.40", fmt::format("198.51.100.{}", site + 1), 443}, kStart + site, 20, {60});
  // Six sites at one rhythm from another source are still reported (a C2 rotating through servers).
  for (int site = 0; site < 6; ++site)
    cap.series({0, "10.0.0.41", fmt::format("198.51.100.{}", site + 1), 443}, kStart + site, 20, {60});
  // Bursts of two connections 7 s apart every 300 s: 4 of 7 gaps are 7 s, but 8 rounds over 1000 s is no 7 s beacon.
  cap.series({0, "10.0.0.42", "198.51.100.50", 80}, kStart + 50, 8, {7, 293});
  auto alerts = cap.run();
  ASSERT_EQ(alerts.size(), 6u);
  for (const Alert& a : alerts) EXPECT_EQ(a.src, "10.0.0.41");
  EXPECT_EQ(alerts[0].evidence["presence"], 1);
}

TEST(Beacon, ConnectionsOfOneRoundAreMerged) {
  Capture cap;
  for (int i = 0; i < 20; ++i) {
    cap.add({kStart + 60.0 * i, "10.0.0.20", "198.51.100.20", 443, "SF", 200, 4000, "tcp", "tls"});
    cap.add({kStart + 60.0 * i + 0.7, "10.0.0.20", "198.51.100.20", 443, "SF", 150, 150, "tcp", "tls"});
  }
  auto alerts = cap.run();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].count, 40u);
  EXPECT_EQ(alerts[0].evidence["rounds"], 20);
  EXPECT_EQ(alerts[0].evidence["interval_s"], 60);
  EXPECT_EQ(alerts[0].evidence["median_round_bytes"], 4500);
  EXPECT_EQ(alerts[0].mitre, (std::vector<std::string>{"T1071", "T1573"}));
}

TEST(Beacon, OneDomainBehindRotatingAddresses) {
  Capture cap;
  for (int i = 0; i < 20; ++i) {
    double t = kStart + 10 + 60.0 * i;
    std::string address = fmt::format("192.0.2.{}", 10 + i % 5);
    cap.resolve(t - 0.2, "c2.example.net", address);
    cap.add({t, "10.0.0.30", address, 443});
  }
  auto alerts = cap.run();
  ASSERT_EQ(alerts.size(), 1u);
  const Alert& a = alerts[0];
  EXPECT_EQ(a.src, "10.0.0.30");
  EXPECT_FALSE(a.dst.has_value());
  EXPECT_EQ(a.dst_port, 443);
  EXPECT_EQ(a.evidence["domain"], "c2.example.net");
  EXPECT_EQ(a.evidence["destinations"].size(), 5u);
  EXPECT_EQ(a.evidence["interval_s"], 60);
  EXPECT_EQ(a.count, 20u);
}

// Inside analyze the dns, http and tls records that name the far end may come after the conn records or
// between them: the alerts are the same whatever order the record types come in.
TEST(Beacon, NamesDoNotDependOnTheOrderOfRecordTypes) {
  Capture cap;
  // One name behind rotating addresses, known from dns alone.
  for (int i = 0; i < 20; ++i) {
    double t = kStart + 10 + 60.0 * i;
    std::string address = fmt::format("192.0.2.{}", 10 + i % 5);
    cap.resolve(t - 0.2, "rotating.example", address);
    cap.add({t, "10.0.0.30", address, 443});
  }
  // Connections with both an SNI and an HTTP Host: the Host names them.
  for (int i = 0; i < 20; ++i) {
    std::string uid = fmt::format("CH{}", i);
    double t = kStart + 60.0 * i;
    cap.add({t, "10.0.0.31", "203.0.113.31", 443, "SF", 300, 500, "tcp", "http", uid});
    cap.tls += fmt::format(R"({{"ts":{},"uid":"{}","server_name":"sni.example"}})" "\n", t, uid);
    cap.http += fmt::format(R"({{"ts":{},"uid":"{}","host":"host.example"}})" "\n", t, uid);
  }
  // Half the connections named by their SNI, half by a lookup of the address: the tie goes to the name
  // the usual order (dns first) met first.
  cap.resolve(kStart, "looked-up.example", "203.0.113.32");
  for (int i = 0; i < 20; ++i) {
    std::string uid = fmt::format("CT{}", i);
    cap.add({kStart + 60.0 * i, "10.0.0.32", "203.0.113.32", 443, "SF", 300, 500, "tcp", "tls", uid});
    if (i % 2) cap.tls += fmt::format(R"({{"ts":{},"uid":"{}","server_name":"sni.example"}})" "\n", kStart + 60.0 * i, uid);
  }
  auto usual = cap.run();
  std::map<std::string, std::string> domains;  // src -> domain
  for (const Alert& a : usual) domains[a.src] = a.evidence.value("domain", "");
  EXPECT_EQ(domains, (std::map<std::string, std::string>{
                         {"10.0.0.30", "rotating.example"}, {"10.0.0.31", "host.example"}, {"10.0.0.32", "looked-up.example"}}));
  for (std::vector<std::string> first : {std::vector<std::string>{"conn", "tls", "http", "dns"},
                                         std::vector<std::string>{"tls", "conn", "dns", "http"},
                                         std::vector<std::string>{"tls", "http", "dns", "conn"}}) {
    std::vector<std::string> order = first;  // those types first, then the others
    for (const std::string& type : record_type_order())
      if (std::find(first.begin(), first.end(), type) == first.end()) order.push_back(type);
    EXPECT_EQ(alert_lines(cap.run(Config::defaults(), order)), alert_lines(usual)) << first[0] << " " << first[1] << " " << first[2];
  }
}

std::vector<nlohmann::json> analyze_alerts(const std::string& pcap, std::string_view type) {
  testing::TempDir out;
  auto r = testing::run(fmt::format("{} analyze {} -o {} --quiet", testing::trawl_binary(), testing::shell_quote(pcap),
                                    out.path()));
  EXPECT_NE(r.exit_code, 1) << pcap << ": " << r.err;
  std::vector<nlohmann::json> found;
  std::istringstream lines(testing::read_file(out.file("alerts.jsonl")));
  for (std::string line; std::getline(lines, line);) {
    auto j = nlohmann::json::parse(line);
    if (j["type"] == type) found.push_back(j);
  }
  return found;
}

// Sality polls four compromised web servers about every 13 s: each is a beacon, and the connections and the
// frames of their first packets are the SYNs tshark sees.
TEST(BeaconEndToEnd, SalityPollsItsServers) {
  std::string pcap = testing::shared_pcap("id2t-sality-botnet.pcap");
  auto beacons = analyze_alerts(pcap, "c2.beacon");
  std::set<std::string> dsts;
  for (const auto& b : beacons) dsts.insert(b["dst"].get<std::string>());
  EXPECT_EQ(dsts, (std::set<std::string>{"62.116.143.13", "97.74.182.1", "208.73.211.232", "195.22.26.231"}));
  if (!testing::have_tool("tshark")) GTEST_SKIP() << "tshark not installed";
  auto syns = testing::run(fmt::format("tshark -n -r {} -Y 'tcp.flags.syn == 1 && tcp.flags.ack == 0' -T fields "
                                       "-e ip.src -e ip.dst -e tcp.dstport -e tcp.srcport -e frame.number",
                                       testing::shell_quote(pcap)));
  ASSERT_EQ(syns.exit_code, 0);
  std::map<std::string, std::map<std::string, uint64_t>> first_syn;  // "src dst port" -> sport -> first frame
  std::istringstream in(syns.out);
  for (std::string src, dst, port, sport; in >> src >> dst >> port >> sport;) {
    uint64_t frame;
    in >> frame;
    first_syn[src + " " + dst + " " + port].try_emplace(sport, frame);
  }
  for (const auto& b : beacons) {
    std::string key = fmt::format("{} {} {}", b["src"].get<std::string>(), b["dst"].get<std::string>(), b["dst_port"].get<int>());
    const auto& conns = first_syn[key];
    EXPECT_EQ(b["count"], conns.size()) << key;
    std::set<uint64_t> frames;
    for (const auto& [sport, frame] : conns) frames.insert(frame);
    EXPECT_EQ(b["frames"][0]["frames"].get<std::set<uint64_t>>(), frames) << key;
    EXPECT_NEAR(b["evidence"]["interval_s"].get<double>(), 13.5, 0.5) << key;
  }
}

// Captures without command-and-control traffic: no beacon. (Alexa and Netflix apps poll their services every
// 10-16 s; their sizes vary too much for a beacon, and their series are short.)
TEST(BeaconEndToEnd, QuietOnCapturesWithoutC2) {
  for (const char* name : {"ndpi-alexa-app.pcapng", "ndpi-netflix.pcap", "ndpi-1kxun.pcap", "ppp-example.pcap",
                           "ppp-many-protocols.pcap", "ppp-http-packets.pcap", "zeek-http-bro-org.pcap",
                           "ndpi-443-firefox.pcap", "zeek-tls13-ech.pcap", "stopddos-synflood-spoofed.pcap"})
    EXPECT_TRUE(analyze_alerts(testing::shared_pcap(name), "c2.beacon").empty()) << name;
}

// The attack fixtures: the HTTP beacon with jitter, the refused one and the one through a DNS name found as
// labelled; nothing on the benign capture (periodic NTP and DNS among it) or the other scenarios.
TEST(BeaconEndToEnd, AttackFixtures) {
  for (const char* scenario : {"beacon", "benign", "dns", "scans", "bruteforce", "mail", "smb-vuln", "worm"})
    if (!testing_support::check_fixture(scenario, {"c2."})) std::cerr << "fixture " << scenario << " not there yet\n";
}

}  // namespace
}  // namespace trawl::detect::beacon
