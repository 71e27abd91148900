// FlowTable on hand-built PacketViews: every conn_state with the history Zeek gives for the same packets.
//
// Expected values were derived by hand from Zeek's rules (scripts/base/protocols/conn/main.zeek and the TCP
// analyzer), not from this code. The conn_state meanings quoted are Zeek's Conn::Info documentation.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "flow/flow_key.h"
#include "flow/flow_table.h"

namespace trawl::flow {
namespace {

using packet::PacketView;

constexpr uint8_t S = packet::kSyn, A = packet::kAck, F = packet::kFin, R = packet::kRst, P = packet::kPsh;
constexpr int64_t kSec = 1'000'000'000;

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

PacketView ip_view(const char* src, const char* dst, uint8_t proto) {
  PacketView v;
  v.l3 = ip(src).is_v4() ? packet::L3::kIpv4 : packet::L3::kIpv6;
  v.src = ip(src);
  v.dst = ip(dst);
  v.ip_proto = proto;
  v.l3_offset = 14;
  v.l4_offset = 34;
  v.ip_len = 20;
  return v;
}

PacketView tcp(const char* src, uint16_t sport, const char* dst, uint16_t dport, uint8_t flags, uint32_t seq,
               uint32_t ack, uint32_t len = 0, uint16_t window = 8192) {
  PacketView v = ip_view(src, dst, packet::kProtoTcp);
  v.sport = sport;
  v.dport = dport;
  v.tcp_flags = flags;
  v.tcp_seq = seq;
  v.tcp_ack = ack;
  v.tcp_window = window;
  v.ip_len = 40 + len;
  v.payload_len = v.payload_wire_len = len;
  return v;
}

PacketView udp(const char* src, uint16_t sport, const char* dst, uint16_t dport, uint32_t len) {
  PacketView v = ip_view(src, dst, packet::kProtoUdp);
  v.sport = sport;
  v.dport = dport;
  v.ip_len = 28 + len;
  v.payload_len = v.payload_wire_len = len;
  return v;
}

PacketView icmp(const char* src, const char* dst, uint8_t type, uint8_t code, uint16_t id = 0) {
  PacketView v = ip_view(src, dst, packet::kProtoIcmp);
  v.icmp_type = type;
  v.icmp_code = code;
  v.icmp_id = id;
  v.ip_len = 28 + 56;
  v.payload_len = v.payload_wire_len = 56;
  return v;
}

class FlowTableTest : public ::testing::Test {
 protected:
  struct Sink : FlowSink {
    std::vector<ConnRecord> records;
    void on_flow_end(ConnRecord&& r) override { records.push_back(std::move(r)); }
  };

  void make_table(FlowTimeouts t = {}) { table = std::make_unique<FlowTable>(sink, t); }

  // Feeds one packet dt after the previous one.
  void send(const PacketView& v, int64_t dt = kSec / 100) {
    now += dt;
    capture::RawPacket raw;
    raw.ts_ns = now;
    raw.file_index = 0;
    raw.frame = ++frame;
    table->add(v, raw);
  }

  // Client 10.0.0.1:40000 <-> server 10.0.0.2:80.
  void c(uint8_t flags, uint32_t seq, uint32_t ack, uint32_t len = 0, uint16_t win = 8192) {
    send(tcp("10.0.0.1", 40000, "10.0.0.2", 80, flags, seq, ack, len, win));
  }
  void s(uint8_t flags, uint32_t seq, uint32_t ack, uint32_t len = 0, uint16_t win = 8192) {
    send(tcp("10.0.0.2", 80, "10.0.0.1", 40000, flags, seq, ack, len, win));
  }
  void handshake() {
    c(S, 100, 0);
    s(S | A, 500, 101);
    c(A, 101, 501);
  }

  const ConnRecord& only() {
    table->flush();
    EXPECT_EQ(sink.records.size(), 1u);
    return sink.records.at(0);
  }

  Sink sink;
  std::unique_ptr<FlowTable> table = std::make_unique<FlowTable>(sink);
  int64_t now = 1'600'000'000 * kSec;
  uint64_t frame = 0;
};

// SF: "Normal establishment and termination."
TEST_F(FlowTableTest, NormalConnectionIsSF) {
  handshake();
  c(P | A, 101, 501, 10);
  s(P | A, 501, 111, 20);
  c(A, 111, 521);
  c(F | A, 111, 521);
  s(F | A, 521, 112);
  int64_t last_fin = now;
  c(A, 112, 522, 0);  // after both FINs: in the history (already has 'A') but not in the duration
  const ConnRecord& r = only();
  EXPECT_EQ(r.conn_state, "SF");
  EXPECT_EQ(r.history, "ShADdFf");
  EXPECT_EQ(r.orig_h, ip("10.0.0.1"));
  EXPECT_EQ(r.orig_p, 40000);
  EXPECT_EQ(r.resp_h, ip("10.0.0.2"));
  EXPECT_EQ(r.resp_p, 80);
  EXPECT_EQ(r.proto, 6);
  EXPECT_EQ(r.orig_pkts, 6u);
  EXPECT_EQ(r.resp_pkts, 3u);
  EXPECT_EQ(r.orig_ip_bytes, 6u * 40 + 10);
  EXPECT_EQ(r.resp_ip_bytes, 3u * 40 + 20);
  EXPECT_EQ(r.orig_bytes, 10u);
  EXPECT_EQ(r.resp_bytes, 20u);
  EXPECT_EQ(r.ts_last_ns, last_fin);
  EXPECT_EQ(r.service, "http");
  EXPECT_FALSE(r.ended_by_timeout);
  EXPECT_EQ(r.uid.size(), 12u);
  EXPECT_EQ(r.uid[0], 'C');
  ASSERT_EQ(r.first_frames.size(), 9u);
  EXPECT_EQ(r.first_frames[0], (FrameRef{0, 1}));
}

// S0: "Connection attempt seen, no reply." A retransmitted SYN (same ISN) adds no letter.
TEST_F(FlowTableTest, UnansweredSynIsS0) {
  c(S, 100, 0);
  c(S, 100, 0, 0);
  const ConnRecord& r = only();
  EXPECT_EQ(r.conn_state, "S0");
  EXPECT_EQ(r.history, "S");
  EXPECT_EQ(r.orig_pkts, 2u);
  EXPECT_EQ(r.resp_pkts, 0u);
  EXPECT_TRUE(r.ended_by_timeout);
}

// Zeek's tcp_attempt_delay: an unanswered SYN ends 5 s after it; a later retransmission is a new flow.
TEST_F(FlowTableTest, AttemptTimesOutAfterFiveSeconds) {
  c(S, 100, 0);
  c(S, 100, 0, 0, 8192);
  now += kSec;
  c(S, 100, 0);  // at ~1 s and ~2 s: same attempt
  now += 4 * kSec;
  c(S, 100, 0);  // just over 5 s after the first: a new flow
  table->flush();
  ASSERT_EQ(sink.records.size(), 2u);
  EXPECT_EQ(sink.records[0].orig_pkts, 3u);
  EXPECT_EQ(sink.records[1].orig_pkts, 1u);
  EXPECT_EQ(sink.records[0].conn_state, "S0");
}

// REJ: "Connection attempt rejected."
TEST_F(FlowTableTest, RejectedIsREJ) {
  c(S, 100, 0);
  s(R | A, 0, 101);
  const ConnRecord& r = only();
  EXPECT_EQ(r.conn_state, "REJ");
  EXPECT_EQ(r.history, "Sr");
  EXPECT_FALSE(r.ended_by_timeout);
}

// S1: "Connection established, not terminated."
TEST_F(FlowTableTest, EstablishedIsS1) {
  handshake();
  const ConnRecord& r = only();
  EXPECT_EQ(r.conn_state, "S1");
  EXPECT_EQ(r.history, "ShA");
  EXPECT_TRUE(r.ended_by_timeout);
}

// S2: "Connection established and close attempt by originator seen (but no reply from responder)."
TEST_F(FlowTableTest, OriginatorCloseIsS2) {
  handshake();
  c(F | A, 101, 501);
  const ConnRecord& r = only();
  EXPECT_EQ(r.conn_state, "S2");
  EXPECT_EQ(r.history, "ShAF");
}

// S3: "Connection established and close attempt by responder seen (but no reply from originator)."
TEST_F(FlowTableTest, ResponderCloseIsS3) {
  handshake();
  s(F | A, 501, 101);
  const ConnRecord& r = only();
  EXPECT_EQ(r.conn_state, "S3");
  EXPECT_EQ(r.history, "ShAf");
}

// RSTO: "Connection established, originator aborted (sent a RST)."
TEST_F(FlowTableTest, OriginatorResetIsRSTO) {
  handshake();
  c(R | A, 101, 501);
  const ConnRecord& r = only();
  EXPECT_EQ(r.conn_state, "RSTO");
  EXPECT_EQ(r.history, "ShAR");
  EXPECT_FALSE(r.ended_by_timeout);
}

// RSTR: "Responder sent a RST." Repeated RSTs add a letter only when their sequence number differs.
TEST_F(FlowTableTest, ResponderResetsAreRSTRWithRepeatedLetters) {
  handshake();
  s(R, 501, 0);
  s(R, 501, 0);  // same seq: no new letter
  s(R, 700, 0);  // new seq: another 'r'
  const ConnRecord& r = only();
  EXPECT_EQ(r.conn_state, "RSTR");
  EXPECT_EQ(r.history, "ShArr");
  EXPECT_EQ(r.resp_pkts, 4u);
}

// RSTOS0: "Originator sent a SYN followed by a RST, we never saw a SYN-ACK from the responder."
TEST_F(FlowTableTest, SynThenResetIsRSTOS0) {
  c(S, 100, 0);
  c(R, 101, 0);
  const ConnRecord& r = only();
  EXPECT_EQ(r.conn_state, "RSTOS0");
  EXPECT_EQ(r.history, "SR");
}

// A lone SYN/ACK: its receiver is the originator and the history starts with Zeek's flip mark.
TEST_F(FlowTableTest, SynAckFirstFlipsRoles) {
  s(S | A, 500, 101);
  const ConnRecord& r = only();
  EXPECT_EQ(r.orig_h, ip("10.0.0.1"));
  EXPECT_EQ(r.orig_p, 40000);
  EXPECT_EQ(r.resp_h, ip("10.0.0.2"));
  EXPECT_EQ(r.resp_p, 80);
  EXPECT_EQ(r.history, "^h");
  EXPECT_EQ(r.conn_state, "OTH");
  EXPECT_EQ(r.orig_pkts, 0u);
  EXPECT_EQ(r.resp_pkts, 1u);
}

// RSTRH: "Responder sent a SYN ACK followed by a RST, we never saw a SYN from the (purported) originator."
TEST_F(FlowTableTest, SynAckThenResetIsRSTRH) {
  s(S | A, 500, 101);
  s(R, 501, 0);
  const ConnRecord& r = only();
  EXPECT_EQ(r.conn_state, "RSTRH");
  EXPECT_EQ(r.history, "^hr");
}

// SH: "Originator sent a SYN followed by a FIN, we never saw a SYN ACK from the responder."
TEST_F(FlowTableTest, SynThenFinIsSH) {
  c(S, 100, 0);
  c(F, 101, 0);
  const ConnRecord& r = only();
  EXPECT_EQ(r.conn_state, "SH");
  EXPECT_EQ(r.history, "SF");
}

// SHR: "Responder sent a SYN ACK followed by a FIN, we never saw a SYN from the originator."
TEST_F(FlowTableTest, SynAckThenFinIsSHR) {
  s(S | A, 500, 101);
  s(F | A, 501, 101);
  const ConnRecord& r = only();
  EXPECT_EQ(r.conn_state, "SHR");
  EXPECT_EQ(r.history, "^hf");
}

// OTH: "No SYN seen, just midstream traffic."
TEST_F(FlowTableTest, MidstreamIsOTH) {
  c(P | A, 1000, 2000, 100);
  s(A, 2000, 1100);
  const ConnRecord& r = only();
  EXPECT_EQ(r.conn_state, "OTH");
  EXPECT_EQ(r.history, "Da");
}

// Multi-flag letters are recorded once per side: SYN+FIN is 'Q', FIN+RST is 'I'.
TEST_F(FlowTableTest, MultiFlagPacketsAreQAndI) {
  c(S | F, 100, 0);
  s(F | R, 0, 0);
  s(F | R, 7, 0);  // 'I' is recorded once whatever the sequence number
  const ConnRecord& r = only();
  EXPECT_EQ(r.history, "Qi");
}

// 'T' needs the highest sequence number per direction; it is recorded at the 1st and 10th retransmission.
TEST_F(FlowTableTest, RetransmissionsAreLogarithmicT) {
  handshake();
  c(P | A, 101, 501, 10);
  for (int i = 0; i < 9; ++i) c(P | A, 101, 501, 10);
  s(A, 501, 111);
  c(P | A, 111, 501, 10);  // new data after the retransmissions: no letter
  c(P | A, 105, 501, 6);   // overlaps old data: retransmission number 10
  const ConnRecord& r = only();
  EXPECT_EQ(r.history, "ShADTaT");
  EXPECT_EQ(r.orig_bytes, 10u * 10 + 10 + 6);  // announced payload, retransmissions included
}

TEST_F(FlowTableTest, ZeroWindowIsW) {
  handshake();
  s(A, 501, 101, 0, 0);
  const ConnRecord& r = only();
  EXPECT_EQ(r.history, "ShAaw");
}

// A SYN on a closed connection starts a new one (Zeek's connection reuse), even inside the linger time.
TEST_F(FlowTableTest, SynAfterCloseStartsNewFlow) {
  handshake();
  c(F | A, 101, 501);
  s(F | A, 501, 102);
  c(A, 102, 502);
  c(S, 9000, 0);
  s(S | A, 7000, 9001);
  table->flush();
  ASSERT_EQ(sink.records.size(), 2u);
  EXPECT_EQ(sink.records[0].conn_state, "SF");
  EXPECT_EQ(sink.records[1].history, "Sh");
  EXPECT_EQ(sink.records[1].orig_pkts, 1u);
  EXPECT_EQ(table->stats().flows_reused, 1u);
  EXPECT_NE(sink.records[0].uid, sink.records[1].uid);
}

// ...and so does a SYN with a different initial sequence number on an open one; a retransmitted SYN doesn't.
TEST_F(FlowTableTest, SynWithNewIsnStartsNewFlow) {
  handshake();
  c(S, 100, 0);  // same ISN as the handshake: the same connection
  EXPECT_EQ(table->stats().flows_reused, 0u);
  now += 100 * kSec;
  c(S, 5555, 0);
  table->flush();
  ASSERT_EQ(sink.records.size(), 2u);
  EXPECT_EQ(sink.records[0].orig_pkts, 3u);
  EXPECT_EQ(sink.records[1].history, "S");
}

// A rejected attempt retried on the same ports gives one REJ per attempt, as in Zeek's pop3 baseline.
TEST_F(FlowTableTest, RetriedRejectsAreSeparateFlows) {
  c(S, 100, 0);
  s(R | A, 0, 101);
  c(S, 100, 0);
  s(R | A, 0, 101);
  table->flush();
  ASSERT_EQ(sink.records.size(), 2u);
  for (const auto& r : sink.records) {
    EXPECT_EQ(r.conn_state, "REJ");
    EXPECT_EQ(r.history, "Sr");
  }
}

// ICMP echo request and reply are one flow: orig_p = request type, resp_p = reply type (Zeek's counterpart).
// Like Zeek, the echo identifier is not in the key.
TEST_F(FlowTableTest, IcmpEchoPairsAreOneFlow) {
  send(icmp("10.0.0.1", "10.0.0.9", 8, 0, 7));
  send(icmp("10.0.0.9", "10.0.0.1", 0, 0, 7));
  send(icmp("10.0.0.1", "10.0.0.9", 8, 0, 8));
  const ConnRecord& r = only();
  EXPECT_EQ(r.orig_h, ip("10.0.0.1"));
  EXPECT_EQ(r.orig_p, 8);
  EXPECT_EQ(r.resp_p, 0);
  EXPECT_EQ(r.proto, 1);
  EXPECT_EQ(r.orig_pkts, 2u);
  EXPECT_EQ(r.resp_pkts, 1u);
  EXPECT_EQ(r.orig_bytes, 112u);
  EXPECT_EQ(r.conn_state, "OTH");  // Zeek's conn_state() is OTH for every non-TCP, non-UDP flow
  EXPECT_EQ(r.history, "");
  EXPECT_EQ(r.service, "");
}

TEST_F(FlowTableTest, IcmpV6EchoPairs) {
  PacketView req = icmp("2001:db8::1", "2001:db8::2", 128, 0);
  req.ip_proto = packet::kProtoIcmp6;
  PacketView rep = icmp("2001:db8::2", "2001:db8::1", 129, 0);
  rep.ip_proto = packet::kProtoIcmp6;
  send(req);
  send(rep);
  const ConnRecord& r = only();
  EXPECT_EQ(r.orig_p, 128);
  EXPECT_EQ(r.resp_p, 129);
  EXPECT_EQ(r.resp_pkts, 1u);
}

// One-way ICMP (errors) is keyed by (type, code) in the sender's direction only.
TEST_F(FlowTableTest, IcmpUnreachableKeyedByTypeAndCode) {
  send(icmp("10.0.0.254", "10.0.0.1", 3, 3));
  send(icmp("10.0.0.254", "10.0.0.1", 3, 3));
  send(icmp("10.0.0.254", "10.0.0.1", 3, 1));  // other code: other flow
  send(icmp("10.0.0.1", "10.0.0.254", 3, 3));  // other direction: other flow
  table->flush();
  ASSERT_EQ(sink.records.size(), 3u);
  EXPECT_EQ(sink.records[0].orig_p, 3);
  EXPECT_EQ(sink.records[0].resp_p, 3);
  EXPECT_EQ(sink.records[0].orig_pkts, 2u);
  EXPECT_EQ(sink.records[0].resp_pkts, 0u);
  EXPECT_EQ(sink.records[1].resp_p, 1);
  EXPECT_EQ(sink.records[2].orig_h, ip("10.0.0.1"));
}

TEST_F(FlowTableTest, UdpOneWayIsS0AndAnsweredIsSF) {
  send(udp("10.0.0.1", 5353, "10.0.0.2", 53, 30));
  send(udp("10.0.0.1", 5353, "10.0.0.2", 53, 30));
  send(udp("10.0.0.3", 6000, "10.0.0.2", 53, 30));
  send(udp("10.0.0.2", 53, "10.0.0.3", 6000, 90));
  table->flush();
  ASSERT_EQ(sink.records.size(), 2u);
  EXPECT_EQ(sink.records[0].conn_state, "S0");
  EXPECT_EQ(sink.records[0].history, "D");
  EXPECT_EQ(sink.records[0].orig_bytes, 60u);
  EXPECT_EQ(sink.records[0].service, "dns");
  EXPECT_EQ(sink.records[1].conn_state, "SF");
  EXPECT_EQ(sink.records[1].history, "Dd");
  EXPECT_EQ(sink.records[1].resp_bytes, 90u);
  EXPECT_TRUE(sink.records[1].ended_by_timeout);
}

// A UDP flow idle for more than udp_inactivity_timeout (60 s) becomes two flows; the first ends as time
// passes, before the end of input.
TEST_F(FlowTableTest, UdpIdleTimeoutSplitsFlow) {
  send(udp("10.0.0.1", 1234, "10.0.0.2", 123, 48));
  send(udp("10.0.0.1", 1234, "10.0.0.2", 123, 48), 59 * kSec);  // still the same flow
  send(udp("10.0.0.1", 1234, "10.0.0.2", 123, 48), 61 * kSec);
  EXPECT_EQ(sink.records.size(), 1u);
  EXPECT_EQ(table->active(), 1u);
  send(udp("10.0.0.5", 1, "10.0.0.6", 2, 1), 70 * kSec);  // time passing ends the second one
  EXPECT_EQ(sink.records.size(), 2u);
  table->flush();
  ASSERT_EQ(sink.records.size(), 3u);
  EXPECT_EQ(sink.records[0].orig_pkts, 2u);
  EXPECT_EQ(sink.records[1].orig_pkts, 1u);
  EXPECT_EQ(sink.records[0].service, "ntp");
}

TEST_F(FlowTableTest, TimeoutsAreConfigurable) {
  FlowTimeouts t;
  t.udp_ns = 5 * kSec;
  make_table(t);
  send(udp("10.0.0.1", 1234, "10.0.0.2", 123, 48));
  send(udp("10.0.0.1", 1234, "10.0.0.2", 123, 48), 6 * kSec);
  table->flush();
  EXPECT_EQ(sink.records.size(), 2u);
}

// Closed TCP flows linger tcp_closed_ns for stray packets, then end; a late packet opens a new flow.
TEST_F(FlowTableTest, ClosedFlowLingersThenEnds) {
  handshake();
  c(R, 101, 0);
  c(A, 101, 501, 0, 8192);  // within the linger time: same flow
  now += 6 * kSec;
  c(A, 101, 501);
  table->flush();
  ASSERT_EQ(sink.records.size(), 2u);
  EXPECT_EQ(sink.records[0].orig_pkts, 4u);
  EXPECT_EQ(sink.records[1].conn_state, "OTH");
}

TEST_F(FlowTableTest, FlushEndsFlowsInOrderOfFirstPacket) {
  send(udp("10.0.0.1", 1, "10.0.0.2", 2, 10));
  send(udp("10.0.0.3", 1, "10.0.0.4", 2, 10));
  send(tcp("10.0.0.5", 1, "10.0.0.6", 2, S, 1, 0));
  send(udp("10.0.0.1", 1, "10.0.0.2", 2, 10));  // the oldest flow is now the most recently active
  send(udp("10.0.0.3", 1, "10.0.0.4", 2, 10));
  table->flush();
  ASSERT_EQ(sink.records.size(), 3u);
  EXPECT_EQ(sink.records[0].orig_h, ip("10.0.0.1"));
  EXPECT_EQ(sink.records[1].orig_h, ip("10.0.0.3"));
  EXPECT_EQ(sink.records[2].orig_h, ip("10.0.0.5"));
  EXPECT_EQ(table->active(), 0u);
  EXPECT_EQ(table->stats().flows_active, 0u);
  EXPECT_EQ(table->stats().flows_active_peak, 3u);
  EXPECT_EQ(table->stats().flows_created, 3u);
}

TEST_F(FlowTableTest, FirstFramesAreCapped) {
  for (int i = 0; i < 15; ++i) send(udp("10.0.0.1", 1, "10.0.0.2", 2, 10));
  const ConnRecord& r = only();
  ASSERT_EQ(r.first_frames.size(), ConnRecord::kFirstFrames);
  for (size_t i = 0; i < r.first_frames.size(); ++i) EXPECT_EQ(r.first_frames[i].frame, i + 1);
  EXPECT_EQ(r.orig_pkts, 15u);
}

TEST_F(FlowTableTest, VlansSeparateFlows) {
  PacketView a = udp("10.0.0.1", 1, "10.0.0.2", 2, 10);
  PacketView b = a;
  b.vlan_count = 1;
  b.vlan_ids[0] = 42;
  send(a);
  send(b);
  table->flush();
  ASSERT_EQ(sink.records.size(), 2u);
  EXPECT_EQ(sink.records[1].vlan, 42);
}

TEST_F(FlowTableTest, OtherProtocolsKeyedByAddresses) {
  send(ip_view("10.0.0.1", "10.0.0.2", 47));
  send(ip_view("10.0.0.2", "10.0.0.1", 47));
  const ConnRecord& r = only();
  EXPECT_EQ(r.proto, 47);
  EXPECT_EQ(r.orig_p, 0);
  EXPECT_EQ(r.resp_p, 0);
  EXPECT_EQ(r.resp_pkts, 1u);
  EXPECT_EQ(r.conn_state, "OTH");
}

TEST_F(FlowTableTest, NonFlowPacketsAreCounted) {
  PacketView arp;
  arp.l3 = packet::L3::kArp;
  send(arp);
  PacketView frag = udp("10.0.0.1", 1, "10.0.0.2", 2, 10);
  frag.ip_fragment = true;
  send(frag);
  PacketView cut = tcp("10.0.0.1", 1, "10.0.0.2", 2, S, 1, 0);
  cut.l4_offset = 0;  // transport header missing
  send(cut);
  EXPECT_EQ(table->stats().non_flow, 3u);
  EXPECT_EQ(table->stats().packets, 0u);
  table->flush();
  EXPECT_TRUE(sink.records.empty());
}

TEST_F(FlowTableTest, UidIsDeterministic) {
  send(udp("10.0.0.1", 1, "10.0.0.2", 2, 10));
  table->flush();
  Sink other;
  FlowTable t2(other);
  capture::RawPacket raw;
  raw.frame = 1;
  raw.ts_ns = 5;
  t2.add(udp("10.9.9.9", 7, "10.0.0.8", 9, 1), raw);
  t2.flush();
  ASSERT_EQ(other.records.size(), 1u);
  EXPECT_EQ(other.records[0].uid, sink.records.at(0).uid);  // same (file, frame): same uid
  raw.frame = 2;
  FlowTable t3(other);
  t3.add(udp("10.0.0.1", 1, "10.0.0.2", 2, 10), raw);
  t3.flush();
  EXPECT_NE(other.records[1].uid, sink.records.at(0).uid);
}

TEST(FlowShardHash, SameForBothDirections) {
  EXPECT_EQ(flow_shard_hash(tcp("10.0.0.1", 40000, "10.0.0.2", 80, S, 1, 0)),
            flow_shard_hash(tcp("10.0.0.2", 80, "10.0.0.1", 40000, S | A, 1, 2)));
  EXPECT_NE(flow_shard_hash(tcp("10.0.0.1", 40000, "10.0.0.2", 80, S, 1, 0)),
            flow_shard_hash(tcp("10.0.0.1", 40001, "10.0.0.2", 80, S, 1, 0)));
  EXPECT_EQ(flow_shard_hash(icmp("10.0.0.1", "10.0.0.2", 8, 0)), flow_shard_hash(icmp("10.0.0.2", "10.0.0.1", 0, 0)));
  EXPECT_EQ(flow_shard_hash(udp("2001:db8::1", 5, "2001:db8::2", 6, 1)),
            flow_shard_hash(udp("2001:db8::2", 6, "2001:db8::1", 5, 1)));
}

TEST(IcmpCounterpart, MatchesZeekPairs) {
  EXPECT_EQ(icmp_counterpart(false, 8), 0);
  EXPECT_EQ(icmp_counterpart(false, 13), 14);
  EXPECT_EQ(icmp_counterpart(false, 16), 15);
  EXPECT_EQ(icmp_counterpart(false, 10), 9);
  EXPECT_EQ(icmp_counterpart(false, 18), 17);
  EXPECT_EQ(icmp_counterpart(false, 3), -1);
  EXPECT_EQ(icmp_counterpart(true, 128), 129);
  EXPECT_EQ(icmp_counterpart(true, 135), 136);
  EXPECT_EQ(icmp_counterpart(true, 1), -1);
}

TEST(ProtoName, NamesAndNumbers) {
  EXPECT_STREQ(proto_name(6), "tcp");
  EXPECT_STREQ(proto_name(17), "udp");
  EXPECT_STREQ(proto_name(1), "icmp");
  EXPECT_STREQ(proto_name(58), "icmp6");
  EXPECT_STREQ(proto_name(47), "47");
  EXPECT_STREQ(proto_name(0), "0");
  EXPECT_STREQ(proto_name(255), "255");
}

}  // namespace
}  // namespace trawl::flow
