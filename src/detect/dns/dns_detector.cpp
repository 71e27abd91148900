#include "detect/dns/dns_detector.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>
#include <fmt/format.h>

#include "detect/dns/dga_score.h"
#include "detect/dns/dns_lookup.h"
#include "detect/dns/domain_name.h"
#include "detect/dns/span_text.h"
#include "detect/file_ids.h"
#include "detect/scan/scan_text.h"

namespace trawl::detect::dns {

namespace {

struct Settings {
  double forward_window_s, attribution_window_s;
  size_t max_listed;
  std::vector<std::string> ddns_suffixes;
  size_t dga_min_label_length;
  double dga_name_score, dga_min_nxdomain_ratio;
  int64_t dga_min_names;
  DgaScale dga;
  int64_t tunnel_min_unique_names, tunnel_min_txt_queries;
  double tunnel_min_mean_subdomain_length, tunnel_min_entropy;

  explicit Settings(const Config& c)
      : forward_window_s(c.number("dns.forward_window_s")),
        attribution_window_s(c.number("dns.attribution_window_s")),
        max_listed(size_t(std::max<int64_t>(1, c.integer("dns.max_listed")))),
        dga_min_label_length(size_t(std::max<int64_t>(1, c.integer("dns.dga_min_label_length")))),
        dga_name_score(c.number("dns.dga_name_score")),
        dga_min_nxdomain_ratio(c.number("dns.dga_min_nxdomain_ratio")),
        dga_min_names(c.integer("dns.dga_min_names")),
        dga(DgaScale::from(c)),
        tunnel_min_unique_names(c.integer("dns.tunnel_min_unique_names")),
        tunnel_min_txt_queries(c.integer("dns.tunnel_min_txt_queries")),
        tunnel_min_mean_subdomain_length(c.number("dns.tunnel_min_mean_subdomain_length")),
        tunnel_min_entropy(c.number("dns.tunnel_min_entropy")) {
    for (const auto& list : {"dns.ddns_suffixes", "dns.ddns_extra_suffixes"})
      for (const auto& s : c.strings(list)) ddns_suffixes.push_back(normalize_name(s));
  }
};

struct Lookup {
  double ts;
  IpAddress client, server;
  uint32_t name;
  uint32_t file;
  uint64_t frame;
  uint32_t first_address, address_count;  // into DnsDetector::addresses_
  Outcome outcome;
  bool txt;
  bool forwarded = false;  // made by a resolver for a client whose own lookup is in the records
};

// A connection from the home net, waiting for the lookups (see add_home_conn).
struct HomeConn {
  double ts;
  uint64_t frame;
  uint32_t src, dst;  // DnsDetector::conn_addresses_
  uint32_t file;      // DnsDetector::files_, shared with the lookups: ids only name files, never order anything
  uint16_t dport;
};

enum class Kind { kDdns, kDga, kTunnel };

struct Contact {
  uint64_t connections = 0;
  double first = 0, last = 0;
  std::set<IpAddress> addresses;
  std::set<uint16_t> ports;
  FrameSet frames;
};

// One finding about the host that made the lookups, before the connections tell who the client was.
struct Finding {
  Kind kind;
  IpAddress querier;
  std::string key;               // the dynamic-DNS suffix, the tunnel's domain; empty for dga
  std::vector<uint32_t> lookups;  // indices into lookups_, time-sorted
  std::vector<std::string> names;
  nlohmann::ordered_json evidence;
  std::string what;               // the summary's middle: "looked up 3 names under ..."
  std::map<IpAddress, Contact> clients;  // internal hosts that connected to what the names resolved to
};

double shannon_entropy(std::string_view s) {
  std::array<int, 256> counts{};
  size_t n = 0;
  for (char c : s)
    if (c != '.') counts[uint8_t(c)]++, ++n;
  double h = 0;
  for (int c : counts)
    if (c) h -= double(c) / double(n) * std::log2(double(c) / double(n));
  return h;
}

size_t longest_label(std::string_view name) {
  size_t best = 0, start = 0;
  while (start <= name.size()) {
    size_t dot = name.find('.', start);
    if (dot == std::string_view::npos) dot = name.size();
    best = std::max(best, dot - start);
    start = dot + 1;
  }
  return best;
}

double round3(double x) { return std::round(x * 1000) / 1000; }

class DnsDetector final : public Detector {
 public:
  explicit DnsDetector(const DetectContext& context) : settings_(context.config), home_(context.home) {}

  void on_record(std::string_view type, const RecordView& r) override {
    if (type == "dns") return add_lookup(r);
    if (type == "conn") add_home_conn(r);
  }

  void finish(std::vector<Alert>& out) override {
    analyze();
    attribute_home_conns();
    for (const Finding& f : findings_) emit(f, out);
  }

 private:
  void add_lookup(const RecordView& r) {
    auto l = read_lookup(r);
    if (!l) return;
    normalize_name(l->name, scratch_);
    Lookup k;
    k.ts = l->ts;
    k.client = l->client;
    k.server = l->server;
    k.name = names_.intern(scratch_);
    k.file = files_.id(r.file());
    k.frame = r.frame();
    k.outcome = l->outcome;
    k.txt = l->qtype == "TXT" || l->qtype == "NULL";
    k.first_address = uint32_t(addresses_.size());
    for_each_answer_address(r, [&](const IpAddress& a) { addresses_.push_back(a); });
    k.address_count = uint32_t(addresses_.size() - k.first_address);
    lookups_.push_back(k);
  }

  // Which addresses the flagged names resolved to is known only once every lookup is in, and conn records
  // may come before, between or after the dns ones: the connections that can name a client (from the home
  // net) wait here, compactly, for finish().
  void add_home_conn(const RecordView& r) {
    auto src = r.src_ip();
    if (!src || !home_.contains(*src)) return;
    auto dst = r.dst_ip();
    if (!dst) return;
    home_conns_.push_back(HomeConn{r.ts(), r.frame(), conn_addresses_.id(*src), conn_addresses_.id(*dst),
                                   files_.id(r.file()), r.dport()});
  }

  // The hidden-client attribution: internal hosts that connected to what a finding's names resolved to, around
  // the time they resolved, in conn record order.
  void attribute_home_conns() {
    if (watch_.empty()) return;
    std::vector<const std::vector<std::pair<uint32_t, double>>*> watch_of(conn_addresses_.size(), nullptr);
    for (uint32_t id = 0; id < conn_addresses_.size(); ++id)
      if (auto it = watch_.find(conn_addresses_.address(id)); it != watch_.end()) watch_of[id] = &it->second;
    for (const HomeConn& conn : home_conns_) {
      const auto* watched = watch_of[conn.dst];
      if (!watched) continue;
      for (const auto& [finding, resolved_at] : *watched) {
        // Connections just before the record time still count: a lookup record is stamped with its query.
        if (conn.ts < resolved_at - 1.0 || conn.ts > resolved_at + settings_.attribution_window_s) continue;
        Contact& c = findings_[finding].clients[conn_addresses_.address(conn.src)];
        if (c.connections == 0 || conn.ts < c.first) c.first = conn.ts;
        c.last = std::max(c.last, conn.ts);
        ++c.connections;
        c.addresses.insert(conn_addresses_.address(conn.dst));
        c.ports.insert(conn.dport);
        c.frames.add(files_.name(conn.file), conn.frame);
      }
    }
  }

  void analyze() {
    std::stable_sort(lookups_.begin(), lookups_.end(), [](const Lookup& a, const Lookup& b) { return a.ts < b.ts; });
    mark_forwarded();
    find_ddns();
    find_dga();
    find_tunnels();
    for (uint32_t i = 0; i < findings_.size(); ++i) {
      std::map<IpAddress, double> first_resolved;
      for (uint32_t li : findings_[i].lookups) {
        const Lookup& l = lookups_[li];
        for (uint32_t a = 0; a < l.address_count; ++a) {
          auto [it, fresh] = first_resolved.emplace(addresses_[l.first_address + a], l.ts);
          if (!fresh) it->second = std::min(it->second, l.ts);
        }
      }
      for (const auto& [address, ts] : first_resolved) watch_[address].emplace_back(i, ts);
    }
  }

  // A lookup by a host that other hosts ask for names, made within forward_window_s after one of them asked
  // it the same name, is the resolver forwarding that client's question: it counts for the client only.
  void mark_forwarded() {
    absl::flat_hash_map<std::pair<IpAddress, uint32_t>, std::vector<double>> asked;  // (server, name) -> times
    for (const Lookup& l : lookups_)
      if (!(l.client == l.server)) asked[{l.server, l.name}].push_back(l.ts);
    for (Lookup& l : lookups_) {
      auto it = asked.find({l.client, l.name});
      if (it == asked.end()) continue;
      const auto& times = it->second;  // time-sorted, as lookups_ is
      auto first = std::lower_bound(times.begin(), times.end(), l.ts - settings_.forward_window_s);
      l.forwarded = first != times.end() && *first <= l.ts + 1.0;
    }
  }

  // The configured dynamic-DNS suffix `name` falls under, or empty. "dyndns.*" stands for that label under any
  // top-level domain.
  std::string_view ddns_suffix(std::string_view name) const {
    for (const auto& s : settings_.ddns_suffixes) {
      if (s.size() > 2 && s.compare(s.size() - 2, 2, ".*") == 0) {
        std::string_view label(s.data(), s.size() - 2);
        size_t tld_dot = name.rfind('.');
        if (tld_dot == std::string_view::npos) continue;
        if (has_domain_suffix(name.substr(0, tld_dot), label)) return s;
      } else if (has_domain_suffix(name, s)) {
        return s;
      }
    }
    return {};
  }

  void find_ddns() {
    std::vector<std::string_view> suffix_of(names_.size());
    for (uint32_t id = 0; id < names_.size(); ++id) suffix_of[id] = ddns_suffix(names_.name(id));
    std::map<std::pair<IpAddress, std::string_view>, std::vector<uint32_t>> groups;
    for (uint32_t i = 0; i < lookups_.size(); ++i) {
      const Lookup& l = lookups_[i];
      if (!l.forwarded && !suffix_of[l.name].empty()) groups[{l.client, suffix_of[l.name]}].push_back(i);
    }
    for (auto& [key, idx] : groups) {
      Finding f{Kind::kDdns, key.first, std::string(key.second), std::move(idx), {}, {}, {}, {}};
      f.names = distinct_names(f.lookups);
      f.evidence["suffix"] = f.key;
      f.evidence["names"] = listed(f.names);
      f.evidence["queries"] = f.lookups.size();
      add_outcomes(f);
      f.what = fmt::format("looked up {} under the dynamic-DNS domain {} ({}) {}", plural(f.names.size(), "name"),
                           f.key, f.names.front(), times_text(f.lookups.size()));
      findings_.push_back(std::move(f));
    }
  }

  void find_dga() {
    struct NameUse {
      bool nx = false, resolved = false;
    };
    std::map<IpAddress, std::map<uint32_t, NameUse>> by_host;  // only names of the public DNS
    std::map<IpAddress, std::vector<uint32_t>> lookups_of_host;
    for (uint32_t i = 0; i < lookups_.size(); ++i) {
      const Lookup& l = lookups_[i];
      if (l.forwarded || !is_public_name(names_.name(l.name))) continue;
      NameUse& u = by_host[l.client][l.name];
      u.nx |= l.outcome == Outcome::kNxDomain;
      u.resolved |= l.outcome == Outcome::kNoError && l.address_count > 0;
      lookups_of_host[l.client].push_back(i);
    }
    absl::flat_hash_map<uint32_t, double> score_of;  // per name, computed once
    for (const auto& [host, uses] : by_host) {
      std::vector<std::pair<double, uint32_t>> high;  // (score, name)
      size_t nx_all = 0, nx_high = 0;
      for (const auto& [name, use] : uses) {
        nx_all += use.nx;
        auto [it, fresh] = score_of.try_emplace(name, 0.0);
        if (fresh) {
          std::string_view label = registered_label(names_.name(name));
          if (label.size() >= settings_.dga_min_label_length) it->second = dga_score(dga_features(label), settings_.dga);
        }
        if (it->second < settings_.dga_name_score) continue;
        high.emplace_back(it->second, name);
        nx_high += use.nx && !use.resolved;
      }
      double ratio = high.empty() ? 0 : double(nx_high) / double(high.size());
      if (int64_t(high.size()) < settings_.dga_min_names || ratio < settings_.dga_min_nxdomain_ratio) continue;
      std::set<uint32_t> high_names;
      for (const auto& h : high) high_names.insert(h.second);
      Finding f{Kind::kDga, host, "", {}, {}, {}, {}, {}};
      for (uint32_t i : lookups_of_host[host])
        if (high_names.count(lookups_[i].name)) f.lookups.push_back(i);
      f.names = distinct_names(f.lookups);
      std::sort(high.begin(), high.end(), [&](const auto& a, const auto& b) {
        return a.first != b.first ? a.first > b.first : names_.name(a.second) < names_.name(b.second);
      });
      auto examples = nlohmann::ordered_json::array();
      for (size_t i = 0; i < high.size() && i < 5; ++i) {
        DgaFeatures feat = dga_features(registered_label(names_.name(high[i].second)));
        examples.push_back({{"name", names_.name(high[i].second)}, {"score", round3(high[i].first)},
                            {"ngram_cost", round3(feat.ngram_cost)}, {"entropy", round3(feat.entropy)},
                            {"consonant_run", feat.consonant_run}, {"digit_ratio", round3(feat.digit_ratio)}});
      }
      f.evidence["domains"] = listed(f.names);
      f.evidence["generated_names"] = high.size();
      f.evidence["nxdomain_names"] = nx_high;
      f.evidence["nxdomain_ratio"] = round3(ratio);
      f.evidence["names_looked_up"] = uses.size();
      f.evidence["host_nxdomain_ratio"] = round3(double(nx_all) / double(uses.size()));
      f.evidence["queries"] = f.lookups.size();
      f.evidence["top_scores"] = std::move(examples);
      f.what = fmt::format("looked up {} machine-generated-looking domain names, {} of them nonexistent (NXDOMAIN), "
                           "such as {}", high.size(), nx_high, names_.name(high.front().second));
      findings_.push_back(std::move(f));
    }
  }

  void find_tunnels() {
    struct Base {
      std::vector<uint32_t> lookups;
      absl::flat_hash_set<uint32_t> names;
      uint64_t txt = 0, subdomain_chars = 0;
      size_t longest_label = 0;
      double entropy_sum = 0;
    };
    std::map<std::pair<IpAddress, std::string>, Base> bases;
    for (uint32_t i = 0; i < lookups_.size(); ++i) {
      const Lookup& l = lookups_[i];
      const std::string& name = names_.name(l.name);
      if (l.forwarded || is_local_name(name)) continue;
      Base& b = bases[{l.client, std::string(registered_domain(name))}];
      b.lookups.push_back(i);
      b.txt += l.txt;
      if (!b.names.insert(l.name).second) continue;
      std::string_view sub = subdomain_part(name);
      b.subdomain_chars += sub.size();
      b.longest_label = std::max(b.longest_label, longest_label(sub));
      b.entropy_sum += shannon_entropy(sub);
    }
    for (auto& [key, b] : bases) {
      double unique = double(b.names.size());
      double mean_length = double(b.subdomain_chars) / unique, mean_entropy = b.entropy_sum / unique;
      if (int64_t(b.names.size()) < settings_.tunnel_min_unique_names) continue;
      bool encoded = mean_length >= settings_.tunnel_min_mean_subdomain_length && mean_entropy >= settings_.tunnel_min_entropy;
      bool txt = int64_t(b.txt) >= settings_.tunnel_min_txt_queries;
      if (!encoded && !txt) continue;
      Finding f{Kind::kTunnel, key.first, key.second, std::move(b.lookups), {}, {}, {}, {}};
      std::map<IpAddress, uint64_t> servers;
      for (uint32_t i : f.lookups) servers[lookups_[i].server]++;
      f.names = distinct_names(f.lookups);
      f.evidence["domain"] = f.key;
      f.evidence["unique_names"] = b.names.size();
      f.evidence["queries"] = f.lookups.size();
      f.evidence["mean_subdomain_length"] = round3(mean_length);
      f.evidence["longest_label"] = b.longest_label;
      f.evidence["mean_entropy"] = round3(mean_entropy);
      f.evidence["subdomain_bytes"] = b.subdomain_chars;
      f.evidence["txt_queries"] = b.txt;
      auto server_list = nlohmann::ordered_json::array();
      for (const auto& [s, n] : servers) server_list.push_back(s.str());
      f.evidence["servers"] = std::move(server_list);
      f.evidence["examples"] = listed(f.names, 5);
      f.what = fmt::format("sent {} DNS queries with {} distinct encoded-looking subdomains of {} (mean {:.0f} "
                           "characters, {} TXT/NULL)", f.lookups.size(), b.names.size(), f.key, mean_length, b.txt);
      findings_.push_back(std::move(f));
    }
  }

  std::vector<std::string> distinct_names(const std::vector<uint32_t>& lookups) const {
    std::vector<std::string> out;
    std::set<uint32_t> seen;
    for (uint32_t i : lookups)
      if (seen.insert(lookups_[i].name).second) out.push_back(names_.name(lookups_[i].name));
    return out;
  }

  nlohmann::ordered_json listed(const std::vector<std::string>& items, size_t cap = 0) const {
    cap = cap ? cap : settings_.max_listed;
    auto out = nlohmann::ordered_json::array();
    for (size_t i = 0; i < items.size() && i < cap; ++i) out.push_back(items[i]);
    return out;
  }

  static std::string plural(size_t n, std::string_view what) { return fmt::format("{} {}{}", n, what, n == 1 ? "" : "s"); }

  void add_outcomes(Finding& f) const {
    uint64_t nx = 0;
    std::set<IpAddress> addresses;
    for (uint32_t i : f.lookups) {
      const Lookup& l = lookups_[i];
      nx += l.outcome == Outcome::kNxDomain;
      for (uint32_t a = 0; a < l.address_count; ++a) addresses.insert(addresses_[l.first_address + a]);
    }
    f.evidence["nxdomain"] = nx;
    auto list = nlohmann::ordered_json::array();
    for (const auto& a : addresses) list.push_back(a.str());
    f.evidence["addresses"] = std::move(list);
  }

  void emit(const Finding& f, std::vector<Alert>& out) const {
    // Who to blame: the host that looked the names up, unless it never used the answers and other internal
    // hosts did (it resolved them for clients whose own questions the capture does not hold).
    std::vector<IpAddress> actors;
    if (f.clients.empty() || f.clients.count(f.querier)) actors.push_back(f.querier);
    else
      for (const auto& [client, contact] : f.clients) actors.push_back(client);
    auto clients = nlohmann::ordered_json::array();
    for (const auto& [client, contact] : f.clients) clients.push_back(client.str());

    for (const IpAddress& actor : actors) {
      Alert a;
      a.src = actor.str();
      a.proto = "dns";
      a.count = f.lookups.size();
      a.ts_first = lookups_[f.lookups.front()].ts;
      a.ts_last = lookups_[f.lookups.back()].ts;
      for (uint32_t i : f.lookups) a.frames.add(files_.name(lookups_[i].file), lookups_[i].frame);
      a.evidence = f.evidence;
      a.evidence["clients"] = clients;
      std::string who = a.src;
      // The target, when the actor connected to exactly one of the addresses the names resolved to.
      if (auto contact = f.clients.find(actor); contact != f.clients.end()) {
        const Contact& c = contact->second;
        if (c.addresses.size() == 1) a.dst = c.addresses.begin()->str();
        if (c.ports.size() == 1) a.dst_port = *c.ports.begin();
        a.evidence["connections"] = c.connections;
        if (!(actor == f.querier)) {
          a.ts_first = std::min(a.ts_first, c.first);
          a.ts_last = std::max(a.ts_last, c.last);
          a.frames.add(c.frames);
          a.evidence["resolver"] = f.querier.str();
          who = fmt::format("{} (through the resolver {}, then connecting to the answers {})", a.src,
                            f.querier.str(), times_text(c.connections));
        }
      }
      switch (f.kind) {
        case Kind::kDdns:
          a.type = "dns.ddns";
          a.severity = Severity::kMedium;
          a.mitre = {"T1568"};
          break;
        case Kind::kDga:
          a.type = "dns.dga";
          a.severity = Severity::kHigh;
          a.mitre = {"T1568.002"};
          break;
        case Kind::kTunnel:
          a.type = "dns.tunnel";
          a.severity = Severity::kHigh;
          a.mitre = {"T1071.004"};  // the DNS servers are in the evidence: the resolver is no target
          break;
      }
      a.summary = fmt::format("{} {} {}.", who, f.what, span_text(a.ts_last - a.ts_first));
      out.push_back(std::move(a));
    }
  }

  Settings settings_;
  const HomeNet& home_;
  NameTable names_;
  FileIds files_;
  std::string scratch_;
  std::vector<Lookup> lookups_;
  std::vector<IpAddress> addresses_;
  std::vector<Finding> findings_;
  absl::flat_hash_map<IpAddress, std::vector<std::pair<uint32_t, double>>> watch_;  // -> (finding, resolved at)
  scan::AddressIds conn_addresses_;
  std::vector<HomeConn> home_conns_;
};

constexpr std::string_view kInputs[] = {"dns", "conn"};
constexpr std::string_view kTypes[] = {"dns.ddns", "dns.dga", "dns.tunnel"};

}  // namespace

const DetectorInfo kDnsDetector{
    "dns", kInputs, kTypes,
    "Reads every unicast DNS lookup (port 53) and the connections made after them.\n"
    "dns.ddns: lookups under a dynamic-DNS provider's domain (ddns_suffixes, plus your ddns_extra_suffixes), one\n"
    "  alert per client and provider with the names.\n"
    "dns.dga: each name's registered label (\"bbc\" in www.bbc.co.uk) is scored 0..1 from its letter-trigram\n"
    "  likelihood against English words and common domain labels, its entropy, longest consonant run and share\n"
    "  of digits; a host alerts only when at least dga_min_names names score dga_name_score or more AND most of\n"
    "  them (dga_min_nxdomain_ratio) do not exist, so CDN and hash-like names that resolve stay quiet.\n"
    "dns.tunnel: per client and registered domain, many distinct subdomains that are long and random (or many\n"
    "  TXT/NULL queries): data carried in names or answers.\n"
    "A lookup an internal resolver makes right after a client asked it the same name is the client's. When a\n"
    "resolver looked a malicious name up for a client the capture does not show, the internal hosts that then\n"
    "connect to the addresses it resolved to are named in evidence.clients and get the alert.",
    [](const DetectContext& c) -> std::unique_ptr<Detector> { return std::make_unique<DnsDetector>(c); }, 55};

}  // namespace trawl::detect::dns
