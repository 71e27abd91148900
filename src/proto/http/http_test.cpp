// HTTP analyzer tests: real captures compared with tshark's own fields and credentials, hand-checked
// logins, and hand-built streams for every framing and hostile-input edge case.
#include <gtest/gtest.h>

#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "proto/auth/auth_record.h"
#include "proto/http/http_analyzer.h"
#include "proto/http/http_login.h"
#include "proto/http/http_parser.h"
#include "proto/http/http_record.h"
#include "support/testing.h"

namespace trawl::proto::http {
namespace {

struct Collector final : RecordSink {
  std::vector<HttpRecord> http;
  std::vector<AuthRecord> auth;
  void emit(const Record& r) override {
    if (auto* h = dynamic_cast<const HttpRecord*>(&r)) http.push_back(*h);
    else if (auto* a = dynamic_cast<const AuthRecord*>(&r)) auth.push_back(*a);
  }
};

std::span<const uint8_t> bytes_of(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

struct Chunk {
  Dir dir;
  std::string bytes;
  uint64_t gap = 0;    // when non-zero: a gap of this many bytes instead of data
  uint64_t frame = 0;  // the packet's frame number; 0: count chunks
};

// Feeds the chunks to a fresh analyzer; `step` > 0 splits each chunk into pieces of that size. Each
// chunk is one "packet": frame numbers count chunks.
Collector feed(const std::vector<Chunk>& chunks, size_t step = 0, bool* tls = nullptr) {
  Collector out;
  AnalyzerContext ctx;
  ctx.sink = &out;
  auto a = kHttpAnalyzer.make_stream(ctx);
  PacketRef at;
  for (const auto& c : chunks) {
    at.frame = c.frame ? c.frame : at.frame + 1;
    at.ts_ns = static_cast<int64_t>(at.frame) * 1'000'000'000;
    if (c.gap) {
      a->on_gap(c.dir, c.gap, at);
      continue;
    }
    auto b = bytes_of(c.bytes);
    if (step == 0) {
      a->on_data(c.dir, b, at);
    } else {
      for (size_t i = 0; i < b.size(); i += step) a->on_data(c.dir, b.subspan(i, std::min(step, b.size() - i)), at);
    }
  }
  if (tls) *tls = a->upgraded_to_tls();
  a->on_end(at);
  return out;
}

template <typename R>
std::string json(const R& r, bool show_passwords = true) {
  char* buf = nullptr;
  size_t len = 0;
  FILE* f = open_memstream(&buf, &len);
  {
    output::TableWriter w(f, output::Format::kJsonl, r.type().columns);
    WriteOptions o;
    o.show_passwords = show_passwords;
    r.write(w, o);
    w.finish();
  }
  fclose(f);
  std::string s(buf, len);
  free(buf);
  return s;
}

std::string all_json(const Collector& c) {
  std::string s;
  for (const auto& r : c.http) s += json(r);
  for (const auto& r : c.auth) s += json(r);
  return s;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

using trawl::testing::split;

bool has(uint32_t anomalies, Anomaly a) { return (anomalies & a) != 0; }

// ---------------------------------------------------------------------------------------------------
// Real captures against tshark.

struct StreamResult {
  Collector records;
  std::vector<Chunk> chunks;
};

// Every TCP conversation of the capture whose client side the probe recognises, by tshark's stream index.
// The capture's TCP payloads as the flow stage hands them to an analyzer: per direction in sequence
// order, retransmitted bytes dropped, and a gap where the capture lost bytes (tshark's follow output
// would silently join the two sides of a hole, which no analyzer ever sees). Out-of-order segments are
// taken as late retransmissions: none of the captures used here has them. Frame numbers are tshark's.
std::map<int, StreamResult> analyze_capture(const std::string& pcap, size_t step = 0) {
  std::map<int, StreamResult> out;
  auto r = testing::run("tshark -n -r " + testing::shell_quote(pcap) +
                        " -Y 'tcp.len > 0' -o tcp.relative_sequence_numbers:TRUE -T fields -e tcp.stream"
                        " -e ip.src -e ipv6.src -e tcp.srcport -e tcp.seq -e tcp.len -e tcp.payload -e frame.number"
                        " -E occurrence=l 2>/dev/null");
  struct Dirn {
    uint64_t next = 0;
    bool started = false;
  };
  std::map<int, std::map<std::string, Dirn>> seq;
  std::map<int, std::string> client;  // "addr:port" of the side that sent a request line first
  std::map<int, std::vector<std::pair<std::string, Chunk>>> raw;
  for (const auto& l : lines(r.out)) {
    auto f = split(l, '\t');
    if (f.size() < 8 || f[6].empty()) continue;
    int stream = std::stoi(f[0]);
    std::string from = (f[1].empty() ? f[2] : f[1]) + ":" + f[3];
    uint64_t s = std::stoull(f[4]);
    std::string payload;
    for (size_t i = 0; i + 1 < f[6].size(); i += 2) payload += static_cast<char>(std::stoi(f[6].substr(i, 2), nullptr, 16));
    Dirn& d = seq[stream][from];
    if (!d.started) d.started = true, d.next = s;
    if (s + payload.size() <= d.next) continue;  // retransmission
    if (s < d.next) payload.erase(0, d.next - s), s = d.next;
    Chunk c{Dir::kOrig, {}, 0, std::stoull(f[7])};
    if (s > d.next) raw[stream].push_back({from, Chunk{Dir::kOrig, {}, s - d.next, c.frame}});
    c.bytes = payload;
    d.next = s + payload.size();
    if (!client.count(stream) && probe(bytes_of(payload.substr(0, 512)), Dir::kOrig) == Match::kYes) client[stream] = from;
    raw[stream].push_back({from, std::move(c)});
  }
  for (auto& [stream, chunks] : raw) {
    if (!client.count(stream)) continue;
    StreamResult res;
    for (auto& [from, c] : chunks) {
      c.dir = from == client[stream] ? Dir::kOrig : Dir::kResp;
      res.chunks.push_back(c);
    }
    res.records = feed(res.chunks, step);
    out[stream] = std::move(res);
  }
  return out;
}

// tshark's HTTP requests and responses per TCP stream, in frame order.
struct TsharkHttp {
  std::map<int, std::vector<std::string>> requests;  // "METHOD|host|uri"
  std::map<int, std::vector<std::string>> responses; // "code@frame": the frame that completed it
};
TsharkHttp tshark_http(const std::string& pcap) {
  TsharkHttp t;
  auto q = testing::run("tshark -n -r " + testing::shell_quote(pcap) +
                        " -Y http.request -T fields -e tcp.stream -e http.request.method -e http.host"
                        " -e http.request.uri 2>/dev/null");
  for (const auto& l : lines(q.out)) {
    auto f = split(l, '\t');
    if (f.size() < 4) continue;
    t.requests[std::stoi(f[0])].push_back(f[1] + "|" + f[2] + "|" + f[3]);
  }
  auto r = testing::run("tshark -n -r " + testing::shell_quote(pcap) +
                        " -Y http.response -T fields -e tcp.stream -e http.response.code -e frame.number 2>/dev/null");
  for (const auto& l : lines(r.out)) {
    auto f = split(l, '\t');
    if (f.size() < 3) continue;
    t.responses[std::stoi(f[0])].push_back(f[1] + "@" + f[2]);
  }
  return t;
}

void compare_with_tshark(const std::string& name, size_t* transactions = nullptr) {
  if (!testing::have_tool("tshark")) GTEST_SKIP() << "tshark not installed";
  std::string pcap = testing::shared_pcap(name);
  auto ours = analyze_capture(pcap);
  auto theirs = tshark_http(pcap);
  ASSERT_FALSE(theirs.requests.empty()) << name;
  size_t n = 0;
  std::map<int, std::vector<std::string>> our_requests, our_responses;
  for (const auto& [stream, r] : ours) {
    static const std::vector<std::string> kNone;
    auto found = theirs.responses.find(stream);
    const auto& tr = found == theirs.responses.end() ? kNone : found->second;
    for (const auto& rec : r.records.http) {
      ++n;
      if (rec.has_request) our_requests[stream].push_back(rec.method + "|" + rec.host + "|" + rec.uri);
      std::string resp = std::to_string(rec.status_code) + "@" + std::to_string(rec.origin.frame);
      // Reassembly difference: tshark drops a response whose body has a capture hole; trawl keeps it with
      // missing_bytes and the "gap" anomaly. Only such responses may be missing from tshark's list.
      bool dropped_by_tshark = has(rec.anomalies, kGap) && std::find(tr.begin(), tr.end(), resp) == tr.end();
      if (rec.has_response && !dropped_by_tshark) our_responses[stream].push_back(resp);
      // Allowed anomalies on real traffic: capture loss and its resync, and a capture that ends before
      // the answer.
      EXPECT_EQ(rec.anomalies & ~uint32_t{kGap | kResync | kNoResponse}, 0u) << name << " stream " << stream << ": " << json(rec);
      if (has(rec.anomalies, kResync)) {
        EXPECT_TRUE(has(rec.anomalies, kGap)) << json(rec);
      }
    }
  }
  EXPECT_EQ(our_requests, theirs.requests) << name;
  EXPECT_EQ(our_responses, theirs.responses) << name;
  if (transactions) *transactions = n;
}

TEST(HttpTshark, BroOrg) {
  size_t n = 0;
  compare_with_tshark("zeek-http-bro-org.pcap", &n);
  EXPECT_GE(n, 30u);
}
TEST(HttpTshark, PcapPlusPlusHttpPackets) { compare_with_tshark("ppp-http-packets.pcap"); }
TEST(HttpTshark, Post) { compare_with_tshark("zeek-http-post.pcap"); }
TEST(HttpTshark, DvwaClearLogin) { compare_with_tshark("chrissanders-http-dvwa-clearlogin.pcapng"); }
TEST(HttpTshark, BasicAuthColon) { compare_with_tshark("zeek-http-basic-auth-colon.pcap"); }
TEST(HttpTshark, CryptowallC2) { compare_with_tshark("chrissanders-cryptowall4-c2.pcapng"); }
TEST(HttpTshark, QinQ) { compare_with_tshark("zeek-http-qinq.pcap"); }
TEST(HttpTshark, FragmentedRequest) { compare_with_tshark("ppp-frag-http-req.pcap"); }

// Splitting the stream at every byte boundary must not change a single record.
TEST(HttpTshark, ByteAtATimeGivesTheSameRecords) {
  if (!testing::have_tool("tshark")) GTEST_SKIP() << "tshark not installed";
  for (const char* name : {"zeek-http-bro-org.pcap", "chrissanders-http-dvwa-clearlogin.pcapng",
                           "zeek-http-basic-auth-colon.pcap", "chrissanders-cryptowall4-c2.pcapng",
                           "zeek-http-post.pcap"}) {
    auto whole = analyze_capture(testing::shared_pcap(name));
    ASSERT_FALSE(whole.empty()) << name;
    for (auto& [stream, r] : whole) {
      Collector bytewise = feed(r.chunks, 1);
      EXPECT_EQ(all_json(bytewise), all_json(r.records)) << name << " stream " << stream;
      Collector odd = feed(r.chunks, 7);
      EXPECT_EQ(all_json(odd), all_json(r.records)) << name << " stream " << stream;
    }
  }
}

// Body lengths: what tshark reassembles as the entity (http.content_length for Content-Length bodies).
TEST(HttpTshark, BodyLengthsMatchContentLength) {
  if (!testing::have_tool("tshark")) GTEST_SKIP() << "tshark not installed";
  std::string pcap = testing::shared_pcap("zeek-http-bro-org.pcap");
  auto ours = analyze_capture(pcap);
  std::map<int, std::vector<std::string>> theirs;
  auto r = testing::run("tshark -n -r " + testing::shell_quote(pcap) +
                        " -Y 'http.response and http.content_length' -T fields -e tcp.stream -e http.content_length 2>/dev/null");
  for (const auto& l : lines(r.out)) {
    auto f = split(l, '\t');
    if (f.size() == 2) theirs[std::stoi(f[0])].push_back(f[1]);
  }
  ASSERT_FALSE(theirs.empty());
  std::map<int, std::vector<std::string>> mine;
  for (const auto& [stream, s] : ours)
    for (const auto& rec : s.records.http)  // tshark has no length for the response with a hole (see above)
      if (rec.has_response && rec.status_code != 304 && !has(rec.anomalies, kGap))
        mine[stream].push_back(std::to_string(rec.response_body_len));
  EXPECT_EQ(mine, theirs);
}

TEST(HttpTshark, BasicAuthCredentialsMatchTshark) {
  if (!testing::have_tool("tshark")) GTEST_SKIP() << "tshark not installed";
  std::string pcap = testing::shared_pcap("zeek-http-basic-auth-colon.pcap");
  // tshark -z credentials names the user; http.authbasic holds "user:password".
  auto cred = testing::run("tshark -n -q -r " + testing::shell_quote(pcap) + " -z credentials 2>/dev/null");
  auto basic = testing::run("tshark -n -r " + testing::shell_quote(pcap) +
                            " -Y http.authbasic -T fields -e http.authbasic 2>/dev/null");
  auto tl = lines(basic.out);
  ASSERT_EQ(tl.size(), 1u);
  std::string user = tl[0].substr(0, tl[0].find(':')), password = tl[0].substr(tl[0].find(':') + 1);
  EXPECT_NE(cred.out.find("HTTP basic auth  " + user), std::string::npos) << cred.out;
  auto ours = analyze_capture(pcap);
  std::vector<AuthRecord> auth;
  for (auto& [stream, r] : ours) auth.insert(auth.end(), r.records.auth.begin(), r.records.auth.end());
  ASSERT_EQ(auth.size(), 1u);
  EXPECT_EQ(auth[0].app, "http");
  EXPECT_EQ(auth[0].method, "basic");
  EXPECT_EQ(auth[0].user, user);
  EXPECT_EQ(auth[0].password, password);
  EXPECT_EQ(password, "1:34");  // the colon inside the password survives
  EXPECT_EQ(auth[0].outcome, AuthOutcome::kSuccess);  // answered 200
  auto status = testing::run("tshark -n -r " + testing::shell_quote(pcap) +
                             " -Y http.response -T fields -e http.response.version -e http.response.code"
                             " -e http.response.phrase -E separator=/s 2>/dev/null");
  EXPECT_EQ(auth[0].reply + "\n", status.out);  // reply = the status line
}

// tshark -z credentials reports nothing for form logins; the DVWA login was checked by hand: POST
// /dvwa/login.php with username=admin&password=password, answered 302 Location: index.php (the way in).
TEST(HttpTshark, DvwaFormLogin) {
  if (!testing::have_tool("tshark")) GTEST_SKIP() << "tshark not installed";
  std::string pcap = testing::shared_pcap("chrissanders-http-dvwa-clearlogin.pcapng");
  auto cred = testing::run("tshark -n -q -r " + testing::shell_quote(pcap) + " -z credentials 2>/dev/null");
  auto body = testing::run("tshark -n -r " + testing::shell_quote(pcap) +
                           " -Y 'http.request.method == \"POST\"' -T fields -e http.file_data 2>/dev/null");
  ASSERT_NE(body.out.find("username=admin&password=password"), std::string::npos);
  auto ours = analyze_capture(pcap);
  std::vector<AuthRecord> auth;
  for (auto& [stream, r] : ours) auth.insert(auth.end(), r.records.auth.begin(), r.records.auth.end());
  ASSERT_EQ(auth.size(), 1u);
  EXPECT_EQ(auth[0].method, "form");
  EXPECT_EQ(auth[0].user, "admin");
  EXPECT_EQ(auth[0].password, "password");
  EXPECT_EQ(auth[0].outcome, AuthOutcome::kSuccess);
  EXPECT_EQ(auth[0].reply, "HTTP/1.1 302 Found");
  // The other captures carry no login: tshark agrees (no credentials) and so must we.
  for (const char* name : {"zeek-http-bro-org.pcap", "zeek-http-post.pcap", "chrissanders-cryptowall4-c2.pcapng"}) {
    auto c = analyze_capture(testing::shared_pcap(name));
    for (auto& [stream, r] : c) EXPECT_TRUE(r.records.auth.empty()) << name << ": " << json(r.records.auth[0]);
  }
}

// ---------------------------------------------------------------------------------------------------
// Framing, hand-built.

std::string req(const std::string& method, const std::string& uri, const std::string& extra = "",
                const std::string& body = "") {
  std::string s = method + " " + uri + " HTTP/1.1\r\nHost: example.com\r\n" + extra;
  if (!body.empty()) s += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  return s + "\r\n" + body;
}
std::string resp(int code, const std::string& reason, const std::string& extra = "", const std::string& body = "",
                 bool length = true) {
  std::string s = "HTTP/1.1 " + std::to_string(code) + " " + reason + "\r\n" + extra;
  if (length) s += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  return s + "\r\n" + body;
}

// Every hand-built case must give the same records whole and one byte at a time.
Collector feed_checked(const std::vector<Chunk>& chunks) {
  Collector whole = feed(chunks);
  Collector bytes = feed(chunks, 1);
  EXPECT_EQ(all_json(bytes), all_json(whole));
  return whole;
}

TEST(HttpFraming, PipelinedRequestsPairInOrderAndHeadHasNoBody) {
  auto c = feed_checked({
      {Dir::kOrig, req("GET", "/a") + req("HEAD", "/b") + req("POST", "/c", "", "x=1")},
      {Dir::kResp, resp(200, "OK", "", "hello") + resp(200, "OK", "Content-Length: 999\r\n", "", false) +
                       resp(404, "Not Found", "Content-Type: text/plain\r\n", "nope")},
  });
  ASSERT_EQ(c.http.size(), 3u);
  EXPECT_EQ(c.http[0].uri, "/a");
  EXPECT_EQ(c.http[0].status_code, 200);
  EXPECT_EQ(c.http[0].response_body_len, 5u);
  EXPECT_EQ(c.http[1].method, "HEAD");
  EXPECT_EQ(c.http[1].response_body_len, 0u);  // Content-Length 999 describes the GET it stands for
  EXPECT_EQ(c.http[2].uri, "/c");
  EXPECT_EQ(c.http[2].request_body_len, 3u);
  EXPECT_EQ(c.http[2].status_code, 404);
  EXPECT_EQ(c.http[2].status_msg, "Not Found");
  EXPECT_EQ(c.http[2].content_type, "text/plain");
  EXPECT_EQ(c.http[2].trans_depth, 3u);
  for (const auto& r : c.http) EXPECT_EQ(r.anomalies, 0u) << json(r);
  EXPECT_EQ(c.http[2].origin.frame, 2u);  // completed by the second packet
}

TEST(HttpFraming, ChunkedBodiesWithExtensionsAndTrailers) {
  std::string chunked = "5;name=x\r\nhello\r\n0b\r\n world 1234\r\n0\r\nX-Trailer: y\r\n\r\n";
  auto c = feed_checked({
      {Dir::kOrig, req("POST", "/up", "Transfer-Encoding: chunked\r\n") + "3\r\nabc\r\n0\r\n\r\n" + req("GET", "/next")},
      {Dir::kResp, resp(200, "OK", "Transfer-Encoding: gzip, chunked\r\n", "", false) + chunked + resp(200, "OK", "", "z")},
  });
  ASSERT_EQ(c.http.size(), 2u);
  EXPECT_EQ(c.http[0].request_body_len, 3u);
  EXPECT_EQ(c.http[0].response_body_len, 16u);
  EXPECT_EQ(c.http[1].uri, "/next");
  EXPECT_EQ(c.http[1].response_body_len, 1u);
  for (const auto& r : c.http) EXPECT_EQ(r.anomalies, 0u) << json(r);
}

TEST(HttpFraming, HundredContinueDoesNotConsumeTheRequest) {
  auto c = feed_checked({
      {Dir::kOrig, "PUT /f HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n"},
      {Dir::kResp, "HTTP/1.1 100 Continue\r\n\r\n"},
      {Dir::kOrig, "data"},
      {Dir::kResp, resp(201, "Created", "Location: /f\r\n", "")},
      {Dir::kOrig, req("GET", "/g")},
      {Dir::kResp, resp(200, "OK", "", "gg")},
  });
  ASSERT_EQ(c.http.size(), 2u);
  EXPECT_EQ(c.http[0].info_code, 100);
  EXPECT_EQ(c.http[0].info_msg, "Continue");
  EXPECT_EQ(c.http[0].status_code, 201);
  EXPECT_EQ(c.http[0].request_body_len, 4u);
  EXPECT_EQ(c.http[0].location, "/f");
  EXPECT_EQ(c.http[1].status_code, 200);
  EXPECT_EQ(c.http[1].info_code, 0);
}

TEST(HttpFraming, NoBodyFor204And304AndReadUntilClose) {
  auto c = feed_checked({
      {Dir::kOrig, req("GET", "/1") + req("GET", "/2") + req("GET", "/3")},
      {Dir::kResp, "HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 304 Not Modified\r\n\r\n"
                   "HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\nuntil the end\r\n\r\nHTTP/1.1 200 not a response"},
  });
  ASSERT_EQ(c.http.size(), 3u);
  EXPECT_EQ(c.http[0].status_code, 204);
  EXPECT_EQ(c.http[1].status_code, 304);
  EXPECT_EQ(c.http[2].response_body_len, 44u);  // everything up to the close belongs to the body
  EXPECT_EQ(c.http[2].anomalies, 0u) << json(c.http[2]);
}

TEST(HttpFraming, ConnectTunnelIsHandedToTls) {
  bool tls = false;
  auto c = feed({
                    {Dir::kOrig, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"},
                    {Dir::kResp, "HTTP/1.1 200 Connection established\r\n\r\n"},
                    {Dir::kOrig, std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11)},
                    {Dir::kResp, std::string("\x16\x03\x03\x00\x5a", 5)},
                },
                0, &tls);
  EXPECT_TRUE(tls);
  ASSERT_EQ(c.http.size(), 1u);
  EXPECT_EQ(c.http[0].method, "CONNECT");
  EXPECT_EQ(c.http[0].uri, "example.com:443");
  EXPECT_EQ(c.http[0].status_code, 200);
  EXPECT_EQ(c.http[0].anomalies, uint32_t{kTunnel});
}

TEST(HttpFraming, WebSocketUpgradeStopsParsing) {
  bool tls = true;
  auto c = feed({{Dir::kOrig, req("GET", "/ws", "Upgrade: websocket\r\nConnection: Upgrade\r\n")},
                 {Dir::kResp, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x05hello"},
                 {Dir::kOrig, "\x81\x85garbage that is not http"}},
                0, &tls);
  EXPECT_FALSE(tls);
  ASSERT_EQ(c.http.size(), 1u);
  EXPECT_EQ(c.http[0].status_code, 101);
  EXPECT_TRUE(has(c.http[0].anomalies, kTunnel));
}

// ---------------------------------------------------------------------------------------------------
// Hostile and broken input.

TEST(HttpHostile, GarbageThenResyncOnNextRequestLine) {
  auto c = feed_checked({
      {Dir::kOrig, std::string("\x00\x01\x02 binary junk\r\nmore junk\r\n", 28) + req("GET", "/after")},
      {Dir::kResp, resp(200, "OK", "", "ok")},
  });
  ASSERT_EQ(c.http.size(), 1u);
  EXPECT_EQ(c.http[0].uri, "/after");
  EXPECT_TRUE(has(c.http[0].anomalies, kBadRequestLine));
  EXPECT_TRUE(has(c.http[0].anomalies, kResync));
  EXPECT_EQ(c.http[0].status_code, 200);
}

TEST(HttpHostile, HeaderBlockOverCapIsDroppedAndTheNextRequestParsed) {
  std::string huge = "GET /big HTTP/1.1\r\nHost: h\r\n";
  while (huge.size() < kMaxHeaderBlock + 100) huge += "X-Filler: " + std::string(100, 'a') + "\r\n";
  huge += "\r\n";
  auto c = feed_checked({{Dir::kOrig, huge + req("GET", "/small")}, {Dir::kResp, resp(200, "OK", "", "")}});
  ASSERT_EQ(c.http.size(), 1u);
  EXPECT_EQ(c.http[0].uri, "/small");
  EXPECT_TRUE(has(c.http[0].anomalies, kHeaderTooLong));
}

TEST(HttpHostile, TooManyHeadersAreCountedNotKept) {
  std::string extra;
  for (int i = 0; i < 300; ++i) extra += "X-" + std::to_string(i) + ": v\r\n";
  auto c = feed_checked({{Dir::kOrig, req("GET", "/many", extra + "User-Agent: late\r\n")}});
  ASSERT_EQ(c.http.size(), 1u);
  EXPECT_TRUE(has(c.http[0].anomalies, kTooManyHeaders));
  EXPECT_TRUE(has(c.http[0].anomalies, kNoResponse));
  EXPECT_EQ(c.http[0].user_agent, "");  // past the cap
}

TEST(HttpHostile, BadContentLengthAndBadChunk) {
  auto c = feed_checked({
      {Dir::kOrig, "POST /x HTTP/1.1\r\nContent-Length: 12abc\r\n\r\n" + req("GET", "/y") + req("GET", "/z")},
      {Dir::kResp, resp(400, "Bad Request", "", "") + "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n" +
                       resp(200, "OK", "", "fine")},
  });
  ASSERT_EQ(c.http.size(), 3u);
  EXPECT_TRUE(has(c.http[0].anomalies, kBadContentLength));
  EXPECT_EQ(c.http[0].status_code, 400);
  EXPECT_EQ(c.http[1].uri, "/y");
  EXPECT_TRUE(has(c.http[1].anomalies, kBadChunk));
  EXPECT_EQ(c.http[2].uri, "/z");
  EXPECT_EQ(c.http[2].response_body_len, 4u);
  EXPECT_TRUE(has(c.http[2].anomalies, kResync));  // the response side resynced on its status line
}

TEST(HttpHostile, GapInsideABodyIsCountedAndParsingGoesOn) {
  auto c = feed({
      {Dir::kOrig, req("GET", "/a") + req("GET", "/b")},
      {Dir::kResp, resp(200, "OK", "", std::string(100, 'x')).substr(0, 60)},
      {Dir::kResp, "", 30},
      {Dir::kResp, resp(200, "OK", "", std::string(100, 'x')).substr(90) + resp(200, "OK", "", "b")},
  });
  ASSERT_EQ(c.http.size(), 2u);
  EXPECT_EQ(c.http[0].missing_bytes, 30u);
  EXPECT_TRUE(has(c.http[0].anomalies, kGap));
  EXPECT_EQ(c.http[0].response_body_len, 70u);
  EXPECT_EQ(c.http[1].status_code, 200);
  EXPECT_EQ(c.http[1].response_body_len, 1u);
  EXPECT_EQ(c.http[1].anomalies, 0u);
}

TEST(HttpHostile, GapAcrossAMessageBoundaryResyncs) {
  auto c = feed({
      {Dir::kOrig, req("GET", "/a") + req("GET", "/b") + req("GET", "/c")},
      {Dir::kResp, resp(200, "OK", "", "aaaa").substr(0, resp(200, "OK", "", "aaaa").size() - 2)},
      {Dir::kResp, "", 200},  // the end of the first body and the start of the second response are lost
      {Dir::kResp, "junk tail\r\n" + resp(200, "OK", "", "cc")},
  });
  ASSERT_EQ(c.http.size(), 3u);
  EXPECT_TRUE(has(c.http[0].anomalies, kGap));
  EXPECT_TRUE(has(c.http[1].anomalies, kResync));  // the next status line found pairs with /b
  EXPECT_TRUE(has(c.http[2].anomalies, kNoResponse));
}

TEST(HttpHostile, TruncatedConnectionAndResponseWithoutRequest) {
  auto c = feed_checked({{Dir::kResp, resp(200, "OK", "", "abc")},
                         {Dir::kOrig, req("POST", "/p", "Content-Length: 100\r\n").substr(0, 50)}});
  ASSERT_GE(c.http.size(), 1u);
  EXPECT_TRUE(has(c.http[0].anomalies, kNoRequest));
  EXPECT_EQ(c.http[0].version, "1.1");
  // The half request never completed its header block: nothing to record for it.
  EXPECT_EQ(c.http.size(), 1u);
  auto d = feed_checked({{Dir::kOrig, req("POST", "/p", "Content-Length: 100\r\n") + "only part"}});
  ASSERT_EQ(d.http.size(), 1u);
  EXPECT_TRUE(has(d.http[0].anomalies, kUnfinished));
  EXPECT_EQ(d.http[0].request_body_len, 9u);
}

TEST(HttpHostile, PipelineOverflowKeepsLaterPairsAligned) {
  std::string reqs, resps;
  for (size_t i = 0; i < kMaxPending + 8; ++i) {
    reqs += req("GET", "/" + std::to_string(i));
    resps += resp(200, "OK", "", std::to_string(i));
  }
  auto c = feed_checked({{Dir::kOrig, reqs}, {Dir::kResp, resps}, {Dir::kOrig, req("GET", "/last")},
                         {Dir::kResp, resp(404, "Not Found", "", "")}});
  ASSERT_EQ(c.http.size(), kMaxPending + 1);
  for (size_t i = 0; i < kMaxPending; ++i) EXPECT_EQ(c.http[i].response_body_len, std::to_string(i).size());
  EXPECT_EQ(c.http.back().uri, "/last");
  EXPECT_EQ(c.http.back().status_code, 404);
}

TEST(HttpHostile, GivesUpAfterTooMuchGarbage) {
  // Junk lines cost one resync, not one each; 40 unframeable requests are 40 malformed messages.
  std::string junk;
  for (int i = 0; i < 100; ++i) junk += "\x01junk line\r\n";
  for (int i = 0; i < 40; ++i) junk += "GET /" + std::to_string(i) + " HTTP/1.1\r\nContent-Length: zz\r\n\r\n";
  auto c = feed_checked({{Dir::kOrig, junk + req("GET", "/never")}});
  // The junk is the first malformed message; the 32nd bad request is recorded, then the direction is
  // given up (33 > kMaxMalformed) and nothing after it is parsed.
  ASSERT_EQ(c.http.size(), 32u);
  for (const auto& r : c.http) {
    EXPECT_TRUE(has(r.anomalies, kBadContentLength));
    EXPECT_TRUE(has(r.anomalies, kGaveUp));
    EXPECT_NE(r.uri, "/never");
  }
}

// ---------------------------------------------------------------------------------------------------
// Logins.

AuthRecord one_login(const std::vector<Chunk>& chunks) {
  auto c = feed_checked(chunks);
  EXPECT_EQ(c.auth.size(), 1u) << all_json(c);
  return c.auth.empty() ? AuthRecord{} : c.auth[0];
}

std::string form(const std::string& uri, const std::string& body, const std::string& type = "application/x-www-form-urlencoded") {
  return req("POST", uri, "Content-Type: " + type + "\r\n", body);
}

TEST(HttpLogin, BasicFailureThenSuccessAndRepeatsAreNotAttempts) {
  // "admin:secret" and "admin:wrong"
  auto c = feed_checked({
      {Dir::kOrig, req("GET", "/admin", "Authorization: Basic YWRtaW46d3Jvbmc=\r\n")},
      {Dir::kResp, resp(401, "Unauthorized", "WWW-Authenticate: Basic realm=\"x\"\r\n", "")},
      {Dir::kOrig, req("GET", "/admin", "Authorization: Basic YWRtaW46c2VjcmV0\r\n")},
      {Dir::kResp, resp(200, "OK", "", "in")},
      {Dir::kOrig, req("GET", "/admin/style.css", "Authorization: Basic YWRtaW46c2VjcmV0\r\n")},
      {Dir::kResp, resp(200, "OK", "", "css")},
  });
  ASSERT_EQ(c.auth.size(), 2u);
  EXPECT_EQ(c.auth[0].password, "wrong");
  EXPECT_EQ(c.auth[0].outcome, AuthOutcome::kFailure);
  EXPECT_EQ(c.auth[0].reply, "HTTP/1.1 401 Unauthorized");
  EXPECT_EQ(c.auth[1].password, "secret");
  EXPECT_EQ(c.auth[1].outcome, AuthOutcome::kSuccess);
  EXPECT_EQ(c.http.size(), 3u);
  // Masked unless --show-passwords.
  EXPECT_EQ(json(c.auth[1], false).find("secret"), std::string::npos);
}

TEST(HttpLogin, DigestUserWithoutPassword) {
  auto a = one_login({{Dir::kOrig, req("GET", "/d", "Authorization: Digest username=\"bob\", realm=\"r\", nonce=\"n\"\r\n")},
                      {Dir::kResp, resp(401, "Unauthorized", "", "")}});
  EXPECT_EQ(a.method, "digest");
  EXPECT_EQ(a.user, "bob");
  EXPECT_FALSE(a.password_seen);
  EXPECT_EQ(a.outcome, AuthOutcome::kFailure);
}

TEST(HttpLogin, FormRedirectBackToLoginPageIsFailure) {
  auto a = one_login({{Dir::kOrig, form("/dvwa/login.php", "username=admin&password=bad%21pass&Login=Login")},
                      {Dir::kResp, resp(302, "Found", "Location: login.php\r\n", "")}});
  EXPECT_EQ(a.user, "admin");
  EXPECT_EQ(a.password, "bad!pass");
  EXPECT_EQ(a.outcome, AuthOutcome::kFailure);
  EXPECT_EQ(a.confidence, "medium");
}

TEST(HttpLogin, FormRedirectWithErrorWordIsFailureElsewhereIsSuccess) {
  auto f = one_login({{Dir::kOrig, form("/session", "user=al+ice&pass=x")},
                      {Dir::kResp, resp(303, "See Other", "Location: http://h/home?error=1\r\n", "")}});
  EXPECT_EQ(f.user, "al ice");
  EXPECT_EQ(f.outcome, AuthOutcome::kFailure);
  auto s = one_login({{Dir::kOrig, form("/wp-login.php", "log=editor&pwd=pw123&wp-submit=Log+In")},
                      {Dir::kResp, resp(302, "Found", "Location: https://blog.example/wp-admin/\r\n", "")}});
  EXPECT_EQ(s.user, "editor");
  EXPECT_EQ(s.password, "pw123");
  EXPECT_EQ(s.outcome, AuthOutcome::kSuccess);
}

TEST(HttpLogin, FormServedAgainIsFailure) {
  std::string page = "<html><form method=post><input name=uname><input TYPE=\"password\" name=upass></form></html>";
  auto a = one_login({{Dir::kOrig, form("/login", "uname=root&upass=toor")},
                      {Dir::kResp, resp(200, "OK", "Content-Type: text/html\r\n", page)}});
  EXPECT_EQ(a.user, "root");
  EXPECT_EQ(a.password, "toor");
  EXPECT_EQ(a.outcome, AuthOutcome::kFailure);
}

TEST(HttpLogin, ExplicitTextDecidesIncludingChinese) {
  auto fail = one_login({{Dir::kOrig, form("/cgi/login", "email=a%40b.cn&passwd=123456")},
                         {Dir::kResp, resp(200, "OK", "Content-Type: text/html; charset=utf-8\r\n",
                                           "<p>\xe5\xaf\x86\xe7\xa0\x81\xe9\x94\x99\xe8\xaf\xaf</p>")}});  // 密码错误
  EXPECT_EQ(fail.user, "a@b.cn");
  EXPECT_EQ(fail.outcome, AuthOutcome::kFailure);
  auto ok = one_login({{Dir::kOrig, form("/cgi/login", "email=a%40b.cn&passwd=right")},
                       {Dir::kResp, resp(200, "OK", "", "<a href=/logout>Logout</a> Welcome back")}});
  EXPECT_EQ(ok.outcome, AuthOutcome::kSuccess);
  auto unknown = one_login({{Dir::kOrig, form("/cgi/login", "login=x&pwd=y")},
                            {Dir::kResp, resp(200, "OK", "", "{\"ok\":1}")}});
  EXPECT_EQ(unknown.outcome, AuthOutcome::kUnknown);
}

TEST(HttpLogin, JsonBodyAndStatus401) {
  auto a = one_login({{Dir::kOrig, form("/api/auth", "{\"user\": {\"username\": \"j\\u00f6rg\", \"password\": \"p\\\"w\"}}",
                                        "application/json")},
                      {Dir::kResp, resp(401, "Unauthorized", "Content-Type: application/json\r\n", "{}")}});
  EXPECT_EQ(a.user, "j\xc3\xb6rg");
  EXPECT_EQ(a.password, "p\"w");
  EXPECT_EQ(a.outcome, AuthOutcome::kFailure);
  EXPECT_EQ(a.confidence, "high");
}

TEST(HttpLogin, GetFormInQueryAndChunkedGzipAnswer) {
  // DVWA's brute-force page is a GET form; the answer here is gzip in chunks.
  std::string page = "<html><body>Welcome to the password protected area admin</body></html>";
  std::string gz(256, '\0');
  z_stream z{};
  deflateInit2(&z, 9, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY);
  z.next_in = reinterpret_cast<Bytef*>(page.data());
  z.avail_in = static_cast<uInt>(page.size());
  z.next_out = reinterpret_cast<Bytef*>(gz.data());
  z.avail_out = static_cast<uInt>(gz.size());
  deflate(&z, Z_FINISH);
  gz.resize(gz.size() - z.avail_out);
  deflateEnd(&z);
  char size_line[16];
  std::snprintf(size_line, sizeof size_line, "%zx\r\n", gz.size() - 10);
  std::string body = "a\r\n" + gz.substr(0, 10) + "\r\n" + size_line + gz.substr(10) + "\r\n0\r\n\r\n";
  auto a = one_login({{Dir::kOrig, req("GET", "/vulnerabilities/brute/?username=admin&password=letmein&Login=Login")},
                      {Dir::kResp, resp(200, "OK", "Content-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n", body, false)}});
  EXPECT_EQ(a.user, "admin");
  EXPECT_EQ(a.password, "letmein");
  EXPECT_EQ(a.outcome, AuthOutcome::kSuccess);
}

TEST(HttpLogin, PlainPostsAndGetsAreNotLogins) {
  auto c = feed_checked({{Dir::kOrig, form("/search", "q=password+reset&page=2") + req("GET", "/?user=x")},
                         {Dir::kResp, resp(200, "OK", "", "") + resp(200, "OK", "", "")}});
  EXPECT_TRUE(c.auth.empty());
  EXPECT_EQ(c.http.size(), 2u);
}

TEST(HttpLogin, NoResponseIsUnknown) {
  auto a = one_login({{Dir::kOrig, form("/login", "username=a&password=b")}});
  EXPECT_EQ(a.outcome, AuthOutcome::kUnknown);
  EXPECT_EQ(a.reply, "");
}

TEST(HttpLogin, FieldNames) {
  struct Case { std::string body; std::string user, password; };
  std::vector<Case> cases = {
      {"username=u&password=p", "u", "p"},
      {"uname=u&upass=p", "u", "p"},
      {"user=u&pass=p", "u", "p"},
      {"login=u&pwd=p", "u", "p"},
      {"email=u&passwd=p", "u", "p"},
      {"log=u&pwd=p", "u", "p"},
      {"USERNAME=u&Password=p", "u", "p"},
      {"j_username=u&j_password=p", "u", "p"},
      {"ctl00%24Main%24txtUserName=u&ctl00%24Main%24txtPassword=p", "u", "p"},
      {"session%5Blogin%5D=u&session%5Bpassword%5D=p", "u", "p"},
      {"Login=Login&username=u&password=p", "u", "p"},  // the submit button named Login is not the user
      {"password=p&password_confirmation=q&user_name=u", "u", "p"},
  };
  for (const auto& c : cases) {
    Credentials cr;
    ASSERT_TRUE(form_credentials(c.body, false, cr)) << c.body;
    EXPECT_EQ(cr.user, c.user) << c.body;
    EXPECT_EQ(cr.password, c.password) << c.body;
  }
  Credentials none;
  EXPECT_FALSE(form_credentials("q=1&user=2", false, none));
  EXPECT_FALSE(form_credentials("{\"password\"", true, none));  // cut JSON: no value
}

TEST(HttpLogin, BasicDecoding) {
  Credentials c;
  ASSERT_TRUE(decode_basic("Basic dGVzdDoxOjM0", c));
  EXPECT_EQ(c.user, "test");
  EXPECT_EQ(c.password, "1:34");
  EXPECT_FALSE(decode_basic("Basic !!!", c));
  EXPECT_FALSE(decode_basic("Bearer abc", c));
  ASSERT_TRUE(decode_basic("basic dXNlcm9ubHk=", c));  // "useronly": no colon, no password
  EXPECT_EQ(c.user, "useronly");
  EXPECT_FALSE(c.has_password);
}

// ---------------------------------------------------------------------------------------------------
// Parser pieces and the probe.

TEST(HttpParser, RequestAndStatusLines) {
  RequestLine rl;
  EXPECT_EQ(parse_request_line("GET /a b HTTP/1.1", rl), Parse::kComplete);
  EXPECT_EQ(rl.uri, "/a b");
  EXPECT_EQ(rl.version, "1.1");
  EXPECT_EQ(parse_request_line("GET /", rl), Parse::kMalformed);
  EXPECT_EQ(rl.method, "GET");
  EXPECT_EQ(parse_request_line("\x16\x03\x01", rl), Parse::kMalformed);
  EXPECT_TRUE(rl.method.empty());
  StatusLine sl;
  EXPECT_EQ(parse_status_line("HTTP/1.0 404 Not Found", sl), Parse::kComplete);
  EXPECT_EQ(sl.code, 404);
  EXPECT_EQ(sl.reason, "Not Found");
  EXPECT_EQ(parse_status_line("HTTP/1.1 200", sl), Parse::kComplete);
  EXPECT_EQ(parse_status_line("HTTP/1.1 2x0 OK", sl), Parse::kMalformed);
  EXPECT_EQ(parse_status_line("HTTP/1.1 200OK", sl), Parse::kMalformed);
  uint64_t size = 0;
  EXPECT_EQ(parse_chunk_size("1A;ext=1", size), Parse::kComplete);
  EXPECT_EQ(size, 26u);
  EXPECT_EQ(parse_chunk_size("ffffffffffffffffff", size), Parse::kMalformed);
  EXPECT_EQ(parse_chunk_size("", size), Parse::kMalformed);
  Headers h;
  parse_headers("Content-Length: 5\r\nContent-Length: 6\r\n\r\n", h, 10);
  EXPECT_TRUE(h.bad_content_length);
  parse_headers("transfer-encoding: gzip, Chunked\r\nnocolon\r\n\r\n", h, 10);
  EXPECT_TRUE(h.chunked);
  EXPECT_TRUE(h.bad_line);
}

TEST(HttpParser, Probe) {
  auto p = [](const std::string& s, Dir d) { return probe(bytes_of(s), d); };
  EXPECT_EQ(p("GET / HTTP/1.1\r\nHost: x\r\n", Dir::kOrig), Match::kYes);
  EXPECT_EQ(p("PROPFIND /dav HTTP/1.1\r\n", Dir::kOrig), Match::kYes);
  EXPECT_EQ(p("FOO /x HTTP/1.0\r\n", Dir::kOrig), Match::kYes);  // an unknown method with a full request line
  EXPECT_EQ(p("GE", Dir::kOrig), Match::kMaybe);
  EXPECT_EQ(p("POST /very/long", Dir::kOrig), Match::kMaybe);
  EXPECT_EQ(p("OPTIONS rtsp://cam/ RTSP/1.0\r\n", Dir::kOrig), Match::kNo);
  EXPECT_EQ(p("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", Dir::kOrig), Match::kNo);
  EXPECT_EQ(p("EHLO mail\r\n", Dir::kOrig), Match::kNo);
  EXPECT_EQ(p("\x16\x03\x01\x00", Dir::kOrig), Match::kNo);
  EXPECT_EQ(p("HTTP/1.1 200 OK\r\n", Dir::kResp), Match::kYes);
  EXPECT_EQ(p("HTTP", Dir::kResp), Match::kMaybe);
  EXPECT_EQ(p("220 smtp ready\r\n", Dir::kResp), Match::kNo);
  EXPECT_EQ(kHttpAnalyzer.name, "http");
  EXPECT_EQ(kHttpAnalyzer.transport, 6);
  EXPECT_NE(std::find(kHttpAnalyzer.ports.begin(), kHttpAnalyzer.ports.end(), 8080), kHttpAnalyzer.ports.end());
}

TEST(HttpRecordOut, JsonColumns) {
  auto c = feed({{Dir::kOrig, req("GET", "/j", "User-Agent: ua\r\nReferer: http://r/\r\n")},
                 {Dir::kResp, resp(301, "Moved", "Location: /k\r\nContent-Type: text/html\r\n", "xy")}});
  ASSERT_EQ(c.http.size(), 1u);
  std::string j = json(c.http[0]);
  for (const char* field : {"\"method\":\"GET\"", "\"host\":\"example.com\"", "\"uri\":\"/j\"", "\"version\":\"1.1\"",
                            "\"user_agent\":\"ua\"", "\"referer\":\"http://r/\"", "\"status_code\":301",
                            "\"status_msg\":\"Moved\"", "\"location\":\"/k\"", "\"response_body_len\":2",
                            "\"request_body_len\":0", "\"anomalies\":null", "\"trans_depth\":1", "\"frame\":2"})
    EXPECT_NE(j.find(field), std::string::npos) << field << " in " << j;
}

}  // namespace
}  // namespace trawl::proto::http
