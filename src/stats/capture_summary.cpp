#include "stats/capture_summary.h"

#include <ctime>

#include <fmt/format.h>

namespace trawl::stats {

std::string link_type_name(uint16_t lt) {
  switch (lt) {
    case capture::kLinkNull: return "null";
    case capture::kLinkEthernet: return "ethernet";
    case capture::kLinkRaw: case 12: case 14: return "raw-ip";
    case capture::kLinkLoop: return "loop";
    case capture::kLinkLinuxSll: return "linux-sll";
    case capture::kLinkIpv4: return "raw-ipv4";
    case capture::kLinkIpv6: return "raw-ipv6";
    case capture::kLinkLinuxSll2: return "linux-sll2";
    default: return fmt::format("linktype-{}", lt);
  }
}

void CaptureSummary::add(const packet::PacketView& v, const capture::RawPacket& raw) {
  if (packets_ == 0 || raw.ts_ns < first_ns_) first_ns_ = raw.ts_ns;
  if (packets_ == 0 || raw.ts_ns > last_ns_) last_ns_ = raw.ts_ns;
  ++packets_;
  wire_bytes_ += raw.wirelen;
  captured_bytes_ += raw.caplen;
  ++link_types_[raw.linktype];
  switch (v.l3) {
    case packet::L3::kIpv4: ++ipv4_; break;
    case packet::L3::kIpv6: ++ipv6_; break;
    case packet::L3::kArp: ++arp_; break;
    default: ++other_l3_; break;
  }
  if (v.tunnel_depth) ++tunneled_;
  if (!v.is_ip()) return;
  if (v.ip_fragment) ++fragments_;
  else if (v.ip_proto == packet::kProtoTcp) ++tcp_;
  else if (v.ip_proto == packet::kProtoUdp) ++udp_;
  else if (v.ip_proto == packet::kProtoIcmp || v.ip_proto == packet::kProtoIcmp6) ++icmp_;
  else ++other_l4_;
}

namespace {
std::string utc(int64_t ns) {
  std::time_t t = std::time_t(ns / 1'000'000'000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return fmt::format("{}.{:06} UTC", buf, ns % 1'000'000'000 / 1000);
}
std::string pct(uint64_t part, uint64_t whole) {
  return whole ? fmt::format("{:.1f}%", 100.0 * double(part) / double(whole)) : "0.0%";
}
}  // namespace

std::string CaptureSummary::render(const capture::CaptureSet& set, const packet::DecoderStats& dec,
                                   const flow::FlowStats* flows, uint64_t conn_records) const {
  std::string s;
  auto out = std::back_inserter(s);
  fmt::format_to(out, "files:        {}\n", set.files().size());
  for (const auto& f : set.files()) fmt::format_to(out, "  {}  {} packets, {} bytes\n", f.path, f.packets, f.size);
  if (packets_) {
    fmt::format_to(out, "first packet: {}\nlast packet:  {}\nduration:     {:.3f} s\n", utc(first_ns_), utc(last_ns_),
                   double(last_ns_ - first_ns_) / 1e9);
  }
  fmt::format_to(out, "packets:      {}\nbytes:        {} on the wire, {} captured\n", packets_, wire_bytes_,
                 captured_bytes_);
  s += "link types:  ";
  for (const auto& [lt, n] : link_types_) fmt::format_to(out, " {} {}", link_type_name(lt), n);
  s += "\n";
  fmt::format_to(out, "network:      ipv4 {} ({}), ipv6 {} ({}), arp {}, other {}\n", ipv4_, pct(ipv4_, packets_), ipv6_,
                 pct(ipv6_, packets_), arp_, other_l3_);
  fmt::format_to(out, "transport:    tcp {} ({}), udp {} ({}), icmp {}, other {}, unreassembled fragments {}\n", tcp_,
                 pct(tcp_, packets_), udp_, pct(udp_, packets_), icmp_, other_l4_, fragments_);
  if (tunneled_) fmt::format_to(out, "tunneled:     {} packets decapsulated (GRE, ERSPAN, VXLAN, IP-in-IP)\n", tunneled_);
  uint64_t malformed = 0;
  for (size_t i = 1; i < dec.malformed.size(); ++i) malformed += dec.malformed[i];
  fmt::format_to(out, "malformed:    {}\n", malformed);
  for (size_t i = 1; i < dec.malformed.size(); ++i)
    if (dec.malformed[i]) fmt::format_to(out, "  {} {}\n", packet::malformed_name(packet::Malformed(i)), dec.malformed[i]);
  for (const auto& [lt, n] : dec.unsupported_links)
    fmt::format_to(out, "  unsupported link type {} ({}): {} packets\n", lt, link_type_name(lt), n);
  if (dec.fragments) fmt::format_to(out, "fragments:    {} ({} datagrams reassembled)\n", dec.fragments, dec.datagrams_reassembled);
  if (flows) {
    fmt::format_to(out, "flows:        {} (peak {} active)\n", conn_records, flows->flows_active_peak);
  }
  fmt::format_to(out, "inputs with problems: {}\n", set.issues().size());
  for (const auto& issue : set.issues()) fmt::format_to(out, "  {}\n", issue.message());
  return s;
}

}  // namespace trawl::stats
