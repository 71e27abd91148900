// Writers for the record types of the capture engine: packets, connections, endpoint pairs and hosts.
// Each declares its columns once; TableWriter turns them into text, CSV, JSON Lines or Zeek TSV.
#pragma once

#include <cstdio>
#include <string>
#include <span>
#include <vector>

#include "capture/capture_set.h"
#include "capture/raw_packet.h"
#include "flow/flow_table.h"
#include "output/table_writer.h"
#include "packet/packet_view.h"
#include "stats/traffic_tables.h"

namespace trawl::output {

// `frames` as the alert contract spells it: [{"file": "a.pcap", "frames": [1, 2]}, ...], grouped by file
// in order of first appearance.
void append_frames_json(TextBuffer& out, std::span<const flow::FrameRef> frames,
                        const std::vector<capture::CaptureFile>& files);

// One line per packet: time, addresses, ports, transport, application guess, length, file, frame.
class PacketWriter {
 public:
  PacketWriter(std::FILE* out, Format format, const std::vector<capture::CaptureFile>& files);
  void write(const capture::RawPacket& raw, const packet::PacketView& view);
  void finish() { table_.finish(); }

 private:
  TableWriter table_;
  const std::vector<capture::CaptureFile>& files_;
};

// conn records, written as flows end.
// One conn row through the generic TableWriter calls, column by column (the CSV and Zeek paths; ConnWriter's
// one-pass JSONL line must equal it byte for byte). zeek drops the columns Zeek's conn.log has not.
void write_conn_columns(TableWriter& t, const flow::ConnRecord& r, const std::vector<capture::CaptureFile>& files,
                        bool zeek, TextBuffer& scratch);

class ConnWriter : public flow::FlowSink {
 public:
  ConnWriter(std::FILE* out, Format format, const std::vector<capture::CaptureFile>& files);
  void on_flow_end(flow::ConnRecord&& record) override;
  void finish() { table_.finish(); }
  uint64_t records() const { return records_; }

 private:
  void write_jsonl(const flow::ConnRecord& r);
  // A file's name as a JSON string literal, "?" for an index past the files (as append_frames_json).
  const std::string& quoted_name(uint32_t file) {
    return file < quoted_names_.size() ? quoted_names_[file] : quote_name(file);
  }
  const std::string& quote_name(uint32_t file);

  Format format_;
  TableWriter table_;
  const std::vector<capture::CaptureFile>& files_;
  TextBuffer frames_buf_;  // reused for every record's frames list
  std::vector<std::string> quoted_names_;  // by file index, encoded once
  std::string quoted_unknown_;
  uint64_t records_ = 0;
};

void write_pairs(std::FILE* out, Format format, const std::vector<stats::PairStats>& pairs);
void write_hosts(std::FILE* out, Format format, const std::vector<stats::HostStats>& hosts);

}  // namespace trawl::output
