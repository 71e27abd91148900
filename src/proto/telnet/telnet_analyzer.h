// Telnet analyzer (RFC 854): strips option negotiation, then looks for the login dialogue: a server prompt
// ("login:", "Username:", "Password:", ...), the line the client typed after it (line mode or one character
// per segment, with backspace/DEL/^U editing), and the outcome from what the server says next. Emits one
// AuthRecord (app "telnet", method "login prompt") per attempt.
//
// Best effort, by design: telnet has no login protocol, only text. A prompt is recognised when the client
// starts typing while the server's current line ends with a known prompt word. The outcome is "failure"
// on a failure phrase ("Login incorrect", "Authentication failed", "Access denied", ...) or when a login
// prompt comes back; "success" on "Last login", "Welcome", or a shell prompt (a line ending in $ # > %) when
// the client next types, or when the server answered the password with text (a message of the day, such
// as Debian's "Linux host 6.1.0 ..." line) and the connection ended without a prompt or a failure word
// after it (a guesser that hangs up once it is in); "unknown" otherwise. Localised or unusual servers end
// up as "unknown".
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "proto/auth/auth_record.h"
#include "proto/registry.h"

namespace trawl::proto::telnet {

extern const AnalyzerInfo kTelnetAnalyzer;

// IAC WILL/WONT/DO/DONT/SB at the very start: yes (one sequence: maybe).
Match probe(std::span<const uint8_t> first_bytes, Dir dir);

// Removes telnet commands from one direction's bytes. Subnegotiations are skipped up to IAC SE or
// kMaxSub bytes (then the stripper gives up on the subnegotiation and returns to data).
class IacStripper {
 public:
  static constexpr size_t kMaxSub = 4096;
  // Calls out(char) for every data byte (IAC IAC gives one 0xff).
  template <typename F>
  void feed(std::span<const uint8_t> data, F&& out);
  uint64_t commands() const { return commands_; }
  bool overlong_sub() const { return overlong_sub_; }
  void reset() { state_ = State::kData; }

 private:
  enum class State : uint8_t { kData, kIac, kOption, kSub, kSubIac };
  State state_ = State::kData;
  size_t sub_len_ = 0;
  uint64_t commands_ = 0;
  bool overlong_sub_ = false;
};

class TelnetAnalyzer final : public StreamAnalyzer {
 public:
  static constexpr size_t kMaxLine = 256;   // server line tail and client line kept
  static constexpr size_t kMaxAttempts = 1000;

  explicit TelnetAnalyzer(const AnalyzerContext& ctx);
  void on_data(Dir dir, std::span<const uint8_t> data, const PacketRef& at) override;
  void on_gap(Dir dir, uint64_t bytes, const PacketRef& at) override;
  void on_end(const PacketRef& at) override;

 private:
  enum class Prompt : uint8_t { kNone, kUser, kPassword, kShell };
  enum class Await : uint8_t { kNothing, kUserGiven, kOutcome };

  void server_char(char c, const PacketRef& at);
  void server_line_done(const PacketRef& at);
  void client_char(char c, const PacketRef& at);
  void client_line_start(const PacketRef& at);
  void client_line_done(const PacketRef& at);
  void decide(AuthOutcome o, std::string_view reply, const PacketRef& at);
  Prompt classify_tail() const;

  AnalyzerContext ctx_;
  IacStripper client_iac_, server_iac_;
  std::string server_line_;  // the server's current line (last kMaxLine characters)
  std::string client_line_;
  bool client_in_line_ = false;
  bool client_after_cr_ = false;
  Prompt line_prompt_ = Prompt::kNone;  // the prompt the current client line answers
  Await await_ = Await::kNothing;
  std::string user_, password_;
  bool password_seen_ = false;
  std::string after_password_;  // the first line of text the server sent after the password, if any
  bool server_replied_ = false;  // the server sent anything after the password
  bool prompt_line_open_ = false;  // the server's current line is still the prompt the password answered
  PacketRef attempt_at_;
  uint32_t attempts_ = 0;
  bool done_ = false;
};

template <typename F>
void IacStripper::feed(std::span<const uint8_t> data, F&& out) {
  constexpr uint8_t kIac = 255, kSb = 250, kSe = 240, kWill = 251, kDont = 254;
  for (uint8_t b : data) {
    switch (state_) {
      case State::kData:
        if (b == kIac) state_ = State::kIac;
        else out(static_cast<char>(b));
        break;
      case State::kIac:
        if (b == kIac) {
          out(static_cast<char>(b));
          state_ = State::kData;
        } else if (b >= kWill && b <= kDont) {
          state_ = State::kOption;
        } else if (b == kSb) {
          state_ = State::kSub;
          sub_len_ = 0;
        } else {
          state_ = State::kData;  // a two-byte command (NOP, GA, AYT, ...)
        }
        ++commands_;
        break;
      case State::kOption:
        state_ = State::kData;
        break;
      case State::kSub:
        if (b == kIac) state_ = State::kSubIac;
        else if (++sub_len_ > kMaxSub) {
          overlong_sub_ = true;
          state_ = State::kData;
        }
        break;
      case State::kSubIac:
        state_ = b == kSe ? State::kData : State::kSub;  // IAC IAC inside SB is an escaped 0xff
        break;
    }
  }
}

}  // namespace trawl::proto::telnet
