// Readers for classic pcap and pcapng over a large refillable buffer.
//
// Every length field comes from an untrusted file: each is checked against what the buffer holds and
// against fixed limits before it is used, and damage ends the file with a ReadError (offset + reason)
// after the good packets before it.
#include "capture/capture_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <vector>

#include "capture/byte_source.h"
#include "util/bytes.h"

namespace trawl::capture {
namespace {

constexpr uint32_t kPcapMagicUsec = 0xa1b2c3d4;
constexpr uint32_t kPcapMagicNsec = 0xa1b23c4d;
constexpr uint32_t kPcapMagicModified = 0xa1b2cd34;  // Kuznetzov's patched libpcap (ss991029 layout)
constexpr uint32_t kPcapngShb = 0x0a0d0d0a;
constexpr uint32_t kPcapngBom = 0x1a2b3c4d;

// Bytes handed out as the stream is parsed. data() points into one heap buffer that only moves on
// refill(), which the readers call only at the start of next(), so a returned packet stays valid.
class InputBuffer {
 public:
  InputBuffer(std::unique_ptr<ByteSource> src, size_t capacity)
      : src_(std::move(src)), cap_(capacity), buf_(new uint8_t[capacity]) {}

  const uint8_t* data() const { return buf_.get() + pos_; }
  size_t available() const { return end_ - pos_; }
  uint64_t offset() const { return base_ + pos_; }  // stream offset of data()
  size_t capacity() const { return cap_; }
  const ByteSource& source() const { return *src_; }

  // Makes at least n (<= capacity) bytes available; false if the stream ends first.
  bool ensure(size_t n) { return available() >= n || refill(n); }

  // Drops n bytes; they may extend past what is buffered (skipping a large block).
  // Returns false if the stream ended before n bytes were skipped.
  bool consume(uint64_t n) {
    if (n <= available()) {
      pos_ += size_t(n);
      return true;
    }
    n -= available();
    base_ += end_;
    pos_ = end_ = 0;
    while (n > 0) {
      size_t got = src_->read(buf_.get(), cap_);
      if (got == 0) return false;
      base_ += got;  // buffer now holds [base_ - got, base_) and starts over below
      if (got > n) {
        base_ -= got;
        pos_ = size_t(n);
        end_ = got;
        return true;
      }
      n -= got;
    }
    return true;
  }

  // Seeds the buffer with bytes already read from the source (the sniffed magic).
  void prime(std::span<const uint8_t> bytes) {
    std::memcpy(buf_.get(), bytes.data(), bytes.size());
    end_ = bytes.size();
  }

 private:
  bool refill(size_t n) {
    if (pos_ > 0) {
      std::memmove(buf_.get(), buf_.get() + pos_, end_ - pos_);
      base_ += pos_;
      end_ -= pos_;
      pos_ = 0;
    }
    while (end_ < n && !eof_) {
      // The first read is small so that probing a file (first packet only) stays cheap.
      size_t want = first_read_ ? std::min(cap_ - end_, size_t(64) << 10) : cap_ - end_;
      first_read_ = false;
      size_t got = src_->read(buf_.get() + end_, want);
      if (got == 0) eof_ = true;
      end_ += got;
    }
    return end_ >= n;
  }

  std::unique_ptr<ByteSource> src_;
  size_t cap_;
  std::unique_ptr<uint8_t[]> buf_;
  size_t pos_ = 0, end_ = 0;
  uint64_t base_ = 0;
  bool eof_ = false;
  bool first_read_ = true;
};

class BufferedReader : public CaptureReader {
 public:
  BufferedReader(InputBuffer in, uint32_t file_index) : in_(std::move(in)), file_index_(file_index) {}
  void init(uint64_t size, CaptureFormat format, Compression compression) {
    file_size_ = size;
    format_ = format;
    compression_ = compression;
  }
  uint64_t file_bytes_read() const override { return in_.source().raw_bytes_read(); }

 protected:
  // Records damage at `offset` and ends the file.
  bool fail(uint64_t offset, std::string reason) {
    error_ = ReadError{offset, std::move(reason)};
    done_ = true;
    return false;
  }
  // The stream ended with `have` bytes of a `need`-byte item at `offset` (have == 0: clean end).
  bool end_of_stream(uint64_t offset, size_t have, size_t need, const char* what) {
    done_ = true;
    if (!in_.source().error().empty()) return fail(offset, in_.source().error());
    if (have == 0) return false;
    return fail(offset, fmt::format("{} cut short: {} bytes announced, {} present", what, need, have));
  }

  InputBuffer in_;
  uint32_t file_index_;
  uint64_t pending_ = 0;  // bytes of the last returned record, dropped at the next call
  uint64_t frame_ = 0;
  bool done_ = false;
};

// ---------------------------------------------------------------------------------------------------
// Classic pcap.

class PcapReader final : public BufferedReader {
 public:
  PcapReader(InputBuffer in, uint32_t file_index, bool swapped, bool nano, size_t rec_len, uint16_t version_major,
             uint16_t version_minor, uint32_t snaplen, uint16_t linktype)
      : BufferedReader(std::move(in), file_index),
        swapped_(swapped),
        frac_mult_(nano ? 1 : 1000),
        rec_len_(rec_len),
        linktype_(linktype) {
    // Format 2.3 reversed caplen and wirelen; older files have them the other way round, and some 2.3
    // writers kept the old order (told apart by caplen > wirelen). Same rule as libpcap and Wireshark.
    if (version_major == 543 || (version_major == 2 && version_minor < 3)) lengths_ = kSwapped;
    else if (version_major == 2 && version_minor == 3) lengths_ = kMaybeSwapped;
    snaplen_ = snaplen;
  }

  bool next(RawPacket& pkt) override {
    if (done_) return false;
    if (!in_.consume(pending_)) return end_of_stream(in_.offset(), 0, 0, "record");
    pending_ = 0;
    if (!in_.ensure(rec_len_)) return end_of_stream(in_.offset(), in_.available(), rec_len_, "record header");
    const uint8_t* h = in_.data();
    uint32_t sec = ld(h), frac = ld(h + 4), caplen = ld(h + 8), wirelen = ld(h + 12);
    if (lengths_ == kSwapped || (lengths_ == kMaybeSwapped && caplen > wirelen)) std::swap(caplen, wirelen);
    // Only caplen > kMaxCaplen is damage. A caplen above the header's snaplen alone is not: Wireshark and
    // libpcap both read such records (some writers put a too-small snaplen in the header), so stopping
    // there would lose packets they show. `snaplen_` is kept for the message of the real damage case.
    if (caplen > kMaxCaplen) {
      return fail(in_.offset(), snaplen_ ? fmt::format("caplen {} larger than the {}-byte limit (snaplen {})",
                                                       caplen, kMaxCaplen, snaplen_)
                                         : fmt::format("caplen {} larger than the {}-byte limit", caplen,
                                                       kMaxCaplen));
    }
    size_t total = rec_len_ + caplen;
    if (!in_.ensure(total)) {
      size_t have = in_.available() - rec_len_;
      if (!in_.source().error().empty()) return fail(in_.offset(), in_.source().error());
      return fail(in_.offset(), fmt::format("record cut short: {} bytes announced, {} present", caplen, have));
    }
    h = in_.data();
    pkt.ts_ns = int64_t(sec) * 1'000'000'000 + int64_t(frac) * frac_mult_;
    pkt.caplen = caplen;
    pkt.wirelen = wirelen;
    pkt.linktype = linktype_;
    pkt.file_index = file_index_;
    pkt.frame = ++frame_;
    pkt.data = h + rec_len_;
    record_offset_ = in_.offset();
    pending_ = total;
    return true;
  }

 private:
  uint32_t ld(const uint8_t* p) const { return swapped_ ? load_be32(p) : load_le32(p); }

  enum Lengths : uint8_t { kNormal, kSwapped, kMaybeSwapped };
  bool swapped_;  // file written big-endian
  int64_t frac_mult_;
  size_t rec_len_;
  uint16_t linktype_;
  Lengths lengths_ = kNormal;
};

// ---------------------------------------------------------------------------------------------------
// pcapng.

__extension__ typedef unsigned __int128 U128;  // for 2^-n timestamp units

struct Interface {
  uint16_t linktype = 0;
  uint32_t snaplen = 0;
  // Timestamp units: 10^-dec seconds, or 2^-bin seconds when binary.
  bool binary = false;
  uint8_t exp = 6;
  int64_t offset_ns = 0;  // if_tsoffset

  int64_t to_ns(uint64_t ts) const {
    uint64_t ns;
    if (binary) {
      ns = uint64_t(U128(ts) * 1'000'000'000u >> exp);
    } else if (exp <= 9) {
      ns = ts * kPow10[9 - exp];
    } else if (exp - 9 <= 19) {
      ns = ts / kPow10[exp - 9];
    } else {
      ns = 0;
    }
    return int64_t(ns + uint64_t(offset_ns));  // wraps instead of overflowing on hostile values
  }
  static constexpr uint64_t kPow10[20] = {1ull,
                                          10ull,
                                          100ull,
                                          1000ull,
                                          10000ull,
                                          100000ull,
                                          1000000ull,
                                          10000000ull,
                                          100000000ull,
                                          1000000000ull,
                                          10000000000ull,
                                          100000000000ull,
                                          1000000000000ull,
                                          10000000000000ull,
                                          100000000000000ull,
                                          1000000000000000ull,
                                          10000000000000000ull,
                                          100000000000000000ull,
                                          1000000000000000000ull,
                                          10000000000000000000ull};
};

class PcapngReader final : public BufferedReader {
 public:
  PcapngReader(InputBuffer in, uint32_t file_index) : BufferedReader(std::move(in), file_index) {}

  bool next(RawPacket& pkt) override {
    for (;;) {
      if (done_) return false;
      if (!in_.consume(pending_)) return fail_skip();
      pending_ = 0;
      const uint64_t off = in_.offset();
      if (!in_.ensure(12)) return end_of_stream(off, in_.available(), 12, "block header");
      const uint8_t* b = in_.data();
      uint32_t type = load_le32(b);  // the SHB type reads the same in both byte orders
      if (type == kPcapngShb) {
        if (!start_section(off)) return false;
        continue;
      }
      if (!in_section_) return fail(off, "pcapng block outside a section");
      type = ld(b);
      uint32_t len = ld(b + 4);
      if (len < 12 || len % 4 != 0) {
        return fail(off, fmt::format("invalid pcapng block length {} (must be a multiple of 4, at least 12)", len));
      }
      if (len > kMaxPcapngBlock) {
        return fail(off, fmt::format("pcapng block length {} exceeds the {}-byte limit", len, kMaxPcapngBlock));
      }
      switch (type) {
        case 1:
          if (!read_interface(off, len)) return false;
          continue;
        case 6:  // enhanced packet block
        case 2:  // obsolete packet block
        case 3:  // simple packet block
          if (!read_packet(off, type, len, pkt)) return false;
          return true;
        case 9:            // systemd journal export
        case 0x00000bad:   // custom block
        case 0x40000bad:   // custom block, not to be copied
          // Not packets, but Wireshark lists them as frames: count them so frame numbers stay Wireshark's.
          ++frame_;
          skip_block(off, len);
          continue;
        default:  // statistics, name resolution, decryption secrets, unknown: not packets
          skip_block(off, len);
          continue;
      }
    }
  }

 private:
  // consume() ran past the end of the stream while skipping a block: the block was cut short.
  bool fail_skip() {
    if (!in_.source().error().empty()) return fail(last_block_, in_.source().error());
    return fail(last_block_, fmt::format("pcapng block cut short: {} bytes announced", last_len_));
  }
  void skip_block(uint64_t off, uint32_t len) {
    pending_ = len;
    last_block_ = off;
    last_len_ = len;
  }

  uint32_t ld(const uint8_t* p) const { return swapped_ ? load_be32(p) : load_le32(p); }
  uint16_t ld16(const uint8_t* p) const { return swapped_ ? load_be16(p) : load_le16(p); }

  // Reads the block at `off` whole into the buffer (IDB, SHB and packet blocks are parsed in place).
  bool ensure_block(uint64_t off, uint32_t len, const char* what) {
    if (len > in_.capacity()) {
      return fail(off, fmt::format("{} of {} bytes too large to read", what, len));
    }
    if (!in_.ensure(len)) return end_of_stream(off, in_.available(), len, what) || false;
    if (ld(in_.data() + len - 4) != len) {
      return fail(off, fmt::format("pcapng block lengths differ: {} at the start, {} at the end", len,
                                   ld(in_.data() + len - 4)));
    }
    return true;
  }

  bool start_section(uint64_t off) {
    const uint8_t* b = in_.data();
    uint32_t bom = load_le32(b + 8);
    if (bom == kPcapngBom) swapped_ = false;
    else if (bom == byteswap32(kPcapngBom)) swapped_ = true;
    else return fail(off, fmt::format("pcapng section header with unknown byte-order magic 0x{:08x}", bom));
    uint32_t len = ld(b + 4);
    if (len < 28 || len % 4 != 0 || len > kMaxPcapngBlock) {
      return fail(off, fmt::format("invalid pcapng section header length {}", len));
    }
    if (!ensure_block(off, len, "section header")) return false;
    uint16_t major = ld16(in_.data() + 12);
    if (major != 1) return fail(off, fmt::format("unsupported pcapng version {}", major));
    ifaces_.clear();  // interface ids are per section
    in_section_ = true;
    ++layout_blocks_;
    skip_block(off, len);
    return true;
  }

  bool read_interface(uint64_t off, uint32_t len) {
    if (len < 20) return fail(off, fmt::format("interface description block too short ({} bytes)", len));
    if (!ensure_block(off, len, "interface description block")) return false;
    const uint8_t* b = in_.data();
    Interface ifc;
    ++layout_blocks_;
    ifc.linktype = ld16(b + 8);
    ifc.snaplen = ld(b + 12);
    // Options: code(2) length(2) value padded to 4; a malformed list just ends the parse.
    size_t p = 16, end = len - 4;
    while (p + 4 <= end) {
      uint16_t code = ld16(b + p), olen = ld16(b + p + 2);
      if (code == 0 || olen > end - p - 4) break;
      const uint8_t* v = b + p + 4;
      if (code == 9 && olen >= 1) {  // if_tsresol
        ifc.binary = (v[0] & 0x80) != 0;
        ifc.exp = v[0] & 0x7f;
      } else if (code == 14 && olen >= 8) {  // if_tsoffset, seconds
        uint64_t raw = swapped_ ? (uint64_t(load_be32(v)) << 32 | load_be32(v + 4)) : load_le64(v);
        ifc.offset_ns = int64_t(raw * 1'000'000'000u);
      }
      p += 4 + ((size_t(olen) + 3) & ~size_t(3));
    }
    ifaces_.push_back(ifc);
    skip_block(off, len);
    return true;
  }

  bool read_packet(uint64_t off, uint32_t type, uint32_t len, RawPacket& pkt) {
    const size_t fixed = type == 3 ? 12 : 28;
    if (len < fixed + 4) return fail(off, fmt::format("packet block too short ({} bytes)", len));
    // Blocks with huge options may exceed the buffer: then only the packet part is read, the rest skipped.
    const bool whole = len <= in_.capacity();
    if (whole) {
      if (!ensure_block(off, len, "packet block")) return false;
    } else if (!in_.ensure(fixed)) {
      return end_of_stream(off, in_.available(), len, "packet block");
    }
    const uint8_t* b = in_.data();
    uint32_t iface, caplen, wirelen;
    uint64_t ts = 0;
    const uint32_t space = len - uint32_t(fixed) - 4;
    if (type == 3) {
      if (ifaces_.empty()) return fail(off, "simple packet block before any interface description");
      iface = 0;
      wirelen = ld(b + 8);
      uint32_t snap = ifaces_[0].snaplen;
      caplen = std::min(wirelen, space);
      if (snap != 0) caplen = std::min(caplen, snap);
    } else {
      iface = type == 2 ? ld16(b + 8) : ld(b + 8);
      ts = uint64_t(ld(b + 12)) << 32 | ld(b + 16);
      caplen = ld(b + 20);
      wirelen = ld(b + 24);
      if (iface >= ifaces_.size()) {
        return fail(off, fmt::format("packet on interface {} but the section describes {}", iface, ifaces_.size()));
      }
      if (caplen > space) {
        return fail(off, fmt::format("packet block of {} bytes cannot hold caplen {}", len, caplen));
      }
    }
    // As for pcap, only the absolute limit is damage; a caplen above the interface snaplen is read.
    if (caplen > kMaxCaplen) {
      return fail(off, fmt::format("caplen {} larger than the {}-byte limit", caplen, kMaxCaplen));
    }
    if (!whole) {
      if (!in_.ensure(fixed + caplen)) return end_of_stream(off, in_.available(), len, "packet block");
      b = in_.data();
    }
    const Interface& ifc = ifaces_[iface];
    pkt.ts_ns = type == 3 ? 0 : ifc.to_ns(ts);
    pkt.caplen = caplen;
    pkt.wirelen = wirelen;
    pkt.linktype = ifc.linktype;
    pkt.file_index = file_index_;
    pkt.frame = ++frame_;
    pkt.data = b + fixed;
    record_offset_ = off;
    skip_block(off, len);
    return true;
  }

  std::vector<Interface> ifaces_;
  bool swapped_ = false;
  bool in_section_ = false;
  uint64_t last_block_ = 0;
  uint32_t last_len_ = 0;
};

// ---------------------------------------------------------------------------------------------------
// Opening: compression by the file's magic, then the format by the decompressed start.

// Wireshark's guess among pcap variants that share a magic number but differ in record header length
// (libpcap_try in wiretap/libpcap.c): each candidate reads the first three records and collects a
// demerit per implausible field; the first candidate without demerits wins, else the one with the fewest.
// Matching it keeps our packet counts equal to Wireshark's on damaged files. Only reads what is buffered.
int pcap_variant_demerit(InputBuffer& in, size_t hl, bool swapped, int lengths_swapped, uint32_t snaplen) {
  size_t off = 24;
  for (int rec = 0; rec < 3; ++rec) {
    if (off + hl > in.capacity()) return 0;  // cannot tell from the buffer: assume fine
    if (!in.ensure(off + hl)) return in.available() == off ? 0 : 1;  // clean EOF : short header
    const uint8_t* h = in.data() + off;
    auto ld = [&](size_t at) { return swapped ? load_be32(h + at) : load_le32(h + at); };
    uint32_t frac = ld(4), incl = ld(8), orig = ld(12);
    if (lengths_swapped == 1 || (lengths_swapped == 2 && incl > orig)) std::swap(incl, orig);
    int demerit = 0;
    if (frac >= 1'000'000) ++demerit;
    if (incl > kMaxCaplen) ++demerit;
    if (orig > (128u << 20)) ++demerit;
    if (incl > snaplen) ++demerit;
    if (incl > orig) ++demerit;
    if (demerit) return demerit;
    off += hl + incl;
    if (off > in.capacity()) return 0;
    if (!in.ensure(off)) return 1;  // data cut short
  }
  return 0;
}

OpenResult not_capture(std::string why) { return {nullptr, Probe::kNotCapture, std::move(why)}; }
OpenResult unreadable(std::string why) { return {nullptr, Probe::kUnreadable, std::move(why)}; }

OpenResult open_stream(std::unique_ptr<ByteSource> raw, uint64_t size, uint32_t file_index, size_t buffer_size) {
  buffer_size = std::max(buffer_size, kMinBufferSize);
  uint8_t magic[4];
  size_t got = 0;
  while (got < 4) {
    size_t r = raw->read(magic + got, 4 - got);
    if (r == 0) break;
    got += r;
  }
  if (!raw->error().empty()) return unreadable(raw->error());
  if (got == 0) return not_capture("empty file");

  Compression compression = Compression::kNone;
  std::unique_ptr<ByteSource> src;
  std::span<const uint8_t> prefix(magic, got);
  if (got >= 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
    compression = Compression::kGzip;
    src = gzip_source(std::move(raw), prefix);
  } else if (got == 4 && load_le32(magic) == 0xfd2fb528) {
    compression = Compression::kZstd;
    src = zstd_source(std::move(raw), prefix);
  } else {
    src = std::move(raw);
  }
  InputBuffer in(std::move(src), buffer_size);
  if (compression == Compression::kNone) in.prime(prefix);
  const char* cname = compression == Compression::kGzip ? "gzip-compressed, " :
                      compression == Compression::kZstd ? "zstd-compressed, " : "";

  in.ensure(24);
  if (in.available() < 4) {
    std::string why = in.source().error();
    if (!why.empty()) return not_capture(fmt::format("{}{}", cname, why));
    if (in.available() == 0) return not_capture(compression == Compression::kNone ? "empty file" : fmt::format("{}empty", cname));
    return not_capture(fmt::format("{}too short to be a capture ({} bytes)", cname, in.available()));
  }
  const uint8_t* h = in.data();
  uint32_t m = load_le32(h);
  std::unique_ptr<BufferedReader> reader;
  CaptureFormat format;

  if (m == kPcapngShb) {
    if (in.available() < 12) return unreadable(fmt::format("{}pcapng section header cut short", cname));
    uint32_t bom = load_le32(h + 8);
    if (bom != kPcapngBom && bom != byteswap32(kPcapngBom)) {
      return not_capture(fmt::format("{}not a capture file (pcapng magic without byte-order magic)", cname));
    }
    format = CaptureFormat::kPcapng;
    reader = std::make_unique<PcapngReader>(std::move(in), file_index);
  } else {
    bool swapped;
    uint32_t sm;
    if (m == kPcapMagicUsec || m == kPcapMagicNsec || m == kPcapMagicModified) {
      swapped = false;
      sm = m;
    } else if (byteswap32(m) == kPcapMagicUsec || byteswap32(m) == kPcapMagicNsec ||
               byteswap32(m) == kPcapMagicModified) {
      swapped = true;
      sm = byteswap32(m);
    } else {
      return not_capture(fmt::format("{}not a capture file (no pcap or pcapng magic)", cname));
    }
    if (in.available() < 24) {
      if (!in.source().error().empty()) return unreadable(in.source().error());
      return unreadable(fmt::format("{}pcap file header cut short: 24 bytes needed, {} present", cname,
                                    in.available()));
    }
    auto ld16 = [&](const uint8_t* p) { return swapped ? load_be16(p) : load_le16(p); };
    auto ld32 = [&](const uint8_t* p) { return swapped ? load_be32(p) : load_le32(p); };
    uint16_t vmaj = ld16(h + 4), vmin = ld16(h + 6);
    uint32_t snaplen = ld32(h + 16), network = ld32(h + 20);
    if (vmaj < 2) return unreadable(fmt::format("{}unsupported pcap version {}.{}", cname, vmaj, vmin));
    // The link-type field's upper bits carry FCS information (LT_FCS_*); the type is the low 16 bits.
    uint16_t linktype = uint16_t(network & 0xffff);
    bool nano = sm == kPcapMagicNsec;
    format = nano ? CaptureFormat::kPcapNano : CaptureFormat::kPcap;
    // Record header lengths of the variants each magic may stand for, in Wireshark's order of trying:
    // standard magic: plain (16), ss990417 (24), Nokia (20); modified magic: ss991029 (24), ss990915 (28).
    static constexpr size_t kStandard[] = {16, 24, 20};
    static constexpr size_t kModified[] = {24, 28};
    std::span<const size_t> variants;
    if (sm == kPcapMagicUsec) variants = kStandard;
    else if (sm == kPcapMagicModified) variants = kModified;
    size_t rec_len = sm == kPcapMagicModified ? 24 : 16;
    if (!variants.empty()) {
      int lengths = (vmaj == 543 || (vmaj == 2 && vmin < 3)) ? 1 : (vmaj == 2 && vmin == 3) ? 2 : 0;
      int best = INT32_MAX;
      for (size_t hl : variants) {
        int d = pcap_variant_demerit(in, hl, swapped, lengths, snaplen);
        if (d < best) {
          best = d;
          rec_len = hl;
        }
        if (d == 0) break;
      }
    }
    in.consume(24);
    reader = std::make_unique<PcapReader>(std::move(in), file_index, swapped, nano, rec_len, vmaj, vmin, snaplen,
                                          linktype);
  }
  OpenResult r;
  r.probe = Probe::kCapture;
  reader->init(size, format, compression);
  r.reader = std::move(reader);
  return r;
}

}  // namespace

OpenResult open_capture(const std::string& path, uint32_t file_index, size_t buffer_size) {
  uint64_t size = 0;
  std::string err;
  auto src = open_file_source(path, size, err);
  if (!src) return unreadable(err);
  return open_stream(std::move(src), size, file_index, buffer_size);
}

OpenResult open_capture_memory(std::span<const uint8_t> bytes, uint32_t file_index, size_t buffer_size) {
  return open_stream(memory_source(bytes), bytes.size(), file_index, buffer_size);
}

}  // namespace trawl::capture
