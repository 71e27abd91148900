// Packet-level records: what the scan detectors need that is not a flow. Every ARP packet (arp.jsonl) and
// every ICMP / ICMPv6 error message with the header it quotes (icmp.jsonl). Echo requests and replies are
// not here: conn.jsonl already holds them as ICMP flows.
//
// arp.jsonl, after the common columns (src/dst are the sender and target protocol addresses, ports 0, no
// uid): op (1 request, 2 reply, ...), op_name, sender_mac, target_mac.
// icmp.jsonl, after the common columns (src/dst of the ICMP packet itself, ports 0, no uid): proto ("icmp",
// "icmp6"), type, code, kind ("dest_unreachable", "time_exceeded", ...), reason (the code's name where it
// has one: "port_unreachable", "ttl_exceeded", ...), then the quoted datagram: quoted_proto, quoted_src,
// quoted_sport, quoted_dst, quoted_dport (null when the quote was too short to hold them).
#pragma once

#include <string>
#include <vector>

#include "capture/raw_packet.h"
#include "packet/packet_view.h"
#include "proto/record.h"

namespace trawl::proto::packet_records {

struct ArpRecord final : Record {
  RecordOrigin origin;
  uint16_t op = 0;
  const uint8_t* sender_mac = nullptr;  // hw_len bytes each; nullptr when not readable
  const uint8_t* target_mac = nullptr;
  uint8_t hw_len = 0;

  static const RecordType kType;
  const RecordType& type() const override { return kType; }
  void write(output::TableWriter& w, const WriteOptions& options) const override;
};

struct IcmpRecord final : Record {
  RecordOrigin origin;
  bool v6 = false;
  uint8_t icmp_type = 0, icmp_code = 0;
  packet::QuotedHeader quoted;

  static const RecordType kType;
  const RecordType& type() const override { return kType; }
  void write(output::TableWriter& w, const WriteOptions& options) const override;
};

// Whether an ICMP (v6 = false) or ICMPv6 message type is an error that quotes the offending datagram.
bool is_icmp_error(bool v6, uint8_t type);

// Emits the records of one packet. Only ARP packets and ICMP errors do any work.
class PacketRecords {
 public:
  // file_names: the capture files' names, indexed by RawPacket::file_index.
  PacketRecords(RecordSink& sink, std::vector<std::string> file_names);

  void add(const packet::PacketView& v, const capture::RawPacket& raw) {
    if (v.l3 == packet::L3::kArp) add_arp(v, raw);
    else if (v.is_icmp() && is_icmp_error(v.ip_proto == packet::kProtoIcmp6, v.icmp_type)) add_icmp(v, raw);
  }

 private:
  void add_arp(const packet::PacketView& v, const capture::RawPacket& raw);
  void add_icmp(const packet::PacketView& v, const capture::RawPacket& raw);
  RecordOrigin origin(const capture::RawPacket& raw) const;

  RecordSink& sink_;
  std::vector<std::string> file_names_;
};

}  // namespace trawl::proto::packet_records
