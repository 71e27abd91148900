#include "detect/engine.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <set>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "detect/conn_spool.h"
#include "detect/detector.h"
#include "detect/record_view.h"

namespace trawl::detect {

namespace {

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

// Calls `fn(line)` for every line of a file, reading it in chunks into `buf` (reused from file to file:
// zeroing 8 MiB per file costs more than reading most of them); lines are followed by at least
// simdjson::SIMDJSON_PADDING readable bytes, as simdjson's parser needs.
template <typename Fn>
void for_each_line(const std::string& path, std::vector<char>& buf, Fn&& fn) {
  std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
  if (!f) throw std::runtime_error(fmt::format("cannot open {}: {}", path, std::strerror(errno)));
  if (buf.size() < (size_t(8) << 20)) buf.resize(size_t(8) << 20);
  size_t have = 0;
  bool eof = false;
  while (!eof || have) {
    if (!eof) {
      if (buf.size() - have < simdjson::SIMDJSON_PADDING + (size_t(1) << 20)) buf.resize(buf.size() * 2);  // a huge line
      size_t n = std::fread(buf.data() + have, 1, buf.size() - have - simdjson::SIMDJSON_PADDING, f.get());
      if (n == 0) {
        if (std::ferror(f.get())) throw std::runtime_error(fmt::format("cannot read {}", path));
        eof = true;
      }
      have += n;
    }
    std::memset(buf.data() + have, 0, simdjson::SIMDJSON_PADDING);
    size_t start = 0;
    while (true) {
      const char* nl = static_cast<const char*>(std::memchr(buf.data() + start, '\n', have - start));
      size_t end = nl ? size_t(nl - buf.data()) : (eof ? have : size_t(-1));
      if (end == size_t(-1)) break;  // an incomplete last line: read more first
      if (end > start) fn(std::string_view(buf.data() + start, end - start));
      start = nl ? end + 1 : have;
      if (start >= have) break;
    }
    std::memmove(buf.data(), buf.data() + start, have - start);
    have -= start;
  }
}

}  // namespace

const std::vector<std::string>& record_type_order() {
  // Context first (name resolutions, ARP, ICMP errors), then application records, the login ledger, and the
  // connections last, so a detector that correlates can index the small files before the big one.
  static const std::vector<std::string> order = {
      "arp", "icmp", "dns", "http", "tls", "smtp", "pop3", "imap", "ftp", "ssh", "rdp", "smb",
      "mysql", "postgresql", "redis", "mssql", "auth", "conn"};
  return order;
}

namespace {

// One thread's share: some detectors, the record types they read, what it read.
struct DetectorGroup {
  std::vector<size_t> members;  // indices into the detector list
  std::vector<std::vector<Alert>> alerts;  // per member
  std::map<std::string, uint64_t> records, malformed;
  std::set<std::string> missing;
  std::exception_ptr error;
};

void run_group(const std::string& dir, std::span<const DetectorInfo* const> which,
               const std::vector<std::unique_ptr<Detector>>& running, const ConnSpool* spool,
               const std::vector<std::string>& order, DetectorGroup& group) {
  std::vector<std::vector<Detector*>> readers(order.size());
  for (size_t m : group.members)
    for (std::string_view type : which[m]->inputs) {
      auto it = std::find(order.begin(), order.end(), type);
      if (it == order.end()) throw std::logic_error(fmt::format("record type {} is not in record_type_order()", type));
      readers[size_t(it - order.begin())].push_back(running[m].get());
    }
  simdjson::dom::parser parser;
  std::vector<char> buf;
  for (size_t t = 0; t < readers.size(); ++t) {
    if (readers[t].empty()) continue;
    const std::string& type = order[t];
    if (spool && type == "conn") {
      group.records[type] = spool->for_each([&](const RecordView& view) {
        for (Detector* d : readers[t]) d->on_record(type, view);
      });
      continue;
    }
    std::string path = (std::filesystem::path(dir) / (type + ".jsonl")).string();
    if (!std::filesystem::exists(path)) {
      group.missing.insert(type);
      continue;
    }
    uint64_t& count = group.records[type];
    for_each_line(path, buf, [&](std::string_view line) {
      simdjson::dom::object object;
      if (parser.parse(line.data(), line.size(), false).get_object().get(object)) {
        ++group.malformed[type];
        return;
      }
      ++count;
      RecordView view(object);
      for (Detector* d : readers[t]) d->on_record(type, view);
    });
  }
  group.alerts.resize(group.members.size());
  for (size_t i = 0; i < group.members.size(); ++i) running[group.members[i]]->finish(group.alerts[i]);
}

}  // namespace

DetectResult run_detectors(const std::string& dir, const Config& config, std::span<const DetectorInfo* const> which,
                           const FeedOptions& feed) {
  const std::vector<std::string>& order = feed.order.empty() ? record_type_order() : feed.order;
  for (const std::string& type : record_type_order())
    if (std::find(order.begin(), order.end(), type) == order.end())
      throw std::logic_error(fmt::format("the feed order lacks record type {}", type));
  ConnSpool* spool = feed.spool;
  unsigned threads = feed.threads;
  HomeNet home(config.strings("general.home_net"));
  DetectContext context{config, home};
  std::vector<std::unique_ptr<Detector>> running;
  for (const DetectorInfo* info : which) running.push_back(info->make(context));

  // Costliest first, each to the least loaded group.
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  std::vector<DetectorGroup> groups(std::max<size_t>(1, std::min<size_t>(threads, running.size())));
  std::vector<size_t> by_cost(running.size());
  for (size_t i = 0; i < by_cost.size(); ++i) by_cost[i] = i;
  std::stable_sort(by_cost.begin(), by_cost.end(), [&](size_t a, size_t b) { return which[a]->cost > which[b]->cost; });
  std::vector<uint64_t> load(groups.size());
  for (size_t i : by_cost) {
    size_t g = size_t(std::min_element(load.begin(), load.end()) - load.begin());
    groups[g].members.push_back(i);
    load[g] += which[i]->cost;
  }

  if (spool) spool->finish_writing();
  auto work = [&](DetectorGroup& group) {
    try {
      run_group(dir, which, running, spool, order, group);
    } catch (...) {
      group.error = std::current_exception();
    }
  };
  {
    std::vector<std::jthread> helpers;
    for (size_t g = 1; g < groups.size(); ++g) helpers.emplace_back(work, std::ref(groups[g]));
    work(groups[0]);
  }

  DetectResult result;
  std::vector<std::vector<Alert>*> alerts_of(running.size());
  std::set<std::string> missing;
  for (DetectorGroup& group : groups) {
    if (group.error) std::rethrow_exception(group.error);
    for (size_t i = 0; i < group.members.size(); ++i) alerts_of[group.members[i]] = &group.alerts[i];
    result.records.insert(group.records.begin(), group.records.end());
    result.malformed.insert(group.malformed.begin(), group.malformed.end());
    missing.insert(group.missing.begin(), group.missing.end());
  }
  for (const std::string& type : record_type_order())
    if (missing.count(type)) result.missing.push_back(type + ".jsonl");
  for (auto* alerts : alerts_of)
    for (Alert& a : *alerts) result.alerts.push_back(std::move(a));
  std::stable_sort(result.alerts.begin(), result.alerts.end(), alert_order);
  return result;
}

namespace {
void write_text(const std::string& path, const std::string& text) {
  std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "wb"));
  if (!f) throw std::runtime_error(fmt::format("cannot create {}: {}", path, std::strerror(errno)));
  std::fwrite(text.data(), 1, text.size(), f.get());
  if (std::fflush(f.get()) != 0 || std::ferror(f.get())) throw std::runtime_error(fmt::format("cannot write {}", path));
}
}  // namespace

void write_alerts(const std::string& path, const std::vector<Alert>& alerts) {
  std::string text;
  for (const Alert& a : alerts)
    text += a.to_json().dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + '\n';
  write_text(path, text);
}

void write_stories(const std::string& path, const std::vector<Story>& stories, const std::vector<Alert>& alerts) {
  write_text(path, stories_json(stories, alerts).dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n");
}

std::string render_alert_summary(const std::vector<Alert>& alerts, const std::vector<Story>& stories) {
  if (alerts.empty()) return "findings:     none\n";
  std::map<std::string, std::array<uint64_t, 5>> by_type;
  std::map<std::string, uint64_t> by_actor;
  for (const Alert& a : alerts) {
    by_type[a.type][size_t(a.severity)]++;
    by_actor[a.src]++;
  }
  std::string out = fmt::format("findings:     {} alerts (alerts.jsonl)\n", alerts.size());
  for (const auto& [type, sev] : by_type) {
    out += fmt::format("  {:<24}", type);
    for (int s = 4; s >= 0; --s)
      if (sev[size_t(s)]) out += fmt::format(" {} {}", sev[size_t(s)], severity_name(Severity(s)));
    out += "\n";
  }
  std::vector<std::pair<std::string, uint64_t>> actors(by_actor.begin(), by_actor.end());
  std::stable_sort(actors.begin(), actors.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  out += "top actors:  ";
  for (size_t i = 0; i < actors.size() && i < 5; ++i) out += fmt::format(" {} ({})", actors[i].first, actors[i].second);
  return out + "\n" + render_stories(stories);
}

std::string explain(std::string_view what) {
  std::string out;
  for (const DetectorInfo* info : detectors()) {
    bool match = info->name == what;
    for (std::string_view t : info->alert_types)
      match = match || t == what || (t.size() > what.size() && t.substr(0, what.size()) == what && t[what.size()] == '.');
    if (!match) continue;
    out += fmt::format("detector {}: reports", info->name);
    for (std::string_view t : info->alert_types) out += fmt::format(" {}", t);
    out += "\nreads:";
    for (std::string_view t : info->inputs) out += fmt::format(" {}.jsonl", t);
    out += fmt::format("\n\n{}\n\nsettings (config/detect.toml; --config FILE overrides):\n{}\n", info->explain,
                       Config::default_section_text(info->name));
  }
  return out;
}

}  // namespace trawl::detect
