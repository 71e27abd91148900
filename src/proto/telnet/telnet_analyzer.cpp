#include "proto/telnet/telnet_analyzer.h"

#include <array>
#include <utility>

namespace trawl::proto::telnet {

namespace {
constexpr uint16_t kPorts[] = {23};

std::unique_ptr<StreamAnalyzer> make(const AnalyzerContext& ctx) { return std::make_unique<TelnetAnalyzer>(ctx); }

// Lower-cased copy of s into a fixed buffer (s is at most TelnetAnalyzer::kMaxLine long).
struct Lower {
  std::array<char, TelnetAnalyzer::kMaxLine + 1> buf{};
  size_t n = 0;
  explicit Lower(std::string_view s) {
    n = std::min(s.size(), buf.size());
    for (size_t i = 0; i < n; ++i) {
      char c = s[i];
      buf[i] = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    }
  }
  std::string_view view() const { return {buf.data(), n}; }
  bool has(std::string_view w) const { return view().find(w) != std::string_view::npos; }
};

std::string_view trim_right(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\0'))
    s.remove_suffix(1);
  return s;
}

std::string_view trim(std::string_view s) {
  s = trim_right(s);
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

constexpr std::string_view kFailurePhrases[] = {
    "login incorrect",  "incorrect login",    "login failed",     "authentication fail", "access denied",
    "permission denied", "invalid login",     "invalid password", "incorrect password",  "bad password",
    "login invalid",    "authorization failed", "wrong password",
};
constexpr std::string_view kSuccessPhrases[] = {"last login", "welcome", "last successful login"};
// Words that make a line after the password no sign of success, even when no failure phrase matches.
constexpr std::string_view kDoubtWords[] = {"incorrect", "invalid", "denied", "fail", "bad ", "wrong", "error",
                                            "expired", "locked", "disabled", "not ", "try again", "refused"};
}  // namespace

Match probe(std::span<const uint8_t> b, Dir) {
  // IAC followed by WILL/WONT/DO/DONT <option> or SB.
  auto is_cmd = [&](size_t i) { return i + 1 < b.size() && b[i] == 255 && b[i + 1] >= 250 && b[i + 1] <= 254; };
  if (!is_cmd(0)) return Match::kNo;
  if (b[1] != 250 && is_cmd(3)) return Match::kYes;
  return Match::kMaybe;
}

const AnalyzerInfo kTelnetAnalyzer{"telnet", 6, kPorts, &probe, &make, nullptr};

TelnetAnalyzer::TelnetAnalyzer(const AnalyzerContext& ctx) : ctx_(ctx) {
  server_line_.reserve(kMaxLine + 1);
  client_line_.reserve(kMaxLine + 1);
}

void TelnetAnalyzer::on_data(Dir dir, std::span<const uint8_t> data, const PacketRef& at) {
  if (done_) return;
  if (dir == Dir::kResp) server_iac_.feed(data, [&](char c) { server_char(c, at); });
  else client_iac_.feed(data, [&](char c) { client_char(c, at); });
}

void TelnetAnalyzer::on_gap(Dir dir, uint64_t, const PacketRef&) {
  if (dir == Dir::kResp) {
    server_iac_.reset();
    server_line_.clear();
  } else {
    client_iac_.reset();
    client_line_.clear();
    client_in_line_ = false;
  }
}

void TelnetAnalyzer::server_char(char c, const PacketRef& at) {
  server_replied_ |= await_ == Await::kOutcome;
  if (c == '\n') {
    server_line_done(at);
    server_line_.clear();
    return;
  }
  if (c == '\r' || c == '\0') return;
  if (server_line_.size() >= kMaxLine) server_line_.erase(0, kMaxLine / 2);  // keep the tail: prompts end lines
  server_line_.push_back(c);
}

void TelnetAnalyzer::server_line_done(const PacketRef& at) {
  const bool prompt_line = std::exchange(prompt_line_open_, false);
  if (await_ == Await::kNothing) return;
  Lower l(server_line_);
  for (auto p : kFailurePhrases)
    if (l.has(p)) return decide(AuthOutcome::kFailure, server_line_, at);
  for (auto p : kSuccessPhrases)
    if (l.has(p)) return decide(AuthOutcome::kSuccess, server_line_, at);
  // Text after the password: kept, and a success only if the session ends with nothing against it.
  if (await_ != Await::kOutcome || prompt_line || !after_password_.empty() || trim(server_line_).empty()) return;
  for (auto w : kDoubtWords)
    if (l.has(w)) return;
  after_password_.assign(trim(server_line_));
}

TelnetAnalyzer::Prompt TelnetAnalyzer::classify_tail() const {
  std::string_view t = trim_right(server_line_);
  if (t.empty()) return Prompt::kNone;
  Lower l(t);
  std::string_view s = l.view();
  if (s.back() == ':') {
    if (l.has("password") || l.has("passcode") || l.has("passwd")) return Prompt::kPassword;
    if (l.has("last login")) return Prompt::kNone;
    for (std::string_view p : {"login:", "username:", "user name:", "user:", "login name:", "userid:"})
      if (ends_with(s, p)) return Prompt::kUser;
    return Prompt::kNone;
  }
  if (s.back() == '$' || s.back() == '#' || s.back() == '>' || s.back() == '%') return Prompt::kShell;
  return Prompt::kNone;
}

void TelnetAnalyzer::client_char(char c, const PacketRef& at) {
  if (client_after_cr_ && (c == '\n' || c == '\0')) {  // CR LF and CR NUL end one line
    client_after_cr_ = false;
    return;
  }
  client_after_cr_ = c == '\r';
  switch (c) {
    case '\r':
    case '\n':
      if (!client_in_line_) client_line_start(at);
      client_line_done(at);
      return;
    case '\b':
    case 0x7f:
      if (!client_line_.empty()) client_line_.pop_back();
      return;
    case 0x15:  // ^U: erase the line
      client_line_.clear();
      return;
    case 0x03:  // ^C, ^D: the line is abandoned
    case 0x04:
      client_line_.clear();
      client_in_line_ = false;
      return;
    default:
      break;
  }
  if (static_cast<unsigned char>(c) < 0x20 && c != '\t') return;  // other controls (ESC sequences' lead)
  if (!client_in_line_) client_line_start(at);
  if (client_line_.size() < kMaxLine) client_line_.push_back(c);
}

void TelnetAnalyzer::client_line_start(const PacketRef& at) {
  client_in_line_ = true;
  client_line_.clear();
  // What the client answers is what the server showed last, before any echo of this line.
  line_prompt_ = classify_tail();
  if (await_ == Await::kOutcome) {
    if (line_prompt_ == Prompt::kShell) decide(AuthOutcome::kSuccess, trim(server_line_), at);
    else if (line_prompt_ == Prompt::kUser || line_prompt_ == Prompt::kPassword)
      decide(AuthOutcome::kFailure, trim(server_line_), at);  // asked again: the last one failed
  } else if (await_ == Await::kUserGiven) {
    if (line_prompt_ == Prompt::kShell) decide(AuthOutcome::kSuccess, trim(server_line_), at);
    else if (line_prompt_ == Prompt::kUser) decide(AuthOutcome::kFailure, trim(server_line_), at);
  }
}

void TelnetAnalyzer::client_line_done(const PacketRef& at) {
  client_in_line_ = false;
  std::string_view line = client_line_;
  if (line_prompt_ == Prompt::kUser && !trim(line).empty()) {
    user_.assign(trim(line));
    password_.clear();
    password_seen_ = false;
    await_ = Await::kUserGiven;
    attempt_at_ = at;
  } else if (line_prompt_ == Prompt::kPassword) {
    password_.assign(line);
    password_seen_ = true;
    after_password_.clear();
    server_replied_ = false;
    prompt_line_open_ = true;
    await_ = Await::kOutcome;
    attempt_at_ = at;
  }
  line_prompt_ = Prompt::kNone;
  client_line_.clear();
}

void TelnetAnalyzer::decide(AuthOutcome o, std::string_view reply, const PacketRef& at) {
  if (attempts_ < kMaxAttempts) {
    ++attempts_;
    AuthRecord a;
    a.origin = ctx_.origin(at);
    a.app = "telnet";
    a.user = user_;
    a.password = password_;
    a.password_seen = password_seen_;
    a.method = "login prompt";
    a.outcome = o;
    a.reply = std::string(trim(reply));
    a.confidence = "low";  // text heuristics, see the header
    if (ctx_.sink) ctx_.sink->emit(a);
  }
  await_ = Await::kNothing;
  user_.clear();
  password_.clear();
  password_seen_ = false;
  after_password_.clear();
  server_replied_ = false;
}

void TelnetAnalyzer::on_end(const PacketRef& at) {
  if (done_) return;
  done_ = true;
  if (await_ == Await::kNothing) return;
  server_line_done(at);  // a last line without its newline
  if (await_ == Await::kNothing) return;
  switch (classify_tail()) {
    case Prompt::kShell: return decide(AuthOutcome::kSuccess, trim(server_line_), at);
    case Prompt::kUser:
    case Prompt::kPassword:  // asked again (not the prompt the password answered), and the client gave up
      if (await_ == Await::kOutcome && server_replied_) return decide(AuthOutcome::kFailure, trim(server_line_), at);
      break;
    case Prompt::kNone:
      if (await_ == Await::kOutcome && !after_password_.empty()) {
        std::string reply = after_password_;  // decide() clears it
        return decide(AuthOutcome::kSuccess, reply, at);
      }
      break;
  }
  decide(AuthOutcome::kUnknown, {}, at);
}

}  // namespace trawl::proto::telnet
