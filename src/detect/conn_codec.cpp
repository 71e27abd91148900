#include "detect/conn_codec.h"

#include <cstddef>
#include <cstring>
#include <stdexcept>
#include <type_traits>

namespace trawl::detect {

namespace {

// One encoded record: this header, then n_frames ConnRow::Frames, then uid, conn_state, history, service.
struct EncodedHeader {
  int64_t ts_ns, duration_ns;
  IpAddress src, dst;
  uint64_t orig_bytes, resp_bytes, missed_bytes, orig_pkts, resp_pkts, orig_ip_bytes, resp_ip_bytes;
  uint16_t sport, dport, vlan;
  uint16_t uid_len, state_len, history_len, service_len;
  uint8_t proto, orig_flags, n_frames;
};
static_assert(std::is_trivially_copyable_v<EncodedHeader> && std::is_trivially_copyable_v<ConnRow::Frame>);

size_t record_size(const EncodedHeader& h) {
  return sizeof(EncodedHeader) + h.n_frames * sizeof(ConnRow::Frame) + h.uid_len + h.state_len + h.history_len +
         h.service_len;
}

uint16_t short_len(const std::string& s) { return uint16_t(std::min<size_t>(s.size(), UINT16_MAX)); }

// Seconds as conn.jsonl prints them and a JSON reader parses them back: whole microseconds (times truncated,
// durations rounded), and us / 1e6 is the double nearest the printed decimal, as strtod gives.
double micros_to_seconds(int64_t ns, bool round) {
  uint64_t m = ns < 0 ? uint64_t(0) - uint64_t(ns) : uint64_t(ns);
  double s = double((m + (round ? 500 : 0)) / 1000) / 1e6;
  return ns < 0 ? -s : s;
}

}  // namespace

void encode_conn(const flow::ConnRecord& r, output::TextBuffer& out) {
  // This runs on the capture's thread for every connection: no zeroing (padding bytes are never read), one
  // copy for the frames, the strings written in place.
  EncodedHeader h;
  h.ts_ns = r.ts_first_ns;
  h.duration_ns = r.ts_last_ns - r.ts_first_ns;
  h.src = r.orig_h;
  h.dst = r.resp_h;
  h.orig_bytes = r.orig_bytes, h.resp_bytes = r.resp_bytes, h.missed_bytes = r.missed_bytes;
  h.orig_pkts = r.orig_pkts, h.resp_pkts = r.resp_pkts, h.orig_ip_bytes = r.orig_ip_bytes, h.resp_ip_bytes = r.resp_ip_bytes;
  h.sport = r.orig_p, h.dport = r.resp_p, h.vlan = r.vlan;
  h.uid_len = short_len(r.uid), h.state_len = short_len(r.conn_state), h.history_len = short_len(r.history);
  h.service_len = short_len(r.service);
  h.proto = r.proto, h.orig_flags = r.orig_flags;
  h.n_frames = uint8_t(std::min<size_t>(r.first_frames.size(), UINT8_MAX));
  const size_t size = record_size(h);
  char* p = out.reserve(size);
  std::memcpy(p, &h, sizeof h);
  p += sizeof h;
  static_assert(sizeof(flow::FrameRef) == sizeof(ConnRow::Frame) &&
                offsetof(flow::FrameRef, file_index) == offsetof(ConnRow::Frame, file_index) &&
                offsetof(flow::FrameRef, frame) == offsetof(ConnRow::Frame, frame));
  if (h.n_frames) std::memcpy(p, r.first_frames.data(), h.n_frames * sizeof(ConnRow::Frame));
  p += h.n_frames * sizeof(ConnRow::Frame);
  output::TextBuffer::copy_small(p, r.uid.data(), h.uid_len);
  p += h.uid_len;
  output::TextBuffer::copy_small(p, r.conn_state.data(), h.state_len);
  p += h.state_len;
  output::TextBuffer::copy_small(p, r.history.data(), h.history_len);
  p += h.history_len;
  output::TextBuffer::copy_small(p, r.service.data(), h.service_len);
  out.advance(size);
}

const char* decode_conn(const char* p, const char* end, ConnRow& row, std::vector<ConnRow::Frame>& frames) {
  EncodedHeader h;
  if (size_t(end - p) < sizeof h) throw std::logic_error("an encoded conn record is cut short");
  std::memcpy(&h, p, sizeof h);
  if (size_t(end - p) < record_size(h)) throw std::logic_error("an encoded conn record is cut short");
  p += sizeof h;
  frames.resize(h.n_frames);
  if (h.n_frames) std::memcpy(frames.data(), p, h.n_frames * sizeof(ConnRow::Frame));  // data() may be null
  p += h.n_frames * sizeof(ConnRow::Frame);
  auto take = [&p](uint16_t len) {
    std::string_view s(p, len);
    p += len;
    return s;
  };
  row.ts = micros_to_seconds(h.ts_ns, false);
  row.duration = micros_to_seconds(h.duration_ns, true);
  row.uid = take(h.uid_len);
  row.conn_state = take(h.state_len);
  row.history = take(h.history_len);
  row.service = take(h.service_len);
  row.proto = flow::proto_name(h.proto);
  row.src = h.src;
  row.dst = h.dst;
  row.sport = h.sport, row.dport = h.dport, row.vlan = h.vlan;
  row.orig_flags = h.proto == 6 ? int(h.orig_flags) : -1;
  row.orig_bytes = h.orig_bytes, row.resp_bytes = h.resp_bytes, row.missed_bytes = h.missed_bytes;
  row.orig_pkts = h.orig_pkts, row.resp_pkts = h.resp_pkts;
  row.orig_ip_bytes = h.orig_ip_bytes, row.resp_ip_bytes = h.resp_ip_bytes;
  row.frames = frames;
  row.reset_texts();
  return p;
}

}  // namespace trawl::detect
