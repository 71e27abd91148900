#include "detect/scan/scan_detector.h"

#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>

#include <algorithm>
#include <tuple>

#include <fmt/format.h>

#include "detect/file_ids.h"
#include "detect/scan/conn_fields.h"
#include "detect/scan/scan_text.h"

namespace trawl::detect::scan {

namespace {

// What a probe was. The TCP kinds come from the flags the originator sent; kTcpUsed / kUdpUsed are
// connections that carried data (real use of the service), kept to tell scanners from busy clients.
enum Kind : uint8_t { kSyn, kFin, kNull, kXmas, kAck, kUdp, kEcho, kArp, kTcpUsed, kUdpUsed };
// How the target answered.
enum Outcome : uint8_t {
  kUsed,         // data exchanged
  kOpen,         // SYN/ACK (the scanner did not complete the handshake), UDP reply, echo reply
  kHandshake,    // SYN/ACK and the scanner's ACK: a full connect() without data
  kClosed,       // RST, or ICMP port unreachable
  kSilent,       // no answer
  kUnreachable,  // ICMP destination unreachable other than port unreachable (filtered, host down)
};

constexpr uint8_t kFinBit = 0x01, kSynBit = 0x02, kRstBit = 0x04, kPshBit = 0x08, kAckBit = 0x10, kUrgBit = 0x20;

// What an ICMP error said about the datagram it quotes; higher wins when several quote the same one.
enum IcmpAnswer : uint8_t { kNoIcmp, kIcmpUnreachable, kIcmpPortUnreachable, kIcmpTtlExceeded };

struct QuoteKey {
  IpAddress src, dst;
  uint16_t sport = 0, dport = 0;
  uint8_t proto = 0;
  friend bool operator==(const QuoteKey&, const QuoteKey&) = default;
  template <typename H>
  friend H AbslHashValue(H h, const QuoteKey& k) {
    return H::combine(std::move(h), k.src, k.dst, k.sport, k.dport, k.proto);
  }
};

struct Probe {
  uint32_t scanner;  // AddressIds of the scanners
  Kind kind;
  Outcome outcome;
  uint16_t port;   // destination port (0 for ARP and ICMP)
  uint16_t sport;  // the scanner's source port: connect() takes a fresh one per probe, raw SYN scanners do not
  uint32_t target;  // AddressIds
  uint32_t file;    // index into files_ (in arrival order, which interleaves arp and conn: compare names)
  double ts;
  uint64_t frame;
};

struct Settings {
  int64_t min_ports, udp_min_ports, min_hosts, udp_max_probe_pkts, arp_min_targets, icmp_min_targets;
  double min_probe_ratio, arp_min_unanswered_ratio;
  size_t max_listed;
  explicit Settings(const Config& c)
      : min_ports(c.integer("scan.min_ports")),
        udp_min_ports(c.integer("scan.udp_min_ports")),
        min_hosts(c.integer("scan.min_hosts")),
        udp_max_probe_pkts(c.integer("scan.udp_max_probe_pkts")),
        arp_min_targets(c.integer("scan.arp_min_targets")),
        icmp_min_targets(c.integer("scan.icmp_min_targets")),
        min_probe_ratio(c.number("scan.min_probe_ratio")),
        arp_min_unanswered_ratio(c.number("scan.arp_min_unanswered_ratio")),
        max_listed(size_t(std::max<int64_t>(1, c.integer("scan.max_listed")))) {}
};

uint8_t ip_proto_number(std::string_view name) {
  if (name == "tcp") return 6;
  if (name == "udp") return 17;
  if (name == "icmp") return 1;
  if (name == "icmp6") return 58;
  return 0;
}

// The flags of a connection's originator: conn's orig_flags, or (records written before that column) what
// its history letters imply.
uint8_t originator_flags(int orig_flags, std::string_view history) {
  if (orig_flags >= 0) return uint8_t(orig_flags);
  uint8_t f = 0;
  for (char c : history) {
    if (c == 'S') f |= kSynBit;
    if (c == 'F') f |= kFinBit;
    if (c == 'R') f |= kRstBit;
    if (c == 'A' || c == 'D') f |= kAckBit;
  }
  return f;
}

bool has(std::string_view s, char c) { return s.find(c) != std::string_view::npos; }

struct KindInfo {
  std::string_view type;   // alert type
  std::string_view verb;   // "SYN-scanned"
  std::string_view proto;  // alert proto
};
KindInfo kind_info(Kind k, bool connect) {
  switch (k) {
    case kSyn:
      if (connect) return {"scan.tcp_connect", "connect-scanned", "tcp"};
      return {"scan.tcp_syn", "SYN-scanned", "tcp"};
    case kFin: return {"scan.tcp_fin", "FIN-scanned", "tcp"};
    case kNull: return {"scan.tcp_null", "NULL-scanned", "tcp"};
    case kXmas: return {"scan.tcp_xmas", "XMAS-scanned", "tcp"};
    case kAck: return {"scan.tcp_ack", "ACK-scanned", "tcp"};
    case kUdp: return {"scan.udp", "UDP-scanned", "udp"};
    default: return {};
  }
}

class ScanDetector final : public Detector {
 public:
  explicit ScanDetector(const DetectContext& context) : settings_(context.config), home_(context.home) {}

  void on_record(std::string_view type, const RecordView& r) override {
    if (type == "conn") on_conn(r);
    else if (type == "icmp") on_icmp(r);
    else if (type == "arp") on_arp(r);
  }

  void finish(std::vector<Alert>& out) override;

 private:
  void on_arp(const RecordView& r);
  void on_icmp(const RecordView& r);
  void on_conn(const RecordView& r);
  void add(const IpAddress& scanner, Kind kind, Outcome outcome, const IpAddress& target, uint16_t port,
           uint16_t sport, std::string_view file, double ts, uint64_t frame);
  bool apply_icmp_answer(Probe& p) const;

  // One scanner's items, sorted by (kind, target, port, ts).
  void evaluate_scanner(std::span<const Probe> items, std::vector<Alert>& out);
  void port_scan_alert(std::span<const Probe> group, std::span<const Probe> scanner_items, std::vector<Alert>& out);
  void sweep_alert(std::span<const Probe> group, std::vector<Alert>& out);

  void fill_common(Alert& a, std::span<const Probe> probes) const;

  Settings settings_;
  const HomeNet& home_;
  // Probes from conn and arp records, in arrival order. Nothing may depend on that order beyond each type's
  // own: inside analyze the types interleave as the traffic does. AddressIds and file indices are given in
  // that order, so they serve for grouping, never for ordering what an alert shows.
  std::vector<Probe> probes_;
  AddressIds scanners_, targets_;
  std::vector<uint32_t> probes_per_scanner_;
  // Per scanner, the first service (target, port) it probed and whether it probed any other: every threshold
  // counts distinct targets or ports, so a source that only ever hit one service (each spoofed source of a
  // SYN flood, a client retrying) is dismissed in finish() without sorting its probes.
  struct FirstService {
    uint32_t target;
    uint16_t port;
    bool others = false;
  };
  std::vector<FirstService> first_service_;
  FileIds files_;
  absl::flat_hash_map<QuoteKey, IcmpAnswer> icmp_answers_;
  absl::flat_hash_set<std::pair<IpAddress, IpAddress>> arp_replies_;  // (who answered, whom)
};

void ScanDetector::add(const IpAddress& scanner, Kind kind, Outcome outcome, const IpAddress& target, uint16_t port,
                       uint16_t sport, std::string_view file, double ts, uint64_t frame) {
  const uint32_t id = scanners_.id(scanner);
  const uint32_t target_id = targets_.id(target);
  if (id == probes_per_scanner_.size()) {
    probes_per_scanner_.push_back(0);
    first_service_.push_back({target_id, port});
  }
  ++probes_per_scanner_[id];
  FirstService& first = first_service_[id];
  first.others = first.others || first.target != target_id || first.port != port;
  probes_.push_back(Probe{id, kind, outcome, port, sport, target_id, files_.id(file), ts, frame});
}

void ScanDetector::on_arp(const RecordView& r) {
  auto sender = r.src_ip(), target = r.dst_ip();
  if (!sender || !target) return;
  int64_t op = r.integer("op");
  if (op == 2) {
    arp_replies_.insert({*sender, *target});  // sender answered target
  } else if (op == 1) {
    // Probes for duplicates (sender 0.0.0.0, RFC 5227) and gratuitous announcements are no sweep.
    static const IpAddress kZero = *IpAddress::parse("0.0.0.0");
    if (*sender == kZero || *sender == *target) return;
    add(*sender, kArp, kSilent, *target, 0, 0, r.file(), r.ts(), r.frame());
  }
}

void ScanDetector::on_icmp(const RecordView& r) {
  std::string_view kind = r.str("kind");
  IcmpAnswer answer = r.str("reason") == "port_unreachable" ? kIcmpPortUnreachable
                      : kind == "time_exceeded"             ? kIcmpTtlExceeded
                      : kind == "dest_unreachable"          ? kIcmpUnreachable
                                                            : kNoIcmp;
  if (answer == kNoIcmp) return;
  auto src = IpAddress::parse(r.str("quoted_src")), dst = IpAddress::parse(r.str("quoted_dst"));
  if (!src || !dst) return;
  QuoteKey key{*src, *dst, uint16_t(r.integer("quoted_sport")), uint16_t(r.integer("quoted_dport")),
               ip_proto_number(r.str("quoted_proto"))};
  IcmpAnswer& a = icmp_answers_[key];
  a = std::max(a, answer);
}

// What an ICMP error quoting a silent probe tells: TCP and echo probes become unreachable, UDP ones closed or
// unreachable. False for a UDP probe that drew time exceeded: a traceroute probe, no probe at all.
bool ScanDetector::apply_icmp_answer(Probe& p) const {
  const IpAddress& src = scanners_.address(p.scanner);
  const uint8_t proto = p.kind == kUdp ? 17 : p.kind == kEcho ? (src.is_v6() ? 58 : 1) : 6;
  auto it = icmp_answers_.find(QuoteKey{src, targets_.address(p.target), p.sport, p.port, proto});
  if (it == icmp_answers_.end()) return true;
  if (p.kind != kUdp) p.outcome = kUnreachable;
  else if (it->second == kIcmpTtlExceeded) return false;
  else p.outcome = it->second == kIcmpPortUnreachable ? kClosed : kUnreachable;
  return true;
}

void ScanDetector::on_conn(const RecordView& r) {
  const ConnFields c(r);
  auto src = c.src_ip(), dst = c.dst_ip();
  if (!src || !dst) return;
  const uint16_t sport = uint16_t(c.sport), dport = uint16_t(c.dport);
  auto add_probe = [&](Kind kind, Outcome outcome, uint16_t port = 0, uint16_t from = 0) {
    add(*src, kind, outcome, *dst, port, from, c.file, c.ts, uint64_t(c.frame));
  };
  if (c.proto == "tcp") {
    if (!c.history.empty() && c.history[0] == '^') return;  // the first packet seen was the answer: roles unsure
    const uint8_t flags = originator_flags(c.orig_flags, c.history);
    if (c.orig_bytes > 0 || c.resp_bytes > 0) return add_probe(kTcpUsed, kUsed, dport, sport);
    Outcome outcome = has(c.history, 'r') ? kClosed : kSilent;  // ICMP errors may still tell more (finish)
    if (flags & kSynBit) {
      if (has(c.history, 'h')) outcome = has(c.history, 'A') ? kHandshake : kOpen;
      return add_probe(kSyn, outcome, dport, sport);
    }
    Kind kind;
    switch (flags & (kFinBit | kSynBit | kRstBit | kPshBit | kAckBit | kUrgBit)) {  // ECN bits do not matter
      case kFinBit: kind = kFin; break;
      case kFinBit | kPshBit | kUrgBit: kind = kXmas; break;
      case 0: kind = kNull; break;
      case kAckBit: kind = kAck; break;
      default: return;  // a stray RST, FIN/ACK after a timeout, ...: not a probe
    }
    return add_probe(kind, outcome, dport, sport);
  }
  if (c.proto == "udp") {
    // From a service port to an ephemeral one: an answer whose request was not captured (a DNS or NTP
    // server "originating" to a client), not a probe.
    if (sport < 1024 && dport >= 1024) return;
    // Many packets with payload is traffic; empty datagrams are probes however often they are retried.
    if (c.orig_pkts > settings_.udp_max_probe_pkts && c.orig_bytes > 0) return add_probe(kUdpUsed, kUsed, dport, sport);
    return add_probe(kUdp, c.resp_pkts > 0 ? kOpen : kSilent, dport, sport);
  }
  // ICMP flows carry the request type in sport: echo (8, ICMPv6 128), timestamp (13), address mask (17).
  const bool v6 = c.proto == "icmp6";
  if (v6 ? sport == 128 : (c.proto == "icmp" && (sport == 8 || sport == 13 || sport == 17))) {
    add_probe(kEcho, c.resp_pkts > 0 ? kOpen : kSilent);
  }
}

void ScanDetector::finish(std::vector<Alert>& out) {
  // No threshold is met by fewer items than the smallest one: most sources (clients, spoofed floods)
  // are dismissed here without any work.
  const size_t least = size_t(std::max<int64_t>(1, std::min({settings_.min_ports, settings_.udp_min_ports,
                                                              settings_.min_hosts, settings_.arp_min_targets,
                                                              settings_.icmp_min_targets})));
  // The probes of the sources that remain, sources in address order, each source's by (kind, target, port,
  // ts, frame); sorted in place: there may be millions.
  std::vector<uint32_t> scanners;
  for (uint32_t id = 0; id < probes_per_scanner_.size(); ++id)
    if (probes_per_scanner_[id] >= least && (least < 2 || first_service_[id].others)) scanners.push_back(id);
  std::sort(scanners.begin(), scanners.end(),
            [&](uint32_t a, uint32_t b) { return scanners_.address(a) < scanners_.address(b); });
  std::vector<uint32_t> rank(probes_per_scanner_.size(), UINT32_MAX);
  for (uint32_t i = 0; i < scanners.size(); ++i) rank[scanners[i]] = i;
  // An ICMP error may arrive after the conn it answers (inside analyze records come as they are made): the
  // silent probes learn what ICMP said only now, and only those of the sources that remain, in the pass
  // that drops the others. Traceroute probes leave here, which may leave a source below the threshold.
  const bool icmp = !icmp_answers_.empty();
  size_t kept = 0;
  for (Probe& p : probes_) {
    if (rank[p.scanner] == UINT32_MAX) continue;
    if (icmp && p.outcome == kSilent && p.kind != kArp && !apply_icmp_answer(p)) {
      --probes_per_scanner_[p.scanner];
      continue;
    }
    probes_[kept++] = p;
  }
  probes_.resize(kept);
  std::sort(probes_.begin(), probes_.end(), [&](const Probe& x, const Probe& y) {
    const uint64_t kx = uint64_t(x.kind) << 48 | uint64_t(x.target) << 16 | x.port;
    const uint64_t ky = uint64_t(y.kind) << 48 | uint64_t(y.target) << 16 | y.port;
    return std::tie(rank[x.scanner], kx, x.ts, x.frame) < std::tie(rank[y.scanner], ky, y.ts, y.frame);
  });
  for (size_t b = 0; b < probes_.size();) {
    const size_t n = probes_per_scanner_[probes_[b].scanner];
    evaluate_scanner(std::span(probes_).subspan(b, n), out);
    b += n;
  }
  probes_.clear();
  probes_.shrink_to_fit();
}

void ScanDetector::evaluate_scanner(std::span<const Probe> items, std::vector<Alert>& out) {
  for (size_t b = 0; b < items.size();) {
    size_t e = b + 1;
    while (e < items.size() && items[e].kind == items[b].kind) ++e;
    auto group = items.subspan(b, e - b);
    switch (group[0].kind) {
      case kArp:
      case kEcho: sweep_alert(group, out); break;
      case kTcpUsed:
      case kUdpUsed: break;
      default: port_scan_alert(group, items, out); break;
    }
    b = e;
  }
}

uint64_t pair_key(uint32_t target, uint16_t port) { return (uint64_t(target) << 16) | port; }

// A scan's own view of its probes: which count towards its thresholds, by host and by port.
struct Spread {
  absl::flat_hash_map<uint32_t, uint32_t> ports_per_target;
  absl::flat_hash_map<uint16_t, uint32_t> targets_per_port;
  void add(uint32_t target, uint16_t port) {
    ++ports_per_target[target];
    ++targets_per_port[port];
  }
};

void ScanDetector::port_scan_alert(std::span<const Probe> group, std::span<const Probe> scanner_items,
                                   std::vector<Alert>& out) {
  const Kind kind = group[0].kind;
  const bool udp = kind == kUdp;
  const int64_t min_ports = udp ? settings_.udp_min_ports : settings_.min_ports;
  if (group.size() < size_t(std::min(min_ports, settings_.min_hosts))) return;

  // Everything this source touched over the same transport, and the services it really used.
  const Kind used_kind = udp ? kUdpUsed : kTcpUsed;
  absl::flat_hash_set<uint64_t> used, touched;
  Spread all;
  for (const Probe& p : scanner_items) {
    if (udp != (p.kind == kUdp || p.kind == kUdpUsed) || p.kind == kEcho || p.kind == kArp) continue;
    if (p.kind == used_kind) used.insert(pair_key(p.target, p.port));
    if (touched.insert(pair_key(p.target, p.port)).second) all.add(p.target, p.port);
  }

  // What counts towards the thresholds: probes not to a service the source used (those are failed retries
  // of real traffic), and for UDP not answered (a UDP reply is a service in use as much as an open port).
  Spread counted;
  absl::flat_hash_set<uint64_t> counted_pairs;  // a retried probe is still one port
  for (const Probe& p : group) {
    const uint64_t key = pair_key(p.target, p.port);
    if (!used.contains(key) && !(udp && p.outcome == kOpen) && counted_pairs.insert(key).second)
      counted.add(p.target, p.port);
  }

  const double ratio = settings_.min_probe_ratio;
  bool vertical = false, horizontal = false;
  for (const auto& [target, n] : counted.ports_per_target)
    vertical = vertical || (int64_t(n) >= min_ports && n >= ratio * all.ports_per_target[target]);
  for (const auto& [port, n] : counted.targets_per_port)
    horizontal = horizontal || (int64_t(n) >= settings_.min_hosts && n >= ratio * all.targets_per_port[port]);
  if (!vertical && !horizontal) return;
  const std::span<const Probe> probes = group;  // the evidence shows every probe of the scan

  // SYN probes: a full handshake per open port is connect(); SYN/ACK answered by RST is half-open. With no
  // open port the handshake never happens, and the source ports tell: connect() takes a fresh one each time.
  size_t handshakes = 0, half_open = 0;
  absl::flat_hash_set<uint16_t> sports;
  for (const Probe& p : probes) {
    handshakes += p.outcome == kHandshake;
    half_open += p.outcome == kOpen;
    sports.insert(p.sport);
  }
  const bool connect =
      kind == kSyn && (handshakes != half_open ? handshakes > half_open : sports.size() * 2 > probes.size());
  const KindInfo info = kind_info(kind, connect);

  Alert a;
  a.type = std::string(info.type);
  a.severity = Severity::kMedium;
  a.proto = std::string(info.proto);
  fill_common(a, probes);

  // Targets, ports, and what answered.
  std::vector<uint32_t> targets;
  std::vector<uint16_t> ports;
  absl::flat_hash_set<uint32_t> responsive;  // hosts that answered some probe (RST or SYN/ACK or reply)
  std::vector<std::pair<uint32_t, uint16_t>> open, open_or_filtered;
  uint64_t n_open = 0, n_closed = 0, n_silent = 0, n_unreach = 0;
  for (size_t i = 0; i < probes.size(); ++i) {
    const Probe& p = probes[i];
    if (i == 0 || probes[i - 1].target != p.target) targets.push_back(p.target);
    ports.push_back(p.port);
    n_open += p.outcome == kOpen || p.outcome == kHandshake;
    n_closed += p.outcome == kClosed;
    n_silent += p.outcome == kSilent;
    n_unreach += p.outcome == kUnreachable;
    if (p.outcome != kSilent && p.outcome != kUnreachable) responsive.insert(p.target);
  }
  std::sort(ports.begin(), ports.end());
  ports.erase(std::unique(ports.begin(), ports.end()), ports.end());
  for (const Probe& p : probes) {
    std::pair<uint32_t, uint16_t> svc{p.target, p.port};
    if ((p.outcome == kOpen || p.outcome == kHandshake) && (open.empty() || open.back() != svc)) open.push_back(svc);
    // FIN/NULL/XMAS: a silent port on a host that resets the others is open (or filtered); ACK: filtered.
    if ((kind == kFin || kind == kNull || kind == kXmas || kind == kAck) && p.outcome == kSilent &&
        responsive.contains(p.target) && (open_or_filtered.empty() || open_or_filtered.back() != svc))
      open_or_filtered.push_back(svc);
  }
  auto by_address = [&](std::vector<std::pair<uint32_t, uint16_t>>& list) {
    std::sort(list.begin(), list.end(), [&](const auto& x, const auto& y) {
      return std::tie(targets_.address(x.first), x.second) < std::tie(targets_.address(y.first), y.second);
    });
  };
  by_address(open);
  by_address(open_or_filtered);
  std::vector<uint16_t> open_ports;
  for (const auto& s : open) open_ports.push_back(s.second);
  std::sort(open_ports.begin(), open_ports.end());
  open_ports.erase(std::unique(open_ports.begin(), open_ports.end()), open_ports.end());

  if (targets.size() == 1) a.dst = targets_.text(targets[0]);
  if (ports.size() == 1) a.dst_port = ports[0];
  const std::string_view shape = vertical && horizontal ? "both" : vertical ? "vertical" : "horizontal";
  const size_t cap = settings_.max_listed;
  auto& ev = a.evidence;
  ev["shape"] = shape;
  ev["targets_count"] = targets.size();
  ev["targets"] = targets_.sorted_texts(targets, cap);
  ev["ports_count"] = ports.size();
  ev["ports"] = capped(ports, cap);
  ev["probes"] = probes.size();
  auto services = [&](const std::vector<std::pair<uint32_t, uint16_t>>& list) {
    auto arr = nlohmann::ordered_json::array();
    for (size_t i = 0; i < list.size() && i < cap; ++i)
      arr.push_back(endpoint_text(targets_.address(list[i].first), list[i].second));
    return arr;
  };
  nlohmann::ordered_json responses;
  if (udp) {
    responses = {{"udp_reply", n_open}, {"icmp_port_unreachable", n_closed}, {"icmp_unreachable", n_unreach},
                 {"none", n_silent}};
  } else {
    responses = {{"rst", n_closed}, {"icmp_unreachable", n_unreach}, {"none", n_silent}};
    if (kind == kSyn)
      responses = {{"syn_ack", n_open}, {"rst", n_closed}, {"icmp_unreachable", n_unreach}, {"none", n_silent}};
  }
  ev["responses"] = responses;
  std::string found;
  if (kind == kSyn || udp) {
    ev["open_ports"] = capped(open_ports, cap);
    ev["open_count"] = open.size();
    ev["open"] = services(open);
    if (kind == kSyn) {
      ev["handshakes_completed"] = handshakes;
      ev["source_ports"] = sports.size();
    }
    found = open.empty() ? "none open"
                         : fmt::format("{} open{}", open.size(), port_preview(open_ports, targets.size() == 1));
  } else if (kind == kAck) {
    ev["filtered_count"] = open_or_filtered.size();
    ev["filtered"] = services(open_or_filtered);
    found = fmt::format("{} unfiltered, {} filtered", n_closed, open_or_filtered.size());
  } else {
    ev["open_or_filtered_count"] = open_or_filtered.size();
    ev["open_or_filtered"] = services(open_or_filtered);
    found = fmt::format("{} open or filtered", open_or_filtered.size());
  }
  ev["duration_s"] = round3(a.ts_last - a.ts_first);

  std::string what;
  if (targets.size() == 1) what = fmt::format("{} ports of {}", ports.size(), *a.dst);
  else if (ports.size() == 1) what = fmt::format("port {} on {} hosts", ports[0], targets.size());
  else what = fmt::format("{} ports on {} hosts", ports.size(), targets.size());
  a.summary = fmt::format("{} {} {} ({}) {}.", a.src, info.verb, what, found, duration_text(a.ts_last - a.ts_first));
  a.mitre = {"T1046"};
  if (horizontal && !home_.contains(scanners_.address(group[0].scanner))) a.mitre.push_back("T1595.001");
  out.push_back(std::move(a));
}

void ScanDetector::sweep_alert(std::span<const Probe> group, std::vector<Alert>& out) {
  const bool arp = group[0].kind == kArp;
  std::vector<uint32_t> targets, answered;
  uint64_t unreachable = 0;
  for (size_t i = 0; i < group.size(); ++i) {
    const Probe& p = group[i];
    bool first = i == 0 || group[i - 1].target != p.target;
    if (first) targets.push_back(p.target);
    // Replies: an ARP reply from the target to the scanner; for echo, the flow's own answer.
    bool alive = arp ? arp_replies_.contains({targets_.address(p.target), scanners_.address(p.scanner)}) : p.outcome == kOpen;
    if (alive && (answered.empty() || answered.back() != p.target)) answered.push_back(p.target);
    if (!arp && first) {
      bool unreach = false;
      for (size_t k = i; k < group.size() && group[k].target == p.target; ++k)
        unreach = unreach || group[k].outcome == kUnreachable;
      unreachable += unreach;
    }
  }
  const int64_t min_targets = arp ? settings_.arp_min_targets : settings_.icmp_min_targets;
  if (int64_t(targets.size()) < min_targets) return;
  const double unanswered = double(targets.size() - answered.size()) / double(targets.size());
  if (arp && unanswered < settings_.arp_min_unanswered_ratio) return;

  Alert a;
  a.type = arp ? "scan.arp_sweep" : "scan.icmp_sweep";
  a.severity = Severity::kLow;
  a.proto = arp ? "arp" : scanners_.address(group[0].scanner).is_v6() ? "icmp6" : "icmp";
  fill_common(a, group);
  auto& ev = a.evidence;
  ev["targets_count"] = targets.size();
  std::vector<IpAddress> addrs;
  for (uint32_t t : targets) addrs.push_back(targets_.address(t));
  auto [lo, hi] = std::minmax_element(addrs.begin(), addrs.end());
  ev["range"] = fmt::format("{} - {}", lo->str(), hi->str());
  ev["targets"] = targets_.sorted_texts(targets, settings_.max_listed);
  ev["answered_count"] = answered.size();
  ev["answered"] = targets_.sorted_texts(answered, settings_.max_listed);
  if (!arp) ev["unreachable_count"] = unreachable;
  ev["requests"] = group.size();
  ev["duration_s"] = round3(a.ts_last - a.ts_first);
  a.summary = fmt::format("{} {} {} addresses ({} to {}), {} answered, {}.", a.src, arp ? "ARP-swept" : "pinged",
                          targets.size(), lo->str(), hi->str(), answered.size(), duration_text(a.ts_last - a.ts_first));
  a.mitre = {"T1018"};
  if (!home_.contains(scanners_.address(group[0].scanner))) a.mitre.push_back("T1595.001");
  out.push_back(std::move(a));
}

void ScanDetector::fill_common(Alert& a, std::span<const Probe> probes) const {
  a.src = scanners_.text(probes[0].scanner);
  a.count = probes.size();
  // The first probes in time are the frames to look at.
  std::vector<const Probe*> by_time;
  by_time.reserve(probes.size());
  for (const Probe& p : probes) by_time.push_back(&p);
  const size_t n = std::min(by_time.size(), FrameSet::kMax);
  std::partial_sort(by_time.begin(), by_time.begin() + ptrdiff_t(n), by_time.end(), [&](const Probe* x, const Probe* y) {
    if (x->ts != y->ts) return x->ts < y->ts;
    if (x->file != y->file) return files_.name(x->file) < files_.name(y->file);
    return x->frame < y->frame;
  });
  a.ts_first = by_time[0]->ts;
  a.ts_last = a.ts_first;
  for (const Probe& p : probes) a.ts_last = std::max(a.ts_last, p.ts);
  for (size_t i = 0; i < n; ++i) a.frames.add(files_.name(by_time[i]->file), by_time[i]->frame);
}

constexpr std::string_view kScanInputs[] = {"arp", "icmp", "conn"};
constexpr std::string_view kScanTypes[] = {"scan.arp_sweep", "scan.icmp_sweep", "scan.tcp_connect", "scan.tcp_syn",
                                           "scan.tcp_fin",   "scan.tcp_null",   "scan.tcp_xmas",    "scan.tcp_ack",
                                           "scan.udp"};

}  // namespace

const DetectorInfo kScanDetector{
    "scan", kScanInputs, kScanTypes,
    "Sweeps and port scans, one alert per scanning source and scan type. ARP sweep: ARP requests from one\n"
    "host for many addresses, most unanswered. ICMP sweep: echo (timestamp, address mask) requests to many\n"
    "hosts (conn ICMP flows; host-unreachable answers from icmp.jsonl). Port scans use probes: TCP connections\n"
    "without data either way, UDP flows of a few packets. The originator's TCP flags (conn orig_flags) name\n"
    "the scan: SYN -> tcp_syn or tcp_connect (a completed handshake per open port, or else a fresh source\n"
    "port per probe, means connect()), FIN -> tcp_fin, none -> tcp_null, FIN+PSH+URG -> tcp_xmas, ACK ->\n"
    "tcp_ack. UDP probes count when unanswered or refused (ICMP port unreachable in icmp.jsonl); probes that\n"
    "drew ICMP time-exceeded are traceroute and ignored. A scan is vertical when one host had min_ports\n"
    "ports probed (udp_min_ports for UDP), horizontal when one port was probed on min_hosts hosts, and in\n"
    "both cases those probes must be at least min_probe_ratio of the ports or hosts the source touched\n"
    "there (services it really used do not count as probed). Evidence: shape, targets and ports (capped\n"
    "lists and full counts), the answers, and the open services found.",
    [](const DetectContext& c) -> std::unique_ptr<Detector> { return std::make_unique<ScanDetector>(c); }, 150};

}  // namespace trawl::detect::scan
