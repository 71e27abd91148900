#include "flow/tcp_reassembler.h"

#include <algorithm>

namespace trawl::flow {

namespace {
uint64_t count_differences(const uint8_t* a, const uint8_t* b, uint64_t n) {
  uint64_t diff = 0;
  for (uint64_t i = 0; i < n; ++i) diff += a[i] != b[i];
  return diff;
}
}  // namespace

TcpReassembler::TcpReassembler(ReassemblyBudget& budget, Limits limits) : budget_(budget), limits_(limits) {}

TcpReassembler::~TcpReassembler() { budget_.used -= buffered_; }

void TcpReassembler::add(uint32_t seq, bool syn, bool fin, std::span<const uint8_t> payload, uint32_t announced_len,
                         const SegmentOrigin& at, StreamConsumer& consumer) {
  // A payload longer than announced cannot happen with a sane caller; trust the bytes we hold.
  const uint64_t len = std::max<uint64_t>(announced_len, payload.size());
  if (!started_) {
    if (syn) {
      base_ = seq + 1;  // the SYN takes one sequence number
    } else if (len > 0 || fin) {
      base_ = seq;  // mid-stream pickup
    } else {
      return;  // a bare ACK anchors nothing (it may be a keep-alive one byte early)
    }
    started_ = true;
  }
  const uint32_t data_seq = syn ? seq + 1 : seq;
  // The common case: in order, nothing held, no FIN: straight from the packet's bytes.
  if (data_seq == seq_of(next_) && pending_.empty() && !fin && !fin_known_) {
    if (!payload.empty()) emit_data(payload, at, consumer);
    if (len > payload.size()) emit_gap(len - payload.size(), at, consumer);
    next_ += len;
    return;
  }
  if (len == 0 && !fin) return;  // a bare ACK or keep-alive probe carries nothing to place
  const int64_t rel = int32_t(data_seq - seq_of(next_));
  if (rel > kFarAhead) {
    ++stats_.far_segments;
    return;
  }
  add_slow(int64_t(next_) + rel, payload, len, fin, at, consumer);
}

void TcpReassembler::add_slow(int64_t off, std::span<const uint8_t> payload, uint64_t len, bool fin,
                              const SegmentOrigin& at, StreamConsumer& consumer) {
  const int64_t end = off + int64_t(len);
  if (fin && end >= 0) set_fin(uint64_t(end));
  if (off < 0) {  // starts before the initial sequence number: an old retransmission
    const uint64_t cut = std::min<uint64_t>(uint64_t(-off), len);
    stats_.before_start += cut;
    payload = payload.subspan(std::min<uint64_t>(cut, payload.size()));
    len -= cut;
    off += int64_t(cut);
    if (len == 0) return;
  }
  uint64_t uoff = uint64_t(off);
  uint64_t uend = uoff + len;
  if (fin_known_ && uend > fin_off_) {
    const uint64_t past = uend - std::max(uoff, fin_off_);
    stats_.after_fin += past;
    uend -= past;
    if (uend <= uoff) return;
    payload = payload.first(std::min<uint64_t>(payload.size(), uend - uoff));
  }

  bool hit = false;
  for (;;) {
    if (uoff < next_) {  // already delivered (or reported missing): a retransmission
      const uint64_t dup = std::min(uend, next_) - uoff;
      stats_.overlaps += dup;
      payload = payload.subspan(std::min<uint64_t>(dup, payload.size()));
      uoff += dup;
    }
    if (uoff >= uend) return;
    if (uoff == next_) {
      deliver_in_order(uoff, payload, uend, at, consumer);
      return;
    }
    uint64_t bytes = 0, pieces = 0;
    measure(uoff, uoff + payload.size(), uend, bytes, pieces);
    const bool over_flow = buffered_ + bytes > limits_.max_buffered || pending_.size() + pieces > limits_.max_segments;
    const bool over_budget = budget_.used + bytes > budget_.limit;
    if (!over_flow && !over_budget) {
      insert(uoff, payload, uend);
      return;
    }
    // A limit is hit: skip the first hole (before what is held, or before this segment) and go on.
    if (!hit) {
      hit = true;
      ++stats_.limit_hits;
      if (over_budget) ++budget_.limit_hits;
    }
    if (!pending_.empty() && pending_.front().off < uoff) {
      skip_to(pending_.front().off, at, consumer);
    } else {
      skip_to(uoff, at, consumer);
    }
  }
}

void TcpReassembler::set_fin(uint64_t fin_off) {
  // The first FIN defines the end; one before bytes already delivered is bogus.
  if (fin_known_ || fin_off < next_) return;
  fin_known_ = true;
  fin_off_ = fin_off;
  while (!pending_.empty() && pending_.back().end() > fin_off) {
    Pending& p = pending_.back();
    if (p.off >= fin_off) {
      stats_.after_fin += p.len;
      release(p.bytes.size());
      pending_.pop_back();
      continue;
    }
    const uint64_t cut = p.end() - fin_off;
    stats_.after_fin += cut;
    if (!p.missing) {
      p.bytes.resize(p.len - cut);
      release(cut);
    }
    p.len -= cut;
    break;
  }
}

void TcpReassembler::deliver_in_order(uint64_t off, std::span<const uint8_t> captured, uint64_t end,
                                      const SegmentOrigin& at, StreamConsumer& consumer) {
  const uint64_t cap_end = off + captured.size();
  while (next_ < end) {
    if (!pending_.empty() && pending_.front().off == next_) {
      // A first copy is held for these bytes: it wins; count (and compare) this copy as an overlap.
      const Pending& p = pending_.front();
      const uint64_t ov_end = std::min(p.end(), end);
      stats_.overlaps += ov_end - next_;
      const uint64_t cmp_end = std::min(ov_end, cap_end);
      if (!p.missing && cmp_end > next_) {
        stats_.overlap_conflicts += count_differences(p.bytes.data(), captured.data() + (next_ - off), cmp_end - next_);
      }
      drain(at, consumer);
      continue;
    }
    const uint64_t piece_end = pending_.empty() ? end : std::min(end, pending_.front().off);
    if (next_ < cap_end) {
      const uint64_t e = std::min(piece_end, cap_end);
      emit_data(captured.subspan(next_ - off, e - next_), at, consumer);
      next_ = e;
    }
    if (next_ < piece_end) {  // cut by the snaplen
      emit_gap(piece_end - next_, at, consumer);
      next_ = piece_end;
    }
  }
  drain(at, consumer);
}

void TcpReassembler::measure(uint64_t off, uint64_t cap_end, uint64_t end, uint64_t& bytes, uint64_t& pieces) const {
  auto it = std::partition_point(pending_.begin(), pending_.end(), [off](const Pending& p) { return p.end() <= off; });
  // The piece just before the current position, to know whether a new piece merges into it.
  bool prev_valid = it != pending_.begin();
  uint64_t prev_end = prev_valid ? std::prev(it)->end() : 0;
  bool prev_missing = prev_valid ? std::prev(it)->missing : false;
  uint64_t cur = off;
  auto add_piece = [&](uint64_t from, uint64_t to, bool missing) {
    if (!(prev_valid && prev_end == from && prev_missing == missing)) ++pieces;
    if (!missing) bytes += to - from;
    prev_valid = true;
    prev_end = to;
    prev_missing = missing;
  };
  while (cur < end) {
    if (it != pending_.end() && it->off <= cur) {
      cur = std::min(it->end(), end);
      prev_valid = true;
      prev_end = it->end();
      prev_missing = it->missing;
      ++it;
      continue;
    }
    const uint64_t hole_end = it == pending_.end() ? end : std::min(end, it->off);
    if (cur < cap_end) {
      const uint64_t e = std::min(hole_end, cap_end);
      add_piece(cur, e, false);
      cur = e;
    }
    if (cur < hole_end) {
      add_piece(cur, hole_end, true);
      cur = hole_end;
    }
  }
}

void TcpReassembler::insert(uint64_t off, std::span<const uint8_t> captured, uint64_t end) {
  const uint64_t cap_end = off + captured.size();
  auto it = std::partition_point(pending_.begin(), pending_.end(), [off](const Pending& p) { return p.end() <= off; });
  // Adds [from, to) before `it`, merged into the previous piece when adjacent and of the same kind.
  // Returns the iterator to the piece that was at `it`.
  auto add_piece = [&](std::vector<Pending>::iterator pos, uint64_t from, uint64_t to, bool missing) {
    const uint64_t n = to - from;
    if (!missing) {
      buffered_ += n;
      budget_.used += n;
    }
    if (pos != pending_.begin()) {
      Pending& prev = *std::prev(pos);
      if (prev.end() == from && prev.missing == missing) {
        if (!missing) prev.bytes.insert(prev.bytes.end(), captured.data() + (from - off), captured.data() + (to - off));
        prev.len += n;
        return pos;
      }
    }
    Pending p;
    p.off = from;
    p.len = n;
    p.missing = missing;
    if (!missing) p.bytes.assign(captured.data() + (from - off), captured.data() + (to - off));
    pos = pending_.insert(pos, std::move(p));
    return pos + 1;
  };
  uint64_t cur = off;
  while (cur < end) {
    if (it != pending_.end() && it->off <= cur) {
      const uint64_t e = std::min(it->end(), end);
      stats_.overlaps += e - cur;
      const uint64_t cmp_end = std::min(e, cap_end);
      if (!it->missing && cmp_end > cur) {
        stats_.overlap_conflicts +=
            count_differences(it->bytes.data() + (cur - it->off), captured.data() + (cur - off), cmp_end - cur);
      }
      cur = e;
      ++it;
      continue;
    }
    const uint64_t hole_end = it == pending_.end() ? end : std::min(end, it->off);
    if (cur < cap_end) {
      const uint64_t e = std::min(hole_end, cap_end);
      it = add_piece(it, cur, e, false);
      cur = e;
    }
    if (cur < hole_end) {
      it = add_piece(it, cur, hole_end, true);
      cur = hole_end;
    }
  }
}

void TcpReassembler::skip_to(uint64_t off, const SegmentOrigin& at, StreamConsumer& consumer) {
  if (off > next_) {
    emit_gap(off - next_, at, consumer);
    next_ = off;
  }
  drain(at, consumer);
}

void TcpReassembler::drain(const SegmentOrigin& at, StreamConsumer& consumer) {
  size_t n = 0;
  while (n < pending_.size() && pending_[n].off == next_) {
    const Pending& p = pending_[n];
    if (p.missing) {
      emit_gap(p.len, at, consumer);
    } else {
      emit_data(p.bytes, at, consumer);
      release(p.bytes.size());
    }
    next_ = p.end();
    ++n;
  }
  if (n) pending_.erase(pending_.begin(), pending_.begin() + ptrdiff_t(n));
}

void TcpReassembler::acked(uint32_t ack, const SegmentOrigin& at, StreamConsumer& consumer) {
  if (!started_) return;
  const int64_t rel = int32_t(ack - seq_of(next_));
  if (rel <= 0 || rel > kFarAhead) return;
  uint64_t ack_off = next_ + uint64_t(rel);
  if (fin_known_) ack_off = std::min(ack_off, fin_off_);  // the FIN's own sequence number is no data
  while (next_ < ack_off) {
    if (!pending_.empty() && pending_.front().off < ack_off) {
      skip_to(pending_.front().off, at, consumer);
    } else {
      skip_to(ack_off, at, consumer);
    }
  }
}

void TcpReassembler::flush(const SegmentOrigin& at, StreamConsumer& consumer) {
  while (!pending_.empty()) skip_to(pending_.front().off, at, consumer);
  if (fin_known_ && next_ < fin_off_) skip_to(fin_off_, at, consumer);
}

void TcpReassembler::emit_data(std::span<const uint8_t> bytes, const SegmentOrigin& at, StreamConsumer& consumer) {
  stats_.delivered += bytes.size();
  consumer.on_data(bytes, at);
}

void TcpReassembler::emit_gap(uint64_t bytes, const SegmentOrigin& at, StreamConsumer& consumer) {
  stats_.missing += bytes;
  consumer.on_gap(bytes, at);
}

void TcpReassembler::release(uint64_t bytes) {
  buffered_ -= bytes;
  budget_.used -= bytes;
}

}  // namespace trawl::flow
