// End-to-end golden tests of the application records: the trawl binary (reassembly, identification and
// the analyzers together) against the same fields computed by tshark inside the test.
#include <algorithm>
#include <cctype>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/testing.h"

namespace trawl::testing {
namespace {

std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

std::string text(const nlohmann::json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

// One comparison: which records of which capture, against which tshark filter and fields.
struct Case {
  std::string name;        // test name suffix
  std::string pcap;
  std::string record;      // trawl record type
  std::vector<std::string> keys;  // record fields, in the order of the tshark fields
  std::string filter;      // tshark display filter selecting one message per record
  std::vector<std::string> fields;
  std::string where;       // a record field that must be true for the record to count ("" = all)
};

std::vector<std::string> tshark_rows(const Case& c) {
  // occurrence=f: a message with several questions (mDNS) is one record named by its first question.
  std::string cmd = "tshark -n -r " + shell_quote(shared_pcap(c.pcap)) + " -Y " + shell_quote(c.filter) + " -T fields -E occurrence=f";
  for (const auto& f : c.fields) cmd += " -e " + f;
  auto rows = lines(run(cmd + " 2>/dev/null").out);
  std::sort(rows.begin(), rows.end());
  return rows;
}

std::vector<std::string> trawl_rows(const Case& c) {
  auto r = run(shell_quote(trawl_binary()) + " records " + c.record + " --quiet " + shell_quote(shared_pcap(c.pcap)));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> rows;
  for (const auto& line : lines(r.out)) {
    auto j = nlohmann::json::parse(line);
    if (!c.where.empty() && j[c.where] != true) continue;
    std::string row;
    for (size_t i = 0; i < c.keys.size(); ++i) row += (i ? "\t" : "") + text(j[c.keys[i]]);
    rows.push_back(row);
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

class RecordsGolden : public ::testing::TestWithParam<Case> {};

TEST_P(RecordsGolden, SameAsTshark) {
  if (!have_tool("tshark")) GTEST_SKIP() << "tshark not installed";
  const Case& c = GetParam();
  auto expected = tshark_rows(c);
  ASSERT_FALSE(expected.empty()) << "tshark found nothing: the case is wrong";
  EXPECT_EQ(trawl_rows(c), expected);
}

// Every DNS query message (name, type), every HTTP request (method, host, uri), every TLS ClientHello
// (SNI, JA3) and ServerHello (JA3S): the multisets must be equal.
const Case kCases[] = {
    {"DnsQueries", "ppp-dns-packets.pcap", "dns", {"query", "qtype"}, "dns.flags.response == 0",
     {"dns.qry.name", "dns.qry.type"}, "query_seen"},
    {"DnsQueriesEdnsAndTcp", "zeek-dns-edns-ecs.pcap", "dns", {"query", "qtype"}, "dns.flags.response == 0",
     {"dns.qry.name", "dns.qry.type"}, "query_seen"},
    {"DnsResponsesRcode", "ppp-many-protocols.pcap", "dns", {"query", "rcode"}, "dns.flags.response == 1",
     {"dns.qry.name", "dns.flags.rcode"}, "response_seen"},
    {"HttpRequests", "ppp-http-packets.pcap", "http", {"method", "host", "uri"}, "http.request",
     {"http.request.method", "http.host", "http.request.uri"}, ""},
    {"HttpRequestsPost", "zeek-http-post.pcap", "http", {"method", "host", "uri"}, "http.request",
     {"http.request.method", "http.host", "http.request.uri"}, ""},
    {"HttpRequestsVlanQinQ", "zeek-http-qinq.pcap", "http", {"method", "host", "uri"}, "http.request",
     {"http.request.method", "http.host", "http.request.uri"}, ""},
    {"TlsClientHello", "ndpi-443-firefox.pcap", "tls", {"server_name", "ja3_md5"}, "tls.handshake.type == 1",
     {"tls.handshake.extensions_server_name", "tls.handshake.ja3"}, ""},
    {"TlsClientHelloChrome", "zeek-tls-chrome34-google.pcap", "tls", {"server_name", "ja3_md5"},
     "tls.handshake.type == 1", {"tls.handshake.extensions_server_name", "tls.handshake.ja3"}, ""},
    {"TlsServerHello", "ppp-tls.pcap", "tls", {"ja3s_md5"}, "tls.handshake.type == 2", {"tls.handshake.ja3s"}, ""},
};

INSTANTIATE_TEST_SUITE_P(Captures, RecordsGolden, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

// The logins tshark's credentials tap finds (FTP, HTTP Basic, ...) are in auth.jsonl with the same user.
TEST(AuthGolden, UsersEqualTsharkCredentials) {
  if (!have_tool("tshark")) GTEST_SKIP() << "tshark not installed";
  for (const char* pcap : {"zeek-ftp-ipv4.pcap", "zeek-ftp-ipv6.pcap",
                           "zeek-http-basic-auth-colon.pcap", "ndpi-imap.pcap"}) {
    SCOPED_TRACE(pcap);
    auto t = run("tshark -n -q -r " + shell_quote(shared_pcap(pcap)) + " -z credentials 2>/dev/null");
    std::vector<std::string> expected;
    // Columns: Packet (10 wide), Protocol (16 wide, may hold spaces: "HTTP basic auth"), Username.
    for (const auto& line : lines(t.out)) {
      if (line.size() < 29 || line.find_first_not_of("0123456789 ") < 10 || !isdigit(line[0])) continue;
      std::istringstream in(line.substr(28));
      std::string user;
      if (in >> user) expected.push_back(user);
    }
    ASSERT_FALSE(expected.empty());
    auto r = run(shell_quote(trawl_binary()) + " records auth --quiet " + shell_quote(shared_pcap(pcap)));
    std::vector<std::string> got;
    for (const auto& line : lines(r.out)) got.push_back(nlohmann::json::parse(line)["user"]);
    std::sort(expected.begin(), expected.end());
    std::sort(got.begin(), got.end());
    EXPECT_EQ(got, expected);
  }
}

}  // namespace
}  // namespace trawl::testing
