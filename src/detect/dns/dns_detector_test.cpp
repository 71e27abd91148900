// dns.ddns, dns.dga and dns.tunnel on synthetic records (each with a near miss just under its threshold),
// the hidden-client attribution, and end to end on real captures.
#include "detect/dns/dns_detector.h"

#include <set>

#include <gtest/gtest.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "detect/dns/fixture_check.h"
#include "detect/engine.h"
#include "support/testing.h"

namespace trawl::detect::dns {
namespace {

struct Answer {
  std::string text, type;
};

// One dns.jsonl line: a query from `client` to `server` and, unless rcode is empty, its response.
std::string dns_line(double ts, const std::string& client, const std::string& server, const std::string& query,
                     const std::string& rcode = "NOERROR", const std::vector<Answer>& answers = {},
                     const std::string& qtype = "A", uint64_t frame = 1) {
  nlohmann::json j;
  j["ts"] = ts;
  j["uid"] = "C1";
  j["src"] = client;
  j["sport"] = 40000;
  j["dst"] = server;
  j["dport"] = 53;
  j["file"] = "t.pcap";
  j["frame"] = frame;
  j["app"] = "dns";
  j["query"] = query;
  j["qtype_name"] = qtype;
  j["response_seen"] = !rcode.empty();
  j["rcode_name"] = rcode.empty() ? nlohmann::json(nullptr) : nlohmann::json(rcode);
  auto texts = nlohmann::json::array(), types = nlohmann::json::array();
  for (const auto& a : answers) texts.push_back(a.text), types.push_back(a.type);
  j["answers"] = texts;
  j["answer_types"] = types;
  return j.dump() + "\n";
}

std::string conn_line(double ts, const std::string& src, const std::string& dst, int dport, uint64_t frame = 1) {
  return fmt::format(R"({{"ts":{},"uid":"C2","src":"{}","sport":50000,"dst":"{}","dport":{},"proto":"tcp",)"
                     R"("conn_state":"SF","file":"t.pcap","frame":{},"frames":[{{"file":"t.pcap","frames":[{}]}}]}})"
                     "\n", ts, src, dst, dport, frame, frame);
}

std::vector<Alert> run(const std::string& dns, const std::string& conn = "", const Config& config = Config::defaults(),
                       const FeedOptions& feed = {}) {
  testing::TempDir dir;
  testing::write_file(dir.file("dns.jsonl"), dns);
  testing::write_file(dir.file("conn.jsonl"), conn);
  const DetectorInfo* which[] = {&kDnsDetector};
  return run_detectors(dir.path(), config, which, feed).alerts;
}

std::vector<Alert> of_type(const std::vector<Alert>& alerts, std::string_view type) {
  std::vector<Alert> out;
  for (const Alert& a : alerts)
    if (a.type == type) out.push_back(a);
  return out;
}

TEST(DnsDdns, OneAlertPerClientAndProvider) {
  std::string dns = dns_line(10, "10.0.0.5", "10.0.0.53", "a.DuckDNS.org.", "NOERROR", {{"203.0.113.7", "A"}}, "A", 3) +
                    dns_line(12, "10.0.0.5", "10.0.0.53", "b.duckdns.org", "NOERROR", {{"203.0.113.7", "A"}}, "A", 5) +
                    dns_line(13, "10.0.0.5", "10.0.0.53", "a.duckdns.org", "NOERROR", {{"203.0.113.7", "A"}}, "A", 7) +
                    dns_line(14, "10.0.0.5", "10.0.0.53", "home.dyndns.info", "NXDOMAIN", {}, "A", 9) +
                    dns_line(15, "10.0.0.6", "10.0.0.53", "notduckdns.org") +   // not under the suffix
                    dns_line(16, "10.0.0.6", "10.0.0.53", "dyndns.com.example.net");  // not the label under a TLD
  auto alerts = run(dns);
  auto ddns = of_type(alerts, "dns.ddns");
  ASSERT_EQ(ddns.size(), 2u);
  const Alert& duck = ddns[0];
  EXPECT_EQ(duck.src, "10.0.0.5");
  EXPECT_EQ(duck.evidence["suffix"], "duckdns.org");
  EXPECT_EQ(duck.evidence["names"], nlohmann::ordered_json::parse(R"(["a.duckdns.org","b.duckdns.org"])"));
  EXPECT_EQ(duck.count, 3u);
  EXPECT_FALSE(duck.dst.has_value());  // no connection to the answer followed
  EXPECT_EQ(duck.ts_first, 10);
  EXPECT_EQ(duck.ts_last, 13);
  EXPECT_EQ(duck.mitre, std::vector<std::string>{"T1568"});
  EXPECT_EQ(duck.frames.to_json().dump(), R"([{"file":"t.pcap","frames":[3,5,7]}])");
  EXPECT_EQ(ddns[1].evidence["suffix"], "dyndns.*");
  EXPECT_EQ(ddns[1].evidence["nxdomain"], 1);

  // The user's own suffixes add to the bundled list.
  Config mine = Config::from_text("[dns]\nddns_extra_suffixes = [\"example.net\"]\n");
  EXPECT_EQ(of_type(run(dns, "", mine), "dns.ddns").size(), 3u);
}

// Labels that score as generated (dga_score_test checks the scorer itself).
const char* kGenerated[] = {"xjwqkzpvtrb", "qxvbrtzmwkpl", "zkqjxwvbnmr", "pqzxkjtrwvh", "vbxqzkjwmrt",
                            "wqzxjkvbplm", "hjkqzxwvrtb", "mnbvxzqkjwt", "trzqxkjvwbp", "lkjqzxwvbmn"};

std::string dga_lookups(const std::string& host, int names, int nxdomain) {
  std::string out;
  for (int i = 0; i < names; ++i) {
    std::string name = fmt::format("{}.com", kGenerated[i]);
    out += i < nxdomain ? dns_line(100 + i, host, "10.0.0.53", name, "NXDOMAIN")
                        : dns_line(100 + i, host, "10.0.0.53", name, "NOERROR", {{fmt::format("198.51.100.{}", i), "A"}});
  }
  return out;
}

TEST(DnsDga, ManyGeneratedNamesThatMostlyDoNotExist) {
  Config c = Config::defaults();
  ASSERT_EQ(c.integer("dns.dga_min_names"), 8);
  ASSERT_EQ(c.number("dns.dga_min_nxdomain_ratio"), 0.5);
  std::string dns = dga_lookups("10.0.0.11", 10, 8) +  // alerts
                    dga_lookups("10.0.0.12", 10, 0) +  // all resolve: CDN-like, quiet
                    dga_lookups("10.0.0.13", 7, 7) +   // one name short of dga_min_names
                    dga_lookups("10.0.0.14", 10, 4) +  // 40% NXDOMAIN, under the ratio
                    dga_lookups("10.0.0.15", 8, 4);    // exactly at both thresholds: alerts
  // Ordinary names that do not exist do not make a host look infected.
  for (std::string_view word : {"kitchen", "garden", "printer", "mailserver", "intranet", "weather", "football",
                                "holidays", "portfolio", "bookshop"})
    dns += dns_line(120, "10.0.0.16", "10.0.0.53", fmt::format("{}.example.com", word), "NXDOMAIN");
  auto dga = of_type(run(dns), "dns.dga");
  ASSERT_EQ(dga.size(), 2u);
  EXPECT_EQ(dga[0].src, "10.0.0.11");
  EXPECT_EQ(dga[0].evidence["generated_names"], 10);
  EXPECT_EQ(dga[0].evidence["nxdomain_names"], 8);
  EXPECT_EQ(dga[0].evidence["nxdomain_ratio"], 0.8);
  EXPECT_EQ(dga[0].evidence["domains"].size(), 10u);
  EXPECT_EQ(dga[0].count, 10u);
  EXPECT_EQ(dga[0].severity, Severity::kHigh);
  EXPECT_EQ(dga[0].mitre, std::vector<std::string>{"T1568.002"});
  EXPECT_EQ(dga[1].src, "10.0.0.15");
}

std::string tunnel_lookups(const std::string& host, const std::string& domain, int names, bool long_random,
                           const std::string& qtype = "A", double t0 = 1000) {
  std::string out;
  for (int i = 0; i < names; ++i) {
    std::string sub = long_random ? fmt::format("{:08x}{:08x}{:08x}.{:08x}", i * 2654435761u, i * 40503u + 7,
                                                i * 2246822519u + 3, i * 3266489917u + 11)
                                  : fmt::format("host{}", i);
    out += dns_line(t0 + i, host, "10.0.0.53", fmt::format("{}.{}", sub, domain), "NOERROR", {}, qtype);
  }
  return out;
}

TEST(DnsTunnel, ManyLongRandomSubdomainsOfOneDomain) {
  Config c = Config::defaults();
  ASSERT_EQ(c.integer("dns.tunnel_min_unique_names"), 20);
  std::string dns = tunnel_lookups("10.0.0.21", "t.example.com", 25, true) +
                    tunnel_lookups("10.0.0.22", "t.example.com", 19, true) +           // one name short
                    tunnel_lookups("10.0.0.23", "example.org", 30, false) +            // short hostnames
                    tunnel_lookups("10.0.0.24", "example.net", 20, false, "TXT") +     // TXT volume
                    tunnel_lookups("10.0.0.25", "example.net", 20, false, "MX") +      // neither
                    tunnel_lookups("10.0.0.26", "in-addr.arpa", 40, true);             // reverse lookups
  auto tunnels = of_type(run(dns), "dns.tunnel");
  ASSERT_EQ(tunnels.size(), 2u);
  const Alert& t = tunnels[0];
  EXPECT_EQ(t.src, "10.0.0.21");
  EXPECT_FALSE(t.dst.has_value());
  EXPECT_EQ(t.evidence["servers"], nlohmann::ordered_json::parse(R"(["10.0.0.53"])"));
  EXPECT_EQ(t.evidence["domain"], "example.com");
  EXPECT_EQ(t.evidence["unique_names"], 25);
  EXPECT_EQ(t.evidence["mean_subdomain_length"], 35);  // 8+8+8 hex, a dot, 8 hex, ".t"
  EXPECT_EQ(t.mitre, std::vector<std::string>{"T1071.004"});
  EXPECT_EQ(tunnels[1].src, "10.0.0.24");
  EXPECT_EQ(tunnels[1].evidence["txt_queries"], 20);
}

const std::string kResolver = "10.0.0.53";

// Lookups by clients and by the resolver kResolver, and the connections that followed some of them.
struct ResolverScene {
  std::string dns, conn;
};

ResolverScene resolver_scene() {
  const std::string upstream = "198.51.100.53";
  ResolverScene scene;
  scene.dns =
      // A visible client asks the resolver, which forwards the question upstream: one alert, the client's.
      dns_line(100, "10.0.0.7", kResolver, "a.duckdns.org", "NOERROR", {{"203.0.113.1", "A"}}) +
      dns_line(100.01, kResolver, upstream, "a.duckdns.org", "NOERROR", {{"203.0.113.1", "A"}}) +
      // A hidden client (on the resolver's own host): only the resolver's upstream lookup is on the wire.
      dns_line(200, kResolver, upstream, "b.duckdns.org", "NOERROR", {{"203.0.113.66", "A"}}, "A", 20) +
      // A resolver lookup nobody used: blamed on the resolver itself.
      dns_line(300, kResolver, upstream, "c.no-ip.org", "NOERROR", {{"203.0.113.99", "A"}}) +
      // Used only long after the attribution window: still the resolver's.
      dns_line(400, kResolver, upstream, "d.hopto.org", "NOERROR", {{"203.0.113.50", "A"}});
  scene.conn = conn_line(100.5, "10.0.0.7", "203.0.113.1", 443) +
               conn_line(201, "10.0.0.36", "203.0.113.66", 80, 30) +
               conn_line(231, "10.0.0.36", "203.0.113.66", 80, 40) +
               conn_line(400 + 3601, "10.0.0.8", "203.0.113.50", 80) +
               conn_line(202, "198.51.100.9", "203.0.113.66", 80);  // not internal: not a client
  return scene;
}

TEST(DnsAttribution, ResolverLookupsBelongToTheirClients) {
  const ResolverScene scene = resolver_scene();
  auto ddns = of_type(run(scene.dns, scene.conn), "dns.ddns");
  ASSERT_EQ(ddns.size(), 4u);
  std::map<std::string, const Alert*> by_suffix;
  for (const Alert& a : ddns) by_suffix[a.evidence["suffix"].get<std::string>() + " " + a.src] = &a;
  ASSERT_EQ(by_suffix.size(), 4u);
  const Alert* visible = by_suffix.at("duckdns.org 10.0.0.7");
  EXPECT_EQ(visible->count, 1u);
  EXPECT_EQ(visible->evidence["clients"], nlohmann::ordered_json::parse(R"(["10.0.0.7"])"));
  EXPECT_EQ(visible->dst, "203.0.113.1");
  EXPECT_EQ(visible->dst_port, 443);
  const Alert* hidden = by_suffix.at("duckdns.org 10.0.0.36");
  EXPECT_EQ(hidden->evidence["resolver"], kResolver);
  EXPECT_EQ(hidden->evidence["clients"], nlohmann::ordered_json::parse(R"(["10.0.0.36"])"));
  EXPECT_EQ(hidden->evidence["connections"], 2);
  EXPECT_EQ(hidden->dst, "203.0.113.66");
  EXPECT_EQ(hidden->dst_port, 80);
  EXPECT_EQ(hidden->ts_first, 200);
  EXPECT_EQ(hidden->ts_last, 231);
  EXPECT_EQ(hidden->frames.to_json().dump(), R"([{"file":"t.pcap","frames":[20,30,40]}])");
  EXPECT_NE(hidden->summary.find("through the resolver 10.0.0.53"), std::string::npos) << hidden->summary;
  EXPECT_TRUE(by_suffix.count("no-ip.org 10.0.0.53"));
  EXPECT_EQ(by_suffix.at("no-ip.org 10.0.0.53")->evidence["clients"].size(), 0u);
  EXPECT_TRUE(by_suffix.count("hopto.org 10.0.0.53"));
}

// Inside analyze, conn records may come before the lookups that give them meaning (or between them): the
// hidden client is found all the same, with the very same alerts.
TEST(DnsAttribution, ConnectionsBeforeTheLookupsCountTheSame) {
  const ResolverScene scene = resolver_scene();
  const std::string usual = alert_lines(run(scene.dns, scene.conn));
  ASSERT_NE(usual.find("\"resolver\":\"10.0.0.53\""), std::string::npos) << usual;  // the hidden client is in
  FeedOptions conn_first;  // every type in reverse: conn (last as usual) comes first
  conn_first.order.assign(record_type_order().rbegin(), record_type_order().rend());
  EXPECT_EQ(alert_lines(run(scene.dns, scene.conn, Config::defaults(), conn_first)), usual);
}

TEST(DnsDetector, IgnoresMdnsLlmnrAndNetbiosNames) {
  std::string dns;
  for (int i = 0; i < 30; ++i) {
    nlohmann::json j = nlohmann::json::parse(
        dns_line(i, "10.0.0.9", "224.0.0.251", fmt::format("{:032x}.duckdns.org", i * 977u), "", {}, "TXT"));
    j["app"] = "mdns";
    j["dport"] = 5353;
    dns += j.dump() + "\n";
  }
  EXPECT_TRUE(run(dns).empty());
}

// End to end: the real dnscat2 exfiltration capture gives one tunnel alert whose counts agree with tshark.
TEST(DnsEndToEnd, DnscatExfiltrationIsATunnel) {
  std::string pcap = testing::shared_pcap("ndpi-dns-exfiltration.pcap");
  testing::TempDir out;
  auto r = testing::run(fmt::format("{} analyze {} -o {} --quiet", testing::trawl_binary(), testing::shell_quote(pcap),
                                    out.path()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<nlohmann::json> tunnels;
  std::istringstream lines(testing::read_file(out.file("alerts.jsonl")));
  for (std::string line; std::getline(lines, line);) {
    auto j = nlohmann::json::parse(line);
    if (j["type"].get<std::string>().rfind("dns.", 0) == 0) tunnels.push_back(j);
  }
  ASSERT_EQ(tunnels.size(), 1u);
  const auto& t = tunnels[0];
  EXPECT_EQ(t["type"], "dns.tunnel");
  EXPECT_EQ(t["src"], "192.168.220.56");
  EXPECT_EQ(t["evidence"]["servers"], nlohmann::json::parse(R"(["192.168.203.167"])"));
  EXPECT_EQ(t["evidence"]["domain"], "dnscat");
  if (!testing::have_tool("tshark")) GTEST_SKIP() << "tshark not installed";
  auto names = testing::run(fmt::format("tshark -n -r {} -Y 'dns.flags.response == 0' -T fields -e dns.qry.name",
                                        testing::shell_quote(pcap)));
  ASSERT_EQ(names.exit_code, 0);
  std::set<std::string> unique;
  size_t queries = 0, txt = 0;
  std::istringstream in(names.out);
  for (std::string name; std::getline(in, name);) unique.insert(name), ++queries;
  auto types = testing::run(fmt::format("tshark -n -r {} -Y 'dns.flags.response == 0 && dns.qry.type == 16' -T fields "
                                        "-e frame.number", testing::shell_quote(pcap)));
  for (char c : types.out) txt += c == '\n';
  EXPECT_EQ(t["evidence"]["unique_names"], unique.size());
  EXPECT_EQ(t["evidence"]["queries"], queries);
  EXPECT_EQ(t["evidence"]["txt_queries"], txt);
  EXPECT_EQ(t["count"], queries);
}

// End to end: none of the shared captures other than the exfiltration one holds dynamic DNS, generated
// names or a tunnel, so none may raise a DNS alert.
TEST(DnsEndToEnd, QuietOnTheOtherSharedCaptures) {
  for (const char* name : {"ndpi-1kxun.pcap", "ndpi-alexa-app.pcapng", "ndpi-netflix.pcap", "ppp-dns-packets.pcap",
                           "ppp-example.pcap", "ppp-many-protocols.pcap", "zeek-dns-edns-ecs.pcap",
                           "id2t-sality-botnet.pcap", "suricata-smb2-psexec-add-user.pcap", "zeek-erspan.pcap",
                           "chrissanders-arppoison.pcapng"}) {
    testing::TempDir out;
    auto r = testing::run(fmt::format("{} analyze {} -o {} --quiet", testing::trawl_binary(),
                                      testing::shell_quote(testing::shared_pcap(name)), out.path()));
    ASSERT_NE(r.exit_code, 1) << name << ": " << r.err;
    std::istringstream lines(testing::read_file(out.file("alerts.jsonl")));
    for (std::string line; std::getline(lines, line);)
      EXPECT_NE(nlohmann::json::parse(line)["type"].get<std::string>().rfind("dns.", 0), 0u) << name << ": " << line;
  }
}

// The attack fixtures: dynamic DNS (also for the client hidden behind the resolver), generated names and a
// TXT tunnel found as labelled; nothing on the benign capture or the other scenarios.
TEST(DnsEndToEnd, AttackFixtures) {
  for (const char* scenario : {"dns", "benign", "beacon", "scans", "bruteforce", "mail", "smb-vuln", "worm"})
    if (!testing_support::check_fixture(scenario, {"dns."})) std::cerr << "fixture " << scenario << " not there yet\n";
}

}  // namespace
}  // namespace trawl::detect::dns
