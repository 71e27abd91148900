#include "cli/commands.h"

#include <filesystem>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>

#include "detect/engine.h"
#include "extract/frame_index.h"
#include "filter/fields.h"
#include "filter/filter.h"
#include "flow/flow_shards.h"
#include "proto/packet_records/packet_records.h"
#include "proto/record_files.h"
#include "proto/session.h"
#include "output/record_writers.h"
#include "stats/capture_summary.h"

namespace trawl::cli {

flow::FlowTimeouts FlowOptions::timeouts() const {
  flow::FlowTimeouts t;
  t.tcp_ns = int64_t(tcp_timeout_s * 1e9);
  t.udp_ns = int64_t(udp_timeout_s * 1e9);
  t.icmp_ns = int64_t(icmp_timeout_s * 1e9);
  return t;
}

int run_packets(const CommonOptions& common, output::Format format, const std::string& display_filter) {
  std::optional<filter::Filter> only;
  if (!display_filter.empty()) only.emplace(display_filter);  // before opening anything: a typo fails fast
  CaptureRun run(common);
  OutputFile out(common.output);
  output::PacketWriter writer(out.get(), format, run.captures().files());
  run.for_each([&](const capture::RawPacket& raw, const packet::PacketView& view) {
    if (!only || only->matches(raw, view)) writer.write(raw, view);
  });
  writer.finish();
  out.close();
  return run.finish();
}

int run_fields() {
  // The rule for application fields (filter/app_fields.h), where trawl and a default tshark can differ.
  fmt::print("# Application fields (dns.* http.* tls.* smtp.* pop.* imap.* ftp.* ssh.* rdp smb.* smb2.*) are read from\n"
             "# the packet that carries them, as tshark -o tcp.desegment_tcp_streams:FALSE does: a message split\n"
             "# over several TCP segments matches on its first segment, for the fields inside that segment.\n");
  fmt::print("{:<24} {:<17} {}\n", "field", "type", "description");
  for (const auto& f : filter::all_fields()) fmt::print("{:<24} {:<17} {}\n", f.name, filter::type_name(f.type), f.description);
  return 0;
}

int run_top(const CommonOptions& common, output::Format format, const TopOptions& top) {
  CaptureRun run(common);
  OutputFile out(common.output);
  stats::PairTable pairs;
  run.for_each([&](const capture::RawPacket& raw, const packet::PacketView& view) { pairs.add(view, raw); });
  if (top.hosts) output::write_hosts(out.get(), format, stats::HostTable(pairs).top(top.count, top.by));
  else output::write_pairs(out.get(), format, pairs.top(top.count, top.by));
  out.close();
  return run.finish();
}

int run_ips(const CommonOptions& common, output::Format format, size_t count) {
  CaptureRun run(common);
  OutputFile out(common.output);
  stats::PairTable pairs;
  run.for_each([&](const capture::RawPacket& raw, const packet::PacketView& view) { pairs.add(view, raw); });
  output::write_hosts(out.get(), format, stats::HostTable(pairs).top(count, stats::RankBy::kPackets));
  out.close();
  return run.finish();
}

const std::vector<std::string>& record_types() {
  static const std::vector<std::string> types = {"arp", "icmp", "dns", "http", "tls", "smtp", "pop3", "imap", "ftp",
                                                 "ssh", "rdp", "smb", "auth"};
  return types;
}

namespace {

std::string application_summary(const proto::AppLayerStats& s, const proto::RecordFiles& records) {
  std::string text = fmt::format(
      "sessions:     {} tcp/udp, {} identified by content, {} reassembly gaps ({} from buffering limits)\n",
      s.sessions, s.identified, s.reassembly_gaps, s.reassembly_limit_hits);
  text += "records:     ";
  for (const auto& name : record_types()) text += fmt::format(" {} {}", name, records.count(name));
  return text + "\n";
}

std::vector<std::string> file_names(const capture::CaptureSet& set) {
  std::vector<std::string> names;
  for (const auto& f : set.files()) names.push_back(f.name);
  return names;
}

// Records nobody asked for (`trawl flows` runs the analyzers only for the conn records' service).
detect::Config detect_config(const DetectOptions& options) {
  detect::Config config = options.config_path.empty() ? detect::Config::defaults() : detect::Config::load(options.config_path);
  if (!options.home_net.empty()) config.set_strings("general.home_net", options.home_net);
  if (!options.ioc_path.empty()) config.set_string("ioc.file", options.ioc_path);
  return config;
}

// Writes alerts.jsonl and story.json of a detection run into OUTDIR, and returns the summary text.
std::string write_detection(const std::string& outdir, const detect::DetectResult& result) {
  detect::write_alerts((std::filesystem::path(outdir) / "alerts.jsonl").string(), result.alerts);
  std::vector<detect::Story> stories = detect::find_stories(result.alerts);
  detect::write_stories((std::filesystem::path(outdir) / "story.json").string(), stories, result.alerts);
  std::string text;
  for (const auto& [type, n] : result.malformed)
    text += fmt::format("warning: {} lines of {}.jsonl were not records and were skipped\n", n, type);
  return text + detect::render_alert_summary(result.alerts, stories);
}

struct DiscardRecords final : proto::RecordSink {
  void emit(const proto::Record&) override {}
};
struct DiscardConns final : flow::FlowSink {
  void on_flow_end(flow::ConnRecord&&) override {}
};
}  // namespace

int run_flows(const CommonOptions& common, output::Format format, const FlowOptions& flows) {
  CaptureRun run(common);
  OutputFile out(common.output);
  output::ConnWriter writer(out.get(), format, run.captures().files());
  DiscardRecords discard;
  proto::AppLayer app(discard, file_names(run.captures()), flows.app_layer());
  flow::FlowShards table(writer, 1, flows.timeouts(), &app);
  run.for_each([&](const capture::RawPacket& raw, const packet::PacketView& view) { table.add(view, raw); });
  table.flush();
  writer.finish();
  out.close();
  return run.finish();
}

int run_records(const CommonOptions& common, output::Format format, const FlowOptions& flows,
                const std::string& type, bool show_passwords) {
  CaptureRun run(common);
  OutputFile out(common.output);
  proto::RecordFilter records(type, out.get(), format, proto::WriteOptions{show_passwords});
  proto::AppLayer app(records, file_names(run.captures()), flows.app_layer());
  proto::packet_records::PacketRecords packet_records(records, file_names(run.captures()));
  DiscardConns conns;
  flow::FlowShards table(conns, 1, flows.timeouts(), &app);
  run.for_each([&](const capture::RawPacket& raw, const packet::PacketView& view) {
    packet_records.add(view, raw);
    table.add(view, raw);
  });
  table.flush();
  records.finish();
  out.close();
  return run.finish();
}

int run_analyze(const CommonOptions& common, const FlowOptions& flows, const AnalyzeOptions& analyze) {
  namespace fs = std::filesystem;
  if (common.output.empty()) throw std::runtime_error("analyze needs an output directory: -o OUTDIR");
  std::error_code ec;
  fs::create_directories(common.output, ec);
  if (ec) throw std::runtime_error(fmt::format("cannot create {}: {}", common.output, ec.message()));
  auto path = [&](const char* name) { return (fs::path(common.output) / name).string(); };

  CaptureRun run(common);
  OutputFile conn_file(path("conn.jsonl"));
  output::ConnWriter conn(conn_file.get(), output::Format::kJsonl, run.captures().files());
  proto::RecordFiles records(common.output, proto::WriteOptions{analyze.show_passwords}, analyze.zeek);
  proto::AppLayer app(records, file_names(run.captures()), flows.app_layer());
  proto::packet_records::PacketRecords packet_records(records, file_names(run.captures()));
  // Detection runs on threads of its own while the capture is read, taking the records as they are made.
  std::optional<detect::LiveDetection> detection;
  if (analyze.detect.enabled) {
    detection.emplace(detect_config(analyze.detect), conn, file_names(run.captures()), analyze.detect.threads);
    records.set_taps(&*detection);
  }
  flow::FlowShards table(detection ? static_cast<flow::FlowSink&>(*detection) : conn, 1, flows.timeouts(), &app);
  stats::PairTable pairs;
  stats::CaptureSummary summary;
  extract::FrameIndexBuilder frame_index(run.captures());  // lets trawl extract --alerts seek to evidence
  run.for_each([&](const capture::RawPacket& raw, const packet::PacketView& view) {
    frame_index.add(raw);
    summary.add(view, raw);
    pairs.add(view, raw);
    packet_records.add(view, raw);
    table.add(view, raw);
  });
  table.flush();
  conn.finish();
  conn_file.close();
  records.finish(record_types());
  frame_index.write(common.output);

  OutputFile hosts_file(path("hosts.jsonl"));
  output::write_hosts(hosts_file.get(), output::Format::kJsonl, stats::HostTable(pairs).top(0, stats::RankBy::kPackets));
  hosts_file.close();
  OutputFile pairs_file(path("top_pairs.csv"));
  output::write_pairs(pairs_file.get(), output::Format::kCsv, pairs.top(analyze.top_count, stats::RankBy::kBytes));
  pairs_file.close();

  flow::FlowStats flow_stats = table.stats();
  std::string text = summary.render(run.captures(), run.decoder().stats(), &flow_stats, conn.records());
  text += application_summary(app.stats(), records);
  if (detection) text += write_detection(common.output, detection->finish());
  OutputFile summary_file(path("summary.txt"));
  std::fputs(text.c_str(), summary_file.get());
  summary_file.close();
  if (!common.quiet) {
    std::fputs(text.c_str(), stdout);
    fmt::print("wrote {}/: conn.jsonl hosts.jsonl top_pairs.csv summary.txt{} and the record files above\n",
               common.output, analyze.detect.enabled ? " alerts.jsonl story.json" : "");
  }
  return run.finish();
}

int run_detect(const std::string& outdir, const DetectOptions& options, bool quiet) {
  if (!std::filesystem::is_directory(outdir))
    throw std::runtime_error(fmt::format("{} is not a directory (give the OUTDIR of an earlier trawl analyze)", outdir));
  if (!std::filesystem::exists(std::filesystem::path(outdir) / "conn.jsonl"))
    throw std::runtime_error(fmt::format("{} has no conn.jsonl: not the output of trawl analyze", outdir));
  detect::FeedOptions feed;
  feed.threads = options.threads;
  std::string text = write_detection(outdir, detect::run_detectors(outdir, detect_config(options), detect::detectors(), feed));
  if (!quiet) std::fputs(text.c_str(), stdout);
  return 0;
}

int run_explain(const std::string& what) {
  std::string text = detect::explain(what);
  if (text.empty()) {
    fmt::print(stderr, "trawl: no detector reports '{}'\n", what);
    return 2;
  }
  std::fputs(text.c_str(), stdout);
  return 0;
}

}  // namespace trawl::cli
