#include "proto/imap/imap_analyzer.h"

#include <algorithm>

#include "proto/text/mime_words.h"

namespace trawl::proto::imap {

namespace {
using text::iequals;
using text::istarts_with;
using text::trim;

constexpr uint16_t kPorts[] = {143};
constexpr size_t kMaxField = 256;

std::unique_ptr<StreamAnalyzer> make(const AnalyzerContext& ctx) { return std::make_unique<ImapAnalyzer>(ctx); }

constexpr std::string_view kVerbs[] = {
    "CAPABILITY", "NOOP",   "LOGOUT", "STARTTLS", "AUTHENTICATE", "LOGIN",    "SELECT",  "EXAMINE", "CREATE",
    "DELETE",     "RENAME", "SUBSCRIBE", "UNSUBSCRIBE", "LIST", "LSUB",    "STATUS",   "APPEND",  "CHECK",
    "CLOSE",      "EXPUNGE", "SEARCH", "FETCH",   "STORE",  "COPY",     "MOVE",     "UID",      "ID",      "IDLE",
    "ENABLE",     "NAMESPACE", "GETQUOTAROOT", "GETQUOTA", "UNSELECT", "XLIST", "COMPRESS"};

bool known_verb(std::string_view v) {
  for (auto k : kVerbs)
    if (iequals(v, k)) return true;
  return false;
}

// "tag VERB ..." with a verb IMAP has.
bool looks_like_command(std::string_view line) {
  size_t sp = line.find(' ');
  if (sp == std::string_view::npos || sp == 0) return false;
  std::string_view rest = line.substr(sp + 1);
  return known_verb(rest.substr(0, rest.find(' ')));
}

// A line ending in "{n}" or "{n+}": n bytes of literal follow it.
bool literal_at_end(std::string_view line, uint64_t& n) {
  if (line.size() < 3 || line.back() != '}') return false;
  size_t open = line.rfind('{');
  if (open == std::string_view::npos) return false;
  std::string_view digits = line.substr(open + 1, line.size() - open - 2);
  if (!digits.empty() && digits.back() == '+') digits.remove_suffix(1);
  if (digits.empty() || digits.size() > 18) return false;
  uint64_t v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  n = v;
  return true;
}

std::string upper(std::string_view s) {
  std::string u(s.substr(0, 32));
  for (char& c : u)
    if (c >= 'a' && c <= 'z') c = char(c - 32);
  return u;
}
}  // namespace

std::vector<std::string> parse_astrings(std::string_view args, const std::vector<std::string>& literals, size_t max) {
  std::vector<std::string> out;
  size_t i = 0, lit = 0;
  while (out.size() < max) {
    while (i < args.size() && (args[i] == ' ' || args[i] == '(' || args[i] == ')')) ++i;
    if (i >= args.size()) break;
    std::string tok;
    if (args[i] == '"') {
      for (++i; i < args.size() && args[i] != '"'; ++i) {
        if (args[i] == '\\' && i + 1 < args.size()) ++i;
        if (tok.size() < kMaxField) tok += args[i];
      }
      ++i;  // the closing quote
    } else if (args[i] == '{') {
      size_t close = args.find('}', i);
      if (close == std::string_view::npos) close = args.size();
      tok = lit < literals.size() ? literals[lit].substr(0, kMaxField) : std::string();
      ++lit;
      i = close + 1;
    } else {
      size_t e = i;
      while (e < args.size() && args[e] != ' ' && args[e] != '(' && args[e] != ')') ++e;
      tok = std::string(args.substr(i, std::min(e - i, kMaxField)));
      i = e;
    }
    out.push_back(std::move(tok));
  }
  return out;
}

Match probe(std::span<const uint8_t> first_bytes, Dir dir) {
  std::string_view s = as_view(first_bytes);
  std::string_view first = s.substr(0, s.find('\n'));
  if (dir == Dir::kResp) {
    if (!s.starts_with("* OK") && !s.starts_with("* PREAUTH")) return Match::kNo;
    for (size_t i = 0; i + 4 <= first.size(); ++i)
      if (iequals(first.substr(i, 4), "IMAP") || (i + 10 <= first.size() && iequals(first.substr(i, 10), "CAPABILITY")))
        return Match::kYes;
    return Match::kMaybe;
  }
  if (first.empty() || first.back() != '\r') return Match::kNo;
  first.remove_suffix(1);
  size_t sp = first.find(' ');
  if (sp == std::string_view::npos || sp == 0 || sp > 32) return Match::kNo;
  std::string_view verb = first.substr(sp + 1);
  verb = verb.substr(0, verb.find(' '));
  for (std::string_view v : {"CAPABILITY", "LOGIN", "AUTHENTICATE", "STARTTLS", "ID", "NOOP", "LOGOUT", "SELECT"})
    if (iequals(verb, v)) return Match::kYes;
  return Match::kNo;
}

const AnalyzerInfo kImapAnalyzer{"imap", 6, kPorts, &probe, &make, nullptr};

ImapAnalyzer::ImapAnalyzer(const AnalyzerContext& ctx) : ctx_(ctx) {}

void ImapAnalyzer::anomaly(std::string_view a) { add_anomaly(rec_.anomalies, a); }

void ImapAnalyzer::on_data(Dir dir, std::span<const uint8_t> data, const PacketRef& at) {
  if (tls_ || done_) return;
  anything_seen_ = true;
  if (dir == Dir::kOrig) {
    client_.push(data);
    while (!tls_) {
      if (client_literal_left_ > 0) {
        std::string_view b = client_.take(static_cast<size_t>(std::min<uint64_t>(client_literal_left_, SIZE_MAX)));
        if (b.empty()) break;
        client_literal_left_ -= b.size();
        if (!literals_.empty() && literals_.back().size() < kMaxLiteralKept)
          literals_.back().append(b.substr(0, kMaxLiteralKept - literals_.back().size()));
        continue;
      }
      auto l = client_.next_line();
      if (!l) break;
      if (l->truncated) anomaly("long_command_line");
      client_line(l->text, at);
    }
    return;
  }
  server_.push(data);
  while (!tls_) {
    if (server_literal_left_ > 0) {
      std::string_view b = server_.take(static_cast<size_t>(std::min<uint64_t>(server_literal_left_, SIZE_MAX)));
      if (b.empty()) break;
      server_literal_left_ -= b.size();
      continue;
    }
    auto l = server_.next_line();
    if (!l) break;
    if (l->truncated) anomaly("long_reply_line");
    server_line(l->text, at);
  }
}

void ImapAnalyzer::on_gap(Dir dir, uint64_t bytes, const PacketRef& at) {
  if (tls_ || done_) return;
  if (dir == Dir::kOrig) {
    client_.clear();
    anomaly("gap_in_commands");
    if (client_literal_left_ > 0) {
      client_literal_left_ = bytes >= client_literal_left_ ? 0 : client_literal_left_ - bytes;
      return;
    }
    cmd_open_ = false;  // whatever was being assembled is lost
    return;
  }
  server_.clear();
  anomaly("gap_in_replies");
  server_literal_left_ = 0;  // cannot tell where we are: resynchronise on the next line
  server_continues_ = false;
  (void)at;
}

void ImapAnalyzer::on_end(const PacketRef& at) {
  if (done_) return;
  flush(at);
  done_ = true;
}

void ImapAnalyzer::flush(const PacketRef& at) {
  if (cmd_open_) {
    if (client_literal_left_ > 0) anomaly("unterminated_literal");
    command_done(at);
  }
  for (auto& p : pending_) {
    if (p.kind == Kind::kLogin) login(p, "LOGIN", AuthOutcome::kUnknown, {}, p.at);
    if (p.kind == Kind::kAuthenticate && auth_active_ && p.tag == auth_tag_) {
      auth_active_ = false;
      p.user = sasl_.user, p.password = sasl_.password, p.password_seen = sasl_.password_seen;
      login(p, "AUTHENTICATE " + sasl_.mechanism, AuthOutcome::kUnknown, {}, p.at);
    }
  }
  pending_.clear();
  if (!anything_seen_) return;
  rec_.origin = ctx_.origin(at);
  if (ctx_.sink) ctx_.sink->emit(rec_);
}

void ImapAnalyzer::login(const Pending& p, std::string_view method, AuthOutcome outcome, std::string_view reply,
                         const PacketRef& at) {
  AuthRecord a;
  a.origin = ctx_.origin(at);
  a.app = "imap";
  a.method = std::string(method);
  a.user = p.user;
  a.password = p.password;
  a.password_seen = p.password_seen;
  a.outcome = outcome;
  a.reply = std::string(reply.substr(0, 512));
  ++rec_.auth_attempts;
  if (!p.user.empty()) rec_.user = p.user;
  if (outcome == AuthOutcome::kSuccess) rec_.auth_success = true;
  if (ctx_.sink) ctx_.sink->emit(a);
}

void ImapAnalyzer::client_line(std::string_view line, const PacketRef& at) {
  if (auth_active_ && !cmd_open_) {
    // SASL responses until the tagged reply; a command here means that reply was not captured.
    bool over = false;
    if (sasl_.complete() && looks_like_command(line)) {
      over = true;
    } else if (sasl_.client_line(line)) {
      return;
    } else if (sasl_.complete() || looks_like_command(line)) {
      over = true;
    } else {
      anomaly("bad_sasl_response");
      return;
    }
    if (over) {
      for (auto it = pending_.begin(); it != pending_.end(); ++it) {
        if (it->kind != Kind::kAuthenticate || it->tag != auth_tag_) continue;
        Pending p = std::move(*it);
        pending_.erase(it);
        p.user = sasl_.user, p.password = sasl_.password, p.password_seen = sasl_.password_seen;
        login(p, "AUTHENTICATE " + sasl_.mechanism, AuthOutcome::kUnknown, {}, p.at);
        break;
      }
      auth_active_ = false;
    }
  }
  if (!cmd_open_) {
    cmd_text_.clear();
    literals_.clear();
    literal_cut_ = false;
    cmd_open_ = true;
  }
  if (cmd_text_.size() + line.size() > kMaxCommandText) {
    anomaly("long_command");
    cmd_text_.append(line.substr(0, kMaxCommandText - std::min(kMaxCommandText, cmd_text_.size())));
  } else {
    cmd_text_.append(line);
  }
  uint64_t n = 0;
  if (literal_at_end(line, n)) {
    client_literal_left_ = n;
    if (literals_.size() < 16) literals_.emplace_back();
    else anomaly("too_many_literals");
    return;  // the command goes on after the literal
  }
  command_done(at);
}

void ImapAnalyzer::command_done(const PacketRef& at) {
  cmd_open_ = false;
  client_literal_left_ = 0;
  std::string_view text = cmd_text_;
  size_t sp = text.find(' ');
  std::string_view tag = text.substr(0, sp);
  std::string_view rest = sp == std::string_view::npos ? std::string_view() : text.substr(sp + 1);
  size_t sp2 = rest.find(' ');
  std::string verb = upper(rest.substr(0, sp2));
  std::string_view args = sp2 == std::string_view::npos ? std::string_view() : rest.substr(sp2 + 1);
  bool ok = !tag.empty() && tag.size() <= 64 && !verb.empty();
  for (char c : tag) ok = ok && static_cast<uint8_t>(c) > 0x20 && static_cast<uint8_t>(c) < 0x7f;
  for (char c : verb) ok = ok && ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_');
  if (!ok) {
    if (!text.empty()) anomaly("non_imap_command");
    return;
  }
  if (verb == "UID") {
    size_t sp3 = args.find(' ');
    verb += " " + upper(args.substr(0, sp3));
    args = sp3 == std::string_view::npos ? std::string_view() : args.substr(sp3 + 1);
  }
  if (rec_.commands.size() < kMaxCommands) rec_.commands.push_back(verb);
  else anomaly("too_many_commands");
  Pending p;
  p.tag = std::string(tag);
  p.at = at;
  if (verb == "LOGIN") {
    auto a = parse_astrings(args, literals_, 2);
    p.kind = Kind::kLogin;
    if (!a.empty()) p.user = a[0];
    if (a.size() > 1) p.password = a[1], p.password_seen = true;
  } else if (verb == "AUTHENTICATE") {
    std::string_view a = trim(args);
    size_t s = a.find(' ');
    sasl_.start(a.substr(0, s), s == std::string_view::npos ? std::string_view() : trim(a.substr(s + 1)),
                s != std::string_view::npos);
    auth_active_ = true;
    auth_tag_ = p.tag;
    p.kind = Kind::kAuthenticate;
  } else if (verb == "STARTTLS") {
    p.kind = Kind::kStartTls;
  } else if (verb == "SELECT" || verb == "EXAMINE") {
    auto a = parse_astrings(args, literals_, 1);
    if (!a.empty() && std::find(rec_.mailboxes.begin(), rec_.mailboxes.end(), a[0]) == rec_.mailboxes.end()) {
      if (rec_.mailboxes.size() < kMaxMailboxes) rec_.mailboxes.push_back(a[0]);
      else anomaly("too_many_mailboxes");
    }
  }
  if (pending_.size() >= kMaxPending) {
    anomaly("too_many_pending_commands");
    pending_.erase(pending_.begin());
  }
  pending_.push_back(std::move(p));
}

void ImapAnalyzer::server_line(std::string_view line, const PacketRef& at) {
  bool continued = server_continues_;
  uint64_t n = 0;
  server_continues_ = literal_at_end(line, n);
  if (server_continues_) server_literal_left_ = n;
  if (continued) return;  // the rest of a response interrupted by a literal
  bool first = !banner_seen_;
  banner_seen_ = true;
  if (line.starts_with("+")) return;  // a continuation request (or a SASL challenge)
  if (line.starts_with("* ")) {
    if (first && (line.starts_with("* OK") || line.starts_with("* PREAUTH") || line.starts_with("* BYE")))
      rec_.banner = std::string(line.substr(2, 1024));
    return;
  }
  size_t sp = line.find(' ');
  if (sp == std::string_view::npos || sp == 0) {
    anomaly("bad_response_line");
    return;
  }
  std::string_view tag = line.substr(0, sp);
  std::string_view rest = line.substr(sp + 1);
  std::string status = upper(rest.substr(0, rest.find(' ')));
  if (status != "OK" && status != "NO" && status != "BAD") {
    anomaly("bad_response_line");
    return;
  }
  tagged(tag, status, line, at);
}

void ImapAnalyzer::tagged(std::string_view tag, std::string_view status, std::string_view line, const PacketRef& at) {
  // The server refused a command while its client waited to send a literal: the literal never comes.
  if (cmd_open_ && std::string_view(cmd_text_).substr(0, cmd_text_.find(' ')) == tag) command_done(at);
  auto it = std::find_if(pending_.begin(), pending_.end(), [&](const Pending& p) { return p.tag == tag; });
  if (it == pending_.end()) {
    anomaly("unmatched_tagged_reply");
    return;
  }
  Pending p = std::move(*it);
  pending_.erase(it);
  AuthOutcome outcome = status == "OK" ? AuthOutcome::kSuccess : AuthOutcome::kFailure;
  switch (p.kind) {
    case Kind::kLogin:
      login(p, "LOGIN", outcome, line, at);
      break;
    case Kind::kAuthenticate:
      if (auth_active_ && auth_tag_ == p.tag) {
        auth_active_ = false;
        p.user = sasl_.user, p.password = sasl_.password, p.password_seen = sasl_.password_seen;
        login(p, "AUTHENTICATE " + sasl_.mechanism, outcome, line, at);
      }
      break;
    case Kind::kStartTls:
      if (outcome == AuthOutcome::kSuccess) {
        rec_.tls = true;
        flush(at);
        done_ = true;
        tls_ = true;
      }
      break;
    case Kind::kOther:
      break;
  }
}

}  // namespace trawl::proto::imap
