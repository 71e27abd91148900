#include "flow/tcp_state.h"

#include "packet/packet_view.h"

namespace trawl::flow {

namespace {

// Zeek's HIST_* bits (Conn.h); the responder's are shifted by 16 (TCP_Endpoint::CheckHistory).
constexpr uint32_t kHistSyn = 0x1, kHistFin = 0x2, kHistRst = 0x4, kHistFinRst = 0x8, kHistData = 0x10,
                   kHistAck = 0x20, kHistMultiFlag = 0x40;

// Zeek ignores SYN/RST sequence numbers that jump further than this (TOO_LARGE_SEQ_DELTA).
constexpr int32_t kTooLargeSeqDelta = 1048576;

}  // namespace

bool TcpConn::process(const TcpSegment& s, bool is_orig, History& h) {
  TcpEndpoint& ep = ep_[is_orig ? 0 : 1];
  TcpEndpoint& peer = ep_[is_orig ? 1 : 0];
  const bool syn = s.flags & packet::kSyn, fin = s.flags & packet::kFin, rst = s.flags & packet::kRst,
             ack = s.flags & packet::kAck;
  // Sequence space the segment covers: SYN and FIN count one each; a RST's payload is not stream data.
  uint32_t seg_len = s.len + syn + fin;
  if (rst) seg_len -= s.len;
  const uint32_t end_seq = s.seq + seg_len;

  // init_endpoint: learn the initial sequence number (as if a SYN preceded a partial connection).
  switch (ep.state) {
    case TcpState::kInactive:
      if (syn) {
        ep.start_seq = s.seq;
        ep.last_seq = end_seq;
      } else {
        ep.start_seq = s.seq - 1;
        ep.last_seq = s.seq;  // so the first segment is not taken for a retransmission
      }
      break;
    case TcpState::kSynSent:
    case TcpState::kSynAckSent:
      if (syn && s.seq != ep.start_seq) {
        ep.start_seq = s.seq;
        ep.last_seq = end_seq;
      }
      break;
    case TcpState::kEstablished:
    case TcpState::kPartial:
      if (syn) {
        ep.start_seq = s.seq;
        ep.last_seq = end_seq;
      }
      break;
    case TcpState::kReset:
      if (syn && ep.prev_state == TcpState::kInactive) {
        ep.start_seq = s.seq;
        ep.last_seq = end_seq;
      }
      break;
    case TcpState::kClosed:
      break;
  }

  // update_history. Zeek compares relative sequence numbers; raw ones differ from them only by the
  // (fixed) initial sequence number, so the "repeat only if the seq differs" rule gives the same letters.
  const uint32_t shift = is_orig ? 0 : 16;
  auto letter = [is_orig](char c) { return is_orig ? c : char(c - 'A' + 'a'); };
  const int bits = int(syn) + int(fin) + int(rst);
  if (bits > 1) {
    if (fin && rst) h.check(kHistFinRst << shift, letter('I'));
    else h.check(kHistMultiFlag << shift, letter('Q'));
  } else if (bits == 1) {
    if (syn) {
      char c = letter(ack ? 'H' : 'S');
      if (h.check(kHistSyn << shift, c) && s.seq != ep.last_syn) h.add(c);
      ep.last_syn = s.seq;
    }
    if (fin) {
      uint32_t fin_seq = s.seq + s.len;  // a FIN's sequence number comes after its data
      if (h.check(kHistFin << shift, letter('F')) && fin_seq != ep.last_fin) h.add(letter('F'));
      ep.last_fin = fin_seq;
    }
    if (rst) {
      if (h.check(kHistRst << shift, letter('R')) && s.seq != ep.last_rst) h.add(letter('R'));
      ep.last_rst = s.seq;
    }
  } else if (s.len) {
    h.check(kHistData << shift, letter('D'));
  } else if (ack) {
    h.check(kHistAck << shift, letter('A'));
  }

  // update_window: a zero window is interesting unless it comes with or after a RST, or after the peer's FIN.
  if (s.window == 0 && !rst && peer.state != TcpState::kClosed && ep.state != TcpState::kReset)
    ep.zero_window.hit(h, letter('W'));

  const bool touch = !(ep_[0].did_close && ep_[1].did_close);

  // init_peer: an ACK tells the silent peer's sequence numbers.
  if (ack && peer.state == TcpState::kInactive) {
    peer.start_seq = s.ack - 1;
    peer.last_seq = s.ack - 1;
  }

  // update_last_seq: payload at or below the highest sequence number already sent is a retransmission.
  const int32_t delta = int32_t(end_seq - ep.last_seq);
  if ((syn || rst) && (delta > kTooLargeSeqDelta || delta < -kTooLargeSeqDelta)) {
    // untrusted jump
  } else if (fin && ep.last_seq == ep.start_seq + 1) {
    ep.last_seq = end_seq;  // > 2 GB connections where only the SYN and FIN were seen
  } else if (ep.state == TcpState::kReset) {
    // no sequence numbers are trusted after a RST
  } else if (delta > 0) {
    ep.last_seq = end_seq;
  } else if (s.len > 0) {
    ep.rxmit.hit(h, letter('T'));
  }

  if (update_state(ep, peer, s, is_orig)) connection_closed(ep, peer);
  return touch;
}

bool TcpConn::update_state(TcpEndpoint& ep, TcpEndpoint& peer, const TcpSegment& s, bool is_orig) {
  const bool syn = s.flags & packet::kSyn, fin = s.flags & packet::kFin, rst = s.flags & packet::kRst,
             ack = s.flags & packet::kAck;
  bool do_close = false;
  switch (ep.state) {
    case TcpState::kInactive:
      if (syn) {
        if (is_orig) {
          ep.set_state(ack ? TcpState::kSynAckSent : TcpState::kSynSent);
          attempt_timer_ = true;
        } else {
          if (peer.state == TcpState::kSynSent) peer.set_state(TcpState::kEstablished);
          ep.set_state(TcpState::kEstablished);
        }
      }
      if (fin) {
        ep.set_state(TcpState::kClosed);
        do_close = true;
      }
      if (rst) {
        ep.set_state(TcpState::kReset);
        do_close = true;
      }
      if (ep.state == TcpState::kInactive) {
        if (!is_orig && s.len == 0 && ep_[0].state == TcpState::kSynSent) {
          // some stacks ACK a SYN before answering it: not a partial connection
        } else if (ack && peer.state == TcpState::kEstablished) {
          ep.set_state(TcpState::kEstablished);  // the SYN was missed but the SYN/ACK was not
        } else {
          ep.set_state(TcpState::kPartial);
        }
      }
      break;
    case TcpState::kSynSent:
    case TcpState::kSynAckSent:
      if (fin) {
        ep.set_state(TcpState::kClosed);
        do_close = true;
      }
      if (rst) {
        ep.set_state(TcpState::kReset);
        do_close = true;
      }
      break;
    case TcpState::kEstablished:
    case TcpState::kPartial:
      if (syn && ep.state == TcpState::kPartial && peer.state == TcpState::kInactive && !ack)
        ep.set_state(TcpState::kSynSent);
      if (fin && !rst) {
        ep.set_state(TcpState::kClosed);
        // the peer's FIN followed by RST was a normal termination after all
        if (peer.state == TcpState::kReset && peer.prev_state == TcpState::kClosed) peer.set_state(TcpState::kClosed);
        do_close = true;
      }
      if (rst) {
        ep.set_state(TcpState::kReset);
        do_close = true;
      }
      break;
    case TcpState::kClosed:
      // A RST after our FIN, unless the FIN exchange was already complete.
      if (rst && peer.state != TcpState::kClosed) {
        ep.set_state(TcpState::kReset);
        if (!ep.did_close) do_close = true;
        close_complete_ = true;  // Zeek's ResetTimer removes the connection tcp_reset_delay later
      }
      break;
    case TcpState::kReset:
      break;
  }
  return do_close;
}

void TcpConn::connection_closed(TcpEndpoint& ep, TcpEndpoint& peer) {
  if (ep.did_close) return;
  ep.did_close = true;
  if (ep.state == TcpState::kReset || peer.did_close || peer.state == TcpState::kInactive) close_complete_ = true;
}

bool TcpConn::is_reuse(const TcpSegment& s) const {
  if (!(s.flags & packet::kSyn)) return false;
  const TcpEndpoint* conn_orig = &ep_[0];
  if (s.flags & packet::kAck) {
    if (ep_[0].state != TcpState::kInactive) return false;  // a SYN/ACK only restarts a half connection
    conn_orig = &ep_[1];
  }
  if (!ep_[0].did_close && !ep_[1].did_close) {
    if (s.seq == conn_orig->start_seq) return false;  // retransmitted SYN
    if (!(s.flags & packet::kAck) && conn_orig->state == TcpState::kSynAckSent &&
        ep_[1].state == TcpState::kInactive && s.seq == ep_[1].start_seq)
      return false;  // SYN and SYN/ACK seen in swapped order
  }
  return true;
}

namespace {

// The history regex of Zeek's RSTOS0 test, /\^?S[^HAFGIQ]*R.*/, matched against the whole string.
bool rstos0_history(std::string_view h) {
  size_t i = 0;
  if (i < h.size() && h[i] == '^') ++i;
  if (i >= h.size() || h[i] != 'S') return false;
  for (++i; i < h.size(); ++i) {
    char c = h[i];
    if (c == 'R') return true;
    if (c == 'H' || c == 'A' || c == 'F' || c == 'G' || c == 'I' || c == 'Q') return false;
  }
  return false;
}

}  // namespace

std::string_view TcpConn::conn_state(std::string_view history, uint64_t orig_bytes, uint64_t resp_bytes) const {
  const TcpState os = ep_[0].state, rs = ep_[1].state;
  const bool o_inactive = os == TcpState::kInactive || os == TcpState::kPartial;
  const bool r_inactive = rs == TcpState::kInactive || rs == TcpState::kPartial;
  if (rs == TcpState::kReset) {
    if (os == TcpState::kSynSent || os == TcpState::kSynAckSent ||
        (os == TcpState::kReset && orig_bytes == 0 && resp_bytes == 0))
      return "REJ";
    return o_inactive ? "RSTRH" : "RSTR";
  }
  if (os == TcpState::kReset) {
    if (r_inactive) return rstos0_history(history) ? "RSTOS0" : "OTH";
    return "RSTO";
  }
  if (rs == TcpState::kClosed && os == TcpState::kClosed) return "SF";
  if (os == TcpState::kClosed) return r_inactive ? "SH" : "S2";
  if (rs == TcpState::kClosed) return o_inactive ? "SHR" : "S3";
  if (os == TcpState::kSynSent && rs == TcpState::kInactive) return "S0";
  if (os == TcpState::kEstablished && rs == TcpState::kEstablished) return "S1";
  return "OTH";
}

}  // namespace trawl::flow
