// mail.phishing: a weighted score per message from what its smtp record shows (subject, the start of its
// text, links with their visible text, attachments, sender and Reply-To). Messages reaching the threshold
// are grouped per (client address, MAIL FROM, subject): a campaign sent to many recipients is one alert.
#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "detect/mail/mail_common.h"
#include "detect/mail/mail_content.h"
#include "detect/mail/mail_detectors.h"

namespace trawl::detect {

namespace {

using mail::ascii_lower;
using mail::plural;
using json = nlohmann::ordered_json;

struct Weights {
  int64_t lure_phrase, lure_word, max_lure_words, max_lure, link_text_mismatch, link_text_other, ip_link, lookalike,
      punycode, executable, double_extension, reply_to_mismatch;
};

struct Indicator {
  std::string name;
  int64_t weight = 0;
  json detail;  // the evidence of this indicator, an object
  std::string spoken;  // for the summary sentence
};

// Cuts UTF-8 text at about n bytes without splitting a character.
std::string cut(std::string_view s, size_t n) {
  if (s.size() <= n) return std::string(s);
  while (n > 0 && (static_cast<uint8_t>(s[n]) & 0xC0) == 0x80) --n;
  return std::string(s.substr(0, n)) + "...";
}

template <typename Fn>
void for_each_object(const RecordView& r, std::string_view key, Fn&& fn) {
  simdjson::dom::array a;
  if (r.get(key).get_array().get(a)) return;
  for (simdjson::dom::element e : a) {
    simdjson::dom::object o;
    if (!e.get_object().get(o)) fn(o);
  }
}

std::string_view field(simdjson::dom::object o, std::string_view key) {
  std::string_view s;
  if (o[key].get_string().get(s)) return {};
  return s;
}

class PhishingDetector final : public Detector {
 public:
  explicit PhishingDetector(const DetectContext& ctx)
      : home_(ctx.home),
        threshold_(ctx.config.integer("mail.phishing.threshold")),
        high_score_(ctx.config.integer("mail.phishing.high_score")),
        w_{ctx.config.integer("mail.phishing.weight_lure_phrase"), ctx.config.integer("mail.phishing.weight_lure_word"),
           ctx.config.integer("mail.phishing.max_lure_words"), ctx.config.integer("mail.phishing.max_lure"),
           ctx.config.integer("mail.phishing.weight_link_text_mismatch"),
           ctx.config.integer("mail.phishing.weight_link_text_other"), ctx.config.integer("mail.phishing.weight_ip_link"), ctx.config.integer("mail.phishing.weight_lookalike"),
           ctx.config.integer("mail.phishing.weight_punycode"), ctx.config.integer("mail.phishing.weight_executable"),
           ctx.config.integer("mail.phishing.weight_double_extension"),
           ctx.config.integer("mail.phishing.weight_reply_to_mismatch")},
        domains_(ctx.config.strings("mail.phishing.brand_domains"), ctx.config.strings("mail.phishing.multi_label_suffixes"),
                 size_t(std::max<int64_t>(1, ctx.config.integer("mail.phishing.lookalike_min_length")))),
        lures_(ctx.config.strings("mail.phishing.lure_phrases"), ctx.config.strings("mail.phishing.lure_words")),
        attachments_(ctx.config.strings("mail.phishing.executable_extensions"),
                     ctx.config.strings("mail.phishing.decoy_extensions"),
                     ctx.config.strings("mail.phishing.executable_types")),
        max_listed_(size_t(std::max<int64_t>(1, ctx.config.integer("mail.phishing.max_listed")))) {}

  void on_record(std::string_view, const RecordView& r) override {
    if (!r.has("msg_size")) return;  // no message: nothing to read
    Findings f;
    read_message(r, f);
    int64_t score = f.lure_score + f.mismatch_weight + (f.ip_links.empty() ? 0 : w_.ip_link) +
                    (f.lookalikes.empty() ? 0 : w_.lookalike) + (f.punycode.empty() ? 0 : w_.punycode) +
                    (!f.disguised.empty() ? w_.double_extension : !f.executable.empty() ? w_.executable : 0) +
                    (f.reply_to_mismatch ? w_.reply_to_mismatch : 0);
    if (score < threshold_ || score <= 0) return;
    add_to_campaign(r, indicators(f), score, f.link_indicator(), !f.disguised.empty() || !f.executable.empty());
  }

  void finish(std::vector<Alert>& out) override {
    for (auto& [key, c] : campaigns_) out.push_back(alert(c));
  }

 private:
  struct Campaign {
    std::string src, mailfrom, from, reply_to, subject, account;
    double ts_first = 0, ts_last = 0;
    uint64_t messages = 0, recipient_count = 0;
    int64_t score = 0;
    bool link = false, attachment = false;
    std::vector<Indicator> indicators;
    std::vector<std::string> recipients;
    std::set<std::string, std::less<>> recipient_set;
    std::set<std::pair<std::string, uint16_t>> servers;
    std::string dst;
    json urls = json::array(), attachments = json::array();
    FrameSet frames;
  };

  // What one message shows, in plain containers: most messages score nothing, and JSON is built only for
  // those that alert.
  struct Findings {
    mail::LureMatcher::Found lure_subject, lure;
    int64_t lure_score = 0;
    struct Link {
      std::string text, url, shown, host;
    };
    std::vector<Link> mismatches;
    int64_t mismatch_weight = 0;
    std::vector<std::string> ip_links, punycode;
    std::vector<std::pair<mail::LookalikeHit, std::string_view>> lookalikes;  // and where: "link" or "sender"
    std::vector<std::pair<std::string, std::string>> disguised, executable;   // name, media type
    std::string sender_domain, reply_domain;
    bool reply_to_mismatch = false;
    bool link_indicator() const {
      bool lookalike_link = std::any_of(lookalikes.begin(), lookalikes.end(), [](const auto& l) { return l.second == "link"; });
      return !mismatches.empty() || !ip_links.empty() || !punycode.empty() || lookalike_link;
    }
  };

  void read_message(const RecordView& r, Findings& f) {
    lures_.find(r.str("subject"), f.lure_subject);
    f.lure = f.lure_subject;
    lures_.find(r.str("body_text"), f.lure);
    f.lure_score = std::min(w_.max_lure, w_.lure_phrase * int64_t(f.lure.phrases.size()) +
                                             std::min(w_.max_lure_words, w_.lure_word * int64_t(f.lure.words.size())));

    // Whose domains these are: the sender's and the recipients' (a link imitating either is a lure).
    auto add_domain = [](std::vector<std::string>& v, std::string d) {
      if (!d.empty() && std::find(v.begin(), v.end(), d) == v.end()) v.push_back(std::move(d));
    };
    std::string from_domain = mail::address_domain(r.str("from"));
    std::string mailfrom_domain = mail::address_domain(r.str("mailfrom"));
    f.reply_domain = mail::address_domain(r.str("reply_to"));
    std::vector<std::string> own, recipient_domains;
    add_domain(own, from_domain);
    add_domain(own, mailfrom_domain);
    for (std::string_view rcpt : r.strings("rcptto")) add_domain(recipient_domains, mail::address_domain(rcpt));
    for (const auto& d : recipient_domains) add_domain(own, d);
    auto own_known = domains_.prepare(own);
    auto recipients_known = domains_.prepare(recipient_domains);
    std::set<std::string, std::less<>> recipient_regs;
    for (const auto& k : recipients_known) recipient_regs.insert(k.domain);

    auto add_lookalike = [&](mail::LookalikeHit h, std::string_view where) {
      bool seen = std::any_of(f.lookalikes.begin(), f.lookalikes.end(), [&](const auto& l) { return l.first.domain == h.domain; });
      if (!seen && f.lookalikes.size() < max_listed_) f.lookalikes.push_back({std::move(h), where});
    };
    for_each_object(r, "urls", [&](simdjson::dom::object u) {
      std::string_view url = field(u, "url"), text = field(u, "text");
      std::string host = mail::url_host(url);
      if (host.empty()) return;
      bool ip = mail::is_ip_host(host);
      if (ip && f.ip_links.size() < max_listed_) f.ip_links.emplace_back(url);
      if (std::string shown = mail::host_named_by_text(text); !shown.empty()) {
        std::string shown_reg = domains_.registrable(shown);
        if (shown_reg != domains_.registrable(host)) {
          // Showing a brand or the recipients' own domain is the lure; showing some other name is what
          // click tracking does too.
          bool trusted = ip || domains_.is_brand(shown) || recipient_regs.count(shown_reg);
          f.mismatch_weight = std::max(f.mismatch_weight, trusted ? w_.link_text_mismatch : w_.link_text_other);
          if (f.mismatches.size() < max_listed_) f.mismatches.push_back({cut(text, 200), cut(url, 300), shown, host});
        }
      }
      if (auto hit = domains_.imitates(host, own_known)) add_lookalike(std::move(*hit), "link");
      else if ((host.starts_with("xn--") || host.find(".xn--") != std::string::npos) && f.punycode.size() < max_listed_ &&
               std::find(f.punycode.begin(), f.punycode.end(), host) == f.punycode.end())
        f.punycode.push_back(host);
    });
    for (const std::string* d : {&from_domain, &mailfrom_domain, &f.reply_domain})
      if (auto hit = domains_.imitates(*d, recipients_known)) add_lookalike(std::move(*hit), "sender");

    for_each_object(r, "attachments", [&](simdjson::dom::object a) {
      std::string_view name = field(a, "name"), type = field(a, "type");
      auto v = attachments_.check(name, type);
      auto& into = v == mail::AttachmentCheck::Verdict::kDisguised ? f.disguised : f.executable;
      if (v != mail::AttachmentCheck::Verdict::kHarmless && into.size() < max_listed_) into.emplace_back(name, type);
    });

    f.sender_domain = from_domain.empty() ? mailfrom_domain : from_domain;
    f.reply_to_mismatch = !f.reply_domain.empty() && !f.sender_domain.empty() &&
                          domains_.registrable(f.reply_domain) != domains_.registrable(f.sender_domain);
  }

  // The indicators that fired, each with its weight, its evidence and the words of the summary.
  std::vector<Indicator> indicators(const Findings& f) const {
    std::vector<Indicator> out;
    if (f.lure_score > 0) {
      json where = json::array();
      if (!f.lure_subject.phrases.empty() || !f.lure_subject.words.empty()) where.push_back("subject");
      if (f.lure.phrases.size() + f.lure.words.size() > f.lure_subject.phrases.size() + f.lure_subject.words.size())
        where.push_back("body");
      out.push_back({"lure_wording", f.lure_score, {{"phrases", f.lure.phrases}, {"words", f.lure.words}, {"in", where}},
                     fmt::format("credential-lure wording (\"{}\")", f.lure.phrases.empty() ? f.lure.words[0] : f.lure.phrases[0])});
    }
    if (!f.mismatches.empty()) {
      json links = json::array();
      for (const auto& m : f.mismatches) links.push_back({{"text", m.text}, {"url", m.url}});
      out.push_back({"link_text_mismatch", f.mismatch_weight, {{"links", links}},
                     fmt::format("a link that shows {} but goes to {}", f.mismatches[0].shown, f.mismatches[0].host)});
    }
    if (!f.ip_links.empty())
      out.push_back({"ip_link", w_.ip_link, {{"urls", f.ip_links}},
                     fmt::format("a link to the bare address {}", mail::url_host(f.ip_links[0]))});
    if (!f.lookalikes.empty()) {
      json domains = json::array();
      for (const auto& [h, where] : f.lookalikes)
        domains.push_back({{"domain", h.domain}, {"looks_like", h.looks_like}, {"how", h.how}, {"in", where}});
      const auto& h = f.lookalikes[0].first;
      out.push_back({"lookalike_domain", w_.lookalike, {{"domains", domains}},
                     fmt::format("look-alike domain {} ({} of {})", h.domain, h.how, h.looks_like)});
    }
    if (!f.punycode.empty())
      out.push_back({"punycode_domain", w_.punycode, {{"domains", f.punycode}},
                     fmt::format("internationalised domain {}", f.punycode[0])});
    auto attachments = [](const auto& list) {
      json a = json::array();
      for (const auto& [name, type] : list) a.push_back({{"name", name}, {"type", type}});
      return a;
    };
    auto name_of = [](const std::pair<std::string, std::string>& a) { return a.first.empty() ? "of type " + a.second : a.first; };
    if (!f.disguised.empty()) {
      json all = attachments(f.disguised);
      for (auto& e : attachments(f.executable)) all.push_back(e);
      out.push_back({"double_extension", w_.double_extension, {{"attachments", all}},
                     fmt::format("disguised executable attachment {}", name_of(f.disguised[0]))});
    } else if (!f.executable.empty()) {
      out.push_back({"executable_attachment", w_.executable, {{"attachments", attachments(f.executable)}},
                     fmt::format("executable attachment {}", name_of(f.executable[0]))});
    }
    if (f.reply_to_mismatch)
      out.push_back({"reply_to_mismatch", w_.reply_to_mismatch,
                     {{"from_domain", f.sender_domain}, {"reply_to_domain", f.reply_domain}},
                     fmt::format("replies redirected to {}", f.reply_domain)});
    return out;
  }

  void add_to_campaign(const RecordView& r, std::vector<Indicator> found, int64_t score, bool link, bool attachment) {
    std::string key = fmt::format("{}\n{}\n{}", r.src(), ascii_lower(r.str("mailfrom")), r.str("subject"));
    auto [it, fresh] = campaigns_.try_emplace(std::move(key));
    Campaign& c = it->second;
    if (fresh) {
      c.src = r.src();
      c.mailfrom = r.str("mailfrom");
      c.from = r.str("from");
      c.reply_to = r.str("reply_to");
      c.subject = r.str("subject");
      c.account = r.str("auth_user");
      c.ts_first = c.ts_last = r.ts();
      for_each_object(r, "urls", [&](simdjson::dom::object u) {
        if (c.urls.size() >= max_listed_) return;
        json j = {{"url", cut(field(u, "url"), 300)}};
        if (!field(u, "text").empty()) j["text"] = cut(field(u, "text"), 200);
        c.urls.push_back(std::move(j));
      });
      for_each_object(r, "attachments", [&](simdjson::dom::object a) {
        if (c.attachments.size() < max_listed_) c.attachments.push_back({{"name", field(a, "name")}, {"type", field(a, "type")}});
      });
    }
    c.ts_first = std::min(c.ts_first, r.ts());
    c.ts_last = std::max(c.ts_last, r.ts());
    ++c.messages;
    c.score = std::max(c.score, score);
    c.link = c.link || link;
    c.attachment = c.attachment || attachment;
    for (auto& i : found) {
      bool known = std::any_of(c.indicators.begin(), c.indicators.end(), [&](const Indicator& k) { return k.name == i.name; });
      if (!known) c.indicators.push_back(std::move(i));
    }
    for (std::string_view rcpt : r.strings("rcptto")) {
      ++c.recipient_count;
      if (c.recipient_set.insert(ascii_lower(rcpt)).second && c.recipients.size() < max_listed_) c.recipients.emplace_back(rcpt);
    }
    c.servers.insert({std::string(r.dst()), r.dport()});
    r.add_frames(c.frames);
  }

  Alert alert(const Campaign& c) const {
    Alert a;
    a.type = "mail.phishing";
    a.proto = "smtp";
    a.src = c.src;
    if (c.servers.size() == 1) {
      a.dst = c.servers.begin()->first;
      a.dst_port = c.servers.begin()->second;
    }
    a.ts_first = c.ts_first;
    a.ts_last = c.ts_last;
    a.count = c.messages;
    a.frames = c.frames;
    a.severity = c.attachment || c.score >= high_score_ ? Severity::kHigh : Severity::kMedium;
    if (c.attachment) a.mitre.push_back("T1566.001");
    if (c.link) a.mitre.push_back("T1566.002");
    if (a.mitre.empty()) a.mitre.push_back("T1566");
    if (!c.account.empty()) a.mitre.push_back("T1078");

    auto& e = a.evidence;
    e["score"] = c.score;
    e["threshold"] = threshold_;
    e["indicators"] = json::array();
    for (const auto& i : c.indicators) {
      json j = {{"name", i.name}, {"weight", i.weight}};
      for (const auto& [k, v] : i.detail.items()) j[k] = v;
      e["indicators"].push_back(std::move(j));
    }
    e["messages"] = c.messages;
    e["recipients"] = {{"count", c.recipient_count}, {"distinct", c.recipient_set.size()}, {"list", c.recipients}};
    e["subject"] = c.subject;
    e["from"] = c.from;
    e["mailfrom"] = c.mailfrom;
    e["reply_to"] = c.reply_to.empty() ? json(nullptr) : json(c.reply_to);
    e["account"] = c.account.empty() ? json(nullptr) : json(c.account);
    bool src_in = home_.contains(c.src), dst_in = a.dst && home_.contains(*a.dst);
    e["direction"] = src_in && dst_in ? "internal" : src_in ? "outbound" : dst_in ? "inbound" : "external";
    e["urls"] = c.urls;
    e["attachments"] = c.attachments;

    std::string what;
    for (size_t k = 0; k < c.indicators.size(); ++k)
      what += (k == 0 ? "" : k + 1 == c.indicators.size() ? " and " : ", ") + c.indicators[k].spoken;
    // The sender the recipients see (the From header), else the envelope's.
    std::string_view from = c.from;
    if (size_t lt = from.rfind('<'); lt != std::string_view::npos) from = from.substr(lt + 1, from.find('>', lt) - lt - 1);
    std::string sender(from.find('@') != std::string_view::npos ? from : std::string_view(c.mailfrom));
    a.summary = fmt::format("{} sent {} {} from {} to {} with {} (phishing score {}).", c.src,
                            c.messages == 1 ? std::string("a message") : plural(c.messages, "message", "messages"),
                            c.subject.empty() ? std::string("without a subject") : fmt::format("\"{}\"", cut(c.subject, 80)),
                            sender.empty() ? std::string("an unnamed sender") : sender,
                            plural(c.recipient_set.size(), "recipient", "recipients"), what, c.score);
    return a;
  }

  const HomeNet& home_;
  int64_t threshold_, high_score_;
  Weights w_;
  mail::DomainComparer domains_;
  mail::LureMatcher lures_;
  mail::AttachmentCheck attachments_;
  size_t max_listed_;
  std::map<std::string, Campaign> campaigns_;  // by client address, MAIL FROM and subject
};

constexpr std::string_view kInputs[] = {"smtp"};
constexpr std::string_view kTypes[] = {"mail.phishing"};

}  // namespace

const DetectorInfo kPhishingDetector{
    "mail.phishing", kInputs, kTypes,
    "Scores every message of smtp.jsonl from its subject, the start of its text (body_text), its links and\n"
    "their visible text, its attachments, and its sender. Indicators: credential-lure wording in English and\n"
    "Chinese (lure_phrases, lure_words; capped at max_lure so wording alone never alerts); link text naming\n"
    "another domain than the link goes to (worth more when it names a brand or the recipients' own domain\n"
    "than when it names, say, the sender's site behind a click tracker); links to bare IP addresses;\n"
    "look-alike domains (digit and rn/m swaps, homoglyphs behind xn-- punycode, edit distance 1, a brand\n"
    "inside another name) of brand_domains or of the sender's and recipients' own domains; other punycode\n"
    "domains; executable attachments and executables disguised as documents (invoice.pdf.exe, right-to-left\n"
    "override); a Reply-To in another domain. Messages scoring at least `threshold` are alerted once per\n"
    "(client address, MAIL FROM, subject), so a campaign to many recipients is one alert listing each\n"
    "indicator that fired.",
    [](const DetectContext& c) -> std::unique_ptr<Detector> { return std::make_unique<PhishingDetector>(c); }};

}  // namespace trawl::detect
