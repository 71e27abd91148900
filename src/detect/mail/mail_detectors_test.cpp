// Both mail detectors over synthetic smtp (and auth) records: what alerts, and the near misses just under
// every threshold that must not.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "detect/engine.h"
#include "detect/mail/mail_detectors.h"
#include "support/testing.h"

namespace trawl::detect {
namespace {

using nlohmann::json;

struct Mail {
  double ts = 1700000000;
  std::string src = "10.0.0.40", dst = "10.0.0.10";
  int dport = 587;
  std::string user;  // AUTH account; empty: none
  std::string mailfrom = "alice@corp.example", from, reply_to, subject = "Hello", body;
  std::vector<std::string> rcpt = {"bob@corp.example"};
  json urls = json::array(), attachments = json::array();
  uint64_t frame = 1;
};

std::string line(const Mail& m) {
  auto opt = [](const std::string& s) { return s.empty() ? json(nullptr) : json(s); };
  json j = {{"ts", m.ts},           {"uid", "Cx"},           {"src", m.src},         {"sport", 40000},
            {"dst", m.dst},         {"dport", m.dport},      {"file", "mail.pcap"},  {"frame", m.frame},
            {"trans_depth", 1},     {"auth_user", opt(m.user)}, {"mailfrom", opt(m.mailfrom)}, {"rcptto", m.rcpt},
            {"from", opt(m.from)},  {"reply_to", opt(m.reply_to)}, {"subject", opt(m.subject)}, {"msg_size", 1000},
            {"attachments", m.attachments}, {"urls", m.urls}, {"body_text", opt(m.body)}, {"status", 250}};
  return j.dump() + "\n";
}

std::vector<json> detect(const std::vector<Mail>& mails, const DetectorInfo& which, const std::string& toml = "",
                         const std::string& auth = "", const FeedOptions& feed = {}) {
  testing::TempDir dir;
  std::string smtp;
  for (const Mail& m : mails) smtp += line(m);
  testing::write_file(dir.file("smtp.jsonl"), smtp);
  testing::write_file(dir.file("auth.jsonl"), auth);
  const DetectorInfo* one[] = {&which};
  DetectResult r = run_detectors(dir.path(), toml.empty() ? Config::defaults() : Config::from_text(toml), one, feed);
  std::vector<json> out;
  for (const Alert& a : r.alerts) out.push_back(json::parse(a.to_json().dump()));
  return out;
}

// n messages from one sender, `gap` seconds apart, each to its own recipient(s).
std::vector<Mail> run_of(int n, double gap, const Mail& base, int rcpts_each = 1) {
  std::vector<Mail> out;
  for (int i = 0; i < n; ++i) {
    Mail m = base;
    m.ts = base.ts + i * gap;
    m.frame = uint64_t(100 + i);
    m.subject = fmt::format("Offer {}", i % 7);
    m.rcpt.clear();
    for (int k = 0; k < rcpts_each; ++k) m.rcpt.push_back(fmt::format("user{}@example.net", i * rcpts_each + k));
    out.push_back(m);
  }
  return out;
}

Mail account(const std::string& user) {
  Mail m;
  m.user = user;
  return m;
}

TEST(MassMailing, AccountSendingManyMessages) {
  auto alerts = detect(run_of(30, 60, account("alice")), kMassMailingDetector);
  ASSERT_EQ(alerts.size(), 1u);
  const json& a = alerts[0];
  EXPECT_EQ(a["type"], "mail.mass_mailing");
  EXPECT_EQ(a["severity"], "high");
  EXPECT_EQ(a["src"], "10.0.0.40");
  EXPECT_EQ(a["dst"], "10.0.0.10");
  EXPECT_EQ(a["dst_port"], 587);
  EXPECT_EQ(a["proto"], "smtp");
  EXPECT_EQ(a["count"], 30);
  EXPECT_DOUBLE_EQ(a["ts_first"].get<double>(), 1700000000);
  EXPECT_DOUBLE_EQ(a["ts_last"].get<double>(), 1700000000 + 29 * 60);
  EXPECT_EQ(a["mitre"], json::parse(R"(["T1078","T1071.003"])"));
  EXPECT_EQ(a["summary"], "Account alice sent 30 messages to 30 recipients (30 distinct) from 10.0.0.40 through 10.0.0.10 in 29 min.");
  const json& e = a["evidence"];
  EXPECT_EQ(e["account"], "alice");
  EXPECT_EQ(e["authenticated"], true);
  EXPECT_EQ(e["messages"], 30);
  EXPECT_EQ(e["recipients"]["count"], 30);
  EXPECT_EQ(e["recipients"]["distinct"], 30);
  EXPECT_EQ(e["recipients"]["list"].size(), 20u);  // max_listed_recipients
  EXPECT_EQ(e["recipients"]["list"][0], "user0@example.net");
  EXPECT_EQ(e["subjects"], json::parse(R"(["Offer 0","Offer 1","Offer 2","Offer 3","Offer 4"])"));
  EXPECT_EQ(e["servers"], json::parse(R"(["10.0.0.10:587"])"));
  EXPECT_EQ(e["peak_window"]["messages"], 30);
  EXPECT_EQ(e["logins"], json::parse(R"({"success":0,"failure":0})"));
  ASSERT_EQ(a["frames"].size(), 1u);
  EXPECT_EQ(a["frames"][0]["file"], "mail.pcap");
  EXPECT_EQ(a["frames"][0]["frames"].size(), 30u);
  EXPECT_EQ(a["frames"][0]["frames"][29], 129);

  // One message fewer: nothing.
  EXPECT_TRUE(detect(run_of(29, 60, account("alice")), kMassMailingDetector).empty());
}

TEST(MassMailing, RecipientThresholdsCountRepeatsAndDistinctAddresses) {
  // One message to 40 addresses, named 2.5 times each: 100 recipients, 40 distinct.
  Mail blast = account("bob");
  blast.rcpt.clear();
  for (int i = 0; i < 100; ++i) blast.rcpt.push_back(fmt::format("u{}@example.net", i % 40));
  auto alerts = detect({blast}, kMassMailingDetector);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0]["evidence"]["recipients"]["count"], 100);
  EXPECT_EQ(alerts[0]["evidence"]["recipients"]["distinct"], 40);
  EXPECT_EQ(alerts[0]["count"], 1);
  blast.rcpt.pop_back();
  EXPECT_TRUE(detect({blast}, kMassMailingDetector).empty());

  // Two messages to 25 different addresses each: 50 distinct. Addresses differing in case are one.
  auto two = run_of(2, 10, account("carol"), 25);
  two[1].rcpt[0] = "USER0@Example.NET";  // the same as the first message's first: 49 distinct
  EXPECT_TRUE(detect(two, kMassMailingDetector).empty());
  two[1].rcpt[0] = "someone.else@example.net";
  ASSERT_EQ(detect(two, kMassMailingDetector).size(), 1u);
}

TEST(MassMailing, OnlyWhatFitsInTheWindowCounts) {
  // 30 messages 125 s apart: any hour holds 29 of them.
  auto slow = run_of(30, 125, account("dave"));
  EXPECT_TRUE(detect(slow, kMassMailingDetector).empty());
  EXPECT_EQ(detect(slow, kMassMailingDetector, "[mail.mass_mailing]\nwindow = 3625\n").size(), 1u);

  // Two bursts a day apart are two episodes; a lone message in between belongs to neither.
  auto bursts = run_of(30, 5, account("erin"));
  auto later = run_of(35, 5, account("erin"));
  for (auto& m : later) m.ts += 86400, m.frame += 1000;
  bursts.insert(bursts.end(), later.begin(), later.end());
  Mail lone = account("erin");
  lone.ts += 43200;
  bursts.push_back(lone);
  auto alerts = detect(bursts, kMassMailingDetector);
  ASSERT_EQ(alerts.size(), 2u);
  EXPECT_EQ(alerts[0]["count"], 30);
  EXPECT_EQ(alerts[1]["count"], 35);
  EXPECT_DOUBLE_EQ(alerts[1]["ts_first"].get<double>(), 1700000000 + 86400);
}

TEST(MassMailing, UnauthenticatedInternalSenders) {
  Mail bot;
  bot.src = "10.0.0.41";
  bot.dst = "198.51.100.25";
  bot.dport = 25;
  auto run = run_of(30, 60, bot);
  auto alerts = detect(run, kMassMailingDetector);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0]["severity"], "medium");
  EXPECT_EQ(alerts[0]["evidence"]["account"], nullptr);
  EXPECT_EQ(alerts[0]["evidence"]["authenticated"], false);
  EXPECT_FALSE(alerts[0]["evidence"].contains("logins"));
  EXPECT_EQ(alerts[0]["mitre"], json::parse(R"(["T1071.003"])"));
  EXPECT_EQ(alerts[0]["summary"],
            "10.0.0.41 sent 30 messages to 30 recipients (30 distinct) without logging in through 198.51.100.25 in 29 min.");

  // A mail server forwarding others' mail (it receives SMTP too): not a sender of its own.
  auto relayed = run;
  Mail inbound;
  inbound.src = "203.0.113.9";
  inbound.dst = "10.0.0.41";
  relayed.push_back(inbound);
  EXPECT_TRUE(detect(relayed, kMassMailingDetector).empty());
  // Listed relays, external senders, and the switch.
  EXPECT_TRUE(detect(run, kMassMailingDetector, "[mail.mass_mailing]\nknown_relays = [\"10.0.0.41\"]\n").empty());
  EXPECT_TRUE(detect(run, kMassMailingDetector, "[mail.mass_mailing]\nunauthenticated = false\n").empty());
  auto outside = run;
  for (auto& m : outside) m.src = "203.0.113.50";
  EXPECT_TRUE(detect(outside, kMassMailingDetector).empty());
}

TEST(MassMailing, LoginsOfTheAccountFromTheLedger) {
  std::string auth;
  for (int i = 0; i < 3; ++i)
    auth += R"({"ts":1699999000,"src":"10.0.0.40","app":"smtp","user":"alice","outcome":"failure"})" "\n";
  auth += R"({"ts":1699999100,"src":"10.0.0.40","app":"smtp","user":"alice","outcome":"success"})" "\n";
  auth += R"({"ts":1699999100,"src":"10.0.0.40","app":"imap","user":"alice","outcome":"failure"})" "\n";
  auto alerts = detect(run_of(30, 1, account("alice")), kMassMailingDetector, "", auth);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0]["evidence"]["logins"], json::parse(R"({"success":1,"failure":3})"));

  // Inside analyze the logins may come before the mail or after it: the same alert either way.
  FeedOptions auth_first;
  auth_first.order.assign(record_type_order().rbegin(), record_type_order().rend());
  EXPECT_EQ(detect(run_of(30, 1, account("alice")), kMassMailingDetector, "", auth, auth_first), alerts);
}

Mail message(const std::string& subject) {
  Mail m;
  m.src = "10.0.0.41";
  m.dst = "10.0.0.10";
  m.dport = 25;
  m.mailfrom = "billing@vendor.example";
  m.from = "Billing <billing@vendor.example>";
  m.subject = subject;
  m.rcpt = {"bob@corp.example"};
  return m;
}

json indicator_names(const json& alert) {
  json names = json::array();
  for (const auto& i : alert["evidence"]["indicators"]) names.push_back(i["name"]);
  return names;
}

TEST(Phishing, ExecutableAttachmentAloneAlerts) {
  Mail m = message("Invoice");
  m.attachments = json::parse(R"([{"name":"setup.exe","type":"application/x-msdownload","encoded_bytes":100}])");
  auto alerts = detect({m}, kPhishingDetector);
  ASSERT_EQ(alerts.size(), 1u);
  const json& a = alerts[0];
  EXPECT_EQ(a["type"], "mail.phishing");
  EXPECT_EQ(a["severity"], "high");
  EXPECT_EQ(a["src"], "10.0.0.41");
  EXPECT_EQ(a["dst"], "10.0.0.10");
  EXPECT_EQ(a["dst_port"], 25);
  EXPECT_EQ(a["count"], 1);
  EXPECT_EQ(a["mitre"], json::parse(R"(["T1566.001"])"));
  EXPECT_EQ(a["summary"], "10.0.0.41 sent a message \"Invoice\" from billing@vendor.example to 1 recipient with "
                          "executable attachment setup.exe (phishing score 4).");
  EXPECT_EQ(a["evidence"]["score"], 4);
  EXPECT_EQ(a["evidence"]["threshold"], 4);
  EXPECT_EQ(a["evidence"]["indicators"],
            json::parse(R"([{"name":"executable_attachment","weight":4,"attachments":[{"name":"setup.exe","type":"application/x-msdownload"}]}])"));
  EXPECT_EQ(a["evidence"]["direction"], "internal");
  EXPECT_EQ(a["frames"], json::parse(R"([{"file":"mail.pcap","frames":[1]}])"));

  m.attachments[0]["name"] = "invoice.pdf.exe";
  auto disguised = detect({m}, kPhishingDetector);
  ASSERT_EQ(disguised.size(), 1u);
  EXPECT_EQ(indicator_names(disguised[0]), json::parse(R"(["double_extension"])"));
  EXPECT_EQ(disguised[0]["evidence"]["score"], 5);

  m.attachments[0]["name"] = "invoice.pdf";
  m.attachments[0]["type"] = "application/pdf";
  EXPECT_TRUE(detect({m}, kPhishingDetector).empty());
}

TEST(Phishing, WordingAloneStaysUnderTheThreshold) {
  Mail m = message("Your password expires today");
  m.body = "Please verify your account and confirm your password within 24 hours.";
  EXPECT_TRUE(detect({m}, kPhishingDetector).empty());  // wording is capped at 3

  // ... and with a Reply-To elsewhere it reaches 4.
  m.reply_to = "helpdesk@elsewhere.example";
  auto alerts = detect({m}, kPhishingDetector);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0]["severity"], "medium");
  EXPECT_EQ(alerts[0]["mitre"], json::parse(R"(["T1566"])"));
  EXPECT_EQ(indicator_names(alerts[0]), json::parse(R"(["lure_wording","reply_to_mismatch"])"));
  const json& lure = alerts[0]["evidence"]["indicators"][0];
  EXPECT_EQ(lure["weight"], 3);
  EXPECT_EQ(lure["in"], json::parse(R"(["subject","body"])"));
  EXPECT_EQ(lure["phrases"], json::parse(R"(["password expires","verify your account","confirm your password","within 24 hours"])"));

  // Weak words count at most 2 together: with a Reply-To, 3, under the threshold.
  Mail weak = message("Login");
  weak.body = "Your password was changed. Confirm it was you on your account page.";
  weak.reply_to = "helpdesk@elsewhere.example";
  EXPECT_TRUE(detect({weak}, kPhishingDetector).empty());
}

TEST(Phishing, LinksThatLie) {
  Mail m = message("Action required: unusual sign-in activity");
  m.urls = json::parse(R"([{"url":"http://login-check.example/paypal","text":"https://www.paypal.com/signin"},
                           {"url":"mailto:help@vendor.example","text":"help"}])");
  auto alerts = detect({m}, kPhishingDetector);
  ASSERT_EQ(alerts.size(), 1u);
  const json& a = alerts[0];
  EXPECT_EQ(a["mitre"], json::parse(R"(["T1566.002"])"));
  EXPECT_EQ(indicator_names(a), json::parse(R"(["lure_wording","link_text_mismatch"])"));
  EXPECT_EQ(a["evidence"]["indicators"][1]["links"][0]["text"], "https://www.paypal.com/signin");
  EXPECT_EQ(a["evidence"]["score"], 6);
  EXPECT_NE(a["summary"].get<std::string>().find("a link that shows www.paypal.com but goes to login-check.example"),
            std::string::npos);

  // The same link text and target domain: honest.
  m.urls = json::parse(R"([{"url":"https://www.paypal.com/signin?x=1","text":"paypal.com"}])");
  EXPECT_TRUE(detect({m}, kPhishingDetector).empty());

  // Showing the recipients' own domain is a lure too (3).
  m.urls = json::parse(R"([{"url":"https://click.tracker.example/c/1","text":"https://portal.corp.example/login"}])");
  auto own = detect({m}, kPhishingDetector);
  ASSERT_EQ(own.size(), 1u);
  EXPECT_EQ(own[0]["evidence"]["indicators"][1]["weight"], 3);

  // Showing the sender's own site while the link goes through a click tracker is what newsletters do (1);
  // with account words (2 at most) it stays under the threshold.
  Mail news = message("Your account: new offers");
  news.body = "Log in to see this week's offers. Forgot your password?";
  news.urls = json::parse(R"([{"url":"https://click.tracker.example/c/1","text":"https://www.vendor.example/offers"}])");
  for (const auto& a : detect({news}, kPhishingDetector)) ADD_FAILURE() << a.dump();
  EXPECT_EQ(detect({news}, kPhishingDetector, "[mail.phishing]\nweight_link_text_other = 2\n").size(), 1u);
  EXPECT_EQ(detect({news}, kPhishingDetector, "[mail.phishing]\nmax_lure_words = 3\n").size(), 1u);
}

TEST(Phishing, ChineseLureWithLookalikeAndAddressLinks) {
  Mail m = message("邮箱升级通知");
  m.mailfrom = "bounce@mailer.example";
  m.from = "系统管理员 <admin@rnail-corp.example>";
  m.rcpt = {"zhang@mail-corp.example"};
  m.body = "尊敬的用户：您的邮箱容量已满，密码即将过期，请点击链接重新验证。";
  m.urls = json::parse(R"([{"url":"http://203.0.113.7/owa/login","text":"立即登录"},
                           {"url":"https://paypa1.com/verify","text":"验证"}])");
  auto alerts = detect({m}, kPhishingDetector);
  ASSERT_EQ(alerts.size(), 1u);
  const json& a = alerts[0];
  EXPECT_EQ(a["severity"], "high");  // 3 + 3 + 3 >= high_score 8
  EXPECT_EQ(indicator_names(a), json::parse(R"(["lure_wording","ip_link","lookalike_domain"])"));
  EXPECT_EQ(a["evidence"]["score"], 9);
  const json& look = a["evidence"]["indicators"][2]["domains"];
  ASSERT_EQ(look.size(), 2u);
  EXPECT_EQ(look[0], json::parse(R"({"domain":"paypa1.com","looks_like":"paypal.com","how":"character swap","in":"link"})"));
  EXPECT_EQ(look[1], json::parse(R"({"domain":"rnail-corp.example","looks_like":"mail-corp.example","how":"character swap","in":"sender"})"));
  EXPECT_EQ(a["mitre"], json::parse(R"(["T1566.002"])"));
  // The summary names the sender the recipient sees; the evidence has the envelope's too.
  EXPECT_NE(a["summary"].get<std::string>().find("from admin@rnail-corp.example to 1 recipient"), std::string::npos);
  EXPECT_EQ(a["evidence"]["mailfrom"], "bounce@mailer.example");
}

TEST(Phishing, OneAlertPerCampaign) {
  std::vector<Mail> mails;
  for (int i = 0; i < 5; ++i) {
    Mail m = message("Invoice 2291");
    m.user = "mallory";
    m.ts += i;
    m.frame = uint64_t(10 + i);
    m.rcpt = {fmt::format("user{}@corp.example", i)};
    m.attachments = json::parse(R"([{"name":"Invoice_2291.PDF.js","type":"application/octet-stream"}])");
    mails.push_back(m);
  }
  Mail other = mails[0];
  other.subject = "Invoice 2292";
  other.ts += 100;
  mails.push_back(other);
  auto alerts = detect(mails, kPhishingDetector);
  ASSERT_EQ(alerts.size(), 2u);
  const json& a = alerts[0];
  EXPECT_EQ(a["count"], 5);
  EXPECT_EQ(a["evidence"]["subject"], "Invoice 2291");
  EXPECT_EQ(a["evidence"]["recipients"]["count"], 5);
  EXPECT_EQ(a["evidence"]["account"], "mallory");
  EXPECT_EQ(a["mitre"], json::parse(R"(["T1566.001","T1078"])"));
  EXPECT_EQ(a["frames"][0]["frames"], json::parse("[10,11,12,13,14]"));
  EXPECT_EQ(a["summary"], "10.0.0.41 sent 5 messages \"Invoice 2291\" from billing@vendor.example to 5 recipients with "
                          "disguised executable attachment Invoice_2291.PDF.js (phishing score 5).");
  EXPECT_EQ(alerts[1]["count"], 1);
}

TEST(Phishing, HonestMailStaysQuiet) {
  Mail news = message("Our March newsletter");
  news.body = "Read the news on our site. Log in to your account to change your subscription.";
  news.urls = json::parse(R"([{"url":"https://www.vendor.example/news","text":"www.vendor.example"},
                              {"url":"https://www.vendor.example/unsubscribe","text":"Unsubscribe"}])");
  news.attachments = json::parse(R"([{"name":"report.pdf","type":"application/pdf"}])");
  EXPECT_TRUE(detect({news}, kPhishingDetector).empty());

  // A look-alike link alone (3) is under the threshold.
  Mail look = message("Lunch");
  look.urls = json::parse(R"([{"url":"https://amazom.com/x"}])");
  EXPECT_TRUE(detect({look}, kPhishingDetector).empty());
  // With the threshold lowered it alerts.
  EXPECT_EQ(detect({look}, kPhishingDetector, "[mail.phishing]\nthreshold = 3\n").size(), 1u);

  // A connection without a message (STARTTLS, AUTH only) is not read.
  testing::TempDir dir;
  testing::write_file(dir.file("smtp.jsonl"), R"({"ts":1,"src":"10.0.0.1","dst":"10.0.0.2","msg_size":null,"attachments":[{"name":"a.exe","type":""}]})" "\n");
  const DetectorInfo* one[] = {&kPhishingDetector};
  EXPECT_TRUE(run_detectors(dir.path(), Config::defaults(), one).alerts.empty());
}

TEST(MailDetectors, ExplainNamesTheSettings) {
  std::string text = explain("mail");
  EXPECT_NE(text.find("detector mail.mass_mailing: reports mail.mass_mailing"), std::string::npos);
  EXPECT_NE(text.find("detector mail.phishing: reports mail.phishing"), std::string::npos);
  EXPECT_NE(text.find("min_distinct_recipients = 50"), std::string::npos);
  EXPECT_NE(text.find("weight_double_extension = 5"), std::string::npos);
  EXPECT_EQ(explain("mail.phishing").find("min_messages"), std::string::npos);
}

}  // namespace
}  // namespace trawl::detect
