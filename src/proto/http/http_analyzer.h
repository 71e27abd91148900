// HTTP/1.x over TCP. Requests are paired with responses in order (pipelining), bodies are framed by
// Content-Length, chunked transfer coding or the connection's close, interim 1xx answers (100 Continue) do
// not consume a request, HEAD / 204 / 304 answers have no body, and CONNECT or 101 Switching Protocols
// turn the connection into a tunnel that is not parsed further (a CONNECT tunnel is handed to TLS).
// Records: http.jsonl (HttpRecord, one per transaction) and auth.jsonl (one AuthRecord per login attempt:
// Authorization Basic/Digest, and form posts or GET forms carrying a user and a password field).
//
// Bounds: header blocks 64 KiB, 128 header lines, 32 transactions waiting for their responses, the first
// 4 KiB of a form body and the first 8 KiB of the answer to a login attempt. Malformed input sets an
// anomaly on the record and the direction resynchronises on the next request line ("METHOD SP" of a known
// method at a line start) or status line ("HTTP/1." at a line start); after 32 resyncs it gives up.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "proto/registry.h"

namespace trawl::proto {

extern const AnalyzerInfo kHttpAnalyzer;  // "http", TCP; ports 80 8080 8000 8008 8888 break ties

namespace http {

inline constexpr size_t kMaxHeaderBlock = 64 * 1024;
inline constexpr uint32_t kMaxHeaders = 128;
inline constexpr size_t kMaxPending = 32;
inline constexpr size_t kFormBodyKeep = 4096;
inline constexpr size_t kLoginResponseKeep = 8192;

// The content probe of kHttpAnalyzer (exposed for tests): a request line "METHOD SP URI SP HTTP/1.x" from
// the originator, "HTTP/1." from the responder.
Match probe(std::span<const uint8_t> first_bytes, Dir dir);

}  // namespace http
}  // namespace trawl::proto
