// PostgreSQL frontend/backend protocol 3.0, startup and authentication only: pure functions over byte
// spans. The client's first message has no type byte (int32 length, int32 code: StartupMessage,
// SSLRequest, GSSENCRequest, CancelRequest); every later message is a type byte, an int32 length that
// counts itself, and the body. An SSLRequest or GSSENCRequest is answered by one bare byte.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace trawl::proto::postgres {

enum class ParseStatus : uint8_t { kComplete, kNeedMore, kMalformed };

inline constexpr uint32_t kProtocol3 = 0x00030000;
inline constexpr uint32_t kCancelRequest = 80877102;
inline constexpr uint32_t kSslRequest = 80877103;
inline constexpr uint32_t kGssEncRequest = 80877104;

// Authentication request codes ('R' messages).
enum AuthCode : uint32_t {
  kAuthOk = 0, kAuthKerberosV5 = 2, kAuthCleartext = 3, kAuthMd5 = 5, kAuthGss = 7, kAuthGssContinue = 8,
  kAuthSspi = 9, kAuthSasl = 10, kAuthSaslContinue = 11, kAuthSaslFinal = 12,
};

// A message's frame. For the untyped first messages type is 0 and `length` counts the whole message.
struct Frame {
  uint8_t type = 0;
  uint32_t length = 0;   // the length field (counts itself, not the type byte)
  size_t total() const { return length + (type ? 1u : 0u); }
};
// kMalformed when the length field is below 4 (or 8 untyped).
ParseStatus parse_frame(std::span<const uint8_t> b, bool typed, Frame& f);

// The body of an untyped message: its code, and for a StartupMessage the parameters that matter.
struct Startup {
  uint32_t code = 0;
  std::string_view user, database, application_name;
};
ParseStatus parse_startup(std::span<const uint8_t> body, Startup& out);

// ErrorResponse / NoticeResponse body: the fields a reader needs.
struct ErrorFields {
  std::string_view severity, code, message;
};
ParseStatus parse_error_fields(std::span<const uint8_t> body, ErrorFields& out);

// A NUL-terminated string at the start of `body` (the whole body when the NUL is missing).
std::string_view cstring(std::span<const uint8_t> body);

}  // namespace trawl::proto::postgres
