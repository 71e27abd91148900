// End to end: `trawl analyze` on real captures. The shared ones hold honest mail (AUTH, a CC list,
// STARTTLS) that must raise no mail alert; the attack fixture holds swaks mass mail and phishing.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "support/testing.h"

namespace trawl::detect {
namespace {

using nlohmann::json;

std::vector<json> mail_alerts(const std::string& pcap) {
  testing::TempDir out;
  auto r = testing::run(testing::shell_quote(testing::trawl_binary()) + " analyze --quiet " + testing::shell_quote(pcap) +
                        " -o " + testing::shell_quote(out.path()) + " >/dev/null");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<json> alerts;
  std::istringstream in(testing::read_file(out.file("alerts.jsonl")));
  for (std::string line; std::getline(in, line);) {
    json a = json::parse(line);
    if (a["type"].get<std::string>().starts_with("mail.")) alerts.push_back(a);
  }
  return alerts;
}

TEST(MailCaptures, HonestMailRaisesNothing) {
  for (const char* name : {"zeek-smtp.pcap", "chrissanders-mail-sender-client.pcapng", "ndpi-smtp-starttls-vlan.pcap"}) {
    SCOPED_TRACE(name);
    for (const json& a : mail_alerts(testing::shared_pcap(name))) ADD_FAILURE() << a.dump();
  }
}

std::string fixture(const std::string& name) {
  std::string path = testing::fixtures_dir() + "/attacks/" + name;
  return std::filesystem::exists(path) ? path : "";
}

TEST(MailCaptures, BenignFixtureRaisesNothing) {
  std::string pcap = fixture("benign.pcap");
  if (pcap.empty()) GTEST_SKIP() << "fixtures/attacks/benign.pcap not made yet";
  for (const json& a : mail_alerts(pcap)) ADD_FAILURE() << a.dump();
}

struct Label {
  std::string type, src, dst;
  int dst_port = 0;
};

std::vector<Label> mail_labels(const std::string& tsv) {
  std::vector<Label> out;
  std::istringstream in(testing::read_file(tsv));
  for (std::string line; std::getline(in, line);) {
    std::istringstream row(line);
    Label l;
    std::string port;
    std::getline(row, l.type, '\t'), std::getline(row, l.src, '\t'), std::getline(row, l.dst, '\t'), std::getline(row, port, '\t');
    if (!l.type.starts_with("mail.")) continue;
    l.dst_port = std::stoi(port);
    out.push_back(l);
  }
  return out;
}

// Every frame an alert names is a packet between its source and its server (tshark says so).
void frames_belong_to(const std::string& pcap, const json& alert) {
  std::string list;
  size_t n = 0;
  for (const auto& group : alert["frames"])
    for (const auto& f : group["frames"]) list += (list.empty() ? "" : ",") + std::to_string(f.get<uint64_t>()), ++n;
  ASSERT_GT(n, 0u);
  auto r = testing::run("tshark -n -r " + testing::shell_quote(pcap) + " -Y 'frame.number in {" + list +
                        "}' -T fields -e ip.src -e ip.dst -e tcp.port 2>/dev/null");
  std::istringstream in(r.out);
  size_t rows = 0;
  for (std::string line; std::getline(in, line); ++rows) {
    EXPECT_NE(line.find(alert["src"].get<std::string>()), std::string::npos) << line;
    EXPECT_NE(line.find(alert["dst"].get<std::string>()), std::string::npos) << line;
  }
  EXPECT_EQ(rows, n);
}

TEST(MailCaptures, AttackFixtureMatchesItsLabels) {
  std::string pcap = fixture("mail.pcap");
  if (pcap.empty()) GTEST_SKIP() << "fixtures/attacks/mail.pcap not made yet";
  auto labels = mail_labels(fixture("mail.labels.tsv"));
  auto alerts = mail_alerts(pcap);
  ASSERT_FALSE(labels.empty());
  auto matches = [](const Label& l, const json& a) {
    return a["type"] == l.type && a["src"] == l.src && a["dst"] == l.dst && a["dst_port"] == l.dst_port;
  };
  for (const Label& l : labels) {
    size_t found = 0;
    for (const json& a : alerts) found += matches(l, a);
    EXPECT_EQ(found, 1u) << "label " << l.type << " " << l.src;
  }
  for (const json& a : alerts) {
    bool labelled = std::any_of(labels.begin(), labels.end(), [&](const Label& l) { return matches(l, a); });
    EXPECT_TRUE(labelled) << "false alert: " << a.dump();
  }

  // What each alert rests on, as make-attacks.sh and mails.py made it.
  std::map<std::string, json> by_src;
  for (const json& a : alerts) by_src[a["type"].get<std::string>() + " " + a["src"].get<std::string>()] = a;
  const json& mass = by_src["mail.mass_mailing 10.66.0.40"];
  ASSERT_TRUE(mass.is_object());
  EXPECT_EQ(mass["evidence"]["account"], "sales");
  EXPECT_EQ(mass["evidence"]["messages"], 4);
  EXPECT_EQ(mass["evidence"]["recipients"]["distinct"], 120);
  EXPECT_EQ(mass["evidence"]["subjects"], json::parse(R"(["Huge discount on luxury watches - today only"])"));
  auto names = [&](const std::string& src) {
    std::set<std::string> out;
    for (const auto& i : by_src["mail.phishing " + src]["evidence"]["indicators"]) out.insert(i["name"]);
    return out;
  };
  using S = std::set<std::string>;
  EXPECT_EQ(names("10.66.0.41"), (S{"lure_wording", "link_text_mismatch", "ip_link"}));
  EXPECT_EQ(names("10.66.0.42"), (S{"lure_wording", "link_text_mismatch", "lookalike_domain"}));
  EXPECT_EQ(names("10.66.0.43"), (S{"lure_wording", "ip_link"}));
  EXPECT_EQ(names("10.66.0.44"), (S{"double_extension"}));
  EXPECT_EQ(names("10.66.0.45"), (S{"executable_attachment"}));
  EXPECT_EQ(by_src["mail.phishing 10.66.0.43"]["evidence"]["subject"], "【重要通知】您的邮箱账户需要验证，密码即将过期");
  if (!testing::have_tool("tshark")) return;
  for (const json& a : alerts) frames_belong_to(pcap, a);
}

}  // namespace
}  // namespace trawl::detect
