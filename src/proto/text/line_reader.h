// LineReader: splits one direction of a byte stream into lines (LF or CRLF) with a length cap, and hands
// out raw byte runs for the protocols that mix lines with counted bytes (IMAP literals, SMTP BDAT).
//
// Lines that lie wholly inside the chunk given to push() are returned as views into it (no copy); only a
// partial line at the end of a chunk is kept, and never more than max_line bytes of it. A longer line is
// returned once, cut at max_line and flagged, and the rest of it up to the next LF is dropped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace trawl::proto::text {

struct Line {
  std::string_view text;  // without the line ending
  bool truncated = false; // longer than the cap: text is its first max_line bytes
  uint8_t eol = 0;         // bytes of the line ending: 2 (CRLF), 1 (LF), 0 (cut)
};

class LineReader {
 public:
  explicit LineReader(size_t max_line = 64 * 1024) : max_line_(max_line) {}

  // The next chunk of the stream. Call next_line()/take() until they return nothing before pushing again:
  // whatever is left of the chunk then is kept as the start of the next line.
  void push(std::span<const uint8_t> data);
  void push(std::string_view data) {
    push(std::span(reinterpret_cast<const uint8_t*>(data.data()), data.size()));
  }

  // The next complete line; nullopt when the rest of the chunk is an unfinished line (kept, capped). A view
  // stays valid until the next call on this reader.
  std::optional<Line> next_line();

  // Up to n raw bytes (the kept partial line first, then the chunk); empty when nothing is left.
  std::string_view take(size_t n);

  // Bytes will never arrive (a gap): forget the partial line.
  void clear();

  // Bytes of an unfinished line currently kept.
  size_t pending() const { return buf_.size() - buf_off_; }

 private:
  std::string_view rest() const {
    return {reinterpret_cast<const char*>(data_.data()) + off_, data_.size() - off_};
  }
  void keep(std::string_view bytes);  // appends to buf_ within the cap

  size_t max_line_;
  std::span<const uint8_t> data_;
  size_t off_ = 0;
  std::string buf_;       // the unfinished line carried between chunks
  size_t buf_off_ = 0;    // bytes of buf_ already handed out by take()
  bool release_ = false;  // buf_ was returned as a line: empty it on the next call
  bool skipping_ = false; // dropping the tail of an over-long line up to its LF
};

}  // namespace trawl::proto::text
