// Application-layer analyzers: the interface between the flow stage and the per-protocol parsers.
//
// The flow stage hands each analyzer the bytes of one connection: in-order stream bytes per direction
// for TCP (after reassembly), whole datagrams for UDP. An analyzer parses them (its wire parser is a set of
// pure functions over byte spans, beside it in src/proto/<name>/) and emits typed records to the
// RecordSink. Analyzers never see packets, never allocate per byte, and never trust a length field.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "util/ip_address.h"

namespace trawl::proto {

class RecordSink;  // proto/records.h

enum class Dir : uint8_t { kOrig = 0, kResp = 1 };
inline Dir opposite(Dir d) { return d == Dir::kOrig ? Dir::kResp : Dir::kOrig; }

// Wire bytes read as text, without a copy.
inline std::string_view as_view(std::span<const uint8_t> b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

// Where a piece of data came from: the packet that carried it (its last byte, for stream data).
struct PacketRef {
  int64_t ts_ns = 0;
  uint32_t file_index = 0;
  uint64_t frame = 0;
};

// The connection an analyzer works for. Strings point into storage that outlives the analyzer.
struct ConnId {
  IpAddress orig_h, resp_h;
  uint16_t orig_p = 0, resp_p = 0;
  uint8_t proto = 0;        // IP protocol number
  std::string_view uid;     // the conn record's uid, so records can be joined with conn.jsonl
};

// A TCP connection an analyzer learned of before it opens: FTP's PORT/EPRT and PASV/EPSV name the data
// connection's originator, responder and responder port (the originator's port is never known).
struct ExpectedConnection {
  IpAddress orig_h, resp_h;
  uint16_t resp_p = 0;
  std::string_view service;  // the conn record's service when it opens ("ftp-data"); static storage
  // When set, receives the uid of the connection that matched, so the announcing analyzer can name it.
  std::shared_ptr<std::string> matched_uid;
};

// Where analyzers announce expected connections (the application stage's table, session.h).
class ExpectedConnections {
 public:
  virtual ~ExpectedConnections() = default;
  // Announced at capture time now_ns (the packet that announced it).
  virtual void expect(ExpectedConnection c, int64_t now_ns) = 0;
};

// One connection's parser for a byte-stream protocol (TCP).
class StreamAnalyzer {
 public:
  virtual ~StreamAnalyzer() = default;
  // The next in-order bytes of one direction. `at` is the packet that carried the last of them.
  virtual void on_data(Dir dir, std::span<const uint8_t> data, const PacketRef& at) = 0;
  // `bytes` of one direction will never arrive (capture loss or a reassembly limit): resynchronise.
  virtual void on_gap(Dir dir, uint64_t bytes, const PacketRef& at) {
    (void)dir, (void)bytes, (void)at;
  }
  // The connection ended (close, timeout or end of input): emit what is still pending.
  virtual void on_end(const PacketRef& at) { (void)at; }
  // For protocols that upgrade to TLS in-band (STARTTLS, RDP with TLS or CredSSP): true once every byte
  // after those already given to on_data is TLS. The session then hands the rest to the TLS analyzer.
  virtual bool upgraded_to_tls() const { return false; }
};

// One connection's parser for a datagram protocol (UDP).
class DatagramAnalyzer {
 public:
  virtual ~DatagramAnalyzer() = default;
  virtual void on_datagram(Dir dir, std::span<const uint8_t> data, const PacketRef& at) = 0;
  virtual void on_end(const PacketRef& at) { (void)at; }
};

}  // namespace trawl::proto
