// ByteSource: a sequential stream of bytes (a file, a memory span, or a gzip/zstd decompressor over one).
//
// The capture readers pull large chunks from a source into their own buffer, so the decompressors write
// straight into that buffer and a plain file costs one read() per chunk.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace trawl::capture {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to n (> 0) bytes into dst. Returns 0 at the end of the stream or on failure; error() then
  // tells which (empty at a clean end).
  virtual size_t read(uint8_t* dst, size_t n) = 0;
  // Bytes of the underlying file consumed so far (compressed bytes for a decompressor).
  virtual uint64_t raw_bytes_read() const = 0;
  const std::string& error() const { return error_; }

 protected:
  std::string error_;
};

// Opens a file for sequential reading. On failure returns null and sets err. size: st_size.
std::unique_ptr<ByteSource> open_file_source(const std::string& path, uint64_t& size, std::string& err);
// A view over caller-owned memory (used by the fuzzer and tests); the memory must outlive the source.
std::unique_ptr<ByteSource> memory_source(std::span<const uint8_t> bytes);
// Decompressors over `raw`. `prefix` holds bytes already read from raw (the sniffed magic), fed first.
std::unique_ptr<ByteSource> gzip_source(std::unique_ptr<ByteSource> raw, std::span<const uint8_t> prefix);
std::unique_ptr<ByteSource> zstd_source(std::unique_ptr<ByteSource> raw, std::span<const uint8_t> prefix);

}  // namespace trawl::capture
