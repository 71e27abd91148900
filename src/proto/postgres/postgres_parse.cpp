#include "proto/postgres/postgres_parse.h"

#include "util/bytes.h"

namespace trawl::proto::postgres {

std::string_view cstring(std::span<const uint8_t> body) {
  std::string_view s(reinterpret_cast<const char*>(body.data()), body.size());
  return s.substr(0, s.find('\0'));
}

ParseStatus parse_frame(std::span<const uint8_t> b, bool typed, Frame& f) {
  f = {};
  size_t need = typed ? 5 : 4;
  if (b.size() < need) return ParseStatus::kNeedMore;
  f.type = typed ? b[0] : 0;
  f.length = load_be32(b.data() + (typed ? 1 : 0));
  if (f.length < (typed ? 4u : 8u)) return ParseStatus::kMalformed;
  return ParseStatus::kComplete;
}

ParseStatus parse_startup(std::span<const uint8_t> body, Startup& out) {
  out = {};
  if (body.size() < 4) return ParseStatus::kMalformed;
  out.code = load_be32(body.data());
  if (out.code != kProtocol3) return ParseStatus::kComplete;
  // key NUL value NUL ... NUL
  std::string_view s(reinterpret_cast<const char*>(body.data()) + 4, body.size() - 4);
  while (!s.empty() && s[0] != '\0') {
    size_t k = s.find('\0');
    if (k == std::string_view::npos) return ParseStatus::kMalformed;
    size_t v = s.find('\0', k + 1);
    if (v == std::string_view::npos) return ParseStatus::kMalformed;
    std::string_view key = s.substr(0, k), value = s.substr(k + 1, v - k - 1);
    if (key == "user") out.user = value;
    else if (key == "database") out.database = value;
    else if (key == "application_name") out.application_name = value;
    s.remove_prefix(v + 1);
  }
  return ParseStatus::kComplete;
}

ParseStatus parse_error_fields(std::span<const uint8_t> body, ErrorFields& out) {
  out = {};
  std::string_view s(reinterpret_cast<const char*>(body.data()), body.size());
  // (field type byte, NUL-terminated value)... then a NUL
  while (!s.empty() && s[0] != '\0') {
    char type = s[0];
    size_t end = s.find('\0', 1);
    if (end == std::string_view::npos) return ParseStatus::kMalformed;
    std::string_view value = s.substr(1, end - 1);
    // 'V' is the severity never translated; 'S' may be localized.
    if (type == 'V' || (type == 'S' && out.severity.empty())) out.severity = value;
    else if (type == 'C') out.code = value;
    else if (type == 'M') out.message = value;
    s.remove_prefix(end + 1);
  }
  return ParseStatus::kComplete;
}

}  // namespace trawl::proto::postgres
