// trawl extract: the packets a display filter, a capture filter, whole flows or findings select, written
// to a pcap or pcapng file with their original bytes and timestamps, in time order over all inputs.
#include <algorithm>
#include <filesystem>
#include <optional>

#include <absl/container/flat_hash_set.h>
#include <fmt/format.h>

#include "cli/commands.h"
#include "extract/bpf_filter.h"
#include "extract/conn_extract.h"
#include "extract/evidence.h"
#include "extract/packet_writer.h"
#include "filter/filter.h"
#include "flow/flow_key.h"

namespace trawl::cli {
namespace {

// The packet-level tests every mode shares: -f first (cheapest, before decoding), then -Y.
struct PacketTests {
  std::optional<extract::BpfFilter> bpf;
  std::optional<filter::Filter> display;

  explicit PacketTests(const ExtractOptions& o) {
    // Both compile before any input is opened, so a typo fails fast.
    if (!o.display_filter.empty()) display.emplace(o.display_filter);
    if (!o.capture_filter.empty()) bpf.emplace(o.capture_filter);
  }
  bool pass_raw(const capture::RawPacket& raw) { return !bpf || bpf->matches(raw); }
  bool pass_view(const capture::RawPacket& raw, const packet::PacketView& view) {
    return !display || display->matches(raw, view);
  }
};

// The output's header settings from the inputs: the largest snaplen, nanosecond magic unless every
// input is a microsecond pcap (pcapng timestamps may be finer).
extract::OutputOptions output_options(const ExtractOptions& o, const capture::CaptureSet& set) {
  extract::OutputOptions out;
  out.format = o.format;
  uint32_t snaplen = 0;
  for (const auto& f : set.files()) {
    snaplen = std::max(snaplen, f.snaplen);
    out.nanosecond |= f.format != capture::CaptureFormat::kPcap;
  }
  if (snaplen) out.snaplen = snaplen;
  return out;
}

void report(const ExtractOptions& o, uint64_t written, uint64_t read, const extract::PacketFile& file) {
  if (!o.common.quiet) {
    fmt::print(stderr, "extract: {} of {} packets written to {} ({})\n", written, read, file.display_name(),
               extract::format_name(file.format()));
  }
}

// Packets read through an analyze directory's frame index (a finding's frames, a connection), written
// after -f and -Y.
int write_indexed(const ExtractOptions& o, PacketTests& tests, const std::vector<extract::IndexedCapture>& index,
                  const std::vector<extract::OwnedPacket>& packets) {
  if (tests.display)  // frame.time_relative counts from each file's first packet, which is not read here
    for (size_t i = 0; i < index.size(); ++i) tests.display->set_file_start(uint32_t(i), index[i].first_ts_ns);
  extract::OutputOptions out_options;
  out_options.format = o.format;
  out_options.nanosecond = std::any_of(packets.begin(), packets.end(), [](const auto& p) { return p.raw.ts_ns % 1000 != 0; });
  extract::PacketFile out(o.output, out_options);
  packet::Decoder decoder;
  packet::PacketView view;
  for (const auto& p : packets) {
    if (o.count && out.written() >= o.count) break;
    if (!tests.pass_raw(p.raw)) continue;
    decoder.decode(p.raw, view);
    if (tests.pass_view(p.raw, view)) out.write(p.raw);
  }
  out.close();
  report(o, out.written(), packets.size(), out);
  return 0;
}

}  // namespace

int run_extract(ExtractOptions o) {
  // `trawl extract OUTDIR --alert T/I`: the one path is the analyze directory.
  auto& paths = o.common.paths;
  if (!o.alert_selectors.empty() && o.alerts_dir.empty() && paths.size() == 1 &&
      std::filesystem::exists(std::filesystem::path(paths[0]) / "alerts.jsonl")) {
    o.alerts_dir = paths[0];
    paths.clear();
  }
  const char* usage = !o.alert_selectors.empty() && o.alerts_dir.empty() ? "--alert needs the analyze directory: --alerts OUTDIR"
                      : paths.empty() && o.alerts_dir.empty()           ? "extract needs capture files or directories (or --alerts OUTDIR)"
                                                                        : nullptr;
  if (usage) {
    fmt::print(stderr, "trawl: {}\n", usage);
    return 2;
  }
  PacketTests tests(o);
  if (!o.uids.empty()) {  // connections of an analyze directory, through its records and frame index
    const std::string dir = !o.alerts_dir.empty() ? o.alerts_dir : paths.size() == 1 ? paths[0] : "";
    if (dir.empty() || !std::filesystem::exists(std::filesystem::path(dir) / "conn.jsonl")) {
      fmt::print(stderr, "trawl: --uid needs the directory of trawl analyze: trawl extract OUTDIR --uid UID\n");
      return 2;
    }
    const auto index = extract::read_frame_index(dir);
    return write_indexed(o, tests, index, extract::read_conn_packets(index, extract::read_conns(dir, o.uids)));
  }
  const bool evidence = !o.alerts_dir.empty();
  extract::FrameSelection wanted;
  if (evidence) {
    wanted = extract::read_alert_frames(o.alerts_dir, o.alert_selectors);
    if (o.common.paths.empty()) {
      const auto index = extract::read_frame_index(o.alerts_dir);
      return write_indexed(o, tests, index, extract::read_selected_frames(index, wanted));
    }
  }
  // Evidence frames by file index (alerts name files by name; both passes see the same file list).
  std::vector<const std::set<uint64_t>*> frames_of;
  auto selected = [&](const capture::RawPacket& raw, const packet::PacketView& view) {
    if (evidence && (!frames_of[raw.file_index] || !frames_of[raw.file_index]->count(raw.frame))) return false;
    return tests.pass_raw(raw) && tests.pass_view(raw, view);
  };
  auto index_evidence = [&](const capture::CaptureSet& set) {
    frames_of.assign(set.files().size(), nullptr);
    for (size_t i = 0; i < frames_of.size(); ++i) {
      auto it = wanted.find(set.files()[i].name);
      if (it != wanted.end()) frames_of[i] = &it->second;
    }
  };

  // --flows, first pass: the keys of the flows with at least one selected packet. Its input problems are
  // reported once, by the second pass.
  absl::flat_hash_set<flow::FlowKey> flows;
  flow::PacketKey key;
  if (o.flows) {
    CaptureRun run(o.common);
    index_evidence(run.captures());
    run.for_each([&](const capture::RawPacket& raw, const packet::PacketView& view) {
      if (selected(raw, view) && flow::make_packet_key(view, key)) flows.insert(key.key);
    });
  }

  CaptureRun run(o.common);
  index_evidence(run.captures());
  extract::PacketFile out(o.output, output_options(o, run.captures()));
  uint64_t read = 0;
  run.for_each([&](const capture::RawPacket& raw, const packet::PacketView& view) {
    ++read;
    if (o.flows ? flow::make_packet_key(view, key) && flows.contains(key.key) : selected(raw, view)) out.write(raw);
    return !o.count || out.written() < o.count;  // -c N: stop reading once N are written
  });
  out.close();
  int status = run.finish();
  report(o, out.written(), read, out);
  return status;
}

}  // namespace trawl::cli
