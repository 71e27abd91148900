#include <gtest/gtest.h>

#include <ctime>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "proto/stream_test_support.h"
#include "proto/tls/tls_analyzer.h"
#include "support/follow.h"
#include "support/testing.h"

namespace trawl::proto::tls {
namespace {

using nlohmann::json;
using testing::bytes_of;
using testing::Chunk;
using trawl::testing::have_tool;
using trawl::testing::run;
using trawl::testing::shared_pcap;
using trawl::testing::shell_quote;

// Feeds the chunks cut into `step`-byte pieces (0: whole); returns the records.
std::vector<json> feed(const std::vector<Chunk>& chunks, size_t step = 0) {
  std::vector<json> records;
  for (const auto& line : testing::feed(kTlsAnalyzer, chunks, step).sink.lines) records.push_back(json::parse(line));
  return records;
}

// ---- hand-built handshakes ----

struct Builder {
  std::string b;
  void u8(int v) { b.push_back(char(v)); }
  void u16(int v) { u8(v >> 8), u8(v & 0xff); }
  void u24(int v) { u8(v >> 16), u16(v & 0xffff); }
  void bytes(const std::string& s) { b += s; }
};

std::string record(int type, const std::string& body, int version = 0x0303) {
  Builder r;
  r.u8(type), r.u16(version), r.u16(int(body.size()));
  return r.b + body;
}
std::string handshake(int type, const std::string& body) {
  Builder h;
  h.u8(type), h.u24(int(body.size()));
  return h.b + body;
}
std::string ext(int type, const std::string& data) {
  Builder e;
  e.u16(type), e.u16(int(data.size()));
  return e.b + data;
}
std::string u16list(const std::vector<int>& v, int len_bytes = 2) {
  Builder b;
  if (len_bytes == 2) b.u16(int(v.size() * 2));
  else b.u8(int(v.size() * 2));
  for (int x : v) b.u16(x);
  return b.b;
}

// The ClientHello of FoxIO's JA4 example (technical_details/JA4.md): 15 ciphers, 16 extensions in the
// given order, ALPN h2, TLS 1.3 in supported_versions, 8 signature algorithms; plus GREASE everywhere.
std::string example_client_hello(const std::string& sni = "example.com") {
  const std::vector<int> ciphers = {0x0a0a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9,
                                    0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035};
  std::string exts = ext(0x2a2a, "");
  for (int e : {0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d, 0x0005, 0x0023, 0x0012, 0x002b,
                0xff01, 0x000b, 0x000a, 0x0015}) {
    Builder d;
    switch (e) {
      case 0x0000: d.u16(int(sni.size() + 3)), d.u8(0), d.u16(int(sni.size())), d.bytes(sni); break;
      case 0x0010: d.u16(12), d.u8(2), d.bytes("h2"), d.u8(8), d.bytes("http/1.1"); break;
      case 0x002b: d.bytes(u16list({0x3a3a, 0x0304, 0x0303}, 1)); break;
      case 0x000d: d.bytes(u16list({0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601})); break;
      case 0x000a: d.bytes(u16list({0x4a4a, 0x001d, 0x0017, 0x0018})); break;
      case 0x000b: d.u8(1), d.u8(0); break;
      default: break;
    }
    exts += ext(e, d.b);
  }
  Builder ch;
  ch.u16(0x0303), ch.bytes(std::string(32, 'r')), ch.u8(32), ch.bytes(std::string(32, 's'));
  ch.u16(int(ciphers.size() * 2));
  for (int c : ciphers) ch.u16(c);
  ch.u8(1), ch.u8(0), ch.u16(int(exts.size())), ch.bytes(exts);
  return handshake(1, ch.b);
}

std::string server_hello(int version, int cipher, const std::string& sid, const std::string& exts) {
  Builder sh;
  sh.u16(version), sh.bytes(std::string(32, 'R')), sh.u8(int(sid.size())), sh.bytes(sid), sh.u16(cipher), sh.u8(0);
  if (!exts.empty()) sh.u16(int(exts.size())), sh.bytes(exts);
  return handshake(2, sh.b);
}

TEST(TlsFingerprint, Ja4MatchesTheSpecificationExample) {
  // The two hashes the specification works through.
  EXPECT_EQ(ja4_hash12("002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9"), "8daaf6152771");
  EXPECT_EQ(ja4_hash12("0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_0403,0804,0401,0503,"
                       "0805,0501,0806,0601"),
            "e5627efa2ab1");
  auto hs = example_client_hello();
  ClientHello ch;
  ASSERT_EQ(parse_client_hello(bytes_of(hs).subspan(4), ch), ParseResult::kOk);
  EXPECT_EQ(ja4(ch), "t13d1516h2_8daaf6152771_e5627efa2ab1");
  EXPECT_EQ(ch.server_name, "example.com");
  EXPECT_EQ(ch.alpn, (std::vector<std::string>{"h2", "http/1.1"}));
  // JA3 leaves GREASE out of ciphers, extensions and groups.
  EXPECT_EQ(ja3_string(ch),
            "771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53,"
            "27-0-51-16-17513-23-45-13-5-35-18-43-65281-11-10-21,29-23-24,0");
  // No SNI, no ALPN: "i" and "00"; the hash of the extensions is unchanged (SNI and ALPN are left out).
  ch.has_sni = false;
  ch.extensions.erase(std::remove(ch.extensions.begin(), ch.extensions.end(), 0), ch.extensions.end());
  ch.alpn.clear();
  EXPECT_EQ(ja4(ch), "t13i151500_8daaf6152771_e5627efa2ab1");
  // Non-alphanumeric ALPN ends: the hex digits (spec: 0x30 0xAB -> "3b").
  ch.alpn = {std::string("\x30\xab", 2)};
  EXPECT_EQ(ja4(ch).substr(8, 2), "3b");
  ch.alpn = {"x"};
  EXPECT_EQ(ja4(ch).substr(8, 2), "xx");
  // No supported_versions: the hello's own version.
  ch.extensions.erase(std::remove(ch.extensions.begin(), ch.extensions.end(), 43), ch.extensions.end());
  EXPECT_EQ(ja4(ch).substr(0, 4), "t12i");
  ClientHello empty;
  empty.legacy_version = 0x0300;
  EXPECT_EQ(ja4(empty), "ts3i000000_000000000000_000000000000");
}

TEST(TlsAnalyzer, Tls13HandshakeAcrossRecordsAndSegments) {
  auto ch = example_client_hello();
  // The ClientHello split over two records.
  std::string client = record(22, ch.substr(0, 100), 0x0301) + record(22, ch.substr(100), 0x0301);
  std::string sh = server_hello(0x0303, 0x1301, std::string(32, 's'), ext(43, "\x03\x04") + ext(51, std::string(36, 'k')));
  std::string server = record(22, sh) + record(20, "\x01") + record(23, std::string(2000, 'e')) + record(23, std::string(300, 'e'));
  std::string client2 = record(20, "\x01") + record(23, std::string(53, 'f'));  // client Finished
  std::string data_c = record(23, std::string(517, 'a')), data_s = record(23, std::string(1200, 'b')) + record(23, std::string(40, 'b'));
  std::vector<Chunk> chunks = {{Dir::kOrig, client}, {Dir::kResp, server}, {Dir::kOrig, client2},
                               {Dir::kOrig, data_c}, {Dir::kResp, data_s}};
  auto whole = feed(chunks);
  ASSERT_EQ(whole.size(), 1u);
  const json& j = whole[0];
  EXPECT_EQ(j["server_name"], "example.com");
  EXPECT_EQ(j["client_version"], "TLSv12");
  EXPECT_EQ(j["client_versions"], json({"TLSv13", "TLSv12"}));
  EXPECT_EQ(j["version"], "TLSv13");
  EXPECT_EQ(j["cipher"], 0x1301);
  EXPECT_EQ(j["cipher_count"], 16);
  EXPECT_EQ(j["ja4"], "t13d1516h2_8daaf6152771_e5627efa2ab1");
  EXPECT_EQ(j["ja3s"], "771,4865,43-51");
  EXPECT_EQ(j["alpn"], json({"h2", "http/1.1"}));
  EXPECT_EQ(j["handshake_types"], json({1, 2}));
  EXPECT_TRUE(j["established"]);
  EXPECT_FALSE(j["resumed"]);
  // The encrypted handshake (server's first two records, client's first) is not application data.
  EXPECT_EQ(j["orig_app_bytes"], 517);
  EXPECT_EQ(j["resp_app_bytes"], 1240);
  EXPECT_EQ(j["frame"], 1);
  EXPECT_TRUE(j["cert_subject_cn"].is_null());
  EXPECT_TRUE(j["anomaly"].is_null());
  for (size_t step : {1, 2, 3, 5, 7, 100}) EXPECT_EQ(feed(chunks, step), whole) << step;
}

TEST(TlsAnalyzer, Tls12ResumptionAlertsAndGaps) {
  auto ch = example_client_hello();
  std::string client = record(22, ch);
  std::string server = record(22, server_hello(0x0303, 0xc02f, std::string(32, 's'), ext(0xff01, std::string(1, '\0')))) +
                       record(20, "\x01") + record(22, std::string(40, 'x'));  // encrypted Finished
  std::string client2 = record(20, "\x01") + record(22, std::string(40, 'y'));
  std::string app = record(23, std::string(1000, 'a'));
  std::string alert = record(21, std::string(26, 'z'));  // encrypted close_notify
  std::vector<Chunk> chunks = {{Dir::kOrig, client}, {Dir::kResp, server}, {Dir::kOrig, client2},
                               {Dir::kOrig, app.substr(0, 400)}, {Dir::kOrig, std::string(300, 'x'), true},
                               {Dir::kOrig, app.substr(700)}, {Dir::kResp, alert}};
  // 300 bytes of the application data record are lost: still counted, and the next record is read.
  auto recs = feed(chunks);
  ASSERT_EQ(recs.size(), 1u);
  const json& j = recs[0];
  EXPECT_EQ(j["version"], "TLSv12");
  EXPECT_TRUE(j["resumed"]);
  EXPECT_TRUE(j["established"]);
  EXPECT_EQ(j["orig_app_bytes"], 1000);
  EXPECT_EQ(j["resp_app_bytes"], 0);
  EXPECT_EQ(j["alerts"], json::parse(R"([{"dir":"resp","encrypted":true}])"));
  EXPECT_EQ(j["handshake_types"], json({1, 2}));
  EXPECT_EQ(j["anomaly"], "gap");
  EXPECT_EQ(j["ja3s"], "771,49199,65281");
}

TEST(TlsAnalyzer, FailedHandshakeWithPlainAlert) {
  std::string client = record(22, example_client_hello());
  std::string server = record(21, std::string("\x02\x28", 2));  // fatal handshake_failure
  auto recs = feed({{Dir::kOrig, client}, {Dir::kResp, server}});
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0]["alerts"], json::parse(R"([{"dir":"resp","level":2,"description":40,"name":"handshake_failure"}])"));
  EXPECT_FALSE(recs[0]["established"]);
  EXPECT_TRUE(recs[0]["version"].is_null());
}

TEST(TlsAnalyzer, HostileInput) {
  // Not TLS at all: no record.
  EXPECT_TRUE(feed({{Dir::kOrig, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"}}).empty());
  // A handshake message announcing 16 MiB: given up at the cap, no buffering beyond it.
  Builder huge;
  huge.u8(1), huge.u24(0xffffff), huge.bytes(std::string(1000, 'q'));
  auto recs = feed({{Dir::kOrig, record(22, huge.b)}, {Dir::kOrig, record(22, std::string(16000, 'q'))}});
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0]["anomaly"], "handshake_too_large");
  EXPECT_TRUE(recs[0]["ja3"].is_null());
  // A ClientHello cut at every length: never a crash, never a fingerprint of a partial hello.
  auto ch = example_client_hello();
  for (size_t cut = 0; cut < ch.size() - 4; ++cut) {
    ClientHello parsed;
    auto r = parse_client_hello(bytes_of(ch).subspan(4, cut), parsed);
    // 103 bytes: version, random, session id, ciphers, compression and no extensions: a well-formed hello.
    EXPECT_EQ(r, cut == 103 ? ParseResult::kOk : ParseResult::kMalformed) << cut;
    if (cut == 103) {
      EXPECT_TRUE(parsed.extensions.empty());
      EXPECT_EQ(parsed.ciphers.size(), 16u);
    }
  }
  // A record header with an impossible length after a good record.
  recs = feed({{Dir::kOrig, record(22, example_client_hello()) + std::string("\x16\x03\x03\xff\xff", 5)}});
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0]["anomaly"], "bad_record_header");
  EXPECT_EQ(recs[0]["server_name"], "example.com");
}

TEST(TlsAnalyzer, Probe) {
  auto hello = record(22, example_client_hello(), 0x0301);
  EXPECT_EQ(probe(bytes_of(hello), Dir::kOrig), Match::kYes);
  EXPECT_EQ(probe(bytes_of(hello.substr(0, 5)), Dir::kOrig), Match::kMaybe);
  EXPECT_EQ(probe(bytes_of("\x17\x03\x03\x00\x10"), Dir::kOrig), Match::kNo);
  EXPECT_EQ(probe(bytes_of("SSH-2.0-OpenSSH_9.2\r\n"), Dir::kOrig), Match::kNo);
}

// ---- certificates: our DER walker against openssl's own parser ----

int64_t timegm_text(const std::string& iso) {  // "2014-12-10 11:33:37Z"
  std::tm tm{};
  strptime(iso.c_str(), "%Y-%m-%d %H:%M:%S", &tm);
  return int64_t(timegm(&tm));
}

std::string unhex(const std::string& hex) {
  std::string out;
  auto nib = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  for (size_t i = 0; i + 1 < hex.size(); i += 2) out += char(nib(hex[i]) << 4 | nib(hex[i + 1]));
  return out;
}

TEST(TlsCertificate, MatchesOpenssl) {
  if (!have_tool("tshark") || !have_tool("openssl")) GTEST_SKIP();
  trawl::testing::TempDir tmp;
  int checked = 0;
  for (const char* name : {"ppp-tls.pcap", "zeek-tls-chrome34-google.pcap", "ndpi-alexa-app.pcapng"}) {
    auto r = run("tshark -n -r " + shell_quote(shared_pcap(name)) +
                 " -Y tls.handshake.certificate -T fields -e tls.handshake.certificate 2>/dev/null");
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);) {
      for (size_t pos = 0; pos < line.size();) {
        size_t comma = line.find(',', pos);
        std::string der = unhex(line.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos));
        pos = comma == std::string::npos ? line.size() : comma + 1;
        trawl::testing::write_file(tmp.file("c.der"), der);
        auto o = run("openssl x509 -inform DER -in " + tmp.file("c.der") +
                     " -noout -subject -issuer -startdate -enddate -nameopt RFC2253,-esc_msb -dateopt iso_8601");
        ASSERT_EQ(o.exit_code, 0) << o.err;
        std::map<std::string, std::string> f;
        std::istringstream lines(o.out);
        for (std::string l; std::getline(lines, l);) f[l.substr(0, l.find('='))] = l.substr(l.find('=') + 1);
        auto cn_of = [](const std::string& dn) {  // the CN of an RFC 2253 DN (most specific first)
          size_t p = dn.find("CN=");
          if (p == std::string::npos) return std::string();
          std::string v;
          for (size_t i = p + 3; i < dn.size() && dn[i] != ','; ++i) {
            if (dn[i] == '\\' && i + 1 < dn.size()) ++i;
            v += dn[i];
          }
          return v;
        };
        CertificateInfo info;
        ASSERT_TRUE(parse_certificate(bytes_of(der), info));
        EXPECT_EQ(info.subject_cn, cn_of(f["subject"])) << f["subject"];
        EXPECT_EQ(info.issuer_cn, cn_of(f["issuer"])) << f["issuer"];
        ASSERT_TRUE(info.not_before_ns && info.not_after_ns);
        EXPECT_EQ(*info.not_before_ns / 1'000'000'000, timegm_text(f["notBefore"]));
        EXPECT_EQ(*info.not_after_ns / 1'000'000'000, timegm_text(f["notAfter"]));
        EXPECT_EQ(info.self_signed, f["subject"] == f["issuer"]) << f["subject"];
        ++checked;
        // Every truncation of a real certificate fails cleanly or parses a prefix-safe result.
        if (checked == 1)
          for (size_t cut = 0; cut < der.size(); cut += 7) parse_certificate(bytes_of(der).first(cut), info);
      }
    }
  }
  EXPECT_GE(checked, 5);
}

// ---- real captures against tshark ----

struct TsharkStream {
  std::vector<std::string> sni, ja3_full, ja3, ja3s_full, ja3s, client_ciphers, server_cipher;
  std::vector<int> types;
};

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  std::istringstream in(s);
  for (std::string x; std::getline(in, x, sep);) out.push_back(x);
  return out;
}

// tshark's view per conversation, keyed by its two "addr:port" ends (sorted).
std::map<std::string, TsharkStream> tshark_tls(const std::string& pcap) {
  std::map<std::string, TsharkStream> out;
  auto r = run("tshark -n -r " + shell_quote(pcap) +
               " -Y tls -T fields -E separator=/t -E occurrence=a -E aggregator=, -e ip.src -e ipv6.src -e tcp.srcport"
               " -e ip.dst -e ipv6.dst -e tcp.dstport -e tls.handshake.type -e tls.handshake.extensions_server_name"
               " -e tls.handshake.ja3_full -e tls.handshake.ja3 -e tls.handshake.ja3s_full -e tls.handshake.ja3s"
               " -e tls.handshake.ciphersuite 2>/dev/null");
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) {
    auto c = testing::tab_fields(line, 13);
    std::string a = (c[0].empty() ? c[1] : c[0]) + ":" + c[2], b = (c[3].empty() ? c[4] : c[3]) + ":" + c[5];
    TsharkStream& t = out[std::min(a, b) + " " + std::max(a, b)];
    auto types = split(c[6], ',');
    for (auto& x : types) t.types.push_back(std::stoi(x));
    for (auto& x : split(c[7], ',')) t.sni.push_back(x);
    // ja3_full contains commas itself: one per ClientHello in the packet (a packet has one at most here).
    if (!c[8].empty()) t.ja3_full.push_back(c[8]);
    for (auto& x : split(c[9], ',')) t.ja3.push_back(x);
    if (!c[10].empty()) t.ja3s_full.push_back(c[10]);
    for (auto& x : split(c[11], ',')) t.ja3s.push_back(x);
    // The ciphersuite field is the offered list in a ClientHello and the choice in a ServerHello.
    bool has_ch = std::find(types.begin(), types.end(), "1") != types.end();
    bool has_sh = std::find(types.begin(), types.end(), "2") != types.end();
    if (has_ch && !has_sh) t.client_ciphers.push_back(c[12]);
    if (has_sh && !has_ch) t.server_cipher.push_back(c[12]);
  }
  return out;
}

std::string hex4_list(const json& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%s0x%04x", i ? "," : "", v[i].get<unsigned>());
    s += buf;
  }
  return s;
}

void compare_with_tshark(const std::string& name, size_t min_hellos) {
  if (!have_tool("tshark")) GTEST_SKIP();
  auto pcap = shared_pcap(name);
  auto theirs = tshark_tls(pcap);
  auto streams = trawl::testing::follow_streams(pcap);
  size_t hellos = 0;
  for (const auto& st : streams) {
    auto strip = [](std::string n) {
      std::erase(n, '[');
      std::erase(n, ']');
      return n;
    };
    std::string a = strip(st.node0), b = strip(st.node1);
    std::string key = std::min(a, b) + " " + std::max(a, b);
    auto it = theirs.find(key);
    if (it == theirs.end()) continue;  // no TLS in this conversation
    const TsharkStream& t = it->second;
    auto chunks = testing::chunks_of(st);
    auto recs = feed(chunks);
    ASSERT_EQ(recs.size(), 1u) << name << " " << key;
    const json& j = recs[0];
    SCOPED_TRACE(name + " " + key);
    if (!t.ja3_full.empty()) {
      ++hellos;
      ASSERT_TRUE(j["ja3"].is_string());
      EXPECT_EQ(j["ja3"], t.ja3_full[0]);
      EXPECT_EQ(j["ja3_md5"], t.ja3[0]);
      EXPECT_EQ(hex4_list(j["ciphers"]), t.client_ciphers.at(0));
      if (t.sni.empty()) EXPECT_TRUE(j["server_name"].is_null());
      else EXPECT_EQ(j["server_name"], t.sni[0]);
    } else {
      EXPECT_TRUE(j["ja3"].is_null());
    }
    if (!t.ja3s_full.empty()) {
      EXPECT_EQ(j["ja3s"], t.ja3s_full[0]);
      EXPECT_EQ(j["ja3s_md5"], t.ja3s[0]);
      char buf[16];
      std::snprintf(buf, sizeof buf, "0x%04x", j["cipher"].get<unsigned>());
      EXPECT_EQ(buf, t.server_cipher.at(0));
    } else {
      EXPECT_TRUE(j["ja3s"].is_null());
    }
    EXPECT_EQ(j["handshake_types"], json(t.types));
    // Every stream fed byte by byte gives the same record.
    EXPECT_EQ(feed(chunks, 1), recs);
  }
  EXPECT_GE(hellos, min_hellos) << name;
}

TEST(TlsTshark, NdpiFirefox) { compare_with_tshark("ndpi-443-firefox.pcap", 1); }
TEST(TlsTshark, ZeekChrome34) { compare_with_tshark("zeek-tls-chrome34-google.pcap", 1); }
TEST(TlsTshark, ZeekTls13Ech) { compare_with_tshark("zeek-tls13-ech.pcap", 2); }
TEST(TlsTshark, PppTls) { compare_with_tshark("ppp-tls.pcap", 3); }
TEST(TlsTshark, ZeekOpenjdkSll2) { compare_with_tshark("zeek-tls-openjdk-sll2.pcap", 1); }
TEST(TlsTshark, PppManyProtocols) { compare_with_tshark("ppp-many-protocols.pcap", 5); }

TEST(TlsTshark, ChromeSessionInDetail) {
  if (!have_tool("tshark")) GTEST_SKIP();
  auto streams = trawl::testing::follow_streams(shared_pcap("zeek-tls-chrome34-google.pcap"));
  ASSERT_EQ(streams.size(), 1u);
  auto chunks = testing::chunks_of(streams[0]);
  auto recs = feed(chunks);
  ASSERT_EQ(recs.size(), 1u);
  const json& j = recs[0];
  EXPECT_EQ(j["version"], "TLSv12");
  EXPECT_TRUE(j["established"]);
  EXPECT_EQ(j["cert_subject_cn"], "*.google.de");
  EXPECT_EQ(j["cert_issuer_cn"], "Google Internet Authority G2");
  EXPECT_EQ(j["cert_self_signed"], false);
  EXPECT_GE(j["cert_count"], 2);
  // Application data each way: tshark's record lengths of type 23 records, summed per direction.
  auto r = run("tshark -n -r " + shell_quote(shared_pcap("zeek-tls-chrome34-google.pcap")) +
               " -Y 'tls.record.content_type==23' -T fields -E occurrence=a -E aggregator=, -e tcp.srcport"
               " -e tls.record.content_type -e tls.record.length 2>/dev/null");
  uint64_t orig = 0, resp = 0;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) {
    auto cols = split(line, '\t');
    auto types = split(cols[1], ','), lens = split(cols[2], ',');
    for (size_t i = 0; i < types.size() && i < lens.size(); ++i)
      if (types[i] == "23") (cols[0] == "443" ? resp : orig) += std::stoull(lens[i]);
  }
  EXPECT_GT(orig + resp, 0u);
  EXPECT_EQ(j["orig_app_bytes"], orig);
  EXPECT_EQ(j["resp_app_bytes"], resp);
}

}  // namespace
}  // namespace trawl::proto::tls
