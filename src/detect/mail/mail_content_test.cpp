// The pieces the phishing score is built from: hosts of links, look-alike domains, lure wording and
// attachments. Punycode is checked against Python's codec (the reference implementation of RFC 3492).
#include "detect/mail/mail_content.h"

#include <gtest/gtest.h>

#include "detect/config.h"
#include "support/testing.h"

namespace trawl::detect::mail {
namespace {

std::string utf8(std::u32string_view s) {
  std::string out;
  for (char32_t cp : s) {
    if (cp < 0x80) out += char(cp);
    else if (cp < 0x800) out += char(0xC0 | cp >> 6), out += char(0x80 | (cp & 0x3F));
    else if (cp < 0x10000) out += char(0xE0 | cp >> 12), out += char(0x80 | (cp >> 6 & 0x3F)), out += char(0x80 | (cp & 0x3F));
    else out += char(0xF0 | cp >> 18), out += char(0x80 | (cp >> 12 & 0x3F)), out += char(0x80 | (cp >> 6 & 0x3F)), out += char(0x80 | (cp & 0x3F));
  }
  return out;
}

TEST(MailContent, HostsOfUrlsAndLinkTexts) {
  EXPECT_EQ(url_host("https://user:pw@Login.PayPal.com.:8443/x?y#z"), "login.paypal.com");
  EXPECT_EQ(url_host("http://[2001:db8::7]:8080/a"), "2001:db8::7");
  EXPECT_EQ(url_host("  www.Example.org/path"), "www.example.org");
  EXPECT_EQ(url_host("HTTP:\\\\evil.test\\login"), "evil.test");  // browsers read backslashes as slashes
  EXPECT_EQ(url_host("//cdn.example.net/x.js"), "cdn.example.net");
  EXPECT_EQ(url_host("http://203.0.113.9"), "203.0.113.9");
  EXPECT_EQ(url_host("mailto:it@corp.example"), "");
  EXPECT_EQ(url_host("cid:part1@x"), "");
  EXPECT_EQ(url_host("/relative/link"), "");
  EXPECT_EQ(url_host(""), "");

  EXPECT_EQ(host_named_by_text(" https://www.paypal.com/signin "), "www.paypal.com");
  EXPECT_EQ(host_named_by_text("PayPal.com"), "paypal.com");
  EXPECT_EQ(host_named_by_text("www.bank.example/login"), "www.bank.example");
  EXPECT_EQ(host_named_by_text("example.cn"), "example.cn");
  EXPECT_EQ(host_named_by_text("Click here"), "");
  EXPECT_EQ(host_named_by_text("invoice.pdf"), "");  // a file name, not a domain
  EXPECT_EQ(host_named_by_text("登录"), "");
  EXPECT_EQ(host_named_by_text("v1.2"), "");

  EXPECT_EQ(address_domain("\"Help Desk\" <IT@Corp.Example>"), "corp.example");
  EXPECT_EQ(address_domain("a@b.example"), "b.example");
  EXPECT_EQ(address_domain("no address"), "");
}

TEST(MailContent, AddressHosts) {
  for (const char* ip : {"203.0.113.7", "2001:db8::1", "3232235777", "0xc0a80001", "0300.0250.0.1", "127.1"})
    EXPECT_TRUE(is_ip_host(ip)) << ip;
  for (const char* host : {"example.com", "1.example", "0x.example", "", "1.2.3.4.5", "1..2"}) EXPECT_FALSE(is_ip_host(host)) << host;
}

TEST(MailContent, PunycodeAgreesWithPython) {
  if (!testing::have_tool("python3")) GTEST_SKIP() << "python3 missing";
  // RFC 3492 7.1 (A) and (L), a homoglyph "apple", a German word and plain ASCII with a trailing dash.
  for (std::string word : {"ليهمابتكلموشعربي؟", "3年B組金八先生", "аррӏе", "bücher", "paypal"}) {
    SCOPED_TRACE(word);
    auto r = testing::run("python3 -c 'import sys; print(sys.argv[1].encode(\"punycode\").decode())' " + testing::shell_quote(word));
    ASSERT_EQ(r.exit_code, 0);
    std::string encoded = r.out.substr(0, r.out.find('\n'));
    auto decoded = punycode_decode(encoded);
    ASSERT_TRUE(decoded);
    EXPECT_EQ(utf8(*decoded), word);
  }
  EXPECT_EQ(punycode_decode("80ak6aa92e").value(), U"аррӏе");  // the well-known xn--80ak6aa92e.com
  // Hostile input: bad digits, overflow, a sequence that never ends.
  EXPECT_FALSE(punycode_decode("!!"));
  EXPECT_FALSE(punycode_decode("99999999999999999999"));
  EXPECT_FALSE(punycode_decode("abc-9"));
  EXPECT_FALSE(punycode_decode(""));
  EXPECT_FALSE(punycode_decode(std::string(80, 'a')));
}

TEST(MailContent, SkeletonsAndDistances) {
  EXPECT_EQ(skeleton(std::string_view("paypa1")), skeleton(std::string_view("paypal")));
  EXPECT_EQ(skeleton(std::string_view("rnicrosoft")), skeleton(std::string_view("microsoft")));
  EXPECT_EQ(skeleton(std::string_view("g00gle")), skeleton(std::string_view("google")));
  EXPECT_EQ(skeleton(std::string_view("pay-pal")), skeleton(std::string_view("paypal")));
  EXPECT_EQ(skeleton(std::string_view("vvechat")), skeleton(std::string_view("wechat")));
  EXPECT_EQ(skeleton(U"аррӏе"), skeleton(std::string_view("apple")));  // Cyrillic
  EXPECT_EQ(skeleton(U"ρaypal"), skeleton(std::string_view("paypal")));  // Greek rho
  EXPECT_EQ(skeleton(U"ａｐｐｌｅ"), skeleton(std::string_view("apple")));  // full-width
  EXPECT_NE(skeleton(std::string_view("paypal")), skeleton(std::string_view("paypat")));
  EXPECT_NE(skeleton(U"北京"), skeleton(U"南京"));

  EXPECT_EQ(edit_distance("paypal", "paypal", 1), 0u);
  EXPECT_EQ(edit_distance("paypal", "paypall", 1), 1u);
  EXPECT_EQ(edit_distance("amazon", "amzaon", 1), 1u);  // adjacent transposition
  EXPECT_EQ(edit_distance("kitten", "sitting", 5), 3u);
  EXPECT_EQ(edit_distance("kitten", "sitting", 1), 2u);  // capped: more than 1
  EXPECT_EQ(edit_distance("", "abc", 5), 3u);
}

DomainComparer bundled() {
  Config c = Config::defaults();
  return DomainComparer(c.strings("mail.phishing.brand_domains"), c.strings("mail.phishing.multi_label_suffixes"),
                        size_t(c.integer("mail.phishing.lookalike_min_length")));
}

TEST(MailContent, LookalikeDomains) {
  DomainComparer d = bundled();
  EXPECT_EQ(d.registrable("a.b.example.co.uk"), "example.co.uk");
  EXPECT_EQ(d.registrable("login.paypal.com"), "paypal.com");
  EXPECT_EQ(d.registrable("localhost"), "localhost");
  EXPECT_TRUE(d.is_brand("www.paypal.com"));
  EXPECT_FALSE(d.is_brand("paypal.com.evil.example"));

  struct Case {
    const char* host;
    const char* looks_like;  // "" when it imitates nothing
    const char* how;
  };
  const Case cases[] = {
      {"paypa1.com", "paypal.com", "character swap"},
      {"secure.rnicrosoft.com", "microsoft.com", "character swap"},
      {"amazom.com", "amazon.com", "edit distance 1"},
      {"xn--80ak6aa92e.com", "apple.com", "homoglyph (reads аррӏе)"},
      {"paypal.com.account-check.example", "paypal.com", "brand in subdomain"},
      {"paypal-security.com", "paypal.com", "brand in name"},
      {"l63.com", "163.com", "character swap"},
      {"www.paypal.com", "", ""},          // the real thing
      {"paypal.de", "", ""},               // the same name under another suffix
      {"ups.example.com", "", ""},         // a short brand inside another name
      {"outlook.corp.example", "", ""},    // a company's own webmail host
      {"live-news.example", "", ""},
      {"example.com", "", ""},
      {"203.0.113.7", "", ""},
      {"", "", ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.host);
    auto hit = d.imitates(c.host, {});
    if (*c.looks_like == 0) {
      EXPECT_FALSE(hit) << hit->looks_like << " " << hit->how;
      continue;
    }
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->domain, c.host);
    EXPECT_EQ(hit->looks_like, c.looks_like);
    EXPECT_EQ(hit->how, c.how);
  }
  // The message's own domains: a link to acrne.example in mail for acme.example users.
  auto acme = d.prepare({"acme.example", "203.0.113.5", ""});
  ASSERT_EQ(acme.size(), 1u);
  auto own = d.imitates("portal.acrne.example", acme);
  ASSERT_TRUE(own);
  EXPECT_EQ(own->looks_like, "acme.example");
  EXPECT_EQ(own->how, "character swap");
  EXPECT_FALSE(d.imitates("portal.acme.example", acme));
  EXPECT_FALSE(d.imitates("acne.example", acme));  // edit distance 1, but too short a name
  auto corporation = d.imitates("corporatin.example", d.prepare({"corporation.example"}));
  ASSERT_TRUE(corporation);
  EXPECT_EQ(corporation->how, "edit distance 1");
  // Asked again (from the memo), the same answers.
  EXPECT_EQ(d.imitates("paypa1.com", {})->how, "character swap");
  EXPECT_FALSE(d.imitates("www.paypal.com", {}));
}

TEST(MailContent, LureWording) {
  Config c = Config::defaults();
  LureMatcher m(c.strings("mail.phishing.lure_phrases"), c.strings("mail.phishing.lure_words"));
  LureMatcher::Found f;
  m.find("Please VERIFY your\r\n  account today", f);
  EXPECT_EQ(f.phrases, std::vector<std::string>{"verify your account"});
  EXPECT_EQ(f.words, (std::vector<std::string>{"verify", "account"}));
  m.find("verify again", f);  // found once
  EXPECT_EQ(f.words.size(), 2u);

  LureMatcher::Found zh;
  m.find("尊敬的用户：您的邮箱密码即将过期，请立即验证。", zh);
  EXPECT_EQ(zh.phrases, (std::vector<std::string>{"密码即将过期", "立即验证"}));
  EXPECT_EQ(zh.words, (std::vector<std::string>{"验证", "密码", "过期", "邮箱"}));

  LureMatcher::Found none;
  m.find("Minutes of Tuesday's meeting attached.", none);
  EXPECT_TRUE(none.phrases.empty() && none.words.empty());
}

TEST(MailContent, Attachments) {
  Config c = Config::defaults();
  AttachmentCheck a(c.strings("mail.phishing.executable_extensions"), c.strings("mail.phishing.decoy_extensions"),
                    c.strings("mail.phishing.executable_types"));
  using V = AttachmentCheck::Verdict;
  EXPECT_EQ(a.check("invoice.pdf.exe", "application/octet-stream"), V::kDisguised);
  EXPECT_EQ(a.check("Scan.DOCX.js", ""), V::kDisguised);
  EXPECT_EQ(a.check("report.pdf          .scr", ""), V::kDisguised);
  EXPECT_EQ(a.check("invoice\xE2\x80\xAE" "fdp.exe", ""), V::kDisguised);  // shows as "invoiceexe.pdf"
  EXPECT_EQ(a.check("setup.exe", "application/x-msdownload"), V::kExecutable);
  EXPECT_EQ(a.check("run.bat. ", ""), V::kExecutable);  // Windows drops the trailing dot and space
  EXPECT_EQ(a.check("update.ps1", "text/plain"), V::kExecutable);
  EXPECT_EQ(a.check("", "application/x-msdownload"), V::kExecutable);
  EXPECT_EQ(a.check("v1.2.exe", ""), V::kExecutable);  // "2" is no document type
  EXPECT_EQ(a.check("invoice.pdf", "application/pdf"), V::kHarmless);
  EXPECT_EQ(a.check("NEWS.txt", "text/plain"), V::kHarmless);
  EXPECT_EQ(a.check("archive.exe.zip", "application/zip"), V::kHarmless);
}

}  // namespace
}  // namespace trawl::detect::mail
