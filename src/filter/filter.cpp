#include "filter/filter.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <string_view>

#include <fmt/format.h>
#include <re2/re2.h>

#include "filter/app_fields.h"
#include "filter/fields.h"

namespace trawl::filter {

// A value a field is compared with, converted once for the field's type.
struct Operand {
  uint64_t u = 0;
  double d = 0;
  IpAddress a;
  int prefix = -1;    // CIDR prefix length for addresses, -1 for a plain address
  std::string bytes;  // byte strings, MAC addresses, slices, contains
};

// The bytes a protocol name stands for in `tcp contains "x"`, `frame matches "..."`, `eth[0:3]`.
enum class Extent : uint8_t { kNone, kFrame, kEth, kIp, kIpv6, kTcp, kUdp, kIcmp, kIcmpv6, kPayload };

struct Filter::Test {
  Node::Kind kind = Node::Kind::kExists;
  Extent extent = Extent::kNone;  // a protocol's bytes are read (decided once, at compile time)
  CmpOp op = CmpOp::kEq;
  int field = -1;
  FieldType type = FieldType::kProtocol;  // after slicing: kBytes
  std::optional<Slice> slice;
  std::vector<std::unique_ptr<Test>> children;
  std::vector<Operand> operands;                    // compare/contains/bitand: one; in: one per member
  std::vector<std::optional<Operand>> range_highs;  // in: the high end of a low..high member
  std::unique_ptr<RE2> regex;
  FieldValues values;  // scratch
};

namespace {

bool parse_hex_bytes(std::string_view s, std::string& out) {
  out.clear();
  std::string digits;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == ':' || c == '-' || c == '.') {
      if (digits.size() == 1) digits.insert(digits.begin(), '0');  // "0:c:29" style
      if (digits.size() != 2) return false;
      out += char(std::stoi(digits, nullptr, 16));
      digits.clear();
      continue;
    }
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
    digits += c;
    if (digits.size() == 2 && (i + 1 == s.size() || std::isxdigit(static_cast<unsigned char>(s[i + 1])))) {
      out += char(std::stoi(digits, nullptr, 16));  // unseparated hex: two digits a byte
      digits.clear();
    }
  }
  if (digits.size() == 1) digits.insert(digits.begin(), '0');
  if (!digits.empty()) out += char(std::stoi(digits, nullptr, 16));
  return !out.empty();
}

Operand convert(const Literal& lit, FieldType type, std::string_view field) {
  Operand o;
  auto bad = [&](std::string_view what) {
    return FilterError(fmt::format("'{}' is not {} (the type of {})", lit.text, what, field), lit.column);
  };
  switch (type) {
    case FieldType::kUint:
    case FieldType::kBool: {
      std::string t = lit.text;
      std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return char(std::tolower(c)); });
      if (type == FieldType::kBool && (t == "true" || t == "false")) {
        o.u = t == "true";
        break;
      }
      char* end = nullptr;
      errno = 0;
      o.u = std::strtoull(t.c_str(), &end, 0);
      if (t.empty() || *end || errno || t[0] == '-') throw bad(type == FieldType::kBool ? "a boolean" : "an unsigned integer");
      if (type == FieldType::kBool && o.u > 1) throw bad("a boolean (0, 1, true, false)");
      break;
    }
    case FieldType::kTime: {
      char* end = nullptr;
      o.d = std::strtod(lit.text.c_str(), &end);
      if (lit.text.empty() || *end) throw bad("a number of seconds");
      break;
    }
    case FieldType::kIp: {
      std::string_view s = lit.text;
      size_t slash = s.find('/');
      auto a = IpAddress::parse(s.substr(0, slash));
      if (!a) throw bad("an IP address");
      o.a = *a;
      if (slash != std::string_view::npos) {
        std::string p(s.substr(slash + 1));
        char* end = nullptr;
        long n = std::strtol(p.c_str(), &end, 10);
        if (p.empty() || *end || n < 0 || n > (a->is_v4() ? 32 : 128)) throw bad("a network (bad prefix length)");
        o.prefix = int(n);
      }
      break;
    }
    case FieldType::kEther:
    case FieldType::kBytes:
    case FieldType::kProtocol:
      if (lit.quoted) o.bytes = lit.text;
      else if (!parse_hex_bytes(lit.text, o.bytes)) throw bad(type == FieldType::kEther ? "a MAC address" : "a byte string");
      if (type == FieldType::kEther && o.bytes.size() != 6) throw bad("a MAC address (6 bytes)");
      break;
    case FieldType::kString: o.bytes = lit.text; break;
  }
  return o;
}

bool in_network(const IpAddress& v, const Operand& o) {
  if (v.family != o.a.family) return false;
  if (o.prefix < 0) return v == o.a;
  int full = o.prefix / 8, rest = o.prefix % 8;
  if (std::memcmp(v.bytes.data(), o.a.bytes.data(), size_t(full)) != 0) return false;
  return !rest || ((v.bytes[size_t(full)] ^ o.a.bytes[size_t(full)]) & uint8_t(0xff << (8 - rest))) == 0;
}

// <0, 0, >0 like memcmp, or 2 when the two cannot be ordered (different address families).
int order(const FieldValue& v, FieldType type, const Operand& o) {
  switch (type) {
    case FieldType::kUint:
    case FieldType::kBool: return v.u < o.u ? -1 : v.u > o.u ? 1 : 0;
    case FieldType::kTime: return v.d < o.d ? -1 : v.d > o.d ? 1 : 0;
    case FieldType::kIp:
      if (v.a.family != o.a.family) return 2;
      if (o.prefix >= 0 && in_network(v.a, o)) return 0;
      return v.a < o.a ? -1 : v.a > o.a ? 1 : 0;
    default: {
      std::string_view a(reinterpret_cast<const char*>(v.bytes), v.len), b(o.bytes);
      return a < b ? -1 : a > b ? 1 : 0;
    }
  }
}

bool compare(CmpOp op, int c) {
  if (c == 2) return op == CmpOp::kNe || op == CmpOp::kAnyNe;
  switch (op) {
    case CmpOp::kEq:
    case CmpOp::kAllEq: return c == 0;
    case CmpOp::kNe:
    case CmpOp::kAnyNe: return c != 0;
    case CmpOp::kGt: return c > 0;
    case CmpOp::kLt: return c < 0;
    case CmpOp::kGe: return c >= 0;
    case CmpOp::kLe: return c <= 0;
  }
  return false;
}

Extent extent_of(std::string_view protocol, int field) {
  if (protocol == "frame") return Extent::kFrame;
  if (protocol == "eth") return Extent::kEth;
  if (protocol == "ip") return Extent::kIp;
  if (protocol == "ipv6") return Extent::kIpv6;
  if (protocol == "tcp") return Extent::kTcp;
  if (protocol == "udp") return Extent::kUdp;
  if (protocol == "icmp") return Extent::kIcmp;
  if (protocol == "icmpv6") return Extent::kIcmpv6;
  return is_app_field(field) ? Extent::kPayload : Extent::kNone;  // an application protocol: its packet's payload
}

// The bytes protocol `t` covers in this packet; false when the packet does not carry it.
bool protocol_bytes(Filter::Test& t, const PacketContext& p, FieldValue& out) {
  const capture::RawPacket& raw = p.raw;
  const packet::PacketView& v = p.view;
  auto from = [&](const uint8_t* base, uint32_t caplen, uint32_t offset) {
    if (offset > caplen) return false;
    out.bytes = base + offset;
    out.len = caplen - offset;
    return true;
  };
  switch (t.extent) {
    case Extent::kFrame: return from(raw.data, raw.caplen, 0);
    case Extent::kEth:  // the link header, also when the view holds a reassembled datagram
      if (raw.linktype == 1) return from(raw.data, raw.caplen, 0);
      return v.eth_offset != 0xffff && from(v.data, v.caplen, v.eth_offset);
    case Extent::kIp: return v.l3 == packet::L3::kIpv4 && from(v.data, v.caplen, v.l3_offset);
    case Extent::kIpv6: return v.l3 == packet::L3::kIpv6 && from(v.data, v.caplen, v.l3_offset);
    case Extent::kTcp: return v.is_tcp() && from(v.data, v.caplen, v.l4_offset);
    case Extent::kUdp: return v.is_udp() && from(v.data, v.caplen, v.l4_offset);
    case Extent::kIcmp: return v.is_icmp() && v.ip_proto == packet::kProtoIcmp && from(v.data, v.caplen, v.l4_offset);
    case Extent::kIcmpv6: return v.is_icmp() && v.ip_proto == packet::kProtoIcmp6 && from(v.data, v.caplen, v.l4_offset);
    case Extent::kPayload:
      extract(t.field, p, t.values);
      return t.values.n && from(v.data, v.payload_offset + v.payload_len, v.payload_offset);
    case Extent::kNone: return false;
  }
  return false;
}

std::unique_ptr<Filter::Test> compile(const Node& n) {
  auto t = std::make_unique<Filter::Test>();
  t->kind = n.kind;
  if (n.kind == Node::Kind::kAnd || n.kind == Node::Kind::kOr || n.kind == Node::Kind::kXor ||
      n.kind == Node::Kind::kNot) {
    for (const auto& c : n.children) t->children.push_back(compile(*c));
    return t;
  }
  t->field = find_field(n.field);
  if (t->field < 0)
    throw FilterError(fmt::format("unknown field '{}' (nearest: {}; `trawl fields` lists them all)", n.field,
                                  nearest_fields(n.field)),
                      n.field_column);
  const FieldInfo& info = all_fields()[size_t(t->field)];
  t->type = info.type;
  if (info.type == FieldType::kProtocol) t->extent = extent_of(info.name, t->field);
  t->op = n.op;
  if (n.slice) {
    if (info.type != FieldType::kEther && info.type != FieldType::kBytes && info.type != FieldType::kProtocol &&
        info.type != FieldType::kString)
      throw FilterError(fmt::format("{} is a {}: only byte fields can be sliced", n.field, type_name(info.type)),
                        n.field_column);
    t->slice = n.slice;
    t->type = FieldType::kBytes;
  }
  auto need = [&](bool ok, std::string_view what) {
    if (!ok) throw FilterError(fmt::format("{} is a {}: {}", n.field, type_name(t->type), what), n.value.column);
  };
  switch (n.kind) {
    case Node::Kind::kExists: break;
    case Node::Kind::kCompare:
      need(t->type != FieldType::kProtocol || t->slice, "it can only be tested for presence or searched with contains");
      t->operands.push_back(convert(n.value, t->type, n.field));
      break;
    case Node::Kind::kIn:
      need(t->type != FieldType::kProtocol, "it cannot be in a set");
      for (const auto& [low, high] : n.members) {
        t->operands.push_back(convert(low, t->type, n.field));
        t->range_highs.push_back(high ? std::optional(convert(*high, t->type, n.field)) : std::nullopt);
      }
      break;
    case Node::Kind::kContains:
      need(t->type == FieldType::kBytes || t->type == FieldType::kEther || t->type == FieldType::kProtocol ||
               t->type == FieldType::kString,
           "contains works on byte fields, strings and protocols");
      t->operands.push_back(convert(n.value, FieldType::kBytes, n.field));
      break;
    case Node::Kind::kMatches: {
      need(t->type == FieldType::kBytes || t->type == FieldType::kProtocol || t->type == FieldType::kString,
           "matches works on byte fields, strings and protocols");
      RE2::Options options;
      options.set_log_errors(false);
      options.set_encoding(RE2::Options::EncodingLatin1);  // packet bytes are not UTF-8
      options.set_dot_nl(true);
      options.set_case_sensitive(false);  // as in Wireshark: "(?-i)" makes a pattern case-sensitive
      t->regex = std::make_unique<RE2>(n.value.text, options);
      if (!t->regex->ok()) throw FilterError(fmt::format("bad regular expression: {}", t->regex->error()), n.value.column);
      break;
    }
    case Node::Kind::kBitAnd:
      need(t->type == FieldType::kUint || t->type == FieldType::kBytes || t->type == FieldType::kEther,
           "& works on integer and byte fields");
      t->operands.push_back(convert(n.value, t->type, n.field));
      break;
    default: break;
  }
  return t;
}

// Cuts a byte value to a slice; false when the slice lies outside it.
bool apply_slice(const Slice& s, FieldValue& v) {
  long len = long(v.len);
  long from = s.offset < 0 ? len + s.offset : s.offset;
  long count = s.length < 0 ? len - from : s.length;
  if (from < 0 || count <= 0 || from + count > len) return false;
  v.bytes += from;
  v.len = uint32_t(count);
  return true;
}

bool eval(Filter::Test& t, const PacketContext& p) {
  switch (t.kind) {
    case Node::Kind::kAnd: return eval(*t.children[0], p) && eval(*t.children[1], p);
    case Node::Kind::kOr: return eval(*t.children[0], p) || eval(*t.children[1], p);
    case Node::Kind::kXor: return eval(*t.children[0], p) != eval(*t.children[1], p);
    case Node::Kind::kNot: return !eval(*t.children[0], p);
    default: break;
  }
  FieldValues& vals = t.values;
  if (t.extent != Extent::kNone && t.kind != Node::Kind::kExists) {
    FieldValue bytes;
    vals.n = protocol_bytes(t, p, bytes) ? 1 : 0;
    vals.v[0] = bytes;
  } else {
    extract(t.field, p, vals);
  }
  if (t.slice) {
    size_t kept = 0;
    for (size_t i = 0; i < vals.n; ++i)
      if (apply_slice(*t.slice, vals.v[i])) vals.v[kept++] = vals.v[i];
    vals.n = kept;
  }
  if (vals.n == 0) return false;
  switch (t.kind) {
    case Node::Kind::kExists: return true;
    case Node::Kind::kCompare: {
      bool all = t.op == CmpOp::kNe || t.op == CmpOp::kAllEq;  // these hold only if every occurrence agrees
      for (size_t i = 0; i < vals.n; ++i) {
        bool r = compare(t.op, order(vals.v[i], t.type, t.operands[0]));
        if (all && !r) return false;
        if (!all && r) return true;
      }
      return all;
    }
    case Node::Kind::kIn:
      for (size_t i = 0; i < vals.n; ++i)
        for (size_t k = 0; k < t.operands.size(); ++k) {
          int lo = order(vals.v[i], t.type, t.operands[k]);
          if (!t.range_highs[k] ? lo == 0 : (lo == 0 || lo == 1) && (order(vals.v[i], t.type, *t.range_highs[k]) <= 0))
            return true;
        }
      return false;
    case Node::Kind::kContains:
      for (size_t i = 0; i < vals.n; ++i) {
        std::string_view hay(reinterpret_cast<const char*>(vals.v[i].bytes), vals.v[i].len);
        if (hay.find(t.operands[0].bytes) != std::string_view::npos) return true;
      }
      return false;
    case Node::Kind::kMatches:
      for (size_t i = 0; i < vals.n; ++i) {
        std::string_view hay(reinterpret_cast<const char*>(vals.v[i].bytes), vals.v[i].len);
        if (RE2::PartialMatch(hay, *t.regex)) return true;
      }
      return false;
    case Node::Kind::kBitAnd:
      for (size_t i = 0; i < vals.n; ++i) {
        if (t.type == FieldType::kUint && (vals.v[i].u & t.operands[0].u)) return true;
        const std::string& mask = t.operands[0].bytes;  // bytes: any common set bit over the shorter length
        for (size_t b = 0; b < std::min<size_t>(vals.v[i].len, mask.size()); ++b)
          if (vals.v[i].bytes[b] & uint8_t(mask[b])) return true;
      }
      return false;
    default: return false;
  }
}

bool names_field(const Filter::Test& t, bool (*pred)(int)) {
  if (t.field >= 0 && pred(t.field)) return true;
  for (const auto& c : t.children)
    if (names_field(*c, pred)) return true;
  return false;
}

}  // namespace

Filter::Filter(const std::string& text) : root_(compile(*parse(text))) {
  if (names_field(*root_, needs_tcp_streams)) tcp_streams_ = std::make_unique<TcpStreams>();
  if (names_field(*root_, is_app_field)) app_ = std::make_unique<AppLayer>();
}
Filter::~Filter() = default;
Filter::Filter(Filter&&) noexcept = default;
Filter& Filter::operator=(Filter&&) noexcept = default;

bool Filter::matches(const capture::RawPacket& raw, const packet::PacketView& view) {
  if (raw.file_index >= first_ts_ns_.size()) first_ts_ns_.resize(raw.file_index + 1, INT64_MIN);
  int64_t& first = first_ts_ns_[raw.file_index];
  if (first == INT64_MIN) first = raw.ts_ns;
  TcpStreams::Segment segment;
  const bool tcp = tcp_streams_ && view.is_tcp();
  if (tcp) segment = tcp_streams_->add(view);
  if (app_) app_->begin_packet();
  return eval(*root_, PacketContext{raw, view, first, tcp ? &segment : nullptr, &scratch_, app_.get()});
}

void Filter::set_file_start(uint32_t file_index, int64_t ts_ns) {
  if (file_index >= first_ts_ns_.size()) first_ts_ns_.resize(file_index + 1, INT64_MIN);
  first_ts_ns_[file_index] = ts_ns;
}

std::string describe_error(const std::string& text, const FilterError& e) {
  return fmt::format("{}\n  {}\n  {}^", e.what(), text, std::string(std::min(e.column(), text.size()), ' '));
}

}  // namespace trawl::filter
