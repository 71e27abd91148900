// CaptureRun: the loop every command shares: capture set -> decoder -> the command's consumers, with the
// progress bar, and the report of damaged or skipped inputs at the end.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "capture/capture_set.h"
#include "output/progress.h"
#include "packet/decoder.h"

namespace trawl::cli {

struct CommonOptions {
  std::vector<std::string> paths;
  std::string output;   // -o FILE (or OUTDIR for analyze); empty = stdout
  std::string format;   // text, csv, jsonl, zeek
  bool quiet = false;
};

class CaptureRun {
 public:
  explicit CaptureRun(const CommonOptions& options);

  // Calls on_packet(raw, view) for every packet in time order, decoded (view.malformed says how far).
  // An on_packet returning bool stops the run by returning false.
  template <typename OnPacket>
  void for_each(OnPacket&& on_packet) {
    output::ProgressBar progress(set_.bytes_total(), !quiet_ && output::ProgressBar::stderr_is_terminal());
    capture::RawPacket raw;
    packet::PacketView view;
    while (set_.next(raw)) {
      if (!decoder_.decode(raw, view) && view.malformed == packet::Malformed::kUnsupportedLink)
        ++unsupported_[{raw.file_index, raw.linktype}];
      if constexpr (std::is_same_v<decltype(on_packet(raw, view)), bool>) {
        if (!on_packet(raw, view)) break;
      } else {
        on_packet(raw, view);
      }
      progress.update([this] { return set_.bytes_read(); });
    }
    progress.finish();
  }

  // Prints one line per damaged or skipped input and per file with unsupported link types to stderr,
  // and returns the process exit code: 2 when any input was skipped or cut short, else 0.
  int finish();

  capture::CaptureSet& captures() { return set_; }
  const packet::Decoder& decoder() const { return decoder_; }
  // File name (without directories) of a packet's file, as records print it.
  const std::string& file_name(uint32_t file_index) const { return set_.files()[file_index].name; }

 private:
  capture::CaptureSet set_;
  packet::Decoder decoder_;
  bool quiet_;
  std::map<std::pair<uint32_t, uint16_t>, uint64_t> unsupported_;
};

// Opens -o FILE (or stdout when empty); throws std::runtime_error with a clear message on failure.
class OutputFile {
 public:
  explicit OutputFile(const std::string& path);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;
  std::FILE* get() const { return f_; }
  // Flushes and closes; throws if the data could not be written (disk full, broken pipe).
  void close();

 private:
  std::FILE* f_;
  std::string path_;
  bool owned_;
};

}  // namespace trawl::cli
