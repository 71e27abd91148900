#include "capture/capture_set.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace trawl::capture {
namespace {

// Names that promise a capture: inside a directory, such a file without capture magic is reported.
bool has_capture_extension(const std::string& name) {
  static constexpr const char* kExt[] = {".pcap", ".pcapng", ".cap", ".dmp", ".gz", ".zst"};
  for (const char* ext : kExt) {
    size_t n = std::strlen(ext);
    if (name.size() >= n && strncasecmp(name.c_str() + name.size() - n, ext, n) == 0) return true;
  }
  return false;
}

std::string base_name(const std::string& path) {
  size_t end = path.find_last_not_of('/');
  if (end == std::string::npos) return path;
  size_t start = path.find_last_of('/', end);
  return path.substr(start == std::string::npos ? 0 : start + 1, end - (start == std::string::npos ? 0 : start + 1) + 1);
}

// Buffers shrink when many files overlap in time, keeping memory bounded (see kMinBufferSize).
size_t buffer_for(size_t open_readers) { return open_readers < 16 ? kDefaultBufferSize : kMinBufferSize; }

}  // namespace

std::string InputIssue::message() const {
  if (skipped_whole) return fmt::format("{}: skipped: {}", path, reason);
  return fmt::format("{}: offset {}: {}", path, offset, reason);
}

CaptureSet::CaptureSet(const std::vector<std::string>& paths) {
  for (const auto& p : paths) add_input(p, true);
  readers_.resize(files_.size());
  heads_.resize(files_.size());
  // Descending, so the earliest file is at the back and pops cheaply.
  std::sort(pending_.begin(), pending_.end(), [](const PendingFile& a, const PendingFile& b) {
    return a.first_ts != b.first_ts ? a.first_ts > b.first_ts : a.index > b.index;
  });
}

CaptureSet::~CaptureSet() = default;

void CaptureSet::add_input(const std::string& path, bool explicit_path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    issues_.push_back({path, 0, std::strerror(errno), true});
    return;
  }
  if (S_ISDIR(st.st_mode)) {
    if (!seen_.insert({uint64_t(st.st_dev), uint64_t(st.st_ino)}).second) return;  // symlink loop or repeat
    walk_directory(path);
  } else {
    if (!seen_.insert({uint64_t(st.st_dev), uint64_t(st.st_ino)}).second) return;
    add_file(path, explicit_path);
  }
}

void CaptureSet::walk_directory(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) {
    issues_.push_back({dir, 0, fmt::format("cannot read directory: {}", std::strerror(errno)), true});
    return;
  }
  std::vector<std::string> entries;
  errno = 0;
  while (dirent* e = ::readdir(d)) {
    if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
    entries.push_back(e->d_name);
  }
  if (errno != 0) issues_.push_back({dir, 0, fmt::format("cannot read directory: {}", std::strerror(errno)), true});
  ::closedir(d);
  std::sort(entries.begin(), entries.end());  // file order decides ties: keep it independent of the disk
  std::string prefix = dir.empty() || dir.back() == '/' ? dir : dir + "/";
  for (const auto& name : entries) {
    std::string path = prefix + name;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
      // A dangling symlink says nothing about captures unless its name does.
      if (has_capture_extension(name)) issues_.push_back({path, 0, std::strerror(errno), true});
      continue;
    }
    if (S_ISDIR(st.st_mode)) {
      if (seen_.insert({uint64_t(st.st_dev), uint64_t(st.st_ino)}).second) walk_directory(path);
    } else if (S_ISREG(st.st_mode)) {
      if (seen_.insert({uint64_t(st.st_dev), uint64_t(st.st_ino)}).second) add_file(path, false);
    }
    // sockets, fifos and devices inside a directory are not captures: ignored
  }
}

void CaptureSet::add_file(const std::string& path, bool explicit_path) {
  const auto index = uint32_t(files_.size());
  OpenResult r = open_capture(path, index, kMinBufferSize);
  if (!r.reader) {
    if (r.probe == Probe::kNotCapture && !explicit_path && !has_capture_extension(base_name(path))) return;
    issues_.push_back({path, 0, r.error, true});
    return;
  }
  CaptureFile f;
  f.path = path;
  f.name = base_name(path);
  f.size = r.reader->file_size();
  f.format = r.reader->format();
  f.compression = r.reader->compression();
  f.snaplen = r.reader->snaplen();
  bytes_total_ += f.size;
  files_.push_back(std::move(f));
  // The first packet's time decides when the merge needs this file; the reader is dropped until then.
  RawPacket first;
  if (r.reader->next(first)) {
    pending_.push_back({first.ts_ns, index});
    return;
  }
  if (r.reader->error()) issues_.push_back({path, r.reader->error()->offset, r.reader->error()->reason, false});
  bytes_done_closed_ += files_[index].size;  // nothing to read from it
}

bool CaptureSet::head_less(uint32_t a, uint32_t b) const {
  return heads_[a].ts_ns != heads_[b].ts_ns ? heads_[a].ts_ns < heads_[b].ts_ns : a < b;
}

void CaptureSet::heap_push(uint32_t i) {
  heap_.push_back(i);
  size_t pos = heap_.size() - 1;
  while (pos > 0) {
    size_t parent = (pos - 1) / 2;
    if (!head_less(heap_[pos], heap_[parent])) break;
    std::swap(heap_[pos], heap_[parent]);
    pos = parent;
  }
}

void CaptureSet::sift_down(size_t pos) {
  for (;;) {
    size_t l = 2 * pos + 1, best = pos;
    if (l < heap_.size() && head_less(heap_[l], heap_[best])) best = l;
    if (l + 1 < heap_.size() && head_less(heap_[l + 1], heap_[best])) best = l + 1;
    if (best == pos) return;
    std::swap(heap_[pos], heap_[best]);
    pos = best;
  }
}

void CaptureSet::heap_pop() {
  heap_[0] = heap_.back();
  heap_.pop_back();
  if (!heap_.empty()) sift_down(0);
}

bool CaptureSet::advance(uint32_t i) {
  CaptureReader& r = *readers_[i];
  if (r.next(heads_[i])) return true;
  if (r.error()) issues_.push_back({files_[i].path, r.error()->offset, r.error()->reason, false});
  bytes_done_closed_ += files_[i].size;
  readers_[i].reset();  // frees its buffer
  --open_count_;
  return false;
}

void CaptureSet::open_pending() {
  // Open every file whose first packet sorts before the current minimum head.
  while (!pending_.empty()) {
    const PendingFile& p = pending_.back();
    if (!heap_.empty()) {
      const RawPacket& top = heads_[heap_[0]];
      if (p.first_ts > top.ts_ns || (p.first_ts == top.ts_ns && p.index > heap_[0])) return;
    }
    uint32_t i = p.index;
    pending_.pop_back();
    OpenResult r = open_capture(files_[i].path, i, buffer_for(open_count_));
    if (!r.reader) {  // changed or vanished since the probe
      issues_.push_back({files_[i].path, 0, r.error, true});
      bytes_done_closed_ += files_[i].size;
      continue;
    }
    readers_[i] = std::move(r.reader);
    ++open_count_;
    if (advance(i)) heap_push(i);
  }
}

bool CaptureSet::next(RawPacket& pkt) {
  // The packet returned last time stays valid until now: only now may its reader move on.
  if (returned_ >= 0) {
    uint32_t i = uint32_t(returned_);
    returned_ = -1;
    if (advance(i)) sift_down(0);  // heap_[0] is still i: its key grew
    else heap_pop();
  }
  open_pending();
  if (heap_.empty()) return false;
  uint32_t i = heap_[0];
  pkt = heads_[i];
  ++files_[i].packets;
  returned_ = i;
  return true;
}

uint64_t CaptureSet::bytes_read() const {
  uint64_t total = bytes_done_closed_;
  for (const auto& r : readers_) {
    if (r) total += r->file_bytes_read();
  }
  return std::min(total, bytes_total_);
}

}  // namespace trawl::capture
