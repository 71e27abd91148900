#include "proto/ftp/ftp_analyzer.h"

#include "proto/ftp/ftp_parse.h"

namespace trawl::proto::ftp {

namespace {
constexpr uint16_t kPorts[] = {21};

std::unique_ptr<StreamAnalyzer> make(const AnalyzerContext& ctx) { return std::make_unique<FtpAnalyzer>(ctx); }

bool istarts_with(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c != prefix[i]) return false;
  }
  return true;
}

std::string cap(std::string_view s, size_t max) { return std::string(s.substr(0, max)); }
}  // namespace

Match probe(std::span<const uint8_t> first_bytes, Dir dir) {
  std::string_view s = as_view(first_bytes);
  if (dir == Dir::kResp) {
    if (s.size() < 4 || s.substr(0, 3) != "220" || (s[3] != ' ' && s[3] != '-')) return Match::kNo;
    std::string_view first = s.substr(0, s.find('\n'));
    for (size_t i = 0; i + 3 <= first.size(); ++i)
      if (istarts_with(first.substr(i), "FTP")) return Match::kYes;
    return Match::kMaybe;
  }
  for (std::string_view v : {"USER ", "AUTH TLS", "AUTH SSL", "FEAT\r\n", "SYST\r\n"})
    if (istarts_with(s, v)) return Match::kMaybe;
  return Match::kNo;
}

const AnalyzerInfo kFtpAnalyzer{"ftp", 6, kPorts, &probe, &make, nullptr};

FtpAnalyzer::FtpAnalyzer(const AnalyzerContext& ctx) : ctx_(ctx) {}

void FtpAnalyzer::anomaly(FtpRecord& r, std::string_view a) {
  if (r.anomalies.size() < kMaxAnomalies) r.anomalies.emplace_back(a);
}

void FtpAnalyzer::on_data(Dir dir, std::span<const uint8_t> data, const PacketRef& at) {
  if (done_ || tls_) return;
  if (dir == Dir::kOrig)
    client_.feed(data, [&](std::string_view l, bool t) { if (!tls_) client_line(l, t, at); });
  else
    server_.feed(data, [&](std::string_view l, bool t) { if (!tls_) server_line(l, t, at); });
}

void FtpAnalyzer::on_gap(Dir dir, uint64_t, const PacketRef&) {
  if (done_ || tls_) return;
  if (dir == Dir::kOrig) {
    client_.reset();
    // Replies to lost commands would be paired with the wrong ones: say so on the next records.
    pending_anomaly_ = "client_gap";
  } else {
    server_.reset();
    ml_code_ = 0;
    pending_anomaly_ = "server_gap";
  }
}

void FtpAnalyzer::client_line(std::string_view line, bool truncated, const PacketRef& at) {
  if (line.empty()) return;
  auto c = split_command(line);
  if (pending_.size() >= kMaxPending) {  // a client that never waits: flush the oldest unanswered
    FtpRecord r = std::move(pending_.front());
    pending_.pop_front();
    anomaly(r, "too_many_pending_commands");
    emit(r);  // keeps the command's own packet
  }
  FtpRecord& r = pending_.emplace_back();
  r.origin = ctx_.origin(at);
  r.command = upper(c.verb, 32);
  r.arg = cap(c.arg, kMaxField);
  if (truncated) anomaly(r, "command_too_long");
  if (c.verb.size() > 32) anomaly(r, "verb_too_long");
  if (!pending_anomaly_.empty()) {
    anomaly(r, pending_anomaly_);
    pending_anomaly_.clear();
  }
  if (names_file(r.command)) r.file = r.arg;
  if (r.command == "USER") {
    user_ = r.arg;
    login_ = Login::kUserSent;
    login_user_ = r.arg;
    login_pass_.clear();
    login_pass_seen_ = false;
  } else if (r.command == "PASS") {
    // A PASS without USER is still an attempt (with no user name).
    if (login_ == Login::kNone) login_user_.clear();
    login_ = Login::kPassSent;
    login_pass_ = r.arg;
    login_pass_seen_ = true;
    login_at_ = at;
  } else if (r.command == "PORT" || r.command == "EPRT") {
    auto e = r.command == "PORT" ? parse_port_arg(r.arg) : parse_eprt_arg(r.arg);
    if (e) {
      r.has_data = true;
      r.data_passive = false;
      r.data_orig_h = ctx_.conn.resp_h;  // the server connects to the client's announced endpoint
      r.data_h = e->addr;
      r.data_p = e->port;
    } else {
      anomaly(r, "bad_data_port");
    }
  }
  r.user = user_;
}

void FtpAnalyzer::server_line(std::string_view line, bool truncated, const PacketRef& at) {
  if (ml_code_) {  // inside a multi-line reply: it ends at "<same code> "
    ++ml_lines_;
    ml_truncated_ = ml_truncated_ || truncated;
    auto r = parse_reply_line(line);
    if (r && r->code == ml_code_ && !r->continues) {
      uint16_t code = ml_code_;
      ml_code_ = 0;
      std::string text(r->text.empty() ? std::string_view(ml_first_) : r->text.substr(0, kMaxField));
      reply(code, text, ml_lines_, at);
    }
    return;
  }
  auto r = parse_reply_line(line);
  if (!r) {
    if (line.empty()) return;
    FtpRecord x;
    x.origin = ctx_.origin(at);
    x.reply_msg = cap(line, kMaxField);
    anomaly(x, "reply_without_code");
    finish(x, at);
    return;
  }
  if (r->continues) {
    ml_code_ = r->code;
    ml_first_.assign(r->text.substr(0, kMaxField));
    ml_lines_ = 1;
    ml_truncated_ = truncated;
    return;
  }
  reply(r->code, r->text.substr(0, kMaxField), 1, at);
}

void FtpAnalyzer::reply(uint16_t code, std::string_view text, uint32_t lines, const PacketRef& at) {
  if (pending_.empty()) {  // the greeting, or a reply nobody asked for
    FtpRecord r;
    r.origin = ctx_.origin(at);
    r.user = user_;
    r.reply_code = code;
    r.reply_msg = text;
    r.reply_lines = lines;
    if (!pending_anomaly_.empty()) {
      anomaly(r, pending_anomaly_);
      pending_anomaly_.clear();
    }
    finish(r, at);
    return;
  }
  FtpRecord& r = pending_.front();
  if (code >= 100 && code < 200) {  // preliminary: the final reply follows
    r.prelim_code = code;
    return;
  }
  r.reply_code = code;
  r.reply_msg = text;
  r.reply_lines = lines;
  if (!pending_anomaly_.empty()) {
    anomaly(r, pending_anomaly_);
    pending_anomaly_.clear();
  }
  if (ml_truncated_) anomaly(r, "reply_line_too_long");
  ml_truncated_ = false;
  if ((r.command == "PASV" && code == 227) || (r.command == "EPSV" && code == 229)) {
    std::optional<Endpoint> e;
    if (r.command == "PASV") e = parse_pasv_reply(text);
    else if (auto port = parse_epsv_reply(text)) e = Endpoint{ctx_.conn.resp_h, *port};
    if (e) {
      r.has_data = true;
      r.data_passive = true;
      r.data_orig_h = ctx_.conn.orig_h;
      r.data_h = e->addr;
      r.data_p = e->port;
      expect_data_connection(r, at);
    } else {
      anomaly(r, "bad_passive_reply");
    }
  }
  // The server connects to the announced endpoint only when it accepted it (a rejected PORT to a third
  // host, an FTP bounce attempt, opens nothing).
  if ((r.command == "PORT" || r.command == "EPRT") && code >= 200 && code < 300) expect_data_connection(r, at);
  FtpRecord done = std::move(pending_.front());
  pending_.pop_front();
  login_reply(done, at);
  finish(done, at);
  if (done.command == "AUTH" && code == 234) {
    // RFC 4217: everything after this reply is TLS. Unanswered commands are written now.
    tls_ = true;
    while (!pending_.empty()) {
      finish(pending_.front(), at);
      pending_.pop_front();
    }
  }
}

void FtpAnalyzer::login_reply(const FtpRecord& r, const PacketRef& at) {
  uint16_t code = r.reply_code;
  std::string full = std::to_string(code);
  if (!r.reply_msg.empty()) full += ' ' + r.reply_msg;
  if (r.command == "USER" && login_ == Login::kUserSent) {
    if (code == 331 || code == 332) login_ = Login::kNeedPass;
    else if (code >= 200 && code < 300) emit_auth(AuthOutcome::kSuccess, full, at);  // no password needed
    else if (code >= 500) emit_auth(AuthOutcome::kFailure, full, at);
    else login_ = Login::kNone;
  } else if (r.command == "PASS" && login_ == Login::kPassSent) {
    if (code == 332) login_ = Login::kNeedAcct;
    else if (code >= 200 && code < 300) emit_auth(AuthOutcome::kSuccess, full, at);
    else if (code >= 500) emit_auth(AuthOutcome::kFailure, full, at);
    else emit_auth(AuthOutcome::kUnknown, full, at);
  } else if (r.command == "ACCT" && login_ == Login::kNeedAcct) {
    if (code >= 200 && code < 300) emit_auth(AuthOutcome::kSuccess, full, at);
    else if (code >= 500) emit_auth(AuthOutcome::kFailure, full, at);
  }
}

void FtpAnalyzer::emit_auth(AuthOutcome o, std::string_view reply_text, const PacketRef& at) {
  AuthRecord a;
  a.origin = ctx_.origin(at);
  a.app = "ftp";
  a.user = login_user_;
  a.password = login_pass_;
  a.password_seen = login_pass_seen_;
  a.method = "USER/PASS";
  a.outcome = o;
  a.reply = std::string(reply_text.substr(0, kMaxField));
  if (ctx_.sink) ctx_.sink->emit(a);
  login_ = Login::kNone;
  login_pass_.clear();
  login_pass_seen_ = false;
}

void FtpAnalyzer::finish(FtpRecord& r, const PacketRef& at) {
  r.origin = ctx_.origin(at);
  emit(r);
}

void FtpAnalyzer::emit(FtpRecord& r) {
  // A 1xx reply opens the data connection: a transfer. Its connection has opened by now (the client
  // connects after 227/229, the server after 150), so the link is set unless it never came.
  if (r.prelim_code && data_uid_ && !data_uid_->empty()) {
    r.data_uid = *data_uid_;
    data_uid_.reset();
  }
  if (ctx_.sink) ctx_.sink->emit(r);
}

void FtpAnalyzer::expect_data_connection(const FtpRecord& r, const PacketRef& at) {
  if (!ctx_.expected || !r.has_data || r.data_h.empty()) return;
  data_uid_ = std::make_shared<std::string>();
  ctx_.expected->expect({r.data_orig_h, r.data_h, r.data_p, "ftp-data", data_uid_}, at.ts_ns);
}

void FtpAnalyzer::on_end(const PacketRef& at) {
  if (done_) return;
  done_ = true;
  if (ml_code_) {  // an unfinished multi-line reply still answers the command
    uint16_t code = ml_code_;
    ml_code_ = 0;
    std::string first = ml_first_;
    if (!pending_.empty()) anomaly(pending_.front(), "unterminated_multiline_reply");
    reply(code, first, ml_lines_, at);
  }
  while (!pending_.empty()) {
    FtpRecord& r = pending_.front();
    if (r.command == "PASS" && login_ == Login::kPassSent) emit_auth(AuthOutcome::kUnknown, {}, at);
    emit(r);  // unanswered: the command's own packet
    pending_.pop_front();
  }
  // PASS answered by 332 and ACCT never answered: the attempt stays open.
  if (login_ == Login::kNeedAcct) emit_auth(AuthOutcome::kUnknown, {}, at);
}

}  // namespace trawl::proto::ftp
