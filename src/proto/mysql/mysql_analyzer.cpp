#include "proto/mysql/mysql_analyzer.h"

#include <algorithm>

#include <fmt/format.h>

#include "proto/mysql/mysql_parse.h"

namespace trawl::proto::mysql {

namespace {
constexpr uint16_t kPorts[] = {3306};

std::unique_ptr<StreamAnalyzer> make(const AnalyzerContext& ctx) { return std::make_unique<MysqlAnalyzer>(ctx); }

// The text up to the first NUL (cleartext answers are NUL-terminated).
std::string_view until_nul(std::span<const uint8_t> b) {
  std::string_view s = as_view(b);
  return s.substr(0, s.find('\0'));
}

bool printable(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c <= 0x7e; });
}
}  // namespace

Match probe(std::span<const uint8_t> b, Dir dir) {
  PacketHeader h;
  if (parse_header(b, h) != ParseStatus::kComplete || h.length == 0 || h.length > MysqlAnalyzer::kMaxPacket)
    return Match::kNo;
  auto payload = b.subspan(kHeaderLen, std::min<size_t>(b.size() - kHeaderLen, h.length));
  if (payload.size() < h.length) return Match::kNo;  // not all there yet: asked again as bytes arrive
  if (dir == Dir::kResp) {
    if (h.seq != 0) return Match::kNo;
    if (payload[0] == 0xff) return h.length >= 3 && printable(as_view(payload.subspan(3))) ? Match::kMaybe : Match::kNo;
    Greeting g;
    if (parse_greeting(payload, g) != ParseStatus::kComplete) return Match::kNo;
    const auto& v = g.server_version;
    if (v.empty() || v.size() > 128 || v[0] < '0' || v[0] > '9' || !printable(v)) return Match::kNo;
    return Match::kYes;
  }
  HandshakeResponse r;
  if (h.seq != 1 || parse_handshake_response(payload, r) != ParseStatus::kComplete ||
      !(r.capabilities & kClientProtocol41))
    return Match::kNo;
  // The first 19 bytes of the 23-byte filler are zero (MariaDB uses the last 4).
  return std::all_of(payload.begin() + 9, payload.begin() + 28, [](uint8_t x) { return x == 0; }) ? Match::kMaybe
                                                                                                   : Match::kNo;
}

const AnalyzerInfo kMysqlAnalyzer{"mysql", 6, kPorts, &probe, &make, nullptr};

MysqlAnalyzer::MysqlAnalyzer(const AnalyzerContext& ctx) : ctx_(ctx) {}

void MysqlAnalyzer::on_data(Dir dir, std::span<const uint8_t> data, const PacketRef& at) {
  if (phase_ == Phase::kDone) return;
  // Only the connection phase is buffered: a few small packets, then parsing stops.
  std::string& buf = buf_[int(dir)];
  buf.append(reinterpret_cast<const char*>(data.data()), data.size());
  size_t off = 0;
  while (phase_ != Phase::kDone) {
    std::span<const uint8_t> rest(reinterpret_cast<const uint8_t*>(buf.data()) + off, buf.size() - off);
    PacketHeader h;
    if (parse_header(rest, h) != ParseStatus::kComplete) break;
    if (h.length > kMaxPacket) {
      finish(AuthOutcome::kUnknown, {}, at);
      break;
    }
    if (rest.size() < kHeaderLen + h.length) break;
    off += kHeaderLen + h.length;
    if (dir == Dir::kOrig) client_packet(rest.subspan(kHeaderLen, h.length), at);
    else server_packet(rest.subspan(kHeaderLen, h.length), at);
  }
  if (phase_ == Phase::kDone) {
    buf_[0] = {};
    buf_[1] = {};
  } else {
    buf.erase(0, off);
  }
}

void MysqlAnalyzer::client_packet(std::span<const uint8_t> p, const PacketRef& at) {
  if (phase_ == Phase::kGreeting || phase_ == Phase::kResponse) {
    // Without the greeting (capture started late) the response still names the user.
    HandshakeResponse r;
    if (parse_handshake_response(p, r) != ParseStatus::kComplete) {
      phase_ = Phase::kDone;
      return;
    }
    attempt_at_ = at;
    if (r.ssl_request) {
      method_ = "tls";
      tls_ = true;
      finish(AuthOutcome::kUnknown, {}, at);
      return;
    }
    user_.assign(r.user.substr(0, 256));
    if (!r.auth_plugin.empty()) method_.assign(r.auth_plugin.substr(0, 64));
    if (method_ == "mysql_clear_password") {
      password_.assign(until_nul(r.auth_response).substr(0, 256));
      password_seen_ = true;
    }
    phase_ = Phase::kAuth;
    return;
  }
  if (phase_ != Phase::kAuth) return;
  // A reply to an auth switch or to more data: cleartext only for these two plugins.
  if (method_ == "mysql_clear_password" || (method_ == "dialog" && dialog_password_)) {
    password_.assign(until_nul(p).substr(0, 256));
    password_seen_ = true;
  }
}

void MysqlAnalyzer::server_packet(std::span<const uint8_t> p, const PacketRef& at) {
  if (p.empty()) return;
  if (phase_ == Phase::kGreeting) {
    Greeting g;
    // An ERR instead of a greeting (host blocked, too many connections) ends the connection before any login.
    if (parse_greeting(p, g) != ParseStatus::kComplete) {
      phase_ = Phase::kDone;
      return;
    }
    method_.assign(g.auth_plugin.substr(0, 64));
    phase_ = Phase::kResponse;
    return;
  }
  if (phase_ != Phase::kAuth) return;  // the server does not speak between greeting and response
  switch (p[0]) {
    case 0x00:
      finish(AuthOutcome::kSuccess, "OK", at);
      return;
    case 0xff: {
      ErrPacket e;
      parse_err(p, e);
      std::string reply = e.sql_state.empty() ? fmt::format("ERROR {}: {}", e.code, e.message)
                                              : fmt::format("ERROR {} ({}): {}", e.code, e.sql_state, e.message);
      finish(AuthOutcome::kFailure, reply, at);
      return;
    }
    case 0xfe: {
      std::string_view plugin;
      parse_auth_switch(p, plugin);
      method_.assign(plugin.substr(0, 64));
      // The dialog plugin's first question rides in the switch data: type byte, bit 2 "password" (echo off).
      size_t q = 1 + plugin.size() + 1;
      dialog_password_ = method_ == "dialog" && q < p.size() && (p[q] & 0x04);
      return;
    }
    case 0x01:  // AuthMoreData; for dialog, another question
      if (method_ == "dialog") dialog_password_ = p.size() > 1 && (p[1] & 0x04);
      return;
    default:
      return;
  }
}

void MysqlAnalyzer::finish(AuthOutcome outcome, std::string_view reply, const PacketRef& at) {
  bool attempted = phase_ == Phase::kAuth || tls_;
  phase_ = Phase::kDone;
  if (!attempted || !ctx_.sink) return;
  AuthRecord a;
  a.origin = ctx_.origin(outcome == AuthOutcome::kUnknown ? attempt_at_ : at);
  a.app = "mysql";
  a.user = user_;
  a.password = password_;
  a.password_seen = password_seen_;
  a.method = method_.empty() ? "mysql_native_password" : method_;
  a.outcome = outcome;
  a.reply.assign(reply.substr(0, 512));
  ctx_.sink->emit(a);
}

void MysqlAnalyzer::on_gap(Dir, uint64_t, const PacketRef& at) {
  // Framing is lost; a login in progress stays unsettled.
  if (phase_ != Phase::kDone) finish(AuthOutcome::kUnknown, {}, at);
}

void MysqlAnalyzer::on_end(const PacketRef& at) {
  if (phase_ != Phase::kDone) finish(AuthOutcome::kUnknown, {}, at);
}

}  // namespace trawl::proto::mysql
