// Detection on real attack traffic: fixtures/attacks/make-attacks.sh attacked real servers in network
// namespaces with real tools and labelled what each scenario must report. For every scenario,
// `trawl analyze` must raise every labelled finding (type and actor, and the target where the label names
// one) and nothing else, and `trawl detect` over its output the very same alerts.jsonl; benign.pcap must
// raise nothing at all. The per-type table of found / missed /
// false alerts is printed and written to <build>/detection-fixtures.md (the README shows it). A label whose
// note starts with "known miss:" is a finding trawl does not make yet: counted as missed, and the test
// fails once it is found, so the mark gets removed.
#include <algorithm>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/labels.h"
#include "support/testing.h"

namespace trawl::testing {
namespace {

struct Label {
  std::string type, src, dst, dst_port, note;
};

std::vector<Label> read_labels(const std::string& path) {
  std::vector<Label> out;
  for (auto& r : read_label_rows(path, {"type", "src", "dst", "dst_port", "note"}))
    out.push_back({r["type"], r["src"], r["dst"], r["dst_port"], r["note"]});
  return out;
}

bool matches(const Label& l, const nlohmann::json& a) {
  if (a["type"] != l.type || a["src"] != l.src) return false;
  if (!l.dst.empty() && (!a["dst"].is_string() || a["dst"] != l.dst)) return false;
  if (!l.dst_port.empty() && (!a["dst_port"].is_number() || a["dst_port"].get<int>() != std::stoi(l.dst_port)))
    return false;
  return true;
}

std::vector<std::string> scenarios() {
  std::vector<std::string> out;
  std::string dir = fixtures_dir() + "/attacks";
  if (!std::filesystem::is_directory(dir)) return out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    const std::string suffix = ".labels.tsv";
    if (name.size() > suffix.size() && name.ends_with(suffix)) out.push_back(name.substr(0, name.size() - suffix.size()));
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(DetectFixtures, EveryLabelledFindingAndNothingElse) {
  auto names = scenarios();
  ASSERT_FALSE(names.empty()) << "no fixtures/attacks/*.labels.tsv";
  EXPECT_TRUE(std::find(names.begin(), names.end(), "benign") != names.end()) << "no benign fixture";
  struct Tally {
    int found = 0, missed = 0, false_alerts = 0;
  };
  std::map<std::string, Tally> by_type;
  for (const auto& name : names) {
    SCOPED_TRACE(name);
    std::string pcap = fixtures_dir() + "/attacks/" + name + ".pcap";
    ASSERT_TRUE(std::filesystem::exists(pcap)) << pcap;
    auto labels = read_labels(fixtures_dir() + "/attacks/" + name + ".labels.tsv");
    TempDir out;
    auto r = run(shell_quote(trawl_binary()) + " analyze -q " + shell_quote(pcap) + " -o " + shell_quote(out.path()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // analyze hands the detectors its records as they are made, types interleaved as the traffic has them;
    // `trawl detect` reads them back from the files, type by type: the same alerts and stories, byte for
    // byte, whether the detectors share one thread or each has its own.
    const std::string from_analyze = read_file(out.file("alerts.jsonl")), story = read_file(out.file("story.json"));
    for (const char* threads : {"1", "16"}) {
      SCOPED_TRACE(std::string("--detect-threads ") + threads);
      auto again = run(shell_quote(trawl_binary()) + " detect -q --detect-threads " + threads + " " + shell_quote(out.path()));
      ASSERT_EQ(again.exit_code, 0) << again.err;
      EXPECT_EQ(read_file(out.file("alerts.jsonl")), from_analyze);
      EXPECT_EQ(read_file(out.file("story.json")), story);
    }
    {  // analyze with its detectors split over four threads of their own
      TempDir four;
      auto r4 = run(shell_quote(trawl_binary()) + " analyze -q --detect-threads 4 " + shell_quote(pcap) + " -o " +
                    shell_quote(four.path()));
      ASSERT_EQ(r4.exit_code, 0) << r4.err;
      EXPECT_EQ(read_file(four.file("alerts.jsonl")), from_analyze);
      EXPECT_EQ(read_file(four.file("story.json")), story);
    }
    std::vector<nlohmann::json> alerts;
    std::istringstream in(from_analyze);
    for (std::string line; std::getline(in, line);) alerts.push_back(nlohmann::json::parse(line));

    std::vector<bool> used(alerts.size());
    for (const auto& l : labels) {
      bool hit = false;
      for (size_t i = 0; i < alerts.size(); ++i)
        if (matches(l, alerts[i])) hit = used[i] = true;
      (hit ? by_type[l.type].found : by_type[l.type].missed)++;
      if (l.note.starts_with("known miss:")) {
        EXPECT_FALSE(hit) << "found now, remove the known-miss mark: " << l.type << " from " << l.src;
        continue;
      }
      EXPECT_TRUE(hit) << "missed: " << l.type << " from " << l.src << " to " << l.dst << ":" << l.dst_port << " ("
                       << l.note << ")";
    }
    for (size_t i = 0; i < alerts.size(); ++i) {
      if (used[i]) continue;
      by_type[alerts[i]["type"].get<std::string>()].false_alerts++;
      ADD_FAILURE() << "alert no label asks for: " << alerts[i].dump();
    }
  }
  std::string table = "| alert type | found | missed | false alerts |\n|---|---:|---:|---:|\n";
  for (const auto& [type, t] : by_type) table += fmt::format("| `{}` | {} | {} | {} |\n", type, t.found, t.missed, t.false_alerts);
  std::fputs(table.c_str(), stdout);
  write_file(std::string(TRAWL_BUILD_DIR) + "/detection-fixtures.md", table);
}

// The story scenario is one intrusion end to end (make-attacks.sh scenario_story): 10.66.0.91 SYN-scans the
// server, guesses its FTP password with hydra and logs in; the server then beacons to 203.0.113.80 every 3 s
// and connect-scans 445 on 10.66.0.0/27. analyze must tell it as one story, in that order, on the terminal
// and in story.json; the worm scenario's four hosts must be one chain from patient zero to the last hop.
nlohmann::json story_of(const std::string& scenario, std::string* terminal) {
  TempDir out;
  auto r = run(shell_quote(trawl_binary()) + " analyze " + shell_quote(fixtures_dir() + "/attacks/" + scenario + ".pcap") +
               " -o " + shell_quote(out.path()));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  if (terminal) *terminal = r.out;
  return nlohmann::json::parse(read_file(out.file("story.json")));
}

TEST(DetectFixtures, StoryScenarioIsOneChainFromScanToSpread) {
  std::string terminal;
  auto j = story_of("story", &terminal);
  ASSERT_EQ(j["stories"].size(), 1u) << j.dump(2);
  const auto& s = j["stories"][0];
  EXPECT_EQ(s["hosts"], nlohmann::json({"10.66.0.91", "10.66.1.10"}));
  std::vector<std::string> stages, actors;
  for (const auto& step : s["steps"]) {
    stages.push_back(step["stage"]);
    actors.push_back(step["actor"]);
  }
  EXPECT_EQ(stages, (std::vector<std::string>{"scan", "guess", "access", "beacon", "spread"}));
  EXPECT_EQ(actors, (std::vector<std::string>{"10.66.0.91", "10.66.0.91", "10.66.0.91", "10.66.1.10", "10.66.1.10"}));
  std::string text = s["text"];
  for (const char* part : {"10.66.0.91 scanned 10.66.1.10 (25 ports", "brute-forced ftp on 10.66.1.10",
                           "logged in to ftp on 10.66.1.10 as trawlatk", "; 10.66.1.10 then beaconed to 203.0.113.80:80",
                           "(12 times", "scanned 32 hosts on port 445"})
    EXPECT_NE(text.find(part), std::string::npos) << part << " not in: " << text;
  EXPECT_NE(terminal.find("story:        (2026-11-25 UTC) " + text + "\n"), std::string::npos) << terminal;
}

TEST(DetectFixtures, WormScenarioIsOneChainFromPatientZero) {
  auto j = story_of("worm", nullptr);
  ASSERT_EQ(j["stories"].size(), 1u) << j.dump(2);
  EXPECT_EQ(j["stories"][0]["hosts"], nlohmann::json({"10.66.0.101", "10.66.0.102", "10.66.0.103", "10.66.0.104"}));
  // No story where nothing followed from anything: the benign capture, and the scans (one step each).
  EXPECT_TRUE(story_of("benign", nullptr)["stories"].empty());
  EXPECT_TRUE(story_of("scans", nullptr)["stories"].empty());
}

}  // namespace
}  // namespace trawl::testing
