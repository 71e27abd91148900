#include "proto/dns/dns_analyzer.h"

#include <algorithm>

#include "util/bytes.h"

namespace trawl::proto::dns {

namespace {
constexpr uint16_t kDnsPorts[] = {53};
constexpr uint16_t kMdnsPorts[] = {5353};
constexpr uint16_t kLlmnrPorts[] = {5355};

std::unique_ptr<StreamAnalyzer> make_tcp(const AnalyzerContext& ctx) { return std::make_unique<DnsTcpAnalyzer>(ctx); }
std::unique_ptr<DatagramAnalyzer> make_udp(const AnalyzerContext& ctx) {
  return std::make_unique<DnsUdpAnalyzer>(ctx, "dns");
}
std::unique_ptr<DatagramAnalyzer> make_mdns(const AnalyzerContext& ctx) {
  return std::make_unique<DnsUdpAnalyzer>(ctx, "mdns");
}
std::unique_ptr<DatagramAnalyzer> make_llmnr(const AnalyzerContext& ctx) {
  return std::make_unique<DnsUdpAnalyzer>(ctx, "llmnr");
}

// NetBIOS name service (UDP 137) shares DNS's message format; its first question is a NetBIOS name: one
// 32-byte label of letters A..P (RFC 1002's half-byte encoding). Parsed as DNS it would show garbage names.
bool netbios_question(std::span<const uint8_t> b) {
  if (b.size() < kHeaderSize + 33 || b[kHeaderSize] != 32) return false;
  return std::all_of(b.begin() + kHeaderSize + 1, b.begin() + kHeaderSize + 33,
                     [](uint8_t c) { return c >= 'A' && c <= 'P'; });
}

bool same_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return (x | 0x20) == (y | 0x20) || x == y; });
}
}  // namespace

const AnalyzerInfo kDnsAnalyzer{"dns", 6, kDnsPorts, &probe_tcp, &make_tcp, nullptr};
const AnalyzerInfo kDnsUdpAnalyzer{"dns", 17, kDnsPorts, &probe_udp, nullptr, &make_udp};
const AnalyzerInfo kMdnsAnalyzer{"mdns", 17, kMdnsPorts, &probe_udp, nullptr, &make_mdns};
const AnalyzerInfo kLlmnrAnalyzer{"llmnr", 17, kLlmnrPorts, &probe_udp, nullptr, &make_llmnr};

Match probe_udp(std::span<const uint8_t> b, Dir) {
  if (!plausible_message(b) || netbios_question(b)) return Match::kNo;
  return b.size() >= 512 ? Match::kMaybe : Match::kYes;
}

Match probe_tcp(std::span<const uint8_t> b, Dir dir) {
  if (b.size() < 2 + kHeaderSize) return Match::kNo;
  size_t len = load_be16(b.data());
  if (len < kHeaderSize) return Match::kNo;
  auto body = b.subspan(2, std::min(len, b.size() - 2));
  if (!plausible_message(body)) return Match::kNo;
  return body.size() == len ? probe_udp(body, dir) : Match::kMaybe;
}

// ---- transactions ----

DnsTransactions::DnsTransactions(const AnalyzerContext& ctx, std::string_view app, std::string_view proto)
    : ctx_(ctx), app_(app), proto_(proto) {}

void DnsTransactions::emit_query_only(const Pending& q, std::string_view extra_anomaly) {
  DnsRecord r;
  r.origin = ctx_.origin(q.at);
  r.app = app_;
  r.proto = proto_;
  r.trans_id = q.id;
  r.query_seen = true;
  r.has_question = q.has_question;
  r.query = q.qname;
  r.qclass = q.qclass;
  r.qtype = q.qtype;
  r.header = q.header;
  r.anomaly = q.anomaly.empty() ? extra_anomaly : std::string_view(q.anomaly);
  if (ctx_.sink) ctx_.sink->emit(r);
}

void DnsTransactions::on_message(std::span<const uint8_t> bytes, const PacketRef& at) {
  if (parse_message(bytes, msg_) == ParseResult::kMalformed) return;  // not even a header: nothing to say
  const Header& h = msg_.header;
  if (!h.response()) {
    // A retransmitted query (same id and question) replaces the earlier one, which is emitted unanswered.
    for (size_t i = 0; i < pending_used_; ++i) {
      Pending& p = pending_[i];
      if (p.id == h.id && p.has_question == msg_.has_question && p.qtype == msg_.qtype &&
          p.qclass == msg_.qclass && same_name(p.qname, msg_.qname)) {
        emit_query_only(p, "retransmitted");
        std::rotate(pending_.begin() + i, pending_.begin() + i + 1, pending_.begin() + pending_used_);
        --pending_used_;
        break;
      }
    }
    if (pending_used_ == kMaxPending) {  // the oldest gives way
      emit_query_only(pending_[0], "too_many_pending");
      std::rotate(pending_.begin(), pending_.begin() + 1, pending_.begin() + pending_used_);
      --pending_used_;
    }
    if (pending_used_ == pending_.size()) pending_.emplace_back();
    Pending& p = pending_[pending_used_++];
    p.id = h.id;
    p.has_question = msg_.has_question;
    p.qname.assign(msg_.qname);
    p.qtype = msg_.qtype;
    p.qclass = msg_.qclass;
    p.header = h;
    p.at = at;
    p.anomaly.assign(msg_.anomaly);
    return;
  }
  // A response: its query has the same id and question. A response without a question (AXFR's later
  // messages) pairs by id alone, unless the id is 0: multicast mDNS answers carry id 0 and no question and
  // answer nobody's query in particular.
  size_t match = pending_used_;
  for (size_t i = 0; i < pending_used_ && (msg_.has_question || h.id != 0); ++i) {
    const Pending& p = pending_[i];
    if (p.id != h.id) continue;
    if (!msg_.has_question ||
        (p.qtype == msg_.qtype && p.qclass == msg_.qclass && same_name(p.qname, msg_.qname))) {
      match = i;
      break;
    }
  }
  DnsRecord r;
  r.origin = ctx_.origin(at);
  r.app = app_;
  r.proto = proto_;
  r.trans_id = h.id;
  r.response_seen = true;
  r.header = h;
  r.answers = msg_.kept_answers();
  r.answer_count = msg_.answer_count;
  r.anomaly = msg_.anomaly;
  r.has_question = msg_.has_question;
  r.query = msg_.qname;
  r.qclass = msg_.qclass;
  r.qtype = msg_.qtype;
  if (match < pending_used_) {
    const Pending& p = pending_[match];
    r.query_seen = true;
    r.rtt_ns = at.ts_ns >= p.at.ts_ns ? at.ts_ns - p.at.ts_ns : 0;
    if (!r.has_question && p.has_question) {
      r.has_question = true;
      r.query = p.qname;
      r.qclass = p.qclass;
      r.qtype = p.qtype;
    }
    if (r.anomaly.empty()) r.anomaly = p.anomaly;
  }
  if (ctx_.sink) ctx_.sink->emit(r);
  if (match < pending_used_) {
    std::rotate(pending_.begin() + match, pending_.begin() + match + 1, pending_.begin() + pending_used_);
    --pending_used_;
  }
}

void DnsTransactions::flush(const PacketRef&) {
  for (size_t i = 0; i < pending_used_; ++i) emit_query_only(pending_[i], {});
  pending_used_ = 0;
}

// ---- UDP ----

void DnsUdpAnalyzer::on_datagram(Dir, std::span<const uint8_t> data, const PacketRef& at) { tx_.on_message(data, at); }

// ---- TCP ----

void DnsTcpAnalyzer::on_gap(Dir dir, uint64_t, const PacketRef&) {
  Side& s = sides_[int(dir)];
  s.buf.clear();
  s.lost = true;
}

void DnsTcpAnalyzer::on_data(Dir dir, std::span<const uint8_t> data, const PacketRef& at) {
  Side& s = sides_[int(dir)];
  if (s.lost) {
    // Message boundaries are unknown after a gap: resume only where a chunk starts with a whole message.
    if (probe_tcp(data, dir) == Match::kNo) return;
    s.lost = false;
  }
  // Complete the message started in an earlier chunk.
  while (!s.buf.empty()) {
    size_t need = s.buf.size() < 2 ? 2 : 2 + size_t(load_be16(s.buf.data()));
    size_t take = std::min(need - s.buf.size(), data.size());
    s.buf.insert(s.buf.end(), data.begin(), data.begin() + take);
    data = data.subspan(take);
    if (s.buf.size() < need) return;  // data used up
    if (need > 2 || load_be16(s.buf.data()) == 0) {
      tx_.on_message(std::span(s.buf).subspan(2), at);
      s.buf.clear();
    }
  }
  // Whole messages straight from the chunk, without copying.
  while (data.size() >= 2) {
    size_t len = load_be16(data.data());
    if (data.size() < 2 + len) break;
    tx_.on_message(data.subspan(2, len), at);
    data = data.subspan(2 + len);
  }
  s.buf.assign(data.begin(), data.end());  // at most one partial message (< kMaxBuffered)
}

}  // namespace trawl::proto::dns
