// ConnRecord: one bidirectional connection as conn.jsonl and `trawl flows` print it (Zeek's conn.log).
//
// Field meanings follow Zeek's Conn::Info (scripts/base/protocols/conn/main.zeek) except where noted:
// - orig_bytes/resp_bytes are summed from the payload lengths the headers announce (TCP: IP length minus
//   headers; UDP: UDP length minus 8; ICMP: the bytes after the 8-byte ICMP header). Zeek's TCP
//   orig_bytes comes from sequence numbers instead (Size() in TCP_Endpoint.cc: highest seq or ack minus
//   the initial seq), so the two differ when a segment is retransmitted (counted again here, once by
//   Zeek), when packets are missing from the capture (Zeek counts the gap, we don't), or when a flow is
//   picked up midstream.
// - history never contains 'C'/'c' (bad checksum: trawl does not verify checksums), 'G'/'g' (content gaps:
//   needs reassembly) or 'X' (analysis limits).
// - ts_last stops advancing once both TCP endpoints have closed, so duration_s() excludes the trailing
//   ACK of a normal teardown, as Zeek's duration does.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <absl/container/inlined_vector.h>

#include "util/ip_address.h"

namespace trawl::flow {

struct FrameRef {
  uint32_t file_index = 0;  // into CaptureSet::files()
  uint64_t frame = 0;       // 1-based
  friend bool operator==(const FrameRef&, const FrameRef&) = default;
};

inline constexpr int64_t kEndOfInput = INT64_MAX;

struct ConnRecord {
  std::string uid;                // deterministic: 'C' + base62 of a hash of the first packet's (file, frame)
  int64_t ts_first_ns = 0;
  int64_t ts_last_ns = 0;
  IpAddress orig_h, resp_h;
  uint16_t orig_p = 0, resp_p = 0;  // ICMP: type and counterpart type (request/reply pairs) or code, as Zeek
  uint8_t proto = 0;                // IP protocol number
  uint16_t vlan = 0;
  uint64_t orig_pkts = 0, resp_pkts = 0;
  uint64_t orig_ip_bytes = 0, resp_ip_bytes = 0;  // IP datagram lengths as the headers announce them
  uint64_t orig_bytes = 0, resp_bytes = 0;        // transport payload bytes (announced, not only captured)
  std::string conn_state;         // Zeek's S0 S1 SF REJ S2 S3 RSTO RSTR RSTOS0 RSTRH SH SHR OTH
  std::string history;            // Zeek's history letters
  uint8_t orig_flags = 0;         // TCP: the flag bits of every originator segment ORed (FIN 0x01 ... CWR 0x80);
                                  // tells FIN, NULL, XMAS and ACK scan probes apart where history cannot
  uint64_t missed_bytes = 0;      // stream bytes lost to capture gaps (Zeek's missed_bytes)
  std::string service;            // port-based guess for now ("http", "dns", ...), empty when unknown
  static constexpr size_t kFirstFrames = 10;
  absl::InlinedVector<FrameRef, kFirstFrames> first_frames;  // in order; held inline: no allocation per flow
  // Capture time at which the flow ended: its timeout deadline, the packet that started a new connection
  // on its key, or kEndOfInput. With ts_first and the first frame it orders records the same way however
  // flows are split among workers.
  int64_t end_ns = 0;
  bool ended_by_timeout = false;  // ended without a TCP close (FIN/RST): inactivity, attempt timeout,
                                  // end of input; always true for UDP, ICMP and other protocols

  double duration_s() const { return double(ts_last_ns - ts_first_ns) / 1e9; }
};

const char* proto_name(uint8_t ip_proto);  // "tcp", "udp", "icmp", "icmp6", or the number as text

// Port-based service guess by the responder's port and the transport ("" when unknown).
std::string_view service_guess(uint8_t ip_proto, uint16_t resp_port);

}  // namespace trawl::flow
