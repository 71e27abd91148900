// TCP connection tracking as Zeek does it, to give the same conn_state and history letters.
//
// Written after Zeek's TCP analyzer (src/packet_analysis/protocol/tcp/TCPSessionAdapter.cc: init_endpoint,
// update_history, update_window, update_last_seq, UpdateStateMachine, ConnectionClosed, IsReuse), its
// TCP_Endpoint (src/analyzer/protocol/tcp/TCP_Endpoint.cc: CheckHistory, DidRxmit, ZeroWindow), Conn.cc
// (ScaledHistoryEntry) and conn_state() in scripts/base/protocols/conn/main.zeek. Not ported: the
// mid-connection role flip of a SYN answering a SYN/ACK (a new flow whose first packet is a SYN/ACK is
// flipped at creation instead, see FlowTable), checksums ('C'), content gaps ('G'), weirds.
#pragma once

#include <cstdint>
#include <string_view>

namespace trawl::flow {

// Zeek's history string, kept in a fixed buffer while the flow lives (no allocation per packet).
class History {
 public:
  // Longer histories need a pathological flow (hundreds of distinct RSTs); letters past this are dropped.
  static constexpr size_t kCapacity = 46;

  void add(char c) {
    if (len_ < kCapacity) buf_[len_++] = c;
  }
  // Zeek's Connection::CheckHistory: records code the first time mask is seen; true if seen before.
  bool check(uint32_t mask, char code) {
    if (seen_ & mask) return true;
    seen_ |= mask;
    add(code);
    return false;
  }
  std::string_view view() const { return {buf_, len_}; }
  bool seen(uint32_t mask) const { return seen_ & mask; }

 private:
  uint32_t seen_ = 0;
  uint8_t len_ = 0;
  char buf_[kCapacity] = {};
};

// Letters recorded "in a logarithmic fashion" (Zeek's ScaledHistoryEntry): at the 1st, 10th, 100th ... event.
struct ScaledCounter {
  uint32_t count = 0;
  uint32_t threshold = 1;
  void hit(History& h, char code) {
    if (++count != threshold) return;
    h.add(code);
    uint32_t next = threshold * 10;
    if (next <= threshold) count = 0;  // wrapped: keep the threshold
    else threshold = next;
  }
};

// Zeek's TCP endpoint states (the TCP_* constants conn_state() tests).
enum class TcpState : uint8_t { kInactive, kSynSent, kSynAckSent, kPartial, kEstablished, kClosed, kReset };

struct TcpEndpoint {
  TcpState state = TcpState::kInactive;
  TcpState prev_state = TcpState::kInactive;
  bool did_close = false;    // sent a FIN or RST that closed its side
  uint32_t start_seq = 0;    // initial sequence number (or the one before the first seen, when partial)
  uint32_t last_seq = 0;     // highest sequence number sent + 1: below it, new payload is a retransmission
  uint32_t last_syn = 0, last_fin = 0, last_rst = 0;  // seq of the last S/H, F, R (repeat only if different)
  ScaledCounter rxmit, zero_window;

  void set_state(TcpState s) {
    if (s != state) {
      prev_state = state;
      state = s;
    }
  }
};

struct TcpSegment {
  uint8_t flags = 0;
  uint32_t seq = 0, ack = 0;
  uint16_t window = 0;
  uint32_t len = 0;  // payload length the IP/TCP headers announce
};

class TcpConn {
 public:
  // Accounts one segment (Zeek's TCPSessionAdapter::Process). Returns whether it may advance the flow's
  // last-activity time (false once both sides have closed, as Zeek's SetLastTime is skipped then).
  bool process(const TcpSegment& seg, bool is_orig, History& history);

  // Zeek's IsReuse: a SYN on this connection that starts a new one instead (after a close or RST, or
  // with a different initial sequence number).
  bool is_reuse(const TcpSegment& seg) const;

  // conn_state as scripts/base/protocols/conn/main.zeek computes it. orig_bytes/resp_bytes stand in for
  // Zeek's endpoint sizes (which it derives from sequence numbers).
  std::string_view conn_state(std::string_view history, uint64_t orig_bytes, uint64_t resp_bytes) const;

  // Both sides closed, or a RST, or a FIN with a silent peer: Zeek then deletes the connection after
  // tcp_close_delay.
  bool closed() const { return close_complete_; }
  // Zeek's connection attempt: the originator sent a SYN (AttemptTimer armed) and the responder is silent.
  bool attempt() const {
    return attempt_timer_ && (ep_[0].state == TcpState::kSynSent || ep_[0].state == TcpState::kSynAckSent) &&
           ep_[1].state == TcpState::kInactive;
  }

  const TcpEndpoint& orig() const { return ep_[0]; }
  const TcpEndpoint& resp() const { return ep_[1]; }

 private:
  bool update_state(TcpEndpoint& ep, TcpEndpoint& peer, const TcpSegment& seg, bool is_orig);
  void connection_closed(TcpEndpoint& ep, TcpEndpoint& peer);

  TcpEndpoint ep_[2];  // [0] originator, [1] responder
  bool close_complete_ = false;
  bool attempt_timer_ = false;
};

}  // namespace trawl::flow
