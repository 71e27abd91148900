#include "detect/engine.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "detect/conn_codec.h"
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
  // connections. Detectors must not rely on it (analyze interleaves the types as the traffic does); it is
  // the order `trawl detect` reads the files in.
  static const std::vector<std::string> order = {
      "arp", "icmp", "dns", "http", "tls", "smtp", "pop3", "imap", "ftp", "ssh", "rdp", "smb",
      "mysql", "postgresql", "redis", "mssql", "auth", "conn"};
  return order;
}

namespace {

// A record type's place in record_type_order(), or nullopt.
std::optional<size_t> find_type(std::string_view type) {
  const auto& order = record_type_order();
  auto it = std::find(order.begin(), order.end(), type);
  if (it == order.end()) return std::nullopt;
  return size_t(it - order.begin());
}

size_t type_index(std::string_view type) {
  if (auto t = find_type(type)) return *t;
  throw std::logic_error(fmt::format("record type {} is not in record_type_order()", type));
}

// One thread's share: some detectors, the record types they read, what it read.
struct DetectorGroup {
  std::vector<size_t> members;                  // indices into the detector list
  std::vector<std::vector<Detector*>> readers;  // by record_type_order() index
  std::vector<uint64_t> records, malformed;     // by record_type_order() index
  std::set<std::string> missing;
  std::vector<std::vector<Alert>> alerts;       // per member
  std::exception_ptr error;

  void feed(size_t type, const RecordView& view) {
    ++records[type];
    for (Detector* d : readers[type]) d->on_record(record_type_order()[type], view);
  }
  // line must be followed by simdjson::SIMDJSON_PADDING readable bytes.
  void feed_json(size_t type, std::string_view line, simdjson::dom::parser& parser) {
    simdjson::dom::object object;
    if (parser.parse(line.data(), line.size(), false).get_object().get(object)) {
      ++malformed[type];
      return;
    }
    feed(type, RecordView(object));
  }
};

// The detectors of one run, split into groups of about equal work: costliest first, each to the least
// loaded group.
struct DetectorSet {
  HomeNet home;
  DetectContext context;
  std::span<const DetectorInfo* const> which;
  std::vector<std::unique_ptr<Detector>> running;
  std::vector<DetectorGroup> groups;

  DetectorSet(const Config& config, std::span<const DetectorInfo* const> which_, unsigned threads)
      : home(config.strings("general.home_net")), context{config, home}, which(which_) {
    for (const DetectorInfo* info : which) running.push_back(info->make(context));
    groups.resize(std::max<size_t>(1, std::min<size_t>(threads, running.size())));
    std::vector<size_t> by_cost(running.size());
    for (size_t i = 0; i < by_cost.size(); ++i) by_cost[i] = i;
    std::stable_sort(by_cost.begin(), by_cost.end(), [&](size_t a, size_t b) { return which[a]->cost > which[b]->cost; });
    std::vector<uint64_t> load(groups.size());
    for (size_t i : by_cost) {
      size_t g = size_t(std::min_element(load.begin(), load.end()) - load.begin());
      groups[g].members.push_back(i);
      load[g] += which[i]->cost;
    }
    const size_t types = record_type_order().size();
    for (DetectorGroup& group : groups) {
      group.alerts.resize(group.members.size());
      group.readers.resize(types);
      group.records.resize(types);
      group.malformed.resize(types);
      for (size_t m : group.members)
        for (std::string_view type : which[m]->inputs) group.readers[type_index(type)].push_back(running[m].get());
    }
  }

  bool wanted(size_t type) const {
    for (const DetectorGroup& group : groups)
      if (!group.readers[type].empty()) return true;
    return false;
  }

  void finish(DetectorGroup& group) {
    for (size_t i = 0; i < group.members.size(); ++i) running[group.members[i]]->finish(group.alerts[i]);
  }

  // Every group's alerts, in detector order then sorted; rethrows what a group threw.
  DetectResult result() {
    DetectResult result;
    std::vector<std::vector<Alert>*> alerts_of(running.size());
    std::set<std::string> missing;
    const auto& order = record_type_order();
    for (DetectorGroup& group : groups) {
      if (group.error) std::rethrow_exception(group.error);
      for (size_t i = 0; i < group.members.size(); ++i) alerts_of[group.members[i]] = &group.alerts[i];
      for (size_t t = 0; t < order.size(); ++t) {
        if (!group.readers[t].empty()) result.records[order[t]] = group.records[t];
        if (group.malformed[t]) result.malformed[order[t]] = group.malformed[t];
      }
      missing.insert(group.missing.begin(), group.missing.end());
    }
    for (const std::string& type : order)
      if (missing.count(type)) result.missing.push_back(type + ".jsonl");
    for (auto* alerts : alerts_of)
      for (Alert& a : *alerts) result.alerts.push_back(std::move(a));
    std::stable_sort(result.alerts.begin(), result.alerts.end(), alert_order);
    return result;
  }
};

void read_files(const std::string& dir, const std::vector<std::string>& order, DetectorGroup& group) {
  simdjson::dom::parser parser;
  std::vector<char> buf;
  for (const std::string& type : order) {
    const size_t t = type_index(type);
    if (group.readers[t].empty()) continue;
    std::string path = (std::filesystem::path(dir) / (type + ".jsonl")).string();
    if (!std::filesystem::exists(path)) {
      group.missing.insert(type);
      continue;
    }
    for_each_line(path, buf, [&](std::string_view line) { group.feed_json(t, line, parser); });
  }
}

}  // namespace

DetectResult run_detectors(const std::string& dir, const Config& config, std::span<const DetectorInfo* const> which,
                           const FeedOptions& feed) {
  const std::vector<std::string>& order = feed.order.empty() ? record_type_order() : feed.order;
  for (const std::string& type : record_type_order())
    if (std::find(order.begin(), order.end(), type) == order.end())
      throw std::logic_error(fmt::format("the feed order lacks record type {}", type));
  DetectorSet set(config, which, feed.threads ? feed.threads : std::max(1u, std::thread::hardware_concurrency()));
  auto work = [&](DetectorGroup& group) {
    try {
      read_files(dir, order, group);
      set.finish(group);
    } catch (...) {
      group.error = std::current_exception();
    }
  };
  {
    std::vector<std::jthread> helpers;
    for (size_t g = 1; g < set.groups.size(); ++g) helpers.emplace_back(work, std::ref(set.groups[g]));
    work(set.groups[0]);
  }
  return set.result();
}

// Records travel to the detection threads in blocks: entries of [type index: 1 byte][size: 4 bytes][bytes],
// the bytes being a JSONL row (newline included) or an encoded conn record (conn_codec.h). Every thread
// reads every block; a block goes back to the pool when the last one is done with it.
struct LiveDetection::State {
  static constexpr size_t kBlockSize = size_t(1) << 20;
  static constexpr size_t kMaxQueued = 8;  // blocks waiting per thread before the capture waits for detection

  struct Block {
    output::TextBuffer bytes;  // entries, then SIMDJSON_PADDING bytes once published
    size_t used = 0;
  };
  struct TypeTap final : output::RowTap {
    State* state = nullptr;
    uint8_t type = 0;
    void on_row(std::string_view row) override { state->append(type, row); }
  };
  using Blocks = std::deque<std::shared_ptr<const Block>>;
  struct Queue {  // one per detector thread
    Blocks blocks;
    bool stopped = false;  // its detectors threw: nothing more is queued for it
  };

  Config config;
  flow::FlowSink& next;
  std::vector<std::string> file_names;
  DetectorSet set;
  const size_t conn_type = type_index("conn");
  const bool conn_wanted;
  std::vector<TypeTap> taps;  // by record_type_order() index
  std::unique_ptr<Block> current;

  std::mutex mutex;  // guards what follows but the threads
  std::condition_variable ready, room;
  std::vector<std::unique_ptr<Block>> pool;  // before the queues: the last block released goes back here
  std::vector<Queue> queues;                 // by group
  bool closed = false, aborted = false;
  size_t drained = 0;  // groups that have seen every block
  std::condition_variable all_drained;

  // Once every group has seen every block, the detectors' finish() calls go to whichever thread is free,
  // costliest first: the capture's thread has nothing else to do by then.
  std::vector<std::pair<size_t, size_t>> finish_order;  // (group, member)
  std::atomic<size_t> next_finish{0};
  std::vector<std::exception_ptr> finish_errors;  // by finish_order index

  std::vector<std::jthread> threads;  // last: joined before the rest goes

  State(Config config_, flow::FlowSink& next_, std::vector<std::string> names, unsigned n,
        std::span<const DetectorInfo* const> which)
      : config(std::move(config_)), next(next_), file_names(std::move(names)), set(config, which, n),
        conn_wanted(set.wanted(conn_type)), taps(record_type_order().size()), queues(set.groups.size()) {
    for (size_t t = 0; t < taps.size(); ++t) taps[t].state = this, taps[t].type = uint8_t(t);
    for (size_t g = 0; g < set.groups.size(); ++g)
      for (size_t m = 0; m < set.groups[g].members.size(); ++m) finish_order.emplace_back(g, m);
    std::stable_sort(finish_order.begin(), finish_order.end(), [&](const auto& a, const auto& b) {
      return set.which[set.groups[a.first].members[a.second]]->cost > set.which[set.groups[b.first].members[b.second]]->cost;
    });
    finish_errors.resize(finish_order.size());
    current = fresh_block();
    try {
      for (size_t g = 0; g < set.groups.size(); ++g) threads.emplace_back([this, g] { run(g); });
    } catch (...) {  // no thread to be had: the ones started must not wait for blocks forever
      close(true);
      throw;
    }
  }

  std::unique_ptr<Block> fresh_block() {
    std::unique_ptr<Block> block;
    {
      std::lock_guard lock(mutex);
      if (!pool.empty()) {
        block = std::move(pool.back());
        pool.pop_back();
      }
    }
    if (!block) block = std::make_unique<Block>();
    block->bytes.clear();
    block->bytes.reserve(kBlockSize + (size_t(64) << 10));
    return block;
  }

  // Starts an entry of the given type; the caller appends its bytes and calls end_entry().
  size_t begin_entry(uint8_t type) {
    if (current->bytes.size() >= kBlockSize) publish();
    output::TextBuffer& b = current->bytes;
    const size_t at = b.size();
    b.reserve(5)[0] = char(type);
    b.advance(5);
    return at;
  }
  void end_entry(size_t at) {
    output::TextBuffer& b = current->bytes;
    const uint32_t size = uint32_t(b.size() - at - 5);
    std::memcpy(b.data() + at + 1, &size, sizeof size);
  }
  void append(uint8_t type, std::string_view row) {
    const size_t at = begin_entry(type);
    current->bytes.append(row);
    end_entry(at);
  }

  void publish() {
    if (current->bytes.empty()) return;
    current->used = current->bytes.size();
    std::memset(current->bytes.reserve(simdjson::SIMDJSON_PADDING), 0, simdjson::SIMDJSON_PADDING);
    std::shared_ptr<const Block> block(current.release(), [this](const Block* b) {
      std::lock_guard lock(mutex);
      pool.emplace_back(const_cast<Block*>(b));
    });
    {
      std::unique_lock lock(mutex);
      room.wait(lock, [&] {
        for (const Queue& q : queues)
          if (!q.stopped && q.blocks.size() >= kMaxQueued) return false;
        return true;
      });
      for (Queue& q : queues)
        if (!q.stopped) q.blocks.push_back(block);
    }
    block.reset();
    ready.notify_all();
    current = fresh_block();
  }

  std::shared_ptr<const Block> next_block(Queue& queue) {
    std::unique_lock lock(mutex);
    ready.wait(lock, [&] { return !queue.blocks.empty() || closed; });
    if (queue.blocks.empty()) return nullptr;
    std::shared_ptr<const Block> block = std::move(queue.blocks.front());
    queue.blocks.pop_front();
    lock.unlock();
    room.notify_one();
    return block;
  }

  void run(size_t g) {
    consume(g);
    if (wait_until_drained(true)) finish_detectors();
  }

  // Feeds group g's detectors every block until the last. A detector that throws stops its group.
  void consume(size_t g) {
    DetectorGroup& group = set.groups[g];
    try {
      simdjson::dom::parser parser;
      ConnRow row;
      row.file_names = file_names;
      std::vector<ConnRow::Frame> frames;
      while (std::shared_ptr<const Block> block = next_block(queues[g])) {
        const char* p = block->bytes.data();
        const char* const end = p + block->used;
        while (p < end) {
          const size_t type = uint8_t(*p);
          uint32_t size;
          std::memcpy(&size, p + 1, sizeof size);
          const char* bytes = p + 5;
          p = bytes + size;
          if (group.readers[type].empty()) continue;
          if (type == conn_type) {
            decode_conn(bytes, p, row, frames);
            group.feed(type, RecordView(row));
          } else {
            group.feed_json(type, std::string_view(bytes, size), parser);
          }
        }
      }
    } catch (...) {
      group.error = std::current_exception();
      Blocks dropped;  // released after the lock: a block's last release takes it
      {
        std::lock_guard lock(mutex);
        queues[g].stopped = true;
        dropped.swap(queues[g].blocks);
      }
      room.notify_all();
    }
  }

  // Waits until every group has seen every block (counting the caller's, when it is a group thread); false
  // when the run was abandoned.
  bool wait_until_drained(bool group_thread) {
    std::unique_lock lock(mutex);
    if (group_thread && ++drained == queues.size()) all_drained.notify_all();
    all_drained.wait(lock, [&] { return drained == queues.size() || aborted; });
    return !aborted;
  }

  void finish_detectors() {
    for (size_t i; (i = next_finish.fetch_add(1)) < finish_order.size();) {
      const auto [g, m] = finish_order[i];
      DetectorGroup& group = set.groups[g];
      if (group.error) continue;  // the group stopped: its result is that error
      try {
        set.running[group.members[m]]->finish(group.alerts[m]);
      } catch (...) {
        finish_errors[i] = std::current_exception();
      }
    }
  }

  void close(bool abort) {
    std::vector<Blocks> dropped(queues.size());
    {
      std::lock_guard lock(mutex);
      closed = true;
      aborted = abort;
      if (abort)
        for (size_t g = 0; g < queues.size(); ++g) dropped[g].swap(queues[g].blocks);
    }
    ready.notify_all();
    all_drained.notify_all();
    if (!abort && wait_until_drained(false)) finish_detectors();
    threads.clear();  // joins
    for (const std::exception_ptr& e : finish_errors)
      if (e && !abort) std::rethrow_exception(e);
  }
};

LiveDetection::LiveDetection(Config config, flow::FlowSink& next, std::vector<std::string> file_names, unsigned threads,
                             std::span<const DetectorInfo* const> which)
    : state_(std::make_unique<State>(std::move(config), next, std::move(file_names),
                                     threads ? threads : std::max(2u, std::thread::hardware_concurrency()) - 1, which)) {}

LiveDetection::~LiveDetection() {
  if (!state_->threads.empty()) state_->close(true);
}

void LiveDetection::on_flow_end(flow::ConnRecord&& record) {
  if (state_->conn_wanted) {
    const size_t at = state_->begin_entry(uint8_t(state_->conn_type));
    encode_conn(record, state_->current->bytes);
    state_->end_entry(at);
  }
  state_->next.on_flow_end(std::move(record));
}

output::RowTap* LiveDetection::tap(std::string_view type) {
  auto t = find_type(type);
  if (!t || *t == state_->conn_type || !state_->set.wanted(*t)) return nullptr;  // conn records come as a sink
  return &state_->taps[*t];
}

DetectResult LiveDetection::finish() {
  state_->publish();
  state_->close(false);
  return state_->set.result();
}

namespace {
void write_text(const std::string& path, const std::string& text) {
  std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "wb"));
  if (!f) throw std::runtime_error(fmt::format("cannot create {}: {}", path, std::strerror(errno)));
  std::fwrite(text.data(), 1, text.size(), f.get());
  if (std::fflush(f.get()) != 0 || std::ferror(f.get())) throw std::runtime_error(fmt::format("cannot write {}", path));
}
}  // namespace

void write_alerts(const std::string& path, const std::vector<Alert>& alerts) { write_text(path, alert_lines(alerts)); }

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
