// Name helpers: normalization, label-aware suffixes, registered domains from the bundled suffix subset.
#include "detect/dns/domain_name.h"

#include <gtest/gtest.h>

namespace trawl::detect::dns {
namespace {

TEST(DomainName, NormalizesCaseDotsAndPorts) {
  EXPECT_EQ(normalize_name("WWW.Example.COM."), "www.example.com");
  EXPECT_EQ(normalize_name("example.com:8080"), "example.com");
  EXPECT_EQ(normalize_name("[2001:db8::1]"), "[2001:db8::1]");
  EXPECT_EQ(normalize_name("2001:db8::1"), "2001:db8::1");  // two colons: not a port
}

TEST(DomainName, SuffixesMatchWholeLabels) {
  EXPECT_TRUE(has_domain_suffix("a.duckdns.org", "duckdns.org"));
  EXPECT_TRUE(has_domain_suffix("duckdns.org", "duckdns.org"));
  EXPECT_FALSE(has_domain_suffix("evilduckdns.org", "duckdns.org"));
  EXPECT_FALSE(has_domain_suffix("org", "duckdns.org"));
  EXPECT_FALSE(has_domain_suffix("a.duckdns.org", ""));
}

TEST(DomainName, RegisteredDomainUsesTheSuffixSubset) {
  EXPECT_EQ(registered_domain("www.bbc.co.uk"), "bbc.co.uk");
  EXPECT_EQ(registered_label("www.bbc.co.uk"), "bbc");
  EXPECT_EQ(subdomain_part("www.bbc.co.uk"), "www");
  EXPECT_EQ(registered_domain("e12476.b.akamaiedge.net"), "akamaiedge.net");
  EXPECT_EQ(subdomain_part("e12476.b.akamaiedge.net"), "e12476.b");
  EXPECT_EQ(registered_domain("example.com"), "example.com");
  EXPECT_EQ(subdomain_part("example.com"), "");
  EXPECT_EQ(registered_domain("co.uk"), "co.uk");
  EXPECT_EQ(registered_label("wpad"), "");
  EXPECT_EQ(registered_domain("parischezsharon.blogspot.co.il"), "blogspot.co.il");
  EXPECT_EQ(registered_domain("x.loula13.blogspot.com"), "loula13.blogspot.com");
  // No Internet name (dnscat2 without a domain): the first label is the constant part.
  EXPECT_EQ(registered_domain("dnscat.546b03f5.19e4d098dc"), "dnscat");
  EXPECT_EQ(subdomain_part("dnscat.546b03f5.19e4d098dc"), "546b03f5.19e4d098dc");
  EXPECT_EQ(registered_label("dnscat.546b03f5.19e4d098dc"), "");
}

TEST(DomainName, PublicAndLocalNames) {
  EXPECT_TRUE(is_public_name("www.example.com"));
  EXPECT_TRUE(is_public_name("xn--bcher-kva.xn--p1ai"));
  EXPECT_FALSE(is_public_name("wpad"));
  EXPECT_FALSE(is_public_name("printer.local"));
  EXPECT_FALSE(is_public_name("1.1.168.192.in-addr.arpa"));
  EXPECT_FALSE(is_public_name("dnscat.546b03f5.19e4d098dc"));
  EXPECT_TRUE(is_local_name("wpad.contoso.local"));
  EXPECT_TRUE(is_local_name("isatap"));
  EXPECT_FALSE(is_local_name("dnscat.546b03f5.19e4d098dc"));
}

TEST(NameTable, InternsOncePerName) {
  NameTable t;
  uint32_t a = t.intern("a.example"), b = t.intern("b.example");
  EXPECT_NE(a, b);
  EXPECT_EQ(t.intern("a.example"), a);
  EXPECT_EQ(t.find("b.example"), b);
  EXPECT_EQ(t.find("c.example"), NameTable::kNone);
  EXPECT_EQ(t.name(b), "b.example");
  EXPECT_EQ(t.size(), 2u);
}

}  // namespace
}  // namespace trawl::detect::dns
