#include "proto/http/http_analyzer.h"

#include <algorithm>
#include <cstring>
#include <deque>
#include <memory>
#include <string>
#include <string_view>

#include "proto/auth/auth_record.h"
#include "proto/http/http_login.h"
#include "proto/http/http_parser.h"
#include "proto/http/http_record.h"

namespace trawl::proto {

namespace http {
namespace {

constexpr size_t kMaxUri = 8192;          // longer URIs are cut (and flagged) in the record
constexpr size_t kMaxValue = 2048;        // Host, User-Agent, Referer, Content-Type, Location
constexpr size_t kMaxChunkLine = 1024;    // a chunk-size line with its extensions
constexpr uint64_t kMaxTrailer = 64 * 1024;
constexpr uint32_t kMaxMalformed = 32;    // resyncs per direction before giving up on it
constexpr size_t kDecodedResponseKeep = 16 * 1024;  // a gzip body prefix inflates to at most this

enum class LoginKind : uint8_t { kNone, kBasic, kDigest, kForm };

std::string_view as_chars(std::span<const uint8_t> s) {
  return {reinterpret_cast<const char*>(s.data()), s.size()};
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

// One request and its final response.
struct Txn {
  HttpRecord rec;
  bool req_done = false, resp_started = false, resp_done = false;
  bool is_head = false, is_connect = false;
  bool keep_req_body = false, req_body_json = false, keep_resp_body = false;
  std::string authorization;  // only when Basic or Digest
  std::string req_body;       // first kFormBodyKeep bytes of a form post
  std::string resp_body;      // first kLoginResponseKeep bytes of the answer to a login attempt
  std::string content_encoding;
  std::string reply;          // the final status line
  PacketRef last_at;
  bool login_checked = false;
  LoginKind login = LoginKind::kNone;
  Credentials creds;
};

enum class St : uint8_t {
  kStart,       // at a message start: skipping blank lines, checking the first bytes look like one
  kHead,        // reading the header block
  kBody,        // Content-Length body
  kChunkSize,   // chunked: the size line
  kChunkData,
  kChunkEnd,    // the CRLF after a chunk's data
  kTrailer,     // after the last chunk, up to the blank line
  kUntilClose,  // a response body delimited by the connection's end
  kResync,      // looking for the next message start after malformed input or a gap
  kTunnel,      // CONNECT / 101: opaque bytes
  kDead,        // gave up
};

struct Side {
  St st = St::kStart;
  std::string buf;           // the message start or header block, or a chunk-size line (capped)
  HeaderEndScanner scan;
  uint64_t remaining = 0;    // kBody: body bytes left; kChunkData: chunk bytes left
  uint64_t trailer = 0;      // kTrailer: bytes seen
  Txn* txn = nullptr;        // the message being read; null when its transaction is not tracked
  uint32_t pending = 0;      // anomalies for this direction's next message
  uint32_t malformed = 0;
  bool at_line_start = true;
  bool chunk_cr = false;     // kChunkEnd: CR seen
};

// What a header block says comes next.
struct Framing {
  enum Kind : uint8_t { kNone, kLength, kChunked, kUntilClose, kTunnel, kInterim, kReject } kind = kNone;
  uint64_t length = 0;
  uint32_t anomaly = 0;  // kReject: why
};

class HttpAnalyzer final : public StreamAnalyzer {
 public:
  explicit HttpAnalyzer(const AnalyzerContext& ctx) : ctx_(ctx) {
    for (auto& s : sides_) s.buf.reserve(256);
  }

  void on_data(Dir dir, std::span<const uint8_t> data, const PacketRef& at) override {
    Side& s = side(dir);
    std::string_view d = as_chars(data);
    while (!d.empty()) {
      St before = s.st;
      size_t used = step(dir, s, d, at);
      if (used == 0 && s.st == before) break;  // cannot happen; never spin on hostile input
      d.remove_prefix(std::min(used, d.size()));
    }
    flush(false);
  }

  void on_gap(Dir dir, uint64_t bytes, const PacketRef& at) override {
    Side& s = side(dir);
    auto lose = [&](uint64_t n) {
      if (s.txn) s.txn->rec.missing_bytes += n, s.txn->rec.anomalies |= kGap;
    };
    switch (s.st) {
      case St::kTunnel:
      case St::kDead:
        break;
      case St::kUntilClose:
        lose(bytes);
        break;
      case St::kBody:
      case St::kChunkData:
        if (bytes < s.remaining) {
          lose(bytes);
          s.remaining -= bytes;
          break;
        }
        lose(s.remaining);
        if (s.st == St::kBody) {
          bool exact = bytes == s.remaining;
          message_done(dir, s, at);
          if (!exact) enter_resync(dir, s, kGap, false);
        } else {
          message_done(dir, s, at);  // chunk framing after the gap is unknown
          enter_resync(dir, s, kGap, false);
        }
        break;
      default:
        lose(bytes);
        if (s.txn) message_done(dir, s, at);
        enter_resync(dir, s, kGap, false);
        break;
    }
    flush(false);
  }

  void on_end(const PacketRef& at) override {
    for (Dir dir : {Dir::kOrig, Dir::kResp}) {
      Side& s = side(dir);
      if (!s.txn) continue;
      if (s.st != St::kUntilClose) s.txn->rec.anomalies |= kUnfinished;
      message_done(dir, s, at);
    }
    flush(true);
  }

  bool upgraded_to_tls() const override { return tls_; }

 private:
  Side& side(Dir d) { return sides_[d == Dir::kOrig ? 0 : 1]; }

  size_t step(Dir dir, Side& s, std::string_view d, const PacketRef& at) {
    switch (s.st) {
      case St::kStart:
      case St::kResync:
        return seek_start(dir, s, d);
      case St::kHead:
        return read_head(dir, s, d, at);
      case St::kBody: {
        size_t n = static_cast<size_t>(std::min<uint64_t>(s.remaining, d.size()));
        body(dir, s, d.substr(0, n));
        s.remaining -= n;
        if (s.remaining == 0) message_done(dir, s, at);
        return n;
      }
      case St::kChunkSize:
        return read_chunk_size(dir, s, d, at);
      case St::kChunkData: {
        size_t n = static_cast<size_t>(std::min<uint64_t>(s.remaining, d.size()));
        body(dir, s, d.substr(0, n));
        s.remaining -= n;
        if (s.remaining == 0) s.st = St::kChunkEnd, s.chunk_cr = false;
        return n;
      }
      case St::kChunkEnd:
        if (d[0] == '\r' && !s.chunk_cr) {
          s.chunk_cr = true;
          return 1;
        }
        if (d[0] == '\n') {
          s.st = St::kChunkSize;
          return 1;
        }
        // Missing CRLF: read on as if the next size line started here (what lenient servers accept).
        if (s.txn) s.txn->rec.anomalies |= kBadChunk;
        s.st = St::kChunkSize;
        return 0;
      case St::kTrailer: {
        size_t end = s.scan.scan(d);
        if (end == std::string_view::npos) {
          s.trailer += d.size();
          if (s.trailer > kMaxTrailer) {
            if (s.txn) s.txn->rec.anomalies |= kHeaderTooLong;
            message_done(dir, s, at);
            enter_resync(dir, s, 0, false);
          }
          return d.size();
        }
        message_done(dir, s, at);
        return end;
      }
      case St::kUntilClose:
        body(dir, s, d);
        return d.size();
      case St::kTunnel:
      case St::kDead:
        return d.size();
    }
    return d.size();
  }

  // kStart and kResync: find bytes that can begin a message. At kStart any token and a space will do (an
  // unknown method is still a request); a resync wants a known method, or "HTTP/1." for a response.
  static Parse check_start(Dir dir, bool strict, std::string_view prefix) {
    if (dir == Dir::kResp) {
      constexpr std::string_view kHttp = "HTTP/1.";
      if (prefix.size() >= kHttp.size()) return prefix.substr(0, kHttp.size()) == kHttp ? Parse::kComplete : Parse::kMalformed;
      return kHttp.substr(0, prefix.size()) == prefix ? Parse::kNeedMore : Parse::kMalformed;
    }
    if (strict) return match_method_prefix(prefix);
    char c = prefix.back();
    if (c == ' ') return prefix.size() > 1 ? Parse::kComplete : Parse::kMalformed;
    bool token = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    return token && prefix.size() <= 32 ? Parse::kNeedMore : Parse::kMalformed;
  }

  size_t seek_start(Dir dir, Side& s, std::string_view d) {
    size_t i = 0;
    while (i < d.size()) {
      if (!s.at_line_start) {
        const void* lf = std::memchr(d.data() + i, '\n', d.size() - i);
        if (!lf) return d.size();
        i = static_cast<size_t>(static_cast<const char*>(lf) - d.data()) + 1;
        s.at_line_start = true;
        s.buf.clear();
        continue;
      }
      if (s.buf.empty() && (d[i] == '\r' || d[i] == '\n')) {  // blank lines between messages
        ++i;
        continue;
      }
      size_t from = s.buf.empty() ? i : std::string_view::npos;  // the start lies in this chunk
      Parse m = Parse::kNeedMore;
      while (i < d.size() && m == Parse::kNeedMore) {
        if (d[i] == '\n' || d[i] == '\r') {
          m = Parse::kMalformed;
          break;
        }
        s.buf += d[i++];
        m = check_start(dir, s.st == St::kResync, s.buf);
      }
      if (m == Parse::kNeedMore) return i;
      if (m == Parse::kComplete) {
        s.st = St::kHead;
        s.scan.reset();
        if (from != std::string_view::npos) {  // read the block in place, without copying it
          s.buf.clear();
          return from;
        }
        return i;
      }
      if (s.st == St::kStart) {
        enter_resync(dir, s, dir == Dir::kOrig ? kBadRequestLine : kBadStatusLine, false);
        if (s.st == St::kDead) return d.size();
      }
      s.at_line_start = false;
      s.buf.clear();
    }
    return d.size();
  }

  size_t read_head(Dir dir, Side& s, std::string_view d, const PacketRef& at) {
    size_t end = s.scan.scan(d);
    size_t take = end == std::string_view::npos ? d.size() : end;
    if (s.buf.size() + take > kMaxHeaderBlock) {
      // Resync from where the block started (its first bytes may still be in buf: they are dropped).
      enter_resync(dir, s, kHeaderTooLong, false);
      return 0;
    }
    if (end == std::string_view::npos) {
      s.buf.append(d);
      return d.size();
    }
    std::string_view block;
    if (s.buf.empty()) {
      block = d.substr(0, end);
    } else {
      s.buf.append(d.substr(0, end));
      block = s.buf;
    }
    Framing f = dir == Dir::kOrig ? request_head(s, block) : response_head(s, block);
    s.buf.clear();  // `block` is dead from here
    apply(dir, s, f, at);
    return end;
  }

  size_t read_chunk_size(Dir dir, Side& s, std::string_view d, const PacketRef& at) {
    const void* lf = std::memchr(d.data(), '\n', d.size());
    if (!lf) {
      if (s.buf.size() + d.size() > kMaxChunkLine) {
        if (s.txn) s.txn->rec.anomalies |= kBadChunk;
        message_done(dir, s, at);
        enter_resync(dir, s, 0, false);
        return 0;
      }
      s.buf.append(d);
      return d.size();
    }
    size_t n = static_cast<size_t>(static_cast<const char*>(lf) - d.data());
    std::string_view line;
    if (s.buf.empty()) {
      line = d.substr(0, n);
    } else {
      s.buf.append(d.substr(0, std::min(n, kMaxChunkLine)));
      line = s.buf;
    }
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) {  // a stray blank line before the size: tolerated
      s.buf.clear();
      return n + 1;
    }
    uint64_t size = 0;
    Parse p = parse_chunk_size(line, size);
    s.buf.clear();
    if (p != Parse::kComplete) {
      if (s.txn) s.txn->rec.anomalies |= kBadChunk;
      message_done(dir, s, at);
      enter_resync(dir, s, 0, true);
      return n + 1;
    }
    if (size == 0) {
      s.st = St::kTrailer;
      s.trailer = 0;
      s.scan.reset_at_line_start();
    } else {
      s.st = St::kChunkData;
      s.remaining = size;
    }
    return n + 1;
  }

  void body(Dir dir, Side& s, std::string_view bytes) {
    Txn* t = s.txn;
    if (!t || bytes.empty()) return;
    if (dir == Dir::kOrig) {
      t->rec.request_body_len += bytes.size();
      if (t->keep_req_body && t->req_body.size() < kFormBodyKeep)
        t->req_body.append(bytes.substr(0, kFormBodyKeep - t->req_body.size()));
    } else {
      t->rec.response_body_len += bytes.size();
      if (t->keep_resp_body && t->resp_body.size() < kLoginResponseKeep)
        t->resp_body.append(bytes.substr(0, kLoginResponseKeep - t->resp_body.size()));
    }
  }

  static void assign_capped(Txn& t, std::string& dst, std::string_view v, size_t cap) {
    if (v.size() > cap) {
      v = v.substr(0, cap);
      t.rec.anomalies |= kTruncatedField;
    }
    dst.assign(v);
  }

  Framing request_head(Side& s, std::string_view block) {
    std::string_view rest;
    std::string_view first = split_first_line(block, rest);
    RequestLine rl;
    Parse p = parse_request_line(first, rl);
    if (p == Parse::kMalformed && rl.method.empty()) return {Framing::kReject, 0, kBadRequestLine};
    Headers h;
    parse_headers(rest, h, kMaxHeaders);

    Txn* t = nullptr;
    if (untracked_ == 0 && txns_.size() < kMaxPending) {
      t = &txns_.emplace_back();
      t->rec.trans_depth = ++depth_;
    } else {
      ++untracked_;  // its response is skipped too, so the ones after it still pair correctly
    }
    s.txn = t;
    if (t) {
      HttpRecord& r = t->rec;
      r.has_request = true;
      r.anomalies |= s.pending;
      s.pending = 0;
      if (p == Parse::kMalformed) r.anomalies |= kBadRequestLine;
      assign_capped(*t, r.method, rl.method, kMaxValue);
      assign_capped(*t, r.uri, rl.uri, kMaxUri);
      r.version.assign(rl.version);
      assign_capped(*t, r.host, h.host, kMaxValue);
      assign_capped(*t, r.user_agent, h.user_agent, kMaxValue);
      assign_capped(*t, r.referer, h.referer, kMaxValue);
      assign_capped(*t, r.request_content_type, h.content_type, kMaxValue);
      if (h.too_many) r.anomalies |= kTooManyHeaders;
      if (h.bad_line) r.anomalies |= kBadHeaderLine;
      t->is_head = rl.method == "HEAD";
      t->is_connect = rl.method == "CONNECT";
      std::string_view auth = trim(h.authorization);
      if (starts_with_ci(auth, "basic ") || starts_with_ci(auth, "digest "))
        assign_capped(*t, t->authorization, auth, kMaxValue);
      // A body that may carry a login form: urlencoded, JSON, or untyped (scripts often omit the type).
      std::string_view ct = h.content_type;
      bool json = ct.find("json") != std::string_view::npos;
      bool form = starts_with_ci(ct, "application/x-www-form-urlencoded") || ct.empty() || starts_with_ci(ct, "text/plain");
      t->keep_req_body = rl.method != "GET" && rl.method != "HEAD" && (json || form);
      t->req_body_json = json;
    }
    if (h.chunked) {
      if (t && h.content_length) t->rec.anomalies |= kTeAndLength;
      return {Framing::kChunked};
    }
    if (h.bad_content_length) return {Framing::kReject, 0, kBadContentLength};
    if (h.content_length && *h.content_length > 0) return {Framing::kLength, *h.content_length};
    return {Framing::kNone};
  }

  // The transaction a final response answers: the oldest one without a response.
  Txn* awaiting_response() {
    for (auto& t : txns_)
      if (!t.resp_started) return &t;
    return nullptr;
  }

  Framing response_head(Side& s, std::string_view block) {
    std::string_view rest;
    std::string_view first = split_first_line(block, rest);
    StatusLine sl;
    if (parse_status_line(first, sl) != Parse::kComplete) return {Framing::kReject, 0, kBadStatusLine};
    Headers h;
    parse_headers(rest, h, kMaxHeaders);

    if (sl.code < 200 && sl.code != 101) {  // interim: the final answer is still to come
      if (Txn* t = awaiting_response()) {
        t->rec.info_code = sl.code;
        assign_capped(*t, t->rec.info_msg, sl.reason, kMaxValue);
      } else {
        s.pending |= kUnexpected1xx;
      }
      return {Framing::kInterim};
    }

    Txn* t = awaiting_response();
    if (!t && untracked_ > 0) {
      --untracked_;  // answers an untracked request, whose method is unknown: framed as if GET
    } else if (!t) {
      t = &txns_.emplace_back();
      t->rec.trans_depth = ++depth_;
      t->req_done = true;
      t->rec.anomalies |= kNoRequest;
      t->rec.version.assign(sl.version);
    }
    s.txn = t;
    bool is_head = false, is_connect = false;
    if (t) {
      HttpRecord& r = t->rec;
      t->resp_started = true;
      r.has_response = true;
      r.anomalies |= s.pending;
      s.pending = 0;
      r.status_code = sl.code;
      assign_capped(*t, r.status_msg, sl.reason, kMaxValue);
      assign_capped(*t, r.content_type, h.content_type, kMaxValue);
      assign_capped(*t, r.location, h.location, kMaxValue);
      assign_capped(*t, t->content_encoding, h.content_encoding, 64);
      assign_capped(*t, t->reply, first, 512);
      if (h.too_many) r.anomalies |= kTooManyHeaders;
      if (h.bad_line) r.anomalies |= kBadHeaderLine;
      if (h.chunked && h.content_length) r.anomalies |= kTeAndLength;
      if (h.bad_content_length && !h.chunked) r.anomalies |= kBadContentLength;
      is_head = t->is_head;
      is_connect = t->is_connect;
      // Keep the start of the answer to a form login (its text tells the outcome). A body still on its
      // way may yet turn out to be one.
      if (t->req_done) check_login(*t);
      t->keep_resp_body = t->req_done ? t->login == LoginKind::kForm : t->keep_req_body;
    }
    if (sl.code == 101 || (is_connect && sl.code < 300)) {
      if (t) t->rec.anomalies |= kTunnel;
      tls_ = is_connect;
      return {Framing::kTunnel};
    }
    if (is_head || sl.code == 204 || sl.code == 304) return {Framing::kNone};
    if (h.chunked) return {Framing::kChunked};
    if (!h.transfer_encoding.empty() || h.bad_content_length) return {Framing::kUntilClose};
    if (h.content_length) return *h.content_length ? Framing{Framing::kLength, *h.content_length} : Framing{};
    return {Framing::kUntilClose};
  }

  void apply(Dir dir, Side& s, const Framing& f, const PacketRef& at) {
    switch (f.kind) {
      case Framing::kNone:
        message_done(dir, s, at);
        break;
      case Framing::kLength:
        s.st = St::kBody;
        s.remaining = f.length;
        break;
      case Framing::kChunked:
        s.st = St::kChunkSize;
        break;
      case Framing::kUntilClose:
        s.st = St::kUntilClose;
        break;
      case Framing::kInterim:
        s.st = St::kStart;
        s.at_line_start = true;
        break;
      case Framing::kTunnel:
        message_done(dir, s, at);
        for (auto& side : sides_) {
          if (side.txn) side.txn->rec.anomalies |= kUnfinished, side.txn->req_done = side.txn->resp_done = true;
          side.txn = nullptr;
          side.st = St::kTunnel;
        }
        break;
      case Framing::kReject:
        if (s.txn) {
          s.txn->rec.anomalies |= f.anomaly;
          message_done(dir, s, at);
          enter_resync(dir, s, 0, true);
        } else {
          enter_resync(dir, s, f.anomaly, true);
        }
        break;
    }
  }

  void message_done(Dir dir, Side& s, const PacketRef& at) {
    if (Txn* t = s.txn) {
      if (dir == Dir::kOrig) t->req_done = true;
      else t->resp_done = true;
      t->last_at = at;
    }
    s.txn = nullptr;
    s.st = St::kStart;
    s.at_line_start = true;
    s.remaining = 0;
  }

  void enter_resync(Dir dir, Side& s, uint32_t anomaly, bool at_line_start) {
    (void)dir;
    s.pending |= anomaly | kResync;
    s.buf.clear();
    s.at_line_start = at_line_start;
    s.st = ++s.malformed > kMaxMalformed ? St::kDead : St::kResync;
    if (s.st == St::kDead) {
      // Nothing after this is parsed; tell the record of whatever is still waiting.
      for (auto& t : txns_) t.rec.anomalies |= kGaveUp;
    }
  }

  // Emits finished transactions in order; at the end of the connection, all of them.
  void flush(bool all) {
    while (!txns_.empty()) {
      Txn& t = txns_.front();
      if (!all && !(t.req_done && t.resp_done)) break;
      if (sides_[0].txn == &t) sides_[0].txn = nullptr;
      if (sides_[1].txn == &t) sides_[1].txn = nullptr;
      if (!t.resp_started && t.rec.has_request) t.rec.anomalies |= kNoResponse;
      emit(t);
      txns_.pop_front();
    }
  }

  // Which login, if any, the request carries: Authorization first, then a form body, then a GET form.
  static void check_login(Txn& t) {
    if (t.login_checked) return;
    t.login_checked = true;
    Credentials& c = t.creds;
    if (decode_basic(t.authorization, c)) {
      t.login = LoginKind::kBasic;
    } else if (digest_user(t.authorization, c.user)) {
      t.login = LoginKind::kDigest;
      c.has_user = true;
    } else if (!t.req_body.empty() && form_credentials(t.req_body, t.req_body_json, c)) {
      t.login = LoginKind::kForm;
    } else if (size_t q = t.rec.uri.find('?'); q != std::string::npos &&
               form_credentials(std::string_view(t.rec.uri).substr(q + 1), false, c)) {
      t.login = LoginKind::kForm;
    }
  }

  void emit(Txn& t) {
    t.rec.origin = ctx_.origin(t.last_at);
    if (ctx_.sink) ctx_.sink->emit(t.rec);
    if (!t.rec.has_request) return;

    check_login(t);
    LoginKind kind = t.login;
    Credentials& creds = t.creds;
    if (kind == LoginKind::kNone) return;

    AuthRecord a;
    a.origin = t.rec.origin;
    a.app = "http";
    a.user = std::move(creds.user);
    a.password = std::move(creds.password);
    a.password_seen = creds.has_password;
    a.reply = t.reply;
    if (kind == LoginKind::kForm) {
      a.method = "form";
      LoginResponse resp;
      resp.status = t.resp_started ? t.rec.status_code : 0;
      resp.request_uri = t.rec.uri;
      resp.location = t.rec.location;
      std::string decoded = decode_body_prefix(t.content_encoding, t.resp_body, kDecodedResponseKeep);
      resp.body = decoded;
      Verdict v = infer_form_outcome(resp);
      a.outcome = v.outcome;
      a.confidence = v.confidence;
    } else {
      a.method = kind == LoginKind::kBasic ? "basic" : "digest";
      a.outcome = t.resp_started ? infer_header_auth_outcome(t.rec.status_code) : AuthOutcome::kUnknown;
      if (a.outcome != AuthOutcome::kUnknown) a.confidence = "high";
      // A browser repeats accepted credentials on every request: one accepted attempt per connection
      // is the login, the rest are not attempts.
      if (a.outcome == AuthOutcome::kSuccess) {
        std::string key = a.method + '\n' + a.user + '\n' + a.password;
        if (key == last_accepted_) return;
        last_accepted_ = std::move(key);
      }
    }
    if (ctx_.sink) ctx_.sink->emit(a);
  }

  AnalyzerContext ctx_;
  Side sides_[2];
  std::deque<Txn> txns_;     // requests waiting for their responses (references stay valid at both ends)
  uint64_t depth_ = 0;
  uint64_t untracked_ = 0;   // requests past kMaxPending whose responses must be skipped
  std::string last_accepted_;
  bool tls_ = false;
};

}  // namespace

Match probe(std::span<const uint8_t> first_bytes, Dir dir) {
  std::string_view s = as_chars(first_bytes);
  if (s.empty()) return Match::kNo;
  if (dir == Dir::kResp) {
    constexpr std::string_view kHttp = "HTTP/1.";
    if (s.size() >= kHttp.size()) return s.substr(0, kHttp.size()) == kHttp ? Match::kYes : Match::kNo;
    return kHttp.substr(0, s.size()) == s ? Match::kMaybe : Match::kNo;
  }
  size_t sp = s.find(' ');
  if (sp == std::string_view::npos)
    return s.size() < kMaxKnownMethodPrefix && match_method_prefix(s) == Parse::kNeedMore ? Match::kMaybe : Match::kNo;
  size_t eol = s.find('\n');
  if (eol == std::string_view::npos) {  // the line is longer than what the probe sees
    if (!is_known_method(s.substr(0, sp))) return Match::kNo;
    return s.find(" HTTP/1.") != std::string_view::npos ? Match::kYes : Match::kMaybe;
  }
  RequestLine rl;
  std::string_view line = s.substr(0, eol);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (parse_request_line(line, rl) != Parse::kComplete || rl.version.substr(0, 2) != "1.") return Match::kNo;
  // A full "TOKEN SP URI SP HTTP/1.x" line is HTTP even with a method this list does not know.
  return Match::kYes;
}

}  // namespace http

namespace {
constexpr uint16_t kHttpPorts[] = {80, 8080, 8000, 8008, 8888};
std::unique_ptr<StreamAnalyzer> make_http(const AnalyzerContext& ctx) {
  return std::make_unique<http::HttpAnalyzer>(ctx);
}
}  // namespace

const AnalyzerInfo kHttpAnalyzer{"http", 6, kHttpPorts, &http::probe, &make_http, nullptr};

}  // namespace trawl::proto
