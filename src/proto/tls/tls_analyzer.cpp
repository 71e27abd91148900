#include "proto/tls/tls_analyzer.h"

#include <algorithm>

namespace trawl::proto::tls {

namespace {
constexpr uint16_t kPorts[] = {443, 465, 563, 636, 853, 989, 990, 992, 993, 994, 995, 3269, 5061, 5223, 8443};

std::unique_ptr<StreamAnalyzer> make(const AnalyzerContext& ctx) { return std::make_unique<TlsAnalyzer>(ctx); }

bool valid_header(const uint8_t* h) {
  size_t len = size_t(h[3]) << 8 | h[4];
  return h[0] >= 20 && h[0] <= 24 && h[1] == 3 && h[2] <= 4 && len <= TlsAnalyzer::kMaxRecord;
}
}  // namespace

const AnalyzerInfo kTlsAnalyzer{"tls", 6, kPorts, &probe, &make, nullptr};

Match probe(std::span<const uint8_t> b, Dir) {
  if (b.size() < 5 || b[0] != 22 || !valid_header(b.data())) return Match::kNo;
  size_t rec_len = size_t(b[3]) << 8 | b[4];
  if (rec_len < 4) return Match::kNo;
  if (b.size() < 9) return Match::kMaybe;
  size_t hs_len = size_t(b[6]) << 16 | size_t(b[7]) << 8 | b[8];
  if ((b[5] == 1 || b[5] == 2) && hs_len >= 38 && b.size() >= 10 && b[9] == 3) return Match::kYes;
  return b[5] <= 24 ? Match::kMaybe : Match::kNo;
}

TlsAnalyzer::TlsAnalyzer(const AnalyzerContext& ctx) : ctx_(ctx) {}

void TlsAnalyzer::anomaly(std::string_view a) {
  if (rec_.anomaly.empty()) rec_.anomaly = a;
}

bool TlsAnalyzer::start_record(Side& s, Dir dir) {
  if (!valid_header(s.hdr)) {
    anomaly(any_record_ ? "bad_record_header" : "not_tls");
    s.lost = true;
    s.hdr_have = 0;
    return false;
  }
  any_record_ = true;
  s.type = s.hdr[0];
  s.body_len = s.body_left = size_t(s.hdr[3]) << 8 | s.hdr[4];
  if (s.type == 23) {
    // In TLS 1.3 the rest of the handshake travels as application data: the server's records before the
    // client's first one (EncryptedExtensions .. Finished) and the client's first (its Finished).
    const Side& client = sides_[int(client_)];
    s.count_app = !tls13() || (dir == client_ ? s.app_records > 0 : client.app_records > 0);
  }
  return true;
}

void TlsAnalyzer::on_data(Dir dir, std::span<const uint8_t> data, const PacketRef& at) {
  Side& s = sides_[int(dir)];
  if (!origin_set_) {
    rec_.origin = ctx_.origin(at);
    origin_set_ = true;
  }
  while (!data.empty()) {
    if (s.lost) {
      // Resume only where a chunk starts with a record header.
      if (data.size() < 5 || !valid_header(data.data())) return;
      s.lost = false;
      s.hdr_have = 0;
    }
    if (s.hdr_have < 5) {
      size_t take = std::min(5 - s.hdr_have, data.size());
      std::copy_n(data.begin(), take, s.hdr + s.hdr_have);
      s.hdr_have += take;
      data = data.subspan(take);
      if (s.hdr_have < 5 || !start_record(s, dir)) continue;
      if (s.body_left == 0) record_end(s, dir);
      continue;
    }
    size_t take = std::min(s.body_left, data.size());
    body(s, dir, data.first(take), at);
    s.body_left -= take;
    data = data.subspan(take);
    if (s.body_left == 0) record_end(s, dir);
  }
}

void TlsAnalyzer::body(Side& s, Dir dir, std::span<const uint8_t> bytes, const PacketRef& at) {
  switch (s.type) {
    case 22: {  // handshake: parsed while in clear
      if (s.ccs || s.hs_dead) return;
      s.hs.insert(s.hs.end(), bytes.begin(), bytes.end());
      size_t off = 0;
      while (s.hs.size() - off >= 4) {
        const uint8_t* h = s.hs.data() + off;
        size_t len = size_t(h[1]) << 16 | size_t(h[2]) << 8 | h[3];
        if (len > kMaxHandshake) {
          anomaly("handshake_too_large");
          s.hs_dead = true;
          s.hs.clear();
          return;
        }
        if (s.hs.size() - off < 4 + len) break;
        handshake(dir, h[0], std::span(s.hs).subspan(off + 4, len), at);
        off += 4 + len;
      }
      s.hs.erase(s.hs.begin(), s.hs.begin() + off);
      return;
    }
    case 21: {
      size_t have = s.body_len - s.body_left;
      for (size_t i = 0; i < bytes.size() && have + i < 2; ++i) s.alert[have + i] = bytes[i];
      return;
    }
    case 23:
      if (s.count_app) (dir == client_ ? rec_.orig_app_bytes : rec_.resp_app_bytes) += bytes.size();
      return;
    default:
      return;
  }
}

void TlsAnalyzer::record_end(Side& s, Dir dir) {
  s.hdr_have = 0;
  switch (s.type) {
    case 20:
      s.ccs = true;
      break;
    case 21:
      if (rec_.alerts.size() < TlsRecord::kMaxAlerts) {
        TlsAlert a;
        a.dir = dir == client_ ? 0 : 1;
        a.encrypted = s.ccs || s.body_len != 2;
        if (!a.encrypted) a.level = s.alert[0], a.description = s.alert[1];
        rec_.alerts.push_back(a);
      }
      break;
    case 23:
      ++s.app_records;
      break;
    default:
      break;
  }
  const Side &c = sides_[0], &r = sides_[1];
  if (tls13() ? (c.app_records && r.app_records) : (c.ccs && r.ccs)) rec_.established = true;
}

void TlsAnalyzer::handshake(Dir dir, uint8_t type, std::span<const uint8_t> body, const PacketRef& at) {
  if (rec_.handshake_types.size() < TlsRecord::kMaxTypes) rec_.handshake_types.push_back(type);
  switch (type) {
    case 1:  // ClientHello (a second one after a HelloRetryRequest keeps the first's fingerprints)
      if (rec_.client_hello_seen) break;
      if (parse_client_hello(body, rec_.ch) != ParseResult::kOk) {
        anomaly("bad_client_hello");
        break;
      }
      rec_.client_hello_seen = true;
      client_ = dir;
      rec_.origin = ctx_.origin(at);
      rec_.ja3 = ja3_string(rec_.ch);
      rec_.ja3_md5 = md5_hex(rec_.ja3);
      rec_.ja4 = ja4(rec_.ch);
      break;
    case 2: {  // ServerHello; after a HelloRetryRequest the real one follows and wins
      if (rec_.server_hello_seen && !rec_.sh.hello_retry_request) break;
      if (parse_server_hello(body, rec_.sh) != ParseResult::kOk) {
        anomaly("bad_server_hello");
        break;
      }
      rec_.server_hello_seen = true;
      rec_.ja3s = ja3s_string(rec_.sh);
      rec_.ja3s_md5 = md5_hex(rec_.ja3s);
      const auto& sid = rec_.sh.session_id;
      if (tls13()) {
        rec_.resumed = std::find(rec_.sh.extensions.begin(), rec_.sh.extensions.end(), 41) != rec_.sh.extensions.end();
      } else {
        rec_.resumed = rec_.client_hello_seen && !sid.empty() && sid == rec_.ch.session_id;
      }
      break;
    }
    case 11:  // Certificate: in clear only before TLS 1.3
      if (dir == client_ || rec_.cert_seen || tls13()) break;
      {
        uint32_t count = 0;
        rec_.cert_seen = parse_certificate_list(body, rec_.cert, count);
        rec_.cert_count = count;
        if (!rec_.cert_seen) anomaly("bad_certificate");
      }
      break;
    default:
      break;
  }
}

void TlsAnalyzer::on_gap(Dir dir, uint64_t bytes, const PacketRef&) {
  Side& s = sides_[int(dir)];
  anomaly("gap");
  // A hole inside application data loses nothing we parse: keep counting and stay in step.
  if (s.hdr_have == 5 && s.type == 23 && bytes <= s.body_left) {
    if (s.count_app) (dir == client_ ? rec_.orig_app_bytes : rec_.resp_app_bytes) += bytes;
    s.body_left -= size_t(bytes);
    if (s.body_left == 0) record_end(s, dir);
    return;
  }
  s.lost = true;
  s.hdr_have = 0;
  s.body_left = 0;
  s.hs.clear();
}

void TlsAnalyzer::on_end(const PacketRef&) {
  if (emitted_ || !any_record_) return;
  emitted_ = true;
  if (ctx_.sink) ctx_.sink->emit(rec_);
}

}  // namespace trawl::proto::tls
