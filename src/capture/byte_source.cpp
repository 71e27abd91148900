#include "capture/byte_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

namespace trawl::capture {
namespace {

class FileSource final : public ByteSource {
 public:
  explicit FileSource(int fd) : fd_(fd) {}
  ~FileSource() override { ::close(fd_); }
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;

  size_t read(uint8_t* dst, size_t n) override {
    if (!error_.empty()) return 0;
    for (;;) {
      ssize_t r = ::read(fd_, dst, n);
      if (r >= 0) {
        consumed_ += uint64_t(r);
        return size_t(r);
      }
      if (errno == EINTR) continue;
      error_ = std::string("read error: ") + std::strerror(errno);
      return 0;
    }
  }
  uint64_t raw_bytes_read() const override { return consumed_; }

 private:
  int fd_;
  uint64_t consumed_ = 0;
};

class MemorySource final : public ByteSource {
 public:
  explicit MemorySource(std::span<const uint8_t> bytes) : bytes_(bytes) {}
  size_t read(uint8_t* dst, size_t n) override {
    size_t k = std::min(n, bytes_.size() - pos_);
    if (k) std::memcpy(dst, bytes_.data() + pos_, k);
    pos_ += k;
    return k;
  }
  uint64_t raw_bytes_read() const override { return pos_; }

 private:
  std::span<const uint8_t> bytes_;
  size_t pos_ = 0;
};

// Shared input side of the decompressors: a chunk of compressed bytes pulled from the raw source.
class CompressedInput {
 public:
  CompressedInput(std::unique_ptr<ByteSource> raw, std::span<const uint8_t> prefix)
      : raw_(std::move(raw)), buf_(kChunk) {
    std::copy(prefix.begin(), prefix.end(), buf_.begin());
    len_ = prefix.size();
  }
  // Refills when empty; false at the end of the raw stream.
  bool fill() {
    if (pos_ < len_) return true;
    if (eof_) return false;
    pos_ = 0;
    len_ = raw_->read(buf_.data(), buf_.size());
    if (len_ == 0) eof_ = true;
    return len_ > 0;
  }
  const uint8_t* data() const { return buf_.data() + pos_; }
  size_t size() const { return len_ - pos_; }
  void advance(size_t n) { pos_ += n; }
  bool at_end() { return !fill(); }
  const ByteSource& raw() const { return *raw_; }

 private:
  static constexpr size_t kChunk = 1 << 20;
  std::unique_ptr<ByteSource> raw_;
  std::vector<uint8_t> buf_;
  size_t pos_ = 0, len_ = 0;
  bool eof_ = false;
};

class GzipSource final : public ByteSource {
 public:
  GzipSource(std::unique_ptr<ByteSource> raw, std::span<const uint8_t> prefix) : in_(std::move(raw), prefix) {
    // 15 + 32: accept gzip and zlib headers.
    if (inflateInit2(&zs_, 15 + 32) != Z_OK) error_ = "gzip: cannot initialise zlib";
  }
  ~GzipSource() override { inflateEnd(&zs_); }
  GzipSource(const GzipSource&) = delete;
  GzipSource& operator=(const GzipSource&) = delete;

  size_t read(uint8_t* dst, size_t n) override {
    if (!error_.empty() || done_) return 0;
    zs_.next_out = dst;
    zs_.avail_out = uInt(std::min<size_t>(n, 1u << 30));
    while (zs_.next_out == dst) {
      if (!in_.fill()) {
        if (in_.raw().error().size()) error_ = in_.raw().error();
        else if (!member_ended_) error_ = "gzip stream truncated";
        done_ = true;
        return 0;
      }
      if (member_ended_) {
        // Another gzip member follows (concatenated files, as zcat reads them).
        inflateReset(&zs_);
        member_ended_ = false;
      }
      zs_.next_in = const_cast<Bytef*>(in_.data());
      zs_.avail_in = uInt(in_.size());
      int ret = inflate(&zs_, Z_NO_FLUSH);
      in_.advance(in_.size() - zs_.avail_in);
      if (ret == Z_STREAM_END) {
        member_ended_ = true;
      } else if (ret != Z_OK && ret != Z_BUF_ERROR) {
        error_ = std::string("gzip: ") + (zs_.msg ? zs_.msg : "invalid compressed data");
        break;
      }
    }
    return size_t(zs_.next_out - dst);
  }
  uint64_t raw_bytes_read() const override { return in_.raw().raw_bytes_read(); }

 private:
  CompressedInput in_;
  z_stream zs_{};
  bool member_ended_ = false;
  bool done_ = false;
};

class ZstdSource final : public ByteSource {
 public:
  ZstdSource(std::unique_ptr<ByteSource> raw, std::span<const uint8_t> prefix)
      : in_(std::move(raw), prefix), ds_(ZSTD_createDStream()) {
    if (!ds_) error_ = "zstd: cannot create decompression context";
  }
  ~ZstdSource() override { ZSTD_freeDStream(ds_); }
  ZstdSource(const ZstdSource&) = delete;
  ZstdSource& operator=(const ZstdSource&) = delete;

  size_t read(uint8_t* dst, size_t n) override {
    if (!error_.empty() || done_) return 0;
    ZSTD_outBuffer out{dst, n, 0};
    while (out.pos == 0) {
      if (!in_.fill()) {
        if (in_.raw().error().size()) error_ = in_.raw().error();
        else if (frame_open_) error_ = "zstd stream truncated";
        done_ = true;
        return 0;
      }
      ZSTD_inBuffer zin{in_.data(), in_.size(), 0};
      size_t ret = ZSTD_decompressStream(ds_, &out, &zin);
      in_.advance(zin.pos);
      if (ZSTD_isError(ret)) {
        error_ = std::string("zstd: ") + ZSTD_getErrorName(ret);
        break;
      }
      frame_open_ = ret != 0;  // 0: a frame ended exactly here
    }
    return out.pos;
  }
  uint64_t raw_bytes_read() const override { return in_.raw().raw_bytes_read(); }

 private:
  CompressedInput in_;
  ZSTD_DStream* ds_;
  bool frame_open_ = false;
  bool done_ = false;
};

}  // namespace

std::unique_ptr<ByteSource> open_file_source(const std::string& path, uint64_t& size, std::string& err) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    err = std::string("cannot open: ") + std::strerror(errno);
    return nullptr;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    err = std::string("cannot stat: ") + std::strerror(errno);
    ::close(fd);
    return nullptr;
  }
  if (S_ISDIR(st.st_mode)) {
    err = "is a directory";
    ::close(fd);
    return nullptr;
  }
  size = S_ISREG(st.st_mode) ? uint64_t(st.st_size) : 0;
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  return std::make_unique<FileSource>(fd);
}

std::unique_ptr<ByteSource> memory_source(std::span<const uint8_t> bytes) {
  return std::make_unique<MemorySource>(bytes);
}
std::unique_ptr<ByteSource> gzip_source(std::unique_ptr<ByteSource> raw, std::span<const uint8_t> prefix) {
  return std::make_unique<GzipSource>(std::move(raw), prefix);
}
std::unique_ptr<ByteSource> zstd_source(std::unique_ptr<ByteSource> raw, std::span<const uint8_t> prefix) {
  return std::make_unique<ZstdSource>(std::move(raw), prefix);
}

}  // namespace trawl::capture
