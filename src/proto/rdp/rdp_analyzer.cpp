#include "proto/rdp/rdp_analyzer.h"

#include <algorithm>
#include <cstring>

#include "proto/rdp/rdp_parse.h"

namespace trawl::proto::rdp {

namespace {
constexpr uint16_t kPorts[] = {3389};

std::unique_ptr<StreamAnalyzer> make(const AnalyzerContext& ctx) { return std::make_unique<RdpAnalyzer>(ctx); }
}  // namespace

Match probe(std::span<const uint8_t> b, Dir dir) {
  uint16_t len = 0;
  if (parse_tpkt_length(b, len) != ParseStatus::kComplete || b.size() < 11) return Match::kNo;
  auto x224 = b.subspan(4, std::min<size_t>(b.size(), len) - 4);
  if (dir == Dir::kOrig) {
    ConnectionRequest cr;
    if (parse_connection_request(x224, cr) != ParseStatus::kComplete) return Match::kNo;
    return !cr.cookie.empty() || cr.has_neg_req ? Match::kYes : Match::kMaybe;
  }
  ConnectionConfirm cc;
  if (parse_connection_confirm(x224, cc) != ParseStatus::kComplete) return Match::kNo;
  return cc.has_neg_rsp || cc.has_failure ? Match::kYes : Match::kMaybe;
}

const AnalyzerInfo kRdpAnalyzer{"rdp", 6, kPorts, &probe, &make, nullptr};

RdpAnalyzer::RdpAnalyzer(const AnalyzerContext& ctx) : ctx_(ctx) {}

void RdpAnalyzer::anomaly(std::string_view a) {
  if (rec_.anomalies.size() < 8) rec_.anomalies.emplace_back(a);
}

void RdpAnalyzer::on_data(Dir dir, std::span<const uint8_t> data, const PacketRef& at) {
  Side& s = sides_[static_cast<int>(dir)];
  size_t i = 0, n = data.size();
  while (i < n && !s.stopped && !rec_.tls) {
    if (s.hdr_len < 4) {
      size_t take = std::min(4 - s.hdr_len, n - i);
      std::memcpy(s.hdr + s.hdr_len, data.data() + i, take);
      s.hdr_len += take;
      i += take;
      if (s.hdr_len < 4) return;
      if (parse_tpkt_length({s.hdr, 4}, s.length) != ParseStatus::kComplete) {
        anomaly(dir == Dir::kOrig ? "client_not_tpkt" : "server_not_tpkt");
        s.stopped = true;
        return;
      }
      s.body_left = s.length - 4u;
      s.buffering = s.body_left <= kMaxPdu;
      s.body.clear();
      continue;
    }
    size_t take = std::min(s.body_left, n - i);
    if (s.buffering) s.body.append(reinterpret_cast<const char*>(data.data() + i), take);
    s.body_left -= take;
    i += take;
    if (s.body_left) continue;
    s.hdr_len = 0;
    if (s.buffering) pdu(dir, {reinterpret_cast<const uint8_t*>(s.body.data()), s.body.size()}, at);
    if (++s.pdus >= kMaxPdus) s.stopped = true;
  }
}

void RdpAnalyzer::pdu(Dir dir, std::span<const uint8_t> x224, const PacketRef& at) {
  if (emitted_) return;
  if (dir == Dir::kOrig) {
    if (!seen_cr_) {
      seen_cr_ = true;
      ConnectionRequest cr;
      if (parse_connection_request(x224, cr) != ParseStatus::kComplete) {
        anomaly("bad_connection_request");
        sides_[0].stopped = true;
        return;
      }
      rec_.cookie.assign(!cr.user.empty() ? cr.user : cr.cookie.substr(0, 256));
      rec_.has_neg_req = cr.has_neg_req;
      rec_.requested_protocols = cr.requested_protocols;
      return;
    }
    if (!rec_.has_client_core) {
      if (auto core = find_client_core(x224)) {
        rec_.has_client_core = true;
        rec_.desktop_width = core->desktop_width;
        rec_.desktop_height = core->desktop_height;
        rec_.keyboard_layout = core->keyboard_layout;
        rec_.client_build = core->client_build;
        rec_.client_name = core->client_name;
      }
    }
    return;
  }
  if (!seen_cc_) {
    seen_cc_ = true;
    ConnectionConfirm cc;
    if (parse_connection_confirm(x224, cc) != ParseStatus::kComplete) {
      anomaly("bad_connection_confirm");
      sides_[1].stopped = true;
      return;
    }
    rec_.has_selected = cc.has_neg_rsp;
    rec_.selected_protocol = cc.selected_protocol;
    rec_.has_failure = cc.has_failure;
    rec_.failure_code = cc.failure_code;
    if (cc.has_neg_rsp && cc.selected_protocol != 0) {
      rec_.tls = true;  // TLS, CredSSP (over TLS) and RDSTLS all start with a TLS handshake
      emit(at);
    } else if (cc.has_failure) {
      emit(at);  // the server closes after a negotiation failure
    }
    return;
  }
  if (auto sec = find_server_security(x224)) {
    rec_.has_server_security = true;
    rec_.encryption_method = sec->encryption_method;
    rec_.encryption_level = sec->encryption_level;
    emit(at);
  }
}

void RdpAnalyzer::emit(const PacketRef& at) {
  if (emitted_) return;
  emitted_ = true;
  rec_.origin = ctx_.origin(at);
  if (ctx_.sink) ctx_.sink->emit(rec_);
}

void RdpAnalyzer::on_gap(Dir dir, uint64_t, const PacketRef&) {
  Side& s = sides_[static_cast<int>(dir)];
  if (!s.stopped && !rec_.tls) {
    anomaly(dir == Dir::kOrig ? "client_gap" : "server_gap");
    s.stopped = true;  // TPKT framing is lost
  }
}

void RdpAnalyzer::on_end(const PacketRef& at) {
  if (seen_cr_ || seen_cc_) emit(at);
}

}  // namespace trawl::proto::rdp
