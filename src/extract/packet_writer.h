// Packet writers: classic pcap and pcapng files that keep each packet's original timestamp, lengths,
// link type and bytes exactly, written through one large buffer.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "capture/raw_packet.h"

namespace trawl::extract {

enum class FileFormat : uint8_t { kPcap, kPcapng };
const char* format_name(FileFormat f);

// Appends bytes to a FILE* through a 1 MiB buffer (one fwrite per MiB, not per packet).
class OutputBuffer {
 public:
  explicit OutputBuffer(std::FILE* f);
  void append(const void* data, size_t n);
  void put16(uint16_t v);  // little-endian: the files are written in this byte order
  void put32(uint32_t v);
  void flush();  // throws std::runtime_error when the write fails
  std::FILE* file() const { return f_; }

 private:
  std::FILE* f_;
  std::vector<uint8_t> buf_;
};

class PacketWriter {
 public:
  virtual ~PacketWriter() = default;
  virtual void write(const capture::RawPacket& pkt) = 0;
  void flush() { out_.flush(); }

 protected:
  explicit PacketWriter(std::FILE* f) : out_(f) {}
  OutputBuffer out_;
};

// Classic pcap, version 2.4, little-endian; nanosecond magic when `nanosecond`, else microseconds
// (timestamps are then truncated to the microsecond, which is exact for microsecond sources).
class PcapWriter final : public PacketWriter {
 public:
  PcapWriter(std::FILE* f, uint16_t linktype, uint32_t snaplen, bool nanosecond);
  void write(const capture::RawPacket& pkt) override;  // pkt.linktype must be the file's

 private:
  bool nanosecond_;
};

// pcapng: one section, one interface block per distinct link type (added when first seen, with
// nanosecond if_tsresol), one enhanced packet block per packet.
class PcapngWriter final : public PacketWriter {
 public:
  PcapngWriter(std::FILE* f, uint32_t snaplen);
  void write(const capture::RawPacket& pkt) override;

 private:
  uint32_t interface_for(uint16_t linktype);
  uint32_t snaplen_;
  std::vector<uint16_t> interfaces_;  // link type of each interface id
};

struct OutputOptions {
  std::optional<FileFormat> format;  // none: pcap while every packet has one link type, else pcapng
  uint32_t snaplen = 262144;         // written in the file and interface headers
  bool nanosecond = false;           // pcap magic: nanosecond timestamps
};

// The output file of an extraction ("-" for standard output). With no format forced, packets go out as
// pcap until one of another link type arrives; what was written is then rewritten as pcapng (the output is
// spooled to a temporary file when it is standard output, so a pipe gets the final format too).
class PacketFile {
 public:
  PacketFile(const std::string& path, const OutputOptions& options);
  ~PacketFile();
  PacketFile(const PacketFile&) = delete;
  PacketFile& operator=(const PacketFile&) = delete;

  void write(const capture::RawPacket& pkt);
  // Flushes and closes; throws std::runtime_error when the data could not be written.
  void close();
  uint64_t written() const { return written_; }
  FileFormat format() const;
  const std::string& display_name() const { return name_; }

 private:
  void start(uint16_t linktype);
  void switch_to_pcapng();

  std::string path_, name_;
  OutputOptions options_;
  bool to_stdout_;
  std::FILE* file_ = nullptr;  // where packets go: the output file, or a spool
  std::FILE* pending_output_ = nullptr;  // the output file, when the packets went to a pcapng spool
  std::unique_ptr<PacketWriter> writer_;
  std::optional<uint16_t> pcap_linktype_;  // set while writing pcap
  uint64_t written_ = 0;
  bool closed_ = false;
};

}  // namespace trawl::extract
