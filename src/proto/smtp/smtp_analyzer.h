// SMTP analyzer: pairs commands with replies (pipelining included), follows AUTH exchanges, STARTTLS and
// DATA/BDAT, and emits one SmtpRecord per mail transaction plus one AuthRecord per AUTH attempt.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "proto/auth/auth_record.h"
#include "proto/registry.h"
#include "proto/smtp/smtp_record.h"
#include "proto/text/line_reader.h"
#include "proto/text/mail_message.h"
#include "proto/text/sasl.h"

namespace trawl::proto::smtp {

extern const AnalyzerInfo kSmtpAnalyzer;

// "220 ... ESMTP|SMTP" from the server, "EHLO "/"HELO " from the client: yes; a bare "220 " greeting: maybe.
Match probe(std::span<const uint8_t> first_bytes, Dir dir);

class SmtpAnalyzer final : public StreamAnalyzer {
 public:
  static constexpr size_t kMaxLine = 64 * 1024;
  static constexpr size_t kMaxPending = 128;  // commands awaiting replies
  static constexpr size_t kMaxRcpt = 1024;
  static constexpr size_t kMaxCommands = 64;  // per record

  explicit SmtpAnalyzer(const AnalyzerContext& ctx);
  void on_data(Dir dir, std::span<const uint8_t> data, const PacketRef& at) override;
  void on_gap(Dir dir, uint64_t bytes, const PacketRef& at) override;
  void on_end(const PacketRef& at) override;
  bool upgraded_to_tls() const override { return tls_; }

 private:
  enum class Cmd : uint8_t { kHelo, kMail, kRcpt, kData, kDataEnd, kBdat, kBdatLast, kAuth, kStartTls, kOther };

  void client_line(const text::Line& l, const PacketRef& at);
  void server_line(std::string_view line, bool truncated, const PacketRef& at);
  void reply(uint32_t code, std::string_view first_line, const PacketRef& at);
  void command(std::string_view line, const PacketRef& at);
  void data_line(std::string_view line, size_t eol, const PacketRef& at);
  void bdat_bytes(std::string_view bytes, const PacketRef& at);
  void end_message(Cmd pending, const PacketRef& at);
  void push_pending(Cmd c);
  void finish_auth(AuthOutcome outcome, std::string_view reply, const PacketRef& at);
  void emit(SmtpRecord& r, const PacketRef& at);
  void emit(const PacketRef& at) { emit(rec_, at); }
  void flush(const PacketRef& at);  // everything pending, at the end or at the switch to TLS
  void anomaly(std::string_view a);
  bool in_transaction() const { return !rec_.mailfrom.empty() || mail_seen_ || !rec_.rcptto.empty() || rec_.has_message; }

  AnalyzerContext ctx_;
  text::LineReader client_{kMaxLine}, server_{kMaxLine};
  std::vector<Cmd> pending_;
  size_t pending_head_ = 0;
  SmtpRecord rec_;
  SmtpRecord ended_;           // a message that ended, waiting for the server's verdict on it
  bool ended_pending_ = false;
  uint32_t records_ = 0;
  bool banner_seen_ = false;
  bool anything_seen_ = false;
  bool mail_seen_ = false;
  bool tls_ = false;
  bool done_ = false;
  // DATA
  bool data_pending_ = false;  // DATA sent, its reply not seen yet
  bool in_data_ = false;
  text::MailMessage message_;
  // BDAT
  uint64_t bdat_left_ = 0;
  bool bdat_last_ = false;
  text::LineReader bdat_lines_{kMaxLine};
  // Multi-line replies
  bool in_reply_ = false;
  std::string reply_first_;
  uint32_t reply_code_ = 0;
  // AUTH
  bool auth_active_ = false;
  text::SaslLogin sasl_;
  PacketRef auth_at_;
  PacketRef last_at_;
};

}  // namespace trawl::proto::smtp
