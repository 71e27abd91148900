// Stories from synthetic alerts: whole and partial chains, worm hops, and alerts that must stay out.
#include "detect/story.h"

#include <algorithm>

#include <gtest/gtest.h>

namespace trawl::detect {
namespace {

constexpr double kT0 = 1700000000;  // 2023-11-14 22:13:20 UTC

Alert alert(std::string type, std::string src, std::optional<std::string> dst, double first, double last) {
  Alert a;
  a.type = std::move(type);
  a.src = std::move(src);
  a.dst = std::move(dst);
  a.ts_first = kT0 + first;
  a.ts_last = kT0 + last;
  return a;
}

Alert vertical_scan(std::string src, std::string dst, double at) {
  Alert a = alert("scan.tcp_syn", std::move(src), dst, at, at + 1);
  a.proto = "tcp";
  a.evidence = {{"shape", "vertical"}, {"targets", {dst}}, {"ports_count", 25}};
  return a;
}

Alert horizontal_scan(std::string src, uint16_t port, std::vector<std::string> targets, double at) {
  Alert a = alert("scan.tcp_connect", std::move(src), std::nullopt, at, at + 2);
  a.dst_port = port;
  a.evidence = {{"shape", "horizontal"}, {"targets", targets}, {"targets_count", targets.size()}};
  return a;
}

Alert bruteforce(std::string src, std::string dst, double first, double last, int failures) {
  Alert a = alert("bruteforce.ftp", std::move(src), std::move(dst), first, last);
  a.proto = "ftp";
  a.dst_port = 21;
  a.evidence = {{"users", {"root"}}, {"failures", failures}};
  return a;
}

Alert compromised(std::string src, std::string dst, double first, double login) {
  Alert a = alert("credential.compromised", std::move(src), std::move(dst), first, login);
  a.proto = "ftp";
  a.dst_port = 21;
  a.evidence = {{"users", {"root"}}};
  return a;
}

Alert beacon(std::string src, std::string dst, double first, double last, double interval) {
  Alert a = alert("c2.beacon", std::move(src), std::move(dst), first, last);
  a.dst_port = 80;
  a.count = uint64_t((last - first) / interval) + 1;
  a.evidence = {{"interval_s", interval}};
  return a;
}

Alert worm(std::string host, std::string by, double infected_at, double last) {
  Alert a = alert("worm.propagation", std::move(host), std::nullopt, infected_at, last);
  a.dst_port = 445;
  a.evidence = {{"port", 445}, {"infected_by", by}, {"infected_at", kT0 + infected_at}};
  return a;
}

std::vector<Story> stories_of(std::vector<Alert> alerts) {
  std::stable_sort(alerts.begin(), alerts.end(), alert_order);
  return find_stories(alerts);
}

TEST(Story, ScanBruteForceCompromiseBeaconSpreadIsOneChain) {
  std::vector<std::string> lan;
  for (int i = 20; i < 34; ++i) lan.push_back("10.0.0." + std::to_string(i));
  auto stories = stories_of({
      vertical_scan("10.0.0.5", "10.0.0.9", 40),
      bruteforce("10.0.0.5", "10.0.0.9", 160, 400, 312),
      compromised("10.0.0.5", "10.0.0.9", 160, 401),
      beacon("10.0.0.9", "203.0.113.7", 460, 1660, 60),
      horizontal_scan("10.0.0.9", 445, lan, 900),
  });
  ASSERT_EQ(stories.size(), 1u);
  const Story& s = stories[0];
  EXPECT_EQ(s.hosts, (std::vector<std::string>{"10.0.0.5", "10.0.0.9"}));
  EXPECT_EQ(s.text,
            "10.0.0.5 scanned 10.0.0.9 (25 ports, 22:14:00-22:14:01), brute-forced ftp on 10.0.0.9 "
            "(22:16:00-22:20:00, 312 failed logins), logged in to ftp on 10.0.0.9 as root (22:20:01); 10.0.0.9 then "
            "beaconed to 203.0.113.7:80 every 60 s (21 times, 22:21:00-22:41:00), scanned 14 hosts on port 445 "
            "(22:28:20-22:28:22).");
  ASSERT_EQ(s.steps.size(), 5u);
  EXPECT_EQ(s.steps[0].stage, StoryStage::kScan);
  EXPECT_EQ(s.steps[2].stage, StoryStage::kAccess);
  EXPECT_EQ(s.steps[4].stage, StoryStage::kSpread);

  std::string lines = render_stories(stories);
  EXPECT_EQ(lines, "story:        (2023-11-14 UTC) " + s.text + "\n");
}

TEST(Story, PartialChainsTellWhatHappenedAndNoMore) {
  // Scan and guessing without a success: a story of two steps; the victim's beacon is not tied to it.
  auto stories = stories_of({
      vertical_scan("10.0.0.5", "10.0.0.9", 0),
      bruteforce("10.0.0.5", "10.0.0.9", 10, 50, 40),
      beacon("10.0.0.9", "203.0.113.7", 100, 400, 30),
  });
  ASSERT_EQ(stories.size(), 1u);
  EXPECT_EQ(stories[0].steps.size(), 2u);
  EXPECT_EQ(stories[0].text.find("beaconed"), std::string::npos) << stories[0].text;

  // A compromise with the guessing that led to it, no scan: two stages.
  stories = stories_of({bruteforce("10.0.0.6", "10.0.0.10", 0, 9, 9), compromised("10.0.0.6", "10.0.0.10", 0, 9)});
  ASSERT_EQ(stories.size(), 1u);
  EXPECT_EQ(stories[0].text,
            "10.0.0.6 brute-forced ftp on 10.0.0.10 (22:13:20-22:13:29, 9 failed logins), logged in to ftp on "
            "10.0.0.10 as root (22:13:29).");

  // One stage alone is no story.
  EXPECT_TRUE(stories_of({bruteforce("10.0.0.6", "10.0.0.10", 0, 9, 9)}).empty());
  EXPECT_TRUE(stories_of({vertical_scan("10.0.0.5", "10.0.0.9", 0)}).empty());
  EXPECT_TRUE(stories_of({}).empty());
}

TEST(Story, UnrelatedAlertsStayOut) {
  auto stories = stories_of({
      vertical_scan("10.0.0.5", "10.0.0.77", 0),             // the attacker scanned another host
      vertical_scan("10.0.0.8", "10.0.0.9", 5),              // someone else scanned the victim
      beacon("10.0.0.9", "203.0.113.9", 20, 90, 10),         // the victim beaconed before it fell
      bruteforce("10.0.0.5", "10.0.0.9", 100, 130, 20),
      vertical_scan("10.0.0.5", "10.0.0.9", 200),            // a scan after the login is no discovery
      compromised("10.0.0.5", "10.0.0.9", 100, 131),
      beacon("10.0.0.44", "203.0.113.7", 140, 600, 60),      // another host's beacon
      horizontal_scan("10.0.0.44", 445, {"10.0.0.1"}, 300),  // another host's scan
      beacon("10.0.0.9", "203.0.113.7", 140, 600, 60),       // the victim's beacon after it fell: in
  });
  ASSERT_EQ(stories.size(), 1u);
  const Story& s = stories[0];
  EXPECT_EQ(s.hosts, (std::vector<std::string>{"10.0.0.5", "10.0.0.9"}));
  ASSERT_EQ(s.steps.size(), 3u) << s.text;
  EXPECT_EQ(s.steps[0].stage, StoryStage::kGuess);
  EXPECT_EQ(s.steps[1].stage, StoryStage::kAccess);
  EXPECT_EQ(s.steps[2].stage, StoryStage::kBeacon);
  EXPECT_NE(s.text.find("beaconed to 203.0.113.7:80"), std::string::npos) << s.text;
  EXPECT_EQ(s.text.find("203.0.113.9"), std::string::npos) << s.text;
  EXPECT_EQ(s.text.find("10.0.0.77"), std::string::npos) << s.text;
  EXPECT_EQ(s.text.find("10.0.0.44"), std::string::npos) << s.text;
}

TEST(Story, WormHopsContinueOneChain) {
  std::vector<std::string> net = {"10.0.0.101", "10.0.0.102", "10.0.0.103", "10.0.0.104"};
  auto stories = stories_of({
      horizontal_scan("10.0.0.101", 445, net, 0),
      worm("10.0.0.102", "10.0.0.101", 3, 12),
      horizontal_scan("10.0.0.102", 445, net, 6),
      worm("10.0.0.103", "10.0.0.102", 9, 20),
      horizontal_scan("10.0.0.103", 445, net, 14),
  });
  ASSERT_EQ(stories.size(), 1u);
  EXPECT_EQ(stories[0].hosts, (std::vector<std::string>{"10.0.0.101", "10.0.0.102", "10.0.0.103"}));
  EXPECT_EQ(stories[0].text,
            "10.0.0.101 scanned 4 hosts on port 445 (22:13:20-22:13:22), infected 10.0.0.102 over port 445 "
            "(22:13:23); 10.0.0.102 then scanned 4 hosts on port 445 (22:13:26-22:13:28), infected 10.0.0.103 over "
            "port 445 (22:13:29); 10.0.0.103 then scanned 4 hosts on port 445 (22:13:34-22:13:36).");
}

TEST(Story, RichestStoryFirstAndTheRestCounted) {
  std::vector<Alert> alerts;
  for (int i = 0; i < 7; ++i) {
    std::string a = "10.0.1." + std::to_string(i), v = "10.0.2." + std::to_string(i);
    alerts.push_back(bruteforce(a, v, i * 100, i * 100 + 10, 9));
    alerts.push_back(compromised(a, v, i * 100, i * 100 + 10));
  }
  alerts.push_back(vertical_scan("10.0.1.6", "10.0.2.6", 550));
  auto stories = stories_of(alerts);
  ASSERT_EQ(stories.size(), 7u);
  EXPECT_EQ(stories[0].hosts.front(), "10.0.1.6");  // three stages
  EXPECT_EQ(stories[1].hosts.front(), "10.0.1.0");  // then by time
  std::string lines = render_stories(stories, 5);
  EXPECT_EQ(std::count(lines.begin(), lines.end(), '\n'), 6);
  EXPECT_NE(lines.find("and 2 more in story.json"), std::string::npos);

  std::stable_sort(alerts.begin(), alerts.end(), alert_order);
  auto j = stories_json(stories, alerts);
  ASSERT_EQ(j["stories"].size(), 7u);
  const auto& first = j["stories"][0];
  EXPECT_EQ(first["steps"][0]["stage"], "scan");
  EXPECT_EQ(first["steps"][0]["type"], "scan.tcp_syn");
  size_t line = first["steps"][0]["alert"].get<size_t>();
  ASSERT_GE(line, 1u);
  EXPECT_EQ(alerts[line - 1].type, "scan.tcp_syn");
  EXPECT_EQ(first["hosts"], nlohmann::ordered_json({"10.0.1.6", "10.0.2.6"}));
}

}  // namespace
}  // namespace trawl::detect
