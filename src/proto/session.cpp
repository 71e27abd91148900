#include "proto/session.h"

#include <algorithm>

#include "packet/packet_view.h"

namespace trawl::proto {

namespace {

constexpr uint8_t kTcp = 6, kUdp = 17;

PacketRef ref_of(const flow::SegmentOrigin& o) { return PacketRef{o.ts_ns, o.file_index, o.frame}; }
PacketRef ref_of(const capture::RawPacket& raw) { return PacketRef{raw.ts_ns, raw.file_index, raw.frame}; }

const AnalyzerInfo* find_analyzer(std::string_view name, uint8_t transport) {
  for (const AnalyzerInfo* info : analyzers())
    if (info->name == name && info->transport == transport) return info;
  return nullptr;
}

ConnId conn_id(const flow::FlowStart& s, std::string_view uid) {
  return ConnId{s.orig_h, s.resp_h, s.orig_p, s.resp_p, s.proto, uid};
}

// What the two kinds of session share: the connection, the analyzer context, the service label.
class SessionBase {
 protected:
  SessionBase(AppLayer& app, const flow::FlowStart& start) : app_(app), uid_(start.uid), resp_port_(start.resp_p) {
    ctx_.conn = conn_id(start, uid_);
    ctx_.sink = &app.sink();
    ctx_.file_names = app.file_names();
    ctx_.expected = &app.expected();
  }
  void add_service(std::string_view name) {
    if (!service_.empty()) service_ += ',';
    service_ += name;
  }
  void note_identified(const AnalyzerInfo* info) {
    ++app_.mutable_stats().identified;
    add_service(info->name);
  }

  AppLayer& app_;
  std::string uid_;  // ctx_.conn.uid points here
  uint16_t resp_port_;
  AnalyzerContext ctx_;
  std::string service_;
};

// What a TCP session reads from one packet.
struct Segment {
  uint8_t flags = 0;
  bool from_orig = true;
  uint32_t seq = 0, ack = 0;
  std::span<const uint8_t> payload;  // captured bytes (valid during the packet's call only)
  uint32_t wire_len = 0;             // payload length the headers announce
  flow::SegmentOrigin at;
};

Segment segment_of(const packet::PacketView& v, const capture::RawPacket& raw, bool from_orig) {
  return Segment{v.tcp_flags, from_orig, v.tcp_seq, v.tcp_ack, {v.payload(), v.payload_len}, v.payload_wire_len,
                 flow::SegmentOrigin{raw.ts_ns, raw.file_index, raw.frame}};
}

// A TCP connection: two reassemblers feeding the identification buffer, then the analyzer.
class TcpSession final : public flow::FlowApp, SessionBase {
 public:
  // expected_service: the flow was announced (an FTP data channel): labelled so, its bytes not parsed.
  TcpSession(AppLayer& app, const flow::FlowStart& start, std::string_view expected_service)
      : SessionBase(app, start),
        reassembler_{flow::TcpReassembler(app.budget(), {app.options().max_buffered_per_direction}),
                     flow::TcpReassembler(app.budget(), {app.options().max_buffered_per_direction})},
        consumer_{Consumer(this, Dir::kOrig), Consumer(this, Dir::kResp)} {
    if (!expected_service.empty()) {
      ++app_.mutable_stats().identified;
      add_service(expected_service);
      gave_up_ = true;
    }
  }

  void on_packet(const packet::PacketView& v, const capture::RawPacket& raw, bool from_orig) override {
    if (v.is_tcp()) on_segment(segment_of(v, raw, from_orig));
  }

  void on_segment(const Segment& s) {
    last_ = PacketRef{s.at.ts_ns, s.at.file_index, s.at.frame};
    int d = s.from_orig ? 0 : 1;
    // What this packet acknowledges will never be retransmitted by the peer: a hole below it is loss.
    if (s.flags & packet::kAck) reassembler_[1 - d].acked(s.ack, s.at, consumer_[1 - d]);
    reassembler_[d].add(s.seq, s.flags & packet::kSyn, s.flags & packet::kFin, s.payload, s.wire_len, s.at,
                        consumer_[d]);
  }

  void on_end(flow::ConnRecord& record) override {
    flow::SegmentOrigin at{last_.ts_ns, last_.file_index, last_.frame};
    for (int d = 0; d < 2; ++d) reassembler_[d].flush(at, consumer_[d]);
    if (!analyzer_ && !gave_up_) decide(true);
    if (analyzer_) analyzer_->on_end(last_);
    uint64_t missing = 0;
    for (const auto& r : reassembler_) {
      missing += r.stats().missing;
      app_.mutable_stats().reassembly_limit_hits += r.stats().limit_hits;
    }
    record.missed_bytes = missing;
    record.service = service_;
  }

 private:
  struct Consumer final : flow::StreamConsumer {
    Consumer(TcpSession* s, Dir d) : session(s), dir(d) {}
    void on_data(std::span<const uint8_t> bytes, const flow::SegmentOrigin& at) override { session->data(dir, bytes, ref_of(at)); }
    void on_gap(uint64_t bytes, const flow::SegmentOrigin& at) override {
      ++session->app_.mutable_stats().reassembly_gaps;
      session->gap(dir, bytes, ref_of(at));
    }
    TcpSession* session;
    Dir dir;
  };

  // Bytes kept while the protocol is not known yet, in arrival order, to replay to the analyzer.
  struct Chunk {
    Dir dir;
    uint32_t offset, len;  // into first_[dir]
    uint64_t gap;          // a gap chunk when non-zero
    PacketRef at;
  };

  void data(Dir dir, std::span<const uint8_t> bytes, const PacketRef& at) {
    if (analyzer_) {
      analyzer_->on_data(dir, bytes, at);
      check_upgrade();
      return;
    }
    if (gave_up_) return;
    auto& buf = first_[int(dir)];
    size_t take = std::min(bytes.size(), AppLayer::kProbeBytes - buf.size());
    chunks_.push_back({dir, uint32_t(buf.size()), uint32_t(take), 0, at});
    buf.insert(buf.end(), bytes.begin(), bytes.begin() + std::ptrdiff_t(take));
    bool full = buf.size() >= AppLayer::kProbeBytes;
    decide(full);
    // Bytes beyond the probe window arrived in the same piece: pass them on once an analyzer is chosen.
    if (analyzer_ && take < bytes.size()) {
      analyzer_->on_data(dir, bytes.subspan(take), at);
      check_upgrade();
    }
  }

  void gap(Dir dir, uint64_t bytes, const PacketRef& at) {
    if (analyzer_) analyzer_->on_gap(dir, bytes, at);
    else if (!gave_up_) chunks_.push_back({dir, 0, 0, bytes, at});
  }

  // Chooses the analyzer when the kept bytes allow it (or must, on final), then replays them.
  void decide(bool final_call) {
    const AnalyzerInfo* info = identify(kTcp, resp_port_, first_[0], first_[1], final_call);
    if (info && info->make_stream) {
      start(info);
      for (const Chunk& c : chunks_) {
        if (!analyzer_) break;  // upgraded to TLS with no TLS analyzer to take over: nothing more to parse
        if (c.gap) analyzer_->on_gap(c.dir, c.gap, c.at);
        else analyzer_->on_data(c.dir, std::span<const uint8_t>(first_[int(c.dir)]).subspan(c.offset, c.len), c.at);
        check_upgrade();
      }
    } else if (!final_call) {
      return;
    } else {
      gave_up_ = true;
    }
    chunks_ = {};
    first_[0] = {};
    first_[1] = {};
  }

  void start(const AnalyzerInfo* info) {
    analyzer_ = info->make_stream(ctx_);
    note_identified(info);
  }

  // STARTTLS and friends: the rest of the stream goes to the TLS analyzer.
  void check_upgrade() {
    if (!analyzer_ || !analyzer_->upgraded_to_tls() || upgraded_) return;
    upgraded_ = true;
    if (const AnalyzerInfo* tls = find_analyzer("tls", kTcp); tls && tls->make_stream) {
      analyzer_->on_end(last_);
      start(tls);
    } else {
      analyzer_.reset();
      gave_up_ = true;
    }
  }

  flow::TcpReassembler reassembler_[2];
  Consumer consumer_[2];
  std::unique_ptr<StreamAnalyzer> analyzer_;
  std::vector<uint8_t> first_[2];
  std::vector<Chunk> chunks_;
  bool gave_up_ = false;
  bool upgraded_ = false;
  PacketRef last_;
};

// Most TCP flows of a scan or SYN flood are one packet without payload, which can produce nothing but an
// empty service and no missed bytes. So the TcpSession (reassemblers, buffers) is built only when a
// second packet or one announcing payload arrives; a first payload-less segment is kept and replayed
// to it, so the session sees exactly the packets it would have seen.
class LazyTcpSession final : public flow::FlowApp {
 public:
  LazyTcpSession(AppLayer& app, const flow::FlowStart& start, std::string_view expected_service)
      : app_(app), uid_(start.uid), start_(start), expected_service_(expected_service) {
    start_.uid = uid_;
  }

  void on_packet(const packet::PacketView& v, const capture::RawPacket& raw, bool from_orig) override {
    if (!v.is_tcp()) return;
    Segment s = segment_of(v, raw, from_orig);
    if (!session_) {
      if (!held_ && s.wire_len == 0) {
        held_ = true;
        first_ = s;
        first_.payload = {};
        return;
      }
      session_ = std::make_unique<TcpSession>(app_, start_, expected_service_);
      if (held_) session_->on_segment(first_);
    }
    session_->on_segment(s);
  }

  void on_end(flow::ConnRecord& record) override {
    if (session_) return session_->on_end(record);
    record.missed_bytes = 0;
    record.service = expected_service_;  // an announced data connection that never got going is still one
  }

 private:
  AppLayer& app_;
  std::string uid_;  // start_.uid points here
  flow::FlowStart start_;
  std::string_view expected_service_;
  bool held_ = false;
  Segment first_;
  std::unique_ptr<TcpSession> session_;
};

// A UDP flow: each datagram goes to the analyzer chosen from the first datagram(s).
class UdpSession final : public flow::FlowApp, SessionBase {
 public:
  UdpSession(AppLayer& app, const flow::FlowStart& start) : SessionBase(app, start) {}

  void on_packet(const packet::PacketView& v, const capture::RawPacket& raw, bool from_orig) override {
    if (!v.is_udp() || gave_up_) return;
    last_ = ref_of(raw);
    Dir dir = from_orig ? Dir::kOrig : Dir::kResp;
    std::span<const uint8_t> payload(v.payload(), v.payload_len);
    if (!analyzer_) {
      const AnalyzerInfo* info = identify(kUdp, resp_port_, dir == Dir::kOrig ? payload : std::span<const uint8_t>(),
                                          dir == Dir::kResp ? payload : std::span<const uint8_t>(), true);
      if (!info || !info->make_datagram) {
        gave_up_ = ++tries_ >= 3;  // a few datagrams decide; after that the flow is not one we parse
        return;
      }
      analyzer_ = info->make_datagram(ctx_);
      note_identified(info);
    }
    analyzer_->on_datagram(dir, payload, last_);
  }

  void on_end(flow::ConnRecord& record) override {
    if (analyzer_) analyzer_->on_end(last_);
    record.service = service_;
  }

 private:
  std::unique_ptr<DatagramAnalyzer> analyzer_;
  bool gave_up_ = false;
  int tries_ = 0;
  PacketRef last_;
};

}  // namespace

const AnalyzerInfo* identify(uint8_t transport, uint16_t resp_port, std::span<const uint8_t> orig,
                             std::span<const uint8_t> resp, bool final_call) {
  const AnalyzerInfo* best = nullptr;
  int best_score = 0;
  for (const AnalyzerInfo* info : analyzers()) {
    if (info->transport != transport || !info->probe) continue;
    Match m = Match::kNo;
    if (!orig.empty()) m = std::max(m, info->probe(orig, Dir::kOrig));
    if (!resp.empty()) m = std::max(m, info->probe(resp, Dir::kResp));
    if (m == Match::kNo) continue;
    bool port = std::find(info->ports.begin(), info->ports.end(), resp_port) != info->ports.end();
    int score = (m == Match::kYes ? 4 : 2) + (port ? 1 : 0);
    if (score > best_score) {
      best = info;
      best_score = score;
    }
  }
  if (best_score >= 4 || (final_call && best_score >= 2)) return best;
  return nullptr;
}

AppLayer::AppLayer(RecordSink& sink, std::vector<std::string> file_names, AppLayerOptions options)
    : sink_(sink), names_(std::move(file_names)), options_(options) {
  for (const auto& n : names_) name_views_.push_back(n);
  budget_.limit = options_.max_buffered_total;
}

AppLayer::~AppLayer() = default;

std::unique_ptr<flow::FlowApp> AppLayer::create(const flow::FlowStart& start) {
  if (start.proto != kTcp && start.proto != kUdp) return nullptr;
  ++stats_.sessions;
  if (start.proto == kTcp) {
    std::string_view expected;
    if (!expected_.empty()) expected = expected_.match(start.orig_h, start.resp_h, start.resp_p, start.uid, start.ts_ns);
    return std::make_unique<LazyTcpSession>(*this, start, expected);
  }
  return std::make_unique<UdpSession>(*this, start);
}

}  // namespace trawl::proto
