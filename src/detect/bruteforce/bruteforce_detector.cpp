#include "detect/bruteforce/bruteforce_detector.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "detect/bruteforce/password_dictionary.h"

namespace trawl::detect {

namespace bruteforce {
namespace {

constexpr uint32_t kNone = UINT32_MAX;
constexpr uint16_t kSmtpRelayPort = 25;

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
template <typename V>
using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

// Addresses, users, passwords and file names recur on every record: each is kept once and named by number.
class Interner {
 public:
  uint32_t id(std::string_view s) {
    auto it = ids_.find(s);
    if (it != ids_.end()) return it->second;
    uint32_t id = uint32_t(names_.size());
    names_.emplace_back(s);
    ids_.emplace(std::string(s), id);
    return id;
  }
  const std::string& name(uint32_t id) const { return names_[id]; }

 private:
  StringMap<uint32_t> ids_;
  std::vector<std::string> names_;
};

struct Settings {
  double window_s;
  uint64_t min_failures, min_passwords_per_user, min_dictionary_passwords, min_failures_dictionary;
  uint64_t spray_min_users;
  double spray_max_guesses_per_user;
  uint64_t compromised_min_failures;
  double compromised_late_failures_s;
  bool dictionary_success_compromised;
  std::vector<std::string> anonymous_users;
  double session_window_s;
  uint64_t min_sessions;
  double max_session_s;
  uint64_t max_session_app_bytes;
  double size_tolerance;
  std::map<uint16_t, std::string> tls_apps;  // server port -> application inside TLS

  explicit Settings(const Config& c) {
    auto count = [&](std::string_view key) { return uint64_t(std::max<int64_t>(0, c.integer(key))); };
    window_s = c.number("bruteforce.window_s");
    min_failures = count("bruteforce.min_failures");
    min_passwords_per_user = count("bruteforce.min_passwords_per_user");
    min_dictionary_passwords = count("bruteforce.min_dictionary_passwords");
    min_failures_dictionary = count("bruteforce.min_failures_dictionary");
    spray_min_users = count("bruteforce.spray_min_users");
    spray_max_guesses_per_user = c.number("bruteforce.spray_max_guesses_per_user");
    compromised_min_failures = count("bruteforce.compromised_min_failures");
    compromised_late_failures_s = c.number("bruteforce.compromised_late_failures_s");
    dictionary_success_compromised = c.flag("bruteforce.dictionary_success_compromised");
    anonymous_users = c.strings("bruteforce.anonymous_users");
    session_window_s = c.number("bruteforce.session_window_s");
    min_sessions = count("bruteforce.min_sessions");
    max_session_s = c.number("bruteforce.max_session_s");
    max_session_app_bytes = count("bruteforce.max_session_app_bytes");
    size_tolerance = c.number("bruteforce.size_tolerance");
    for (const std::string& entry : c.strings("bruteforce.tls_apps")) {
      size_t colon = entry.find(':');
      int port = 0;
      try {
        port = colon == std::string::npos ? 0 : std::stoi(entry.substr(0, colon));
      } catch (const std::exception&) {
      }
      if (port <= 0 || port > 65535 || colon + 1 >= entry.size())
        throw std::runtime_error(fmt::format("bruteforce.tls_apps: '{}' is not PORT:APP", entry));
      tls_apps[uint16_t(port)] = entry.substr(colon + 1);
    }
  }
};

enum class Outcome : uint8_t { kUnknown, kFailure, kSuccess };

Outcome outcome_of(std::string_view s) {
  if (s == "success") return Outcome::kSuccess;
  if (s == "failure") return Outcome::kFailure;
  return Outcome::kUnknown;
}

// One login of the ledger (or, for SSH, the failures inside one connection taken together).
struct Attempt {
  double ts = 0;
  uint64_t frame = 0;
  uint32_t file = 0, user = 0, password = kNone, method = 0;
  uint32_t weight = 1;  // guesses it stands for: SSH counts several password tries per connection
  uint16_t dport = 0;
  Outcome outcome = Outcome::kUnknown;
  bool dictionary = false;
  bool tried = false;  // unknown outcome, but a login was attempted (a password was sent, or SSH authenticated)
  bool within_success = false;  // SSH failures inside a connection that then logged in
  // A failed guess: refused, or never answered although a login was attempted.
  bool guess() const { return outcome == Outcome::kFailure || (outcome == Outcome::kUnknown && tried); }
};

// One short connection of an application whose login is encrypted.
struct Session {
  double ts = 0, duration = 0;
  uint64_t frame = 0;
  uint64_t orig_pkts = 0, resp_pkts = 0, orig_bytes = 0, resp_bytes = 0;
  uint32_t file = 0, user = kNone;  // user: RDP's mstshash cookie
  uint16_t sport = 0, dport = 0;
};

struct Key {
  uint32_t src, dst, app;
  auto operator<=>(const Key&) const = default;
};

// A short connection that may be a login, until finish() joins the record of its uid that says so.
enum class Join : uint8_t { kRdp, kSsh, kTls };
struct Candidate {
  Session session;
  Key key;  // app kNone: a TLS connection that is https when its client offered HTTP in ALPN
  Join join = Join::kTls;
  std::string uid;  // short enough to stay inline
};

// An SSH login of the ledger, until finish() joins its ssh record.
struct SshLogin {
  Key key;
  Attempt attempt;
  std::string uid;
};

struct Group {
  std::vector<Attempt> attempts;
  std::vector<Session> sessions;
};

struct SshSeen {
  Outcome outcome = Outcome::kUnknown;
  uint32_t attempts = 0;
  bool sizes_hidden = false;  // compression: the outcome stays unknown whatever happened
};

bool has_token(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    size_t comma = list.find(',');
    if (list.substr(0, comma) == token) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

std::string_view first_token_other_than(std::string_view list, std::string_view skip) {
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view t = list.substr(0, comma);
    if (t != skip && !t.empty()) return t;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return {};
}

std::string app_title(std::string_view app) {
  static const std::map<std::string_view, std::string_view> titles = {
      {"mysql", "MySQL"}, {"postgresql", "PostgreSQL"}, {"redis", "Redis"}, {"mssql", "MSSQL"}};
  if (auto it = titles.find(app); it != titles.end()) return std::string(it->second);
  std::string out(app);
  for (char& c : out) c = char(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string span_text(double s) {
  if (s < 120) return fmt::format("{:.1f} s", s);
  if (s < 7200) return fmt::format("{:.1f} min", s / 60);
  return fmt::format("{:.1f} h", s / 3600);
}

std::string plural(uint64_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

double rate_per_min(uint64_t n, double first, double last) {
  return std::round(double(n) * 60.0 / std::max(1.0, last - first) * 10) / 10;
}

// What the ledger says about one (source, server, application).
struct LedgerFindings {
  uint64_t failures = 0, unknown = 0, successes = 0, guesses = 0;
  uint64_t peak = 0;           // most guesses inside one window
  double first = 0, last = 0;  // of the guesses
  uint64_t max_passwords_per_user = 0;
  std::set<uint32_t> users, passwords, dictionary, methods;
  bool passwords_seen = false;
  uint64_t spray_users = 0;  // most distinct users guessed inside one window
  bool brute = false, spray = false;
};

// What the connections say: the short sessions of near-identical size.
struct SessionFindings {
  std::vector<const Session*> similar;  // by time
  uint64_t short_sessions = 0, peak = 0, source_ports = 0;
  double median_orig_pkts = 0, median_resp_pkts = 0, median_orig_bytes = 0, median_resp_bytes = 0;
  bool burst = false;
};

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  auto mid = v.begin() + ptrdiff_t(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  return *mid;
}

class BruteforceDetector final : public Detector {
 public:
  explicit BruteforceDetector(const DetectContext& context)
      : settings_(context.config), dictionary_(PasswordDictionary::from_config(context.config)) {
    ssh_app_ = strings_.id("ssh");
    rdp_app_ = strings_.id("rdp");
    https_app_ = strings_.id("https");
    inferred_method_ = strings_.id("inferred");
  }

  void on_record(std::string_view type, const RecordView& r) override {
    if (type == "conn")
      on_conn(r);
    else if (type == "auth")
      on_auth(r);
    else if (type == "tls")
      on_tls(r);
    else if (type == "ssh")
      on_ssh(r);
    else if (type == "rdp")
      on_rdp(r);
  }

  void finish(std::vector<Alert>& out) override {
    join_ssh_logins();
    join_sessions();
    for (auto& [key, group] : groups_) judge(key, group, out);
  }

 private:
  // Only TLS sessions small enough to be a login are kept (the last record of a uid decides, as before).
  void on_tls(const RecordView& r) {
    uint64_t app_bytes = uint64_t(r.integer("orig_app_bytes") + r.integer("resp_app_bytes"));
    if (app_bytes > settings_.max_session_app_bytes) {
      tls_http_.erase(std::string(r.uid()));
      return;
    }
    bool http = false;
    for (std::string_view a : r.strings("alpn")) http = http || a == "http/1.1" || a == "h2" || a == "http/1.0";
    tls_http_[std::string(r.uid())] = http;
  }

  void on_ssh(const RecordView& r) {
    SshSeen s{outcome_of(r.str("auth_outcome")), uint32_t(r.integer("auth_attempts")), false};
    for (std::string_view a : r.strings("anomalies")) s.sizes_hidden = s.sizes_hidden || a == "compression_hides_sizes";
    ssh_[std::string(r.uid())] = s;
  }

  void on_rdp(const RecordView& r) {
    std::string_view cookie = r.str("cookie");
    if (!cookie.empty()) rdp_cookie_[std::string(r.uid())] = strings_.id(cookie);
  }

  void on_auth(const RecordView& r) {
    std::string_view app = r.str("app");
    // Anonymous logins (anonymous FTP, SMB null sessions) guess no password.
    if (app.empty() || r.str("method") == "anonymous" || is_anonymous(r.str("user"))) return;
    Attempt a;
    a.ts = r.ts();
    a.file = strings_.id(r.file());
    a.frame = r.frame();
    a.dport = r.dport();
    a.user = strings_.id(r.str("user"));
    a.method = strings_.id(r.str("method"));
    a.outcome = outcome_of(r.str("outcome"));
    if (r.has("password")) {
      std::string_view p = r.str("password");
      a.password = strings_.id(p);
      a.dictionary = dictionary_.contains(p);
      a.tried = true;
    }
    Key key{strings_.id(r.src()), strings_.id(r.dst()), strings_.id(app)};
    if (key.app == ssh_app_)
      ssh_logins_.push_back({key, a, std::string(r.uid())});
    else
      groups_[key].attempts.push_back(a);
  }

  // SSH's inferred outcome stands for the whole connection: its failure-sized replies are the guesses
  // (the success, when there is one, is the last of them). A connection that authenticated but whose
  // replies could not be told apart (one try per connection, no "none" probe first) is one guess.
  // Joined here, not when the login arrives: its ssh record may come later. SSH groups hold only SSH
  // logins, so their attempts keep the ledger's order.
  void join_ssh_logins() {
    for (auto& [key, a, uid] : ssh_logins_) {
      Group& g = groups_[key];
      if (auto it = ssh_.find(uid); it != ssh_.end()) {
        uint32_t tries = std::max<uint32_t>(1, it->second.attempts);
        if (a.outcome == Outcome::kFailure) {
          a.weight = tries;
        } else if (a.outcome == Outcome::kUnknown) {
          a.tried = !it->second.sizes_hidden;
        } else if (a.outcome == Outcome::kSuccess && tries > 1) {
          Attempt failed = a;
          failed.outcome = Outcome::kFailure;
          failed.weight = tries - 1;
          failed.within_success = true;
          g.attempts.push_back(failed);
        }
      }
      g.attempts.push_back(a);
    }
    ssh_logins_ = {};
  }

  // Conn is by far the biggest file: most records leave at the first test. What is left of a connection
  // depends on its tls, ssh or rdp record, which may come before or after it: finish() joins them.
  void on_conn(const RecordView& r) {
    std::string_view service = r.str("service");
    if (service.empty() || r.num("duration") > settings_.max_session_s) return;
    Candidate c;
    c.key.app = kNone;
    if (has_token(service, "rdp")) {
      c.join = Join::kRdp;
      c.key.app = rdp_app_;
    } else if (has_token(service, "ssh")) {
      c.join = Join::kSsh;
      c.key.app = ssh_app_;
    } else if (has_token(service, "tls")) {
      c.join = Join::kTls;
      if (std::string_view inner = first_token_other_than(service, "tls"); !inner.empty()) {
        // STARTTLS: the login went inside TLS; except on SMTP's relay port, where servers hand over mail
        // (bursts of short, alike sessions) and nobody logs in.
        if (inner == "smtp" && r.dport() == kSmtpRelayPort) return;
        c.key.app = strings_.id(inner);
      } else if (auto port = settings_.tls_apps.find(r.dport()); port != settings_.tls_apps.end()) {
        c.key.app = strings_.id(port->second);
      }  // else https when the client offered HTTP in ALPN
    } else {
      return;
    }
    c.key.src = strings_.id(r.src());
    c.key.dst = strings_.id(r.dst());
    c.uid = r.uid();
    Session& s = c.session;
    s.ts = r.ts();
    s.duration = r.num("duration");
    s.frame = r.frame();
    s.file = strings_.id(r.file());
    s.orig_pkts = uint64_t(r.integer("orig_pkts"));
    s.resp_pkts = uint64_t(r.integer("resp_pkts"));
    s.orig_bytes = uint64_t(r.integer("orig_bytes"));
    s.resp_bytes = uint64_t(r.integer("resp_bytes"));
    s.sport = r.sport();
    s.dport = r.dport();
    candidates_.push_back(std::move(c));
  }

  // The candidates become sessions, in conn order, once every tls, ssh and rdp record is known.
  void join_sessions() {
    for (Candidate& c : candidates_) {
      switch (c.join) {
        case Join::kRdp:
          if (auto it = rdp_cookie_.find(c.uid); it != rdp_cookie_.end()) c.session.user = it->second;
          break;
        case Join::kSsh:
          // A login that worked is no guess.
          if (auto it = ssh_.find(c.uid); it != ssh_.end() && it->second.outcome == Outcome::kSuccess) continue;
          break;
        case Join::kTls: {
          auto it = tls_http_.find(c.uid);
          if (it == tls_http_.end()) continue;  // no handshake seen, or too much data for a login
          if (c.key.app == kNone) {
            if (!it->second) continue;
            c.key.app = https_app_;
          }
          break;
        }
      }
      groups_[c.key].sessions.push_back(c.session);
    }
    candidates_ = {};
  }

  bool is_anonymous(std::string_view user) const {
    auto same = [](char a, char b) {
      return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
    };
    return std::any_of(settings_.anonymous_users.begin(), settings_.anonymous_users.end(), [&](const std::string& u) {
      return std::equal(u.begin(), u.end(), user.begin(), user.end(), same);
    });
  }

  LedgerFindings judge_ledger(const std::vector<Attempt>& attempts) const {
    LedgerFindings f;
    std::map<uint32_t, std::set<uint32_t>> passwords_of;  // user -> distinct passwords guessed
    std::vector<const Attempt*> guesses;
    for (const Attempt& a : attempts) {
      if (a.outcome == Outcome::kSuccess) {
        ++f.successes;
        continue;
      }
      if (!a.guess()) continue;
      guesses.push_back(&a);
      (a.outcome == Outcome::kFailure ? f.failures : f.unknown) += a.weight;
      f.guesses += a.weight;
      f.users.insert(a.user);
      f.methods.insert(a.method);
      if (a.password != kNone) {
        f.passwords_seen = true;
        f.passwords.insert(a.password);
        passwords_of[a.user].insert(a.password);
        if (a.dictionary) f.dictionary.insert(a.password);
      }
    }
    if (guesses.empty()) return f;
    f.first = guesses.front()->ts;
    f.last = guesses.back()->ts;
    for (const auto& [user, pw] : passwords_of)
      f.max_passwords_per_user = std::max<uint64_t>(f.max_passwords_per_user, pw.size());

    // Sliding window: the most guesses, and the most distinct accounts, inside window_s.
    std::map<uint32_t, uint64_t> in_window;  // user -> guesses
    uint64_t sum = 0;
    for (size_t i = 0, j = 0; j < guesses.size(); ++j) {
      sum += guesses[j]->weight;
      in_window[guesses[j]->user] += guesses[j]->weight;
      for (; guesses[j]->ts - guesses[i]->ts > settings_.window_s; ++i) {
        sum -= guesses[i]->weight;
        auto u = in_window.find(guesses[i]->user);
        if ((u->second -= guesses[i]->weight) == 0) in_window.erase(u);
      }
      f.peak = std::max(f.peak, sum);
      f.spray_users = std::max<uint64_t>(f.spray_users, in_window.size());
    }

    // A user fumbling one password, or a client retrying a stale one, gives many failures but one password.
    bool varied = !f.passwords_seen || f.max_passwords_per_user >= settings_.min_passwords_per_user;
    f.brute =
        (f.peak >= settings_.min_failures && varied) ||
        (f.dictionary.size() >= settings_.min_dictionary_passwords && f.peak >= settings_.min_failures_dictionary);
    // Few guesses per account over the whole run, many accounts inside one window.
    f.spray = f.spray_users >= settings_.spray_min_users &&
              double(f.guesses) <= settings_.spray_max_guesses_per_user * double(f.users.size());
    return f;
  }

  SessionFindings judge_sessions(const std::vector<Session>& sessions) const {
    SessionFindings f;
    f.short_sessions = sessions.size();
    if (sessions.size() < settings_.min_sessions || sessions.empty()) return f;
    std::vector<double> v(sessions.size());
    auto med = [&](uint64_t Session::*field) {
      for (size_t i = 0; i < sessions.size(); ++i) v[i] = double(sessions[i].*field);
      return median(v);
    };
    f.median_orig_pkts = med(&Session::orig_pkts);
    f.median_resp_pkts = med(&Session::resp_pkts);
    f.median_orig_bytes = med(&Session::orig_bytes);
    f.median_resp_bytes = med(&Session::resp_bytes);
    // The same exchange repeated: only the guessed password changes, by a few bytes.
    auto near = [&](uint64_t x, double m) { return std::abs(double(x) - m) <= settings_.size_tolerance * m + 2; };
    for (const Session& s : sessions)
      if (near(s.orig_pkts, f.median_orig_pkts) && near(s.resp_pkts, f.median_resp_pkts) &&
          near(s.orig_bytes, f.median_orig_bytes) && near(s.resp_bytes, f.median_resp_bytes))
        f.similar.push_back(&s);
    size_t best_i = 0, best_j = 0;
    for (size_t i = 0, j = 0; j < f.similar.size(); ++j) {
      while (f.similar[j]->ts - f.similar[i]->ts > settings_.session_window_s) ++i;
      if (j - i + 1 > f.peak) {
        f.peak = j - i + 1;
        best_i = i;
        best_j = j;
      }
    }
    std::set<uint16_t> ports;
    for (size_t k = best_i; k <= best_j && k < f.similar.size(); ++k) ports.insert(f.similar[k]->sport);
    f.source_ports = ports.size();
    // Distinct source ports: separate connections, not one connection reported again.
    f.burst = f.peak >= settings_.min_sessions && f.source_ports >= settings_.min_sessions;
    return f;
  }

  // The non-empty names among `ids`, sorted, at most kMaxNames of them.
  static constexpr size_t kMaxNames = 20;
  std::vector<std::string> names(const std::set<uint32_t>& ids, size_t max = kMaxNames) const {
    std::vector<std::string> v;
    for (uint32_t id : ids)
      if (id != kNone && !strings_.name(id).empty()) v.push_back(strings_.name(id));
    std::sort(v.begin(), v.end());
    if (v.size() > max) v.resize(max);
    return v;
  }

  void judge(const Key& key, Group& g, std::vector<Alert>& out) const {
    // Ties: the failures of a connection before its success.
    std::sort(g.attempts.begin(), g.attempts.end(), [](const Attempt& a, const Attempt& b) {
      return std::tie(a.ts, a.outcome, a.frame) < std::tie(b.ts, b.outcome, b.frame);
    });
    std::sort(g.sessions.begin(), g.sessions.end(),
              [](const Session& a, const Session& b) { return std::tie(a.ts, a.frame) < std::tie(b.ts, b.frame); });
    // An SSH client offering several keys gets a failure for each before it logs in: such failures are
    // guesses only when the source also has connections that never logged in.
    if (std::none_of(g.attempts.begin(), g.attempts.end(),
                     [](const Attempt& a) { return a.guess() && !a.within_success; }))
      std::erase_if(g.attempts, [](const Attempt& a) { return a.within_success; });
    LedgerFindings ledger = judge_ledger(g.attempts);
    SessionFindings sessions = judge_sessions(g.sessions);
    bool ledger_hit = ledger.brute || ledger.spray;
    if (!ledger_hit && !sessions.burst) {
      report_compromise(key, g, ledger, sessions, false, out);
      return;
    }

    const std::string& src = strings_.name(key.src);
    const std::string& dst = strings_.name(key.dst);
    const std::string& app = strings_.name(key.app);
    Alert a;
    bool spray = ledger.spray && !sessions.burst;
    a.type = spray ? "bruteforce.spray" : "bruteforce." + app;
    a.severity = Severity::kHigh;
    a.mitre = {spray ? "T1110.003" : "T1110.001"};
    a.src = src;
    a.dst = dst;
    a.dst_port = server_port(g);
    a.proto = app;

    std::set<uint32_t> session_users;
    double first = 1e300, last = -1e300;
    if (ledger_hit) {
      for (const Attempt& at : g.attempts)
        if (at.guess()) a.frames.add(strings_.name(at.file), at.frame);
      first = ledger.first;
      last = ledger.last;
    }
    if (sessions.burst) {
      for (const Session* s : sessions.similar) {
        a.frames.add(strings_.name(s->file), s->frame);
        session_users.insert(s->user);
      }
      first = std::min(first, sessions.similar.front()->ts);
      last = std::max(last, sessions.similar.back()->ts);
    }
    a.ts_first = first;
    a.ts_last = last;
    uint64_t failures = ledger_hit ? ledger.guesses : sessions.similar.size();
    a.count = failures;

    std::set<uint32_t> users = ledger.users;
    users.insert(session_users.begin(), session_users.end());
    auto& e = a.evidence;
    e["basis"] = ledger_hit && sessions.burst ? "login ledger and connection pattern"
                 : ledger_hit                 ? "login ledger"
                                              : "connection pattern";
    e["users"] = names(users);
    e["users_count"] = names(users, SIZE_MAX).size();  // the list stops at kMaxNames
    e["failures"] = ledger_hit ? ledger.failures : failures;
    if (ledger.unknown) e["unknown_outcome"] = ledger.unknown;
    e["successes"] = ledger.successes;
    if (ledger.passwords_seen) {
      e["passwords"] = ledger.passwords.size();
      e["max_passwords_per_user"] = ledger.max_passwords_per_user;
    }
    e["dictionary_passwords"] = names(ledger.dictionary);
    if (ledger_hit) {
      e["methods"] = names(ledger.methods);
      e["window_s"] = settings_.window_s;
      e["peak_failures_in_window"] = ledger.peak;
    } else {
      e["window_s"] = settings_.session_window_s;
      e["peak_failures_in_window"] = sessions.peak;
    }
    e["rate_per_min"] = rate_per_min(failures, first, last);
    if (sessions.similar.size()) {
      e["sessions"] = {{"similar", sessions.similar.size()},
                       {"short", sessions.short_sessions},
                       {"peak_in_window", sessions.peak},
                       {"window_s", settings_.session_window_s},
                       {"source_ports", sessions.source_ports},
                       {"max_duration_s", settings_.max_session_s},
                       {"median",
                        {{"orig_pkts", sessions.median_orig_pkts},
                         {"resp_pkts", sessions.median_resp_pkts},
                         {"orig_bytes", sessions.median_orig_bytes},
                         {"resp_bytes", sessions.median_resp_bytes}}}};
    }

    std::string where = fmt::format("{} on {}:{}", app_title(app), dst, a.dst_port.value_or(0));
    std::string span = span_text(last - first);
    if (spray) {
      a.summary = fmt::format("{} tried {} against {} of {} in {} ({}).", src,
                              plural(ledger.passwords.size(), "password", "passwords"),
                              plural(ledger.users.size(), "account", "accounts"), where, span,
                              plural(ledger.guesses, "failure", "failures"));
    } else if (ledger_hit) {
      std::string tried = ledger.passwords_seen ? fmt::format(", trying {} for {}",
                                                              plural(ledger.passwords.size(), "password", "passwords"),
                                                              plural(ledger.users.size(), "account", "accounts"))
                                                : std::string();
      std::string dict = ledger.dictionary.empty()
                             ? std::string()
                             : fmt::format(" ({} from the common-password list)", ledger.dictionary.size());
      std::string inferred = ledger.methods.count(inferred_method_) ? " (inferred from encrypted packet sizes)" : "";
      std::string unknown = ledger.unknown ? fmt::format(" and made {} more {} of unknown outcome", ledger.unknown,
                                                         ledger.unknown == 1 ? "attempt" : "attempts")
                                           : "";
      a.summary = fmt::format("{} failed {} to log in to {}{} within {}{}{}{}.", src,
                              plural(ledger.failures, "time", "times"), where, unknown, span, tried, dict, inferred);
    } else {
      a.summary = fmt::format(
          "{} opened {} short {} sessions of near-identical size to {}:{} within {}: password "
          "guessing against an encrypted login.",
          src, sessions.similar.size(), app_title(app), dst, a.dst_port.value_or(0), span);
    }
    out.push_back(std::move(a));
    report_compromise(key, g, ledger, sessions, true, out);
  }

  // credential.compromised: a success after a run of guesses from the same source (when the run was judged
  // an attack), or a success with a dictionary password.
  void report_compromise(const Key& key, const Group& g, const LedgerFindings& ledger, const SessionFindings& sessions,
                         bool attacked, std::vector<Alert>& out) const {
    std::vector<uint64_t> guesses_before(g.attempts.size() + 1, 0);  // prefix sums of guess weights
    for (size_t i = 0; i < g.attempts.size(); ++i)
      guesses_before[i + 1] = guesses_before[i] + (g.attempts[i].guess() ? g.attempts[i].weight : 0);
    std::vector<double> session_ts;
    for (const Session* s : sessions.similar) session_ts.push_back(s->ts);

    std::vector<size_t> hits;
    uint64_t run = 0;  // the most guesses before one of the successes
    double run_first = 0;
    bool after_run = false, weak = false;
    for (size_t i = 0; i < g.attempts.size(); ++i) {
      const Attempt& at = g.attempts[i];
      if (at.outcome != Outcome::kSuccess) continue;
      double from = at.ts - settings_.window_s;
      size_t lo = size_t(std::lower_bound(g.attempts.begin(), g.attempts.begin() + ptrdiff_t(i), from,
                                          [](const Attempt& x, double t) { return x.ts < t; }) -
                         g.attempts.begin());
      const double late = at.ts + settings_.compromised_late_failures_s;
      size_t hi = size_t(std::upper_bound(g.attempts.begin() + ptrdiff_t(i) + 1, g.attempts.end(), late,
                                          [](double t, const Attempt& x) { return t < x.ts; }) -
                         g.attempts.begin());
      uint64_t guesses = guesses_before[hi] - guesses_before[lo];  // the success itself is no guess
      auto s_lo = std::lower_bound(session_ts.begin(), session_ts.end(), from);
      auto s_hi = std::upper_bound(session_ts.begin(), session_ts.end(), at.ts);
      uint64_t before = std::max<uint64_t>(guesses, uint64_t(s_hi - s_lo));
      bool hit_run = attacked && before >= settings_.compromised_min_failures;
      bool hit_weak = settings_.dictionary_success_compromised && at.dictionary;
      if (!hit_run && !hit_weak) continue;
      if (hit_run && before > run) {
        run = before;
        run_first = lo < i && g.attempts[lo].ts <= at.ts ? g.attempts[lo].ts : at.ts;
        if (s_lo != s_hi) run_first = std::min(run_first, *s_lo);
      }
      after_run = after_run || hit_run;
      weak = weak || hit_weak;
      hits.push_back(i);
    }
    if (hits.empty()) return;

    const std::string& src = strings_.name(key.src);
    const std::string& dst = strings_.name(key.dst);
    const std::string& app = strings_.name(key.app);
    Alert a;
    a.type = "credential.compromised";
    a.severity = Severity::kCritical;
    a.src = src;
    a.dst = dst;
    a.dst_port = server_port(g);
    a.proto = app;
    a.mitre = {"T1078"};
    if (after_run) a.mitre.push_back(ledger.spray && !sessions.burst ? "T1110.003" : "T1110.001");
    std::set<uint32_t> users, dictionary;
    const Attempt& first_hit = g.attempts[hits.front()];
    for (size_t i : hits) {
      users.insert(g.attempts[i].user);
      if (g.attempts[i].dictionary) dictionary.insert(g.attempts[i].password);
      a.frames.add(strings_.name(g.attempts[i].file), g.attempts[i].frame);  // the successes first
    }
    a.ts_first = after_run ? std::min(run_first, first_hit.ts) : first_hit.ts;
    a.ts_last = g.attempts[hits.back()].ts;
    for (const Attempt& at : g.attempts)
      if (at.guess() && at.ts >= a.ts_first && at.ts <= a.ts_last) a.frames.add(strings_.name(at.file), at.frame);
    a.count = hits.size();

    auto& e = a.evidence;
    e["users"] = names(users);
    e["successes"] = hits.size();
    e["failures_before"] = run;
    e["failures"] = ledger.failures;
    e["dictionary_passwords"] = names(dictionary);
    e["after_bruteforce"] = after_run;
    e["weak_password"] = weak;
    e["window_s"] = settings_.window_s;
    if (first_hit.method == inferred_method_) e["outcome_inferred"] = true;

    std::string as = users.size() == 1 && !strings_.name(*users.begin()).empty()
                         ? " as " + strings_.name(*users.begin())
                         : (users.size() > 1 ? fmt::format(" as {} accounts", users.size()) : "");
    std::string where = fmt::format("{} on {}:{}", app_title(app), dst, a.dst_port.value_or(0));
    if (after_run)
      a.summary = fmt::format("{} logged in to {}{} after {} within {}{}: the password guessing worked.", src, where,
                              as, plural(run, "failed guess", "failed guesses"), span_text(a.ts_last - a.ts_first),
                              weak ? ", with a common weak password" : "");
    else
      a.summary = fmt::format("{} logged in to {}{} with a password from the common-password list.", src, where, as);
    out.push_back(std::move(a));
  }

  // The server port the group used most (ties: the lowest).
  static uint16_t server_port(const Group& g) {
    std::map<uint16_t, uint64_t> ports;
    for (const Attempt& a : g.attempts) ports[a.dport]++;
    for (const Session& s : g.sessions) ports[s.dport]++;
    uint16_t best = 0;
    uint64_t most = 0;
    for (const auto& [port, n] : ports)
      if (n > most) {
        best = port;
        most = n;
      }
    return best;
  }

  Settings settings_;
  PasswordDictionary dictionary_;
  Interner strings_;
  uint32_t ssh_app_, rdp_app_, https_app_, inferred_method_;
  std::map<Key, Group> groups_;
  std::vector<Candidate> candidates_;
  std::vector<SshLogin> ssh_logins_;
  // By uid: whatever record of the connection comes first, they meet in finish().
  StringMap<bool> tls_http_;  // TLS sessions small enough for a login: did ALPN offer HTTP?
  StringMap<SshSeen> ssh_;
  StringMap<uint32_t> rdp_cookie_;
};

constexpr std::string_view kInputs[] = {"tls", "ssh", "rdp", "auth", "conn"};
constexpr std::string_view kAlertTypes[] = {
    "bruteforce.pop3",   "bruteforce.imap",  "bruteforce.smtp",  "bruteforce.http",
    "bruteforce.https",  "bruteforce.rdp",   "bruteforce.ftp",   "bruteforce.ssh",
    "bruteforce.telnet", "bruteforce.smb",   "bruteforce.mysql", "bruteforce.postgresql",
    "bruteforce.redis",  "bruteforce.mssql", "bruteforce.spray", "credential.compromised"};

}  // namespace
}  // namespace bruteforce

const DetectorInfo kBruteforceDetector{
    "bruteforce", bruteforce::kInputs, bruteforce::kAlertTypes,
    "Password guessing per (source, server, application). From the login ledger (auth.jsonl): failed guesses\n"
    "(refused logins, and unanswered ones that carried a password) in a sliding window of window_s; a run\n"
    "counts when it reaches min_failures with at least min_passwords_per_user distinct passwords for one\n"
    "account (passwords are compared in the ledger's form, masked or clear), or min_failures_dictionary guesses\n"
    "with min_dictionary_passwords from the common-password list (bundled, plus extra_passwords and\n"
    "passwords_file). Anonymous logins (anonymous_users, SMB null sessions) are no guesses. SSH outcomes are\n"
    "inferred from encrypted packet sizes: a failed connection counts its failed tries, one whose outcome stayed\n"
    "unknown counts one, and the failures before a success inside one connection (several keys offered) count\n"
    "only when other connections failed. bruteforce.spray: spray_min_users accounts inside one window with at most\n"
    "spray_max_guesses_per_user guesses each. Logins the ledger cannot see (HTTPS, RDP, TLS-wrapped mail, SSH\n"
    "whose outcome stayed unknown) show as bursts of short connections (conn.jsonl joined with tls, ssh and rdp\n"
    "records): min_sessions sessions of at most max_session_s inside session_window_s, from distinct source\n"
    "ports, whose packet and byte counts stay within size_tolerance of the median. One alert per (source,\n"
    "server, application). credential.compromised: a success after compromised_min_failures guesses inside\n"
    "window_s of a run judged an attack (failures answered up to compromised_late_failures_s after the success\n"
    "count: servers answer wrong passwords late), or a success with a common password.",
    [](const DetectContext& context) -> std::unique_ptr<Detector> {
      return std::make_unique<bruteforce::BruteforceDetector>(context);
    }, 25};

}  // namespace trawl::detect
