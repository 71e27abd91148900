// What the mail detectors read in a message: the hosts of its links and addresses, whether a domain
// imitates another (digit swaps, rn for m, homoglyphs behind punycode, edit distance 1, a brand inside
// another name), credential-lure wording, and attachments that run when opened. Pure functions over
// text; the thresholds and lists come from config/detect.toml.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace trawl::detect::mail {

// ASCII lower case; other bytes (UTF-8) unchanged.
std::string ascii_lower(std::string_view s);

// The host of a URL ("https://user@Host.example:8443/x" -> "host.example", "[2001:db8::1]" ->
// "2001:db8::1", "www.a.example/x" -> "www.a.example"), lower-cased, without a trailing dot. Empty
// for URLs without a host (mailto:, cid:, relative links).
std::string url_host(std::string_view url);

// The host a link's visible text names, when the whole text (trimmed) is a URL or a domain name
// ("https://www.paypal.com/signin", "paypal.com"); empty for ordinary words.
std::string host_named_by_text(std::string_view text);

// The domain of a mail address, in "a@b.example", "<a@b.example>" or "Name <a@b.example>" form.
std::string address_domain(std::string_view address);

// A host written as an address: dotted IPv4, IPv6, or one number (decimal, 0x hex) that browsers
// read as an IPv4 address.
bool is_ip_host(std::string_view host);

// RFC 3492: the Unicode code points of a punycode label (without its "xn--"); nullopt when invalid.
std::optional<std::u32string> punycode_decode(std::string_view label);

// A label as it reads: homoglyphs (Cyrillic, Greek, accented Latin) and digits that pass for letters
// (0 o, 1 l, 3 e, 5 s, ...) mapped to the Latin letter they imitate, i/l merged, "rn" read as "m",
// "vv" as "w", hyphens dropped. Two labels with the same skeleton look the same to a reader.
std::string skeleton(std::u32string_view label);
std::string skeleton(std::string_view ascii_label);

// Optimal string alignment distance (insertions, deletions, substitutions, adjacent transpositions),
// computed only up to `cap`: the result is min(distance, cap + 1).
size_t edit_distance(std::string_view a, std::string_view b, size_t cap);

struct LookalikeHit {
  std::string domain;      // the imitating host
  std::string looks_like;  // the domain it imitates
  std::string how;         // "character swap", "homoglyph", "edit distance 1", "brand in subdomain", ...
};

// Decides whether a host imitates a known domain: the bundled brands, and per message the sender's and
// recipients' own domains. The registrable part of a host is its last two labels, or three under a
// listed multi-label suffix (co.uk, com.cn, ...).
class DomainComparer {
 public:
  DomainComparer(const std::vector<std::string>& brands, const std::vector<std::string>& multi_label_suffixes,
                 size_t min_edit_length);

  std::string registrable(std::string_view host) const;
  bool is_brand(std::string_view host) const;  // a brand's domain or a subdomain of one

  // A domain prepared for comparison: its registrable form, first label and that label's skeleton.
  struct Known {
    std::string domain, label, skeleton;
    std::string domain_dot;  // domain + ".", to find it in front of another domain
  };
  std::vector<Known> prepare(const std::vector<std::string>& domains) const;

  // The first brand `host` imitates, else the first of `own` (the message's own domains, compared by
  // character swaps and edit distance only). nullopt for the real thing and for unrelated names.
  // Remembers what it found per host (many messages link to the same few hosts).
  std::optional<LookalikeHit> imitates(std::string_view host, const std::vector<Known>& own);

 private:
  struct Host {  // what imitates() learnt about one host
    std::string reg, label, skeleton, shown;
    bool unicode = false, brand = false;
    std::optional<LookalikeHit> brand_hit;
  };
  Known make_known(std::string_view domain) const;
  const Host& host_info(std::string_view host);
  std::optional<LookalikeHit> brand_lookalike(std::string_view host, const Host& h) const;
  std::optional<std::string> compare(const Host& h, const Known& k) const;

  std::vector<Known> brands_;
  std::set<std::string, std::less<>> brand_domains_;
  std::set<std::string, std::less<>> suffixes_;
  size_t min_edit_length_;
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, Host, Hash, std::equal_to<>> hosts_;  // cleared when it reaches kMaxHosts
  static constexpr size_t kMaxHosts = 1 << 16;
};

// Lure wording: the phrases and words of the lists found in a text (matched after ASCII lower-casing
// and whitespace collapsing), each once, in list order. One pass over the text: entries are looked up by
// their first two bytes.
class LureMatcher {
 public:
  LureMatcher(const std::vector<std::string>& phrases, const std::vector<std::string>& words);
  struct Found {
    std::vector<std::string> phrases, words;
  };
  // Adds what `text` holds to `found` (skipping entries already there).
  void find(std::string_view text, Found& found) const;

 private:
  std::vector<std::string> entries_;  // phrases, then words; each at least two bytes
  size_t phrases_ = 0;
  std::vector<uint32_t> bucket_start_;  // 65537 offsets into bucket_ids_, by the first two bytes
  std::vector<uint32_t> bucket_ids_;
  std::array<uint64_t, 1024> starts_{};  // one bit per first two bytes that start some entry
};

// Attachments that run when opened.
class AttachmentCheck {
 public:
  AttachmentCheck(const std::vector<std::string>& executable_extensions, const std::vector<std::string>& decoy_extensions,
                  const std::vector<std::string>& executable_types);
  enum class Verdict : uint8_t { kHarmless, kExecutable, kDisguised };
  // kDisguised: an executable extension behind a document one ("invoice.pdf.exe"), behind a run of
  // spaces, or with a right-to-left override character in the name (the name reads backwards).
  Verdict check(std::string_view name, std::string_view media_type) const;

 private:
  std::set<std::string, std::less<>> executable_, decoy_, types_;
};

}  // namespace trawl::detect::mail
