#include "extract/packet_writer.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

#include "util/bytes.h"

namespace trawl::extract {
namespace {

constexpr size_t kBufferSize = 1u << 20;
constexpr uint32_t kPcapMagicUsec = 0xa1b2c3d4, kPcapMagicNsec = 0xa1b23c4d;
constexpr size_t kPcapFileHeader = 24, kPcapRecordHeader = 16;

std::runtime_error write_error(const char* what) {
  return std::runtime_error(fmt::format("cannot write {}: {}", what, std::strerror(errno)));
}

// Copies the rest of `from` (after rewinding it) to `to`.
void copy_file(std::FILE* from, std::FILE* to) {
  if (std::fseek(from, 0, SEEK_SET) != 0) throw write_error("the spooled output");
  std::vector<char> buf(kBufferSize);
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), from)) > 0) {
    if (std::fwrite(buf.data(), 1, n, to) != n) throw write_error("the output");
  }
  if (std::ferror(from)) throw write_error("the spooled output");
}

}  // namespace

const char* format_name(FileFormat f) { return f == FileFormat::kPcap ? "pcap" : "pcapng"; }

OutputBuffer::OutputBuffer(std::FILE* f) : f_(f) { buf_.reserve(kBufferSize); }

void OutputBuffer::append(const void* data, size_t n) {
  if (buf_.size() + n > kBufferSize) flush();
  if (n >= kBufferSize) {  // larger than the buffer: straight through
    if (std::fwrite(data, 1, n, f_) != n) throw write_error("the output");
    return;
  }
  const auto* p = static_cast<const uint8_t*>(data);
  buf_.insert(buf_.end(), p, p + n);
}

void OutputBuffer::put16(uint16_t v) {
  uint8_t b[2] = {uint8_t(v), uint8_t(v >> 8)};
  append(b, 2);
}

void OutputBuffer::put32(uint32_t v) {
  uint8_t b[4] = {uint8_t(v), uint8_t(v >> 8), uint8_t(v >> 16), uint8_t(v >> 24)};
  append(b, 4);
}

void OutputBuffer::flush() {
  if (!buf_.empty() && std::fwrite(buf_.data(), 1, buf_.size(), f_) != buf_.size()) throw write_error("the output");
  buf_.clear();
}

PcapWriter::PcapWriter(std::FILE* f, uint16_t linktype, uint32_t snaplen, bool nanosecond)
    : PacketWriter(f), nanosecond_(nanosecond) {
  out_.put32(nanosecond ? kPcapMagicNsec : kPcapMagicUsec);
  out_.put16(2);
  out_.put16(4);
  out_.put32(0);  // thiszone
  out_.put32(0);  // sigfigs
  out_.put32(snaplen);
  out_.put32(linktype);
}

void PcapWriter::write(const capture::RawPacket& pkt) {
  // Floor division keeps timestamps before the epoch consistent (seconds down, fraction positive).
  int64_t sec = pkt.ts_ns / 1'000'000'000, ns = pkt.ts_ns % 1'000'000'000;
  if (ns < 0) {
    ns += 1'000'000'000;
    --sec;
  }
  out_.put32(uint32_t(sec));
  out_.put32(uint32_t(nanosecond_ ? ns : ns / 1000));
  out_.put32(pkt.caplen);
  out_.put32(pkt.wirelen);
  out_.append(pkt.data, pkt.caplen);
}

PcapngWriter::PcapngWriter(std::FILE* f, uint32_t snaplen) : PacketWriter(f), snaplen_(snaplen) {
  // Section header block: byte-order magic, version 1.0, section length unknown (-1), no options.
  out_.put32(0x0a0d0d0a);
  out_.put32(28);
  out_.put32(0x1a2b3c4d);
  out_.put16(1);
  out_.put16(0);
  out_.put32(0xffffffff);
  out_.put32(0xffffffff);
  out_.put32(28);
}

uint32_t PcapngWriter::interface_for(uint16_t linktype) {
  for (uint32_t i = 0; i < interfaces_.size(); ++i)
    if (interfaces_[i] == linktype) return i;
  // Interface description block with if_tsresol = 9 (nanoseconds) and opt_endofopt.
  constexpr uint32_t kLen = 20 + 8 + 4;
  out_.put32(1);
  out_.put32(kLen);
  out_.put16(linktype);
  out_.put16(0);
  out_.put32(snaplen_);
  out_.put16(9);  // if_tsresol
  out_.put16(1);
  const uint8_t resol[4] = {9, 0, 0, 0};
  out_.append(resol, 4);
  out_.put32(0);  // opt_endofopt
  out_.put32(kLen);
  interfaces_.push_back(linktype);
  return uint32_t(interfaces_.size() - 1);
}

void PcapngWriter::write(const capture::RawPacket& pkt) {
  uint32_t iface = interface_for(pkt.linktype);
  uint32_t padded = (pkt.caplen + 3) & ~3u;
  uint32_t len = 28 + padded + 4;
  auto ts = uint64_t(pkt.ts_ns);
  out_.put32(6);
  out_.put32(len);
  out_.put32(iface);
  out_.put32(uint32_t(ts >> 32));
  out_.put32(uint32_t(ts));
  out_.put32(pkt.caplen);
  out_.put32(pkt.wirelen);
  out_.append(pkt.data, pkt.caplen);
  static constexpr uint8_t kZero[4] = {};
  out_.append(kZero, padded - pkt.caplen);
  out_.put32(len);
}

PacketFile::PacketFile(const std::string& path, const OutputOptions& options)
    : path_(path), name_(path == "-" ? "standard output" : path), options_(options), to_stdout_(path == "-") {
  if (to_stdout_) {
    // Forced format: stream. Automatic: spool, since a pipe cannot be rewritten as pcapng later.
    file_ = options.format ? stdout : std::tmpfile();
    if (!file_) throw write_error("a temporary file for standard output");
  } else {
    file_ = std::fopen(path.c_str(), options.format ? "wb" : "w+b");
    if (!file_) throw std::runtime_error(fmt::format("cannot write {}: {}", path, std::strerror(errno)));
  }
}

PacketFile::~PacketFile() {
  if (file_ && file_ != stdout) std::fclose(file_);
  if (pending_output_ && pending_output_ != file_) std::fclose(pending_output_);
}

FileFormat PacketFile::format() const {
  if (options_.format) return *options_.format;
  return writer_ && !pcap_linktype_ ? FileFormat::kPcapng : FileFormat::kPcap;
}

void PacketFile::start(uint16_t linktype) {
  if (format() == FileFormat::kPcapng) {
    writer_ = std::make_unique<PcapngWriter>(file_, options_.snaplen);
  } else {
    writer_ = std::make_unique<PcapWriter>(file_, linktype, options_.snaplen, options_.nanosecond);
    pcap_linktype_ = linktype;
  }
}

void PacketFile::write(const capture::RawPacket& pkt) {
  if (!writer_) start(pkt.linktype);
  if (pcap_linktype_ && *pcap_linktype_ != pkt.linktype) {
    if (options_.format) {
      throw std::runtime_error(fmt::format("link type {} after {}: a pcap file holds one link type (use -F pcapng)",
                                           pkt.linktype, *pcap_linktype_));
    }
    switch_to_pcapng();
  }
  writer_->write(pkt);
  ++written_;
}

// Rereads the pcap written so far (our own, so its layout is known) into a pcapng spool, which then
// takes the rest of the packets and is copied over the output at close().
void PacketFile::switch_to_pcapng() {
  writer_->flush();
  std::FILE* spool = std::tmpfile();
  if (!spool) throw write_error("a temporary file");
  auto next = std::make_unique<PcapngWriter>(spool, options_.snaplen);
  if (std::fseek(file_, long(kPcapFileHeader), SEEK_SET) != 0) throw write_error("the output (rereading it)");
  std::vector<uint8_t> data;
  uint8_t h[kPcapRecordHeader];
  while (std::fread(h, 1, sizeof h, file_) == sizeof h) {
    capture::RawPacket pkt;
    int64_t frac = load_le32(h + 4);
    pkt.ts_ns = int64_t(load_le32(h)) * 1'000'000'000 + (options_.nanosecond ? frac : frac * 1000);
    pkt.caplen = load_le32(h + 8);
    pkt.wirelen = load_le32(h + 12);
    pkt.linktype = *pcap_linktype_;
    data.resize(pkt.caplen);
    if (std::fread(data.data(), 1, pkt.caplen, file_) != pkt.caplen) throw write_error("the output (rereading it)");
    pkt.data = data.data();
    next->write(pkt);
  }
  if (std::ferror(file_)) throw write_error("the output (rereading it)");
  next->flush();
  if (to_stdout_) {
    std::fclose(file_);  // the old spool
  } else if (std::fseek(file_, 0, SEEK_SET) != 0 || ::ftruncate(fileno(file_), 0) != 0) {
    throw write_error(path_.c_str());
  } else {
    pending_output_ = file_;  // the pcapng spool is copied here at close()
  }
  file_ = spool;
  writer_ = std::move(next);
  pcap_linktype_.reset();
}

void PacketFile::close() {
  if (closed_) return;
  closed_ = true;
  if (!writer_) start(capture::kLinkEthernet);  // no packet: still a valid, empty capture file
  writer_->flush();
  std::FILE* target = pending_output_ ? pending_output_ : (to_stdout_ && !options_.format ? stdout : nullptr);
  if (target) {
    if (std::fflush(file_) != 0) throw write_error("the spooled output");
    copy_file(file_, target);
    std::fclose(file_);
    file_ = target;
    pending_output_ = nullptr;
  }
  bool failed = std::fflush(file_) != 0 || std::ferror(file_);
  if (file_ != stdout) failed |= std::fclose(file_) != 0;
  file_ = nullptr;
  if (failed) throw write_error(name_.c_str());
}

}  // namespace trawl::extract
