// Header text as mail clients write it: RFC 2047 encoded words (=?charset?B|Q?...?=), RFC 2231 parameter
// values (filename*=charset''%XX..., with continuations), and charsets converted to UTF-8 with glibc's
// iconv (GB2312/GBK are read as GB18030, their superset, since mailers mislabel one as the other).
#pragma once

#include <string>
#include <string_view>

namespace trawl::proto::text {

// Appends `bytes` in `charset` to out as UTF-8. Returns false (appending the bytes unchanged) for an
// unknown charset or bytes that do not convert; us-ascii/utf-8 are copied as they are.
bool charset_to_utf8(std::string_view charset, std::string_view bytes, std::string& out);

// Decodes the encoded words of a header value (unfolded or not: CR/LF are dropped), dropping the
// whitespace between adjacent encoded words as RFC 2047 says. Text outside encoded words is copied.
std::string decode_header_words(std::string_view value);

// The value of parameter `name` ("filename", "name", "boundary", "charset") in a structured header value
// such as `attachment; filename="a.txt"`: quoted strings unquoted, RFC 2231 forms (name*=, name*0=,
// name*0*=, ...) joined and decoded, then RFC 2047 words decoded. Empty when absent.
std::string header_param(std::string_view value, std::string_view name);

// The media type of a Content-Type value, lower-cased ("text/html"); empty when there is none.
std::string media_type(std::string_view value);

bool iequals(std::string_view a, std::string_view b);
bool istarts_with(std::string_view s, std::string_view prefix);
std::string_view trim(std::string_view s);

}  // namespace trawl::proto::text
