// Fixture label files (fixtures/*.labels.tsv, fixtures/attacks/*.labels.tsv): a header line naming the
// columns, then one row per labelled event. Blank lines and lines starting with '#' are skipped.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace trawl::testing {

// One row by column name; a row shorter than the header reads "" for the missing columns.
using LabelRow = std::map<std::string, std::string>;

// The rows of `path`; a test failure for each of `required` the header lacks.
std::vector<LabelRow> read_label_rows(const std::string& path, const std::vector<std::string>& required);

// A login attempt of fixtures/logins.labels.tsv or db-logins.labels.tsv.
struct LoginLabel {
  std::string app, client, server, user, password, method, outcome, note;
  int port = 0;
};
std::vector<LoginLabel> read_login_labels(const std::string& path);

}  // namespace trawl::testing
