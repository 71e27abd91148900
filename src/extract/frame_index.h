// The frame index analyze leaves in OUTDIR (frame_index.jsonl): every capture file it read, by absolute
// path, and for uncompressed pcap and pcapng the byte offset of every kFrameIndexStep-th frame's record,
// so that extracting a finding's frames later reads a few blocks of the file instead of all of it. A
// pcapng block is reread after the file's bytes before its first packet (section and interface blocks),
// so entries stop where a later section or interface block changes that table.
//
// One JSON object per line: {"file": name as alerts print it, "path", "size", "seekable",
// "step", "offsets": [offset of frame 1, of frame step+1, of frame 2*step+1, ...]}.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "capture/capture_set.h"

namespace trawl::extract {

inline constexpr uint64_t kFrameIndexStep = 4096;  // ~1 MB of typical traffic between entries
inline constexpr const char* kFrameIndexFile = "frame_index.jsonl";

struct IndexedCapture {
  std::string name;
  std::string path;
  uint64_t size = 0;
  bool seekable = false;          // offsets are usable (uncompressed pcap or pcapng)
  uint64_t step = kFrameIndexStep;
  std::vector<uint64_t> offsets;  // offsets[k]: record of frame k * step + 1
  int64_t first_ts_ns = 0;        // the first packet's time (frame.time_relative counts from it)
};

// Fed every packet of the analyze run; costs one test per packet and a push every step-th frame.
class FrameIndexBuilder {
 public:
  explicit FrameIndexBuilder(const capture::CaptureSet& set);
  void add(const capture::RawPacket& raw) {
    if (((raw.frame - 1) & (kFrameIndexStep - 1)) == 0) note(raw);
  }
  // Writes OUTDIR/frame_index.jsonl; throws std::runtime_error when it cannot.
  void write(const std::string& outdir) const;

 private:
  void note(const capture::RawPacket& raw);
  const capture::CaptureSet& set_;
  std::vector<std::vector<uint64_t>> offsets_;  // per file index
  std::vector<uint32_t> layout_;                // per file: pcapng layout blocks read at its first entry
  std::vector<int64_t> first_ts_;               // per file: the first packet's time
  std::vector<bool> closed_;                    // per file: the layout changed, no further entries
};

// Parses the index text; throws std::runtime_error naming the line on anything malformed.
std::vector<IndexedCapture> parse_frame_index(std::string_view text);
// Reads OUTDIR/frame_index.jsonl.
std::vector<IndexedCapture> read_frame_index(const std::string& outdir);

}  // namespace trawl::extract
