// The detection engine's plumbing: settings, home net, frame lists, the alert line, and feeding records
// from files of any size (or, inside analyze, as they are made) to the detectors that asked for them.
#include "detect/engine.h"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include "support/testing.h"

namespace trawl::detect {
namespace {

TEST(DetectConfig, DefaultsHaveEverySectionTheDetectorsName) {
  Config c = Config::defaults();
  EXPECT_FALSE(c.strings("general.home_net").empty());
  for (const DetectorInfo* info : detectors())
    EXPECT_NE(Config::default_section_text(info->name), "") << info->name << " has no section in config/detect.toml";
}

TEST(DetectConfig, UserFileOverridesOnlyKnownKeysOfTheSameType) {
  Config c = Config::from_text("[general]\nhome_net = [\"203.0.113.0/24\"]\n");
  EXPECT_EQ(c.strings("general.home_net"), std::vector<std::string>{"203.0.113.0/24"});
  EXPECT_THROW(Config::from_text("[general]\nhome_nets = []\n"), std::runtime_error);   // typo
  EXPECT_THROW(Config::from_text("[general]\nhome_net = 3\n"), std::runtime_error);     // wrong type
  EXPECT_THROW(Config::from_text("[general\n"), std::runtime_error);                     // not TOML
  EXPECT_THROW((void)c.number("general.nothing_here"), std::logic_error);
  try {
    Config::from_text("\n[general]\nhome_nets = []\n", "mine.toml");
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), "mine.toml:3: unknown setting 'general.home_nets'");
  }
}

TEST(DetectConfig, ExplainPrintsTheSectionWithItsComments) {
  std::string text = Config::default_section_text("general");
  EXPECT_NE(text.find("home_net = ["), std::string::npos);
  EXPECT_NE(text.find("# Which addresses are internal"), std::string::npos);
  EXPECT_EQ(text.find("[scan]"), std::string::npos);
}

TEST(HomeNet, MatchesPrefixesOfBothFamilies) {
  HomeNet home(Config::defaults().strings("general.home_net"));
  EXPECT_TRUE(home.contains("10.1.2.3"));
  EXPECT_TRUE(home.contains("172.31.255.255"));
  EXPECT_FALSE(home.contains("172.32.0.1"));
  EXPECT_TRUE(home.contains("192.168.56.10"));
  EXPECT_FALSE(home.contains("203.0.113.10"));
  EXPECT_TRUE(home.contains("fe80::1"));
  EXPECT_TRUE(home.contains("fd00::5"));
  EXPECT_FALSE(home.contains("2001:db8::1"));
  EXPECT_FALSE(home.contains("not an address"));
  HomeNet odd({"198.51.100.128/25", "2001:db8::/33"});
  EXPECT_TRUE(odd.contains("198.51.100.200"));
  EXPECT_FALSE(odd.contains("198.51.100.127"));
  EXPECT_TRUE(odd.contains("2001:db8:7fff::1"));
  EXPECT_FALSE(odd.contains("2001:db8:8000::1"));
  EXPECT_THROW(HomeNet({"10.0.0.0/33"}), std::runtime_error);
  EXPECT_THROW(HomeNet({"10.0.0.0/8x"}), std::runtime_error);
  EXPECT_THROW(HomeNet({"ten/8"}), std::runtime_error);
}

TEST(FrameSet, KeepsTheFirstFiftyGroupedByFile) {
  FrameSet f;
  for (uint64_t i = 100; i > 0; --i) f.add(i % 2 ? "b.pcap" : "a.pcap", i);
  f.add("a.pcap", 100);  // already there
  EXPECT_EQ(f.size(), FrameSet::kMax);
  auto j = f.to_json();
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["file"], "a.pcap");
  EXPECT_EQ(j[0]["frames"].size() + j[1]["frames"].size(), 50u);
  EXPECT_EQ(j[0]["frames"][0], 52);  // frames 100 down to 51 were added first; sorted on output
}

TEST(Alert, LineFollowsTheContract) {
  Alert a;
  a.type = "scan.tcp_syn";
  a.severity = Severity::kHigh;
  a.src = "10.0.0.5";
  a.proto = "tcp";
  a.ts_first = 1.5;
  a.ts_last = 2.25;
  a.count = 3;
  a.summary = "10.0.0.5 SYN-scanned 3 ports.";
  a.evidence["ports"] = {22, 80, 443};
  a.mitre = {"T1046"};
  a.frames.add("x.pcap", 7);
  EXPECT_EQ(a.to_json().dump(),
            R"({"type":"scan.tcp_syn","severity":"high","src":"10.0.0.5","dst":null,"dst_port":null,"proto":"tcp",)"
            R"("ts_first":1.5,"ts_last":2.25,"count":3,"summary":"10.0.0.5 SYN-scanned 3 ports.",)"
            R"("evidence":{"ports":[22,80,443]},"mitre":["T1046"],"frames":[{"file":"x.pcap","frames":[7]}]})");
}

// A detector that remembers what it was fed and reports one alert per source address.
struct Recorder final : Detector {
  static inline std::vector<std::string> seen;
  void on_record(std::string_view type, const RecordView& r) override {
    FrameSet frames;
    r.add_frames(frames);
    seen.push_back(fmt::format("{} {} {} {}", type, r.src(), r.num("ts"), frames.to_json().dump()));
  }
  void finish(std::vector<Alert>& out) override {
    for (size_t i = 0; i < 2 && i < seen.size(); ++i) {
      Alert a;
      a.type = "ioc.match";
      a.ts_first = double(2 - i);
      out.push_back(a);
    }
  }
};
constexpr std::string_view kRecorderInputs[] = {"conn", "dns"};
constexpr std::string_view kRecorderTypes[] = {"ioc.match"};
const DetectorInfo kRecorder{"general", kRecorderInputs, kRecorderTypes, "test",
                             [](const DetectContext&) -> std::unique_ptr<Detector> { return std::make_unique<Recorder>(); }};

TEST(DetectEngine, FeedsEveryLineOfBigFilesDnsBeforeConnAndSkipsBadLines) {
  testing::TempDir dir;
  std::string conn;
  const int n = 60000;  // ~9 MB: crosses the reader's chunk boundary
  for (int i = 0; i < n; ++i)
    conn += fmt::format(R"({{"ts":{}.5,"src":"10.0.{}.{}","pad":"{:0>100}","frames":[{{"file":"a.pcap","frames":[{},{}]}}]}})"
                        "\n", i, i / 256 % 256, i % 256, i, i + 1, i + 2);
  conn += "not json\n{\"ts\":7,\"src\":\"last-line-without-newline\"}";
  testing::write_file(dir.file("conn.jsonl"), conn);
  testing::write_file(dir.file("dns.jsonl"), "{\"ts\":1,\"src\":\"10.9.9.9\",\"file\":\"d.pcap\",\"frame\":4}\n");
  Recorder::seen.clear();
  const DetectorInfo* which[] = {&kRecorder};
  DetectResult r = run_detectors(dir.path(), Config::defaults(), which);
  ASSERT_EQ(Recorder::seen.size(), size_t(n) + 2);
  EXPECT_EQ(Recorder::seen[0], R"(dns 10.9.9.9 1 [{"file":"d.pcap","frames":[4]}])");
  EXPECT_EQ(Recorder::seen[1], R"(conn 10.0.0.0 0.5 [{"file":"a.pcap","frames":[1,2]}])");
  EXPECT_EQ(Recorder::seen[size_t(n)], R"(conn 10.0.234.95 59999.5 [{"file":"a.pcap","frames":[60000,60001]}])");
  EXPECT_EQ(Recorder::seen.back(), R"(conn last-line-without-newline 7 [])");
  EXPECT_EQ(r.records["conn"], uint64_t(n) + 1);
  EXPECT_EQ(r.malformed["conn"], 1u);
  ASSERT_EQ(r.alerts.size(), 2u);
  EXPECT_LT(r.alerts[0].ts_first, r.alerts[1].ts_first);  // sorted by ts_first

  testing::TempDir empty;
  DetectResult none = run_detectors(empty.path(), Config::defaults(), which);
  EXPECT_EQ(none.missing, (std::vector<std::string>{"dns.jsonl", "conn.jsonl"}));
}

// Counts the records it reads; its one alert differs from its twin's only in the evidence, which the alert
// order does not look at: ties keep the detectors' order.
class Counter final : public Detector {
 public:
  explicit Counter(std::string name, bool fail) : name_(std::move(name)), fail_(fail) {}
  void on_record(std::string_view type, const RecordView&) override {
    if (fail_) throw std::runtime_error("cannot count " + std::string(type));
    ++count_;
  }
  void finish(std::vector<Alert>& out) override {
    Alert a;
    a.type = "ioc.match";
    a.evidence["by"] = name_;
    a.evidence["records"] = count_;
    out.push_back(a);
  }

 private:
  std::string name_;
  bool fail_;
  uint64_t count_ = 0;
};
constexpr std::string_view kConnOnly[] = {"conn"};
constexpr std::string_view kDnsAndConn[] = {"dns", "conn"};
const DetectorInfo kCheap{"general", kConnOnly, kRecorderTypes, "test",
                          [](const DetectContext&) -> std::unique_ptr<Detector> { return std::make_unique<Counter>("cheap", false); }};
const DetectorInfo kDear{"general", kDnsAndConn, kRecorderTypes, "test",
                         [](const DetectContext&) -> std::unique_ptr<Detector> { return std::make_unique<Counter>("dear", false); },
                         100};
const DetectorInfo kFailing{"general", kConnOnly, kRecorderTypes, "test",
                            [](const DetectContext&) -> std::unique_ptr<Detector> { return std::make_unique<Counter>("x", true); },
                            100};

TEST(DetectEngine, ThreadsSplitTheDetectorsWithTheSameResult) {
  testing::TempDir dir;
  testing::write_file(dir.file("conn.jsonl"), "{\"ts\":1}\n{\"ts\":2}\nbad\n");
  const DetectorInfo* which[] = {&kCheap, &kDear};
  for (unsigned threads : {1u, 2u, 8u}) {
    SCOPED_TRACE(threads);
    FeedOptions feed;
    feed.threads = threads;
    DetectResult r = run_detectors(dir.path(), Config::defaults(), which, feed);
    ASSERT_EQ(r.alerts.size(), 2u);
    EXPECT_EQ(r.alerts[0].evidence["by"], "cheap");  // the detectors' order, whichever thread ran them
    EXPECT_EQ(r.alerts[1].evidence["by"], "dear");
    EXPECT_EQ(r.alerts[0].evidence["records"], 2);
    EXPECT_EQ(r.alerts[1].evidence["records"], 2);
    EXPECT_EQ(r.records["conn"], 2u);
    EXPECT_EQ(r.malformed["conn"], 1u);
    EXPECT_EQ(r.missing, std::vector<std::string>{"dns.jsonl"});
  }
  // A detector that fails on another thread fails the run.
  const DetectorInfo* failing[] = {&kCheap, &kFailing};
  FeedOptions two;
  two.threads = 2;
  EXPECT_THROW(run_detectors(dir.path(), Config::defaults(), failing, two), std::runtime_error);
}


// Inside analyze: records handed over as they are made reach the detectors on their own threads, each type in
// the order it was made, and the next sink still gets every conn record.
struct KeepConns final : flow::FlowSink {
  std::vector<std::string> uids;
  void on_flow_end(flow::ConnRecord&& r) override { uids.push_back(r.uid); }
};

flow::ConnRecord conn_record(int i) {
  flow::ConnRecord r;
  r.uid = fmt::format("C{:011}", i);
  r.ts_first_ns = r.ts_last_ns = (int64_t(i) + 1) * 1'000'000'000;
  r.orig_h = *IpAddress::parse(fmt::format("10.0.{}.{}", i / 256 % 256, i % 256));
  r.resp_h = *IpAddress::parse("203.0.113.9");
  r.proto = 6;
  r.first_frames.push_back({0, uint64_t(i) + 1});
  return r;
}

TEST(LiveDetection, EveryRecordReachesTheDetectorsInTheOrderOfItsType) {
  const DetectorInfo* which[] = {&kRecorder};
  Recorder::seen.clear();
  KeepConns next;
  LiveDetection live(Config::defaults(), next, {"a.pcap"}, 1, which);
  EXPECT_EQ(live.tap("arp"), nullptr);   // nobody reads it
  EXPECT_EQ(live.tap("conn"), nullptr);  // conn records come as a flow sink
  output::RowTap* dns = live.tap("dns");
  ASSERT_NE(dns, nullptr);
  const int n = 30000;  // several blocks
  for (int i = 0; i < n; ++i) {
    live.on_flow_end(conn_record(i));
    if (i % 1000 == 0) dns->on_row(fmt::format("{{\"ts\":{},\"src\":\"10.9.9.9\",\"file\":\"d.pcap\",\"frame\":{}}}\n", i, i));
  }
  dns->on_row("not json\n");
  DetectResult r = live.finish();
  ASSERT_EQ(next.uids.size(), size_t(n));
  EXPECT_EQ(next.uids.back(), "C00000029999");
  EXPECT_EQ(r.records["conn"], uint64_t(n));
  EXPECT_EQ(r.records["dns"], 30u);
  EXPECT_EQ(r.malformed["dns"], 1u);
  EXPECT_EQ(r.alerts.size(), 2u);
  std::vector<std::string> conns, lookups;
  for (const auto& s : Recorder::seen) (s.starts_with("conn") ? conns : lookups).push_back(s);
  ASSERT_EQ(conns.size(), size_t(n));
  EXPECT_EQ(conns[0], R"(conn 10.0.0.0 1 [{"file":"a.pcap","frames":[1]}])");
  EXPECT_EQ(conns[size_t(n) - 1], R"(conn 10.0.117.47 30000 [{"file":"a.pcap","frames":[30000]}])");
  ASSERT_EQ(lookups.size(), 30u);
  EXPECT_EQ(lookups[29], R"(dns 10.9.9.9 29000 [{"file":"d.pcap","frames":[29000]}])");
}

TEST(LiveDetection, ThreadsGiveTheSameResultAndAFailureEndsTheRun) {
  const DetectorInfo* which[] = {&kCheap, &kDear};
  for (unsigned threads : {1u, 2u, 8u}) {
    SCOPED_TRACE(threads);
    KeepConns next;
    LiveDetection live(Config::defaults(), next, {"a.pcap"}, threads, which);
    for (int i = 0; i < 5; ++i) live.on_flow_end(conn_record(i));
    DetectResult r = live.finish();
    ASSERT_EQ(r.alerts.size(), 2u);
    EXPECT_EQ(r.alerts[0].evidence["by"], "cheap");
    EXPECT_EQ(r.alerts[1].evidence["records"], 5);
  }
  // The failing thread stops taking blocks; the capture goes on (no wait for it) and finish() throws.
  const DetectorInfo* failing[] = {&kCheap, &kFailing};
  KeepConns next;
  LiveDetection live(Config::defaults(), next, {"a.pcap"}, 2, failing);
  for (int i = 0; i < 100000; ++i) live.on_flow_end(conn_record(i));
  EXPECT_EQ(next.uids.size(), 100000u);
  EXPECT_THROW(live.finish(), std::runtime_error);
}

// Throws when it is asked for its alerts.
struct FailsAtFinish final : Detector {
  void on_record(std::string_view, const RecordView&) override {}
  void finish(std::vector<Alert>&) override { throw std::runtime_error("cannot finish"); }
};
const DetectorInfo kFailsAtFinish{"general", kConnOnly, kRecorderTypes, "test",
                                  [](const DetectContext&) -> std::unique_ptr<Detector> { return std::make_unique<FailsAtFinish>(); }};

TEST(LiveDetection, AFinishThatThrowsFailsTheRun) {
  // The finish() calls go to whichever thread is free, the caller's included: an error reaches finish()'s
  // caller however many threads there are.
  const DetectorInfo* which[] = {&kCheap, &kFailsAtFinish, &kDear};
  for (unsigned threads : {1u, 3u}) {
    SCOPED_TRACE(threads);
    KeepConns next;
    LiveDetection live(Config::defaults(), next, {"a.pcap"}, threads, which);
    for (int i = 0; i < 10; ++i) live.on_flow_end(conn_record(i));
    EXPECT_THROW(live.finish(), std::runtime_error);
  }
}

TEST(LiveDetection, AnAbandonedRunStopsItsThreads) {
  const DetectorInfo* which[] = {&kCheap, &kDear};
  KeepConns next;
  auto live = std::make_unique<LiveDetection>(Config::defaults(), next, std::vector<std::string>{"a.pcap"}, 2, which);
  for (int i = 0; i < 50000; ++i) live->on_flow_end(conn_record(i));
  live.reset();  // as when an error unwinds analyze: returns, without running the detectors' finish
  EXPECT_EQ(next.uids.size(), 50000u);
}

}  // namespace
}  // namespace trawl::detect
