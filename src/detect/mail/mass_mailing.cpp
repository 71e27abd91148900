// mail.mass_mailing: one sender reaching unusually many recipients within a sliding window. The sender is
// the AUTH account of the SMTP session (a stolen or abused mailbox), or, for mail sent without AUTH, the
// internal client address (a spam bot relaying through an open or internal relay). Hosts that receive
// SMTP themselves are mail servers forwarding others' mail, so they are not counted as unauthenticated
// senders.
#include <algorithm>
#include <map>
#include <numeric>
#include <set>
#include <tuple>
#include <unordered_map>

#include <fmt/format.h>

#include "detect/mail/mail_common.h"
#include "detect/mail/mail_detectors.h"
#include "util/ip_address.h"

namespace trawl::detect {

namespace {

using mail::plural;
using mail::spoken_duration;
using mail::StringIds;

struct Thresholds {
  double window;
  uint64_t messages, recipients, distinct;
};

class MassMailingDetector final : public Detector {
 public:
  explicit MassMailingDetector(const DetectContext& ctx)
      : home_(ctx.home),
        limits_{ctx.config.number("mail.mass_mailing.window"),
                uint64_t(std::max<int64_t>(1, ctx.config.integer("mail.mass_mailing.min_messages"))),
                uint64_t(std::max<int64_t>(1, ctx.config.integer("mail.mass_mailing.min_recipients"))),
                uint64_t(std::max<int64_t>(1, ctx.config.integer("mail.mass_mailing.min_distinct_recipients")))},
        unauthenticated_(ctx.config.flag("mail.mass_mailing.unauthenticated")),
        max_recipients_(size_t(std::max<int64_t>(0, ctx.config.integer("mail.mass_mailing.max_listed_recipients")))),
        max_subjects_(size_t(std::max<int64_t>(0, ctx.config.integer("mail.mass_mailing.max_listed_subjects")))) {
    for (const auto& r : ctx.config.strings("mail.mass_mailing.known_relays"))
      if (auto a = IpAddress::parse(r)) relays_.insert(*a);
  }

  void on_record(std::string_view type, const RecordView& r) override {
    if (type == "auth") return on_login(r);
    auto src = r.src_ip();
    auto dst = r.dst_ip();
    if (!src || !dst) return;
    servers_.insert(*dst);
    simdjson::dom::array rcpts;
    if (r.get("rcptto").get_array().get(rcpts) || rcpts.size() == 0) return;  // no mail was addressed
    std::string_view user = r.str("auth_user");
    if (user.empty() && (!unauthenticated_ || !home_.contains(*src))) return;  // inbound mail is not ours to count

    Message m;
    m.ts = r.ts();
    m.src = *src;
    m.dst = *dst;
    m.dport = r.dport();
    key_.assign(user.empty() ? "h" : "a");  // account or host: the two never share a sender
    key_.append(user.empty() ? r.src() : user);
    m.sender = senders_.id(key_);
    m.subject = subjects_.id(r.str("subject"));
    m.file = files_.id(r.file());
    m.frame = r.frame();
    m.rcpt_begin = uint32_t(rcpts_.size());
    for (simdjson::dom::element e : rcpts) {
      std::string_view a;
      if (e.get_string().get(a)) continue;
      lower_.assign(a);
      for (char& c : lower_) c = c >= 'A' && c <= 'Z' ? char(c + 32) : c;
      rcpts_.push_back(recipients_.id(lower_));
    }
    m.rcpt_count = uint32_t(rcpts_.size() - m.rcpt_begin);
    if (m.rcpt_count) messages_.push_back(m);
  }

  void finish(std::vector<Alert>& out) override {
    std::vector<uint32_t> order(messages_.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
      const Message &x = messages_[a], &y = messages_[b];
      return std::tie(x.sender, x.ts, x.frame) < std::tie(y.sender, y.ts, y.frame);
    });
    for (size_t begin = 0; begin < order.size();) {
      size_t end = begin;
      while (end < order.size() && messages_[order[end]].sender == messages_[order[begin]].sender) ++end;
      std::vector<const Message*> series;
      for (size_t i = begin; i < end; ++i) series.push_back(&messages_[order[i]]);
      begin = end;
      const std::string& key = senders_.name(series[0]->sender);
      bool authenticated = key[0] == 'a';
      if (!authenticated && (servers_.count(series[0]->src) || relays_.count(series[0]->src))) continue;
      for (const auto& [first, last] : episodes(series)) out.push_back(alert(series, first, last, authenticated, key.substr(1)));
    }
  }

 private:
  struct Message {
    double ts = 0;
    IpAddress src, dst;
    uint16_t dport = 0;
    uint32_t sender = 0, subject = 0, file = 0;
    uint64_t frame = 0;
    uint32_t rcpt_begin = 0, rcpt_count = 0;
  };
  struct Window {
    uint64_t messages = 0, recipients = 0, distinct = 0;
    double first = 0, last = 0;
  };
  struct Logins {
    uint64_t success = 0, failure = 0;
  };

  void on_login(const RecordView& r) {
    if (r.str("app") != "smtp") return;
    std::string_view outcome = r.str("outcome");
    if (outcome != "success" && outcome != "failure") return;
    auto it = logins_.find(r.str("user"));
    if (it == logins_.end()) it = logins_.emplace(std::string(r.str("user")), Logins{}).first;
    (outcome == "success" ? it->second.success : it->second.failure)++;
  }

  bool over(const Window& w) const {
    return w.messages >= limits_.messages || w.recipients >= limits_.recipients || w.distinct >= limits_.distinct;
  }

  // Slides the window over one sender's time-ordered messages. Calls fn(i, j, window) for the widest
  // window ending at each message j (messages i..j).
  template <typename Fn>
  void slide(const std::vector<const Message*>& s, size_t from, size_t to, Fn&& fn) {
    in_window_.clear();
    Window w;
    size_t i = from;
    auto enter = [&](const Message& m) {
      ++w.messages;
      w.recipients += m.rcpt_count;
      for (uint32_t k = 0; k < m.rcpt_count; ++k)
        if (in_window_[rcpts_[m.rcpt_begin + k]]++ == 0) ++w.distinct;
    };
    auto leave = [&](const Message& m) {
      --w.messages;
      w.recipients -= m.rcpt_count;
      for (uint32_t k = 0; k < m.rcpt_count; ++k)
        if (--in_window_[rcpts_[m.rcpt_begin + k]] == 0) --w.distinct;
    };
    for (size_t j = from; j < to; ++j) {
      enter(*s[j]);
      while (s[j]->ts - s[i]->ts > limits_.window) leave(*s[i++]);
      w.first = s[i]->ts, w.last = s[j]->ts;
      fn(i, j, w);
    }
  }

  // The runs of messages that lie in some window over a threshold: [first, last] index pairs.
  std::vector<std::pair<size_t, size_t>> episodes(const std::vector<const Message*>& s) {
    std::vector<std::pair<size_t, size_t>> runs;
    uint64_t all_recipients = 0;
    for (const Message* m : s) all_recipients += m->rcpt_count;
    if (s.size() < limits_.messages && all_recipients < std::min(limits_.recipients, limits_.distinct)) return runs;
    std::vector<int> cover(s.size() + 1, 0);  // +1 where a window over a threshold starts, -1 after it ends
    slide(s, 0, s.size(), [&](size_t i, size_t j, const Window& w) {
      if (!over(w)) return;
      cover[i]++;
      cover[j + 1]--;
    });
    int depth = 0;  // windows over a threshold that hold message k
    for (size_t k = 0; k < s.size(); ++k) {
      depth += cover[k];
      if (depth == 0) continue;
      if (!runs.empty() && runs.back().second + 1 == k) runs.back().second = k;
      else runs.push_back({k, k});
    }
    return runs;
  }

  Alert alert(const std::vector<const Message*>& s, size_t first, size_t last, bool authenticated, const std::string& who) {
    Window peak;
    slide(s, first, last + 1, [&](size_t, size_t, const Window& w) {
      if (std::tie(w.distinct, w.recipients, w.messages) > std::tie(peak.distinct, peak.recipients, peak.messages)) peak = w;
    });
    Alert a;
    a.type = "mail.mass_mailing";
    a.proto = "smtp";
    a.severity = authenticated ? Severity::kHigh : Severity::kMedium;
    a.mitre = authenticated ? std::vector<std::string>{"T1078", "T1071.003"} : std::vector<std::string>{"T1071.003"};
    a.ts_first = s[first]->ts;
    a.ts_last = s[last]->ts;
    a.count = last - first + 1;

    std::map<IpAddress, uint64_t> sources;
    std::set<std::pair<IpAddress, uint16_t>> servers;
    std::vector<std::string> listed, subjects;
    std::set<uint32_t> distinct, seen_subjects;
    uint64_t recipients = 0;
    for (size_t k = first; k <= last; ++k) {
      const Message& m = *s[k];
      sources[m.src]++;
      servers.insert({m.dst, m.dport});
      recipients += m.rcpt_count;
      for (uint32_t r = 0; r < m.rcpt_count; ++r) {
        uint32_t id = rcpts_[m.rcpt_begin + r];
        if (distinct.insert(id).second && listed.size() < max_recipients_) listed.push_back(recipients_.name(id));
      }
      if (seen_subjects.insert(m.subject).second && subjects.size() < max_subjects_) subjects.push_back(subjects_.name(m.subject));
      a.frames.add(files_.name(m.file), m.frame);
    }
    // The actor: the address that sent most of it (the lowest one on a tie).
    auto top = std::max_element(sources.begin(), sources.end(), [](const auto& x, const auto& y) { return x.second < y.second; });
    a.src = top->first.str();
    if (servers.size() == 1) {
      a.dst = servers.begin()->first.str();
      a.dst_port = servers.begin()->second;
    }

    auto& e = a.evidence;
    e["account"] = authenticated ? nlohmann::ordered_json(who) : nlohmann::ordered_json(nullptr);
    e["authenticated"] = authenticated;
    e["messages"] = a.count;
    e["recipients"] = {{"count", recipients}, {"distinct", distinct.size()}, {"list", listed}};
    e["subjects"] = subjects;
    e["sources"] = nlohmann::ordered_json::array();
    for (const auto& [ip, n] : sources) e["sources"].push_back(ip.str());
    e["servers"] = nlohmann::ordered_json::array();
    for (const auto& [ip, port] : servers) e["servers"].push_back(fmt::format("{}:{}", ip.is_v6() ? "[" + ip.str() + "]" : ip.str(), port));
    e["duration_s"] = a.ts_last - a.ts_first;
    e["window_s"] = limits_.window;
    e["peak_window"] = {{"first", peak.first}, {"last", peak.last}, {"messages", peak.messages},
                        {"recipients", peak.recipients}, {"distinct_recipients", peak.distinct}};
    e["thresholds"] = {{"messages", limits_.messages}, {"recipients", limits_.recipients},
                       {"distinct_recipients", limits_.distinct}};
    if (authenticated) {
      auto it = logins_.find(who);
      Logins l = it == logins_.end() ? Logins{} : it->second;
      e["logins"] = {{"success", l.success}, {"failure", l.failure}};
    }

    std::string through = a.dst ? fmt::format(" through {}", *a.dst) : fmt::format(" through {} servers", servers.size());
    std::string from = sources.size() == 1 ? a.src : fmt::format("{} addresses (mostly {})", sources.size(), a.src);
    std::string to = fmt::format("{} ({} distinct)", plural(recipients, "recipient", "recipients"), distinct.size());
    std::string span = spoken_duration(a.ts_last - a.ts_first);
    if (authenticated)
      a.summary = fmt::format("Account {} sent {} to {} from {}{} in {}.", who, plural(a.count, "message", "messages"), to,
                              from, through, span);
    else
      a.summary = fmt::format("{} sent {} to {} without logging in{} in {}.", a.src, plural(a.count, "message", "messages"),
                              to, through, span);
    return a;
  }

  const HomeNet& home_;
  Thresholds limits_;
  bool unauthenticated_;
  size_t max_recipients_, max_subjects_;
  // servers_ and logins_ are read only in finish(): smtp and auth records may interleave in any way.
  std::set<IpAddress> relays_, servers_;
  StringIds senders_, recipients_, subjects_, files_;
  std::vector<Message> messages_;
  std::vector<uint32_t> rcpts_;  // recipient ids of every message, each message a slice
  std::map<std::string, Logins, std::less<>> logins_;
  std::unordered_map<uint32_t, uint32_t> in_window_;  // recipient id -> messages in the window naming it
  std::string key_, lower_;
};

constexpr std::string_view kInputs[] = {"smtp", "auth"};
constexpr std::string_view kTypes[] = {"mail.mass_mailing"};

}  // namespace

const DetectorInfo kMassMailingDetector{
    "mail.mass_mailing", kInputs, kTypes,
    "Counts, per sender and over a sliding window, the mail transactions (MAIL FROM with at least one RCPT TO),\n"
    "the RCPT TO addresses and the distinct ones in smtp.jsonl. The sender is the account that logged in with\n"
    "SMTP AUTH (auth_user), or, for mail sent without AUTH, the internal client address; hosts that receive\n"
    "SMTP themselves (mail servers forwarding mail) and known_relays are not counted as unauthenticated\n"
    "senders. Any count reaching its threshold within the window starts an episode; each episode is one\n"
    "alert with the messages, recipients, subjects, sources, servers and peak window, and for accounts the\n"
    "SMTP logins of auth.jsonl. Mail inside STARTTLS is encrypted and cannot be counted.",
    [](const DetectContext& c) -> std::unique_ptr<Detector> { return std::make_unique<MassMailingDetector>(c); }};

}  // namespace trawl::detect
