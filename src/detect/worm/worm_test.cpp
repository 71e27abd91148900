// The worm detectors on hand-written records: a three-host chain, each condition of an infection missed
// once, and the HTTP request pattern at its threshold.
#include <gtest/gtest.h>

#include <map>

#include <fmt/format.h>

#include "detect/engine.h"
#include "detect/worm/worm_detector.h"
#include "support/testing.h"

namespace trawl::detect::worm {
namespace {

struct Records {
  std::string conn, http;
  uint64_t frame = 0;
  std::string file = "w.pcap";  // the capture file of the records added next

  // One TCP connection attempt: answered with SYN/ACK or not, with some bytes from the originator or none.
  void attempt(double ts, const std::string& src, const std::string& dst, int dport, bool answered,
               uint64_t orig_bytes = 0) {
    ++frame;
    std::string history = answered ? (orig_bytes ? "ShADadFf" : "ShAR") : "S";
    conn += fmt::format(
        R"({{"ts":{},"uid":"C{}","src":"{}","sport":{},"dst":"{}","dport":{},"proto":"tcp","history":"{}",)"
        R"("orig_flags":{},"orig_bytes":{},"resp_bytes":0,"orig_pkts":3,"resp_pkts":1,"file":"{}","frame":{}}})"
        "\n",
        ts, frame, src, 40000 + frame % 20000, dst, dport, history, answered ? 0x1f : 0x02, orig_bytes, file, frame);
  }
  // A scan of `n` addresses of 10.0.9.0/24 on a port, starting at ts.
  void scan(double ts, const std::string& src, int n, int dport = 445, bool with_data = false) {
    for (int i = 0; i < n; ++i)
      attempt(ts + i * 0.01, src, fmt::format("10.0.9.{}", i + 1), dport, with_data, with_data ? 100 : 0);
  }
  void request(double ts, const std::string& src, const std::string& dst, const std::string& uri,
               const std::string& host, const std::string& method = "GET") {
    ++frame;
    http += fmt::format(
        R"({{"ts":{},"uid":"C{}","src":"{}","sport":50000,"dst":"{}","dport":80,"file":"{}","frame":{},)"
        R"("method":"{}","host":{},"uri":"{}","user_agent":"Mozilla/4.0","status_code":404}})"
        "\n",
        ts, frame, src, dst, file, frame, method, host.empty() ? "null" : "\"" + host + "\"", uri);
  }

  std::vector<Alert> detect(const std::string& toml = "", const FeedOptions& feed = {}) const {
    testing::TempDir dir;
    testing::write_file(dir.file("conn.jsonl"), conn);
    testing::write_file(dir.file("http.jsonl"), http);
    const DetectorInfo* list[] = {&kWormDetector};
    return run_detectors(dir.path(), Config::from_text(toml), list, feed).alerts;
  }
};

const std::string A = "10.0.0.1", B = "10.0.0.2", C = "10.0.0.3";

// A scans, infects B; B scans, infects C; C scans.
Records chain(int b_targets = 12, uint64_t exploit_bytes = 1000) {
  Records r;
  r.scan(0, A, 12);
  r.attempt(10, A, B, 445, true, exploit_bytes);
  r.scan(11, B, b_targets);
  r.attempt(20, B, C, 445, true, exploit_bytes);
  r.scan(21, C, 12);
  return r;
}

std::map<std::string, Alert> by_src(const std::vector<Alert>& alerts, const std::string& type) {
  std::map<std::string, Alert> out;
  for (const Alert& a : alerts)
    if (a.type == type) out[a.src] = a;
  return out;
}

TEST(WormPropagation, ChainBackToPatientZero) {
  auto alerts = by_src(chain().detect(), "worm.propagation");
  ASSERT_EQ(alerts.size(), 2u);  // A is patient zero: scanning, but nobody infected it
  const Alert& b = alerts.at(B);
  EXPECT_EQ(b.dst_port, 445);
  EXPECT_FALSE(b.dst);
  EXPECT_EQ(b.severity, Severity::kCritical);
  EXPECT_EQ(b.evidence["infected_by"], A);
  EXPECT_EQ(b.evidence["patient_zero"], A);
  EXPECT_EQ(b.evidence["generation"], 1);
  EXPECT_EQ(b.evidence["infected_next"], nlohmann::ordered_json({C}));
  EXPECT_DOUBLE_EQ(b.ts_first, 10);  // the infecting connection
  EXPECT_EQ(b.count, 13u);           // its scan, and its connection to C
  const Alert& c = alerts.at(C);
  EXPECT_EQ(c.evidence["infected_by"], B);
  EXPECT_EQ(c.evidence["patient_zero"], A);
  EXPECT_EQ(c.evidence["chain"], nlohmann::ordered_json({A, B, C}));
  EXPECT_EQ(c.evidence["generation"], 2);
  EXPECT_EQ(c.evidence["targets_count"], 12);
  EXPECT_EQ(c.evidence["scope"]["infected_count"], 2);
  EXPECT_EQ(c.evidence["scope"]["hosts_touched_count"], 14);  // 10.0.9.1-.12, B and C
  EXPECT_EQ(c.mitre, (std::vector<std::string>{"T1210", "T1570"}));
  EXPECT_EQ(c.frames.to_json()[0]["frames"][0], 26);  // the B -> C connection comes first
}

TEST(WormPropagation, EachConditionMissedOnce) {
  // B tries 9 hosts only (8 and C): no scanner, so neither B nor C (infected by a non-scanner) is reported.
  EXPECT_TRUE(by_src(chain(8).detect(), "worm.propagation").empty());
  // The contacts carry nothing: a port scan reaching B is no infection.
  EXPECT_TRUE(by_src(chain(12, 0).detect(), "worm.propagation").empty());
  // B was scanning before A reached it.
  Records before = chain();
  before.scan(5, B, 12);
  EXPECT_EQ(by_src(before.detect(), "worm.propagation").count(B), 0u);
  // B's "scan" is a client using 445 on servers (data with each): not scanning.
  Records client;
  client.scan(0, A, 12);
  client.attempt(10, A, B, 445, true, 1000);
  client.scan(11, B, 12, 445, true);
  EXPECT_TRUE(by_src(client.detect(), "worm.propagation").empty());
  // The infector never scanned: an ordinary client talked to B before B started scanning.
  Records quiet;
  quiet.attempt(10, A, B, 445, true, 1000);
  quiet.scan(11, B, 12);
  quiet.scan(30, C, 12);
  EXPECT_TRUE(by_src(quiet.detect(), "worm.propagation").empty());
}

TEST(WormPropagation, PortsAreASetting) {
  Records r;
  r.scan(0, A, 12, 8080);
  r.attempt(10, A, B, 8080, true, 1000);
  r.scan(11, B, 12, 8080);
  EXPECT_TRUE(r.detect().empty());
  auto alerts = r.detect("[worm]\nports = [\"tcp/8080\"]\n");
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].dst_port, 8080);
  EXPECT_THROW(r.detect("[worm]\nports = [\"8080\"]\n"), std::runtime_error);
}

TEST(WormPropagation, MinTargetsIsASetting) {
  EXPECT_EQ(by_src(chain(8).detect("[worm]\nmin_targets = 9\n"), "worm.propagation").size(), 2u);
}

TEST(HttpWormPattern, SameRequestToManyAddresses) {
  for (int n : {10, 9}) {
    Records r;
    for (int i = 0; i < n; ++i) {
      std::string dst = fmt::format("10.0.1.{}", 10 + i);
      r.request(1 + i * 0.1, "10.0.0.110", dst, fmt::format("/search?q={}", i % 2), dst);
    }
    // Other patterns from the same source, and the same pattern from another source, are apart.
    r.request(5, "10.0.0.110", "10.0.1.99", "/other?q=1", "10.0.1.99");
    r.request(5, "10.0.0.7", "10.0.1.98", "/search?q=1", "10.0.1.98");
    auto alerts = r.detect();
    if (n == 9) {
      EXPECT_TRUE(alerts.empty());
      continue;
    }
    ASSERT_EQ(alerts.size(), 1u);
    const Alert& a = alerts[0];
    EXPECT_EQ(a.type, "http.worm_pattern");
    EXPECT_EQ(a.src, "10.0.0.110");
    EXPECT_EQ(a.dst_port, 80);
    EXPECT_EQ(a.count, 10u);
    EXPECT_EQ(a.evidence["pattern"], "/search?q");
    EXPECT_EQ(a.evidence["uri"], "/search?q=0");
    EXPECT_EQ(a.evidence["destinations_count"], 10);
    EXPECT_EQ(a.evidence["status_codes"]["404"], 10);
    EXPECT_EQ(a.frames.size(), 10u);
    EXPECT_EQ(a.summary, "10.0.0.110 sent the same request, GET /search?q=0, to 10 addresses in 900 ms.");
  }
}

TEST(HttpWormPattern, BrowsingNamedSitesIsNoWorm) {
  Records r;
  for (int i = 0; i < 30; ++i)
    r.request(i, "10.0.0.20", fmt::format("93.184.216.{}", i), "/favicon.ico", fmt::format("site{}.example", i));
  EXPECT_TRUE(r.detect().empty());
  EXPECT_EQ(r.detect("[worm]\nhttp_address_hosts_only = false\n").size(), 1u);
  // Without a Host header, or with an address and a port, the request counts.
  Records bare;
  for (int i = 0; i < 10; ++i)
    bare.request(i, "10.0.0.110", fmt::format("10.0.1.{}", i), "/x", i % 2 ? "" : fmt::format("10.0.1.{}:80", i));
  EXPECT_EQ(bare.detect().size(), 1u);
}

// Inside analyze, http and conn records interleave however the traffic does. Records at one instant are
// ordered by file and frame, and only the earliest FrameSet::kMax frames are kept: the two capture files here
// come first in opposite order in the two record types, so numbering files across both types would make the
// frames kept depend on which type came first.
TEST(Worm, AlertsDoNotDependOnHowHttpAndConnInterleave) {
  Records r;
  for (int i = 0; i < 60; ++i) {
    r.file = i % 2 ? "b.pcap" : "a.pcap";  // http: a.pcap first
    r.request(5, "10.0.0.110", fmt::format("10.0.1.{}", i), "/x.ida?n=1", "");
  }
  r.file = "b.pcap";  // conn: b.pcap first
  r.scan(0, A, 12);
  r.attempt(10, A, B, 445, true, 1000);
  for (int i = 0; i < 60; ++i) {
    r.file = i % 2 ? "a.pcap" : "b.pcap";
    r.attempt(11, B, fmt::format("10.0.8.{}", i + 1), 445, false);
  }
  FeedOptions conn_first;  // every type in reverse: conn (last as usual) comes first
  conn_first.order.assign(record_type_order().rbegin(), record_type_order().rend());
  const auto usual = r.detect();
  ASSERT_EQ(usual.size(), 2u);  // the request pattern, and B infected by A
  EXPECT_EQ(usual[0].frames.size(), FrameSet::kMax);
  EXPECT_EQ(alert_lines(r.detect("", conn_first)), alert_lines(usual));
}

TEST(HttpWormPattern, NormalisedUri) {
  EXPECT_EQ(normalise_uri("/search?q=1"), "/search?q");
  EXPECT_EQ(normalise_uri("/search?q=1&n=2#top"), "/search?q&n");
  EXPECT_EQ(normalise_uri("/a/b.php"), "/a/b.php");
  EXPECT_EQ(normalise_uri("/?=x&&flag"), "/?flag");
  EXPECT_EQ(normalise_uri("/p#frag?x=1"), "/p");
}

}  // namespace
}  // namespace trawl::detect::worm
