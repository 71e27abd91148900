#include "flow/flow_table.h"

#include <absl/container/flat_hash_map.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstring>
#include <tuple>
#include <vector>

#include "flow/flow_app.h"
#include "flow/flow_key.h"
#include "flow/tcp_state.h"

namespace trawl::flow {

namespace {

constexpr uint32_t kNil = UINT32_MAX;
constexpr int64_t kExpiryIntervalNs = 1'000'000'000;  // look for expired flows once per capture second

// Each list keeps its flows in deadline order, so expiry only ever looks at list heads:
// attempt and closed flows by the time they entered (fixed delays), the others by last activity.
enum ListId : uint8_t { kAttempt, kClosed, kTcp, kUdp, kIcmp, kOther, kListCount, kNoList = 255 };

struct Flow {
  FlowKey key;
  IpAddress orig_h, resp_h;
  uint16_t orig_p = 0, resp_p = 0;
  uint16_t vlan = 0;
  uint8_t proto = 0;
  uint8_t list = kNoList;
  uint8_t nframes = 0;
  uint8_t orig_flags = 0;  // TCP flags of the originator's segments, ORed
  int64_t ts_first = 0, ts_last = 0;
  int64_t deadline = 0;  // capture time at which the flow ends unless its list changes
  uint64_t pkts[2] = {0, 0}, ip_bytes[2] = {0, 0}, bytes[2] = {0, 0};  // [0] originator, [1] responder
  uint32_t prev = kNil, next = kNil;
  History history;
  TcpConn tcp;
  FrameRef frames[ConnRecord::kFirstFrames];
  char uid[12];  // see make_uid
  std::unique_ptr<FlowApp> app;  // the application-layer session, when the factory attached one

  // A freed slot made ready for a new flow: what create() does not set is reset to its initial value
  // (cheaper than assigning a whole new Flow: the frames and the uid need no clearing).
  void reset() {
    list = kNoList;
    nframes = 0;
    orig_flags = 0;
    deadline = 0;
    for (int d = 0; d < 2; ++d) pkts[d] = ip_bytes[d] = bytes[d] = 0;
    prev = next = kNil;
    history = History{};
    tcp = TcpConn{};
    app.reset();
  }
};

// Two base62 digits per entry: 62^2 = 3844 pairs.
constexpr auto kBase62Pairs = [] {
  constexpr char kDigits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::array<char, 2 * 62 * 62> t{};
  for (int v = 0; v < 62 * 62; ++v) {
    t[2 * v] = kDigits[v / 62];
    t[2 * v + 1] = kDigits[v % 62];
  }
  return t;
}();

void make_uid(const FrameRef& first, char (&uid)[12]) {
  // splitmix64 of the first packet's position: stable across runs and thread counts.
  uint64_t x = (uint64_t(first.file_index) << 40) ^ first.frame;
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  x ^= x >> 31;
  // 'C' + 11 base62 digits (most significant first) hold any 64-bit value. They are written two at a
  // time, the low eight from x mod 62^8 split into two 32-bit halves (32-bit arithmetic is cheaper).
  constexpr uint32_t k62p2 = 62 * 62, k62p4 = k62p2 * k62p2;
  constexpr uint64_t k62p8 = uint64_t(k62p4) * k62p4;
  auto put4 = [&](uint32_t v, int at) {  // the 4 digits of v < 62^4 at uid[at..at+3]
    std::memcpy(uid + at, &kBase62Pairs[2 * (v / k62p2)], 2);
    std::memcpy(uid + at + 2, &kBase62Pairs[2 * (v % k62p2)], 2);
  };
  auto high = uint32_t(x / k62p8);  // < 2^64 / 62^8 < 62^3
  uint64_t low = x % k62p8;
  std::memcpy(uid, &kBase62Pairs[2 * (high / k62p2)], 2);  // the pair's first digit is overwritten by 'C'
  uid[0] = 'C';
  std::memcpy(uid + 2, &kBase62Pairs[2 * (high % k62p2)], 2);
  put4(uint32_t(low / k62p4), 4);
  put4(uint32_t(low % k62p4), 8);
}

bool is_icmp(uint8_t proto) { return proto == packet::kProtoIcmp || proto == packet::kProtoIcmp6; }

}  // namespace

struct FlowTable::Impl {
  Impl(FlowSink& s, FlowTimeouts t, FlowAppFactory* a) : sink(s), timeouts(t), apps(a) {}

  FlowSink& sink;
  FlowTimeouts timeouts;
  FlowAppFactory* apps;
  absl::flat_hash_map<FlowKey, uint32_t> index;  // key -> slot in slab
  std::vector<Flow> slab;
  std::vector<uint32_t> free_slots;
  struct List {
    uint32_t head = kNil, tail = kNil;
  } lists[kListCount];
  int64_t now = INT64_MIN;  // latest packet time seen (capture time never runs backwards here)
  int64_t next_expiry = INT64_MIN;

  int64_t timeout_of(uint8_t list) const {
    switch (list) {
      case kAttempt: return timeouts.tcp_attempt_ns;
      case kClosed: return timeouts.tcp_closed_ns;
      case kTcp: return timeouts.tcp_ns;
      case kUdp: return timeouts.udp_ns;
      case kIcmp: return timeouts.icmp_ns;
      default: return timeouts.other_ns;
    }
  }

  static uint8_t classify(const Flow& f) {
    if (f.proto == packet::kProtoTcp) {
      if (f.tcp.closed()) return kClosed;
      return f.tcp.attempt() ? kAttempt : kTcp;
    }
    if (f.proto == packet::kProtoUdp) return kUdp;
    return is_icmp(f.proto) ? kIcmp : kOther;
  }

  void unlink(uint32_t i) {
    Flow& f = slab[i];
    List& l = lists[f.list];
    if (f.prev != kNil) slab[f.prev].next = f.next;
    else l.head = f.next;
    if (f.next != kNil) slab[f.next].prev = f.prev;
    else l.tail = f.prev;
    f.prev = f.next = kNil;
    f.list = kNoList;
  }

  void push_back(uint32_t i, uint8_t list) {
    Flow& f = slab[i];
    List& l = lists[list];
    f.list = list;
    f.prev = l.tail;
    f.next = kNil;
    if (l.tail != kNil) slab[l.tail].next = i;
    else l.head = i;
    l.tail = i;
  }

  // After a packet: put the flow at the back of the list its state calls for, with a fresh deadline.
  // Attempt and closed flows keep the deadline they got when they entered (Zeek's fixed timers).
  void place(uint32_t i) {
    Flow& f = slab[i];
    uint8_t want = classify(f);
    if (want == f.list) {
      if (want == kAttempt || want == kClosed) return;
      unlink(i);
    } else if (f.list != kNoList) {
      unlink(i);
    }
    f.deadline = now + timeout_of(want);
    push_back(i, want);
  }

  uint32_t create(const PacketKey& pk, const packet::PacketView& v, const capture::RawPacket& raw, bool flip,
                  FlowStats& stats) {
    uint32_t i;
    if (!free_slots.empty()) {
      i = free_slots.back();
      free_slots.pop_back();
      slab[i].reset();
      // The next new flow takes the slot below: have it in cache by then (freed slots are cold).
      if (!free_slots.empty()) prefetch_lines(&slab[free_slots.back()], sizeof(Flow));
    } else {
      i = uint32_t(slab.size());
      slab.emplace_back();
    }
    Flow& f = slab[i];
    f.key = pk.key;
    f.orig_h = flip ? pk.dst : pk.src;
    f.resp_h = flip ? pk.src : pk.dst;
    f.orig_p = flip ? pk.dport : pk.sport;
    f.resp_p = flip ? pk.sport : pk.dport;
    f.vlan = v.vlan();
    f.proto = v.ip_proto;
    f.ts_first = f.ts_last = raw.ts_ns;
    if (flip) f.history.add('^');
    make_uid(FrameRef{raw.file_index, raw.frame}, f.uid);
    if (apps) {
      f.app = apps->create(FlowStart{f.orig_h, f.resp_h, f.orig_p, f.resp_p, f.proto,
                                     std::string_view(f.uid, sizeof f.uid), raw.ts_ns});
    }
    ++stats.flows_created;
    ++stats.flows_active;
    stats.flows_active_peak = std::max(stats.flows_active_peak, stats.flows_active);
    return i;
  }

  // Ends the flow in slot i at capture time end_ns: record to the sink, slot freed. The index entry is the
  // caller's business.
  void finish(uint32_t i, FlowStats& stats, int64_t end_ns) {
    if (ConnRecord* slot = sink.emplace_record()) {
      complete(i, end_ns, *slot);
      release(i, stats);
    } else {
      ConnRecord r;
      complete(i, end_ns, r);
      release(i, stats);
      sink.on_flow_end(std::move(r));
    }
  }

  void release(uint32_t i, FlowStats& stats) {
    Flow& f = slab[i];
    f.app.reset();
    if (f.list != kNoList) unlink(i);
    free_slots.push_back(i);
    --stats.flows_active;
  }

  // Fills r, a fresh record, with the flow in slot i and lets its application session complete it.
  void complete(uint32_t i, int64_t end_ns, ConnRecord& r) {
    Flow& f = slab[i];
    r.end_ns = end_ns;
    // r is fresh: its strings are empty, and append() is cheaper than assign() (which handles overlap).
    r.uid.append(f.uid, sizeof f.uid);
    r.ts_first_ns = f.ts_first;
    r.ts_last_ns = f.ts_last;
    r.orig_h = f.orig_h;
    r.resp_h = f.resp_h;
    r.orig_p = f.orig_p;
    r.resp_p = f.resp_p;
    r.proto = f.proto;
    r.vlan = f.vlan;
    r.orig_pkts = f.pkts[0];
    r.resp_pkts = f.pkts[1];
    r.orig_ip_bytes = f.ip_bytes[0];
    r.resp_ip_bytes = f.ip_bytes[1];
    r.orig_bytes = f.bytes[0];
    r.resp_bytes = f.bytes[1];
    r.history.append(f.history.view());
    r.orig_flags = f.orig_flags;
    if (f.proto == packet::kProtoTcp) {
      r.conn_state.append(f.tcp.conn_state(f.history.view(), f.bytes[0], f.bytes[1]));
      r.ended_by_timeout = !f.tcp.closed();
    } else if (f.proto == packet::kProtoUdp) {
      // Zeek's UDP rule; the originator always sent here (no port-based flip), so S0 or SF.
      r.conn_state.append(f.pkts[0] ? (f.pkts[1] ? "SF" : "S0") : (f.pkts[1] ? "SHR" : "OTH"));
      r.ended_by_timeout = true;
    } else {
      r.conn_state.append("OTH");  // Zeek's conn_state() for ICMP and other protocols
      r.ended_by_timeout = true;
    }
    if (!f.app) r.service = service_guess(f.proto, f.resp_p);  // an application session sets it from content
    r.first_frames.assign(f.frames, f.frames + f.nframes);
    if (f.app) f.app->on_end(r);
  }

  // On a large capture the flows ending now were last touched long ago: their memory is not in cache.
  // While flow i ends, fetch its index slot and the flows after it in its list (mostly the next to end).
  static void prefetch_lines(const void* p, size_t n) {
    for (size_t k = 0; k < n; k += 64) __builtin_prefetch(static_cast<const char*>(p) + k);
  }

  void prefetch_ahead(uint32_t i) const {
    const Flow& f = slab[i];
    index.prefetch(f.key);
    if (f.next == kNil) return;
    const Flow& n = slab[f.next];  // fetched one round ago
    if (n.app) prefetch_lines(n.app.get(), 128);
    if (n.next != kNil) prefetch_lines(&slab[n.next], sizeof(Flow));
  }

  // Ends every flow whose deadline has passed, earliest deadline first across the lists.
  void expire(FlowStats& stats) {
    for (;;) {
      uint32_t best = kNil;
      for (const List& l : lists) {
        if (l.head != kNil && slab[l.head].deadline <= now &&
            (best == kNil || slab[l.head].deadline < slab[best].deadline))
          best = l.head;
      }
      if (best == kNil) return;
      prefetch_ahead(best);
      FlowKey key = slab[best].key;
      finish(best, stats, slab[best].deadline);
      index.erase(key);
    }
  }
};

FlowTable::FlowTable(FlowSink& sink, FlowTimeouts timeouts, FlowAppFactory* apps)
    : impl_(std::make_unique<Impl>(sink, timeouts, apps)) {}

FlowTable::~FlowTable() = default;

size_t FlowTable::active() const { return impl_->index.size(); }

void FlowTable::add(const packet::PacketView& v, const capture::RawPacket& raw) {
  Impl& m = *impl_;
  PacketKey pk;
  if (!make_packet_key(v, pk)) {
    ++stats_.non_flow;
    return;
  }
  ++stats_.packets;
  m.now = std::max(m.now, raw.ts_ns);
  if (m.now >= m.next_expiry) {
    m.expire(stats_);
    m.next_expiry = m.now + kExpiryIntervalNs;
  }

  const bool tcp = v.ip_proto == packet::kProtoTcp;
  TcpSegment seg;
  if (tcp) {
    seg.flags = v.tcp_flags;
    seg.seq = v.tcp_seq;
    seg.ack = v.tcp_ack;
    seg.window = v.tcp_window;
    seg.len = v.payload_wire_len;
  }

  auto [it, inserted] = m.index.try_emplace(pk.key, kNil);
  uint32_t i = it->second;
  bool is_orig = true;
  if (!inserted) {
    const Flow& f = m.slab[i];
    int64_t end_ns = f.deadline;
    bool ended = m.now >= f.deadline;  // expired, the periodic sweep just has not come round yet
    if (!ended && tcp && f.tcp.is_reuse(seg)) {
      ended = true;
      end_ns = m.now;
      ++stats_.flows_reused;
    }
    if (ended) {
      m.finish(i, stats_, end_ns);
      i = kNil;
    } else {
      is_orig = pk.src == f.orig_h && pk.sport == f.orig_p;
    }
  }
  if (i == kNil) {
    // A pure SYN/ACK opening a flow: its receiver is the originator (Zeek's '^' flip).
    constexpr uint8_t kMask = packet::kSyn | packet::kAck | packet::kFin | packet::kRst;
    bool flip = tcp && (v.tcp_flags & kMask) == (packet::kSyn | packet::kAck);
    i = m.create(pk, v, raw, flip, stats_);
    it->second = i;  // finish() and create() leave the index alone, so `it` is still valid
    is_orig = !flip;
  }

  Flow& f = m.slab[i];
  const int d = is_orig ? 0 : 1;
  ++f.pkts[d];
  f.ip_bytes[d] += v.ip_len;
  f.bytes[d] += v.payload_wire_len;
  if (f.nframes < ConnRecord::kFirstFrames) f.frames[f.nframes++] = FrameRef{raw.file_index, raw.frame};
  bool touch = true;
  if (tcp) {
    touch = f.tcp.process(seg, is_orig, f.history);
    if (is_orig) f.orig_flags |= seg.flags;
  }
  else if (f.proto == packet::kProtoUdp) f.history.check(is_orig ? 0x1 : 0x2, is_orig ? 'D' : 'd');
  if (touch && raw.ts_ns > f.ts_last) f.ts_last = raw.ts_ns;
  m.place(i);
  if (f.app) f.app->on_packet(v, raw, is_orig);
}

void FlowTable::advance(int64_t now_ns) {
  Impl& m = *impl_;
  m.now = std::max(m.now, now_ns);
  m.expire(stats_);
  m.next_expiry = m.now + kExpiryIntervalNs;
}

void FlowTable::flush() {
  Impl& m = *impl_;
  std::vector<uint32_t> live;
  live.reserve(m.index.size());
  for (const auto& [key, i] : m.index) live.push_back(i);
  // By first packet: a property of the flow alone, so the order is the same however flows are sharded.
  std::sort(live.begin(), live.end(), [&](uint32_t a, uint32_t b) {
    const Flow &x = m.slab[a], &y = m.slab[b];
    return std::tie(x.ts_first, x.frames[0].file_index, x.frames[0].frame) <
           std::tie(y.ts_first, y.frames[0].file_index, y.frames[0].frame);
  });
  for (uint32_t i : live) m.finish(i, stats_, kEndOfInput);
  m.index.clear();
  m.slab.clear();
  m.free_slots.clear();
  for (auto& l : m.lists) l = {};
}

uint64_t flow_shard_hash(const packet::PacketView& view) {
  PacketKey pk;
  if (!make_packet_key(view, pk)) return 0;  // not a flow packet: any worker will do
  return stable_hash(pk.key);
}

}  // namespace trawl::flow
