// Shared by the filter tests: what compiling a filter says.
#pragma once

#include <string>

#include "filter/filter.h"

namespace trawl::filter {

// The FilterError message for `text`, or "" when it compiles.
inline std::string error_text(const std::string& text) {
  try {
    Filter f(text);
  } catch (const FilterError& e) {
    return e.what();
  }
  return "";
}

}  // namespace trawl::filter
