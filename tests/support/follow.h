// Reassembled conversations as tshark sees them (`tshark -z follow,tcp,raw,N`), for parser tests that
// need real protocol bytes before the flow stage feeds analyzers itself.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace trawl::testing {

struct FollowChunk {
  int dir = 0;  // 0: the side tshark calls Node 0 (the side that sent the first packet), 1: the other
  std::string bytes;
};

struct FollowedStream {
  int index = -1;            // tshark's tcp.stream / udp.stream number
  std::string node0, node1;  // "addr:port" as tshark prints them
  std::vector<FollowChunk> chunks;  // in the order tshark prints them (capture order of the segments)
};

// The TCP (or UDP, with udp=true) conversations of a capture, in stream-index order. Empty when tshark is
// missing or the capture has none.
std::vector<FollowedStream> follow_streams(const std::string& pcap, bool udp = false);

}  // namespace trawl::testing
