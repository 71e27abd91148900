// The detection run: every detector over the record files of one analyze output directory.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "detect/alert.h"
#include "detect/config.h"
#include "detect/detector.h"
#include "detect/story.h"
#include "flow/flow_table.h"
#include "output/table_writer.h"

namespace trawl::detect {

struct DetectResult {
  std::vector<Alert> alerts;                  // sorted by alert_order
  std::map<std::string, uint64_t> records;    // records read per type
  std::map<std::string, uint64_t> malformed;  // lines skipped per type because they were not a JSON object
  std::vector<std::string> missing;           // record files a detector wanted that were not there
};

// The record types detectors read, in the order `trawl detect` feeds them.
const std::vector<std::string>& record_type_order();

struct FeedOptions {
  // The detectors are split into that many groups (by DetectorInfo::cost), each run on its own thread
  // reading the record types its detectors want; 0 means one per core. Detectors share nothing, and their
  // alerts are put together in detector order before sorting: the result is the same for any count.
  unsigned threads = 1;
  // The order the record types are fed in; empty means record_type_order(). A detector's alerts must not
  // depend on how record types interleave (inside analyze they come as they are made): tests feed them in
  // other orders to check.
  std::vector<std::string> order;
};

// Reads OUTDIR/<type>.jsonl for every type a detector wants (in chunks: memory stays bounded whatever the
// file size) and runs the detectors. Throws std::runtime_error when a file exists but cannot be read.
DetectResult run_detectors(const std::string& dir, const Config& config,
                           std::span<const DetectorInfo* const> which = detectors(), const FeedOptions& feed = {});

// Detection while `trawl analyze` reads its captures: records are handed over as they are made (conn
// records as the flow sink in front of the conn.jsonl writer, the others as the JSONL rows their files get)
// and the detectors work through them on threads of their own meanwhile, so that only their finish() is
// left when the capture ends. Within a type records arrive in file order, and detectors do not depend on
// how types interleave: the alerts are those run_detectors gives over the files.
class LiveDetection final : public flow::FlowSink, public output::RowTaps {
 public:
  // next: where each conn record goes on to. file_names: the capture files, by FrameRef::file_index.
  // threads: detector groups, each on its own thread (0: one per core but the one reading the capture).
  LiveDetection(Config config, flow::FlowSink& next, std::vector<std::string> file_names, unsigned threads,
                std::span<const DetectorInfo* const> which = detectors());
  ~LiveDetection() override;  // without finish() (an error unwound analyze): stops the threads

  void on_flow_end(flow::ConnRecord&& record) override;
  output::RowTap* tap(std::string_view type) override;

  // After the last record: waits for the detectors to see everything and finish. Throws what one threw.
  DetectResult finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Writes alerts.jsonl: one alert per line, in the given order.
void write_alerts(const std::string& path, const std::vector<Alert>& alerts);

// Writes story.json (stories_json): the chains find_stories() made of those alerts.
void write_stories(const std::string& path, const std::vector<Story>& stories, const std::vector<Alert>& alerts);

// The terminal summary: findings by type and severity, the top actors, and the stories where there are some.
std::string render_alert_summary(const std::vector<Alert>& alerts, const std::vector<Story>& stories);

// What --explain TYPE prints: the detector that reports TYPE (an alert type like "scan.tcp_syn", a family
// like "bruteforce", or a detector name), what it reads, and its settings with their defaults. Empty when
// nothing matches.
std::string explain(std::string_view what);

}  // namespace trawl::detect
