// RawPacket: one captured frame as the capture engine hands it on, before any decoding.
#pragma once

#include <cstdint>

namespace trawl::capture {

// Link types use the LINKTYPE_ numbers of pcap and pcapng (tcpdump.org/linktypes.html).
enum LinkType : uint16_t {
  kLinkNull = 0,         // BSD loopback: 4-byte address family in host order of the writer
  kLinkEthernet = 1,
  kLinkRaw = 101,        // raw IPv4 or IPv6 (DLT_RAW as written in files)
  kLinkLoop = 108,       // OpenBSD loopback: address family in network order
  kLinkLinuxSll = 113,
  kLinkIpv4 = 228,
  kLinkIpv6 = 229,
  kLinkLinuxSll2 = 276,
};

struct RawPacket {
  int64_t ts_ns = 0;         // capture time, nanoseconds since the epoch
  uint32_t caplen = 0;       // bytes present in data
  uint32_t wirelen = 0;      // bytes on the wire (frame.len in Wireshark)
  uint16_t linktype = 0;     // LINKTYPE_ value of the interface the packet came from
  uint32_t file_index = 0;   // index into the capture set's file list
  uint64_t frame = 0;        // 1-based frame number within its file, as Wireshark numbers it
  const uint8_t* data = nullptr;  // valid until the reader that produced it is advanced
};

}  // namespace trawl::capture
