// CaptureSet: many capture files read as one capture, packets delivered in timestamp order.
//
// Inputs are files and directories (walked recursively, sorted by path for determinism). A k-way merge
// over the files' heads delivers packets by (ts_ns, file order, frame), so a connection that runs from one
// rotated file into the next is seen as one stream. Damaged and non-capture inputs are recorded in
// issues(); the rest of the set is still read.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "capture/capture_reader.h"
#include "capture/raw_packet.h"

namespace trawl::capture {

struct CaptureFile {
  std::string path;      // as given or as found while walking a directory
  std::string name;      // file name without directories, what alerts and records print
  uint64_t size = 0;     // bytes on disk
  CaptureFormat format = CaptureFormat::kPcap;
  Compression compression = Compression::kNone;
  uint64_t packets = 0;  // packets delivered so far
};

// Something the user must hear about: an input skipped whole or cut short.
struct InputIssue {
  std::string path;
  uint64_t offset = 0;      // byte offset of the damage (0 when the whole file was skipped)
  std::string reason;
  bool skipped_whole = false;
  // One line for stderr: "trawl: PATH: offset N: REASON" (or without offset when skipped whole).
  std::string message() const;
};

class CaptureSet {
 public:
  // Resolves paths: files are opened whatever their name; inside directories, files without capture
  // magic are skipped quietly unless their name ends in .pcap .pcapng .cap .dmp .gz .zst (then an issue).
  explicit CaptureSet(const std::vector<std::string>& paths);
  ~CaptureSet();
  CaptureSet(const CaptureSet&) = delete;
  CaptureSet& operator=(const CaptureSet&) = delete;

  // Next packet in timestamp order across files; false when every file is exhausted.
  bool next(RawPacket& pkt);

  const std::vector<CaptureFile>& files() const { return files_; }
  const std::vector<InputIssue>& issues() const { return issues_; }
  // True when any input was skipped or cut short (the command then exits with code 2).
  bool incomplete() const { return !issues_.empty(); }

  // Progress: bytes of the input files read so far, and their total size.
  uint64_t bytes_read() const;
  uint64_t bytes_total() const { return bytes_total_; }

 private:
  struct Head;
  void fill_head(size_t i);
  void note_reader_end(size_t i);

  std::vector<CaptureFile> files_;
  std::vector<InputIssue> issues_;
  std::vector<std::unique_ptr<CaptureReader>> readers_;
  std::vector<RawPacket> heads_;      // current head packet of each reader
  std::vector<uint32_t> heap_;        // min-heap of reader indices with a valid head
  uint64_t bytes_total_ = 0;
  uint64_t bytes_done_closed_ = 0;    // bytes of readers already closed
};

}  // namespace trawl::capture
