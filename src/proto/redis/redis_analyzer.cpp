#include "proto/redis/redis_analyzer.h"

#include <algorithm>

namespace trawl::proto::redis {

namespace {
constexpr uint16_t kPorts[] = {6379};

std::unique_ptr<StreamAnalyzer> make(const AnalyzerContext& ctx) { return std::make_unique<RedisAnalyzer>(ctx); }

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x >= 'a' && x <= 'z' ? char(x - 32) : x) == y;
         });
}

// Commands whose RESP array form names Redis for sure (b is upper case).
constexpr std::string_view kCommands[] = {
    "AUTH", "HELLO", "PING", "INFO", "SELECT", "CLIENT", "COMMAND", "CONFIG", "GET", "SET", "KEYS", "SCAN",
    "DBSIZE", "FLUSHALL", "FLUSHDB", "SLAVEOF", "REPLICAOF", "MODULE", "EVAL", "SUBSCRIBE", "PUBLISH",
    "MONITOR", "ECHO", "EXISTS", "DEL", "HGETALL", "LRANGE", "MULTI", "QUIT", "SAVE", "ACL", "CLUSTER"};
bool known_command(std::string_view name) {
  return std::any_of(std::begin(kCommands), std::end(kCommands), [&](auto c) { return iequals(name, c); });
}

// Replies a pub/sub or replication stream answers with: no more request/reply pairing after them.
bool stream_command(std::string_view name) {
  for (std::string_view c : {"SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "MONITOR", "SYNC", "PSYNC"})
    if (iequals(name, c)) return true;
  return false;
}
}  // namespace

Match probe(std::span<const uint8_t> b, Dir dir) {
  std::string_view s(reinterpret_cast<const char*>(b.data()), b.size());
  if (dir == Dir::kResp) {
    for (std::string_view r : {"+PONG\r\n", "-NOAUTH ", "-WRONGPASS ", "-DENIED Redis "})
      if (s.starts_with(r)) return Match::kYes;
    return Match::kNo;
  }
  if (s.starts_with("*")) {
    // *N CRLF $M CRLF NAME CRLF: read it with the real reader on a copy of the window.
    RespReader r;
    r.push(b);
    RespValue v;
    r.next(v);  // the command's name is there even when its arguments are not yet
    std::string_view name = v.item(0);
    if (v.type != '*' || name.empty() || name.size() > 32) return Match::kNo;
    for (char c : name)
      if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == '.' || c == '|')) return Match::kNo;
    return known_command(name) ? Match::kYes : Match::kMaybe;
  }
  size_t eol = s.find("\r\n");
  if (eol == std::string_view::npos) return Match::kNo;
  std::string_view verb = s.substr(0, std::min(eol, s.find(' ')));
  for (std::string_view c : {"AUTH", "PING", "INFO", "HELLO"})
    if (iequals(verb, c)) return Match::kMaybe;  // inline commands: AUTH is POP3's too
  return Match::kNo;
}

const AnalyzerInfo kRedisAnalyzer{"redis", 6, kPorts, &probe, &make, nullptr};

RedisAnalyzer::RedisAnalyzer(const AnalyzerContext& ctx) : ctx_(ctx) {}

void RedisAnalyzer::on_data(Dir dir, std::span<const uint8_t> data, const PacketRef& at) {
  if (done_) return;
  RespReader& r = readers_[int(dir)];
  r.push(data);
  while (!done_ && r.next(value_)) {
    if (dir == Dir::kOrig) command(value_, at);
    else reply(value_, at);
  }
  if (r.broken()) stop(at);  // not RESP (any more): no pairing can be trusted
}

void RedisAnalyzer::command(const RespValue& v, const PacketRef& at) {
  if (!v.kept || (v.type != '*' && v.type != 0)) return;
  std::string_view name = v.item(0);
  Pending p;
  p.at = at;
  if (iequals(name, "AUTH") && (v.count == 2 || v.count == 3) && v.kept == v.count) {
    p.cmd = Cmd::kAuth;
    if (v.count == 3) p.user = v.item(1);
    p.password = v.item(v.count - 1);
  } else if (iequals(name, "HELLO")) {
    // HELLO [protover [AUTH user password] [SETNAME name]]
    for (size_t i = 2; i + 2 < v.kept; ++i)
      if (iequals(v.item(i), "AUTH")) {
        p.cmd = Cmd::kHello;
        p.user = v.item(i + 1);
        p.password = v.item(i + 2);
        break;
      }
  } else if (stream_command(name)) {
    p.cmd = Cmd::kStop;
  }
  if (pending_head_ == pending_.size()) {
    pending_.clear();
    pending_head_ = 0;
  } else if (pending_head_ > kMaxPending) {
    pending_.erase(pending_.begin(), pending_.begin() + std::ptrdiff_t(pending_head_));
    pending_head_ = 0;
  }
  if (pending_.size() - pending_head_ >= kMaxPending) {
    stop(at);  // the server does not answer: pairing is no longer meaningful
    return;
  }
  pending_.push_back(std::move(p));
}

void RedisAnalyzer::reply(const RespValue& v, const PacketRef& at) {
  if (v.type == '>') return;  // RESP3 push: out of band, answers no command
  if (pending_head_ >= pending_.size()) return;  // a reply to a command not seen (capture started late)
  Pending& p = pending_[pending_head_++];
  if (p.cmd == Cmd::kStop) {
    stop(at);
    return;
  }
  if (p.cmd == Cmd::kOther) return;
  bool error = v.type == '-' || v.type == '!';
  // The reply as the server wrote it ("+OK", "-WRONGPASS ..."); a RESP3 blob error reads like an error.
  std::string text;
  if (v.kept && (v.type == '+' || v.type == '-' || v.type == '!')) {
    text.push_back(v.type == '+' ? '+' : '-');
    text += v.item(0);
  }
  emit(p, error ? AuthOutcome::kFailure : AuthOutcome::kSuccess, text, at);
}

void RedisAnalyzer::emit(const Pending& p, AuthOutcome outcome, std::string_view reply, const PacketRef& at) {
  if (!ctx_.sink) return;
  AuthRecord a;
  a.origin = ctx_.origin(at);
  a.app = "redis";
  a.user = p.user;
  a.password = p.password;
  a.password_seen = true;
  a.method = p.cmd == Cmd::kHello ? "HELLO AUTH" : "AUTH";
  a.outcome = outcome;
  a.reply.assign(reply.substr(0, 512));
  ctx_.sink->emit(a);
}

void RedisAnalyzer::stop(const PacketRef&) {
  if (done_) return;
  done_ = true;
  for (size_t i = pending_head_; i < pending_.size(); ++i)
    if (pending_[i].cmd == Cmd::kAuth || pending_[i].cmd == Cmd::kHello)
      emit(pending_[i], AuthOutcome::kUnknown, {}, pending_[i].at);
  pending_.clear();
  pending_head_ = 0;
}

void RedisAnalyzer::on_gap(Dir, uint64_t, const PacketRef& at) { stop(at); }

void RedisAnalyzer::on_end(const PacketRef& at) { stop(at); }

}  // namespace trawl::proto::redis
