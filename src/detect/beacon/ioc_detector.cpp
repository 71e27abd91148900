#include "detect/beacon/ioc_detector.h"

#include <map>
#include <set>
#include <string>
#include <vector>

#include <absl/container/flat_hash_map.h>
#include <fmt/format.h>

#include "detect/beacon/ioc_list.h"
#include "detect/dns/dns_lookup.h"
#include "detect/dns/domain_name.h"
#include "detect/dns/span_text.h"

namespace trawl::detect::beacon {

namespace {

// What matched, from the most telling application record down to the bare connection: it picks the
// alert's proto and sub-technique.
enum Via : uint8_t { kViaHttp = 1, kViaTls = 2, kViaDns = 4, kViaTcp = 8, kViaUdp = 16 };

struct Match {
  uint64_t count = 0;
  double first = 0, last = 0;
  std::set<std::string> on, values;
  std::set<IpAddress> peers;
  std::set<uint16_t> ports;
  uint8_t via = 0;
  FrameSet frames;
};

class IocDetector final : public Detector {
 public:
  explicit IocDetector(const DetectContext& context)
      : file_(context.config.string("ioc.file")),
        max_listed_(size_t(std::max<int64_t>(1, context.config.integer("ioc.max_listed")))) {
    if (!file_.empty()) list_ = IocList::load(file_);
  }

  void on_record(std::string_view type, const RecordView& r) override {
    if (list_.empty()) return;
    hits_.clear();
    if (type == "conn") on_conn(r);
    else if (type == "dns") on_dns(r);
    else if (type == "http") on_http(r);
    else if (type == "tls") on_tls(r);
  }

  void finish(std::vector<Alert>& out) override {
    for (const auto& [key, m] : matches_) {
      const Indicator& ind = list_.indicators()[key.second];
      Alert a;
      a.type = "ioc.match";
      a.severity = Severity::kHigh;
      a.src = key.first.str();
      if (m.peers.size() == 1) a.dst = m.peers.begin()->str();
      if (m.ports.size() == 1) a.dst_port = *m.ports.begin();
      a.proto = m.via & kViaHttp ? "http" : m.via & kViaTls ? "tls" : m.via & kViaDns ? "dns" : m.via & kViaTcp ? "tcp" : "udp";
      a.ts_first = m.first;
      a.ts_last = m.last;
      a.count = m.count;
      a.frames = m.frames;
      a.mitre = {"T1071"};
      if (m.via & kViaHttp) a.mitre.push_back("T1071.001");
      if (m.via & kViaDns) a.mitre.push_back("T1071.004");
      if (m.via & kViaTls) a.mitre.push_back("T1573");
      auto& e = a.evidence;
      e["indicator"] = ind.text;
      e["indicator_type"] = ioc_kind_name(ind.kind);
      e["ioc_file"] = file_;
      e["line"] = ind.line;
      e["matched_on"] = m.on;
      e["matched"] = m.values;
      auto peers = nlohmann::ordered_json::array();
      for (const auto& p : m.peers)
        if (peers.size() < max_listed_) peers.push_back(p.str());
      e["peers"] = std::move(peers);
      std::string fields;
      for (const auto& f : m.on) fields += (fields.empty() ? "" : ", ") + f;
      a.summary = fmt::format("{} matched the {} indicator {} (line {} of {}) in {} record{} ({}){} {}.", a.src,
                              ioc_kind_name(ind.kind), ind.text, ind.line, file_, m.count, m.count == 1 ? "" : "s",
                              fields, a.dst ? fmt::format(", talking to {}", *a.dst) : "", dns::span_text(m.last - m.first));
      out.push_back(std::move(a));
    }
  }

 private:
  // Records every indicator in hits_ against `host` (the internal side), then clears hits_.
  void note(const IpAddress& host, const RecordView& r, std::string_view on, std::string_view value,
            const IpAddress* peer, uint16_t port, uint8_t via) {
    for (uint32_t i : hits_) {
      Match& m = matches_[{host, i}];
      double ts = r.ts();
      if (m.count == 0 || ts < m.first) m.first = ts;
      if (m.count == 0 || ts > m.last) m.last = ts;
      ++m.count;
      m.on.emplace(on);
      if (m.values.size() < max_listed_) m.values.emplace(value);
      if (peer) m.peers.insert(*peer);
      if (port) m.ports.insert(port);
      m.via |= via;
      r.add_frames(m.frames);
    }
    hits_.clear();
  }

  void on_conn(const RecordView& r) {
    auto src = r.src_ip(), dst = r.dst_ip();
    if (!src || !dst) return;
    uint8_t via = r.str("proto") == "udp" ? kViaUdp : kViaTcp;
    uint16_t dport = r.dport();
    list_.match_address(*dst, hits_);
    note(*src, r, "conn.dst", r.dst(), &*dst, dport, via);
    list_.match_address(*src, hits_);
    note(*dst, r, "conn.src", r.src(), &*src, dport, via);
    // Connections to what a listed domain resolved to: the client that used the answer, even when its own
    // lookup went through a resolver the capture does not show.
    if (auto it = resolved_.find(*dst); it != resolved_.end()) {
      hits_ = it->second;
      note(*src, r, "conn.resolved", r.dst(), &*dst, dport, via);
    }
  }

  void on_dns(const RecordView& r) {
    auto lookup = dns::read_lookup(r);
    if (!lookup) return;
    dns::normalize_name(lookup->name, name_);
    list_.match_domain(name_, hits_);
    std::vector<uint32_t> domain_hits = hits_;
    note(lookup->client, r, "dns.query", name_, &lookup->server, 53, kViaDns);
    std::vector<std::string_view> answers = r.strings("answers"), types = r.strings("answer_types");
    for (size_t i = 0; i < answers.size() && i < types.size(); ++i) {
      if (types[i] == "A" || types[i] == "AAAA") {
        auto a = IpAddress::parse(answers[i]);
        if (!a) continue;
        list_.match_address(*a, hits_);
        if (!domain_hits.empty()) {
          auto& v = resolved_[*a];
          for (uint32_t d : domain_hits)
            if (std::find(v.begin(), v.end(), d) == v.end()) v.push_back(d);
        }
      } else if (types[i] == "CNAME") {
        dns::normalize_name(answers[i], name_);
        list_.match_domain(name_, hits_);
      }
      note(lookup->client, r, "dns.answer", answers[i], &lookup->server, 53, kViaDns);
    }
  }

  void on_http(const RecordView& r) {
    auto src = r.src_ip(), dst = r.dst_ip();
    if (!src || !dst) return;
    dns::normalize_name(r.str("host"), name_);
    if (name_.empty()) return;
    list_.match_domain(name_, hits_);
    note(*src, r, "http.host", name_, &*dst, r.dport(), kViaHttp);
    std::string_view uri = r.str("uri");
    list_.match_url(name_, uri, hits_);
    if (!hits_.empty()) note(*src, r, "http.url", name_ + std::string(uri), &*dst, r.dport(), kViaHttp);
  }

  void on_tls(const RecordView& r) {
    auto src = r.src_ip(), dst = r.dst_ip();
    if (!src || !dst) return;
    dns::normalize_name(r.str("server_name"), name_);
    if (!name_.empty()) list_.match_domain(name_, hits_);
    note(*src, r, "tls.sni", name_, &*dst, r.dport(), kViaTls);
    list_.match_hash(r.str("ja3_md5"), hits_);
    note(*src, r, "tls.ja3", r.str("ja3_md5"), &*dst, r.dport(), kViaTls);
    list_.match_hash(r.str("ja4"), hits_);
    note(*src, r, "tls.ja4", r.str("ja4"), &*dst, r.dport(), kViaTls);
  }

  std::string file_;
  size_t max_listed_;
  IocList list_;
  std::vector<uint32_t> hits_;
  std::string name_;
  std::map<std::pair<IpAddress, uint32_t>, Match> matches_;  // (host, indicator)
  absl::flat_hash_map<IpAddress, std::vector<uint32_t>> resolved_;  // address -> domain indicators it answers
};

constexpr std::string_view kInputs[] = {"dns", "http", "tls", "conn"};
constexpr std::string_view kTypes[] = {"ioc.match"};

}  // namespace

const DetectorInfo kIocDetector{
    "ioc", kInputs, kTypes,
    "Matches the indicator file (ioc.file, or --ioc FILE) against connection endpoints (conn src/dst), DNS\n"
    "queries and answers (names, CNAMEs, addresses), HTTP Host and Host+URI, and TLS SNI, JA3 MD5 and JA4.\n"
    "A listed domain also matches the connections made to the addresses it resolved to (conn.resolved), so a\n"
    "client whose lookups went through a resolver is still found. One alert per (host, indicator): the host is\n"
    "the side that talked to the listed thing; the evidence names the indicator, its line, and what matched.",
    [](const DetectContext& c) -> std::unique_ptr<Detector> { return std::make_unique<IocDetector>(c); }};

}  // namespace trawl::detect::beacon
