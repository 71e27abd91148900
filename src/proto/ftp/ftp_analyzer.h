// FTP control-connection analyzer (RFC 959, 2228, 2428): pairs every command with its reply (one
// FtpRecord each, multi-line replies joined, 1xx kept as the preliminary code), follows USER/PASS/ACCT to
// one AuthRecord per login attempt, parses the data-connection endpoints of PORT/EPRT/PASV/EPSV, and stops
// at AUTH TLS (the rest is TLS).
//
// Data connections: an accepted PORT/EPRT (2xx reply) or a 227/229 reply announces the data connection
// as an expected connection (AnalyzerContext::expected), so its conn record gets the service "ftp-data";
// the next command answered with a 1xx (the transfer) names that connection's uid in data_uid.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <deque>
#include <memory>
#include <span>
#include <string>

#include "proto/auth/auth_record.h"
#include "proto/ftp/ftp_record.h"
#include "proto/registry.h"

namespace trawl::proto::ftp {

extern const AnalyzerInfo kFtpAnalyzer;

// Server: "220" greeting naming FTP: yes, any other "220 "/"220-": maybe (SMTP greets the same way).
// Client: "USER "/"AUTH TLS"/"FEAT"/"SYST": maybe (POP3 clients send USER too).
Match probe(std::span<const uint8_t> first_bytes, Dir dir);

// Splits a byte stream into lines (LF, with an optional CR before it). A line longer than the cap is
// cut: the first `cap` bytes are delivered with truncated=true and the rest up to LF is dropped.
class LineAssembler {
 public:
  explicit LineAssembler(size_t cap) : cap_(cap) {}
  template <typename F>  // F(std::string_view line, bool truncated)
  void feed(std::span<const uint8_t> data, F&& on_line);
  void reset() {  // after a gap: the partial line is lost, skip to the next LF
    buf_.clear();
    skipping_ = true;
  }

 private:
  size_t cap_;
  std::string buf_;
  bool skipping_ = false;
};

class FtpAnalyzer final : public StreamAnalyzer {
 public:
  static constexpr size_t kMaxLine = 8 * 1024;
  static constexpr size_t kMaxPending = 64;   // commands awaiting replies
  static constexpr size_t kMaxField = 1024;   // stored argument / reply text
  static constexpr size_t kMaxAnomalies = 8;  // per record

  explicit FtpAnalyzer(const AnalyzerContext& ctx);
  void on_data(Dir dir, std::span<const uint8_t> data, const PacketRef& at) override;
  void on_gap(Dir dir, uint64_t bytes, const PacketRef& at) override;
  void on_end(const PacketRef& at) override;
  bool upgraded_to_tls() const override { return tls_; }

 private:
  enum class Login : uint8_t { kNone, kUserSent, kNeedPass, kPassSent, kNeedAcct };

  void client_line(std::string_view line, bool truncated, const PacketRef& at);
  void server_line(std::string_view line, bool truncated, const PacketRef& at);
  void reply(uint16_t code, std::string_view text, uint32_t lines, const PacketRef& at);
  void finish(FtpRecord& r, const PacketRef& at);
  void login_reply(const FtpRecord& r, const PacketRef& at);
  void emit_auth(AuthOutcome o, std::string_view reply_text, const PacketRef& at);
  void anomaly(FtpRecord& r, std::string_view a);
  void expect_data_connection(const FtpRecord& r, const PacketRef& at);
  void emit(FtpRecord& r);

  AnalyzerContext ctx_;
  LineAssembler client_{kMaxLine}, server_{kMaxLine};
  std::deque<FtpRecord> pending_;
  std::string user_;
  // Login in progress.
  Login login_ = Login::kNone;
  std::string login_user_, login_pass_;
  bool login_pass_seen_ = false;
  PacketRef login_at_;
  // Multi-line reply in progress.
  uint16_t ml_code_ = 0;
  std::string ml_first_;
  uint32_t ml_lines_ = 0;
  bool ml_truncated_ = false;
  std::string pending_anomaly_;  // noted before the record it belongs to exists (gaps)
  // The last announced data connection; the table writes its uid when the connection opens.
  std::shared_ptr<std::string> data_uid_;
  bool tls_ = false;
  bool done_ = false;
};

template <typename F>
void LineAssembler::feed(std::span<const uint8_t> data, F&& on_line) {
  const char* p = reinterpret_cast<const char*>(data.data());
  size_t n = data.size(), i = 0;
  while (i < n) {
    const void* nl = std::memchr(p + i, '\n', n - i);
    size_t end = nl ? static_cast<size_t>(static_cast<const char*>(nl) - p) : n;
    if (!skipping_) {
      size_t take = std::min(end - i, cap_ - std::min(cap_, buf_.size()));
      buf_.append(p + i, take);
      if (take < end - i) {  // over the cap: deliver what fits, drop the rest of the line
        std::string_view l(buf_);
        if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
        on_line(l, true);
        buf_.clear();
        skipping_ = true;
      }
    }
    if (!nl) break;
    if (!skipping_) {
      std::string_view l(buf_);
      if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
      on_line(l, false);
    }
    buf_.clear();
    skipping_ = false;
    i = end + 1;
  }
}

}  // namespace trawl::proto::ftp
