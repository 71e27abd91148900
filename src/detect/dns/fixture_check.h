// Test support: runs trawl analyze on an attack fixture (fixtures/attacks/<scenario>.pcap) and checks its
// label file against alerts.jsonl for the given alert types: every labelled finding found (same type and
// src, and dst/dst_port where the label names them), and every alert of those types labelled.
#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "support/testing.h"

namespace trawl::detect::testing_support {

inline bool has_prefix(const std::string& type, const std::vector<std::string>& families) {
  for (const auto& f : families)
    if (type.rfind(f, 0) == 0) return true;
  return false;
}

// False when the fixture is not there (it is made by fixtures/attacks/make-attacks.sh).
inline bool check_fixture(const std::string& scenario, const std::vector<std::string>& families) {
  std::string dir = testing::fixtures_dir() + "/attacks/";
  std::string pcap = dir + scenario + ".pcap", labels_file = dir + scenario + ".labels.tsv";
  if (!std::ifstream(pcap) || !std::ifstream(labels_file)) return false;
  testing::TempDir out;
  auto r = testing::run(fmt::format("{} analyze {} -o {} --quiet", testing::trawl_binary(), testing::shell_quote(pcap),
                                    out.path()));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<nlohmann::json> alerts;
  std::istringstream lines(testing::read_file(out.file("alerts.jsonl")));
  for (std::string line; std::getline(lines, line);) {
    auto j = nlohmann::json::parse(line);
    if (has_prefix(j["type"].get<std::string>(), families)) alerts.push_back(j);
  }
  struct Label {
    std::string type, src, dst, port;
  };
  std::vector<Label> labels;
  std::istringstream rows(testing::read_file(labels_file));
  std::string row;
  std::getline(rows, row);  // header
  while (std::getline(rows, row)) {
    std::vector<std::string> cols;
    std::istringstream cells(row);
    for (std::string cell; std::getline(cells, cell, '\t');) cols.push_back(cell);
    cols.resize(4);
    if (has_prefix(cols[0], families)) labels.push_back({cols[0], cols[1], cols[2], cols[3]});
  }
  for (const Label& l : labels) {
    bool found = false;
    for (const auto& a : alerts)
      found = found || (a["type"] == l.type && a["src"] == l.src && (l.dst.empty() || a["dst"] == l.dst) &&
                        (l.port.empty() || a["dst_port"] == std::stoi(l.port)));
    EXPECT_TRUE(found) << scenario << ": missed " << l.type << " " << l.src << " " << l.dst << " " << l.port;
  }
  for (const auto& a : alerts) {
    bool labelled = false;
    for (const Label& l : labels) labelled = labelled || (a["type"] == l.type && a["src"] == l.src);
    EXPECT_TRUE(labelled) << scenario << ": false alert " << a.dump();
  }
  return true;
}

}  // namespace trawl::detect::testing_support
