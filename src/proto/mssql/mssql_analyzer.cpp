#include "proto/mssql/mssql_analyzer.h"

#include <fmt/format.h>

#include "proto/mssql/mssql_parse.h"
#include "proto/smb/ntlmssp.h"

namespace trawl::proto::mssql {

namespace {
constexpr uint16_t kPorts[] = {1433};

std::unique_ptr<StreamAnalyzer> make(const AnalyzerContext& ctx) { return std::make_unique<MssqlAnalyzer>(ctx); }

// The whole first packet of the window, when it is one message.
bool first_message(std::span<const uint8_t> b, PacketHeader& h, std::span<const uint8_t>& payload) {
  if (parse_header(b, h) != ParseStatus::kComplete || !h.end_of_message() || b.size() < h.length) return false;
  payload = b.subspan(kHeaderLen, h.length - kHeaderLen);
  return true;
}
}  // namespace

Match probe(std::span<const uint8_t> b, Dir dir) {
  PacketHeader h;
  std::span<const uint8_t> payload;
  if (!first_message(b, h, payload)) return Match::kNo;
  Prelogin pre;
  if (dir == Dir::kOrig) {
    if (h.type == kPrelogin)
      return parse_prelogin(payload, pre) == ParseStatus::kComplete && pre.has_version ? Match::kYes : Match::kNo;
    Login7 login;
    if (h.type == kLogin7 && parse_login7(payload, login) == ParseStatus::kComplete &&
        (login.tds_version >> 24) >= 0x70 && (login.tds_version >> 24) <= 0x74)
      return Match::kMaybe;
    return Match::kNo;
  }
  return h.type == kTabularResult && parse_prelogin(payload, pre) == ParseStatus::kComplete && pre.has_version
             ? Match::kMaybe
             : Match::kNo;
}

const AnalyzerInfo kMssqlAnalyzer{"mssql", 6, kPorts, &probe, &make, nullptr};

MssqlAnalyzer::MssqlAnalyzer(const AnalyzerContext& ctx) : ctx_(ctx) {}

void MssqlAnalyzer::on_data(Dir dir, std::span<const uint8_t> data, const PacketRef& at) {
  if (done_) return;
  // Only the login phase is buffered: a few packets, then parsing stops.
  Side& s = sides_[int(dir)];
  s.buf.append(reinterpret_cast<const char*>(data.data()), data.size());
  size_t off = 0;
  while (!done_ && off < s.buf.size()) {
    std::span<const uint8_t> rest(reinterpret_cast<const uint8_t*>(s.buf.data()) + off, s.buf.size() - off);
    size_t tls_len = 0;
    ParseStatus tls = parse_tls_record(rest, tls_len);
    if (tls == ParseStatus::kNeedMore) break;
    if (tls == ParseStatus::kComplete) {
      if (tls_len > kMaxMessage) {
        finish(AuthOutcome::kUnknown, {}, at);
        break;
      }
      if (rest.size() < tls_len) break;
      off += tls_len;
      tls_record(dir, at);
      continue;
    }
    PacketHeader h;
    ParseStatus st = parse_header(rest, h);
    if (st == ParseStatus::kNeedMore) break;
    if (st == ParseStatus::kMalformed || s.message.size() + h.length > kMaxMessage) {
      finish(AuthOutcome::kUnknown, {}, at);
      break;
    }
    if (rest.size() < h.length) break;
    off += h.length;
    s.message.append(reinterpret_cast<const char*>(rest.data()) + kHeaderLen, h.length - kHeaderLen);
    if (!h.end_of_message()) continue;
    message(dir, h.type, {reinterpret_cast<const uint8_t*>(s.message.data()), s.message.size()}, at);
    s.message.clear();
  }
  if (done_) {
    sides_[0] = {};
    sides_[1] = {};
  } else {
    s.buf.erase(0, off);
  }
}

void MssqlAnalyzer::message(Dir dir, uint8_t type, std::span<const uint8_t> p, const PacketRef& at) {
  if (dir == Dir::kOrig) {
    switch (type) {
      case kPrelogin:
        if (prelogin_sent_) tls_handshake_ = true;  // a second PRELOGIN carries the TLS handshake
        prelogin_sent_ = true;
        return;
      case kLogin7: {
        Login7 login;
        if (attempt_ || parse_login7(p, login) != ParseStatus::kComplete) return;
        attempt_ = true;
        attempt_at_ = at;
        if (login.integrated) {
          method_ = "sspi";
        } else {
          method_ = "password";
          user_ = login.user.substr(0, 256);
          password_ = login.password.substr(0, 256);
          password_seen_ = true;
        }
        return;
      }
      case kSspiMessage: {
        // NTLM AUTHENTICATE: the Windows account that logs in.
        smb::NtlmMessage m = smb::find_ntlmssp(p);
        if (!attempt_ || m.type != smb::NtlmType::kAuthenticate || m.malformed) return;
        user_ = m.domain.empty() || m.user.empty() ? m.user : m.domain + "\\" + m.user;
        method_ = std::string(m.method());
        return;
      }
      default:
        return;
    }
  }
  if (type != kTabularResult) return;  // server PRELOGIN packets carry its side of the TLS handshake
  if (prelogin_sent_ && !prelogin_answered_ && !attempt_) {
    prelogin_answered_ = true;
    return;
  }
  if (!attempt_) return;
  LoginResponse r;
  scan_login_response(p, r);
  if (r.login_ack) {
    finish(AuthOutcome::kSuccess,
           fmt::format("LOGINACK {} {}.{}.{}", r.program, r.version[0], r.version[1], r.version[2] << 8 | r.version[3]),
           at);
  } else if (r.error) {
    finish(AuthOutcome::kFailure,
           fmt::format("Msg {}, Level {}, State {}: {}", r.error_number, r.error_class, r.error_state, r.error_message),
           at);
  }
  // Otherwise an SSPI challenge: the client answers and the verdict follows.
}

void MssqlAnalyzer::tls_record(Dir dir, const PacketRef& at) {
  if (dir == Dir::kOrig) {
    // After a handshake inside PRELOGIN, the first bare record from the client is LOGIN7.
    if (!attempt_ && tls_handshake_) {
      attempt_ = true;
      attempt_at_ = at;
      method_ = "tls";
    }
    return;
  }
  // The server answers in TLS too (full encryption): the verdict is not readable.
  if (attempt_) finish(AuthOutcome::kUnknown, {}, at);
}

void MssqlAnalyzer::finish(AuthOutcome outcome, std::string_view reply, const PacketRef& at) {
  bool attempted = attempt_ && !done_;
  done_ = true;
  if (!attempted || !ctx_.sink) return;
  AuthRecord a;
  a.origin = ctx_.origin(outcome == AuthOutcome::kUnknown ? attempt_at_ : at);
  a.app = "mssql";
  a.user = user_;
  a.password = password_;
  a.password_seen = password_seen_;
  a.method = method_;
  a.outcome = outcome;
  a.reply.assign(reply.substr(0, 512));
  ctx_.sink->emit(a);
}

void MssqlAnalyzer::on_gap(Dir, uint64_t, const PacketRef& at) { finish(AuthOutcome::kUnknown, {}, at); }

void MssqlAnalyzer::on_end(const PacketRef& at) { finish(AuthOutcome::kUnknown, {}, at); }

}  // namespace trawl::proto::mssql
