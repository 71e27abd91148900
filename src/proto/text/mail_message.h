// MailMessage: a streaming, bounded summary of an RFC 5322 message fed line by line (as SMTP DATA, POP3
// RETR or IMAP FETCH carry it): the headers an analyst reads (RFC 2047 decoded), the attachments of the
// MIME tree (names RFC 2231/2047 decoded) and the URLs of the text and HTML bodies with their link text.
//
// Bounds: header values are cut at kMaxHeader, the MIME tree at kMaxDepth levels, and at most
// kMaxBodyText bytes of decoded body text per message are scanned for URLs; the first kMaxSummaryText
// bytes of readable text are kept for content checks (phishing wording). What was cut is reported in
// `anomalies`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "proto/text/codecs.h"

namespace trawl::proto::text {

struct MailAttachment {
  std::string name;  // UTF-8, may be empty (e.g. an unnamed message/rfc822 part)
  std::string type;  // lower-cased media type
  uint64_t encoded_bytes = 0;  // bytes of the part's body as transmitted
};

struct MailUrl {
  std::string url;
  std::string text;  // the link text of an HTML <a href>; empty for URLs in plain text
};

struct MailSummary {
  std::string from, to, cc, reply_to, subject, date, message_id, user_agent, x_originating_ip;
  std::vector<MailAttachment> attachments;
  std::vector<MailUrl> urls;
  std::string body_text;  // the start of the readable text (HTML tags dropped, whitespace collapsed), UTF-8
  uint32_t parts = 0;  // MIME parts seen (the message itself counts as one)
  std::vector<std::string> anomalies;
};

class MailMessage {
 public:
  static constexpr size_t kMaxHeader = 16 * 1024;
  static constexpr size_t kMaxDepth = 8;
  static constexpr size_t kMaxBodyText = 256 * 1024;
  static constexpr size_t kMaxAttachments = 64;
  static constexpr size_t kMaxUrls = 64;
  static constexpr size_t kMaxSummaryText = 2048;

  // One line of the message without its line ending (SMTP dot-stuffing already removed).
  void line(std::string_view line);
  // End of the message: scans the last text part.
  void finish();
  void reset();

  const MailSummary& summary() const { return s_; }
  bool finished() const { return finished_; }

 private:
  enum class Body : uint8_t { kSkip, kText, kHtml };
  enum class Enc : uint8_t { kIdentity, kBase64, kQuotedPrintable };

  void header_done();
  void headers_done();
  void part_done();
  void start_part();
  void body_line(std::string_view line);
  void add_anomaly(std::string_view a);
  bool boundary_line(std::string_view line);

  MailSummary s_;
  bool top_ = true;           // the part being read is the message itself
  bool in_headers_ = true;
  std::string header_;        // the header being unfolded
  bool header_cut_ = false;
  // The current part.
  std::string content_type_, disposition_, encoding_;
  Body body_ = Body::kSkip;
  Enc enc_ = Enc::kIdentity;
  std::string charset_;
  size_t attachment_index_ = SIZE_MAX;
  std::string part_text_;     // decoded text of the current text part
  Base64Stream b64_;
  size_t text_budget_ = kMaxBodyText;
  std::vector<std::string> boundaries_;  // open multiparts, outermost first
  bool finished_ = false;
};

// URL extraction, exposed for tests: plain text (http://, https://, ftp://, www.) and HTML (<a href> with
// the link text, tags stripped, entities for &amp; &lt; &gt; &quot; &#NN; decoded).
void find_text_urls(std::string_view text, std::vector<MailUrl>& out, size_t max);
void find_html_urls(std::string_view html, std::vector<MailUrl>& out, size_t max);
// The readable text of a body part appended to out (one space between parts) until out holds max bytes:
// for HTML without tags, comments, <style> and <script>, with entities decoded; whitespace collapsed.
void append_readable_text(std::string_view body, bool html, std::string& out, size_t max);

}  // namespace trawl::proto::text
