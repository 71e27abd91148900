// RespReader: one direction of a Redis connection as a sequence of top-level values: RESP2 and RESP3
// (arrays, maps, sets, pushes, attributes, bulk and simple strings, errors, numbers) and the inline
// commands a client may type. Bulk payloads are never buffered: only the first few elements of a
// top-level array (the command name and its first arguments) are kept, each capped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "proto/text/line_reader.h"

namespace trawl::proto::redis {

struct RespValue {
  char type = 0;     // the top-level type byte ('*', '+', '-', '$', '%', '>', ...); 0 for an inline command
  uint64_t count = 0;  // elements of a top-level aggregate, 1 for a string, 0 for null
  size_t kept = 0;     // items in use: a string's text, or an array's first kKeptItems strings (capped)
  std::string_view item(size_t i) const { return i < kept ? std::string_view(items[i]) : std::string_view(); }

  // Storage reused from value to value, so reading replies does not allocate once warmed up.
  std::vector<std::string> items;
  std::string& slot(size_t i);  // item i, making it (and any before it) in use
  void reset(char t);
};

class RespReader {
 public:
  static constexpr size_t kMaxLine = 64 * 1024;
  static constexpr size_t kMaxDepth = 16;
  static constexpr size_t kKeptItems = 6;    // HELLO 3 AUTH user pass SETNAME
  static constexpr size_t kMaxItem = 512;

  RespReader() : lines_(kMaxLine) {}

  // The next chunk of the stream: call next() until it returns false before pushing again.
  void push(std::span<const uint8_t> data) { lines_.push(data); }
  // The next complete top-level value; false when more bytes are needed or the stream is broken.
  bool next(RespValue& out);
  // Bytes were lost: the framing cannot be trusted any more.
  void break_stream() { broken_ = true; }
  bool broken() const { return broken_; }

 private:
  struct Frame {
    uint64_t total, done;
    bool attribute;  // an attribute map, followed by the value it describes
  };
  // An element finished: climbs the open aggregates; true when the top-level value is complete.
  bool element_done();
  // Where the string now being read is kept: an index into out.items, or -1.
  int item_slot() const;
  void keep(RespValue& out, int slot, std::string_view text);

  text::LineReader lines_;
  std::vector<Frame> stack_;
  uint64_t bulk_left_ = 0;     // payload bytes of the current bulk string still to read
  uint64_t bulk_crlf_ = 0;     // and its trailing CRLF
  int bulk_slot_ = -1;
  bool started_ = false;       // a top-level value is under way
  bool broken_ = false;
};

// Splits an inline command line into arguments (whitespace-separated, "double" and 'single' quotes).
void split_inline(std::string_view line, RespValue& out);

}  // namespace trawl::proto::redis
