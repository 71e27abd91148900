// HttpRecord (http.jsonl): one row per HTTP/1.x transaction (a request and its final response, or either
// alone when the other half was not seen).
//
// Columns after the common ones (null when they do not apply):
//   trans_depth           1-based index of the transaction on its connection
//   method, uri, version  from the request line ("GET", "/index.html", "1.1"); version from the status
//                         line when there was no request
//   host, user_agent, referer   request headers
//   request_body_len      request body bytes seen (after de-chunking; capture gaps not counted)
//   request_content_type  the request's Content-Type
//   status_code, status_msg     the final response's status line
//   info_code, info_msg         the last interim (1xx) response before it, e.g. 100 Continue
//   response_body_len     response body bytes seen (after de-chunking, before content decoding)
//   content_type          the response's Content-Type
//   location              the response's Location
//   missing_bytes         bytes of this transaction lost to capture gaps
//   anomalies             JSON array of tokens (see kAnomalyNames in http_record.cpp): framing and syntax
//                         problems, each followed by a resync or the end of parsing for that direction
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "proto/record.h"

namespace trawl::proto::http {

// Bit flags for HttpRecord::anomalies (the names written are in the same order).
enum Anomaly : uint32_t {
  kBadRequestLine = 1u << 0,      // "bad_request_line": not METHOD SP URI SP HTTP/d.d
  kBadStatusLine = 1u << 1,       // "bad_status_line"
  kHeaderTooLong = 1u << 2,       // "header_too_long": no end of header block within 64 KiB
  kTooManyHeaders = 1u << 3,      // "too_many_headers": lines past the cap were ignored
  kBadHeaderLine = 1u << 4,       // "bad_header_line": a header line without a name and colon
  kBadContentLength = 1u << 5,    // "bad_content_length": not a number, or two different values
  kBadChunk = 1u << 6,            // "bad_chunk": bad chunk-size line or chunk terminator
  kResync = 1u << 7,              // "resync": bytes skipped to find the next message start
  kGap = 1u << 8,                 // "gap": capture loss inside the message
  kNoRequest = 1u << 9,           // "no_request": a response with no request waiting for it
  kNoResponse = 1u << 10,         // "no_response": the connection ended before the response
  kUnfinished = 1u << 11,         // "unfinished": the connection ended inside a message
  kTruncatedField = 1u << 12,     // "truncated_field": uri or a header value cut at its cap
  kTunnel = 1u << 13,             // "tunnel": CONNECT or 101 Switching Protocols; not parsed further
  kTeAndLength = 1u << 14,        // "te_and_length": both Transfer-Encoding and Content-Length
  kUnexpected1xx = 1u << 15,      // "unexpected_1xx": an interim response with no request waiting
  kGaveUp = 1u << 16,             // "gave_up": too many malformed messages; the direction is ignored
};

struct HttpRecord final : Record {
  RecordOrigin origin;
  uint64_t trans_depth = 0;
  std::string method, uri, version, host, user_agent, referer, request_content_type;
  uint64_t request_body_len = 0, response_body_len = 0, missing_bytes = 0;
  int status_code = 0, info_code = 0;  // 0: none
  std::string status_msg, info_msg, content_type, location;
  bool has_request = false, has_response = false;
  uint32_t anomalies = 0;

  static const RecordType kType;
  const RecordType& type() const override { return kType; }
  void write(output::TableWriter& w, const WriteOptions& options) const override;
};

// "bad_request_line" for kBadRequestLine, ...; empty for a combination or unknown bit.
std::string_view anomaly_name(uint32_t bit);

}  // namespace trawl::proto::http
