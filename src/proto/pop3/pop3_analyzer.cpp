#include "proto/pop3/pop3_analyzer.h"

#include <algorithm>

#include "proto/text/mime_words.h"

namespace trawl::proto::pop3 {

namespace {
using text::iequals;
using text::istarts_with;
using text::trim;

constexpr uint16_t kPorts[] = {110};

std::unique_ptr<StreamAnalyzer> make(const AnalyzerContext& ctx) { return std::make_unique<Pop3Analyzer>(ctx); }

bool known_verb(std::string_view line) {
  static constexpr std::string_view kVerbs[] = {"USER ", "PASS ", "APOP ", "AUTH", "STAT", "LIST", "RETR ", "DELE ",
                                                "QUIT", "CAPA", "UIDL", "TOP ", "NOOP", "RSET", "STLS"};
  for (auto v : kVerbs)
    if (istarts_with(line, v)) return true;
  return false;
}

bool parse_u64(std::string_view s, int64_t& out) {
  if (s.empty() || s.size() > 18) return false;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}
}  // namespace

Match probe(std::span<const uint8_t> first_bytes, Dir dir) {
  std::string_view s = as_view(first_bytes);
  std::string_view first = s.substr(0, s.find('\n'));
  if (dir == Dir::kResp) {
    if (!s.starts_with("+OK")) return Match::kNo;
    for (size_t i = 0; i + 3 <= first.size(); ++i)
      if (iequals(first.substr(i, 3), "POP")) return Match::kYes;
    for (size_t i = 0; i + 5 <= first.size(); ++i)
      if (iequals(first.substr(i, 5), "ready")) return Match::kYes;
    return Match::kMaybe;
  }
  for (std::string_view v : {"USER ", "CAPA\r\n", "CAPA\n", "AUTH ", "APOP ", "STLS\r\n"})
    if (istarts_with(s, v)) return Match::kMaybe;  // USER is FTP's too; the greeting decides
  return Match::kNo;
}

const AnalyzerInfo kPop3Analyzer{"pop3", 6, kPorts, &probe, &make, nullptr};

Pop3Analyzer::Pop3Analyzer(const AnalyzerContext& ctx) : ctx_(ctx) { pending_.reserve(16); }

void Pop3Analyzer::anomaly(std::string_view a) { add_anomaly(rec_.anomalies, a); }

void Pop3Analyzer::on_data(Dir dir, std::span<const uint8_t> data, const PacketRef& at) {
  if (tls_ || done_) return;
  last_at_ = at;
  anything_seen_ = true;
  auto& reader = dir == Dir::kOrig ? client_ : server_;
  reader.push(data);
  while (!tls_) {
    auto l = reader.next_line();
    if (!l) break;
    if (l->truncated) anomaly(dir == Dir::kOrig ? "long_command_line" : "long_reply_line");
    if (dir == Dir::kOrig) client_line(l->text, at);
    else server_line(l->text, at);
  }
}

void Pop3Analyzer::on_gap(Dir dir, uint64_t, const PacketRef& at) {
  if (tls_ || done_) return;
  last_at_ = at;
  if (dir == Dir::kOrig) {
    client_.clear();
    anomaly("gap_in_commands");
    return;
  }
  server_.clear();
  anomaly("gap_in_replies");
  in_body_ = false;
  pending_.clear();
  pending_head_ = 0;
  if (auth_active_) finish_sasl(AuthOutcome::kUnknown, {}, at);
  if (pass_pending_) {
    pass_pending_ = false;
    login("USER/PASS", user_, pass_, true, AuthOutcome::kUnknown, {}, at);
  }
}

void Pop3Analyzer::on_end(const PacketRef& at) {
  if (done_) return;
  flush(at);
  done_ = true;
}

void Pop3Analyzer::flush(const PacketRef& at) {
  if (auth_active_) finish_sasl(AuthOutcome::kUnknown, {}, at);
  if (pass_pending_) {
    pass_pending_ = false;
    login("USER/PASS", user_, pass_, true, AuthOutcome::kUnknown, {}, at);
  }
  // APOP still waiting: counted as an unknown attempt.
  for (size_t i = pending_head_; i < pending_.size(); ++i)
    if (pending_[i].cmd == Cmd::kApop) login("APOP", rec_.user, {}, false, AuthOutcome::kUnknown, {}, at);
  pending_.clear();
  pending_head_ = 0;
  if (!anything_seen_) return;
  rec_.origin = ctx_.origin(at);
  if (ctx_.sink) ctx_.sink->emit(rec_);
}

void Pop3Analyzer::login(std::string_view method, std::string_view user, std::string_view password,
                         bool password_seen, AuthOutcome outcome, std::string_view reply, const PacketRef& at) {
  AuthRecord a;
  a.origin = ctx_.origin(outcome == AuthOutcome::kUnknown && auth_at_.frame ? auth_at_ : at);
  a.app = "pop3";
  a.method = std::string(method);
  a.user = std::string(user);
  a.password = std::string(password);
  a.password_seen = password_seen;
  a.outcome = outcome;
  a.reply = std::string(reply.substr(0, 512));
  ++rec_.auth_attempts;
  if (!user.empty()) rec_.user = a.user;
  if (outcome == AuthOutcome::kSuccess) rec_.auth_success = true;
  if (ctx_.sink) ctx_.sink->emit(a);
}

void Pop3Analyzer::finish_sasl(AuthOutcome outcome, std::string_view reply, const PacketRef& at) {
  auth_active_ = false;
  std::string method = "AUTH " + sasl_.mechanism;
  std::string r(reply);
  if (sasl_.cancelled && r.empty()) r = "cancelled by client";
  login(method, sasl_.user, sasl_.password, sasl_.password_seen, outcome, r, at);
}

void Pop3Analyzer::client_line(std::string_view line, const PacketRef& at) {
  if (auth_active_) {
    if (sasl_.complete() && known_verb(line)) {
      finish_sasl(AuthOutcome::kUnknown, {}, at);
    } else if (sasl_.client_line(line)) {
      return;
    } else if (sasl_.complete()) {
      finish_sasl(AuthOutcome::kUnknown, {}, at);
    } else {
      anomaly("bad_sasl_response");
      return;
    }
  }
  command(line, at);
}

void Pop3Analyzer::command(std::string_view line, const PacketRef& at) {
  if (line.empty()) return;
  size_t sp = line.find(' ');
  std::string_view verb = line.substr(0, sp);
  std::string_view arg = sp == std::string_view::npos ? std::string_view() : line.substr(sp + 1);
  std::string up(verb.substr(0, 16));
  bool printable = !up.empty();
  for (char& c : up) {
    if (c >= 'a' && c <= 'z') c = char(c - 32);
    if (static_cast<uint8_t>(c) < 0x21 || static_cast<uint8_t>(c) > 0x7e) printable = false;
  }
  if (!printable) {
    anomaly("non_pop3_command");
    return;
  }
  if (rec_.commands.size() < kMaxCommands) rec_.commands.push_back(up);
  else anomaly("too_many_commands");
  Pending p{Cmd::kOther, false};
  bool has_arg = !trim(arg).empty();
  if (up == "USER") {
    user_ = std::string(arg.substr(0, 256));
    p.cmd = Cmd::kUser;
  } else if (up == "PASS") {
    pass_ = std::string(arg.substr(0, 256));  // a password may hold spaces: everything after "PASS "
    pass_pending_ = true;
    auth_at_ = at;
    p.cmd = Cmd::kPass;
  } else if (up == "APOP") {
    arg = trim(arg);
    rec_.user = std::string(arg.substr(0, std::min<size_t>(arg.rfind(' '), 256)));
    auth_at_ = at;
    p.cmd = Cmd::kApop;
  } else if (up == "AUTH") {
    arg = trim(arg);
    if (arg.empty()) {
      p.multiline_on_ok = true;  // lists the mechanisms (RFC 1734 servers)
    } else {
      if (auth_active_) finish_sasl(AuthOutcome::kUnknown, {}, at);
      size_t s2 = arg.find(' ');
      sasl_.start(arg.substr(0, s2), s2 == std::string_view::npos ? std::string_view() : trim(arg.substr(s2 + 1)),
                  s2 != std::string_view::npos);
      auth_active_ = true;
      auth_at_ = at;
      p.cmd = Cmd::kAuth;
    }
  } else if (up == "STLS") {
    p.cmd = Cmd::kStls;
  } else if (up == "STAT") {
    p.cmd = Cmd::kStat;
  } else if (up == "LIST") {
    p = {has_arg ? Cmd::kList : Cmd::kListAll, !has_arg};
  } else if (up == "UIDL") {
    p = {has_arg ? Cmd::kOther : Cmd::kUidlAll, !has_arg};
  } else if (up == "RETR") {
    p = {Cmd::kRetr, true};
  } else if (up == "TOP") {
    p = {Cmd::kTop, true};
  } else if (up == "DELE") {
    p.cmd = Cmd::kDele;
  } else if (up == "CAPA") {
    p = {Cmd::kCapa, true};
  }
  if (pending_head_ > 0 && pending_head_ == pending_.size()) pending_.clear(), pending_head_ = 0;
  if (pending_.size() - pending_head_ >= kMaxPending) {
    anomaly("too_many_pending_commands");
    return;
  }
  pending_.push_back(p);
}

void Pop3Analyzer::server_line(std::string_view line, const PacketRef& at) {
  if (in_body_) {
    if (line == ".") {
      in_body_ = false;
      return;
    }
    if (body_cmd_ == Cmd::kRetr || body_cmd_ == Cmd::kTop)
      rec_.retr_bytes += line.size() + 2 - (line.starts_with("..") ? 1 : 0);
    return;
  }
  bool ok = line.starts_with("+OK");
  bool err = line.starts_with("-ERR");
  bool cont = !ok && !err && line.starts_with("+");  // a SASL challenge ("+ " or a bare "+")
  if (!ok && !err && !cont) {
    anomaly("bad_reply_line");
    return;
  }
  std::string_view text = trim(line.substr(ok ? 3 : err ? 4 : 1));
  bool queue_empty = pending_head_ >= pending_.size();
  if (!banner_seen_ && queue_empty && !cont) {
    banner_seen_ = true;
    rec_.banner = std::string(text.substr(0, 1024));
    return;
  }
  banner_seen_ = true;
  if (queue_empty) {
    anomaly("unmatched_reply");
    return;
  }
  Pending p = pending_[pending_head_];
  if (cont) {
    if (p.cmd != Cmd::kAuth) anomaly("unexpected_continuation");
    return;
  }
  ++pending_head_;
  if (ok && p.multiline_on_ok) {
    in_body_ = true;
    body_cmd_ = p.cmd;
  }
  AuthOutcome outcome = ok ? AuthOutcome::kSuccess : AuthOutcome::kFailure;
  switch (p.cmd) {
    case Cmd::kUser:
      if (err && !pass_pending_) login("USER/PASS", user_, {}, false, AuthOutcome::kFailure, line, at);
      break;
    case Cmd::kPass:
      if (pass_pending_) {
        pass_pending_ = false;
        login("USER/PASS", user_, pass_, true, outcome, line, at);
      }
      break;
    case Cmd::kApop:
      login("APOP", rec_.user, {}, false, outcome, line, at);
      break;
    case Cmd::kAuth:
      if (auth_active_) finish_sasl(outcome, line, at);
      break;
    case Cmd::kStls:
      if (ok) {
        rec_.tls = true;
        flush(at);
        done_ = true;
        tls_ = true;
      }
      break;
    case Cmd::kStat:
      if (ok) {
        ++rec_.stat;
        std::string_view t = text;
        size_t sp = t.find(' ');
        int64_t n = 0, bytes = 0;
        if (sp != std::string_view::npos && parse_u64(t.substr(0, sp), n) &&
            parse_u64(t.substr(sp + 1, t.find(' ', sp + 1) - sp - 1), bytes))
          rec_.mailbox_messages = n, rec_.mailbox_bytes = bytes;
      }
      break;
    case Cmd::kList:
    case Cmd::kListAll:
      rec_.list += ok;
      break;
    case Cmd::kRetr:
      rec_.retr += ok;
      break;
    case Cmd::kTop:
      rec_.top += ok;
      break;
    case Cmd::kDele:
      rec_.dele += ok;
      break;
    case Cmd::kCapa:
    case Cmd::kUidlAll:
    case Cmd::kOther:
      break;
  }
}

}  // namespace trawl::proto::pop3
