#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "proto/dns/dns_analyzer.h"
#include "proto/stream_test_support.h"
#include "support/follow.h"
#include "support/testing.h"

namespace trawl::proto::dns {
namespace {

using nlohmann::json;
using testing::bytes_of;
using trawl::testing::have_tool;
using trawl::testing::run;
using trawl::testing::shared_pcap;
using trawl::testing::shell_quote;

// A sink that keeps each record as parsed JSON.
struct Sink final : RecordSink {
  std::vector<json> records;
  void emit(const Record& r) override { records.push_back(json::parse(testing::to_json(r, false))); }
};

// ---- hand-built messages ----

struct Builder {
  std::string b;
  void u8(int v) { b.push_back(char(v)); }
  void u16(int v) { u8(v >> 8), u8(v & 0xff); }
  void u32(uint32_t v) { u16(int(v >> 16)), u16(int(v & 0xffff)); }
  void name(std::string_view n) {
    while (!n.empty()) {
      size_t dot = n.find('.');
      auto label = n.substr(0, dot);
      u8(int(label.size()));
      b += label;
      if (dot == std::string_view::npos) break;
      n.remove_prefix(dot + 1);
    }
    u8(0);
  }
  void header(int id, int flags, int qd, int an, int ns = 0, int ar = 0) {
    u16(id), u16(flags), u16(qd), u16(an), u16(ns), u16(ar);
  }
  void question(std::string_view n, int type, int cls = 1) { name(n), u16(type), u16(cls); }
  // An RR whose owner is a pointer to offset 12 (the question name).
  void rr(int type, uint32_t ttl, const std::string& rdata) {
    u16(0xc00c), u16(type), u16(1), u32(ttl), u16(int(rdata.size()));
    b += rdata;
  }
};

std::string encoded_name(std::string_view n) {
  Builder x;
  x.name(n);
  return x.b;
}

std::vector<json> run_udp(const std::vector<std::pair<Dir, std::string>>& msgs, std::string_view app = "dns") {
  Sink sink;
  AnalyzerContext ctx;
  ctx.sink = &sink;
  ctx.conn.uid = "Ctest";
  DnsUdpAnalyzer a(ctx, app);
  PacketRef at;
  for (const auto& [dir, m] : msgs) {
    ++at.frame;
    at.ts_ns += 2'000'000;
    a.on_datagram(dir, bytes_of(m), at);
  }
  a.on_end(at);
  return sink.records;
}

TEST(DnsParser, QueryAndResponsePairWithRtt) {
  Builder q;
  q.header(0x1234, 0x0100, 1, 0);
  q.question("Example.COM", 1);
  Builder r;
  r.header(0x1234, 0x8180, 1, 2);
  r.question("example.com", 1);
  r.rr(5, 60, encoded_name("www.example.net"));
  r.rr(1, 300, std::string("\x5d\xb8\xd8\x22", 4));
  auto recs = run_udp({{Dir::kOrig, q.b}, {Dir::kResp, r.b}});
  ASSERT_EQ(recs.size(), 1u);
  const json& j = recs[0];
  EXPECT_EQ(j["trans_id"], 0x1234);
  EXPECT_EQ(j["query"], "example.com");
  EXPECT_EQ(j["qtype_name"], "A");
  EXPECT_EQ(j["qclass_name"], "IN");
  EXPECT_EQ(j["rcode"], 0);
  EXPECT_EQ(j["rcode_name"], "NOERROR");
  EXPECT_EQ(j["rtt"], 0.002);
  EXPECT_EQ(j["rd"], true);
  EXPECT_EQ(j["ra"], true);
  EXPECT_EQ(j["aa"], false);
  EXPECT_EQ(j["answers"], json({"www.example.net", "93.184.216.34"}));
  EXPECT_EQ(j["answer_types"], json({"CNAME", "A"}));
  EXPECT_EQ(j["ttls"], json({60, 300}));
  EXPECT_EQ(j["frame"], 2);
  EXPECT_TRUE(j["query_seen"]);
  EXPECT_TRUE(j["response_seen"]);
  EXPECT_TRUE(j["anomaly"].is_null());
}

TEST(DnsParser, RdataOfEveryDecodedType) {
  Builder r;
  r.header(7, 0x8580, 1, 8);
  r.question("x.org", 255);
  std::string v6(16, '\0');
  v6[0] = 0x20, v6[1] = 0x01, v6[2] = 0x0d, v6[3] = (char)0xb8, v6[15] = 1;
  r.rr(28, 1, v6);
  r.rr(15, 2, std::string("\x00\x0a", 2) + "\xc0\x0c");  // MX 10 x.org (compressed)
  r.rr(2, 3, encoded_name("ns1.x.org"));
  r.rr(12, 4, encoded_name("host.x.org"));
  r.rr(16, 5, std::string("\x05hello\x03""a b", 10));
  Builder soa;
  soa.name("ns1.x.org"), soa.name("admin.x.org"), soa.u32(2024010101), soa.u32(7200), soa.u32(3600),
      soa.u32(1209600), soa.u32(300);
  r.rr(6, 6, soa.b);
  r.rr(33, 7, std::string("\x00\x01\x00\x02\x01\xbb", 6) + encoded_name("sip.x.org"));
  r.rr(65, 8, std::string("\x00\x01\x00", 3));  // HTTPS: not decoded
  auto recs = run_udp({{Dir::kResp, r.b}});
  ASSERT_EQ(recs.size(), 1u);
  const json& j = recs[0];
  EXPECT_EQ(j["answers"], json({"2001:db8::1", "10 x.org", "ns1.x.org", "host.x.org", "hello a\\032b",
                                "ns1.x.org admin.x.org 2024010101 7200 3600 1209600 300", "1 2 443 sip.x.org",
                                "TYPE65"}));
  EXPECT_EQ(j["answer_types"], json({"AAAA", "MX", "NS", "PTR", "TXT", "SOA", "SRV", "HTTPS"}));
  EXPECT_EQ(j["qtype_name"], "ANY");
  EXPECT_EQ(j["aa"], true);
  EXPECT_FALSE(j["query_seen"]);
  EXPECT_TRUE(j["rtt"].is_null());
  EXPECT_TRUE(j["anomaly"].is_null());
}

TEST(DnsParser, CompressionLoopsAndLongNamesAreStopped) {
  // A pointer to itself.
  Builder self;
  self.header(1, 0x8180, 1, 0);
  self.u16(0xc00c), self.u16(1), self.u16(1);
  auto recs = run_udp({{Dir::kResp, self.b}});
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0]["anomaly"], "name_loop");
  // Two pointers to each other, inside an answer.
  Builder pair;
  pair.header(2, 0x8180, 1, 1);
  pair.question("a.b", 1);  // offsets 12..20
  pair.u16(0xc000 | 23), pair.u16(0xc000 | 21), pair.u16(1), pair.u16(1), pair.u32(1), pair.u16(4), pair.u32(0);
  recs = run_udp({{Dir::kResp, pair.b}});
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0]["anomaly"], "name_loop");
  EXPECT_EQ(recs[0]["query"], "a.b");
  // 5 labels of 63 bytes: 320 bytes on the wire.
  Builder big;
  big.header(3, 0x0100, 1, 0);
  for (int i = 0; i < 5; ++i) big.u8(63), big.b += std::string(63, 'a');
  big.u8(0), big.u16(1), big.u16(1);
  std::string text;
  size_t end = 0;
  EXPECT_EQ(read_name(bytes_of(big.b), 12, text, end), NameResult::kTooLong);
  recs = run_udp({{Dir::kOrig, big.b}});
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0]["anomaly"], "name_too_long");
  // Exactly 255 bytes is allowed: 3 x 63 + 1 x 61 labels + root = 4*1 + 189 + 61 + 1 = 255.
  Builder max;
  for (int i = 0; i < 3; ++i) max.u8(63), max.b += std::string(63, 'b');
  max.u8(61), max.b += std::string(61, 'c'), max.u8(0);
  ASSERT_EQ(max.b.size(), 255u);
  text.clear();
  EXPECT_EQ(read_name(bytes_of(max.b), 0, text, end), NameResult::kOk);
  EXPECT_EQ(end, 255u);
  // A long legitimate chain of pointers (each to the previous) reaches the name; a longer one is cut.
  Builder chain;
  chain.name("z");  // offset 0..2
  for (int i = 0; i < 100; ++i) chain.u16(0xc000 | (i == 0 ? 0 : 3 + 2 * (i - 1)));
  text.clear();
  EXPECT_EQ(read_name(bytes_of(chain.b), 3 + 2 * 10, text, end), NameResult::kOk);
  EXPECT_EQ(text, "z");
  EXPECT_EQ(end, 3u + 2 * 10 + 2);
  text.clear();
  EXPECT_EQ(read_name(bytes_of(chain.b), 3 + 2 * 99, text, end), NameResult::kLoop);
  // Reserved label types and escaping of odd bytes.
  text.clear();
  EXPECT_EQ(read_name(bytes_of(std::string("\x41", 1)), 0, text, end), NameResult::kBadLabel);
  text.clear();
  EXPECT_EQ(read_name(bytes_of(std::string("\x03" "a.\x01\x00", 6)), 0, text, end), NameResult::kOk);
  EXPECT_EQ(text, "a\\046\\001");
}

TEST(DnsParser, TruncatedMessagesKeepWhatWasRead) {
  Builder r;
  r.header(9, 0x8183, 1, 2);
  r.question("gone.example", 1);
  r.rr(1, 30, std::string("\x01\x02\x03\x04", 4));
  r.rr(1, 30, std::string("\x05\x06\x07\x08", 4));
  for (size_t cut = 0; cut < r.b.size(); ++cut) {
    auto recs = run_udp({{Dir::kResp, r.b.substr(0, cut)}});
    if (cut < 12) {
      EXPECT_TRUE(recs.empty()) << cut;
      continue;
    }
    ASSERT_EQ(recs.size(), 1u) << cut;
    EXPECT_EQ(recs[0]["anomaly"], "truncated") << cut;
    EXPECT_EQ(recs[0]["rcode_name"], "NXDOMAIN");
    size_t full_answers = cut >= r.b.size() - 0 ? 2 : cut >= r.b.size() - 16 ? 1 : 0;
    EXPECT_EQ(recs[0]["answers"].size(), full_answers) << cut;
  }
  auto recs = run_udp({{Dir::kResp, r.b}});
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_TRUE(recs[0]["anomaly"].is_null());
  EXPECT_EQ(recs[0]["answers"], json({"1.2.3.4", "5.6.7.8"}));
}

TEST(DnsAnalyzer, UnansweredQueriesAndRetransmissions) {
  Builder q1, q2, other;
  q1.header(5, 0x0100, 1, 0), q1.question("a.test", 28);
  q2.header(6, 0x0100, 1, 0), q2.question("b.test", 1);
  other.header(5, 0x8180, 1, 0), other.question("c.test", 1);  // same id, other question: not a match
  auto recs = run_udp({{Dir::kOrig, q1.b}, {Dir::kOrig, q2.b}, {Dir::kOrig, q1.b}, {Dir::kResp, other.b}});
  ASSERT_EQ(recs.size(), 4u);
  EXPECT_EQ(recs[0]["query"], "a.test");  // the first copy of q1, replaced by its retransmission
  EXPECT_EQ(recs[0]["anomaly"], "retransmitted");
  EXPECT_EQ(recs[0]["frame"], 1);
  EXPECT_EQ(recs[1]["query"], "c.test");  // the unmatched response
  EXPECT_FALSE(recs[1]["query_seen"]);
  EXPECT_EQ(recs[2]["query"], "b.test");  // at the end, in arrival order
  EXPECT_EQ(recs[3]["query"], "a.test");
  EXPECT_EQ(recs[3]["frame"], 3);
  EXPECT_TRUE(recs[3]["rcode"].is_null());
  EXPECT_FALSE(recs[3]["response_seen"]);
  EXPECT_EQ(recs[3]["qtype_name"], "AAAA");
}

TEST(DnsAnalyzer, TcpFramingAtEveryCut) {
  Builder q, r;
  q.header(0x77, 0x0000, 1, 0), q.question("zone.test", 252);
  r.header(0x77, 0x8400, 1, 1), r.question("zone.test", 252);
  r.rr(1, 9, std::string("\x0a\x00\x00\x01", 4));
  Builder r2;  // a second AXFR message, without the question
  r2.header(0x77, 0x8400, 0, 1);
  r2.name("zone.test"), r2.u16(1), r2.u16(1), r2.u32(9), r2.u16(4), r2.b += std::string("\x0a\x00\x00\x02", 4);
  auto framed = [](const std::string& m) { return std::string{char(m.size() >> 8), char(m.size() & 0xff)} + m; };
  const std::string client = framed(q.b), server = framed(r.b) + framed(r2.b) + std::string("\x00\x00", 2);
  auto run_tcp = [&](size_t step) {
    Sink sink;
    AnalyzerContext ctx;
    ctx.sink = &sink;
    DnsTcpAnalyzer a(ctx);
    PacketRef at;
    for (auto [dir, s] : {std::pair{Dir::kOrig, std::string_view(client)}, std::pair{Dir::kResp, std::string_view(server)}})
      for (size_t i = 0; i < s.size(); i += step) a.on_data(dir, bytes_of(s.substr(i, step)), at);
    a.on_end(at);
    std::vector<std::string> out;
    for (auto& j : sink.records) out.push_back(j.dump());
    return out;
  };
  auto whole = run_tcp(1 << 20);
  ASSERT_EQ(whole.size(), 2u);
  auto j0 = json::parse(whole[0]), j1 = json::parse(whole[1]);
  EXPECT_EQ(j0["proto"], "tcp");
  EXPECT_EQ(j0["qtype_name"], "AXFR");
  EXPECT_EQ(j0["answers"], json({"10.0.0.1"}));
  EXPECT_TRUE(j0["query_seen"]);
  EXPECT_EQ(j1["answers"], json({"10.0.0.2"}));
  EXPECT_FALSE(j1["query_seen"]);
  for (size_t step = 1; step < server.size(); ++step) EXPECT_EQ(run_tcp(step), whole) << step;
}

TEST(DnsAnalyzer, TcpGapResynchronises) {
  Builder q1, q2;
  q1.header(1, 0x0100, 1, 0), q1.question("one.test", 1);
  q2.header(2, 0x0100, 1, 0), q2.question("two.test", 1);
  auto framed = [](const std::string& m) { return std::string{char(m.size() >> 8), char(m.size() & 0xff)} + m; };
  Sink sink;
  AnalyzerContext ctx;
  ctx.sink = &sink;
  DnsTcpAnalyzer a(ctx);
  PacketRef at;
  std::string f1 = framed(q1.b), f2 = framed(q2.b);
  a.on_data(Dir::kOrig, bytes_of(std::string_view(f1).substr(0, 7)), at);
  a.on_gap(Dir::kOrig, 100, at);
  a.on_data(Dir::kOrig, bytes_of("garbage after the gap"), at);
  a.on_data(Dir::kOrig, bytes_of(f2), at);
  a.on_end(at);
  ASSERT_EQ(sink.records.size(), 1u);
  EXPECT_EQ(sink.records[0]["query"], "two.test");
}

TEST(DnsAnalyzer, Probes) {
  Builder q;
  q.header(0x4242, 0x0100, 1, 0), q.question("probe.example", 1);
  EXPECT_EQ(probe_udp(bytes_of(q.b), Dir::kOrig), Match::kYes);
  std::string tcp = std::string{0, char(q.b.size())} + q.b;
  EXPECT_EQ(probe_tcp(bytes_of(tcp), Dir::kOrig), Match::kYes);
  EXPECT_EQ(probe_udp(bytes_of("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), Dir::kOrig), Match::kNo);
  EXPECT_EQ(probe_tcp(bytes_of(std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11) + std::string(40, 'x')), Dir::kOrig),
            Match::kNo);
  EXPECT_EQ(probe_udp(bytes_of(q.b.substr(0, 11)), Dir::kOrig), Match::kNo);
  // A NetBIOS name query (nmap's NBSTAT for "*"): DNS's format, but not DNS.
  Builder nb;
  nb.header(0x1234, 0x0000, 1, 0), nb.question("CKAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 0x21);
  EXPECT_EQ(probe_udp(bytes_of(nb.b), Dir::kOrig), Match::kNo);
  Builder near;  // a DNS label of 32 letters that are not all A..P is still DNS
  near.header(0x1234, 0x0100, 1, 0), near.question("CKAAAAAAAAAAAAAAAAAAAAAAAAAAAAAZ.example", 1);
  EXPECT_EQ(probe_udp(bytes_of(near.b), Dir::kOrig), Match::kYes);
}

// ---- real captures against tshark ----

// One DNS message as both sides describe it.
struct Msg {
  std::string stream;  // the conversation: its two "addr:port" ends, sorted
  bool response;
  int id;
  std::string qname;
  int qtype;
  int rcode;  // -1 for queries
  int n_a, n_aaaa, n_cname;
  std::vector<std::string> addrs;  // A and AAAA values of the answer section, sorted
  auto key() const { return std::tie(stream, response, id, qname, qtype, rcode, n_a, n_aaaa, n_cname, addrs); }
  bool operator<(const Msg& o) const { return key() < o.key(); }
  bool operator==(const Msg& o) const { return key() == o.key(); }
};
std::ostream& operator<<(std::ostream& os, const Msg& m) {
  os << "{" << m.stream << (m.response ? " resp" : " query") << " id " << m.id << " " << m.qname << "/"
     << m.qtype << " rcode " << m.rcode << " a/aaaa/cname " << m.n_a << "/" << m.n_aaaa << "/" << m.n_cname << " [";
  for (auto& a : m.addrs) os << a << " ";
  return os << "]}";
}

// tshark's names: the root as "<Root>"; ours as "".
std::string tshark_name(const std::string& n) { return n == "<Root>" ? "" : n; }

// Every DNS message tshark dissects, in the UDP (or TCP) conversation it belongs to.
std::vector<Msg> tshark_messages(const std::string& pcap, bool udp) {
  std::string filter = udp ? "(dns || mdns || llmnr) && udp && !icmp" : "dns && tcp";
  auto r = run("tshark -n -r " + shell_quote(pcap) + " -Y " + shell_quote(filter) +
               " -T json --no-duplicate-keys -J 'ip ipv6 udp tcp dns mdns llmnr' 2>/dev/null");
  std::vector<Msg> out;
  json all = json::parse(r.out.empty() ? "[]" : r.out);
  auto each = [](const json& v, auto&& f) {
    if (v.is_array()) for (const auto& x : v) f(x);
    else f(v);
  };
  for (const auto& pkt : all) {
    const json& layers = pkt["_source"]["layers"];
    const json& l4 = layers[udp ? "udp" : "tcp"];
    const json& l3 = layers.contains("ip") ? layers["ip"] : layers["ipv6"];
    const char* v = layers.contains("ip") ? "ip" : "ipv6";
    std::string a = l3[std::string(v) + ".src"].get<std::string>() + ":" + l4[udp ? "udp.srcport" : "tcp.srcport"].get<std::string>();
    std::string b = l3[std::string(v) + ".dst"].get<std::string>() + ":" + l4[udp ? "udp.dstport" : "tcp.dstport"].get<std::string>();
    std::string stream = std::min(a, b) + " " + std::max(a, b);
    // mDNS and LLMNR use the DNS dissector under their own layer names.
    const char* layer = layers.contains("dns") ? "dns" : layers.contains("mdns") ? "mdns" : "llmnr";
    if (!layers.contains(layer)) continue;
    each(layers[layer], [&](const json& dns) {
      // A message cut before the end of its 12-byte header (ndpi-badpackets: snapped first fragments with
      // 4 or 10 bytes of DNS) is no DNS message to us; tshark still shows its id. Left out on purpose.
      if (!dns.contains("dns.id") || !dns.contains("dns.count.add_rr")) return;
      Msg m{};
      m.stream = stream;
      m.response = dns["dns.flags_tree"]["dns.flags.response"] == "1";
      m.id = std::stoi(dns["dns.id"].get<std::string>(), nullptr, 16);
      m.rcode = m.response ? std::stoi(dns["dns.flags_tree"]["dns.flags.rcode"].get<std::string>()) : -1;
      if (dns.contains("Queries")) {
        for (const auto& [k, q] : dns["Queries"].items()) {
          const json& first = q.is_array() ? q[0] : q;
          if (!first.contains("dns.qry.name")) continue;
          m.qname = tshark_name(first["dns.qry.name"]);
          if (first.contains("dns.qry.type")) m.qtype = std::stoi(first["dns.qry.type"].get<std::string>());
          break;
        }
      }
      if (dns.contains("Answers")) {
        for (const auto& [k, a] : dns["Answers"].items()) {
          each(a, [&](const json& rr) {
            if (rr.contains("dns.a")) ++m.n_a, m.addrs.push_back(rr["dns.a"]);
            if (rr.contains("dns.aaaa")) ++m.n_aaaa, m.addrs.push_back(rr["dns.aaaa"]);
            if (rr.contains("dns.cname")) ++m.n_cname;
          });
        }
      }
      std::sort(m.addrs.begin(), m.addrs.end());
      out.push_back(m);
    });
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Our records turned back into messages: a query half and a response half per transaction.
std::vector<Msg> our_messages(const std::string& pcap, bool udp, std::vector<json>* records = nullptr) {
  std::vector<Msg> out;
  auto streams = trawl::testing::follow_streams(pcap, udp);
  for (size_t s = 0; s < streams.size(); ++s) {
    auto strip = [](std::string n) {
      std::erase(n, '[');
      std::erase(n, ']');
      return n;
    };
    std::string a = strip(streams[s].node0), b = strip(streams[s].node1);
    // The ports the session would pick the DNS analyzers by.
    auto port_of = [](const std::string& n) { return std::stoi(n.substr(n.rfind(':') + 1)); };
    auto dns_port = [](int p) { return p == 53 || p == 5353 || p == 5355; };
    if (!dns_port(port_of(a)) && !dns_port(port_of(b))) continue;
    const std::string key = std::min(a, b) + " " + std::max(a, b);
    Sink sink;
    AnalyzerContext ctx;
    ctx.sink = &sink;
    std::unique_ptr<StreamAnalyzer> tcp;
    std::unique_ptr<DatagramAnalyzer> dgram;
    if (udp) dgram = kDnsUdpAnalyzer.make_datagram(ctx);
    else tcp = kDnsAnalyzer.make_stream(ctx);
    PacketRef at;
    for (const auto& c : streams[s].chunks) {
      ++at.frame;
      Dir d = c.dir == 0 ? Dir::kOrig : Dir::kResp;
      if (udp) dgram->on_datagram(d, bytes_of(c.bytes), at);
      else tcp->on_data(d, bytes_of(c.bytes), at);
    }
    if (udp) dgram->on_end(at);
    else tcp->on_end(at);
    for (const auto& j : sink.records) {
      if (records) records->push_back(j);
      Msg m{};
      m.stream = key;
      m.id = j["trans_id"];
      m.qname = j["query"].is_null() ? "" : j["query"].get<std::string>();
      m.qtype = j["qtype"].is_null() ? 0 : j["qtype"].get<int>();
      if (j["query_seen"]) {
        m.response = false;
        m.rcode = -1;
        out.push_back(m);
      }
      if (j["response_seen"]) {
        m.response = true;
        m.rcode = j["rcode"];
        for (size_t i = 0; i < j["answers"].size(); ++i) {
          std::string t = j["answer_types"][i];
          if (t == "A") ++m.n_a, m.addrs.push_back(j["answers"][i]);
          if (t == "AAAA") ++m.n_aaaa, m.addrs.push_back(j["answers"][i]);
          if (t == "CNAME") ++m.n_cname;
        }
        std::sort(m.addrs.begin(), m.addrs.end());
        out.push_back(m);
      }
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

void compare_with_tshark(const std::string& name, bool udp, size_t min_messages) {
  if (!have_tool("tshark")) GTEST_SKIP() << "tshark missing";
  auto pcap = shared_pcap(name);
  auto theirs = tshark_messages(pcap, udp);
  auto ours = our_messages(pcap, udp);
  EXPECT_GE(theirs.size(), min_messages) << name;
  EXPECT_EQ(ours.size(), theirs.size()) << name;
  std::vector<Msg> only_ours, only_theirs;
  std::set_difference(ours.begin(), ours.end(), theirs.begin(), theirs.end(), std::back_inserter(only_ours));
  std::set_difference(theirs.begin(), theirs.end(), ours.begin(), ours.end(), std::back_inserter(only_theirs));
  for (size_t i = 0; i < std::min<size_t>(only_ours.size(), 5); ++i) ADD_FAILURE() << name << " only ours: " << only_ours[i];
  for (size_t i = 0; i < std::min<size_t>(only_theirs.size(), 5); ++i)
    ADD_FAILURE() << name << " only tshark: " << only_theirs[i];
}

TEST(DnsTshark, PppDnsPackets) { compare_with_tshark("ppp-dns-packets.pcap", true, 400); }
TEST(DnsTshark, ZeekEdnsEcsUdp) { compare_with_tshark("zeek-dns-edns-ecs.pcap", true, 50); }
TEST(DnsTshark, ZeekEdnsEcsTcp) { compare_with_tshark("zeek-dns-edns-ecs.pcap", false, 2); }
TEST(DnsTshark, ChrisSandersAxfr) { compare_with_tshark("chrissanders-dns-axfr.pcapng", false, 2); }
TEST(DnsTshark, NdpiExfiltration) { compare_with_tshark("ndpi-dns-exfiltration.pcap", true, 250); }
TEST(DnsTshark, NdpiBadPackets) { compare_with_tshark("ndpi-badpackets.pcap", true, 50); }
TEST(DnsTshark, PppManyProtocols) { compare_with_tshark("ppp-many-protocols.pcap", true, 10); }

TEST(DnsTshark, AxfrRecordsInDetail) {
  if (!have_tool("tshark")) GTEST_SKIP();
  std::vector<json> recs;
  our_messages(shared_pcap("chrissanders-dns-axfr.pcapng"), false, &recs);
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0]["query"], "contoso.local");
  EXPECT_EQ(recs[0]["qtype_name"], "AXFR");
  EXPECT_EQ(recs[0]["answer_count"], 21);
  EXPECT_EQ(recs[0]["proto"], "tcp");
  // tshark's answer types, in order, for the same response.
  auto r = run("tshark -n -r " + shell_quote(shared_pcap("chrissanders-dns-axfr.pcapng")) +
               " -Y 'dns.flags.response==1' -T fields -e dns.resp.type 2>/dev/null");
  std::vector<std::string> theirs;
  std::istringstream in(r.out.substr(0, r.out.find('\n')));
  for (std::string t; std::getline(in, t, ',');) {
    auto tn = type_name(uint16_t(std::stoi(t)));
    theirs.push_back(tn.empty() ? "TYPE" + t : std::string(tn));
  }
  EXPECT_EQ(recs[0]["answer_types"], json(theirs));
}

}  // namespace
}  // namespace trawl::proto::dns
