#include "proto/smtp/smtp_analyzer.h"

#include <algorithm>

#include "proto/text/mime_words.h"

namespace trawl::proto::smtp {

namespace {
using text::iequals;
using text::istarts_with;
using text::trim;

constexpr uint16_t kPorts[] = {25, 587, 2525};

std::unique_ptr<StreamAnalyzer> make(const AnalyzerContext& ctx) { return std::make_unique<SmtpAnalyzer>(ctx); }

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// "FROM:<a@b> SIZE=1" -> "a@b"; "TO: <x>" -> "x"; a bare address is taken up to the first space.
std::string path_arg(std::string_view arg) {
  size_t colon = arg.find(':');
  std::string_view v = trim(colon == std::string_view::npos ? arg : arg.substr(colon + 1));
  if (!v.empty() && v.front() == '<') {
    size_t gt = v.find('>');
    return std::string(v.substr(1, gt == std::string_view::npos ? v.size() - 1 : gt - 1).substr(0, 1024));
  }
  return std::string(v.substr(0, std::min(v.find(' '), size_t{1024})));
}

bool known_verb(std::string_view line) {
  static constexpr std::string_view kVerbs[] = {"HELO ", "EHLO ", "MAIL FROM", "RCPT TO", "DATA", "RSET", "QUIT",
                                                "NOOP", "STARTTLS", "AUTH ", "BDAT ", "VRFY ", "EXPN "};
  for (auto v : kVerbs)
    if (istarts_with(line, v)) return true;
  return false;
}
}  // namespace

Match probe(std::span<const uint8_t> first_bytes, Dir dir) {
  std::string_view s = as_view(first_bytes);
  std::string_view first = s.substr(0, s.find('\n'));
  if (dir == Dir::kResp) {
    if (s.size() < 4 || s.substr(0, 3) != "220" || (s[3] != ' ' && s[3] != '-')) return Match::kNo;
    // FTP greets with 220 too; the SMTP words settle it.
    for (size_t i = 0; i + 4 <= first.size(); ++i)
      if (iequals(first.substr(i, 4), "SMTP")) return Match::kYes;
    return Match::kMaybe;
  }
  if (s.size() >= 5 && (istarts_with(s, "EHLO ") || istarts_with(s, "HELO "))) return Match::kYes;
  return Match::kNo;
}

const AnalyzerInfo kSmtpAnalyzer{"smtp", 6, kPorts, &probe, &make, nullptr};

SmtpAnalyzer::SmtpAnalyzer(const AnalyzerContext& ctx) : ctx_(ctx) { pending_.reserve(16); }

void SmtpAnalyzer::anomaly(std::string_view a) { add_anomaly(rec_.anomalies, a); }

void SmtpAnalyzer::on_data(Dir dir, std::span<const uint8_t> data, const PacketRef& at) {
  if (tls_ || done_) return;
  last_at_ = at;
  anything_seen_ = true;
  if (dir == Dir::kResp) {
    server_.push(data);
    while (!tls_) {
      auto l = server_.next_line();
      if (!l) break;
      server_line(l->text, l->truncated, at);
    }
    return;
  }
  client_.push(data);
  while (!tls_) {
    if (bdat_left_ > 0) {
      std::string_view b = client_.take(static_cast<size_t>(std::min<uint64_t>(bdat_left_, SIZE_MAX)));
      if (b.empty()) break;
      bdat_bytes(b, at);
      continue;
    }
    auto l = client_.next_line();
    if (!l) break;
    client_line(*l, at);
  }
}

void SmtpAnalyzer::on_gap(Dir dir, uint64_t bytes, const PacketRef& at) {
  (void)bytes;
  if (tls_ || done_) return;
  last_at_ = at;
  if (dir == Dir::kOrig) {
    client_.clear();
    if (in_data_ || bdat_left_ > 0) anomaly("gap_in_message");
    else anomaly("gap_in_commands");
    if (bdat_left_ > 0) bdat_left_ = bytes >= bdat_left_ ? 0 : bdat_left_ - bytes;
    return;
  }
  // Replies were lost: the commands waiting for them will never be answered in a way we can pair.
  server_.clear();
  in_reply_ = false;
  anomaly("gap_in_replies");
  pending_.clear();
  pending_head_ = 0;
  if (auth_active_) finish_auth(AuthOutcome::kUnknown, {}, at);
}

void SmtpAnalyzer::on_end(const PacketRef& at) {
  if (done_) return;
  flush(at);
  done_ = true;
}

void SmtpAnalyzer::flush(const PacketRef& at) {
  if (auth_active_) finish_auth(AuthOutcome::kUnknown, {}, at);
  if (ended_pending_) {
    ended_pending_ = false;
    emit(ended_, at);
  }
  if (in_data_ || bdat_left_ > 0) anomaly("unterminated_message");
  if (rec_.has_message && !message_.finished()) {
    message_.finish();
    rec_.mail = message_.summary();
  }
  in_data_ = false;
  bdat_left_ = 0;
  // After the last transaction only a QUIT (or RSET, NOOP) usually follows: not worth a record.
  bool tail = false;
  for (const auto& c : rec_.commands) tail = tail || (c != "QUIT" && c != "RSET" && c != "NOOP");
  if (in_transaction() || (records_ == 0 && anything_seen_) || tail) emit(at);
}

void SmtpAnalyzer::emit(SmtpRecord& r, const PacketRef& at) {
  r.origin = ctx_.origin(at);
  r.trans_depth = ++records_;
  if (ctx_.sink) ctx_.sink->emit(r);
  r.clear();
  if (&r == &rec_) {
    mail_seen_ = false;
    message_.reset();
  }
}

void SmtpAnalyzer::push_pending(Cmd c) {
  if (pending_head_ > 0 && pending_head_ == pending_.size()) {
    pending_.clear();
    pending_head_ = 0;
  }
  if (pending_.size() - pending_head_ >= kMaxPending) {
    anomaly("too_many_pending_commands");
    return;
  }
  pending_.push_back(c);
}

void SmtpAnalyzer::finish_auth(AuthOutcome outcome, std::string_view reply, const PacketRef& at) {
  auth_active_ = false;
  AuthRecord a;
  a.origin = ctx_.origin(outcome == AuthOutcome::kUnknown ? auth_at_ : at);
  a.app = "smtp";
  a.method = "AUTH " + sasl_.mechanism;
  a.user = sasl_.user;
  a.password = sasl_.password;
  a.password_seen = sasl_.password_seen;
  a.outcome = outcome;
  a.reply = std::string(reply.substr(0, 512));
  if (sasl_.cancelled) a.reply = a.reply.empty() ? "cancelled by client" : a.reply;
  if (outcome == AuthOutcome::kSuccess) {
    rec_.auth_method = a.method;
    rec_.auth_user = a.user;
  }
  if (ctx_.sink) ctx_.sink->emit(a);
}

void SmtpAnalyzer::client_line(const text::Line& l, const PacketRef& at) {
  std::string_view line = l.text;
  bool truncated = l.truncated;
  if (in_data_) {
    if (truncated) anomaly("long_line_in_message");
    data_line(line, l.eol, at);
    return;
  }
  if (truncated) anomaly("long_command_line");
  if (auth_active_) {
    // The exchange goes on until the server's final reply. A command here means that reply was not
    // captured and the exchange is over.
    if (sasl_.complete() && known_verb(line)) {
      finish_auth(AuthOutcome::kUnknown, {}, at);
    } else if (sasl_.client_line(line)) {
      return;
    } else if (sasl_.complete()) {
      finish_auth(AuthOutcome::kUnknown, {}, at);
    } else {
      anomaly("bad_sasl_response");
      return;
    }
  }
  if (data_pending_) {
    // The client only sends after a 354, so the reply was not captured (or is still in flight).
    data_pending_ = false;
    in_data_ = true;
    rec_.has_message = true;
    data_line(line, l.eol, at);
    return;
  }
  command(line, at);
}

void SmtpAnalyzer::command(std::string_view line, const PacketRef& at) {
  if (line.empty()) return;
  size_t sp = line.find(' ');
  std::string_view verb = line.substr(0, sp);
  std::string_view arg = sp == std::string_view::npos ? std::string_view() : trim(line.substr(sp + 1));
  std::string up(verb.substr(0, 16));
  bool printable = !up.empty();
  for (char& c : up) {
    if (c >= 'a' && c <= 'z') c = char(c - 32);
    if (static_cast<uint8_t>(c) < 0x21 || static_cast<uint8_t>(c) > 0x7e) printable = false;
  }
  if (!printable) {
    anomaly("non_smtp_command");
    return;
  }
  if (up == "MAIL" || up == "RSET" || up == "QUIT" || up == "HELO" || up == "EHLO") {
    // A new transaction (or its abandonment) closes the one in progress.
    if (in_transaction()) emit(at);
  }
  if (rec_.commands.size() < kMaxCommands) rec_.commands.push_back(up);
  else anomaly("too_many_commands");
  if (up == "HELO" || up == "EHLO") {
    rec_.helo = std::string(arg.substr(0, 1024));
    push_pending(Cmd::kHelo);
  } else if (up == "MAIL") {
    mail_seen_ = true;
    rec_.mailfrom = path_arg(arg);
    push_pending(Cmd::kMail);
  } else if (up == "RCPT") {
    if (rec_.rcptto.size() < kMaxRcpt) rec_.rcptto.push_back(path_arg(arg));
    else anomaly("too_many_rcpt");
    push_pending(Cmd::kRcpt);
  } else if (up == "DATA") {
    data_pending_ = true;
    push_pending(Cmd::kData);
  } else if (up == "BDAT") {
    // BDAT <size> [LAST]: exactly size bytes of message follow the command line.
    std::string_view n = arg.substr(0, arg.find(' '));
    uint64_t size = 0;
    bool ok = !n.empty() && n.size() <= 15;
    for (char c : n) ok = ok && is_digit(c), size = size * 10 + static_cast<uint64_t>(c - '0');
    if (!ok) {
      anomaly("bad_bdat");
      push_pending(Cmd::kOther);
      return;
    }
    bdat_last_ = arg.size() > n.size() && iequals(trim(arg.substr(n.size())), "LAST");
    if (!rec_.has_message) {
      rec_.has_message = true;
      message_.reset();
      bdat_lines_.clear();
    }
    bdat_left_ = size;
    push_pending(bdat_last_ ? Cmd::kBdatLast : Cmd::kBdat);
    if (size == 0 && bdat_last_) end_message(Cmd::kBdatLast, at);
  } else if (up == "AUTH") {
    if (auth_active_) finish_auth(AuthOutcome::kUnknown, {}, at);
    size_t s2 = arg.find(' ');
    std::string_view mech = arg.substr(0, s2);
    std::string_view initial = s2 == std::string_view::npos ? std::string_view() : trim(arg.substr(s2 + 1));
    sasl_.start(mech, initial, s2 != std::string_view::npos);
    auth_active_ = true;
    auth_at_ = at;
    push_pending(Cmd::kAuth);
  } else if (up == "STARTTLS") {
    push_pending(Cmd::kStartTls);
  } else {
    push_pending(Cmd::kOther);
  }
}

void SmtpAnalyzer::data_line(std::string_view line, size_t eol, const PacketRef& at) {
  if (line == ".") {
    in_data_ = false;
    end_message(Cmd::kDataEnd, at);
    return;
  }
  if (!line.empty() && line[0] == '.') line.remove_prefix(1);  // dot-stuffing
  rec_.msg_size += line.size() + eol;
  message_.line(line);
}

void SmtpAnalyzer::bdat_bytes(std::string_view bytes, const PacketRef& at) {
  bdat_left_ -= bytes.size();
  rec_.msg_size += bytes.size();
  bdat_lines_.push(bytes);
  while (auto l = bdat_lines_.next_line()) message_.line(l->text);
  if (bdat_left_ == 0 && bdat_last_) end_message(Cmd::kBdatLast, at);
}

void SmtpAnalyzer::end_message(Cmd pending, const PacketRef& at) {
  message_.finish();
  rec_.mail = message_.summary();
  if (pending == Cmd::kDataEnd) push_pending(Cmd::kDataEnd);
  // The transaction is complete but for the server's verdict, which may come after pipelined commands
  // of the next one: park it.
  if (ended_pending_) {
    ended_.anomalies.emplace_back("no_reply_to_message");
    emit(ended_, at);
  }
  std::swap(rec_, ended_);
  ended_pending_ = true;
  rec_.clear();
  rec_.banner = ended_.banner, rec_.helo = ended_.helo, rec_.tls = ended_.tls;
  rec_.auth_method = ended_.auth_method, rec_.auth_user = ended_.auth_user;
  mail_seen_ = false;
  message_.reset();
}

void SmtpAnalyzer::server_line(std::string_view line, bool truncated, const PacketRef& at) {
  if (truncated) anomaly("long_reply_line");
  if (line.size() < 3 || !is_digit(line[0]) || !is_digit(line[1]) || !is_digit(line[2]) ||
      (line.size() > 3 && line[3] != ' ' && line[3] != '-')) {
    anomaly("bad_reply_line");
    return;
  }
  uint32_t code = static_cast<uint32_t>((line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0'));
  if (!in_reply_) {
    in_reply_ = true;
    reply_code_ = code;
    reply_first_.assign(line.substr(0, 1024));
  }
  if (line.size() > 3 && line[3] == '-') return;  // more lines follow
  in_reply_ = false;
  reply(reply_code_, reply_first_, at);
}

void SmtpAnalyzer::reply(uint32_t code, std::string_view first_line, const PacketRef& at) {
  std::string_view text = first_line.size() > 4 ? first_line.substr(4) : std::string_view();
  bool queue_empty = pending_head_ >= pending_.size();
  if (!banner_seen_ && (queue_empty || code == 220 || code == 554 || code == 421) &&
      (queue_empty || pending_[pending_head_] != Cmd::kStartTls)) {
    banner_seen_ = true;
    rec_.banner = std::string(text);
    return;
  }
  banner_seen_ = true;
  if (queue_empty) {
    if (code != 421) anomaly("unmatched_reply");
    rec_.last_reply = std::string(first_line);
    return;
  }
  Cmd cmd = pending_[pending_head_];
  if (cmd == Cmd::kAuth && code == 334) return;  // a SASL challenge; the exchange goes on
  ++pending_head_;
  switch (cmd) {
    case Cmd::kAuth:
      if (auth_active_)
        finish_auth(code >= 200 && code < 300 ? AuthOutcome::kSuccess : AuthOutcome::kFailure, first_line, at);
      break;
    case Cmd::kData:
      data_pending_ = false;
      if (code == 354) {
        if (!in_data_) {
          in_data_ = true;
          rec_.has_message = true;
          message_.reset();
        }
      } else {
        rec_.status = code;
        rec_.last_reply = std::string(first_line);
      }
      break;
    case Cmd::kDataEnd:
    case Cmd::kBdatLast:
      if (ended_pending_) {
        ended_pending_ = false;
        ended_.status = code;
        ended_.last_reply = std::string(first_line);
        emit(ended_, at);
      }
      break;
    case Cmd::kStartTls:
      if (code == 220) {
        rec_.tls = true;
        rec_.last_reply = std::string(first_line);
        flush(at);
        tls_ = true;  // every byte from here on is TLS
      }
      break;
    case Cmd::kMail:
    case Cmd::kRcpt:
    case Cmd::kBdat:
      if (code >= 400) {
        rec_.status = code;
        rec_.last_reply = std::string(first_line);
      }
      break;
    case Cmd::kHelo:
    case Cmd::kOther:
      break;
  }
}

}  // namespace trawl::proto::smtp
