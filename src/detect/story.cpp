#include "detect/story.h"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include <fmt/format.h>

namespace trawl::detect {

namespace {

constexpr std::string_view kStageNames[] = {"scan", "guess", "access", "beacon", "spread"};

std::string clock(double ts) {
  std::time_t t = std::time_t(std::floor(ts));
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:02}:{:02}:{:02}", tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::string when(double first, double last) {
  std::string a = clock(first), b = clock(last);
  return a == b ? a : a + "-" + b;
}

std::string day(double ts) {
  std::time_t t = std::time_t(std::floor(ts));
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

// Evidence fields read leniently: alerts come from our detectors, but a missing field must not throw.
uint64_t ev_count(const Alert& a, const char* key) {
  auto it = a.evidence.find(key);
  return it != a.evidence.end() && it->is_number() ? it->get<uint64_t>() : 0;
}
double ev_number(const Alert& a, const char* key, double fallback) {
  auto it = a.evidence.find(key);
  return it != a.evidence.end() && it->is_number() ? it->get<double>() : fallback;
}
std::string ev_string(const Alert& a, const char* key) {
  auto it = a.evidence.find(key);
  return it != a.evidence.end() && it->is_string() ? it->get<std::string>() : std::string();
}
std::string ev_first_string(const Alert& a, const char* key) {
  auto it = a.evidence.find(key);
  return it != a.evidence.end() && it->is_array() && !it->empty() && it->front().is_string()
             ? it->front().get<std::string>()
             : std::string();
}
bool ev_lists(const Alert& a, const char* key, const std::string& value) {
  auto it = a.evidence.find(key);
  if (it == a.evidence.end() || !it->is_array()) return false;
  return std::any_of(it->begin(), it->end(), [&](const auto& e) { return e.is_string() && e.template get_ref<const std::string&>() == value; });
}

bool is_scan(const Alert& a) { return a.type.starts_with("scan."); }
bool is_guess(const Alert& a) { return a.type.starts_with("bruteforce.") && a.dst; }
bool is_beacon(const Alert& a) { return a.type == "c2.beacon" || a.type == "ioc.match"; }
bool is_spread(const Alert& a) { return is_scan(a) || a.type == "http.worm_pattern"; }
bool scan_reaches(const Alert& scan, const std::string& victim) {
  return (scan.dst && *scan.dst == victim) || ev_lists(scan, "targets", victim);
}

// When the attacker got in: the successful login, or when the worm reached the host.
double access_time(const Alert& a) {
  return a.type == "worm.propagation" ? ev_number(a, "infected_at", a.ts_first) : a.ts_last;
}
std::string access_actor(const Alert& a) { return a.type == "worm.propagation" ? ev_string(a, "infected_by") : a.src; }
std::string access_victim(const Alert& a) { return a.type == "worm.propagation" ? a.src : a.dst.value_or(""); }

std::string port_suffix(const Alert& a) { return a.dst_port ? fmt::format(":{}", *a.dst_port) : ""; }

// What the actor did, in a few words with its time; the phrase depends only on the alert.
std::string step_text(const Alert& a, StoryStage stage) {
  std::string t = when(a.ts_first, a.ts_last);
  if (stage == StoryStage::kAccess) {
    if (a.type == "worm.propagation")
      return fmt::format("infected {} over port {} ({})", a.src, ev_count(a, "port"), clock(access_time(a)));
    std::string user = ev_first_string(a, "users");
    return fmt::format("logged in to {} on {}{} ({})", a.proto, a.dst.value_or("?"), user.empty() ? "" : " as " + user,
                       clock(access_time(a)));
  }
  if (a.type == "bruteforce.spray")
    return fmt::format("password-sprayed {} accounts of {} on {} ({}, {} failed logins)", ev_count(a, "users_count"),
                       a.proto, a.dst.value_or("?"), t, ev_count(a, "failures"));
  if (is_guess(a))
    return fmt::format("brute-forced {} on {} ({}, {} failed logins)", a.proto, *a.dst, t, ev_count(a, "failures"));
  if (a.type == "c2.beacon") {
    std::string to = a.dst ? *a.dst + port_suffix(a) : ev_string(a, "domain");
    double interval = std::round(ev_number(a, "interval_s", 0) * 10) / 10;
    return fmt::format("beaconed to {} every {:g} s ({} times, {})", to, interval, a.count, t);
  }
  if (a.type == "ioc.match")
    return fmt::format("contacted {} from the indicator list ({})", ev_string(a, "indicator"), t);
  if (a.type == "http.worm_pattern")
    return fmt::format("sent {} {} to {} addresses (worm pattern, {})", ev_string(a, "method"), ev_string(a, "uri"),
                       ev_count(a, "destinations_count"), t);
  if (a.type == "scan.arp_sweep") return fmt::format("ARP-swept {} addresses ({})", ev_count(a, "targets_count"), t);
  if (a.type == "scan.icmp_sweep") return fmt::format("pinged {} addresses ({})", ev_count(a, "targets_count"), t);
  if (a.type == "scan.smb_vuln") return fmt::format("probed {} for SMB vulnerabilities ({})", a.dst.value_or("?"), t);
  if (a.dst) return fmt::format("scanned {} ({} ports, {})", *a.dst, ev_count(a, "ports_count"), t);
  if (a.dst_port) return fmt::format("scanned {} hosts on port {} ({})", ev_count(a, "targets_count"), *a.dst_port, t);
  return fmt::format("scanned {} hosts ({})", ev_count(a, "targets_count"), t);
}

// One attacker's way into one victim, and what the victim did once it was in.
struct Intrusion {
  std::string attacker, victim;
  std::vector<size_t> scans, guesses, beacons, spread;
  std::optional<size_t> access;
  double start = 0;

  double access_ts(const std::vector<Alert>& alerts) const { return access_time(alerts[*access]); }
};

std::vector<Intrusion> find_intrusions(const std::vector<Alert>& alerts) {
  std::map<std::pair<std::string, std::string>, Intrusion> by_pair;
  for (size_t i = 0; i < alerts.size(); ++i) {
    const Alert& a = alerts[i];
    bool access = a.type == "credential.compromised" || a.type == "worm.propagation";
    if (!access && !is_guess(a)) continue;
    std::string attacker = access ? access_actor(a) : a.src, victim = access ? access_victim(a) : *a.dst;
    if (attacker.empty() || victim.empty() || attacker == victim) continue;
    Intrusion& in = by_pair[{attacker, victim}];
    in.attacker = attacker;
    in.victim = victim;
    if (!access) in.guesses.push_back(i);
    else if (!in.access || access_time(a) < in.access_ts(alerts)) in.access = i;
  }
  std::vector<Intrusion> out;
  for (auto& [pair, in] : by_pair) {
    // Scans count when they came before the way in: before the access, or before the guessing stopped.
    double limit = in.access ? in.access_ts(alerts) : 0;
    for (size_t g : in.guesses) limit = in.access ? limit : std::max(limit, alerts[g].ts_last);
    for (size_t i = 0; i < alerts.size(); ++i) {
      const Alert& a = alerts[i];
      if (a.src == in.attacker && is_scan(a) && scan_reaches(a, in.victim) && a.ts_first <= limit) in.scans.push_back(i);
      if (!in.access || a.src != in.victim || a.ts_first < in.access_ts(alerts)) continue;
      if (is_beacon(a)) in.beacons.push_back(i);
      else if (is_spread(a)) in.spread.push_back(i);
    }
    in.start = in.access ? in.access_ts(alerts) : limit;
    for (size_t i : in.scans) in.start = std::min(in.start, alerts[i].ts_first);
    for (size_t i : in.guesses) in.start = std::min(in.start, alerts[i].ts_first);
    out.push_back(std::move(in));
  }
  std::sort(out.begin(), out.end(), [](const Intrusion& a, const Intrusion& b) {
    return std::tie(a.start, a.attacker, a.victim) < std::tie(b.start, b.attacker, b.victim);
  });
  return out;
}

std::string story_text(const std::vector<StoryStep>& steps) {
  std::string out;
  for (size_t i = 0; i < steps.size(); ++i) {
    if (i == 0) out += steps[i].actor + " ";
    else if (steps[i].actor != steps[i - 1].actor) out += "; " + steps[i].actor + " then ";
    else out += ", ";
    out += steps[i].text;
  }
  return out + ".";
}

}  // namespace

std::vector<Story> find_stories(const std::vector<Alert>& alerts) {
  struct Chain {
    std::vector<const Intrusion*> parts;
  };
  std::vector<Intrusion> intrusions = find_intrusions(alerts);
  std::vector<Chain> chains;
  for (const Intrusion& in : intrusions) {
    // The attacker fell earlier in an existing chain: this intrusion continues that story.
    Chain* joined = nullptr;
    for (Chain& c : chains) {
      for (const Intrusion* p : c.parts)
        if (p->victim == in.attacker && p->access && p->access_ts(alerts) <= in.start) joined = &c;
      if (joined) break;
    }
    if (joined) joined->parts.push_back(&in);
    else chains.push_back({{&in}});
  }

  std::vector<Story> stories;
  for (const Chain& c : chains) {
    Story s;
    std::set<size_t> seen;
    auto add = [&](size_t i, StoryStage stage) {
      if (!seen.insert(i).second) return;
      const Alert& a = alerts[i];
      std::string actor = stage == StoryStage::kAccess ? access_actor(a) : a.src;
      s.steps.push_back({stage, i, actor, a.ts_first, a.ts_last, step_text(a, stage)});
    };
    s.hosts.push_back(c.parts.front()->attacker);
    for (const Intrusion* p : c.parts) {
      for (size_t i : p->scans) add(i, StoryStage::kScan);
      for (size_t i : p->guesses) add(i, StoryStage::kGuess);
      if (p->access) add(*p->access, StoryStage::kAccess);
      for (size_t i : p->beacons) add(i, StoryStage::kBeacon);
      for (size_t i : p->spread) add(i, StoryStage::kSpread);
      if (std::find(s.hosts.begin(), s.hosts.end(), p->victim) == s.hosts.end()) s.hosts.push_back(p->victim);
    }
    std::set<StoryStage> stages;
    for (const StoryStep& st : s.steps) stages.insert(st.stage);
    if (stages.size() < 2) continue;
    auto key_time = [&](const StoryStep& st) { return st.stage == StoryStage::kAccess ? access_time(alerts[st.alert]) : st.ts_first; };
    std::stable_sort(s.steps.begin(), s.steps.end(), [&](const StoryStep& a, const StoryStep& b) {
      return std::make_tuple(key_time(a), a.stage, a.alert) < std::make_tuple(key_time(b), b.stage, b.alert);
    });
    s.text = story_text(s.steps);
    stories.push_back(std::move(s));
  }
  auto stage_count = [](const Story& s) {
    std::set<StoryStage> stages;
    for (const StoryStep& st : s.steps) stages.insert(st.stage);
    return stages.size();
  };
  std::stable_sort(stories.begin(), stories.end(), [&](const Story& a, const Story& b) {
    size_t na = stage_count(a), nb = stage_count(b);
    if (na != nb) return na > nb;
    return std::tie(a.steps.front().ts_first, a.hosts) < std::tie(b.steps.front().ts_first, b.hosts);
  });
  return stories;
}

std::string render_stories(const std::vector<Story>& stories, size_t max_shown) {
  std::string out;
  for (size_t i = 0; i < stories.size() && i < max_shown; ++i)
    out += fmt::format("story:        ({} UTC) {}\n", day(stories[i].steps.front().ts_first), stories[i].text);
  if (stories.size() > max_shown) out += fmt::format("              and {} more in story.json\n", stories.size() - max_shown);
  return out;
}

nlohmann::ordered_json stories_json(const std::vector<Story>& stories, const std::vector<Alert>& alerts) {
  auto list = nlohmann::ordered_json::array();
  for (const Story& s : stories) {
    nlohmann::ordered_json j;
    j["hosts"] = s.hosts;
    double first = s.steps.front().ts_first, last = first;
    for (const StoryStep& st : s.steps) first = std::min(first, st.ts_first), last = std::max(last, st.ts_last);
    j["ts_first"] = first;
    j["ts_last"] = last;
    j["text"] = s.text;
    auto steps = nlohmann::ordered_json::array();
    for (const StoryStep& st : s.steps)
      steps.push_back({{"stage", kStageNames[size_t(st.stage)]}, {"actor", st.actor}, {"type", alerts[st.alert].type},
                       {"alert", st.alert + 1}, {"ts_first", st.ts_first}, {"ts_last", st.ts_last}, {"text", st.text}});
    j["steps"] = std::move(steps);
    list.push_back(std::move(j));
  }
  nlohmann::ordered_json out;
  out["stories"] = std::move(list);
  return out;
}

}  // namespace trawl::detect
