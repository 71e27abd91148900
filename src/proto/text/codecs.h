// Transfer encodings mail and login protocols use: base64 (SASL exchanges, MIME bodies) and
// quoted-printable (MIME bodies, RFC 2047 "Q" words). Hostile input is normal: decoders never read past
// their input and report what they could not decode instead of failing.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace trawl::proto::text {

// Decodes base64 text (whitespace ignored, padding optional). Returns false, leaving out holding what was
// decoded so far, on a character outside the alphabet or data after the padding.
bool base64_decode(std::string_view in, std::string& out);

// Base64 across many lines (a MIME body): keeps the 0-3 characters of an unfinished quantum between calls
// and skips characters outside the alphabet (counted in `invalid`).
class Base64Stream {
 public:
  void feed(std::string_view in, std::string& out, size_t max_out);
  void reset() { n_ = 0, acc_ = 0, done_ = false; }
  uint64_t invalid = 0;

 private:
  uint32_t acc_ = 0;
  int n_ = 0;
  bool done_ = false;  // padding seen
};

// Decodes one quoted-printable line (without its line ending) onto out. Returns true when the line ends
// with a soft break ("="), i.e. no line break belongs after it. Bad escapes are copied literally.
bool qp_decode_line(std::string_view line, std::string& out, size_t max_out);

// RFC 2047 "Q" encoding: quoted-printable with "_" for space.
void q_decode(std::string_view in, std::string& out);

}  // namespace trawl::proto::text
