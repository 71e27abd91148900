// One connection's packets from an analyze directory, by its uid, without reading the captures from the
// start: the conn record names the file and frame of the connection's first packet and its time span,
// and the frame index seeks to that frame's block. Reading stops once the capture is past the span.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "extract/evidence.h"
#include "extract/frame_index.h"

namespace trawl::extract {

struct ConnSpan {
  std::string uid;
  std::string file;    // capture file name, as records print it
  uint64_t frame = 0;  // the connection's first packet
  int64_t start_ns = 0, end_ns = 0;
  uint64_t packets = 0;  // orig_pkts + resp_pkts: reading stops once they are all found
};

// The conn records of `uids` in conn.jsonl text. Throws std::runtime_error naming a uid not found.
std::vector<ConnSpan> find_conns(std::string_view conn_jsonl, const std::vector<std::string>& uids);
// The same over OUTDIR/conn.jsonl, read `chunk` bytes at a time (whole lines searched, never the file held).
std::vector<ConnSpan> read_conns(const std::string& outdir, const std::vector<std::string>& uids, size_t chunk = 8 << 20);

// Every packet of those connections (both directions, same flow key as the first packet, from it on
// until the record's packet count is reached), in time order. A connection that outlasts its first file continues in the files that start
// before it ends. Throws std::runtime_error when a capture is missing or lacks the first frame.
std::vector<OwnedPacket> read_conn_packets(const std::vector<IndexedCapture>& index, const std::vector<ConnSpan>& conns);

}  // namespace trawl::extract
