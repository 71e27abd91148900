#include "proto/dns/dns_parser.h"

#include <fmt/format.h>

#include "util/bytes.h"
#include "util/ip_address.h"

namespace trawl::proto::dns {

namespace {

void append_label(std::string& out, const uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    uint8_t c = p[i];
    if (c > 0x20 && c < 0x7f && c != '.' && c != '\\') {
      out.push_back(char(c));
    } else {
      char buf[4] = {'\\', char('0' + c / 100), char('0' + c / 10 % 10), char('0' + c % 10)};
      out.append(buf, 4);
    }
  }
}

void append_u(std::string& out, uint64_t v) {
  char buf[24];
  auto r = fmt::format_to_n(buf, sizeof buf, "{}", v);
  out.append(buf, r.size);
}

void append_type_fallback(std::string& out, uint16_t type) {
  out += "TYPE";
  append_u(out, type);
}

// A name inside rdata: compression pointers may lead anywhere in the message, but the in-place part of the
// name must end inside the rdata.
bool rdata_name(std::span<const uint8_t> msg, size_t pos, size_t rd_end, std::string& out, size_t& end) {
  return pos < rd_end && read_name(msg, pos, out, end) == NameResult::kOk && end <= rd_end;
}

// rdata as text; false when it does not hold what its type says.
bool rdata_text(std::span<const uint8_t> msg, size_t off, size_t len, uint16_t type, std::string& out) {
  const size_t rd_end = off + len;
  const uint8_t* p = msg.data() + off;
  size_t end = 0;
  switch (type) {
    case 1: {  // A
      if (len != 4) return false;
      char buf[48];
      out.append(buf, IpAddress::v4(p).format(buf));
      return true;
    }
    case 28: {  // AAAA
      if (len != 16) return false;
      char buf[48];
      out.append(buf, IpAddress::v6(p).format(buf));
      return true;
    }
    case 2: case 5: case 12:  // NS, CNAME, PTR
      return rdata_name(msg, off, rd_end, out, end);
    case 15:  // MX: preference, exchange
      if (len < 3) return false;
      append_u(out, load_be16(p));
      out.push_back(' ');
      return rdata_name(msg, off + 2, rd_end, out, end);
    case 33:  // SRV: priority weight port target
      if (len < 7) return false;
      append_u(out, load_be16(p));
      out.push_back(' ');
      append_u(out, load_be16(p + 2));
      out.push_back(' ');
      append_u(out, load_be16(p + 4));
      out.push_back(' ');
      return rdata_name(msg, off + 6, rd_end, out, end);
    case 6: {  // SOA: mname rname serial refresh retry expire minimum
      if (!rdata_name(msg, off, rd_end, out, end)) return false;
      out.push_back(' ');
      if (!rdata_name(msg, end, rd_end, out, end)) return false;
      if (rd_end - end != 20) return false;
      for (int i = 0; i < 5; ++i) {
        out.push_back(' ');
        append_u(out, load_be32(msg.data() + end + 4 * i));
      }
      return true;
    }
    case 16: {  // TXT: one or more <length><bytes> strings, written space-separated
      size_t i = 0;
      while (i < len) {
        size_t n = p[i];
        if (i + 1 + n > len) return false;
        if (i) out.push_back(' ');
        append_label(out, p + i + 1, n);
        i += 1 + n;
      }
      return true;
    }
    default:
      append_type_fallback(out, type);
      return true;
  }
}

}  // namespace

NameResult read_name(std::span<const uint8_t> msg, size_t pos, std::string& out, size_t& end) {
  const size_t start_len = out.size();
  bool jumped = false;
  int jumps = 0;
  size_t wire = 0;
  for (;;) {
    if (pos >= msg.size()) return NameResult::kTruncated;
    uint8_t len = msg[pos];
    if ((len & 0xc0) == 0xc0) {
      if (pos + 1 >= msg.size()) return NameResult::kTruncated;
      if (!jumped) end = pos + 2;
      jumped = true;
      if (++jumps > kMaxPointerJumps) return NameResult::kLoop;
      pos = size_t(len & 0x3f) << 8 | msg[pos + 1];
      continue;
    }
    if (len & 0xc0) return NameResult::kBadLabel;  // 0x40 extended / 0x80 reserved label types
    if (len == 0) {
      if (!jumped) end = pos + 1;
      return NameResult::kOk;
    }
    wire += 1 + len;
    if (wire + 1 > kMaxNameWire) return NameResult::kTooLong;
    if (pos + 1 + len > msg.size()) return NameResult::kTruncated;
    if (out.size() != start_len) out.push_back('.');
    append_label(out, msg.data() + pos + 1, len);
    pos += 1 + len;
  }
}

void Message::clear() {
  header = {};
  has_question = false;
  qname.clear();
  qtype = qclass = 0;
  answers_used = 0;
  answer_count = 0;
  anomaly.clear();
}

namespace {
std::string_view name_problem(NameResult r) {
  switch (r) {
    case NameResult::kTruncated: return "truncated";
    case NameResult::kLoop: return "name_loop";
    case NameResult::kTooLong: return "name_too_long";
    case NameResult::kBadLabel: return "bad_label";
    case NameResult::kOk: break;
  }
  return "";
}
}  // namespace

ParseResult parse_message(std::span<const uint8_t> msg, Message& out, bool all_sections) {
  out.clear();
  if (msg.size() < kHeaderSize) {
    out.anomaly = "short_header";
    return ParseResult::kMalformed;
  }
  const uint8_t* p = msg.data();
  Header& h = out.header;
  h.id = load_be16(p);
  h.flags = load_be16(p + 2);
  h.qdcount = load_be16(p + 4);
  h.ancount = load_be16(p + 6);
  h.nscount = load_be16(p + 8);
  h.arcount = load_be16(p + 10);
  size_t pos = kHeaderSize;
  std::string scratch;
  for (uint32_t q = 0; q < h.qdcount; ++q) {
    size_t end = 0;
    std::string& name = q == 0 ? out.qname : scratch;
    if (q) scratch.clear();
    NameResult r = read_name(msg, pos, name, end);
    if (r != NameResult::kOk) {
      out.anomaly = name_problem(r);
      return ParseResult::kPartial;
    }
    if (end + 4 > msg.size()) {
      out.anomaly = "truncated";
      return ParseResult::kPartial;
    }
    if (q == 0) {
      out.has_question = true;
      out.qtype = load_be16(p + end);
      out.qclass = load_be16(p + end + 2);
    }
    pos = end + 4;
  }
  uint32_t records = h.ancount + (all_sections ? uint32_t(h.nscount) + h.arcount : 0u);
  for (uint32_t a = 0; a < records; ++a) {
    Answer* ans = nullptr;
    if (out.answers_used < kMaxAnswersKept) {
      if (out.answers_used == out.answers.size()) out.answers.emplace_back();
      ans = &out.answers[out.answers_used];
      ans->name.clear();
      ans->text.clear();
    }
    std::string& name = ans ? ans->name : scratch;
    if (!ans) scratch.clear();
    size_t end = 0;
    NameResult r = read_name(msg, pos, name, end);
    if (r != NameResult::kOk) {
      out.anomaly = name_problem(r);
      return ParseResult::kPartial;
    }
    if (end + 10 > msg.size()) {
      out.anomaly = "truncated";
      return ParseResult::kPartial;
    }
    uint16_t type = load_be16(p + end), cls = load_be16(p + end + 2);
    uint32_t ttl = load_be32(p + end + 4);
    size_t rdlen = load_be16(p + end + 8);
    size_t rd = end + 10;
    if (rd + rdlen > msg.size()) {
      out.anomaly = "truncated";
      return ParseResult::kPartial;
    }
    ++out.answer_count;
    if (ans) {
      ans->type = type;
      ans->cls = cls;
      ans->ttl = ttl;
      if (!rdata_text(msg, rd, rdlen, type, ans->text)) {
        ans->text.clear();
        append_type_fallback(ans->text, type);
        if (out.anomaly.empty()) out.anomaly = "bad_rdata";
      }
      ++out.answers_used;
    }
    pos = rd + rdlen;
  }
  // Unless all_sections, authority and additional sections are not kept; the record carries their counts from the header.
  return out.anomaly.empty() ? ParseResult::kComplete : ParseResult::kPartial;
}

bool plausible_message(std::span<const uint8_t> bytes) {
  if (bytes.size() < kHeaderSize) return false;
  Header h;
  h.flags = load_be16(bytes.data() + 2);
  h.qdcount = load_be16(bytes.data() + 4);
  h.ancount = load_be16(bytes.data() + 6);
  h.nscount = load_be16(bytes.data() + 8);
  h.arcount = load_be16(bytes.data() + 10);
  if (h.opcode() > 6 || h.opcode() == 3) return false;
  if (h.qdcount > 16 || h.ancount > 512 || h.nscount > 512 || h.arcount > 512) return false;
  // Queries ask at least one question (mDNS asks several at once); responses may have none (mDNS) but
  // then need answers.
  if (!h.response() && h.qdcount == 0) return false;
  if (h.qdcount == 0) return h.ancount > 0 && bytes.size() > kHeaderSize;
  std::string name;
  size_t end = 0;
  NameResult r = read_name(bytes, kHeaderSize, name, end);
  if (r == NameResult::kTruncated) return bytes.size() >= 512;  // probe window ended inside the name
  if (r != NameResult::kOk) return false;
  if (end + 4 > bytes.size()) return bytes.size() >= 512;
  uint16_t qclass = load_be16(bytes.data() + end + 2) & 0x7fff;
  uint16_t qtype = load_be16(bytes.data() + end);
  return qtype != 0 && (qclass == 1 || qclass == 3 || qclass == 4 || qclass == 254 || qclass == 255);
}

std::string_view type_name(uint16_t t) {
  switch (t) {
    case 1: return "A"; case 2: return "NS"; case 3: return "MD"; case 4: return "MF"; case 5: return "CNAME";
    case 6: return "SOA"; case 7: return "MB"; case 8: return "MG"; case 9: return "MR"; case 10: return "NULL";
    case 11: return "WKS"; case 12: return "PTR"; case 13: return "HINFO"; case 14: return "MINFO";
    case 15: return "MX"; case 16: return "TXT"; case 17: return "RP"; case 18: return "AFSDB";
    case 24: return "SIG"; case 25: return "KEY"; case 28: return "AAAA"; case 29: return "LOC";
    case 30: return "NXT"; case 32: return "NB"; case 33: return "SRV"; case 35: return "NAPTR"; case 36: return "KX";
    case 37: return "CERT"; case 39: return "DNAME"; case 41: return "OPT"; case 42: return "APL";
    case 43: return "DS"; case 44: return "SSHFP"; case 45: return "IPSECKEY"; case 46: return "RRSIG";
    case 47: return "NSEC"; case 48: return "DNSKEY"; case 49: return "DHCID"; case 50: return "NSEC3";
    case 51: return "NSEC3PARAM"; case 52: return "TLSA"; case 53: return "SMIMEA"; case 55: return "HIP";
    case 59: return "CDS"; case 60: return "CDNSKEY"; case 61: return "OPENPGPKEY"; case 62: return "CSYNC";
    case 63: return "ZONEMD"; case 64: return "SVCB"; case 65: return "HTTPS"; case 99: return "SPF";
    case 249: return "TKEY"; case 250: return "TSIG"; case 251: return "IXFR"; case 252: return "AXFR";
    case 253: return "MAILB"; case 254: return "MAILA"; case 255: return "ANY"; case 256: return "URI";
    case 257: return "CAA"; case 32768: return "TA"; case 32769: return "DLV";
  }
  return "";
}

std::string_view rcode_name(uint8_t r) {
  switch (r) {
    case 0: return "NOERROR"; case 1: return "FORMERR"; case 2: return "SERVFAIL"; case 3: return "NXDOMAIN";
    case 4: return "NOTIMP"; case 5: return "REFUSED"; case 6: return "YXDOMAIN"; case 7: return "YXRRSET";
    case 8: return "NXRRSET"; case 9: return "NOTAUTH"; case 10: return "NOTZONE"; case 11: return "DSOTYPENI";
  }
  return "";
}

std::string_view class_name(uint16_t c) {
  switch (c & 0x7fff) {
    case 1: return "IN"; case 3: return "CH"; case 4: return "HS"; case 254: return "NONE"; case 255: return "ANY";
  }
  return "";
}

}  // namespace trawl::proto::dns
