// ndpi_eval: what would labelling every flow with nDPI cost trawl? (issue 3, "Evaluate nDPI")
//
// Reads a capture with libpcap (pcap_next_ex, as ndpiReader does), decodes Ethernet/VLAN/MPLS/PPPoE and
// IPv4/IPv6 to a bidirectional 5-tuple, keeps flows in an absl::flat_hash_map with trawl's inactivity
// timeouts (TCP 300 s, UDP and others 60 s; a SYN after FIN/RST also starts a new flow), and, depending
// on --mode:
//   none   decode + flow table only: the baseline, what trawl pays anyway;
//   first  + ndpi_detection_process_packet on each flow's packets until nDPI names a protocol (or gives
//          up after 80 TCP / 24 UDP packets, ndpiReader's defaults); the cheapest useful embedding;
//   reader + keeps feeding while ndpi_extra_dissection_possible() says more metadata can come (TLS
//          certificate, ...), exactly like ndpiReader's reader_util.c: the cost ndpiReader itself pays.
//   payload  like first, but nDPI sees only packets that carry L4 payload: a flow that never carries any
//          (a scan probe, a refused connection) costs no nDPI state and gets the port guess. This is how
//          trawl would embed it (its flow table already knows the ports); the label table shows whether
//          nDPI still finds the same protocols without the handshake packets.
// The nDPI state of a flow (SIZEOF_FLOW_STRUCT + its own allocations) is freed as soon as detection is
// over; only the 2-byte label stays, as it would in trawl. Undetected flows get ndpi_detection_giveup
// (with port/IP guessing) when they end.
//
// Prints timings (loop wall and thread CPU time, ns per packet, nDPI init time, peak RSS) and, for the
// nDPI modes, how flows were labelled: by content (DPI) or by guess. With --labels it also asks nDPI's
// port/IP guess (ndpi_guess_undetected_protocol without flow state) for every DPI-labelled flow and
// prints per label how many a port guess would have missed; that instrumentation costs time, so the
// timing runs are made without --labels.
//
// Build and usage: see README.md beside this file. Not part of trawl's build.
extern "C" {
#include <ndpi_api.h>
#include <pcap/pcap.h>
}

#include <absl/container/flat_hash_map.h>
#include <arpa/inet.h>
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace {

enum class Mode { kNone, kFirst, kReader, kPayload };

constexpr int kMaxTcpPkts = 80;  // ndpiReader -T default
constexpr int kMaxUdpPkts = 24;  // ndpiReader -U default
constexpr int64_t kTcpIdleNs = 300'000'000'000;
constexpr int64_t kOtherIdleNs = 60'000'000'000;

struct Key {
  std::array<uint8_t, 16> a{}, b{};  // canonical order: (a, pa) <= (b, pb)
  uint16_t pa = 0, pb = 0;
  uint8_t family = 0, proto = 0;
  friend bool operator==(const Key& x, const Key& y) { return std::memcmp(&x, &y, sizeof(Key)) == 0; }
  template <typename H>
  friend H AbslHashValue(H h, const Key& k) {
    return H::combine_contiguous(std::move(h), reinterpret_cast<const unsigned char*>(&k), sizeof(Key));
  }
};
static_assert(sizeof(Key) == 38, "Key must have no padding");

struct Flow {
  int64_t last_ns = 0;
  ndpi_flow_struct* ndpi = nullptr;  // live only while detection runs
  uint32_t cli_v4 = 0, srv_v4 = 0;   // initiator / responder (host order, IPv4 only) for the port guess
  uint16_t cli_port = 0, srv_port = 0;
  uint16_t master = 0, app = 0;      // the label
  uint16_t dissected = 0;            // packets given to nDPI
  uint8_t proto = 0;
  uint8_t confidence = 0;            // ndpi_confidence_t
  bool done = false;                 // detection finished (label final)
  bool closed = false;               // TCP FIN or RST seen
  bool guessed = false;              // label came from ndpi_detection_giveup's guess
};

struct Decoded {
  Key key;
  bool from_a = true;  // packet's source is key.a
  const uint8_t* l3 = nullptr;
  uint32_t l3_len = 0;
  uint8_t tcp_flags = 0;
  uint32_t src_v4 = 0, dst_v4 = 0;
  uint16_t sport = 0, dport = 0;
  uint32_t payload = 0;  // L4 payload bytes in the capture (TCP/UDP), 0 otherwise
};

// Decodes one Ethernet frame to its IP packet and 5-tuple. False for non-IP, truncated headers and
// non-first fragments (no ports).
bool decode(const uint8_t* p, uint32_t len, Decoded& d) {
  if (len < 14) return false;
  uint32_t off = 12;
  uint16_t type = uint16_t(p[off] << 8 | p[off + 1]);
  off += 2;
  for (int depth = 0; depth < 8; ++depth) {
    if (type == 0x8100 || type == 0x88a8 || type == 0x9100) {
      if (off + 4 > len) return false;
      type = uint16_t(p[off + 2] << 8 | p[off + 3]);
      off += 4;
    } else if (type == 0x8847) {  // MPLS: pop to the bottom of stack, then sniff the IP version
      while (true) {
        if (off + 4 > len) return false;
        bool bos = p[off + 2] & 1;
        off += 4;
        if (bos) break;
      }
      if (off >= len) return false;
      type = (p[off] >> 4) == 6 ? 0x86dd : 0x0800;
      break;
    } else if (type == 0x8864) {  // PPPoE session
      if (off + 8 > len) return false;
      uint16_t ppp = uint16_t(p[off + 6] << 8 | p[off + 7]);
      off += 8;
      type = ppp == 0x0021 ? 0x0800 : ppp == 0x0057 ? 0x86dd : 0;
      break;
    } else {
      break;
    }
  }
  const uint8_t* ip = p + off;
  uint32_t rem = len - off;
  std::array<uint8_t, 16> src{}, dst{};
  uint8_t proto;
  const uint8_t* l4;
  uint32_t l4_len;
  if (type == 0x0800) {
    if (rem < 20 || (ip[0] >> 4) != 4) return false;
    uint32_t ihl = (ip[0] & 15) * 4u;
    if (ihl < 20 || ihl > rem) return false;
    uint32_t total = uint32_t(ip[2] << 8 | ip[3]);
    if (total >= ihl && total < rem) rem = total;  // drop Ethernet padding
    if ((uint16_t(ip[6] << 8 | ip[7]) & 0x1fff) != 0) return false;
    proto = ip[9];
    std::memcpy(src.data(), ip + 12, 4);
    std::memcpy(dst.data(), ip + 16, 4);
    d.src_v4 = uint32_t(ip[12]) << 24 | uint32_t(ip[13]) << 16 | uint32_t(ip[14]) << 8 | ip[15];
    d.dst_v4 = uint32_t(ip[16]) << 24 | uint32_t(ip[17]) << 16 | uint32_t(ip[18]) << 8 | ip[19];
    d.key.family = 4;
    l4 = ip + ihl;
    l4_len = rem - ihl;
  } else if (type == 0x86dd) {
    if (rem < 40 || (ip[0] >> 4) != 6) return false;
    uint32_t payload = uint32_t(ip[4] << 8 | ip[5]);
    if (payload + 40 < rem) rem = payload + 40;
    proto = ip[6];
    std::memcpy(src.data(), ip + 8, 16);
    std::memcpy(dst.data(), ip + 24, 16);
    d.src_v4 = d.dst_v4 = 0;
    d.key.family = 6;
    uint32_t hoff = 40;
    for (int i = 0; i < 8 && (proto == 0 || proto == 43 || proto == 60 || proto == 44); ++i) {
      if (hoff + 8 > rem) return false;
      if (proto == 44) {
        if ((uint16_t(ip[hoff + 2] << 8 | ip[hoff + 3]) & 0xfff8) != 0) return false;  // not first
        proto = ip[hoff];
        hoff += 8;
      } else {
        uint32_t hl = (ip[hoff + 1] + 1u) * 8;
        proto = ip[hoff];
        hoff += hl;
      }
    }
    if (hoff > rem) return false;
    l4 = ip + hoff;
    l4_len = rem - hoff;
  } else {
    return false;
  }
  uint16_t sport = 0, dport = 0;
  d.tcp_flags = 0;
  d.payload = 0;
  if (proto == 6 || proto == 17 || proto == 132) {
    if (l4_len < 4) return false;
    sport = uint16_t(l4[0] << 8 | l4[1]);
    dport = uint16_t(l4[2] << 8 | l4[3]);
    if (proto == 6 && l4_len >= 14) {
      d.tcp_flags = l4[13];
      uint32_t hl = (l4[12] >> 4) * 4u;
      d.payload = l4_len > hl ? l4_len - hl : 0;
    } else if (proto == 17) {
      d.payload = l4_len > 8 ? l4_len - 8 : 0;
    }
  }
  d.sport = sport;
  d.dport = dport;
  d.key.proto = proto;
  bool keep = std::memcmp(src.data(), dst.data(), 16) < 0 ||
              (std::memcmp(src.data(), dst.data(), 16) == 0 && sport <= dport);
  d.from_a = keep;
  d.key.a = keep ? src : dst;
  d.key.b = keep ? dst : src;
  d.key.pa = keep ? sport : dport;
  d.key.pb = keep ? dport : sport;
  d.l3 = ip;
  d.l3_len = rem;
  return true;
}

double now_s(clockid_t c) {
  timespec ts;
  clock_gettime(c, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

// Protocols trawl parses itself (issue 3): an nDPI label whose master or app protocol is in this set
// adds nothing trawl's own content-based identification does not give.
const std::set<std::string_view> kParsedByTrawl = {
    "FTP_CONTROL", "FTP_DATA", "POP3",  "POPS",    "SMTP",       "SMTPS",     "IMAP",  "IMAPS",
    "DNS",         "HTTP",     "TLS",   "SSH",     "Telnet",     "RDP",       "SMBv1", "SMBv23",
    "MySQL",       "PostgreSQL", "MsSQL-TDS", "Redis", "HTTP_Proxy", "HTTP_Connect"};

struct LabelStats {
  bool parsed = false;       // master or app protocol parsed by trawl
  uint64_t flows = 0;        // labelled by content (DPI or DPI cache)
  uint64_t port_same = 0;    // port guess shares a protocol (master or app) with the DPI label
  uint64_t port_other = 0;   // port guess names another protocol
  uint64_t port_none = 0;    // port guess knows nothing
};

struct Stats {
  uint64_t flows = 0, tcp = 0, udp = 0, other = 0;
  uint64_t dpi = 0, by_port = 0, by_ip = 0, unknown = 0;
  uint64_t no_payload_guess = 0, no_payload_unknown = 0;  // --mode payload: flows nDPI never saw
  uint64_t ndpi_calls = 0, ndpi_live = 0, ndpi_live_peak = 0;
  std::map<std::string, LabelStats> by_label;
};

// True when the two labels share a known protocol, master or app (HTTP.Google and HTTP agree).
bool overlap(ndpi_protocol x, ndpi_protocol y) {
  for (uint16_t a : {x.master_protocol, x.app_protocol})
    for (uint16_t b : {y.master_protocol, y.app_protocol})
      if (a != NDPI_PROTOCOL_UNKNOWN && a == b) return true;
  return false;
}

class Evaluator {
 public:
  // compare: also ask nDPI's port/IP guess for every flow, to count what DPI adds (instrumentation: costs
  // about as much as the detection itself, so timing runs leave it off).
  Evaluator(Mode mode, bool compare, int show_diffs) : mode_(mode), compare_(compare), show_diffs_(show_diffs) {
    if (mode_ == Mode::kNone) return;
    double t0 = now_s(CLOCK_MONOTONIC);
    // The nDPI 4.2 init sequence (shared/notes/dependencies-on-debian12.md).
    ndpi_ = ndpi_init_detection_module(ndpi_no_prefs);
    if (!ndpi_) {
      std::fprintf(stderr, "ndpi_init_detection_module failed\n");
      std::exit(1);
    }
    NDPI_PROTOCOL_BITMASK all;
    NDPI_BITMASK_SET_ALL(all);
    ndpi_set_protocol_detection_bitmask2(ndpi_, &all);
    ndpi_finalize_initialization(ndpi_);
    init_s_ = now_s(CLOCK_MONOTONIC) - t0;
  }
  ~Evaluator() {
    if (ndpi_) ndpi_exit_detection_module(ndpi_);
  }
  Evaluator(const Evaluator&) = delete;
  Evaluator& operator=(const Evaluator&) = delete;

  void packet(int64_t ts_ns, const Decoded& d) {
    auto [it, fresh] = flows_.try_emplace(d.key);
    Flow& f = it->second;
    bool syn_only = (d.tcp_flags & 0x12) == 0x02;
    if (!fresh) {
      int64_t idle = d.key.proto == 6 ? kTcpIdleNs : kOtherIdleNs;
      if (ts_ns - f.last_ns > idle || (f.closed && syn_only)) {
        finish(f);
        f = Flow{};
        fresh = true;
      }
    }
    if (fresh) {
      f.proto = d.key.proto;
      f.cli_v4 = d.src_v4;
      f.srv_v4 = d.dst_v4;
      f.cli_port = d.sport;
      f.srv_port = d.dport;
    }
    f.last_ns = ts_ns;
    if (d.tcp_flags & 0x05) f.closed = true;
    if (mode_ == Mode::kNone || f.done) return;
    if (mode_ == Mode::kPayload && d.payload == 0 && (f.proto == 6 || f.proto == 17)) return;
    if (!f.ndpi) {
      f.ndpi = static_cast<ndpi_flow_struct*>(ndpi_flow_malloc(SIZEOF_FLOW_STRUCT));
      if (!f.ndpi) {
        std::fprintf(stderr, "ndpi_eval: out of memory\n");
        std::exit(1);
      }
      std::memset(f.ndpi, 0, SIZEOF_FLOW_STRUCT);
      if (++stats_.ndpi_live > stats_.ndpi_live_peak) stats_.ndpi_live_peak = stats_.ndpi_live;
    }
    ndpi_protocol p = ndpi_detection_process_packet(ndpi_, f.ndpi, d.l3, uint16_t(std::min<uint32_t>(d.l3_len, 65535)),
                                                    uint64_t(ts_ns / 1'000'000));
    ++stats_.ndpi_calls;
    ++f.dissected;
    bool enough = (f.proto == 6 && f.dissected > kMaxTcpPkts) || (f.proto == 17 && f.dissected > kMaxUdpPkts);
    if (enough || p.app_protocol != NDPI_PROTOCOL_UNKNOWN) {
      if (!enough && mode_ == Mode::kReader && ndpi_extra_dissection_possible(ndpi_, f.ndpi)) return;
      complete(f, p);
    }
  }

  // Ends every flow still open (end of capture).
  void flush() {
    for (auto& [k, f] : flows_) finish(f);
    flows_.clear();
  }

  const Stats& stats() const { return stats_; }
  double init_s() const { return init_s_; }
  ndpi_detection_module_struct* module() const { return ndpi_; }

 private:
  // Detection over: take the label (guessing if nDPI found nothing) and free nDPI's flow state.
  void complete(Flow& f, ndpi_protocol p) {
    if (p.app_protocol == NDPI_PROTOCOL_UNKNOWN) {
      uint8_t guessed = 0;
      p = ndpi_detection_giveup(ndpi_, f.ndpi, 1, &guessed);
      f.guessed = guessed;
    }
    f.master = p.master_protocol;
    f.app = p.app_protocol;
    f.confidence = uint8_t(f.ndpi->confidence);
    ndpi_free_flow(f.ndpi);
    f.ndpi = nullptr;
    --stats_.ndpi_live;
    f.done = true;
  }

  void finish(Flow& f) {
    ++stats_.flows;
    (f.proto == 6 ? stats_.tcp : f.proto == 17 ? stats_.udp : stats_.other)++;
    if (mode_ == Mode::kNone) return;
    if (!f.done && !f.ndpi) {  // --mode payload, no payload ever: the port/IP guess alone
      if (!compare_) return;
      ndpi_protocol g = ndpi_guess_undetected_protocol(ndpi_, nullptr, f.proto, f.cli_v4, f.cli_port,
                                                       f.srv_v4, f.srv_port);
      (g.app_protocol != NDPI_PROTOCOL_UNKNOWN ? stats_.no_payload_guess : stats_.no_payload_unknown)++;
      return;
    }
    if (!f.done) {  // nDPI is still looking: give up (with guessing) now
      complete(f, ndpi_protocol{NDPI_PROTOCOL_UNKNOWN, NDPI_PROTOCOL_UNKNOWN, NDPI_PROTOCOL_CATEGORY_UNSPECIFIED});
    }
    switch (f.confidence) {
      case NDPI_CONFIDENCE_DPI:
      case NDPI_CONFIDENCE_DPI_CACHE: {
        ++stats_.dpi;
        if (!compare_) break;
        ndpi_protocol p{f.master, f.app, NDPI_PROTOCOL_CATEGORY_UNSPECIFIED};
        ndpi_protocol g = ndpi_guess_undetected_protocol(ndpi_, nullptr, f.proto, f.cli_v4, f.cli_port,
                                                         f.srv_v4, f.srv_port);
        char lab[64], glab[64];
        ndpi_protocol2name(ndpi_, p, lab, sizeof lab);
        auto [lit, added] = stats_.by_label.try_emplace(lab);
        LabelStats& ls = lit->second;
        if (added)
          ls.parsed = (f.master && kParsedByTrawl.count(ndpi_get_proto_name(ndpi_, f.master))) ||
                      kParsedByTrawl.count(ndpi_get_proto_name(ndpi_, f.app));
        ++ls.flows;
        bool same = overlap(p, g);
        if (g.master_protocol == NDPI_PROTOCOL_UNKNOWN && g.app_protocol == NDPI_PROTOCOL_UNKNOWN) ++ls.port_none;
        else if (same) ++ls.port_same;
        else ++ls.port_other;
        if (!same && show_diffs_ > 0) {
          --show_diffs_;
          ndpi_protocol2name(ndpi_, g, glab, sizeof glab);
          std::printf("diff: proto %u %u.%u.%u.%u:%u -> %u.%u.%u.%u:%u  DPI %s  port/IP guess %s\n", f.proto,
                      f.cli_v4 >> 24, f.cli_v4 >> 16 & 255, f.cli_v4 >> 8 & 255, f.cli_v4 & 255, f.cli_port,
                      f.srv_v4 >> 24, f.srv_v4 >> 16 & 255, f.srv_v4 >> 8 & 255, f.srv_v4 & 255, f.srv_port, lab,
                      glab);
        }
        break;
      }
      case NDPI_CONFIDENCE_MATCH_BY_PORT: ++stats_.by_port; break;
      case NDPI_CONFIDENCE_MATCH_BY_IP: ++stats_.by_ip; break;
      default: ++stats_.unknown; break;
    }
  }

  Mode mode_;
  bool compare_;
  int show_diffs_;
  ndpi_detection_module_struct* ndpi_ = nullptr;
  double init_s_ = 0;
  absl::flat_hash_map<Key, Flow> flows_;
  Stats stats_;
};

int usage() {
  std::fprintf(stderr, "usage: ndpi_eval [--mode none|first|reader|payload] [--labels] [--diffs N] FILE.pcap\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Mode mode = Mode::kReader;
  bool labels = false;
  int diffs = 0;
  const char* file = nullptr;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--mode" && i + 1 < argc) {
      std::string_view m = argv[++i];
      if (m == "none") mode = Mode::kNone;
      else if (m == "first") mode = Mode::kFirst;
      else if (m == "reader") mode = Mode::kReader;
      else if (m == "payload") mode = Mode::kPayload;
      else return usage();
    } else if (a == "--labels") {
      labels = true;
    } else if (a == "--diffs" && i + 1 < argc) {  // print N flows where DPI and the port guess differ
      diffs = std::atoi(argv[++i]);
      labels = true;
    } else if (!a.empty() && a[0] != '-' && !file) {
      file = argv[i];
    } else {
      return usage();
    }
  }
  if (!file) return usage();

  double w0 = now_s(CLOCK_MONOTONIC);
  char err[PCAP_ERRBUF_SIZE];
  pcap_t* pc = pcap_open_offline(file, err);
  if (!pc) {
    std::fprintf(stderr, "ndpi_eval: %s\n", err);
    return 1;
  }
  if (pcap_datalink(pc) != DLT_EN10MB) {
    std::fprintf(stderr, "ndpi_eval: only Ethernet captures (link type %d)\n", pcap_datalink(pc));
    return 1;
  }
  Evaluator ev(mode, labels, diffs);

  double t0 = now_s(CLOCK_MONOTONIC), c0 = now_s(CLOCK_THREAD_CPUTIME_ID);
  uint64_t packets = 0, ip_packets = 0, bytes = 0;
  pcap_pkthdr* h;
  const u_char* data;
  Decoded d;
  int rc;
  while ((rc = pcap_next_ex(pc, &h, &data)) == 1) {
    ++packets;
    bytes += h->caplen;
    if (!decode(data, h->caplen, d)) continue;
    ++ip_packets;
    ev.packet(int64_t(h->ts.tv_sec) * 1'000'000'000 + int64_t(h->ts.tv_usec) * 1000, d);
  }
  if (rc == -1) std::fprintf(stderr, "ndpi_eval: %s\n", pcap_geterr(pc));
  ev.flush();
  double loop_s = now_s(CLOCK_MONOTONIC) - t0, cpu_s = now_s(CLOCK_THREAD_CPUTIME_ID) - c0;
  pcap_close(pc);
  double wall_s = now_s(CLOCK_MONOTONIC) - w0;

  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  const Stats& s = ev.stats();
  const char* mname = mode == Mode::kNone    ? "none"
                      : mode == Mode::kFirst   ? "first"
                      : mode == Mode::kReader  ? "reader"
                                               : "payload";
  std::printf("mode %s  file %s\n", mname, file);
  std::printf("packets %llu (ip %llu), %.1f MB, flows %llu (tcp %llu, udp %llu, other %llu)\n",
              (unsigned long long)packets, (unsigned long long)ip_packets, bytes / 1e6,
              (unsigned long long)s.flows, (unsigned long long)s.tcp, (unsigned long long)s.udp,
              (unsigned long long)s.other);
  std::printf("loop %.3f s wall, %.3f s cpu; %.1f ns/packet wall, %.1f ns/packet cpu; %.0f MB/s cpu\n", loop_s,
              cpu_s, loop_s * 1e9 / double(packets), cpu_s * 1e9 / double(packets), bytes / 1e6 / cpu_s);
  std::printf("total %.3f s wall (nDPI init %.3f s), peak RSS %.1f MB\n", wall_s, ev.init_s(),
              ru.ru_maxrss * 1024 / 1e6);
  if (mode == Mode::kNone) return 0;
  std::printf("nDPI calls %llu (%.1f%% of packets, %.2f per flow), peak live nDPI flow states %llu\n",
              (unsigned long long)s.ndpi_calls, 100.0 * double(s.ndpi_calls) / double(packets),
              double(s.ndpi_calls) / double(s.flows), (unsigned long long)s.ndpi_live_peak);
  std::printf("labels: DPI %llu, port guess %llu, IP guess %llu, unknown %llu\n", (unsigned long long)s.dpi,
              (unsigned long long)s.by_port, (unsigned long long)s.by_ip, (unsigned long long)s.unknown);
  if (mode == Mode::kPayload && labels)
    std::printf("flows without payload (never given to nDPI): port/IP guess %llu, unknown %llu\n",
                (unsigned long long)s.no_payload_guess, (unsigned long long)s.no_payload_unknown);
  uint64_t beyond = 0, beyond_new = 0, other = 0, other_new = 0;
  for (const auto& [name, ls] : s.by_label) {
    bool parsed = ls.parsed;
    beyond += ls.port_none + ls.port_other;
    if (!parsed) beyond_new += ls.port_none + ls.port_other;
    other += ls.port_other;
    if (!parsed) other_new += ls.port_other;
  }
  if (!labels) return 0;
  std::printf("DPI labels a port guess misses: %llu flows (port guess unknown %llu, different %llu); "
              "of these, outside trawl's own parsers: %llu (different %llu)\n",
              (unsigned long long)beyond, (unsigned long long)(beyond - other), (unsigned long long)other,
              (unsigned long long)beyond_new, (unsigned long long)other_new);
  {
    std::vector<std::pair<std::string, LabelStats>> rows(s.by_label.begin(), s.by_label.end());
    std::sort(rows.begin(), rows.end(), [](const auto& x, const auto& y) { return x.second.flows > y.second.flows; });
    std::printf("%-24s %8s %8s %8s %8s %s\n", "DPI label", "flows", "port=", "port!=", "port?", "parsed by trawl");
    for (const auto& [name, ls] : rows)
      std::printf("%-24s %8llu %8llu %8llu %8llu %s\n", name.c_str(), (unsigned long long)ls.flows,
                  (unsigned long long)ls.port_same, (unsigned long long)ls.port_other,
                  (unsigned long long)ls.port_none, ls.parsed ? "yes" : "");
  }
  return 0;
}
