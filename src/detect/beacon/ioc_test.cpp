// The indicator list (every kind, comments, errors with line numbers) and ioc.match over synthetic records
// and a real capture.
#include "detect/beacon/ioc_detector.h"
#include "detect/beacon/ioc_list.h"

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
                           const std::string& http, const std::string& tls) {
  testing::TempDir dir;
  testing::write_file(dir.file("iocs.txt"), iocs);
  testing::write_file(dir.file("conn.jsonl"), conn);
  testing::write_file(dir.file("dns.jsonl"), dns);
  testing::write_file(dir.file("http.jsonl"), http);
  testing::write_file(dir.file("tls.jsonl"), tls);
  Config config = Config::defaults();
  config.set_string("ioc.file", dir.file("iocs.txt"));
  const DetectorInfo* which[] = {&kIocDetector};
  return run_detectors(dir.path(), config, which).alerts;
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
