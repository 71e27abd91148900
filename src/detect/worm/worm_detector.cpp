#include "detect/worm/worm_detector.h"

#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "detect/file_ids.h"
#include "detect/scan/conn_fields.h"
#include "detect/scan/scan_text.h"

namespace trawl::detect::worm {

using scan::AddressIds;
using scan::duration_text;

std::string normalise_uri(std::string_view uri) {
  uri = uri.substr(0, uri.find('#'));
  const size_t q = uri.find('?');
  std::string out(uri.substr(0, q));
  if (q == std::string_view::npos) return out;
  out += '?';
  bool first = true;
  for (std::string_view query = uri.substr(q + 1); !query.empty();) {
    const size_t amp = query.find('&');
    std::string_view param = query.substr(0, amp);
    std::string_view name = param.substr(0, param.find('='));
    if (!name.empty()) {
      if (!first) out += '&';
      out += name;
      first = false;
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return out;
}

namespace {

// A Host header that is an address ("10.0.0.5", "10.0.0.5:8080", "[2001:db8::1]:80"), or none at all.
bool host_is_address(std::string_view host) {
  if (host.empty()) return true;
  if (host.front() == '[') return IpAddress::parse(host.substr(1, host.find(']') - 1)).has_value();
  if (std::count(host.begin(), host.end(), ':') == 1) host = host.substr(0, host.find(':'));
  return IpAddress::parse(host).has_value();
}

// The earliest frames of a finding, at most FrameSet::kMax, whatever order the records come in.
class EarliestFrames {
 public:
  void add(double ts, uint32_t file, uint64_t frame) {
    heap_.emplace_back(ts, file, frame);
    std::push_heap(heap_.begin(), heap_.end());
    if (heap_.size() > FrameSet::kMax) {
      std::pop_heap(heap_.begin(), heap_.end());
      heap_.pop_back();
    }
  }
  void to(FrameSet& out, const FileIds& files) const {
    auto sorted = heap_;
    std::sort(sorted.begin(), sorted.end());
    for (const auto& [ts, file, frame] : sorted) out.add(files.name(file), frame);
  }

 private:
  std::vector<std::tuple<double, uint32_t, uint64_t>> heap_;
};

struct Settings {
  int64_t http_min_destinations, min_targets, contact_min_bytes;
  bool http_address_hosts_only;
  std::set<uint16_t> ports;
  size_t max_listed;
  explicit Settings(const Config& c)
      : http_min_destinations(c.integer("worm.http_min_destinations")),
        min_targets(c.integer("worm.min_targets")),
        contact_min_bytes(c.integer("worm.contact_min_bytes")),
        http_address_hosts_only(c.flag("worm.http_address_hosts_only")),
        max_listed(size_t(std::max<int64_t>(1, c.integer("worm.max_listed")))) {
    for (const std::string& p : c.strings("worm.ports")) {
      int port = -1;
      if (p.starts_with("tcp/")) {
        try {
          port = std::stoi(p.substr(4));
        } catch (const std::exception&) {
        }
      }
      if (port < 1 || port > 65535) throw std::runtime_error(fmt::format("worm.ports: '{}' is not tcp/PORT", p));
      ports.insert(uint16_t(port));
    }
  }
};

// One TCP connection attempt on a worm port.
struct Attempt {
  uint32_t src, dst;  // AddressIds
  uint16_t port;
  bool answered;      // SYN/ACK: the port is open
  bool data;          // payload either way: the service was used, not just probed
  bool contact;       // answered, and the originator delivered at least contact_min_bytes: a possible exploit
  uint32_t file;
  double ts;
  uint64_t frame;
};

// A host's attempts on one port, in time order, with what lies before and after each position: how many
// distinct targets, and (after) how many of them never exchanged data.
struct Outbound {
  std::span<const Attempt> attempts;
  std::vector<uint32_t> distinct_before;  // targets in [0, i)
  std::vector<uint32_t> distinct_after, probed_after;  // targets in [i, n), and those with no data in [i, n)

  explicit Outbound(std::span<const Attempt> a) : attempts(a) {
    const size_t n = a.size();
    distinct_before.assign(n + 1, 0);
    absl::flat_hash_set<uint32_t> seen;
    for (size_t i = 0; i < n; ++i) distinct_before[i + 1] = distinct_before[i] + seen.insert(a[i].dst).second;
    distinct_after.assign(n + 1, 0);
    probed_after.assign(n + 1, 0);
    absl::flat_hash_map<uint32_t, bool> data;  // target -> exchanged data in the suffix
    uint32_t distinct = 0, probed = 0;
    for (size_t i = n; i-- > 0;) {
      auto [it, inserted] = data.try_emplace(a[i].dst, a[i].data);
      if (inserted) {
        ++distinct;
        probed += !a[i].data;
      } else if (a[i].data && !it->second) {
        it->second = true;
        --probed;
      }
      distinct_after[i] = distinct;
      probed_after[i] = probed;
    }
  }
  // The first attempt strictly after ts.
  size_t after(double ts) const {
    auto later = [](double t, const Attempt& x) { return t < x.ts; };
    return size_t(std::upper_bound(attempts.begin(), attempts.end(), ts, later) - attempts.begin());
  }
};

class WormDetector final : public Detector {
 public:
  explicit WormDetector(const DetectContext& context) : settings_(context.config) {}

  void on_record(std::string_view type, const RecordView& r) override {
    if (type == "http") on_http(r);
    else if (type == "conn") on_conn(r);
  }

  void finish(std::vector<Alert>& out) override {
    finish_http(out);
    finish_propagation(out);
  }

 private:
  // ---- http.worm_pattern ----

  struct HttpGroup {
    std::set<IpAddress> dsts;
    std::set<uint16_t> ports;
    std::map<int64_t, uint64_t> statuses;
    std::string sample_uri, user_agent;
    double ts_first = 0, ts_last = 0;
    uint64_t count = 0;
    EarliestFrames frames;
  };

  void on_http(const RecordView& r) {
    std::string_view method = r.str("method"), uri = r.str("uri");
    if (method.empty() || uri.empty()) return;
    if (settings_.http_address_hosts_only && !host_is_address(r.str("host"))) return;
    auto src = r.src_ip(), dst = r.dst_ip();
    if (!src || !dst) return;
    HttpGroup& g = http_[{*src, std::string(method), normalise_uri(uri)}];
    const double ts = r.ts();
    if (g.count == 0 || ts < g.ts_first) {
      g.ts_first = ts;
      g.sample_uri = uri;
      g.user_agent = r.str("user_agent");
    }
    if (g.count == 0 || ts > g.ts_last) g.ts_last = ts;
    ++g.count;
    g.dsts.insert(*dst);
    g.ports.insert(r.dport());
    if (r.has("status_code")) ++g.statuses[r.integer("status_code")];
    g.frames.add(ts, http_files_.id(r.file()), r.frame());
  }

  void finish_http(std::vector<Alert>& out) const {
    for (const auto& [key, g] : http_) {
      const auto& [src, method, pattern] = key;
      if (int64_t(g.dsts.size()) < settings_.http_min_destinations) continue;
      Alert a;
      a.type = "http.worm_pattern";
      a.severity = Severity::kHigh;
      a.src = src.str();
      if (g.ports.size() == 1) a.dst_port = *g.ports.begin();
      a.proto = "http";
      a.ts_first = g.ts_first;
      a.ts_last = g.ts_last;
      a.count = g.count;
      auto& ev = a.evidence;
      ev["method"] = method;
      ev["pattern"] = pattern;
      ev["uri"] = g.sample_uri;
      ev["destinations_count"] = g.dsts.size();
      auto dsts = nlohmann::ordered_json::array();
      for (const IpAddress& d : g.dsts)
        if (dsts.size() < settings_.max_listed) dsts.push_back(d.str());
      ev["destinations"] = dsts;
      ev["ports"] = std::vector<uint16_t>(g.ports.begin(), g.ports.end());
      nlohmann::ordered_json statuses = nlohmann::ordered_json::object();
      for (const auto& [code, n] : g.statuses) statuses[std::to_string(code)] = n;
      ev["status_codes"] = statuses;
      if (!g.user_agent.empty()) ev["user_agent"] = g.user_agent;
      g.frames.to(a.frames, http_files_);
      a.summary = fmt::format("{} sent the same request, {} {}, to {} addresses {}.", a.src, method, g.sample_uri,
                              g.dsts.size(), duration_text(g.ts_last - g.ts_first));
      a.mitre = {"T1210"};
      out.push_back(std::move(a));
    }
  }

  // ---- worm.propagation ----

  void on_conn(const RecordView& r) {
    const scan::ConnFields c(r);
    if (c.proto != "tcp" || c.dport < 0 || c.dport > 65535 || !settings_.ports.contains(uint16_t(c.dport))) return;
    if (c.history.empty() || c.history[0] == '^') return;
    const bool syn = c.orig_flags >= 0 ? (c.orig_flags & 0x02) : c.history.find('S') != std::string_view::npos;
    if (!syn) return;  // picked up midstream: not an attempt this capture saw start
    auto src = c.src_ip(), dst = c.dst_ip();
    if (!src || !dst) return;
    const bool answered = c.history.find('h') != std::string_view::npos;
    const bool data = c.orig_bytes > 0 || c.resp_bytes > 0;
    const bool contact = answered && c.orig_bytes >= std::max<int64_t>(settings_.contact_min_bytes, 0);
    attempts_.push_back(Attempt{ids_.id(*src), ids_.id(*dst), uint16_t(c.dport), answered, data, contact,
                                conn_files_.id(c.file), c.ts, uint64_t(c.frame)});
  }

  // Scanning: attempts to at least min_targets distinct hosts, most of which never exchanged data.
  bool is_scan(uint32_t distinct, uint32_t probed) const {
    return int64_t(distinct) >= settings_.min_targets && probed * 2 >= distinct;
  }

  void finish_propagation(std::vector<Alert>& out);

  Settings settings_;
  AddressIds ids_;
  FileIds http_files_, conn_files_;  // one numbering per type: the ids break ties in orderings
  std::map<std::tuple<IpAddress, std::string, std::string>, HttpGroup> http_;
  std::vector<Attempt> attempts_;
};

void WormDetector::finish_propagation(std::vector<Alert>& out) {
  std::sort(attempts_.begin(), attempts_.end(), [](const Attempt& a, const Attempt& b) {
    return std::tie(a.port, a.src, a.ts, a.file, a.frame) < std::tie(b.port, b.src, b.ts, b.file, b.frame);
  });
  const auto address = [&](uint32_t id) { return ids_.address(id); };
  for (size_t pb = 0; pb < attempts_.size();) {
    size_t pe = pb;
    while (pe < attempts_.size() && attempts_[pe].port == attempts_[pb].port) ++pe;
    const uint16_t port = attempts_[pb].port;
    std::span<const Attempt> block(attempts_.data() + pb, pe - pb);
    pb = pe;

    // Each host's attempts on this port, and whether it scanned at all.
    std::map<uint32_t, Outbound> outbound;  // by host id; few hosts ever reach min_targets
    absl::flat_hash_set<uint32_t> scanners;
    for (size_t b = 0; b < block.size();) {
      size_t e = b;
      while (e < block.size() && block[e].src == block[b].src) ++e;
      auto mine = block.subspan(b, e - b);
      b = e;
      if (int64_t(mine.size()) < settings_.min_targets) continue;  // cannot reach min_targets distinct hosts
      Outbound o(mine);
      if (!is_scan(o.distinct_after[0], o.probed_after[0])) continue;
      scanners.insert(mine[0].src);
      outbound.emplace(mine[0].src, std::move(o));
    }
    if (scanners.size() < 2) continue;  // a chain needs an infector and an infected host that both scan

    // Contacts from scanners into other scanners, latest first per host: the infection is the last contact
    // before the host's own scanning, by a host that was scanning then.
    std::vector<const Attempt*> contacts;
    for (const Attempt& a : block)
      if (a.contact && a.src != a.dst && scanners.contains(a.src) && scanners.contains(a.dst)) contacts.push_back(&a);
    std::sort(contacts.begin(), contacts.end(), [](const Attempt* x, const Attempt* y) {
      return std::tie(x->dst, y->ts, y->frame) < std::tie(y->dst, x->ts, x->frame);  // ts descending
    });
    struct Infection {
      uint32_t by;
      const Attempt* contact;
      size_t first_scan;  // index into the host's outbound attempts
    };
    std::map<uint32_t, Infection> infected;
    for (const Attempt* c : contacts) {
      if (infected.contains(c->dst)) continue;
      const Outbound& o = outbound.at(c->dst);
      const size_t i = o.after(c->ts);
      const bool scanned_before = int64_t(o.distinct_before[i]) >= settings_.min_targets;
      if (!scanned_before && is_scan(o.distinct_after[i], o.probed_after[i]))
        infected.emplace(c->dst, Infection{c->src, c, i});
    }
    if (infected.empty()) continue;

    // Chains: each infected host back to the first scanner that nobody infected.
    auto chain_of = [&](uint32_t host) {
      std::vector<uint32_t> chain{host};
      for (auto it = infected.find(host); it != infected.end(); it = infected.find(chain.back())) {
        if (std::find(chain.begin(), chain.end(), it->second.by) != chain.end()) break;  // a cycle: stop
        chain.push_back(it->second.by);
      }
      std::reverse(chain.begin(), chain.end());
      return chain;
    };
    // Scope per patient zero: every infected host of its chains, every host they tried on the port.
    struct Scope {
      std::vector<uint32_t> infected;
      std::vector<uint32_t> touched;
    };
    std::map<uint32_t, Scope> scopes;
    std::map<uint32_t, std::vector<uint32_t>> chains;
    for (const auto& [host, inf] : infected) {
      chains[host] = chain_of(host);
      scopes[chains[host].front()].infected.push_back(host);
    }
    for (auto& [pz, scope] : scopes) {
      std::vector<uint32_t> members = scope.infected;
      members.push_back(pz);
      for (uint32_t m : members)
        for (const Attempt& a : outbound.at(m).attempts) scope.touched.push_back(a.dst);
    }

    for (const auto& [host, inf] : infected) {
      const Outbound& o = outbound.at(host);
      auto scan = o.attempts.subspan(inf.first_scan);
      const std::vector<uint32_t>& chain = chains[host];
      const Scope& scope = scopes[chain.front()];
      std::vector<uint32_t> targets, answered, next;
      for (const Attempt& a : scan) {
        targets.push_back(a.dst);
        if (a.answered) answered.push_back(a.dst);
      }
      for (const auto& [h, i] : infected)
        if (i.by == host) next.push_back(h);
      std::sort(targets.begin(), targets.end());
      targets.erase(std::unique(targets.begin(), targets.end()), targets.end());
      std::sort(answered.begin(), answered.end());
      answered.erase(std::unique(answered.begin(), answered.end()), answered.end());
      std::vector<uint32_t> touched = scope.touched;
      std::sort(touched.begin(), touched.end());
      touched.erase(std::unique(touched.begin(), touched.end()), touched.end());

      Alert a;
      a.type = "worm.propagation";
      a.severity = Severity::kCritical;
      a.src = address(host).str();
      a.dst_port = port;
      a.proto = "tcp";
      a.ts_first = inf.contact->ts;
      a.ts_last = scan.back().ts;
      a.count = scan.size();
      const size_t cap = settings_.max_listed;
      auto& ev = a.evidence;
      ev["port"] = port;
      ev["infected_by"] = address(inf.by).str();
      ev["infected_at"] = inf.contact->ts;
      ev["patient_zero"] = address(chain.front()).str();
      ev["generation"] = chain.size() - 1;
      auto chain_json = nlohmann::ordered_json::array();
      for (uint32_t h : chain) chain_json.push_back(address(h).str());
      ev["chain"] = chain_json;
      ev["scan_started"] = scan.front().ts;
      ev["targets_count"] = targets.size();
      ev["targets"] = ids_.sorted_texts(targets, cap);
      ev["answered_count"] = answered.size();
      ev["infected_next"] = ids_.sorted_texts(next, cap);
      ev["scope"] = {{"patient_zero", address(chain.front()).str()},
                     {"infected_count", scope.infected.size()},
                     {"infected", ids_.sorted_texts(scope.infected, cap)},
                     {"hosts_touched_count", touched.size()},
                     {"hosts_touched", ids_.sorted_texts(touched, cap)},
                     {"ports", {port}}};
      // The infecting connection first, then the first attempts of the host's own scan.
      a.frames.add(conn_files_.name(inf.contact->file), inf.contact->frame);
      for (const Attempt& s : scan) a.frames.add(conn_files_.name(s.file), s.frame);
      a.summary = fmt::format(
          "{} was reached on port {} by {} (a chain that started at {}) and {} later began scanning port {} itself: {} "
          "hosts tried{}.",
          a.src, port, ev["infected_by"].get<std::string>(), ev["patient_zero"].get<std::string>(),
          scan::span_text(scan.front().ts - inf.contact->ts), port, targets.size(),
          next.empty() ? "" : fmt::format(", {} of them infected in turn", next.size()));
      a.mitre = {"T1210", "T1570"};
      out.push_back(std::move(a));
    }
  }
  attempts_.clear();
  attempts_.shrink_to_fit();
}

constexpr std::string_view kWormInputs[] = {"http", "conn"};
constexpr std::string_view kWormTypes[] = {"http.worm_pattern", "worm.propagation"};

}  // namespace

const DetectorInfo kWormDetector{
    "worm", kWormInputs, kWormTypes,
    "http.worm_pattern: one source sending the same method and normalised URI (query values dropped) to at\n"
    "least http_min_destinations addresses, counting only requests that name their host by address\n"
    "(http_address_hosts_only). worm.propagation, per port of `ports`, from TCP connection attempts in\n"
    "conn.jsonl: a host scans a port when it tries min_targets distinct hosts there, most without any data\n"
    "exchanged. A host is infected when a scanning host reached it on that port and sent at least\n"
    "contact_min_bytes, it was not scanning before, and it scans the same port after. The chain of\n"
    "infectors leads back to patient_zero, a scanner nobody infected; evidence.scope counts the hosts the\n"
    "whole outbreak infected and touched.",
    [](const DetectContext& c) -> std::unique_ptr<Detector> { return std::make_unique<WormDetector>(c); }, 35};

}  // namespace trawl::detect::worm
