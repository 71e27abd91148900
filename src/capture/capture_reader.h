// CaptureReader: reads the packets of one capture file in file order.
//
// Formats are recognised by magic bytes, never by name: classic pcap (microsecond and nanosecond,
// either byte order) and pcapng (any number of sections and interfaces, per-interface link type and
// if_tsresol/if_tsoffset), each optionally gzip- or zstd-compressed. Input is read in large buffered
// chunks; a returned packet points into the reader's buffer and stays valid until the next call to next().
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "capture/raw_packet.h"

namespace trawl::capture {

enum class CaptureFormat : uint8_t { kPcap, kPcapNano, kPcapng };
enum class Compression : uint8_t { kNone, kGzip, kZstd };

// Why reading stopped early. `offset` is the byte offset of the damaged record in the file, counted in
// uncompressed bytes for compressed files (what `zcat F | tshark -r -` would call it).
struct ReadError {
  uint64_t offset = 0;
  std::string reason;  // e.g. "record cut short: 1514 bytes announced, 212 present"
};

// The result of probing a path: is it a capture at all?
enum class Probe : uint8_t { kCapture, kNotCapture, kUnreadable };

class CaptureReader {
 public:
  virtual ~CaptureReader() = default;

  // Fills pkt with the next packet and returns true; returns false at the end of the file or when the
  // rest of the file cannot be read (error() then says why). pkt.file_index is set to this reader's index.
  virtual bool next(RawPacket& pkt) = 0;

  // Set once next() has returned false because of damage; packets returned before it are good.
  const std::optional<ReadError>& error() const { return error_; }
  // Bytes of the underlying file consumed so far (compressed bytes for compressed files), for progress.
  virtual uint64_t file_bytes_read() const = 0;
  uint64_t file_size() const { return file_size_; }
  CaptureFormat format() const { return format_; }
  Compression compression() const { return compression_; }
  // Packets the reader had to skip without stopping (e.g. pcapng blocks it does not know carry no packets,
  // so this counts only packet records dropped for a reason that did not end the file).
  uint64_t packets_skipped() const { return packets_skipped_; }
  // Byte offset in the (uncompressed) file of the record of the packet next() returned last: lets an
  // index of a classic pcap seek straight to a frame later (trawl extract --alert).
  uint64_t record_offset() const { return record_offset_; }
  // The classic pcap header's snaplen (0 for pcapng, where each interface has its own).
  uint32_t snaplen() const { return snaplen_; }
  // pcapng section and interface blocks read so far (0 for classic pcap): two records read under the
  // same count were read under the same interface table, so one can be reread from the other's offset.
  uint32_t layout_blocks() const { return layout_blocks_; }

 protected:
  std::optional<ReadError> error_;
  uint64_t file_size_ = 0;
  uint64_t packets_skipped_ = 0;
  uint64_t record_offset_ = 0;
  uint32_t snaplen_ = 0;
  uint32_t layout_blocks_ = 0;
  CaptureFormat format_ = CaptureFormat::kPcap;
  Compression compression_ = Compression::kNone;
};

// Largest caplen accepted; anything above is treated as damage (Wireshark uses the same 256 KiB bound).
inline constexpr uint32_t kMaxCaplen = 262144;
// Largest pcapng block accepted (Wireshark's bound too); a longer length field is damage.
inline constexpr uint32_t kMaxPcapngBlock = 16u << 20;

// Read buffer per open file. Big chunks keep the syscall and refill cost per packet negligible; the
// smallest allowed size still holds the largest record (kMaxCaplen plus headers).
inline constexpr size_t kDefaultBufferSize = 4u << 20;
inline constexpr size_t kMinBufferSize = 512u << 10;

struct OpenResult {
  std::unique_ptr<CaptureReader> reader;  // null on failure
  Probe probe = Probe::kUnreadable;       // kNotCapture: no capture magic; kUnreadable: I/O or header error
  std::string error;                      // why, when reader is null
};

// Opens `path` and reads its header. file_index is stamped on every packet. buffer_size is clamped to
// at least kMinBufferSize.
OpenResult open_capture(const std::string& path, uint32_t file_index, size_t buffer_size = kDefaultBufferSize);
// The same over bytes in memory (fuzzing, tests); `bytes` must outlive the reader.
OpenResult open_capture_memory(std::span<const uint8_t> bytes, uint32_t file_index,
                               size_t buffer_size = kMinBufferSize);

}  // namespace trawl::capture
