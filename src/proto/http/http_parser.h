// HTTP/1.x wire parser: pure functions over one message's header block, chunk-size lines and the
// header-end scanner. Nothing here allocates or keeps state beyond the small structs it is handed; the
// per-connection state machine (framing, pairing, login extraction) lives in http_analyzer.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace trawl::proto::http {

enum class Parse : uint8_t { kComplete, kNeedMore, kMalformed };

// Finds the blank line that ends a header block (CRLF CRLF or LF LF, mixed allowed) across chunks.
// Feed the bytes in order; scan() returns how many bytes of `data` belong to the block (terminator
// included) once the end is seen, or npos when every byte of `data` still belongs to it.
class HeaderEndScanner {
 public:
  size_t scan(std::string_view data);
  void reset() { state_ = kMidLine; }
  void reset_at_line_start() { state_ = kLineStart; }

 private:
  enum : uint8_t { kMidLine, kLineStart, kLineStartCr };
  uint8_t state_ = kMidLine;
};

struct RequestLine {
  std::string_view method, uri;
  std::string_view version;  // "1.1" (after "HTTP/"); empty when the line had no usable version
};
// kComplete: a well-formed "METHOD SP URI SP HTTP/d.d". kMalformed with method filled: the line starts
// like a request (a token and a space) but the rest is wrong (HTTP/0.9, bad version). kMalformed with
// an empty method: not a request line at all.
Parse parse_request_line(std::string_view line, RequestLine& out);

struct StatusLine {
  std::string_view version;  // "1.1"
  int code = 0;
  std::string_view reason;
};
Parse parse_status_line(std::string_view line, StatusLine& out);

// The fields of a header block trawl uses (views into the block; the last occurrence wins, except
// Content-Length, whose occurrences must agree).
struct Headers {
  std::string_view host, user_agent, referer, content_type, location, authorization, transfer_encoding,
      content_encoding, upgrade, www_authenticate;
  std::optional<uint64_t> content_length;
  bool bad_content_length = false;  // not a number, too large, or two different values
  bool chunked = false;             // the final transfer coding is "chunked"
  uint32_t count = 0;               // header lines seen (continuations not counted)
  bool too_many = false;            // more than max_headers lines: the rest were ignored
  bool bad_line = false;            // a line without a colon or with an empty name
};
// `lines`: the block after its first line, terminator included or not.
void parse_headers(std::string_view lines, Headers& out, uint32_t max_headers);

// Splits a header block into its first line (without line ending) and the lines after it.
std::string_view split_first_line(std::string_view block, std::string_view& rest);

// One chunk-size line without its line ending: hex digits, optional extensions after ';'.
Parse parse_chunk_size(std::string_view line, uint64_t& size);

// GET POST HEAD PUT DELETE OPTIONS CONNECT PATCH TRACE and the WebDAV/SSDP methods.
bool is_known_method(std::string_view token);
// The longest known method plus its space: what a resync needs to see at a line start.
inline constexpr size_t kMaxKnownMethodPrefix = 18;
// For resync: does `prefix` (bytes at a line start, maybe cut short) begin with a known method and a
// space? kNeedMore when it could still become one.
Parse match_method_prefix(std::string_view prefix);

bool iequals(std::string_view a, std::string_view b);
std::string_view trim(std::string_view s);

}  // namespace trawl::proto::http
