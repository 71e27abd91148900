// Inside `trawl analyze` records reach the detectors as they are made, types interleaved however the
// traffic interleaves them; `trawl detect` feeds them type by type. Both must give the same alerts, so every
// detector's alerts may depend only on each record type's own sequence, never on how the types interleave.
// This test feeds the records of real captures (the attack fixtures and every shared capture) in several
// type orders and requires the very same alerts.
#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "detect/engine.h"
#include "support/testing.h"

namespace trawl::testing {
namespace {

std::vector<std::string> captures() {
  std::vector<std::string> out;
  for (const std::string& dir : {fixtures_dir() + "/attacks", shared_pcaps_dir()})
    if (std::filesystem::is_directory(dir))
      for (const auto& e : std::filesystem::directory_iterator(dir))
        if (e.path().extension() == ".pcap" || e.path().extension() == ".pcapng") out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

TEST(DetectOrder, AlertsDoNotDependOnHowRecordTypesInterleave) {
  const auto& usual = detect::record_type_order();
  std::vector<std::string> conn_first{"conn"};
  for (const auto& t : usual)
    if (t != "conn") conn_first.push_back(t);
  std::vector<std::string> reversed(usual.rbegin(), usual.rend());
  auto files = captures();
  ASSERT_FALSE(files.empty());
  for (const auto& pcap : files) {
    SCOPED_TRACE(pcap);
    TempDir out;
    auto r = run(shell_quote(trawl_binary()) + " analyze -q --no-detect " + shell_quote(pcap) + " -o " + shell_quote(out.path()));
    if (r.exit_code != 0 && r.exit_code != 2) {  // 2: the capture was damaged, the records are still written
      ADD_FAILURE() << r.err;
      continue;
    }
    const auto config = detect::Config::defaults();
    const std::string expected = detect::alert_lines(detect::run_detectors(out.path(), config).alerts);
    // The attack fixtures have findings of every family: an empty result here would compare nothing.
    if (pcap.find("/attacks/") != std::string::npos && pcap.find("benign") == std::string::npos)
      EXPECT_FALSE(expected.empty());
    for (const auto& [name, order] : {std::pair{"conn first", &conn_first}, {"reversed", &reversed}}) {
      SCOPED_TRACE(name);
      detect::FeedOptions feed;
      feed.order = *order;
      EXPECT_EQ(detect::alert_lines(detect::run_detectors(out.path(), config, detect::detectors(), feed).alerts), expected);
    }
  }
}

}  // namespace
}  // namespace trawl::testing
