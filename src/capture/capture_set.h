// CaptureSet: many capture files read as one capture, packets delivered in timestamp order.
//
// Inputs are files and directories (walked recursively, sorted by path for determinism). A k-way merge
// over the files' heads delivers packets by (ts_ns, file order, frame), so a connection that runs from one
// rotated file into the next is seen as one stream. Damaged and non-capture inputs are recorded in
// issues(); the rest of the set is still read.
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <utility>
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
  uint32_t snaplen = 0;  // classic pcap header's snaplen (0: pcapng)
};

// Something the user must hear about: an input skipped whole or cut short.
struct InputIssue {
  std::string path;
  uint64_t offset = 0;      // byte offset of the damage (0 when the whole file was skipped)
  std::string reason;
  bool skipped_whole = false;
  // One line for stderr: "PATH: offset N: REASON", or "PATH: skipped: REASON" when skipped whole.
  std::string message() const;
};

class CaptureSet {
 public:
  // Resolves paths: files are opened whatever their name; inside directories, files without capture
  // magic are skipped quietly unless their name ends in .pcap .pcapng .cap .dmp .gz .zst (then an issue).
  // A file named twice (or reached twice through symlinks) is read once.
  explicit CaptureSet(const std::vector<std::string>& paths);
  ~CaptureSet();
  CaptureSet(const CaptureSet&) = delete;
  CaptureSet& operator=(const CaptureSet&) = delete;

  // Next packet in timestamp order across files; false when every file is exhausted.
  bool next(RawPacket& pkt);

  const std::vector<CaptureFile>& files() const { return files_; }
  // File offset of the record of the packet next() returned last from file i (see record_offset()).
  uint64_t record_offset(uint32_t i) const { return readers_[i] ? readers_[i]->record_offset() : 0; }
  // pcapng section and interface blocks read so far from file i (see layout_blocks()).
  uint32_t layout_blocks(uint32_t i) const { return readers_[i] ? readers_[i]->layout_blocks() : 0; }
  const std::vector<InputIssue>& issues() const { return issues_; }
  // True when any input was skipped or cut short (the command then exits with code 2).
  bool incomplete() const { return !issues_.empty(); }

  // Progress: bytes of the input files read so far, and their total size.
  uint64_t bytes_read() const;
  uint64_t bytes_total() const { return bytes_total_; }

 private:
  // Files are probed (first packet) up front, then opened only when the merge reaches their first
  // packet and closed at their end, so rotated files cost one open reader at a time, not one each.
  void add_input(const std::string& path, bool explicit_path);
  void walk_directory(const std::string& dir);
  void add_file(const std::string& path, bool explicit_path);
  void open_pending();
  bool advance(uint32_t i);           // reads reader i's next head; closes it at its end
  bool head_less(uint32_t a, uint32_t b) const;
  void heap_push(uint32_t i);
  void heap_pop();
  void sift_down(size_t pos);

  struct PendingFile {
    int64_t first_ts = 0;
    uint32_t index = 0;
  };

  std::vector<CaptureFile> files_;
  std::vector<InputIssue> issues_;
  std::vector<std::unique_ptr<CaptureReader>> readers_;  // by file index; null when not open
  std::vector<RawPacket> heads_;      // current head packet of each open reader
  std::vector<uint32_t> heap_;        // min-heap of file indices with a valid head
  std::vector<PendingFile> pending_;  // probed files not yet opened, sorted by (first_ts, index) descending
  std::set<std::pair<uint64_t, uint64_t>> seen_;  // (device, inode) of files and directories taken
  int64_t returned_ = -1;             // file whose head was returned last; advanced at the next call
  size_t open_count_ = 0;
  uint64_t bytes_total_ = 0;
  uint64_t bytes_done_closed_ = 0;    // bytes of readers already closed
};

}  // namespace trawl::capture
