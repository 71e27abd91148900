#include "proto/text/mail_message.h"

#include <algorithm>
#include <cctype>

#include "proto/text/mime_words.h"

namespace trawl::proto::text {

namespace {
constexpr size_t kMaxUrl = 2048;
constexpr size_t kMaxLinkText = 256;
constexpr size_t kMaxField = 4096;  // a header value as recorded

char lower(char c) { return c >= 'A' && c <= 'Z' ? char(c + 32) : c; }
bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f'; }

size_t ifind(std::string_view hay, std::string_view needle, size_t from = 0) {
  if (needle.empty() || hay.size() < needle.size()) return std::string_view::npos;
  for (size_t i = from; i + needle.size() <= hay.size(); ++i) {
    if (lower(hay[i]) != lower(needle[0])) continue;
    if (iequals(hay.substr(i, needle.size()), needle)) return i;
  }
  return std::string_view::npos;
}

// Cuts s to at most n bytes without splitting a UTF-8 sequence.
void utf8_cut(std::string& s, size_t n) {
  if (s.size() <= n) return;
  size_t k = n;
  while (k > 0 && (static_cast<uint8_t>(s[k]) & 0xC0) == 0x80) --k;
  s.resize(k);
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xC0 | cp >> 6), out += char(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += char(0xE0 | cp >> 12), out += char(0x80 | (cp >> 6 & 0x3F)), out += char(0x80 | (cp & 0x3F));
  } else {
    out += char(0xF0 | cp >> 18), out += char(0x80 | (cp >> 12 & 0x3F)), out += char(0x80 | (cp >> 6 & 0x3F)),
        out += char(0x80 | (cp & 0x3F));
  }
}

// HTML text with its character references decoded (the common named ones and numeric ones).
std::string html_unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out += s[i];
      continue;
    }
    size_t semi = s.find(';', i);
    if (semi == std::string_view::npos || semi - i > 10) {
      out += s[i];
      continue;
    }
    std::string_view ent = s.substr(i + 1, semi - i - 1);
    if (ent == "amp") out += '&';
    else if (ent == "lt") out += '<';
    else if (ent == "gt") out += '>';
    else if (ent == "quot") out += '"';
    else if (ent == "apos") out += '\'';
    else if (ent == "nbsp") out += ' ';
    else if (ent.size() >= 2 && ent[0] == '#') {
      uint32_t cp = 0;
      bool hex = ent[1] == 'x' || ent[1] == 'X';
      bool ok = ent.size() > (hex ? 2u : 1u);
      for (char c : ent.substr(hex ? 2 : 1)) {
        int v = c >= '0' && c <= '9' ? c - '0' : hex && lower(c) >= 'a' && lower(c) <= 'f' ? lower(c) - 'a' + 10 : -1;
        if (v < 0 || cp > 0x10FFFF) {
          ok = false;
          break;
        }
        cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(v);
      }
      if (!ok) {
        out += s[i];
        continue;
      }
      append_utf8(out, cp);
    } else {
      out += s[i];
      continue;
    }
    i = semi;
  }
  return out;
}

void add_url(std::vector<MailUrl>& out, size_t max, std::string url, std::string text) {
  if (url.empty() || out.size() >= max) return;
  utf8_cut(url, kMaxUrl);
  utf8_cut(text, kMaxLinkText);
  for (const auto& u : out)
    if (u.url == url && u.text == text) return;
  out.push_back({std::move(url), std::move(text)});
}

bool url_char(char c) {
  auto u = static_cast<uint8_t>(c);
  if (u <= 0x20 || u == 0x7F) return false;
  switch (c) {
    case '<': case '>': case '"': case '\'': case '`': case '{': case '}': case '|': case '\\': case '^':
      return false;
    default:
      return true;
  }
}
}  // namespace

void find_text_urls(std::string_view text, std::vector<MailUrl>& out, size_t max) {
  static constexpr std::string_view kStarts[] = {"http://", "https://", "ftp://", "www."};
  size_t i = 0;
  while (i < text.size() && out.size() < max) {
    size_t best = std::string_view::npos, best_len = 0;
    for (auto s : kStarts) {
      size_t p = ifind(text, s, i);
      while (p != std::string_view::npos && s == "www." && p > 0 &&
             (std::isalnum(static_cast<uint8_t>(text[p - 1])) || text[p - 1] == '.' || text[p - 1] == '/' ||
              text[p - 1] == '-' || text[p - 1] == '@'))
        p = ifind(text, s, p + 1);
      if (p < best) best = p, best_len = s.size();
    }
    if (best == std::string_view::npos) return;
    size_t e = best + best_len;
    while (e < text.size() && url_char(text[e])) ++e;
    std::string_view url = text.substr(best, e - best);
    while (url.size() > best_len && std::string_view(".,;:!?)]'").find(url.back()) != std::string_view::npos)
      url.remove_suffix(1);
    if (url.size() > best_len) add_url(out, max, std::string(url), {});
    i = e;
  }
}

void find_html_urls(std::string_view html, std::vector<MailUrl>& out, size_t max) {
  size_t i = 0;
  while (out.size() < max) {
    size_t lt = html.find('<', i);
    if (lt == std::string_view::npos || lt + 2 >= html.size()) return;
    i = lt + 1;
    if (lower(html[lt + 1]) != 'a' || !is_ws(html[lt + 2])) continue;
    size_t gt = html.find('>', lt);
    if (gt == std::string_view::npos) gt = html.size();
    std::string_view tag = html.substr(lt, gt - lt);
    std::string href;
    bool found = false;
    for (size_t h = ifind(tag, "href"); h != std::string_view::npos; h = ifind(tag, "href", h + 4)) {
      if (!is_ws(tag[h - 1])) continue;
      size_t j = h + 4;
      while (j < tag.size() && is_ws(tag[j])) ++j;
      if (j >= tag.size() || tag[j] != '=') continue;
      ++j;
      while (j < tag.size() && is_ws(tag[j])) ++j;
      if (j < tag.size() && (tag[j] == '"' || tag[j] == '\'')) {
        char q = tag[j];
        size_t e = tag.find(q, j + 1);
        if (e == std::string_view::npos) e = tag.size();
        href = html_unescape(tag.substr(j + 1, e - j - 1));
      } else {
        size_t e = j;
        while (e < tag.size() && !is_ws(tag[e])) ++e;
        href = html_unescape(tag.substr(j, e - j));
      }
      found = true;
      break;
    }
    if (!found) continue;
    // The link text: up to </a> (or the next <a ...), tags dropped, whitespace collapsed.
    size_t text_start = gt < html.size() ? gt + 1 : gt;
    size_t end = ifind(html, "</a", text_start);
    size_t next_a = ifind(html, "<a ", text_start);
    end = std::min(end, next_a);
    if (end == std::string_view::npos) end = std::min(html.size(), text_start + 4096);
    std::string raw;
    bool in_tag = false;
    for (size_t k = text_start; k < end && raw.size() < 4 * kMaxLinkText; ++k) {
      char c = html[k];
      if (c == '<') in_tag = true;
      else if (c == '>') in_tag = false;
      else if (!in_tag) raw += c;
    }
    std::string text = html_unescape(raw), collapsed;
    for (char c : text) {
      if (is_ws(c)) {
        if (!collapsed.empty() && collapsed.back() != ' ') collapsed += ' ';
      } else {
        collapsed += c;
      }
    }
    while (!collapsed.empty() && collapsed.back() == ' ') collapsed.pop_back();
    std::string_view h = trim(href);
    if (!h.empty() && h.front() != '#') add_url(out, max, std::string(h), std::move(collapsed));
    i = end == html.size() ? end : std::max(i, end);
  }
}

void append_readable_text(std::string_view body, bool html, std::string& out, size_t max) {
  if (out.size() >= max) return;
  std::string decoded;
  std::string_view text = body;
  if (html) {
    std::string visible;  // the text between the tags, entities still encoded (they shrink when decoded)
    for (size_t i = 0; i < body.size() && visible.size() < 8 * max;) {
      if (body[i] != '<') {
        visible += body[i++];
        continue;
      }
      std::string_view rest = body.substr(i);
      size_t end = std::string_view::npos;
      if (rest.starts_with("<!--")) {
        end = body.find("-->", i);
        end = end == std::string_view::npos ? body.size() : end + 3;
      } else {
        // Style sheets and scripts are not read by the recipient: skip to their closing tag.
        for (std::string_view close : {std::string_view("</style"), std::string_view("</script")}) {
          std::string_view name = close.substr(2);
          if (rest.size() > name.size() + 1 && iequals(rest.substr(1, name.size()), name) &&
              (rest[name.size() + 1] == '>' || is_ws(rest[name.size() + 1]))) {
            end = ifind(body, close, i);
            if (end == std::string_view::npos) end = body.size();
            break;
          }
        }
        size_t gt = body.find('>', end == std::string_view::npos ? i : end);
        end = gt == std::string_view::npos ? body.size() : gt + 1;
        // Block elements separate words; inline ones (<b>, <span>) do not.
        size_t n = rest.size() > 1 && rest[1] == '/' ? 2 : 1, len = 0;
        while (n + len < rest.size() && std::isalnum(static_cast<uint8_t>(rest[n + len]))) ++len;
        static constexpr std::string_view kBlocks[] = {"br", "p", "div", "td", "th", "tr", "li", "table", "h1", "h2",
                                                       "h3", "h4", "h5", "h6", "title", "hr", "ul", "ol", "blockquote"};
        for (std::string_view b : kBlocks)
          if (iequals(rest.substr(n, len), b)) visible += ' ';
      }
      i = end;
    }
    decoded = html_unescape(visible);
    text = decoded;
  }
  bool space = !out.empty();
  for (char c : text) {
    if (out.size() > max) break;  // one byte over, so the cut below knows where the last character ends
    if (is_ws(c)) {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  utf8_cut(out, max);
  while (!out.empty() && out.back() == ' ') out.pop_back();
}

void MailMessage::reset() {
  s_ = MailSummary();
  top_ = true;
  in_headers_ = true;
  header_.clear();
  header_cut_ = false;
  content_type_.clear(), disposition_.clear(), encoding_.clear(), charset_.clear();
  body_ = Body::kSkip;
  enc_ = Enc::kIdentity;
  attachment_index_ = SIZE_MAX;
  part_text_.clear();
  b64_.reset();
  text_budget_ = kMaxBodyText;
  boundaries_.clear();
  finished_ = false;
}

void MailMessage::add_anomaly(std::string_view a) {
  for (const auto& x : s_.anomalies)
    if (x == a) return;
  if (s_.anomalies.size() < 16) s_.anomalies.emplace_back(a);
}

void MailMessage::start_part() {
  top_ = false;
  in_headers_ = true;
  header_.clear();
  content_type_.clear(), disposition_.clear(), encoding_.clear(), charset_.clear();
  body_ = Body::kSkip;
  enc_ = Enc::kIdentity;
  attachment_index_ = SIZE_MAX;
  part_text_.clear();
  b64_.reset();
}

void MailMessage::header_done() {
  if (header_.empty()) return;
  std::string_view h = header_;
  size_t colon = h.find(':');
  if (colon == std::string_view::npos) {
    add_anomaly("header_without_colon");
    header_.clear();
    return;
  }
  std::string_view name = trim(h.substr(0, colon));
  std::string_view value = trim(h.substr(colon + 1));
  if (iequals(name, "Content-Type")) content_type_ = value;
  else if (iequals(name, "Content-Disposition")) disposition_ = value;
  else if (iequals(name, "Content-Transfer-Encoding")) encoding_ = trim(value);
  else if (top_) {
    std::string* field = nullptr;
    bool list = false;
    if (iequals(name, "From")) field = &s_.from;
    else if (iequals(name, "To")) field = &s_.to, list = true;
    else if (iequals(name, "Cc")) field = &s_.cc, list = true;
    else if (iequals(name, "Reply-To")) field = &s_.reply_to;
    else if (iequals(name, "Subject")) field = &s_.subject;
    else if (iequals(name, "Date")) field = &s_.date;
    else if (iequals(name, "Message-ID")) field = &s_.message_id;
    else if (iequals(name, "X-Mailer") || iequals(name, "User-Agent")) field = &s_.user_agent;
    else if (iequals(name, "X-Originating-IP")) field = &s_.x_originating_ip;
    if (field) {
      std::string decoded = decode_header_words(value);
      if (!field->empty() && list) *field += ", ";
      else if (!field->empty()) add_anomaly("repeated_header");
      if (field->empty() || list) *field += decoded;
      utf8_cut(*field, kMaxField);
    }
  }
  header_.clear();
}

void MailMessage::headers_done() {
  in_headers_ = false;
  ++s_.parts;
  std::string type = media_type(content_type_);
  if (type.empty()) type = "text/plain";  // RFC 2045 5.2 (digest parts aside)
  charset_ = header_param(content_type_, "charset");
  std::string enc(encoding_);
  for (char& c : enc) c = lower(c);
  enc_ = enc == "base64" ? Enc::kBase64 : enc == "quoted-printable" ? Enc::kQuotedPrintable : Enc::kIdentity;
  body_ = Body::kSkip;
  if (type.rfind("multipart/", 0) == 0) {
    std::string b = header_param(content_type_, "boundary");
    if (b.empty() || b.size() > 200) add_anomaly("multipart_without_boundary");
    else if (boundaries_.size() >= kMaxDepth) add_anomaly("mime_too_deep");
    else boundaries_.push_back(std::move(b));
    return;
  }
  std::string name = header_param(disposition_, "filename");
  if (name.empty()) name = header_param(content_type_, "name");
  utf8_cut(name, 1024);
  bool text = type.rfind("text/", 0) == 0;
  bool attachment = istarts_with(trim(disposition_), "attachment") || !name.empty() || !text;
  if (attachment) {
    if (s_.attachments.size() < kMaxAttachments) {
      s_.attachments.push_back({std::move(name), std::move(type), 0});
      attachment_index_ = s_.attachments.size() - 1;
    } else {
      add_anomaly("too_many_attachments");
    }
    return;
  }
  if (type == "text/plain") body_ = Body::kText;
  else if (type == "text/html") body_ = Body::kHtml;
}

void MailMessage::part_done() {
  if (body_ != Body::kSkip && !part_text_.empty()) {
    std::string utf8;
    std::string_view text = part_text_;
    if (!charset_.empty()) {
      charset_to_utf8(charset_, part_text_, utf8);
      text = utf8;
    }
    if (body_ == Body::kHtml) find_html_urls(text, s_.urls, kMaxUrls);
    else find_text_urls(text, s_.urls, kMaxUrls);
    if (s_.urls.size() >= kMaxUrls) add_anomaly("too_many_urls");
    append_readable_text(text, body_ == Body::kHtml, s_.body_text, kMaxSummaryText);
  }
  part_text_.clear();
  body_ = Body::kSkip;
  attachment_index_ = SIZE_MAX;
}

bool MailMessage::boundary_line(std::string_view line) {
  if (boundaries_.empty() || line.size() < 3 || line[0] != '-' || line[1] != '-') return false;
  std::string_view rest = line.substr(2);
  for (size_t i = boundaries_.size(); i-- > 0;) {
    const std::string& b = boundaries_[i];
    if (rest.size() < b.size() || rest.substr(0, b.size()) != b) continue;
    std::string_view tail = rest.substr(b.size());
    bool close = tail.size() >= 2 && tail[0] == '-' && tail[1] == '-';
    if (!close && !trim(tail).empty()) continue;
    if (in_headers_) {
      header_done();
      headers_done();
    }
    part_done();
    if (close) {
      boundaries_.resize(i);
      in_headers_ = false;
      body_ = Body::kSkip;  // the epilogue
    } else {
      boundaries_.resize(i + 1);
      start_part();
    }
    return true;
  }
  return false;
}

void MailMessage::body_line(std::string_view line) {
  if (attachment_index_ < s_.attachments.size()) s_.attachments[attachment_index_].encoded_bytes += line.size() + 2;
  if (body_ == Body::kSkip) return;
  if (text_budget_ == 0) return;
  size_t before = part_text_.size();
  size_t limit = before + text_budget_;
  switch (enc_) {
    case Enc::kIdentity:
      part_text_.append(line.substr(0, limit - before));
      if (part_text_.size() < limit) part_text_ += '\n';
      break;
    case Enc::kQuotedPrintable:
      if (!qp_decode_line(line, part_text_, limit) && part_text_.size() < limit) part_text_ += '\n';
      break;
    case Enc::kBase64:
      b64_.feed(line, part_text_, limit);
      break;
  }
  text_budget_ -= std::min(text_budget_, part_text_.size() - before);
  if (text_budget_ == 0) add_anomaly("body_text_truncated");
}

void MailMessage::line(std::string_view line) {
  if (finished_) return;
  if (boundary_line(line)) return;
  if (in_headers_) {
    if (line.empty()) {
      header_done();
      headers_done();
      return;
    }
    if (line[0] == ' ' || line[0] == '\t') {
      if (header_.empty()) return;  // a continuation of nothing
      if (header_.size() + line.size() + 1 > kMaxHeader) {
        if (!header_cut_) add_anomaly("header_too_long");
        header_cut_ = true;
        return;
      }
      header_ += ' ';
      header_.append(trim(line));
      return;
    }
    header_done();
    header_cut_ = false;
    header_.assign(line.substr(0, kMaxHeader));
    return;
  }
  body_line(line);
}

void MailMessage::finish() {
  if (finished_) return;
  if (in_headers_) {
    header_done();
    headers_done();
  }
  part_done();
  if (!boundaries_.empty()) add_anomaly("unclosed_multipart");
  finished_ = true;
}

}  // namespace trawl::proto::text
