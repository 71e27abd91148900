// The indicator list (every kind, comments, errors with line numbers) and ioc.match over synthetic records
// and a real capture.
#include "detect/beacon/ioc_detector.h"
#include "detect/beacon/ioc_list.h"

#include <algorithm>
#include <map>

#include <gtest/gtest.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "detect/engine.h"
#include "support/testing.h"

namespace trawl::detect::beacon {
namespace {

std::vector<uint32_t> addr(const IocList& l, std::string_view a) {
  std::vector<uint32_t> out;
  l.match_address(*IpAddress::parse(a), out);
  return out;
}
std::vector<uint32_t> domain(const IocList& l, std::string_view d) {
  std::vector<uint32_t> out;
  l.match_domain(d, out);
  return out;
}

TEST(IocList, ReadsEveryKindOfIndicator) {
  IocList l = IocList::parse(
      "# a comment line\n"
      "203.0.113.7\n"
      "198.51.100.0/24   # trailing comment\n"
      "2001:db8::/32\n"
      "\n"
      "Evil.Example.\n"
      "*.bad.test\n"
      "http://c2.example.org/gate.php\n"
      "D551FAFC4F40F1DEC2BB45980BFA9492\n"
      "t13d1516h2_8daaf6152771_e5627efa2ab1\n");
  ASSERT_EQ(l.indicators().size(), 8u);
  EXPECT_EQ(l.indicators()[1].kind, IocKind::kCidr);
  EXPECT_EQ(l.indicators()[1].line, 3);
  EXPECT_EQ(l.indicators()[1].text, "198.51.100.0/24");
  EXPECT_EQ(ioc_kind_name(l.indicators()[5].kind), "url");
  EXPECT_EQ(ioc_kind_name(l.indicators()[6].kind), "ja3");
  EXPECT_EQ(ioc_kind_name(l.indicators()[7].kind), "ja4");

  EXPECT_EQ(addr(l, "203.0.113.7"), std::vector<uint32_t>{0});
  EXPECT_TRUE(addr(l, "203.0.113.8").empty());
  EXPECT_EQ(addr(l, "198.51.100.255"), std::vector<uint32_t>{1});
  EXPECT_TRUE(addr(l, "198.51.101.0").empty());
  EXPECT_EQ(addr(l, "2001:db8:ffff::1"), std::vector<uint32_t>{2});
  EXPECT_TRUE(addr(l, "2001:db9::1").empty());
  EXPECT_EQ(domain(l, "evil.example"), std::vector<uint32_t>{3});
  EXPECT_EQ(domain(l, "a.b.evil.example"), std::vector<uint32_t>{3});
  EXPECT_TRUE(domain(l, "notevil.example").empty());
  EXPECT_EQ(domain(l, "x.bad.test"), std::vector<uint32_t>{4});
  std::vector<uint32_t> out;
  l.match_url("c2.example.org", "/gate.php?id=5", out);
  EXPECT_EQ(out, std::vector<uint32_t>{5});
  out.clear();
  l.match_url("c2.example.org", "/index.html", out);
  EXPECT_TRUE(out.empty());
  l.match_hash("d551fafc4f40f1dec2bb45980bfa9492", out);
  l.match_hash("T13D1516H2_8DAAF6152771_E5627EFA2AB1", out);
  EXPECT_EQ(out, (std::vector<uint32_t>{6, 7}));
}

TEST(IocList, RejectsWhatItCannotReadWithTheLine) {
  EXPECT_THROW(IocList::parse("10.0.0.0/33\n"), std::runtime_error);
  EXPECT_THROW(IocList::parse("not a domain!\n"), std::runtime_error);
  try {
    IocList::parse("ok.example\n\nhttp:///x\n", "mine.txt");
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), "mine.txt:3: a URL without a host: 'http:///x'");
  }
  EXPECT_THROW(IocList::load("/nonexistent/iocs.txt"), std::runtime_error);
}

TEST(IocList, MasksPrefixes) {
  EXPECT_EQ(masked(*IpAddress::parse("10.1.2.3"), 12).str(), "10.0.0.0");
  EXPECT_EQ(masked(*IpAddress::parse("2001:db8:abcd::1"), 36).str(), "2001:db8:a000::");
}

std::vector<Alert> run_ioc(const std::string& iocs, const std::string& conn, const std::string& dns,
                           const std::string& http, const std::string& tls, const std::string& settings = "",
                           std::vector<std::string> order = {}) {
  testing::TempDir dir;
  testing::write_file(dir.file("iocs.txt"), iocs);
  testing::write_file(dir.file("conn.jsonl"), conn);
  testing::write_file(dir.file("dns.jsonl"), dns);
  testing::write_file(dir.file("http.jsonl"), http);
  testing::write_file(dir.file("tls.jsonl"), tls);
  Config config = Config::from_text(settings);
  config.set_string("ioc.file", dir.file("iocs.txt"));
  const DetectorInfo* which[] = {&kIocDetector};
  FeedOptions feed;
  feed.order = std::move(order);
  return run_detectors(dir.path(), config, which, feed).alerts;
}

TEST(IocMatch, OneAlertPerHostAndIndicator) {
  std::string iocs = "203.0.113.0/24\nevil.example\nhttp://web.example/gate.php\nd551fafc4f40f1dec2bb45980bfa9492\n";
  std::string conn =
      R"({"ts":10,"src":"10.0.0.5","sport":1,"dst":"203.0.113.9","dport":443,"proto":"tcp","file":"i.pcap","frame":1})" "\n"
      R"({"ts":20,"src":"10.0.0.5","sport":2,"dst":"203.0.113.9","dport":443,"proto":"tcp","file":"i.pcap","frame":9})" "\n"
      R"({"ts":30,"src":"203.0.113.4","sport":3,"dst":"10.0.0.6","dport":22,"proto":"tcp","file":"i.pcap","frame":20})" "\n"
      // The hidden client: only the resolver looked evil.example up; 10.0.0.36 used the answer.
      R"({"ts":41,"src":"10.0.0.36","sport":4,"dst":"192.0.2.66","dport":80,"proto":"tcp","file":"i.pcap","frame":30})" "\n"
      R"({"ts":42,"src":"10.0.0.7","sport":5,"dst":"192.0.2.67","dport":80,"proto":"tcp","file":"i.pcap","frame":31})" "\n";
  std::string dns =
      R"({"ts":40,"src":"10.0.0.53","sport":5353,"dst":"198.51.100.53","dport":53,"app":"dns","query":"www.Evil.example",)"
      R"("response_seen":true,"rcode_name":"NOERROR","answers":["192.0.2.66"],"answer_types":["A"],"file":"i.pcap","frame":25})" "\n"
      R"({"ts":40,"src":"10.0.0.53","sport":5353,"dst":"198.51.100.53","dport":53,"app":"dns","query":"notevil.example",)"
      R"("response_seen":true,"rcode_name":"NOERROR","answers":["192.0.2.67"],"answer_types":["A"],"file":"i.pcap","frame":26})" "\n";
  std::string http =
      R"({"ts":50,"uid":"h","src":"10.0.0.8","sport":6,"dst":"192.0.2.80","dport":80,"host":"web.example:80","uri":"/gate.php?x=1","file":"i.pcap","frame":40})" "\n"
      R"({"ts":51,"uid":"h","src":"10.0.0.8","sport":6,"dst":"192.0.2.80","dport":80,"host":"web.example","uri":"/other","file":"i.pcap","frame":41})" "\n";
  std::string tls =
      R"({"ts":60,"uid":"t","src":"10.0.0.9","sport":7,"dst":"192.0.2.90","dport":443,"server_name":"ok.example","ja3_md5":"D551FAFC4F40F1DEC2BB45980BFA9492","file":"i.pcap","frame":50})" "\n";
  auto alerts = run_ioc(iocs, conn, dns, http, tls);
  std::map<std::string, const Alert*> by;  // "host indicator"
  for (const Alert& a : alerts) by[a.src + " " + a.evidence["indicator"].get<std::string>()] = &a;
  ASSERT_EQ(alerts.size(), 6u) << [&] {
    std::string s;
    for (const auto& [k, a] : by) s += k + "\n";
    return s;
  }();
  const Alert* out = by.at("10.0.0.5 203.0.113.0/24");
  EXPECT_EQ(out->count, 2u);
  EXPECT_EQ(out->dst, "203.0.113.9");
  EXPECT_EQ(out->dst_port, 443);
  EXPECT_EQ(out->evidence["matched_on"], nlohmann::ordered_json::parse(R"(["conn.dst"])"));
  EXPECT_EQ(out->ts_first, 10);
  EXPECT_EQ(out->ts_last, 20);
  EXPECT_EQ(out->type, "ioc.match");
  EXPECT_EQ(out->severity, Severity::kHigh);
  EXPECT_EQ(by.at("10.0.0.6 203.0.113.0/24")->evidence["matched_on"], nlohmann::ordered_json::parse(R"(["conn.src"])"));
  const Alert* resolver = by.at("10.0.0.53 evil.example");
  EXPECT_EQ(resolver->evidence["matched"], nlohmann::ordered_json::parse(R"(["www.evil.example"])"));
  EXPECT_EQ(resolver->proto, "dns");
  const Alert* hidden = by.at("10.0.0.36 evil.example");
  EXPECT_EQ(hidden->evidence["matched_on"], nlohmann::ordered_json::parse(R"(["conn.resolved"])"));
  EXPECT_EQ(hidden->dst, "192.0.2.66");
  const Alert* url = by.at("10.0.0.8 http://web.example/gate.php");
  EXPECT_EQ(url->count, 1u);
  EXPECT_EQ(url->evidence["matched"], nlohmann::ordered_json::parse(R"(["web.example/gate.php?x=1"])"));
  EXPECT_EQ(url->proto, "http");
  EXPECT_EQ(url->mitre, (std::vector<std::string>{"T1071", "T1071.001"}));
  EXPECT_EQ(by.at("10.0.0.9 d551fafc4f40f1dec2bb45980bfa9492")->evidence["matched_on"],
            nlohmann::ordered_json::parse(R"(["tls.ja3"])"));
  EXPECT_FALSE(by.count("10.0.0.7 evil.example"));  // notevil.example is another domain
}

// Inside analyze the record types interleave however the traffic does: the dns answers may come after the
// connections to the addresses they gave, and the capped lists (matched values, frames) must keep the same
// entries, those of the usual order (dns, http, tls, then conn), whatever order the types come in.
TEST(IocMatch, AlertsDoNotDependOnTheOrderOfRecordTypes) {
  std::string dns, http, conn;
  auto dns_line = [&](int i, const std::string& client, const std::string& name, const std::string& address) {
    dns += fmt::format(R"({{"ts":{},"src":"{}","sport":5353,"dst":"198.51.100.53","dport":53,"app":"dns","query":"{}",)"
                       R"("response_seen":true,"rcode_name":"NOERROR","answers":["{}"],"answer_types":["A"],)"
                       R"("file":"o.pcap","frame":{}}})" "\n", 100 + i, client, name, address, 1000 + i);
  };
  auto conn_line = [&](int i, const std::string& src, const std::string& dst) {
    conn += fmt::format(R"({{"ts":{},"src":"{}","sport":{},"dst":"{}","dport":443,"proto":"tcp","file":"o.pcap",)"
                        R"("frame":{},"frames":[{{"file":"o.pcap","frames":[{},{}]}}]}})" "\n",
                        300 + i, src, 40000 + i, dst, 5000 - 2 * i, 5000 - 2 * i, 5001 - 2 * i);
  };
  // 10.0.0.5 looks up and visits evil.example's hosts: 30 lookups, 30 requests and 30 connections, more
  // values and frames than an alert lists.
  for (int i = 0; i < 30; ++i) {
    dns_line(i, "10.0.0.5", fmt::format("d{}.evil.example", i), "192.0.2.66");
    http += fmt::format(R"({{"ts":{},"uid":"h{}","src":"10.0.0.5","sport":{},"dst":"192.0.2.66","dport":80,)"
                        R"("host":"h{}.evil.example","uri":"/","file":"o.pcap","frame":{}}})" "\n",
                        200 + i, i, 30000 + i, i, 3000 - i);
    conn_line(i, "10.0.0.5", "192.0.2.66");
  }
  // The resolver asks for more of evil.example's addresses; 10.0.0.36 reaches them without a lookup of its own.
  dns_line(30, "10.0.0.53", "www.evil.example", "192.0.2.67");
  dns_line(31, "10.0.0.53", "mail.evil.example", "192.0.2.68");
  dns_line(32, "10.0.0.53", "ftp.evil.example", "192.0.2.69");
  for (int i = 30; i < 70; ++i) conn_line(i, "10.0.0.36", fmt::format("192.0.2.{}", 69 - i % 4));  // .67 .66 .69 .68 ...
  // An address indicator: the connections' own endpoints.
  for (int i = 70; i < 75; ++i) conn_line(i, "10.0.0.7", "203.0.113.9");

  const std::string iocs = "evil.example\n203.0.113.0/24\n", settings = "[ioc]\nmax_listed = 3\n";
  auto text = [](std::vector<Alert> alerts) {  // without the indicator file's path: each run has its own
    std::string s;
    for (Alert& a : alerts) {
      std::string path = a.evidence["ioc_file"];
      a.summary.replace(a.summary.find(path), path.size(), "IOCS");
      a.evidence["ioc_file"] = "IOCS";
      s += a.to_json().dump() + "\n";
    }
    return s;
  };
  auto usual = run_ioc(iocs, conn, dns, http, "", settings);
  std::map<std::string, const Alert*> by;  // "host indicator"
  for (const Alert& a : usual) by[a.src + " " + a.evidence["indicator"].get<std::string>()] = &a;
  ASSERT_EQ(usual.size(), 4u) << text(usual);
  const Alert* visitor = by.at("10.0.0.5 evil.example");
  EXPECT_EQ(visitor->count, 90u);
  EXPECT_EQ(visitor->evidence["matched"], nlohmann::ordered_json::parse(R"(["d0.evil.example","d1.evil.example","d2.evil.example"])"));
  EXPECT_EQ(visitor->frames.size(), FrameSet::kMax);  // the 30 lookups' and the first 20 requests'
  const Alert* hidden = by.at("10.0.0.36 evil.example");
  EXPECT_EQ(hidden->count, 40u);
  EXPECT_EQ(hidden->evidence["matched_on"], nlohmann::ordered_json::parse(R"(["conn.resolved"])"));
  EXPECT_EQ(hidden->evidence["matched"], nlohmann::ordered_json::parse(R"(["192.0.2.66","192.0.2.67","192.0.2.69"])"));
  EXPECT_EQ(hidden->frames.size(), FrameSet::kMax);  // the first 25 connections' two each
  EXPECT_TRUE(by.count("10.0.0.53 evil.example"));
  EXPECT_TRUE(by.count("10.0.0.7 203.0.113.0/24"));

  for (std::vector<std::string> first : {std::vector<std::string>{"conn", "tls", "http", "dns"},
                                         std::vector<std::string>{"http", "conn", "dns"},
                                         std::vector<std::string>{"tls", "http", "dns", "conn"}}) {
    std::vector<std::string> order = first;  // those types first, then the others
    for (const std::string& type : record_type_order())
      if (std::find(first.begin(), first.end(), type) == first.end()) order.push_back(type);
    EXPECT_EQ(text(run_ioc(iocs, conn, dns, http, "", settings, order)), text(usual)) << first[0] << " " << first[1];
  }
}

TEST(IocMatch, NoFileNoAlerts) {
  testing::TempDir dir;
  testing::write_file(dir.file("conn.jsonl"), R"({"ts":1,"src":"10.0.0.1","dst":"203.0.113.9","dport":80,"proto":"tcp"})" "\n");
  const DetectorInfo* which[] = {&kIocDetector};
  EXPECT_TRUE(run_detectors(dir.path(), Config::defaults(), which).alerts.empty());
}

// End to end on the CryptoWall 4 capture: its C2 host name and address as indicators (set through --config,
// as --ioc does); the number of matching records agrees with tshark.
TEST(IocEndToEnd, CryptowallC2) {
  std::string pcap = testing::shared_pcap("chrissanders-cryptowall4-c2.pcapng");
  testing::TempDir dir;
  testing::write_file(dir.file("iocs.txt"), "homealldaylong.com\n184.170.149.44\n");
  testing::write_file(dir.file("c.toml"), fmt::format("[ioc]\nfile = \"{}\"\n", dir.file("iocs.txt")));
  auto r = testing::run(fmt::format("{} analyze {} -o {} --quiet --config {}", testing::trawl_binary(),
                                    testing::shell_quote(pcap), dir.file("out"), dir.file("c.toml")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::map<std::string, nlohmann::json> by;
  std::istringstream lines(testing::read_file(dir.file("out/alerts.jsonl")));
  for (std::string line; std::getline(lines, line);) {
    auto j = nlohmann::json::parse(line);
    if (j["type"] == "ioc.match") by[j["evidence"]["indicator"].get<std::string>()] = j;
  }
  ASSERT_EQ(by.size(), 2u);
  EXPECT_EQ(by["homealldaylong.com"]["src"], "192.168.122.145");
  EXPECT_EQ(by["184.170.149.44"]["evidence"]["matched_on"], nlohmann::json::parse(R"(["conn.dst"])"));
  if (!testing::have_tool("tshark")) GTEST_SKIP() << "tshark not installed";
  auto requests = testing::run(fmt::format("tshark -n -r {} -Y 'http.host == \"homealldaylong.com\"' -T fields -e frame.number",
                                           testing::shell_quote(pcap)));
  auto syns = testing::run(fmt::format("tshark -n -r {} -Y 'ip.dst == 184.170.149.44 && tcp.flags.syn == 1 && "
                                       "tcp.flags.ack == 0' -T fields -e frame.number", testing::shell_quote(pcap)));
  auto lines_of = [](const std::string& s) { return uint64_t(std::count(s.begin(), s.end(), '\n')); };
  EXPECT_EQ(by["homealldaylong.com"]["count"], lines_of(requests.out));
  EXPECT_EQ(by["184.170.149.44"]["count"], lines_of(syns.out));
}

}  // namespace
}  // namespace trawl::detect::beacon
