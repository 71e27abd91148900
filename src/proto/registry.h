// The analyzer registry: one row per application protocol, in one explicit table (registry.cpp).
// Adding a protocol is its folder plus one row here; nothing registers itself.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "proto/analyzer.h"
#include "proto/record.h"

namespace trawl::proto {

// What an analyzer gets at creation: its connection, where records go, how to name a packet's file, and
// where to announce the connections it expects.
struct AnalyzerContext {
  ConnId conn;
  RecordSink* sink = nullptr;
  std::span<const std::string_view> file_names;  // by PacketRef::file_index
  ExpectedConnections* expected = nullptr;       // where to announce data connections (may be null)

  // The common record columns for a record completed by packet `at`: src/dst are always the
  // connection's originator and responder.
  RecordOrigin origin(const PacketRef& at) const {
    RecordOrigin o;
    o.ts_ns = at.ts_ns;
    o.uid = conn.uid;
    o.src = conn.orig_h;
    o.dst = conn.resp_h;
    o.sport = conn.orig_p;
    o.dport = conn.resp_p;
    o.file_name = at.file_index < file_names.size() ? file_names[at.file_index] : std::string_view();
    o.frame = at.frame;
    return o;
  }
};

// How sure a content probe is that the first bytes of a direction belong to its protocol.
enum class Match : uint8_t { kNo = 0, kMaybe = 1, kYes = 2 };

struct AnalyzerInfo {
  std::string_view name;              // the service label conn.jsonl shows: "http", "dns", "smtp", ...
  uint8_t transport = 6;              // 6 TCP, 17 UDP
  std::span<const uint16_t> ports;    // well-known responder ports: a tie-breaker, never required
  // Looks at the first bytes one direction sent (at most 512 here, possibly fewer). Pure; must not read
  // past the span.
  Match (*probe)(std::span<const uint8_t> first_bytes, Dir dir) = nullptr;
  std::unique_ptr<StreamAnalyzer> (*make_stream)(const AnalyzerContext& ctx) = nullptr;      // TCP
  std::unique_ptr<DatagramAnalyzer> (*make_datagram)(const AnalyzerContext& ctx) = nullptr;  // UDP
};

// Every analyzer trawl has, in a fixed order (the order breaks ties between equally sure probes).
std::span<const AnalyzerInfo* const> analyzers();

}  // namespace trawl::proto
