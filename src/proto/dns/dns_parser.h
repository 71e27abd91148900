// DNS wire parser: pure functions over one DNS message (RFC 1035), with name compression bounded against
// loops and oversized names. Used by the UDP and TCP analyzers (and for mDNS/LLMNR, which share the format).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace trawl::proto::dns {

inline constexpr size_t kHeaderSize = 12;
inline constexpr size_t kMaxNameWire = 255;   // RFC 1035 2.3.4: a name is at most 255 octets on the wire
inline constexpr int kMaxPointerJumps = 64;   // more is a loop or an attack, never a real name
inline constexpr size_t kMaxAnswersKept = 64; // answers beyond this are counted, not kept as text

struct Header {
  uint16_t id = 0;
  uint16_t flags = 0;
  uint16_t qdcount = 0, ancount = 0, nscount = 0, arcount = 0;

  bool response() const { return flags & 0x8000; }
  uint8_t opcode() const { return (flags >> 11) & 0xf; }
  bool aa() const { return flags & 0x0400; }
  bool tc() const { return flags & 0x0200; }
  bool rd() const { return flags & 0x0100; }
  bool ra() const { return flags & 0x0080; }
  uint8_t z() const { return (flags >> 4) & 0x7; }
  uint8_t rcode() const { return flags & 0xf; }
};

enum class NameResult : uint8_t { kOk, kTruncated, kLoop, kTooLong, kBadLabel };

// Reads the (possibly compressed) name at `pos` of `msg`. Appends its text form to `out` (labels joined by
// '.', bytes outside printable ASCII and '.' or '\' inside a label as \DDD; the root is ""). `end` gets the
// offset just past the name where it was written (not where a pointer led).
NameResult read_name(std::span<const uint8_t> msg, size_t pos, std::string& out, size_t& end);

struct Answer {
  std::string name;
  uint16_t type = 0, cls = 0;
  uint32_t ttl = 0;
  std::string text;  // rdata as text (see rdata_text); "TYPE<n>" for types not decoded
};

// One parsed message. The analyzer keeps one and reuses it, so its strings and vector keep their capacity.
struct Message {
  Header header;
  bool has_question = false;
  std::string qname;
  uint16_t qtype = 0, qclass = 0;
  std::vector<Answer> answers;  // answer section only, at most kMaxAnswersKept
  size_t answers_used = 0;      // entries of `answers` filled for this message (the rest is spare capacity)
  uint32_t answer_count = 0;    // answer records parsed (may exceed answers_used)
  std::string anomaly;          // first problem met: "truncated", "name_loop", ... (empty when clean)

  void clear();
  std::span<const Answer> kept_answers() const { return {answers.data(), answers_used}; }
};

enum class ParseResult : uint8_t {
  kComplete,   // every section parsed
  kPartial,    // header (and maybe more) parsed, the rest missing or bad: see anomaly; fields so far are valid
  kMalformed,  // not even a header
};

// all_sections: keep the authority and additional records in `answers` too (display filters' dns.a reads
// every section, as Wireshark's does).
ParseResult parse_message(std::span<const uint8_t> msg, Message& out, bool all_sections = false);

// Whether `bytes` plausibly begin a DNS message: a sane header (opcode, counts) and a readable first
// question. For TCP pass the bytes after the 2-byte length.
bool plausible_message(std::span<const uint8_t> bytes);

std::string_view type_name(uint16_t type);    // "A", "AAAA", ..., "" when unknown
std::string_view rcode_name(uint8_t rcode);   // "NOERROR", "NXDOMAIN", ..., "" when unknown
std::string_view class_name(uint16_t cls);    // "IN", "CH", "HS", "NONE", "ANY" (mDNS's top bit ignored)

}  // namespace trawl::proto::dns
