#include "detect/beacon/ioc_detector.h"

#include <algorithm>
#include <array>
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
#include "detect/file_ids.h"

namespace trawl::detect::beacon {

namespace {

// What matched, from the most telling application record down to the bare connection: it picks the
// alert's proto and sub-technique.
enum Via : uint8_t { kViaHttp = 1, kViaTls = 2, kViaDns = 4, kViaTcp = 8, kViaUdp = 16 };

// The record types matched, in the usual feed order (record_type_order()).
enum RecordType : uint8_t { kDns, kHttp, kTls, kConn, kRecordTypes };

// What records of one type matched of one (host, indicator), but for matched_on and the peers. The listed
// values and frames are capped, so the first ones are kept with their record's place in its type's
// sequence (seq): finish merges the types in the usual feed order, and lists the same ones however the
// types interleaved.
struct Tally {
  struct Value {
    uint64_t seq;
    std::string text;
    bool same(const Value& o) const { return text == o.text; }
  };
  struct Frame {
    uint64_t seq;
    uint64_t frame;
    uint32_t file;  // files_ id
    bool same(const Frame& o) const { return frame == o.frame && file == o.file; }
  };
  uint64_t count = 0;
  double first = 0, last = 0;
  uint8_t via = 0;
  std::set<uint16_t> ports;
  std::vector<Value> values;  // the first max_listed distinct ones
  std::vector<Frame> frames;  // the first FrameSet::kMax distinct ones
};

// Appends x to a list of the first `cap` distinct entries, unless the list is full or holds it already.
// The list grows to the cap at most: there is one per (client, address) with domain indicators.
template <typename T>
void keep_first(std::vector<T>& list, size_t cap, T&& x) {
  if (list.size() >= cap || std::any_of(list.begin(), list.end(), [&](const T& y) { return y.same(x); })) return;
  if (list.size() == list.capacity()) list.reserve(std::min(cap, 2 * list.size() + 1));
  list.push_back(std::move(x));
}

// Adds the first distinct entries of other records of the same type: the first `cap` of both sequences
// together (by seq) are among the first `cap` of each.
template <typename T>
void merge_first(std::vector<T>& into, const std::vector<T>& from, size_t cap) {
  std::vector<T> all;
  all.swap(into);
  all.insert(all.end(), from.begin(), from.end());
  std::stable_sort(all.begin(), all.end(), [](const T& a, const T& b) { return a.seq < b.seq; });
  for (T& x : all) keep_first(into, cap, std::move(x));
}

struct Part : Tally {
  std::set<std::string> on;
  std::set<IpAddress> peers;
};
using Parts = std::array<Part, kRecordTypes>;

// What an alert reports: the parts put together.
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
    for (const Indicator& i : list_.indicators()) has_domains_ |= i.kind == IocKind::kDomain;
  }

  void on_record(std::string_view type, const RecordView& r) override {
    if (list_.empty()) return;
    hits_.clear();
    if (type == "conn") type_ = kConn, on_conn(r);
    else if (type == "dns") type_ = kDns, on_dns(r);
    else if (type == "http") type_ = kHttp, on_http(r);
    else if (type == "tls") type_ = kTls, on_tls(r);
    else return;
    ++seq_[type_];
  }

  void finish(std::vector<Alert>& out) override {
    // conn.resolved: the connections to what a listed domain resolved to, known once every dns record is in.
    for (const auto& [hosts, reach] : reaches_)
      if (auto it = resolved_.find(hosts.second); it != resolved_.end())
        for (uint32_t i : it->second) {
          Part& p = matches_[{hosts.first, i}][kConn];
          p.on.emplace("conn.resolved");
          p.peers.insert(hosts.second);
          merge(p, reach);
        }
    for (const auto& [key, parts] : matches_) {
      const Indicator& ind = list_.indicators()[key.second];
      const Match m = combine(parts);
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
  // The parts in the usual feed order: the capped lists keep what that order would have kept.
  Match combine(const Parts& parts) const {
    Match m;
    for (const Part& p : parts) {
      if (p.count == 0) continue;
      if (m.count == 0 || p.first < m.first) m.first = p.first;
      if (m.count == 0 || p.last > m.last) m.last = p.last;
      m.count += p.count;
      m.on.insert(p.on.begin(), p.on.end());
      for (const Tally::Value& v : p.values)
        if (m.values.size() < max_listed_) m.values.insert(v.text);
      m.peers.insert(p.peers.begin(), p.peers.end());
      m.ports.insert(p.ports.begin(), p.ports.end());
      m.via |= p.via;
      for (const Tally::Frame& f : p.frames) m.frames.add(files_.name(f.file), f.frame);
    }
    return m;
  }

  // Records every indicator in hits_ against `host` (the internal side), then clears hits_.
  void note(const IpAddress& host, const RecordView& r, std::string_view on, std::string_view value,
            const IpAddress* peer, uint16_t port, uint8_t via) {
    for (uint32_t i : hits_) {
      Part& p = matches_[{host, i}][type_];
      p.on.emplace(on);
      if (peer) p.peers.insert(*peer);
      add(p, r, value, port, via);
    }
    hits_.clear();
  }

  void add(Tally& t, const RecordView& r, std::string_view value, uint16_t port, uint8_t via) {
    const uint64_t seq = seq_[type_];
    double ts = r.ts();
    if (t.count == 0 || ts < t.first) t.first = ts;
    if (t.count == 0 || ts > t.last) t.last = ts;
    ++t.count;
    if (port) t.ports.insert(port);
    t.via |= via;
    if (t.values.size() < max_listed_) keep_first(t.values, max_listed_, Tally::Value{seq, std::string(value)});
    if (t.frames.size() >= FrameSet::kMax) return;
    r.for_each_frame([&](std::string_view file, uint64_t frame) {
      if (frame == 0) return;  // as FrameSet::add
      keep_first(t.frames, FrameSet::kMax, Tally::Frame{seq, frame, files_.id(file)});
    });
  }

  void merge(Tally& into, const Tally& from) const {
    if (into.count == 0 || from.first < into.first) into.first = from.first;
    if (into.count == 0 || from.last > into.last) into.last = from.last;
    into.count += from.count;
    into.ports.insert(from.ports.begin(), from.ports.end());
    into.via |= from.via;
    merge_first(into.values, from.values, max_listed_);
    merge_first(into.frames, from.frames, FrameSet::kMax);
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
    // lookup went through a resolver the capture does not show. The answers may come after the conn
    // records: what each (client, address) would match is kept for finish.
    if (has_domains_) add(reaches_[{*src, *dst}], r, r.dst(), dport, via);
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
  bool has_domains_ = false;
  std::vector<uint32_t> hits_;
  std::string name_;
  RecordType type_ = kConn;            // of the record being read
  uint64_t seq_[kRecordTypes] = {};    // its place in its type's sequence
  FileIds files_;
  std::map<std::pair<IpAddress, uint32_t>, Parts> matches_;  // (host, indicator)
  absl::flat_hash_map<IpAddress, std::vector<uint32_t>> resolved_;  // address -> domain indicators it answers
  absl::flat_hash_map<std::pair<IpAddress, IpAddress>, Tally> reaches_;  // (client, address) -> conn.resolved
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
