#include "detect/beacon/beacon_detector.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <absl/container/flat_hash_map.h>
#include <fmt/format.h>

#include "detect/beacon/interval_stats.h"
#include "detect/dns/dns_lookup.h"
#include "detect/dns/domain_name.h"
#include "detect/dns/span_text.h"
#include "detect/file_ids.h"
#include "util/hash.h"

namespace trawl::detect::beacon {

namespace {

using dns::NameTable;

struct Settings {
  bool internal_to_external;
  int64_t min_connections, high_min_connections;
  double burst_merge_s, min_interval_s, min_coverage, full_coverage, min_presence, max_jitter, max_size_jitter;
  int64_t max_same_rhythm;
  double same_rhythm_tolerance;
  double w_skew, w_dispersion, w_size, w_coverage, min_score, high_score;
  size_t max_listed;
  std::set<std::pair<std::string, uint16_t>> ignore_services;  // ("udp", 123)
  std::vector<std::string> ignore_domains;

  explicit Settings(const Config& c)
      : internal_to_external(c.flag("beacon.internal_to_external")),
        min_connections(std::max<int64_t>(3, c.integer("beacon.min_connections"))),
        high_min_connections(c.integer("beacon.high_min_connections")),
        burst_merge_s(c.number("beacon.burst_merge_s")),
        min_interval_s(c.number("beacon.min_interval_s")),
        min_coverage(c.number("beacon.min_coverage")),
        full_coverage(c.number("beacon.full_coverage")),
        min_presence(c.number("beacon.min_presence")),
        max_jitter(c.number("beacon.max_jitter")),
        max_size_jitter(c.number("beacon.max_size_jitter")),
        max_same_rhythm(c.integer("beacon.max_same_rhythm")),
        same_rhythm_tolerance(c.number("beacon.same_rhythm_tolerance")),
        w_skew(c.number("beacon.weight_interval_skew")),
        w_dispersion(c.number("beacon.weight_interval_dispersion")),
        w_size(c.number("beacon.weight_size")),
        w_coverage(c.number("beacon.weight_coverage")),
        min_score(c.number("beacon.min_score")),
        high_score(c.number("beacon.high_score")),
        max_listed(size_t(std::max<int64_t>(1, c.integer("beacon.max_listed")))) {
    for (const auto& s : c.strings("beacon.ignore_services")) {
      size_t slash = s.find('/');
      if (slash == std::string::npos) throw std::runtime_error(fmt::format("beacon.ignore_services: '{}' is not proto/port", s));
      int port = std::atoi(s.c_str() + slash + 1);
      ignore_services.emplace(s.substr(0, slash), uint16_t(port));
    }
    for (const auto& d : c.strings("beacon.ignore_domains")) ignore_domains.push_back(dns::normalize_name(d));
  }
};

// One connection of a series, as small as it can be: there may be millions.
struct Conn {
  double ts;
  uint64_t bytes;  // payload both ways (0 for refused or unanswered attempts)
  uint64_t frame;  // its first packet
  // The far end is named in finish, when every dns, http and tls record is in (they may come after the
  // conn): until then the uid_key of the conn's uid, from then on the name.
  union {
    uint64_t uid;
    uint32_t domain;  // names_ id, or NameTable::kNone
  };
  uint32_t file;
  uint8_t state;    // index into the conn_state names
  uint8_t service;  // kHttp | kTls
};
constexpr uint8_t kHttp = 1, kTls = 2;

// A connection uid in 64 bits (FNV-1a), to look a conn's HTTP Host or SNI up by: a wrong name would take
// two uids of one capture colliding, about 2^-64 per pair.
uint64_t uid_key(std::string_view uid) { return fnv1a64(uid.data(), uid.size()); }

struct PairKey {
  IpAddress src, dst;
  uint16_t dport;
  bool udp;
  friend bool operator==(const PairKey& a, const PairKey& b) {
    return a.src == b.src && a.dst == b.dst && a.dport == b.dport && a.udp == b.udp;
  }
  friend bool operator<(const PairKey& a, const PairKey& b) {
    return std::tie(a.src, a.dst, a.dport, a.udp) < std::tie(b.src, b.dst, b.dport, b.udp);
  }
  template <typename H>
  friend H AbslHashValue(H h, const PairKey& k) {
    return H::combine(std::move(h), k.src, k.dst, k.dport, k.udp);
  }
};

// A connection of a (source, domain) series with the endpoint it went to.
struct Member {
  const Conn* conn;
  const PairKey* pair;
};

struct Score {
  size_t rounds = 0;
  double interval = 0, mad = 0, jitter = 0, skew = 0;
  double size_median = 0, size_jitter = 0, coverage = 0, presence = 0;
  double c_skew = 0, c_dispersion = 0, c_size = 0, c_coverage = 0, total = 0;
};

double round3(double x) { return std::round(x * 1000) / 1000; }

bool is_multicast_or_broadcast(const IpAddress& a) {
  if (a.is_v4()) return (a.bytes[0] & 0xf0) == 0xe0 || (a.bytes[0] == 255 && a.bytes[1] == 255 && a.bytes[2] == 255 && a.bytes[3] == 255);
  return a.is_v6() && a.bytes[0] == 0xff;
}

class BeaconDetector final : public Detector {
 public:
  explicit BeaconDetector(const DetectContext& context) : settings_(context.config), home_(context.home) {}

  // Each type is kept on its own (dns names in names_, http and tls names in tables of their own): what
  // a conn is named by is settled in finish, so the alerts do not depend on how the types interleave.
  void on_record(std::string_view type, const RecordView& r) override {
    if (type == "conn") return add_conn(r);
    if (type == "dns") {
      auto lookup = dns::read_lookup(r);
      if (!lookup) return;
      dns::normalize_name(lookup->name, scratch_);
      resolutions_.add(r, names_.intern(scratch_));
    } else if (type == "http" || type == "tls") {
      bool tls = type == "tls";
      std::string_view name = r.str(tls ? "server_name" : "host");
      if (name.empty() || IpAddress::parse(name)) return;
      dns::normalize_name(name, scratch_);
      uint32_t id = (tls ? tls_names_ : http_names_).intern(scratch_);
      // A uid's first HTTP Host, or else its first SNI.
      auto [it, added] = uid_names_.try_emplace(uid_key(r.uid()), HostName{id, tls});
      if (!added && it->second.tls && !tls) it->second = {id, false};
    }
  }

  void finish(std::vector<Alert>& out) override {
    double span = max_end_ > min_ts_ ? max_end_ - min_ts_ : 0;
    prepare_naming();
    std::vector<const PairKey*> keys;
    for (auto& [key, conns] : series_) {
      name_conns(key, conns);
      std::sort(conns.begin(), conns.end(), [](const Conn& a, const Conn& b) { return a.ts < b.ts; });
      keys.push_back(&key);
    }
    std::sort(keys.begin(), keys.end(), [](const PairKey* a, const PairKey* b) { return *a < *b; });

    // (source, domain) series: the same name reached at more than one endpoint (rotating addresses).
    std::map<std::pair<IpAddress, std::string>, std::vector<Member>> by_domain;
    for (const PairKey* key : keys)
      for (const Conn& c : series_.at(*key))
        if (c.domain != NameTable::kNone) by_domain[{key->src, names_.name(c.domain)}].push_back({&c, key});
    std::vector<Candidate> candidates;
    std::set<PairKey> covered;  // endpoints reported within a domain alert
    for (auto& [src_domain, members] : by_domain) {
      std::set<PairKey> endpoints;
      for (const Member& m : members) endpoints.insert(*m.pair);
      if (endpoints.size() < 2 || ignored_domain(src_domain.second)) continue;
      std::stable_sort(members.begin(), members.end(), [](const Member& a, const Member& b) { return a.conn->ts < b.conn->ts; });
      auto score = evaluate(members, span);
      if (!score) continue;
      covered.insert(endpoints.begin(), endpoints.end());
      candidates.push_back({src_domain.second, std::move(endpoints), std::move(members), *score});
    }
    for (const PairKey* key : keys) {
      if (covered.count(*key)) continue;
      std::vector<Member> members;
      for (const Conn& c : series_.at(*key)) members.push_back({&c, key});
      std::string domain = main_domain(members);
      if (!domain.empty() && ignored_domain(domain)) continue;
      auto score = evaluate(members, span);
      if (!score) continue;
      candidates.push_back({std::move(domain), {*key}, std::move(members), *score});
    }
    // Alerts are made for the series that stay: a replayed capture can make thousands of candidates.
    std::vector<bool> dropped = shared_rhythms(candidates);
    for (size_t i = 0; i < candidates.size(); ++i) {
      const Candidate& c = candidates[i];
      if (!dropped[i]) out.push_back(make_alert(*c.members.front().pair, c.domain, c.endpoints, c.members, c.score, span));
    }
  }

 private:
  struct Candidate {
    std::string domain;
    std::set<PairKey> endpoints;
    std::vector<Member> members;  // in time order
    Score score;
    const IpAddress& src() const { return members.front().pair->src; }
  };

  // One source reaching more than max_same_rhythm endpoints at one rhythm is a crawler, a monitoring job or a
  // replayed capture, not a C2 channel: those series are dropped together. Returns which to drop.
  std::vector<bool> shared_rhythms(const std::vector<Candidate>& candidates) const {
    // Per source, candidates in interval order: those within the tolerance of one are a window around it.
    std::vector<size_t> order(candidates.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    auto interval = [&](size_t i) { return candidates[i].score.interval; };
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return std::tie(candidates[a].src(), candidates[a].score.interval, a) <
             std::tie(candidates[b].src(), candidates[b].score.interval, b);
    });
    std::vector<bool> drop(candidates.size());
    const double tolerance = settings_.same_rhythm_tolerance;
    for (size_t b = 0; b < order.size();) {
      size_t e = b + 1;
      while (e < order.size() && candidates[order[e]].src() == candidates[order[b]].src()) ++e;
      std::vector<size_t> sum(e - b + 1);  // endpoints of order[b .. b+k) in sum[k]
      for (size_t k = b; k < e; ++k) sum[k - b + 1] = sum[k - b] + candidates[order[k]].endpoints.size();
      size_t lo = b, hi = b;
      for (size_t k = b; k < e; ++k) {
        const double x = interval(order[k]), reach = tolerance * x;
        while (x - interval(order[lo]) > reach) ++lo;  // lo <= k: never past x
        if (hi < k) hi = k;
        while (hi + 1 < e && std::abs(interval(order[hi + 1]) - x) <= reach) ++hi;
        drop[order[k]] = int64_t(sum[hi - b + 1] - sum[lo - b]) > settings_.max_same_rhythm;
      }
      b = e;
    }
    return drop;
  }

  void add_conn(const RecordView& r) {
    double ts = r.ts();
    min_ts_ = std::min(min_ts_, ts);
    max_end_ = std::max(max_end_, ts + r.num("duration"));
    std::string_view proto = r.str("proto");
    if (proto != "tcp" && proto != "udp") return;
    auto src = r.src_ip(), dst = r.dst_ip();
    if (!src || !dst || *src == *dst || is_multicast_or_broadcast(*dst)) return;
    if (settings_.internal_to_external && (!home_.contains(*src) || home_.contains(*dst))) return;
    uint16_t dport = r.dport();
    if (settings_.ignore_services.count({std::string(proto), dport})) return;
    Conn c;
    c.ts = ts;
    c.bytes = uint64_t(std::max<int64_t>(0, r.integer("orig_bytes")) + std::max<int64_t>(0, r.integer("resp_bytes")));
    c.frame = r.frame();
    c.file = files_.id(r.file());
    c.state = state_index(r.str("conn_state"));
    std::string_view service = r.str("service");
    c.service = uint8_t((service.find("http") != std::string_view::npos ? kHttp : 0) |
                        (service.find("tls") != std::string_view::npos ? kTls : 0));
    c.uid = uid_key(r.uid());
    series_[PairKey{*src, *dst, dport, proto == "udp"}].push_back(c);
  }

  // Gives the http and tls names their ids in names_ after the dns ones, in the order the usual type order
  // (dns, http, tls, then conn) interns them, so main_domain breaks ties the same way whatever the feed.
  void prepare_naming() {
    std::vector<uint32_t> http_ids(http_names_.size()), tls_ids(tls_names_.size());
    for (uint32_t i = 0; i < http_ids.size(); ++i) http_ids[i] = names_.intern(http_names_.name(i));
    for (uint32_t i = 0; i < tls_ids.size(); ++i) tls_ids[i] = names_.intern(tls_names_.name(i));
    for (auto& [uid, host] : uid_names_) host.id = (host.tls ? tls_ids : http_ids)[host.id];
    resolutions_.seal();
  }

  // Names each conn of a series: its HTTP Host or SNI, or else the name its destination was last resolved
  // from (the destination's lookups are found once per series).
  void name_conns(const PairKey& key, std::vector<Conn>& conns) const {
    const auto* lookups = resolutions_.lookups_of(key.dst);
    for (Conn& c : conns) {
      uint32_t domain = NameTable::kNone;
      if (!uid_names_.empty())
        if (auto it = uid_names_.find(c.uid); it != uid_names_.end()) domain = it->second.id;
      if (domain == NameTable::kNone && lookups) domain = dns::Resolutions::name_at(*lookups, c.ts);
      c.domain = domain;
    }
  }

  uint8_t state_index(std::string_view state) {
    for (size_t i = 0; i < states_.size(); ++i)
      if (states_[i] == state) return uint8_t(i);
    if (states_.size() >= 255) return 254;
    states_.emplace_back(state);
    return uint8_t(states_.size() - 1);
  }

  bool ignored_domain(std::string_view domain) const {
    for (const auto& d : settings_.ignore_domains)
      if (dns::has_domain_suffix(domain, d)) return true;
    return false;
  }

  std::string main_domain(const std::vector<Member>& members) const {
    std::map<uint32_t, size_t> counts;
    for (const Member& m : members)
      if (m.conn->domain != NameTable::kNone) counts[m.conn->domain]++;
    uint32_t best = NameTable::kNone;
    size_t most = 0;
    for (const auto& [id, n] : counts)
      if (n > most) best = id, most = n;
    return best == NameTable::kNone ? std::string() : names_.name(best);
  }

  // The series' rhythm, or nothing when it is no beacon. Connections that start within burst_merge_s of a
  // round's first one belong to that round (a check-in that opens two connections).
  std::optional<Score> evaluate(const std::vector<Member>& members, double span) const {
    if (int64_t(members.size()) < settings_.min_connections) return std::nullopt;
    std::vector<double> starts, sizes;
    for (const Member& m : members) {
      if (starts.empty() || m.conn->ts - starts.back() > settings_.burst_merge_s) {
        starts.push_back(m.conn->ts);
        sizes.push_back(0);
      }
      sizes.back() += double(m.conn->bytes);
    }
    Score s;
    s.rounds = starts.size();
    if (int64_t(s.rounds) < settings_.min_connections) return std::nullopt;
    std::vector<double> gaps;
    for (size_t i = 1; i < starts.size(); ++i) gaps.push_back(starts[i] - starts[i - 1]);
    Spread g = spread(gaps);
    s.interval = g.median;
    if (s.interval < settings_.min_interval_s) return std::nullopt;
    s.mad = g.mad;
    s.jitter = g.mad / g.median;
    s.skew = g.bowley_skew;
    Spread z = spread(sizes);
    s.size_median = z.median;
    s.size_jitter = z.median > 0 ? z.mad / z.median : (z.mad > 0 ? 1.0 : 0.0);
    double series_span = starts.back() - starts.front() + s.interval;
    s.coverage = span > 0 ? std::min(1.0, series_span / span) : 1.0;
    // Rounds seen / rounds the interval predicts between the first and the last: bursts far apart whose
    // inner gaps make up half the sample look periodic to the median alone.
    s.presence = std::min(1.0, double(s.rounds) / ((starts.back() - starts.front()) / s.interval + 1));
    if (s.coverage < settings_.min_coverage || s.presence < settings_.min_presence || s.jitter >= settings_.max_jitter)
      return std::nullopt;
    s.c_skew = 1 - std::abs(s.skew);
    s.c_dispersion = std::max(0.0, 1 - s.jitter / settings_.max_jitter);
    s.c_size = std::max(0.0, 1 - s.size_jitter / settings_.max_size_jitter);
    s.c_coverage = settings_.full_coverage > 0 ? std::min(1.0, s.coverage / settings_.full_coverage) : 1.0;
    double weights = settings_.w_skew + settings_.w_dispersion + settings_.w_size + settings_.w_coverage;
    if (weights <= 0) return std::nullopt;
    s.total = (settings_.w_skew * s.c_skew + settings_.w_dispersion * s.c_dispersion + settings_.w_size * s.c_size +
               settings_.w_coverage * s.c_coverage) / weights;
    if (s.total < settings_.min_score) return std::nullopt;
    return s;
  }

  Alert make_alert(const PairKey& first, const std::string& domain, const std::set<PairKey>& endpoints,
                   const std::vector<Member>& members, const Score& s, double span) const {
    Alert a;
    a.type = "c2.beacon";
    a.src = first.src.str();
    a.proto = first.udp ? "udp" : "tcp";
    bool one_endpoint = endpoints.size() == 1;
    std::set<IpAddress> addresses;
    std::set<uint16_t> ports;
    for (const PairKey& k : endpoints) addresses.insert(k.dst), ports.insert(k.dport);
    if (addresses.size() == 1) a.dst = first.dst.str();
    if (ports.size() == 1) a.dst_port = first.dport;
    uint64_t sent_received = 0, refused = 0;
    uint8_t service = 0;
    std::map<std::string, uint64_t> states;
    for (const Member& m : members) {
      sent_received += m.conn->bytes;
      service |= m.conn->service;
      const std::string& state = states_[m.conn->state];
      states[state]++;
      refused += state == "REJ" || state == "S0" || state == "RSTOS0" || state == "SH";
      a.frames.add(files_.name(m.conn->file), m.conn->frame);
    }
    a.count = members.size();
    a.ts_first = members.front().conn->ts;
    a.ts_last = members.back().conn->ts;
    a.mitre = {"T1071"};
    if (service & kHttp) a.mitre.push_back("T1071.001");
    if (service & kTls) a.mitre.push_back("T1573");
    bool strong = s.total >= settings_.high_score && int64_t(s.rounds) >= settings_.high_min_connections;
    a.severity = strong ? Severity::kHigh : Severity::kMedium;

    auto& e = a.evidence;
    e["interval_s"] = round3(s.interval);
    e["jitter"] = round3(s.jitter);
    e["mad_s"] = round3(s.mad);
    e["skew"] = round3(s.skew);
    e["score"] = round3(s.total);
    e["score_components"] = {{"interval_skew", round3(s.c_skew)}, {"interval_dispersion", round3(s.c_dispersion)},
                             {"size", round3(s.c_size)}, {"coverage", round3(s.c_coverage)}};
    e["connections"] = members.size();
    e["rounds"] = s.rounds;
    e["bytes"] = sent_received;
    e["median_round_bytes"] = round3(s.size_median);
    e["size_jitter"] = round3(s.size_jitter);
    e["coverage"] = round3(s.coverage);
    e["presence"] = round3(s.presence);
    e["capture_span_s"] = round3(span);
    e["conn_states"] = states;
    e["refused_or_unanswered"] = refused;
    if (!domain.empty()) e["domain"] = domain;
    if (!one_endpoint) {
      auto list = nlohmann::ordered_json::array();
      for (const PairKey& k : endpoints) {
        if (list.size() >= settings_.max_listed) break;
        list.push_back(fmt::format("{}:{}", k.dst.str(), k.dport));
      }
      e["destinations"] = std::move(list);
    }

    std::string target = domain.empty() ? fmt::format("{} port {}/{}", first.dst.str(), first.dport, a.proto)
                         : one_endpoint ? fmt::format("{} ({} port {}/{})", domain, first.dst.str(), first.dport, a.proto)
                                        : fmt::format("{} at {} endpoints", domain, endpoints.size());
    std::string how = refused == members.size() ? ", every attempt refused or unanswered"
                      : refused ? fmt::format(", {} of them refused or unanswered", refused)
                                : fmt::format(", {} bytes in all", sent_received);
    std::string every = s.interval < 120 ? fmt::format("{:.1f} s", s.interval) : fmt::format("{:.1f} min", s.interval / 60);
    a.summary = fmt::format("{} connected to {} {} times about every {} (jitter {:.0f}%){} {}, {:.0f}% of the "
                            "capture: a periodic beacon.", a.src, target, members.size(), every, s.jitter * 100, how,
                            dns::span_text(a.ts_last - a.ts_first), s.coverage * 100);
    return a;
  }

  Settings settings_;
  const HomeNet& home_;
  struct HostName {
    uint32_t id;  // in tls_names_ or http_names_ until prepare_naming, then in names_
    bool tls;
  };
  NameTable names_, http_names_, tls_names_;
  FileIds files_;
  std::string scratch_;
  dns::Resolutions resolutions_;
  absl::flat_hash_map<uint64_t, HostName> uid_names_;  // uid_key -> the connection's host name
  absl::flat_hash_map<PairKey, std::vector<Conn>> series_;
  std::vector<std::string> states_;
  double min_ts_ = INFINITY, max_end_ = -INFINITY;
};

constexpr std::string_view kInputs[] = {"dns", "http", "tls", "conn"};
constexpr std::string_view kTypes[] = {"c2.beacon"};

}  // namespace

const DetectorInfo kBeaconDetector{
    "beacon", kInputs, kTypes,
    "Reads conn records (and dns, http and tls records to name the far end). Connections are grouped by\n"
    "(source, destination, port) and by (source, domain), the domain being the TLS SNI or HTTP Host of the\n"
    "connection or else the name the destination was last resolved from. Connections starting within\n"
    "burst_merge_s of each other are one round. A series is scored like RITA: the Bowley skewness and the\n"
    "median absolute deviation of the gaps between rounds (jitter = MAD / median gap), the spread of the bytes per\n"
    "round, and coverage, how much of the capture (first to last conn record) the series spans, so a two-hour\n"
    "capture is judged on its own length. Refused and unanswered attempts count like any other connection, so a\n"
    "beacon to a dead C2 is found too. A series must also hold most of the rounds its interval predicts\n"
    "(min_presence), and a source that reaches more than max_same_rhythm endpoints at one rhythm is a poller,\n"
    "not an implant. By default only internal (home_net) sources to external destinations are scored, and\n"
    "ignore_services / ignore_domains keep NTP, DNS and other known periodic traffic out.",
    [](const DetectContext& c) -> std::unique_ptr<Detector> { return std::make_unique<BeaconDetector>(c); }, 145};

}  // namespace trawl::detect::beacon
