// POP3 analyzer: pairs commands with +OK/-ERR (pipelining included), follows USER/PASS, APOP and SASL
// AUTH exchanges, multi-line replies and STLS; one Pop3Record per connection, one AuthRecord per login.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "proto/auth/auth_record.h"
#include "proto/pop3/pop3_record.h"
#include "proto/registry.h"
#include "proto/text/line_reader.h"
#include "proto/text/sasl.h"

namespace trawl::proto::pop3 {

extern const AnalyzerInfo kPop3Analyzer;

// "+OK" greeting naming POP or "ready": yes; any other "+OK": maybe; client USER/CAPA/AUTH/APOP/STLS: maybe.
Match probe(std::span<const uint8_t> first_bytes, Dir dir);

class Pop3Analyzer final : public StreamAnalyzer {
 public:
  static constexpr size_t kMaxLine = 16 * 1024;
  static constexpr size_t kMaxPending = 128;
  static constexpr size_t kMaxCommands = 256;

  explicit Pop3Analyzer(const AnalyzerContext& ctx);
  void on_data(Dir dir, std::span<const uint8_t> data, const PacketRef& at) override;
  void on_gap(Dir dir, uint64_t bytes, const PacketRef& at) override;
  void on_end(const PacketRef& at) override;
  bool upgraded_to_tls() const override { return tls_; }

 private:
  enum class Cmd : uint8_t { kUser, kPass, kApop, kAuth, kStls, kStat, kList, kListAll, kRetr, kTop, kDele, kCapa, kUidlAll, kOther };
  struct Pending {
    Cmd cmd;
    bool multiline_on_ok;  // a +OK to it is followed by lines up to "."
  };

  void client_line(std::string_view line, const PacketRef& at);
  void command(std::string_view line, const PacketRef& at);
  void server_line(std::string_view line, const PacketRef& at);
  void login(std::string_view method, std::string_view user, std::string_view password, bool password_seen,
             AuthOutcome outcome, std::string_view reply, const PacketRef& at);
  void finish_sasl(AuthOutcome outcome, std::string_view reply, const PacketRef& at);
  void flush(const PacketRef& at);
  void anomaly(std::string_view a);

  AnalyzerContext ctx_;
  text::LineReader client_{kMaxLine}, server_{kMaxLine};
  std::vector<Pending> pending_;
  size_t pending_head_ = 0;
  Pop3Record rec_;
  bool banner_seen_ = false, anything_seen_ = false, tls_ = false, done_ = false;
  bool in_body_ = false;      // reading a multi-line reply
  Cmd body_cmd_ = Cmd::kOther;
  std::string user_;          // from USER, waiting for PASS
  std::string pass_;          // from PASS, waiting for its reply
  bool pass_pending_ = false;
  bool auth_active_ = false;
  text::SaslLogin sasl_;
  PacketRef auth_at_;
  PacketRef last_at_;
};

}  // namespace trawl::proto::pop3
