// ConnRecord: one bidirectional connection as conn.jsonl and `trawl flows` print it (Zeek's conn.log).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "util/ip_address.h"

namespace trawl::flow {

struct FrameRef {
  uint32_t file_index = 0;  // into CaptureSet::files()
  uint64_t frame = 0;       // 1-based
  friend bool operator==(const FrameRef&, const FrameRef&) = default;
};

struct ConnRecord {
  std::string uid;                // deterministic: derived from the flow's first packet (file, frame)
  int64_t ts_first_ns = 0;
  int64_t ts_last_ns = 0;
  IpAddress orig_h, resp_h;
  uint16_t orig_p = 0, resp_p = 0;  // ICMP: type and code, as Zeek
  uint8_t proto = 0;                // IP protocol number
  uint16_t vlan = 0;
  uint64_t orig_pkts = 0, resp_pkts = 0;
  uint64_t orig_ip_bytes = 0, resp_ip_bytes = 0;  // IP datagram lengths as the headers announce them
  uint64_t orig_bytes = 0, resp_bytes = 0;        // transport payload bytes (announced, not only captured)
  std::string conn_state;         // Zeek's S0 S1 SF REJ S2 S3 RSTO RSTR RSTOS0 RSTRH SH SHR OTH
  std::string history;            // Zeek's history letters
  std::string service;            // port-based guess for now ("http", "dns", ...), empty when unknown
  std::vector<FrameRef> first_frames;  // up to kFirstFrames frames, in order
  bool ended_by_timeout = false;  // flushed for inactivity (or end of input) rather than closed

  static constexpr size_t kFirstFrames = 10;
  double duration_s() const { return double(ts_last_ns - ts_first_ns) / 1e9; }
};

const char* proto_name(uint8_t ip_proto);  // "tcp", "udp", "icmp", "icmp6", or the number as text

}  // namespace trawl::flow
