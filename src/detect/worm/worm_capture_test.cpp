// End to end: `trawl analyze` on real captures. No shared capture holds a worm (Sality's C2 requests and an
// EternalBlue check from one host must stay quiet); the attack fixture holds a 445 chain of four hosts and a
// Conficker-like HTTP request sent to twenty addresses, as its labels say.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "support/labels.h"
#include "support/testing.h"

namespace trawl::detect::worm {
namespace {

using nlohmann::json;

bool is_worm_type(const std::string& type) { return type == "http.worm_pattern" || type == "worm.propagation"; }

std::vector<json> worm_alerts(const std::string& pcap) {
  testing::TempDir out;
  auto r = testing::run(testing::shell_quote(testing::trawl_binary()) + " analyze --quiet " +
                        testing::shell_quote(pcap) + " -o " + testing::shell_quote(out.path()) + " >/dev/null");
  // 2: an input was damaged and read up to the damage (some shared captures are cut short on purpose).
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 2) << r.exit_code << r.err;
  std::vector<json> alerts;
  std::istringstream in(testing::read_file(out.file("alerts.jsonl")));
  for (std::string line; std::getline(in, line);) {
    json a = json::parse(line);
    if (is_worm_type(a["type"])) alerts.push_back(a);
  }
  return alerts;
}

TEST(WormCaptures, NoWormInTheSharedCaptures) {
  size_t checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(testing::shared_pcaps_dir())) {
    std::string name = entry.path().filename().string();
    if (name == "MANIFEST.tsv" || !entry.is_regular_file()) continue;
    SCOPED_TRACE(name);
    for (const json& a : worm_alerts(entry.path().string())) ADD_FAILURE() << a.dump();
    ++checked;
  }
  EXPECT_GT(checked, 40u);
}

std::string fixture(const std::string& name) {
  std::string path = testing::fixtures_dir() + "/attacks/" + name;
  return std::filesystem::exists(path) ? path : "";
}

struct Label {
  std::string type, src, dst, port, note;
};
std::vector<Label> worm_labels(const std::string& tsv) {
  std::vector<Label> out;
  for (auto& r : testing::read_label_rows(tsv, {"type", "src", "dst", "dst_port", "note"}))
    if (is_worm_type(r["type"])) out.push_back({r["type"], r["src"], r["dst"], r["dst_port"], r["note"]});
  return out;
}

// The fixture's labels: every worm label found once (type, source, port), the infector and patient zero the
// note names, and no unlabelled worm alert.
TEST(WormFixtures, Worm) {
  std::string pcap = fixture("worm.pcap");
  if (pcap.empty()) GTEST_SKIP() << "fixtures/attacks/worm.pcap not made yet";
  auto alerts = worm_alerts(pcap);
  auto labels = worm_labels(fixture("worm.labels.tsv"));
  ASSERT_FALSE(labels.empty());
  std::vector<bool> used(alerts.size());
  const std::regex by(R"(by (\d+\.\d+\.\d+\.\d+))"), zero(R"(patient zero (\d+\.\d+\.\d+\.\d+))");
  for (const Label& l : labels) {
    SCOPED_TRACE(l.type + " " + l.src + " " + l.note);
    int hits = 0;
    for (size_t i = 0; i < alerts.size(); ++i) {
      const json& a = alerts[i];
      if (a["type"] != l.type || a["src"] != l.src) continue;
      if (!l.port.empty() && a["dst_port"].dump() != l.port) continue;
      ++hits;
      used[i] = true;
      std::smatch m;
      if (l.type == "worm.propagation" && std::regex_search(l.note, m, by)) {
        EXPECT_EQ(a["evidence"]["infected_by"], m[1].str());
      }
      if (l.type == "worm.propagation" && std::regex_search(l.note, m, zero)) {
        EXPECT_EQ(a["evidence"]["patient_zero"], m[1].str());
      }
    }
    EXPECT_EQ(hits, 1);
  }
  for (size_t i = 0; i < alerts.size(); ++i)
    if (!used[i]) ADD_FAILURE() << "unlabelled: " << alerts[i].dump();
}

TEST(WormFixtures, NoWormInTheOtherScenarios) {
  for (const char* scenario : {"benign", "scans", "smb-vuln", "bruteforce", "mail", "beacon", "dns"}) {
    std::string pcap = fixture(std::string(scenario) + ".pcap");
    if (pcap.empty()) continue;
    SCOPED_TRACE(scenario);
    for (const json& a : worm_alerts(pcap)) ADD_FAILURE() << a.dump();
  }
}

}  // namespace
}  // namespace trawl::detect::worm
