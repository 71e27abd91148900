// libFuzzer target for what the phishing score reads out of hostile mail text: hosts of links and link
// texts, punycode, skeletons, look-alike checks, lure wording and attachment names.
#include <cstdint>
#include <string_view>

#include "detect/config.h"
#include "detect/mail/mail_content.h"

using namespace trawl::detect;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Config config = Config::defaults();
  static mail::DomainComparer domains(config.strings("mail.phishing.brand_domains"),
                                            config.strings("mail.phishing.multi_label_suffixes"), 5);
  static const mail::LureMatcher lures(config.strings("mail.phishing.lure_phrases"), config.strings("mail.phishing.lure_words"));
  static const mail::AttachmentCheck attachments(config.strings("mail.phishing.executable_extensions"),
                                                 config.strings("mail.phishing.decoy_extensions"),
                                                 config.strings("mail.phishing.executable_types"));
  std::string_view in(reinterpret_cast<const char*>(data), size);
  // Two strings: the input cut at its first NUL.
  size_t nul = in.find('\0');
  std::string_view a = in.substr(0, nul), b = nul == std::string_view::npos ? std::string_view() : in.substr(nul + 1);

  std::string host = mail::url_host(a);
  std::string shown = mail::host_named_by_text(b);
  (void)mail::is_ip_host(host);
  (void)domains.registrable(host);
  (void)domains.imitates(host, domains.prepare({mail::address_domain(b), shown}));
  (void)domains.imitates(shown, domains.prepare({host}));
  if (auto cps = mail::punycode_decode(a)) (void)mail::skeleton(*cps);
  (void)mail::skeleton(b);
  (void)mail::edit_distance(a.substr(0, 64), b.substr(0, 64), 2);
  mail::LureMatcher::Found found;
  lures.find(in, found);
  (void)attachments.check(a, b);
  return 0;
}
