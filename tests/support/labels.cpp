#include "support/labels.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "support/testing.h"

namespace trawl::testing {

std::vector<LabelRow> read_label_rows(const std::string& path, const std::vector<std::string>& required) {
  std::istringstream in(read_file(path));
  std::string line;
  std::getline(in, line);
  const auto header = split(line, '\t');
  for (const auto& c : required)
    EXPECT_NE(std::find(header.begin(), header.end(), c), header.end()) << path << ": no column " << c;
  std::vector<LabelRow> rows;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto fields = split(line, '\t');
    fields.resize(header.size());
    LabelRow& row = rows.emplace_back();
    for (size_t i = 0; i < header.size(); ++i) row[header[i]] = fields[i];
  }
  return rows;
}

std::vector<LoginLabel> read_login_labels(const std::string& path) {
  std::vector<LoginLabel> out;
  for (auto& r : read_label_rows(path, {"app", "client", "server", "port", "user", "password", "method", "outcome", "note"})) {
    out.push_back({r["app"], r["client"], r["server"], r["user"], r["password"], r["method"], r["outcome"], r["note"],
                   std::stoi(r["port"])});
  }
  return out;
}

}  // namespace trawl::testing
