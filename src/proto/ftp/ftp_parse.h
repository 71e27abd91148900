// FTP wire parsing: pure functions over one line (RFC 959 replies, RFC 2428 extended data ports).
// No state, no allocation; every result is a value, a malformed input gives std::nullopt.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/ip_address.h"

namespace trawl::proto::ftp {

// A reply line: "123 text" (last line), "123-text" (first line of a multi-line reply) or a bare "123".
struct ReplyLine {
  uint16_t code = 0;
  bool continues = false;  // "123-"
  std::string_view text;
};
std::optional<ReplyLine> parse_reply_line(std::string_view line);

// A command line split at the first space: verb (as sent) and argument (trimmed).
struct CommandLine {
  std::string_view verb, arg;
};
CommandLine split_command(std::string_view line);

// An announced data-connection endpoint.
struct Endpoint {
  IpAddress addr;  // empty when the command carries only a port (EPSV)
  uint16_t port = 0;
};
// PORT argument "h1,h2,h3,h4,p1,p2".
std::optional<Endpoint> parse_port_arg(std::string_view arg);
// 227 reply text: the first run of six comma-separated numbers, with or without parentheses.
std::optional<Endpoint> parse_pasv_reply(std::string_view text);
// EPRT argument "<d>proto<d>addr<d>port<d>" (RFC 2428: the delimiter is the first character).
std::optional<Endpoint> parse_eprt_arg(std::string_view arg);
// 229 reply text "... (<d><d><d>port<d>)".
std::optional<uint16_t> parse_epsv_reply(std::string_view text);

// Commands whose argument names a file.
bool names_file(std::string_view upper_verb);

std::string upper(std::string_view s, size_t max);

}  // namespace trawl::proto::ftp
