// trawl: on-site network forensics from packet captures.
#include <cstdio>
#include <exception>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.h"
#include "extract/bpf_filter.h"
#include "filter/filter.h"

#ifndef TRAWL_VERSION
#define TRAWL_VERSION "0.0.0"
#endif

namespace {

using namespace trawl;

struct Subcommand {
  CLI::App* app;
  cli::CommonOptions common;
};

// Options every capture-reading command takes.
void add_common(CLI::App* sub, cli::CommonOptions& o, const std::string& default_format, bool with_format = true) {
  sub->add_option("paths", o.paths, "Capture files and directories (walked recursively; any mix)")
      ->required();
  sub->add_flag("-q,--quiet", o.quiet, "No progress bar or summary on the terminal");
  o.format = default_format;
  if (with_format) {
    sub->add_option("-o,--output", o.output, "Write to FILE instead of standard output");
    sub->add_option("--format", o.format, "Output format")
        ->check(CLI::IsMember({"text", "csv", "jsonl", "zeek"}))
        ->capture_default_str();
  }
}

void add_detect_options(CLI::App* sub, cli::DetectOptions& d) {
  sub->add_option("--config", d.config_path, "Detection settings (TOML) laid over the defaults (trawl detect --explain TYPE shows them)")
      ->check(CLI::ExistingFile);
  sub->add_option("--home-net", d.home_net, "Internal networks (CIDR, repeatable or comma-separated); default: private ranges")
      ->delimiter(',');
  sub->add_option("--ioc", d.ioc_path, "Indicators to match (one per line: address, CIDR, domain suffix, URL, JA3/JA4 hash)")
      ->check(CLI::ExistingFile);
  sub->add_option("--detect-threads", d.threads,
                  "Threads the detectors are spread over (0: one per core; analyze keeps one core for reading the "
                  "capture while they run); the alerts are the same for any count")
      ->capture_default_str();
}

void add_flow_options(CLI::App* sub, cli::FlowOptions& f) {
  sub->add_option("--tcp-timeout", f.tcp_timeout_s, "Seconds of inactivity that end a TCP flow")
      ->check(CLI::PositiveNumber)->capture_default_str();
  sub->add_option("--udp-timeout", f.udp_timeout_s, "Seconds of inactivity that end a UDP flow")
      ->check(CLI::PositiveNumber)->capture_default_str();
  sub->add_option("--icmp-timeout", f.icmp_timeout_s, "Seconds of inactivity that end an ICMP flow")
      ->check(CLI::PositiveNumber)->capture_default_str();
  sub->add_option("--stream-buffer", f.stream_buffer,
                  "Out-of-order bytes held per TCP direction before a hole is skipped as a gap")
      ->check(CLI::PositiveNumber)->capture_default_str();
  sub->add_option("--reassembly-memory", f.reassembly_memory, "Out-of-order bytes held for all connections together")
      ->check(CLI::PositiveNumber)->capture_default_str();
}

output::Format format_of(const cli::CommonOptions& o) {
  output::Format f = output::Format::kText;
  output::parse_format(o.format, f);
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"trawl: network forensics from packet captures.\n"
               "Point it at capture files or directories (pcap, pcapng, gzip or zstd compressed; rotated files\n"
               "are merged in time order) and get flows, top talkers, per-address counts and a summary."};
  app.set_version_flag("--version", std::string("trawl ") + TRAWL_VERSION);
  app.require_subcommand(1);
  app.footer("Exit status: 0 all input read, 1 error, 2 some input skipped or cut short (see stderr).");

  cli::CommonOptions packets_opts, top_opts, ips_opts, flows_opts, analyze_opts, records_opts;
  cli::AnalyzeOptions analyze_more;
  std::string record_type;
  bool records_show_passwords = false;
  cli::TopOptions top;
  std::string by = "bytes";
  size_t ips_count = 0;
  cli::FlowOptions flows_flow, analyze_flow, records_flow;

  auto* packets = app.add_subcommand("packets", "One line per packet: time, addresses, ports, transport, application, length, file, frame");
  add_common(packets, packets_opts, "text");
  std::string packets_filter;
  packets->add_option("-Y,--display-filter", packets_filter, "Only packets matching this Wireshark display filter (trawl fields lists the fields)");

  auto* fields = app.add_subcommand("fields", "Every field a display filter (-Y) can name, with its type");

  auto* top_cmd = app.add_subcommand("top", "The endpoint pairs (or hosts) with the most bytes or packets");
  add_common(top_cmd, top_opts, "text");
  top_cmd->add_option("-n,--count", top.count, "How many rows (0 = all)")->capture_default_str();
  top_cmd->add_option("--by", by, "Rank by bytes or packets")->check(CLI::IsMember({"bytes", "packets"}))->capture_default_str();
  top_cmd->add_flag("--hosts", top.hosts, "Rank single addresses instead of pairs");

  auto* ips = app.add_subcommand("ips", "Every address with its packets as source and destination, bytes, first and last seen");
  add_common(ips, ips_opts, "text");
  ips->add_option("-n,--count", ips_count, "How many rows (0 = all)")->capture_default_str();

  auto* flows = app.add_subcommand("flows", "One record per connection (Zeek conn.log fields; --format zeek for Zeek TSV)");
  add_common(flows, flows_opts, "jsonl");
  add_flow_options(flows, flows_flow);

  auto* analyze = app.add_subcommand(
      "analyze",
      "Everything at once into OUTDIR: conn.jsonl, hosts.jsonl, top_pairs.csv, summary.txt, and one file per record\n"
      "type (arp, icmp, dns, http, tls, smtp, pop3, imap, ftp, ssh, rdp, smb, auth: every login attempt),\n"
      "and alerts.jsonl: the findings of the detectors (see trawl detect)");
  add_common(analyze, analyze_opts, "jsonl", false);
  analyze->add_option("-o,--output", analyze_opts.output, "Output directory (created if missing)")->required();
  analyze->add_option("--top", analyze_more.top_count, "Rows in top_pairs.csv")->capture_default_str();
  analyze->add_flag("--show-passwords", analyze_more.show_passwords,
                    "Write cleartext passwords in auth.jsonl (default: length and a short hash)");
  analyze->add_flag("--zeek", analyze_more.zeek, "Also write Zeek-style TSV logs (<type>.log) beside the JSON Lines");
  add_flow_options(analyze, analyze_flow);
  add_detect_options(analyze, analyze_more.detect);
  analyze->add_flag("--no-detect{false}", analyze_more.detect.enabled, "Write the records only; no alerts.jsonl");

  cli::DetectOptions detect_opts;
  std::string detect_dir, explain_what;
  bool detect_quiet = false;
  auto* detect = app.add_subcommand("detect", "Runs the detectors again over the records of an earlier analyze (no captures needed)\n"
                                              "and rewrites OUTDIR/alerts.jsonl: tune thresholds in seconds");
  detect->add_option("outdir", detect_dir, "The OUTDIR of trawl analyze");
  detect->add_option("--explain", explain_what, "Print what the detector reporting TYPE (e.g. scan.tcp_syn, bruteforce) looks at and its settings");
  detect->add_flag("-q,--quiet", detect_quiet, "No summary on the terminal");
  add_detect_options(detect, detect_opts);

  auto* records = app.add_subcommand("records", "Prints one record type: dns, http, tls, smtp, pop3, imap, ftp, ssh, rdp, smb, auth, ...");
  records->add_option("type", record_type, "Record type")->required()->check(CLI::IsMember(cli::record_types()));
  add_common(records, records_opts, "jsonl");
  records->add_flag("--show-passwords", records_show_passwords, "Print cleartext passwords (auth records)");
  add_flow_options(records, records_flow);

  cli::ExtractOptions extract_opts;
  std::string extract_format;
  auto* extract_cmd = app.add_subcommand(
      "extract",
      "Writes the selected packets, original bytes and timestamps, in time order over all inputs, to a pcap\n"
      "file (pcapng when they have several link types, or -F). Select with -Y (display filter), -f (BPF),\n"
      "--flows (whole flows: reads the inputs twice), --alerts OUTDIR / --alert TYPE/INDEX (the frames of\n"
      "findings: with no PATH, read through the frame index trawl analyze left in OUTDIR, which seeks in\n"
      "uncompressed pcap files). Ends with \"extract: N of M packets written to OUT\" on stderr");
  extract_cmd->add_option("paths", extract_opts.common.paths,
                          "Capture files and directories (walked recursively); none with --alerts: the captures analyze read");
  extract_cmd->add_flag("-q,--quiet", extract_opts.common.quiet, "No progress bar or final count on the terminal");
  extract_cmd->add_option("-w,--write", extract_opts.output, "Output file, - for standard output")->required();
  extract_cmd->add_option("-Y,--display-filter", extract_opts.display_filter,
                          "Only packets matching this Wireshark display filter (trawl fields lists the fields)");
  extract_cmd->add_option("-f,--capture-filter", extract_opts.capture_filter,
                          "Only packets matching this libpcap (tcpdump) filter, tested on the raw frame before decoding");
  extract_cmd->add_option("-F,--out-format", extract_format, "pcap or pcapng (default: pcap when every written packet has one link type)")
      ->check(CLI::IsMember({"pcap", "pcapng"}));
  extract_cmd->add_option("-c,--count", extract_opts.count, "Stop after writing N packets");
  extract_cmd->add_flag("--flows", extract_opts.flows,
                        "Every packet (both directions) of each flow with at least one selected packet; reads the inputs twice");
  extract_cmd->add_option("--alerts", extract_opts.alerts_dir, "The OUTDIR of trawl analyze: the evidence frames of its findings (all unless --alert)");
  extract_cmd->add_option("--alert", extract_opts.alert_selectors,
                          "TYPE/INDEX: only the INDEX-th (0-based) alert of TYPE in OUTDIR/alerts.jsonl, e.g. scan.tcp_syn/0 (repeatable)");
  extract_cmd->add_option("--uid", extract_opts.uids,
                          "With the OUTDIR of trawl analyze as the path: every packet of the connection with this uid "
                          "(conn.jsonl), read through OUTDIR's frame index (repeatable)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }

  try {
    if (*fields) return cli::run_fields();
    if (*extract_cmd) {
      if (!extract_format.empty())
        extract_opts.format = extract_format == "pcap" ? extract::FileFormat::kPcap : extract::FileFormat::kPcapng;
      return cli::run_extract(extract_opts);
    }
    if (*packets) return cli::run_packets(packets_opts, format_of(packets_opts), packets_filter);
    if (*top_cmd) {
      top.by = by == "packets" ? stats::RankBy::kPackets : stats::RankBy::kBytes;
      return cli::run_top(top_opts, format_of(top_opts), top);
    }
    if (*ips) return cli::run_ips(ips_opts, format_of(ips_opts), ips_count);
    if (*flows) return cli::run_flows(flows_opts, format_of(flows_opts), flows_flow);
    if (*analyze) return cli::run_analyze(analyze_opts, analyze_flow, analyze_more);
    if (*detect) {
      if (!explain_what.empty()) return cli::run_explain(explain_what);
      if (detect_dir.empty()) throw std::runtime_error("detect needs OUTDIR (or --explain TYPE)");
      return cli::run_detect(detect_dir, detect_opts, detect_quiet);
    }
    if (*records)
      return cli::run_records(records_opts, format_of(records_opts), records_flow, record_type, records_show_passwords);
  } catch (const filter::FilterError& e) {
    fmt::print(stderr, "trawl: filter: {}\n", filter::describe_error(*extract_cmd ? extract_opts.display_filter : packets_filter, e));
    return 2;
  } catch (const extract::BpfError& e) {
    fmt::print(stderr, "trawl: {}\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "trawl: {}\n", e.what());
    return 1;
  }
  return 2;
}
