// IMAP analyzer: reassembles commands across literals ({n} and {n+}) on both sides, pairs tagged
// OK/NO/BAD with their commands, follows LOGIN, AUTHENTICATE (SASL) and STARTTLS; one ImapRecord per
// connection, one AuthRecord per login attempt.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "proto/auth/auth_record.h"
#include "proto/imap/imap_record.h"
#include "proto/registry.h"
#include "proto/text/line_reader.h"
#include "proto/text/sasl.h"

namespace trawl::proto::imap {

extern const AnalyzerInfo kImapAnalyzer;

// "* OK"/"* PREAUTH" naming IMAP or CAPABILITY: yes, other "* OK": maybe; "tag CAPABILITY|LOGIN|..." from
// the client: yes.
Match probe(std::span<const uint8_t> first_bytes, Dir dir);

// The arguments of a command line: atoms, quoted strings ("a \"b\"") and literals (given separately, in
// order, for each {n} marker). Exposed for tests.
std::vector<std::string> parse_astrings(std::string_view args, const std::vector<std::string>& literals, size_t max);

class ImapAnalyzer final : public StreamAnalyzer {
 public:
  static constexpr size_t kMaxLine = 16 * 1024;
  static constexpr size_t kMaxCommandText = 16 * 1024;  // a command with its literals, as kept
  static constexpr size_t kMaxLiteralKept = 1024;       // bytes of one literal kept (the rest is skipped)
  static constexpr size_t kMaxPending = 128;
  static constexpr size_t kMaxCommands = 256;
  static constexpr size_t kMaxMailboxes = 32;

  explicit ImapAnalyzer(const AnalyzerContext& ctx);
  void on_data(Dir dir, std::span<const uint8_t> data, const PacketRef& at) override;
  void on_gap(Dir dir, uint64_t bytes, const PacketRef& at) override;
  void on_end(const PacketRef& at) override;
  bool upgraded_to_tls() const override { return tls_; }

 private:
  enum class Kind : uint8_t { kLogin, kAuthenticate, kStartTls, kOther };
  struct Pending {
    std::string tag;
    Kind kind = Kind::kOther;
    std::string user, password;
    bool password_seen = false;
    PacketRef at;
  };

  void client_line(std::string_view line, const PacketRef& at);
  void command_done(const PacketRef& at);
  void server_line(std::string_view line, const PacketRef& at);
  void tagged(std::string_view tag, std::string_view status, std::string_view line, const PacketRef& at);
  void login(const Pending& p, std::string_view method, AuthOutcome outcome, std::string_view reply, const PacketRef& at);
  void flush(const PacketRef& at);
  void anomaly(std::string_view a);

  AnalyzerContext ctx_;
  text::LineReader client_{kMaxLine}, server_{kMaxLine};
  ImapRecord rec_;
  std::vector<Pending> pending_;
  bool banner_seen_ = false, anything_seen_ = false, tls_ = false, done_ = false;
  // The client command being assembled (it may span lines joined by literals).
  bool cmd_open_ = false;
  std::string cmd_text_;
  std::vector<std::string> literals_;
  uint64_t client_literal_left_ = 0;
  bool literal_cut_ = false;
  // The server response being read (a line ending in a literal continues after it).
  uint64_t server_literal_left_ = 0;
  bool server_continues_ = false;
  // AUTHENTICATE in progress (its tag is pending_'s last entry of kind kAuthenticate).
  bool auth_active_ = false;
  std::string auth_tag_;
  text::SaslLogin sasl_;
};

}  // namespace trawl::proto::imap
