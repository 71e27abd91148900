// Record sinks: every record type to its own file in a directory (what `trawl analyze` writes), or one
// record type to one stream (`trawl records TYPE`).
#pragma once

#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "proto/record.h"

namespace trawl::proto {

// Writes OUTDIR/<type>.jsonl (and OUTDIR/<type>.log in Zeek TSV when zeek is set) per record type,
// opening each file at its first record. finish() also creates the files of `always` that got no record,
// so a reader can tell "none found" from "not analyzed".
class RecordFiles final : public RecordSink {
 public:
  RecordFiles(std::string dir, WriteOptions options, bool zeek);
  ~RecordFiles() override;

  void emit(const Record& record) override;
  // Every JSONL row written from now on also goes to taps->tap(its type), when that is not null.
  void set_taps(output::RowTaps* taps) { taps_ = taps; }
  // Flushes and closes every file; throws std::runtime_error when one could not be written.
  void finish(const std::vector<std::string>& always);
  uint64_t count(const std::string& type) const;

 private:
  struct Out;
  Out& out_for(const RecordType& type);

  std::string dir_;
  WriteOptions options_;
  bool zeek_;
  output::RowTaps* taps_ = nullptr;
  std::map<std::string, std::unique_ptr<Out>, std::less<>> outs_;
};

// Writes the records of one type to a FILE* in the chosen format; other types are ignored.
class RecordFilter final : public RecordSink {
 public:
  RecordFilter(std::string type, std::FILE* out, output::Format format, WriteOptions options);
  ~RecordFilter() override;
  void emit(const Record& record) override;
  void finish();
  uint64_t count() const { return count_; }

 private:
  std::string type_;
  std::FILE* out_;
  output::Format format_;
  WriteOptions options_;
  std::unique_ptr<output::TableWriter> writer_;
  uint64_t count_ = 0;
};

}  // namespace trawl::proto
