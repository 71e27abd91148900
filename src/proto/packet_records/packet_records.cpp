#include "proto/packet_records/packet_records.h"

#include "flow/conn_record.h"
#include "util/hex.h"

namespace trawl::proto::packet_records {

namespace {
using CT = output::ColumnType;

constexpr output::Column kArpOwn[] = {
    {"op", CT::kCount, -2}, {"op_name", CT::kString, 7}, {"sender_mac", CT::kString, 17},
    {"target_mac", CT::kString, 17},
};
constexpr auto kArpColumns = with_common_columns(kArpOwn);

constexpr output::Column kIcmpOwn[] = {
    {"proto", CT::kString, 5},         {"type", CT::kCount, -3},          {"code", CT::kCount, -3},
    {"kind", CT::kString, 16},         {"reason", CT::kString, 16},       {"quoted_proto", CT::kString, 5},
    {"quoted_src", CT::kAddr, 15},     {"quoted_sport", CT::kPort, -5},   {"quoted_dst", CT::kAddr, 15},
    {"quoted_dport", CT::kPort, -5},
};
constexpr auto kIcmpColumns = with_common_columns(kIcmpOwn);

std::string_view arp_op_name(uint16_t op) {
  switch (op) {
    case 1: return "request";
    case 2: return "reply";
    case 3: return "rarp_request";
    case 4: return "rarp_reply";
    default: return {};
  }
}

template <size_t N>
std::string_view pick(const std::string_view (&names)[N], uint8_t i) {
  return i < N ? names[i] : std::string_view();
}

// RFC 792 / RFC 1812 / RFC 4443 names, snake_case.
std::string_view kind_name(bool v6, uint8_t type) {
  if (v6) {
    static constexpr std::string_view k[] = {{}, "dest_unreachable", "packet_too_big", "time_exceeded",
                                             "parameter_problem"};
    return pick(k, type);
  }
  switch (type) {
    case 3: return "dest_unreachable";
    case 4: return "source_quench";
    case 5: return "redirect";
    case 11: return "time_exceeded";
    case 12: return "parameter_problem";
    default: return {};
  }
}

std::string_view reason_name(bool v6, uint8_t type, uint8_t code) {
  if (v6) {
    static constexpr std::string_view unreach[] = {"no_route", "admin_prohibited", "beyond_scope",
                                                   "address_unreachable", "port_unreachable",
                                                   "source_policy_failed", "reject_route"};
    static constexpr std::string_view exceeded[] = {"hop_limit_exceeded", "reassembly_time_exceeded"};
    static constexpr std::string_view param[] = {"erroneous_header", "unrecognized_next_header",
                                                 "unrecognized_option"};
    switch (type) {
      case 1: return pick(unreach, code);
      case 3: return pick(exceeded, code);
      case 4: return pick(param, code);
      default: return {};
    }
  }
  static constexpr std::string_view unreach[] = {
      "net_unreachable", "host_unreachable", "protocol_unreachable", "port_unreachable", "fragmentation_needed",
      "source_route_failed", "net_unknown", "host_unknown", "source_host_isolated", "net_prohibited",
      "host_prohibited", "net_unreachable_for_tos", "host_unreachable_for_tos", "admin_prohibited",
      "host_precedence_violation", "precedence_cutoff"};
  static constexpr std::string_view redirect[] = {"redirect_net", "redirect_host", "redirect_tos_net",
                                                  "redirect_tos_host"};
  static constexpr std::string_view exceeded[] = {"ttl_exceeded", "reassembly_time_exceeded"};
  static constexpr std::string_view param[] = {"pointer_indicates_error", "missing_option", "bad_length"};
  switch (type) {
    case 3: return pick(unreach, code);
    case 5: return pick(redirect, code);
    case 11: return pick(exceeded, code);
    case 12: return pick(param, code);
    default: return {};
  }
}

void add_mac(output::TableWriter& w, const uint8_t* mac, uint8_t len) {
  if (!mac || len == 0) return w.add_null();
  char text[255 * 3];
  size_t n = 0;
  for (uint8_t i = 0; i < len; ++i) {
    if (i) text[n++] = ':';
    text[n++] = kHexDigits[mac[i] >> 4];
    text[n++] = kHexDigits[mac[i] & 0xf];
  }
  w.add(std::string_view(text, n));
}
}  // namespace

const RecordType ArpRecord::kType{"arp", kArpColumns};
const RecordType IcmpRecord::kType{"icmp", kIcmpColumns};

bool is_icmp_error(bool v6, uint8_t type) { return !kind_name(v6, type).empty(); }

void ArpRecord::write(output::TableWriter& w, const WriteOptions&) const {
  origin.write(w);
  w.add_count(op);
  add_or_null(w, arp_op_name(op));
  add_mac(w, sender_mac, hw_len);
  add_mac(w, target_mac, hw_len);
  w.end_row();
}

void IcmpRecord::write(output::TableWriter& w, const WriteOptions&) const {
  origin.write(w);
  w.add(v6 ? "icmp6" : "icmp");
  w.add_count(icmp_type);
  w.add_count(icmp_code);
  add_or_null(w, kind_name(v6, icmp_type));
  add_or_null(w, reason_name(v6, icmp_type, icmp_code));
  if (quoted.present) {
    w.add(flow::proto_name(quoted.ip_proto));
    w.add_addr(quoted.src);
  } else {
    w.add_null();
    w.add_null();
  }
  // Ports only for the transports that have them, and only when the quote reached them.
  bool ports = quoted.present && (quoted.sport || quoted.dport);
  if (ports) w.add_count(quoted.sport);
  else w.add_null();
  if (quoted.present) w.add_addr(quoted.dst);
  else w.add_null();
  if (ports) w.add_count(quoted.dport);
  else w.add_null();
  w.end_row();
}

PacketRecords::PacketRecords(RecordSink& sink, std::vector<std::string> file_names)
    : sink_(sink), file_names_(std::move(file_names)) {}

RecordOrigin PacketRecords::origin(const capture::RawPacket& raw) const {
  RecordOrigin o;
  o.ts_ns = raw.ts_ns;
  o.file_name = raw.file_index < file_names_.size() ? std::string_view(file_names_[raw.file_index]) : std::string_view();
  o.frame = raw.frame;
  return o;
}

void PacketRecords::add_arp(const packet::PacketView& v, const capture::RawPacket& raw) {
  ArpRecord r;
  r.origin = origin(raw);
  r.origin.src = v.arp_sender_ip;
  r.origin.dst = v.arp_target_ip;
  r.op = v.arp_op;
  // The decoder checked that the whole ARP body was captured; check again rather than trust offsets.
  const uint32_t off = v.l3_offset;
  if (v.arp_sender_mac_offset && off + 8 <= v.caplen) {
    const uint8_t hlen = v.data[off + 4], plen = v.data[off + 5];
    if (uint64_t(off) + 8 + 2u * hlen + 2u * plen <= v.caplen && hlen) {
      r.hw_len = hlen;
      r.sender_mac = v.data + off + 8;
      r.target_mac = v.data + off + 8 + hlen + plen;
    }
  }
  sink_.emit(r);
}

void PacketRecords::add_icmp(const packet::PacketView& v, const capture::RawPacket& raw) {
  IcmpRecord r;
  r.origin = origin(raw);
  r.origin.src = v.src;
  r.origin.dst = v.dst;
  r.v6 = v.ip_proto == packet::kProtoIcmp6;
  r.icmp_type = v.icmp_type;
  r.icmp_code = v.icmp_code;
  r.quoted = v.quoted;
  sink_.emit(r);
}

}  // namespace trawl::proto::packet_records
