// Framing: SMB over TCP 445 puts a 4-byte header (0x00 + 24-bit length) before each message; the
// NetBIOS session service on 139 uses the same header (type 0x00 with a 17-bit length) after a session
// request (0x81) and its answer (0x82/0x83). Only the first kParseCap bytes of a message are kept (the
// headers and names live there); the rest, bulk file data, is counted down and never buffered.
#include "proto/smb/smb_analyzer.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "proto/smb/smb_connection.h"

namespace trawl::proto {

namespace smb {
namespace {

constexpr size_t kParseCap = 128 * 1024;  // bytes of one message that are parsed
constexpr size_t kMinMessage = 32;        // the smallest SMB header (SMB1)

bool is_magic(const uint8_t* p) {
  return (p[0] == 0xFF || p[0] == 0xFE || p[0] == 0xFD || p[0] == 0xFC) && p[1] == 'S' && p[2] == 'M' &&
         p[3] == 'B';
}

// One direction's framing state.
class Framer {
 public:
  Framer(SmbConnection& conn) : conn_(conn) {}

  void data(std::span<const uint8_t> d, const PacketRef& at) {
    while (!d.empty()) {
      switch (state_) {
        case State::kHeader: d = header(d, at); break;
        case State::kBody: d = body(d, at); break;
        case State::kSkip: {
          size_t n = std::min<size_t>(skip_, d.size());
          skip_ -= n;
          d = d.subspan(n);
          if (skip_ == 0) state_ = State::kHeader;
          break;
        }
        case State::kResync: d = resync(d, at); break;
      }
    }
  }

  void gap(uint64_t bytes, const PacketRef& at) {
    if (bytes == 0) return;
    switch (state_) {
      case State::kSkip:
        if (bytes <= skip_) {  // lost bytes inside data we were skipping anyway: still in step
          skip_ -= bytes;
          if (skip_ == 0) state_ = State::kHeader;
          return;
        }
        break;
      case State::kBody: {
        // The message is lost but its length says where the next one starts.
        uint64_t remaining = msg_len_ - buf_.size();
        buf_.clear();
        conn_.on_anomaly("gap", at);
        if (bytes < remaining) {
          skip_ = remaining - bytes;
          state_ = State::kSkip;
          return;
        }
        if (bytes == remaining) {
          state_ = State::kHeader;
          return;
        }
        break;
      }
      default:
        break;
    }
    if (state_ != State::kResync) conn_.on_anomaly("gap", at);
    start_resync();
  }

 private:
  enum class State : uint8_t { kHeader, kBody, kSkip, kResync };

  std::span<const uint8_t> header(std::span<const uint8_t> d, const PacketRef& at) {
    size_t n = std::min<size_t>(4 - hdr_len_, d.size());
    std::memcpy(hdr_ + hdr_len_, d.data(), n);
    hdr_len_ += n;
    d = d.subspan(n);
    if (hdr_len_ < 4) return d;
    hdr_len_ = 0;
    const uint8_t type = hdr_[0];
    if (type == 0x00) {
      msg_len_ = uint32_t(hdr_[1]) << 16 | uint32_t(hdr_[2]) << 8 | hdr_[3];
      if (msg_len_ == 0) return d;  // an empty session message: nothing to parse
      if (msg_len_ < kMinMessage) {
        conn_.on_anomaly("resync", at);
        start_resync();
        return d;
      }
      keep_ = std::min<size_t>(msg_len_, kParseCap);
      buf_.clear();
      state_ = State::kBody;
      return d;
    }
    if (type >= 0x81 && type <= 0x85 && (hdr_[1] & 0xFE) == 0) {
      // NetBIOS session request / positive / negative / retarget answer / keepalive: skipped.
      skip_ = uint32_t(hdr_[1] & 1) << 16 | uint32_t(hdr_[2]) << 8 | hdr_[3];
      state_ = skip_ ? State::kSkip : State::kHeader;
      return d;
    }
    conn_.on_anomaly("resync", at);
    start_resync();
    return d;
  }

  std::span<const uint8_t> body(std::span<const uint8_t> d, const PacketRef& at) {
    if (buf_.empty() && d.size() >= keep_) {
      // The whole kept part is in this chunk: parse it in place.
      deliver(d.first(keep_), at);
      return d.subspan(keep_);
    }
    size_t n = std::min(keep_ - buf_.size(), d.size());
    buf_.insert(buf_.end(), d.begin(), d.begin() + n);
    d = d.subspan(n);
    if (buf_.size() == keep_) {
      deliver(buf_, at);
      buf_.clear();
    }
    return d;
  }

  void deliver(std::span<const uint8_t> msg, const PacketRef& at) {
    const bool truncated = msg_len_ > msg.size();
    skip_ = msg_len_ - msg.size();
    state_ = skip_ ? State::kSkip : State::kHeader;
    if (msg.size() < 4 || !is_magic(msg.data())) {
      // The length framing led somewhere that is not SMB: look for the next real message instead.
      conn_.on_anomaly("resync", at);
      start_resync();
      return;
    }
    conn_.on_message(msg, truncated, at);
  }

  void start_resync() {
    state_ = State::kResync;
    window_len_ = 0;
    buf_.clear();
    hdr_len_ = 0;
  }

  // Slides over the bytes looking for 0x00, a plausible 24-bit length and an SMB magic.
  std::span<const uint8_t> resync(std::span<const uint8_t> d, const PacketRef& at) {
    size_t i = 0;
    for (; i < d.size(); ++i) {
      if (window_len_ == 8) {
        std::memmove(window_, window_ + 1, 7);
        window_len_ = 7;
      }
      window_[window_len_++] = d[i];
      if (window_len_ < 8 || window_[0] != 0x00 || !is_magic(window_ + 4)) continue;
      uint32_t len = uint32_t(window_[1]) << 16 | uint32_t(window_[2]) << 8 | window_[3];
      if (len < kMinMessage) continue;
      msg_len_ = len;
      keep_ = std::min<size_t>(len, kParseCap);
      buf_.assign(window_ + 4, window_ + 8);
      state_ = State::kBody;
      (void)at;
      return d.subspan(i + 1);
    }
    return d.subspan(i);
  }

  SmbConnection& conn_;
  State state_ = State::kHeader;
  uint8_t hdr_[4]{};
  size_t hdr_len_ = 0;
  uint64_t msg_len_ = 0;
  size_t keep_ = 0;
  uint64_t skip_ = 0;
  std::vector<uint8_t> buf_;
  uint8_t window_[8]{};
  size_t window_len_ = 0;
};

class SmbAnalyzer final : public StreamAnalyzer {
 public:
  explicit SmbAnalyzer(const AnalyzerContext& ctx) : conn_(ctx), framers_{Framer(conn_), Framer(conn_)} {}

  void on_data(Dir dir, std::span<const uint8_t> data, const PacketRef& at) override {
    framers_[size_t(dir)].data(data, at);
  }
  void on_gap(Dir dir, uint64_t bytes, const PacketRef& at) override { framers_[size_t(dir)].gap(bytes, at); }
  void on_end(const PacketRef& at) override { conn_.finish(at); }

 private:
  SmbConnection conn_;
  Framer framers_[2];
};

std::unique_ptr<StreamAnalyzer> make(const AnalyzerContext& ctx) { return std::make_unique<SmbAnalyzer>(ctx); }

constexpr uint16_t kPorts[] = {445, 139};
}  // namespace

Match probe(std::span<const uint8_t> b, Dir dir) {
  (void)dir;
  if (b.empty()) return Match::kNo;
  if (b[0] == 0x00) {
    if (b.size() >= 8) return is_magic(b.data() + 4) ? Match::kYes : Match::kNo;
    // Too few bytes to see the magic: a 0x00 first byte is at least consistent with SMB.
    return b.size() >= 5 && b[4] != 0xFF && b[4] != 0xFE && b[4] != 0xFD && b[4] != 0xFC ? Match::kNo
                                                                                         : Match::kMaybe;
  }
  if (b[0] == 0x81 && b.size() >= 4 && (b[1] & 0xFE) == 0) {
    // NetBIOS session request: two 34-byte first-level-encoded names (length byte 0x20, then 'A'..'P').
    uint32_t len = uint32_t(b[1] & 1) << 16 | uint32_t(b[2]) << 8 | b[3];
    if (b.size() >= 6) return len >= 68 && b[4] == 0x20 && b[5] >= 'A' && b[5] <= 'P' ? Match::kYes : Match::kNo;
    return Match::kMaybe;
  }
  if ((b[0] == 0x82 || b[0] == 0x83) && b.size() >= 4 && b[1] == 0 && b[2] == 0) return Match::kMaybe;
  return Match::kNo;
}

}  // namespace smb

const AnalyzerInfo kSmbAnalyzer{
    "smb", 6, smb::kPorts, smb::probe, smb::make, nullptr,
};

}  // namespace trawl::proto
