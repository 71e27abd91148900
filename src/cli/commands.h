// The subcommands. Each returns the process exit code: 0 all input read, 2 some input skipped or cut
// short; failures to write output throw std::runtime_error (exit code 1 from main).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "cli/capture_run.h"
#include "extract/packet_writer.h"
#include "flow/flow_table.h"
#include "output/table_writer.h"
#include "proto/session.h"
#include "stats/traffic_tables.h"

namespace trawl::cli {

struct TopOptions {
  size_t count = 100;
  stats::RankBy by = stats::RankBy::kBytes;
  bool hosts = false;
};

struct FlowOptions {
  double tcp_timeout_s = 300, udp_timeout_s = 60, icmp_timeout_s = 60;
  uint32_t stream_buffer = 1u << 20;       // out-of-order bytes held per TCP direction
  uint64_t reassembly_memory = 256ull << 20;  // and for all connections together
  flow::FlowTimeouts timeouts() const;
  proto::AppLayerOptions app_layer() const { return {stream_buffer, reassembly_memory}; }
};

// display_filter: only packets matching this Wireshark display filter (empty: all).
int run_packets(const CommonOptions& common, output::Format format, const std::string& display_filter);
// Prints the display-filter field table.
int run_fields();
int run_top(const CommonOptions& common, output::Format format, const TopOptions& top);
int run_ips(const CommonOptions& common, output::Format format, size_t count);
// How detection runs: settings file, which networks are ours, indicator list.
struct DetectOptions {
  std::string config_path;            // --config: laid over config/detect.toml
  std::vector<std::string> home_net;  // --home-net: replaces general.home_net when given
  std::string ioc_path;               // --ioc: indicator list (sets ioc.file)
  bool enabled = true;                // analyze --no-detect turns detection off
  unsigned threads = 0;               // --detect-threads: 0 is one per core (analyze: but one)
};

struct AnalyzeOptions {
  size_t top_count = 100;
  bool show_passwords = false;
  bool zeek = false;  // also write Zeek-style TSV logs
  DetectOptions detect;
};

int run_flows(const CommonOptions& common, output::Format format, const FlowOptions& flows);
int run_analyze(const CommonOptions& common, const FlowOptions& flows, const AnalyzeOptions& analyze);
// The record types analyze writes (one file each, empty when none was seen).
const std::vector<std::string>& record_types();

// Runs the detectors again over the records of an earlier analyze in OUTDIR; rewrites OUTDIR/alerts.jsonl.
int run_detect(const std::string& outdir, const DetectOptions& options, bool quiet);
// Prints what the detector reporting `what` (alert type, family or detector name) looks at; exit 2 if none.
int run_explain(const std::string& what);

// Prints the records of one type (dns, http, auth, ...).
int run_records(const CommonOptions& common, output::Format format, const FlowOptions& flows,
                const std::string& type, bool show_passwords);

// trawl extract: selected packets to a pcap/pcapng file (cli/extract_command.cpp).
struct ExtractOptions {
  CommonOptions common;                      // paths (may be empty with alerts_dir), quiet
  std::string display_filter;                // -Y
  std::string capture_filter;                // -f (libpcap BPF, on the raw frame)
  std::string output;                        // -w FILE, "-" for standard output
  std::optional<extract::FileFormat> format;  // -F; none: pcap unless several link types
  uint64_t count = 0;                        // -c: stop after this many written (0: no limit)
  bool flows = false;                        // --flows: whole flows with a selected packet (two passes)
  std::string alerts_dir;                    // --alerts OUTDIR: the findings' evidence frames
  std::vector<std::string> alert_selectors;  // --alert TYPE/INDEX: only these findings
  std::vector<std::string> uids;             // --uid UID: connections of an analyze directory (conn.jsonl)
};
int run_extract(ExtractOptions options);

}  // namespace trawl::cli
