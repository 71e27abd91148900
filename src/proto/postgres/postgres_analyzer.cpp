#include "proto/postgres/postgres_analyzer.h"

#include <fmt/format.h>

#include "proto/postgres/postgres_parse.h"
#include "util/bytes.h"

namespace trawl::proto::postgres {

namespace {
constexpr uint16_t kPorts[] = {5432};

std::unique_ptr<StreamAnalyzer> make(const AnalyzerContext& ctx) { return std::make_unique<PostgresAnalyzer>(ctx); }

std::string_view method_of(uint32_t code) {
  switch (code) {
    case kAuthCleartext: return "password";
    case kAuthMd5: return "md5";
    case kAuthSasl: return "SASL";  // until the client names its mechanism
    case kAuthGss: return "gss";
    case kAuthSspi: return "sspi";
    case kAuthKerberosV5: return "kerberos5";
    default: return {};
  }
}
}  // namespace

Match probe(std::span<const uint8_t> b, Dir dir) {
  if (dir == Dir::kOrig) {
    Frame f;
    if (parse_frame(b, false, f) != ParseStatus::kComplete || f.length > PostgresAnalyzer::kMaxMessage ||
        b.size() < 8)
      return Match::kNo;
    uint32_t code = load_be32(b.data() + 4);
    if (code == kSslRequest || code == kGssEncRequest) return f.length == 8 ? Match::kYes : Match::kNo;
    if (code == kCancelRequest) return f.length == 16 ? Match::kYes : Match::kNo;
    if (code != kProtocol3 || b.size() < f.length) return Match::kNo;
    Startup s;
    if (parse_startup(b.subspan(4, f.length - 4), s) != ParseStatus::kComplete || s.user.empty()) return Match::kNo;
    return Match::kYes;
  }
  Frame f;
  if (parse_frame(b, true, f) != ParseStatus::kComplete || f.type != 'R' || b.size() < 9) return Match::kNo;
  uint32_t code = load_be32(b.data() + 5);
  bool fixed = code == kAuthOk || code == kAuthCleartext || code == kAuthKerberosV5 || code == kAuthGss ||
               code == kAuthSspi;
  if (fixed) return f.length == 8 ? Match::kMaybe : Match::kNo;
  if (code == kAuthMd5) return f.length == 12 ? Match::kMaybe : Match::kNo;
  if (code == kAuthSasl) return f.length > 8 && f.length < 1024 ? Match::kMaybe : Match::kNo;
  return Match::kNo;
}

const AnalyzerInfo kPostgresAnalyzer{"postgresql", 6, kPorts, &probe, &make, nullptr};

PostgresAnalyzer::PostgresAnalyzer(const AnalyzerContext& ctx) : ctx_(ctx) {}

void PostgresAnalyzer::on_data(Dir dir, std::span<const uint8_t> data, const PacketRef& at) {
  if (phase_ == Phase::kDone) return;
  // Only the startup phase is buffered: a few small messages, then parsing stops.
  std::string& buf = buf_[int(dir)];
  buf.append(reinterpret_cast<const char*>(data.data()), data.size());
  size_t off = 0;
  while (phase_ != Phase::kDone && off < buf.size()) {
    std::span<const uint8_t> rest(reinterpret_cast<const uint8_t*>(buf.data()) + off, buf.size() - off);
    size_t used = dir == Dir::kOrig ? client_bytes(rest, at) : server_bytes(rest, at);
    if (used == 0) break;
    off += used;
  }
  if (phase_ == Phase::kDone) {
    buf_[0] = {};
    buf_[1] = {};
  } else {
    buf.erase(0, off);
  }
}

size_t PostgresAnalyzer::client_bytes(std::span<const uint8_t> b, const PacketRef& at) {
  bool typed = phase_ == Phase::kAuth;
  Frame f;
  ParseStatus st = parse_frame(b, typed, f);
  if (st == ParseStatus::kNeedMore) return 0;
  if (st == ParseStatus::kMalformed || f.length > kMaxMessage) {
    finish(AuthOutcome::kUnknown, {}, at);
    return 0;
  }
  if (b.size() < f.total()) return 0;
  auto body = b.subspan(typed ? 5 : 4, f.length - 4);
  if (!typed) {
    Startup s;
    if (parse_startup(body, s) != ParseStatus::kComplete) {
      phase_ = Phase::kDone;
      return 0;
    }
    if (s.code == kSslRequest || s.code == kGssEncRequest) {
      awaiting_answer_ = s.code;
    } else if (s.code == kProtocol3) {
      user_.assign(s.user.substr(0, 256));
      attempt_at_ = at;
      phase_ = Phase::kAuth;
    } else {
      phase_ = Phase::kDone;  // CancelRequest, or a protocol this analyzer does not read
    }
    return f.total();
  }
  if (f.type == 'p') {
    // What a 'p' holds depends on what the server asked for; later ones (SASLResponse) hold nothing to read.
    if (auth_requested_ == kAuthCleartext) {
      password_.assign(cstring(body).substr(0, 256));
      password_seen_ = true;
    } else if (auth_requested_ == kAuthSasl) {
      method_.assign(cstring(body).substr(0, 64));
    }
    auth_requested_ = 0;
  }
  return f.total();
}

size_t PostgresAnalyzer::server_bytes(std::span<const uint8_t> b, const PacketRef& at) {
  if (awaiting_answer_) {
    uint32_t request = awaiting_answer_;
    awaiting_answer_ = 0;
    if (b[0] == 'N') return 1;  // refused: the client goes on in cleartext (or tries the other request)
    if (b[0] == 'S' && request == kSslRequest) {
      method_ = "tls";
      tls_ = true;
      attempt_at_ = at;
      finish(AuthOutcome::kUnknown, {}, at);
      return 1;
    }
    if (b[0] == 'G' && request == kGssEncRequest) {
      method_ = "gssenc";  // GSSAPI encryption: nothing more is readable
      attempt_at_ = at;
      finish(AuthOutcome::kUnknown, {}, at);
      return 1;
    }
    // Anything else is a framed message (an old server's ErrorResponse).
  }
  Frame f;
  ParseStatus st = parse_frame(b, true, f);
  if (st == ParseStatus::kNeedMore) return 0;
  if (st == ParseStatus::kMalformed || f.length > kMaxMessage) {
    finish(AuthOutcome::kUnknown, {}, at);
    return 0;
  }
  if (b.size() < f.total()) return 0;
  server_message(f.type, b.subspan(5, f.length - 4), at);
  return f.total();
}

void PostgresAnalyzer::server_message(uint8_t type, std::span<const uint8_t> body, const PacketRef& at) {
  if (phase_ != Phase::kAuth) return;
  if (type == 'R' && body.size() >= 4) {
    uint32_t code = load_be32(body.data());
    if (code == kAuthOk) {
      authenticated_ = true;
      auth_ok_at_ = at;
      if (method_.empty()) method_ = "trust";
    } else if (auto m = method_of(code); !m.empty()) {
      auth_requested_ = code;
      if (method_.empty() || code != kAuthSasl) method_ = m;
    }
  } else if (type == 'E') {
    ErrorFields e;
    parse_error_fields(body, e);
    finish(AuthOutcome::kFailure, fmt::format("{} {}: {}", e.severity, e.code, e.message), at);
  } else if (type == 'Z' && authenticated_) {
    finish(AuthOutcome::kSuccess, "AuthenticationOk", at);
  }
}

void PostgresAnalyzer::finish(AuthOutcome outcome, std::string_view reply, const PacketRef& at) {
  bool attempted = phase_ == Phase::kAuth || tls_ || method_ == "gssenc";
  phase_ = Phase::kDone;
  if (!attempted || !ctx_.sink) return;
  AuthRecord a;
  a.origin = ctx_.origin(outcome == AuthOutcome::kUnknown ? attempt_at_ : at);
  a.app = "postgresql";
  a.user = user_;
  a.password = password_;
  a.password_seen = password_seen_;
  a.method = method_;
  a.outcome = outcome;
  a.reply.assign(reply.substr(0, 512));
  ctx_.sink->emit(a);
}

void PostgresAnalyzer::on_gap(Dir, uint64_t, const PacketRef& at) {
  if (phase_ != Phase::kDone) finish(AuthOutcome::kUnknown, {}, at);
}

void PostgresAnalyzer::on_end(const PacketRef& at) {
  if (phase_ == Phase::kDone) return;
  // AuthenticationOk without the ReadyForQuery (capture cut short): the credentials were accepted.
  if (authenticated_) finish(AuthOutcome::kSuccess, "AuthenticationOk", auth_ok_at_);
  else finish(AuthOutcome::kUnknown, {}, at);
}

}  // namespace trawl::proto::postgres
