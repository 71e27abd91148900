// ConnSpool: the conn records of `trawl analyze`, handed to the detectors without writing and re-parsing
// JSON. Detectors read conn records last, after every other record type (record_type_order()), but analyze
// produces them as flows end, mixed with the rest; so they wait here in a compact binary form, in an
// unlinked temporary file (the 1 GiB bench capture has 1.96 million flows: in memory they would triple
// analyze's peak RSS), and come back as ConnRows whose values are exactly what conn.jsonl would give.
#pragma once

#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "detect/record_view.h"
#include "flow/flow_table.h"

namespace trawl::detect {

class ConnSpool final : public flow::FlowSink {
 public:
  // A tee: every record is kept and then passed on to `next` (the conn.jsonl writer). file_names are the
  // capture files' names, by FrameRef::file_index.
  ConnSpool(flow::FlowSink& next, std::vector<std::string> file_names);
  ~ConnSpool() override;

  void on_flow_end(flow::ConnRecord&& record) override;

  // Writes out what is buffered: call it once the flows have ended and before for_each. Throws
  // std::runtime_error when the temporary file cannot be written.
  void finish_writing();

  // Calls fn for every record, in the order they came; returns how many. Several threads may read at once
  // (each call reads the file on its own). Throws std::runtime_error when the file cannot be read.
  uint64_t for_each(const std::function<void(const RecordView&)>& fn) const;

 private:
  void flush();

  flow::FlowSink& next_;
  std::vector<std::string> file_names_;
  struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };
  std::unique_ptr<std::FILE, FileCloser> file_;
  std::vector<char> buf_;  // records not yet written
  uint64_t records_ = 0;
};

}  // namespace trawl::detect
