// The display-filter language's syntax: Wireshark's grammar, parsed into a tree that the compiler
// (filter.h) checks against the field registry. Values stay text here; their meaning depends on the field
// they are compared with, as in Wireshark ("00:0c:29" is bytes next to eth.src, a string elsewhere).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace trawl::filter {

// A mistake in a filter, pointing at the column (0-based) where it is.
class FilterError : public std::runtime_error {
 public:
  FilterError(const std::string& message, size_t column) : std::runtime_error(message), column_(column) {}
  size_t column() const { return column_; }

 private:
  size_t column_;
};

struct Literal {
  std::string text;
  bool quoted = false;  // a "string" (escapes resolved) rather than a bare word
  size_t column = 0;
};

struct Slice {
  long offset = 0;  // negative: from the end
  long length = 1;  // -1: to the end
};

// Wireshark 4.0's comparisons: == is "any equal", != "all not equal", === "all equal", !== "any not equal".
enum class CmpOp { kEq, kNe, kAllEq, kAnyNe, kGt, kLt, kGe, kLe };

struct Node {
  enum class Kind { kAnd, kOr, kXor, kNot, kExists, kCompare, kContains, kMatches, kIn, kBitAnd };
  Kind kind = Kind::kExists;
  std::vector<std::unique_ptr<Node>> children;  // kAnd kOr kXor (two), kNot (one)
  std::string field;                            // every other kind
  size_t field_column = 0;
  std::optional<Slice> slice;
  CmpOp op = CmpOp::kEq;                                           // kCompare
  Literal value;                                                   // kCompare kContains kMatches kBitAnd
  std::vector<std::pair<Literal, std::optional<Literal>>> members;  // kIn: values and low..high ranges
};

// Parses a filter; throws FilterError at the first mistake.
std::unique_ptr<Node> parse(const std::string& text);

}  // namespace trawl::filter
