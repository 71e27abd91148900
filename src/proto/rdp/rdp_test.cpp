#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "proto/rdp/rdp_analyzer.h"
#include "proto/rdp/rdp_parse.h"
#include "proto/stream_test_support.h"

namespace trawl::proto::rdp {
namespace {

using nlohmann::json;
using testing::bytes_of;
using testing::Chunk;
using testing::feed;
using testing::streams_to_port;
using testing::tshark_rows;
using trawl::testing::have_tool;
using trawl::testing::shared_pcap;

struct TsharkRdp {
  std::string cookie, requested, selected, failure, name, build, width, height, layout, method, level;
};

uint32_t hex(const std::string& s) { return s.empty() ? 0 : static_cast<uint32_t>(std::stoul(s, nullptr, 16)); }

// tshark's RDP fields per connection (by client port).
std::map<std::string, TsharkRdp> tshark_rdp(const std::string& pcap) {
  std::map<std::string, TsharkRdp> out;
  for (const auto& r : tshark_rows(pcap, "tpkt", {"tcp.srcport", "tcp.dstport", "rdp.rt_cookie",
                                                  "rdp.negReq.requestedProtocols", "rdp.negReq.selectedProtocol",
                                                  "rdp.negFailure.failureCode", "rdp.client.name", "rdp.client.build",
                                                  "rdp.desktop.width", "rdp.desktop.height", "rdp.keyboardLayout",
                                                  "rdp.encryptionMethod", "rdp.encryptionLevel"})) {
    auto& t = out[r[0] == "3389" ? r[1] : r[0]];
    auto set = [](std::string& dst, const std::string& v) { if (dst.empty()) dst = v; };
    set(t.cookie, r[2]); set(t.requested, r[3]); set(t.selected, r[4]); set(t.failure, r[5]);
    set(t.name, r[6]); set(t.build, r[7]); set(t.width, r[8]); set(t.height, r[9]); set(t.layout, r[10]);
    set(t.method, r[11]); set(t.level, r[12]);
  }
  return out;
}

std::vector<std::pair<std::string, json>> analyze(const std::string& pcap, size_t step, std::vector<bool>* tls = nullptr) {
  std::vector<std::pair<std::string, json>> out;
  for (const auto& s : streams_to_port(pcap, 3389)) {
    auto r = feed(kRdpAnalyzer, testing::chunks_of(s), step);
    auto recs = r.sink.of("rdp");
    EXPECT_EQ(recs.size(), 1u);
    out.emplace_back(s.node0.substr(s.node0.rfind(':') + 1), recs.empty() ? json() : recs[0]);
    if (tls) tls->push_back(r.tls);
  }
  return out;
}

void check_capture(const std::string& name, size_t expected_conns) {
  SCOPED_TRACE(name);
  if (!have_tool("tshark")) GTEST_SKIP() << "tshark missing";
  std::string pcap = shared_pcap(name);
  auto t = tshark_rdp(pcap);
  std::vector<bool> tls;
  auto ours = analyze(pcap, 0, &tls);
  ASSERT_EQ(ours.size(), expected_conns);
  for (size_t i = 0; i < ours.size(); ++i) {
    const auto& [port, r] = ours[i];
    SCOPED_TRACE("client port " + port);
    ASSERT_TRUE(t.count(port));
    const auto& e = t.at(port);
    std::string cookie = e.cookie;
    if (cookie.rfind("Cookie: mstshash=", 0) == 0) cookie = cookie.substr(17);
    EXPECT_EQ(r["cookie"].is_null() ? std::string() : r["cookie"].get<std::string>(), cookie);
    EXPECT_EQ(r["requested_flags"].is_null() ? 0u : r["requested_flags"].get<uint32_t>(), hex(e.requested));
    if (!e.selected.empty()) {
      EXPECT_EQ(r["selected_flags"].get<uint32_t>(), hex(e.selected));
      EXPECT_EQ(r["result"], "Success");
      // Anything but standard RDP security continues as TLS: the analyzer must say so and stop there.
      EXPECT_EQ(tls[i], hex(e.selected) != 0);
      EXPECT_EQ(r["tls"], hex(e.selected) != 0);
    }
    if (!e.failure.empty()) {
      EXPECT_EQ(r["result"], failure_name(hex(e.failure)));
      EXPECT_FALSE(tls[i]);
    }
    if (!e.name.empty()) {
      EXPECT_EQ(r["client_name"], e.name);
      EXPECT_EQ(std::to_string(r["client_build"].get<int>()), e.build);
      EXPECT_EQ(std::to_string(r["desktop_width"].get<int>()), e.width);
      EXPECT_EQ(std::to_string(r["desktop_height"].get<int>()), e.height);
      EXPECT_EQ(std::to_string(r["keyboard_layout"].get<int>()), e.layout);
    } else {
      EXPECT_TRUE(r["client_name"].is_null());
    }
    if (!e.method.empty()) {
      EXPECT_EQ(r["encryption_method"], encryption_method_name(hex(e.method)));
      EXPECT_EQ(r["encryption_level"], encryption_level_name(hex(e.level)));
    }
  }
  // Fed one byte at a time: the same records.
  auto bytewise = analyze(pcap, 1);
  ASSERT_EQ(bytewise.size(), ours.size());
  for (size_t i = 0; i < ours.size(); ++i) EXPECT_EQ(bytewise[i].second, ours[i].second);
}

TEST(RdpCapture, NullLinkHybridEx) { check_capture("ndpi-rdp-null.pcap", 1); }
TEST(RdpCapture, ProprietaryEncryption) { check_capture("zeek-rdp-proprietary-encryption.pcap", 2); }
TEST(RdpCapture, ToSsl) { check_capture("zeek-rdp-to-ssl.pcap", 2); }

TEST(RdpCapture, HandCheckedValues) {
  if (!have_tool("tshark")) GTEST_SKIP();
  // zeek-rdp-proprietary-encryption.pcap: the first attempt asks for TLS and is refused
  // (SSL_NOT_ALLOWED_BY_SERVER); the second asks for nothing and gets standard RDP security, 128-bit, High.
  auto ours = analyze(shared_pcap("zeek-rdp-proprietary-encryption.pcap"), 0);
  ASSERT_EQ(ours.size(), 2u);
  EXPECT_EQ(ours[0].second["cookie"], "FTBCO\\A70");
  EXPECT_EQ(ours[0].second["requested_protocols"], json::parse(R"(["TLS"])"));
  EXPECT_EQ(ours[0].second["result"], "SSL_NOT_ALLOWED_BY_SERVER");
  EXPECT_EQ(ours[1].second["security_protocol"], "RDP");
  EXPECT_EQ(ours[1].second["client_name"], "FROG-POND");
  EXPECT_EQ(ours[1].second["encryption_method"], "128bit");
  EXPECT_EQ(ours[1].second["encryption_level"], "High");
}

std::string tpkt(const std::string& x224) {
  size_t n = x224.size() + 4;
  return std::string("\x03\x00", 2) + static_cast<char>(n >> 8) + static_cast<char>(n & 0xff) + x224;
}
std::string cr(const std::string& variable) {
  return static_cast<char>(variable.size() + 6) + std::string("\xe0\x00\x00\x00\x00\x00", 6) + variable;
}
std::string le32(uint32_t v) {
  return {static_cast<char>(v), static_cast<char>(v >> 8), static_cast<char>(v >> 16), static_cast<char>(v >> 24)};
}

TEST(RdpAnalyzer, HandBuiltNegotiation) {
  std::string req = cr("Cookie: mstshash=eve\r\n" + std::string("\x01\x00\x08\x00", 4) + le32(0x3));
  std::string rsp = std::string("\x0e\xd0\x00\x00\x12\x34\x00\x02\x00\x08\x00", 11) + le32(2);
  std::vector<Chunk> c = {{Dir::kOrig, tpkt(req)}, {Dir::kResp, tpkt(rsp)}, {Dir::kOrig, "\x16\x03\x01 tls..."}};
  auto r = feed(kRdpAnalyzer, c, 1);
  EXPECT_TRUE(r.tls);
  EXPECT_EQ(r.tls_at_chunk, 2u);
  auto rec = r.sink.of("rdp");
  ASSERT_EQ(rec.size(), 1u);
  EXPECT_EQ(rec[0]["cookie"], "eve");
  EXPECT_EQ(rec[0]["requested_protocols"], json::parse(R"(["TLS","CredSSP"])"));
  EXPECT_EQ(rec[0]["security_protocol"], "CredSSP");
  EXPECT_EQ(rec[0]["frame"], 2);
}

TEST(RdpAnalyzer, HostileInput) {
  // LI claims more than the TPDU holds.
  std::string bad = std::string("\x7f\xe0\x00\x00\x00\x00\x00", 7) + "Cookie: x";
  auto r = feed(kRdpAnalyzer, {{Dir::kOrig, tpkt(bad)}});
  ASSERT_EQ(r.sink.of("rdp").size(), 1u);
  EXPECT_EQ(r.sink.of("rdp")[0]["anomalies"][0], "bad_connection_request");
  // Not TPKT at all.
  r = feed(kRdpAnalyzer, {{Dir::kOrig, "GET / HTTP/1.1\r\n\r\n"}});
  EXPECT_TRUE(r.sink.of("rdp").empty());
  // A 65535-byte TPKT is skipped without buffering, then parsing goes on with the next one.
  std::string big = std::string("\x03\x00\xff\xff", 4) + std::string(65531, 'z');
  r = feed(kRdpAnalyzer, {{Dir::kOrig, big + tpkt(cr("Cookie: mstshash=bob\r\n"))}}, 1000);
  ASSERT_EQ(r.sink.of("rdp").size(), 1u);
  EXPECT_EQ(r.sink.of("rdp")[0]["cookie"], "bob");
  // A cookie without its CR LF, and a gap.
  r = feed(kRdpAnalyzer, {{Dir::kOrig, tpkt(cr("Cookie: mstshash=trunc"))}});
  EXPECT_EQ(r.sink.of("rdp")[0]["anomalies"][0], "bad_connection_request");
  r = feed(kRdpAnalyzer, {{Dir::kOrig, tpkt(cr("")).substr(0, 5)}, {Dir::kOrig, "xxxx", true}});
  EXPECT_TRUE(r.sink.of("rdp").empty());
}

TEST(RdpParse, ClientCoreNeedsAPlausibleHeader) {
  std::string core = std::string("\x01\xc0\x38\x00\x04\x00\x08\x00", 8) + std::string("\x00\x04\x00\x03", 4) +
                     std::string(4, '\0') + le32(0x409) + le32(2600);
  for (char ch : std::string("HOST")) core += std::string{ch, '\0'};
  core += std::string(56 - core.size(), '\0');
  auto c = find_client_core(bytes_of(core));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->client_name, "HOST");
  EXPECT_EQ(c->desktop_width, 1024);
  EXPECT_EQ(c->client_build, 2600u);
  EXPECT_FALSE(find_client_core(bytes_of(core.substr(0, 55))));  // cut short
  std::string lying = core;
  lying[2] = '\x7f';  // length past the end
  EXPECT_FALSE(find_client_core(bytes_of(lying)));
}

TEST(RdpProbe, ConnectionRequestAndConfirm) {
  EXPECT_EQ(probe(bytes_of(tpkt(cr("Cookie: mstshash=a\r\n"))), Dir::kOrig), Match::kYes);
  EXPECT_EQ(probe(bytes_of(tpkt(cr(""))), Dir::kOrig), Match::kMaybe);
  EXPECT_EQ(probe(bytes_of(std::string("\x03\x00\x00\x13\x0e\xd0\x00\x00\x12\x34\x00\x02\x1f\x08\x00\x08\x00\x00\x00", 19)),
                  Dir::kResp), Match::kYes);
  EXPECT_EQ(probe(bytes_of("\x16\x03\x01\x00\x10"), Dir::kOrig), Match::kNo);
}

}  // namespace
}  // namespace trawl::proto::rdp
