// Walking JSON Lines text (alerts.jsonl, frame_index.jsonl) a line at a time, with 1-based line numbers
// for error messages.
#pragma once

#include <cstddef>
#include <string_view>

namespace trawl::extract {

// Calls f(line_number, line) for every non-empty line of `text`.
template <typename F>
void for_each_line(std::string_view text, F&& f) {
  size_t line_no = 0;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    if (!line.empty()) f(line_no, line);
  }
}

}  // namespace trawl::extract
