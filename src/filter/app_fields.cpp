#include "filter/app_fields.h"

#include <algorithm>
#include <initializer_list>
#include <string_view>

#include "proto/ftp/ftp_parse.h"
#include "proto/http/http_parser.h"
#include "proto/rdp/rdp_parse.h"
#include "proto/smb/ntlmssp.h"
#include "util/bytes.h"

namespace trawl::filter {

namespace {

using packet::PacketView;

// Application field ids: the index into kAppFields. Keep both lists in the same order.
enum AppId : int {
  kDns, kDnsQryName, kDnsQryType, kDnsFlagsResponse, kDnsFlagsRcode, kDnsA, kDnsAaaa, kDnsCname,
  kHttp, kHttpRequest, kHttpResponse, kHttpRequestMethod, kHttpRequestUri, kHttpHost, kHttpUserAgent,
  kHttpResponseCode, kHttpAuthorization,
  kTls, kTlsHandshakeType, kTlsServerName, kTlsJa3,
  kSmtp, kSmtpReqCommand, kSmtpReqParameter, kSmtpResponseCode,
  kPop, kPopRequestCommand, kPopRequestParameter, kPopResponseIndicator,
  kImap, kImapRequestTag, kImapRequestCommand,
  kFtp, kFtpRequestCommand, kFtpRequestArg, kFtpResponseCode,
  kSsh, kSshProtocol,
  kRdp,
  kSmb, kSmbCmd, kSmbFlagsResponse, kSmbPath, kSmbFile, kSmbTransName,
  kSmb2, kSmb2Cmd, kSmb2FlagsResponse, kSmb2Tree, kSmb2Filename,
};

constexpr FieldInfo kAppFields[] = {
    {"dns", FieldType::kProtocol, "DNS on port 53 (UDP, or the first segment of each TCP message)"},
    {"dns.qry.name", FieldType::kString, "first question's name (DNS, mDNS, LLMNR)"},
    {"dns.qry.type", FieldType::kUint, "first question's type (1 A, 28 AAAA, ...)"},
    {"dns.flags.response", FieldType::kBool, "the message is a response"},
    {"dns.flags.rcode", FieldType::kUint, "reply code (0 NOERROR, 3 NXDOMAIN, ...)"},
    {"dns.a", FieldType::kIp, "IPv4 address of an A record (any section)"},
    {"dns.aaaa", FieldType::kIp, "IPv6 address of an AAAA record (any section)"},
    {"dns.cname", FieldType::kString, "target of a CNAME record (any section)"},
    {"http", FieldType::kProtocol, "TCP payload on an HTTP port (80, 8080, 3128, ...)"},
    {"http.request", FieldType::kBool, "the segment starts with a request line"},
    {"http.response", FieldType::kBool, "the segment starts with a status line"},
    {"http.request.method", FieldType::kString, "request method"},
    {"http.request.uri", FieldType::kString, "request URI as sent"},
    {"http.host", FieldType::kString, "Host header"},
    {"http.user_agent", FieldType::kString, "User-Agent header"},
    {"http.response.code", FieldType::kUint, "status code"},
    {"http.authorization", FieldType::kString, "Authorization header"},
    {"tls", FieldType::kProtocol, "TCP payload on a TLS port (443, 993, 995, 465, 636, ...)"},
    {"tls.handshake.type", FieldType::kUint, "type of each cleartext handshake message (1 ClientHello, 2 ServerHello, ...)"},
    {"tls.handshake.extensions_server_name", FieldType::kString, "ClientHello's SNI host name"},
    {"tls.handshake.ja3", FieldType::kString, "ClientHello's JA3 hash (MD5 hex)"},
    {"smtp", FieldType::kProtocol, "TCP payload on port 25 or 587"},
    {"smtp.req.command", FieldType::kString, "client command of the segment's first line (known SMTP verbs)"},
    {"smtp.req.parameter", FieldType::kString, "the rest of that line"},
    {"smtp.response.code", FieldType::kUint, "reply code of the server segment's first line"},
    {"pop", FieldType::kProtocol, "TCP payload on port 110"},
    {"pop.request.command", FieldType::kString, "first word of the client segment's first line"},
    {"pop.request.parameter", FieldType::kString, "the rest of that line"},
    {"pop.response.indicator", FieldType::kString, "+OK or -ERR starting the server segment"},
    {"imap", FieldType::kProtocol, "TCP payload on port 143"},
    {"imap.request_tag", FieldType::kString, "tag of the client segment's first line"},
    {"imap.request.command", FieldType::kString, "its command (after UID)"},
    {"ftp", FieldType::kProtocol, "TCP payload on port 21"},
    {"ftp.request.command", FieldType::kString, "command of the client segment's first line"},
    {"ftp.request.arg", FieldType::kString, "its argument"},
    {"ftp.response.code", FieldType::kUint, "reply code of the server segment's first line"},
    {"ssh", FieldType::kProtocol, "TCP payload on port 22"},
    {"ssh.protocol", FieldType::kString, "version banner (SSH-2.0-...)"},
    {"rdp", FieldType::kProtocol, "RDP negotiation, MCS connect and MCS send-data PDUs on port 3389"},
    {"smb", FieldType::kProtocol, "SMB1 (TCP 139/445, NetBIOS datagrams on UDP 138)"},
    {"smb.cmd", FieldType::kUint, "SMB1 command, and each AndX command after it (0xff ends the chain)"},
    {"smb.flags.response", FieldType::kBool, "the first SMB1 header is a reply"},
    {"smb.path", FieldType::kString, "share path of a Tree Connect AndX request"},
    {"smb.file", FieldType::kString, "file or pipe name of an NT Create AndX request"},
    {"smb.trans_name", FieldType::kString, "name of a Transaction request (\\PIPE\\, mailslots)"},
    {"smb2", FieldType::kProtocol, "SMB2/3 (TCP 139/445)"},
    {"smb2.cmd", FieldType::kUint, "SMB2 command of each header (compounds too)"},
    {"smb2.flags.response", FieldType::kBool, "the first SMB2 header is a response"},
    {"smb2.tree", FieldType::kString, "share path of a Tree Connect request"},
    {"smb2.filename", FieldType::kString, "file or pipe name of a Create request"},
};
static_assert(std::size(kAppFields) == size_t(kSmb2Filename) + 1, "kAppFields and AppId disagree");

bool has_port(const PacketView& v, std::initializer_list<uint16_t> ports) {
  return std::find(ports.begin(), ports.end(), v.sport) != ports.end() ||
         std::find(ports.begin(), ports.end(), v.dport) != ports.end();
}

std::span<const uint8_t> payload(const PacketView& v) {
  if (v.payload_offset > v.caplen) return {};
  return {v.data + v.payload_offset, std::min<size_t>(v.payload_len, v.caplen - v.payload_offset)};
}
bool tcp_payload(const PacketView& v) { return v.is_tcp() && v.payload_len > 0; }

constexpr std::initializer_list<uint16_t> kHttpPorts = {80, 631, 1900, 2710, 2869, 3128, 3132, 3689, 5985, 8080, 8088, 11371};
constexpr std::initializer_list<uint16_t> kTlsPorts = {324,  443,  465,  636,  802,  853,  993,   995,   1300,
                                                      2221, 2443, 3249, 3250, 3251, 3252, 3496,  5061,  5671,
                                                      5684, 5868, 8883, 11207, 19999, 27017};
// Ports some Wireshark dissector claims: tshark tries its content heuristics (HTTP, TLS) only elsewhere.
bool claimed_port(const PacketView& v) {
  return has_port(v, kHttpPorts) || has_port(v, kTlsPorts) ||
         has_port(v, {21, 22, 25, 53, 102, 110, 139, 143, 445, 587, 3389, 5353, 29418});
}

std::string_view as_text(std::span<const uint8_t> b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

// The segment's first line without its line ending (the whole segment when it has none).
std::string_view first_line(std::span<const uint8_t> b) {
  std::string_view s = as_text(b);
  s = s.substr(0, s.find('\n'));
  if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
  return s;
}

void add_uint(FieldValues& out, uint64_t u) { out.add().u = u; }
void add_text(FieldValues& out, const uint8_t* p, uint32_t n) {
  FieldValue& f = out.add();
  f.bytes = p;
  f.len = n;
}
void add_text(FieldValues& out, std::string_view s) {
  add_text(out, reinterpret_cast<const uint8_t*>(s.data()), uint32_t(s.size()));
}

constexpr std::string_view kSmtpCommands[] = {"HELO", "EHLO", "MAIL", "RCPT", "DATA", "RSET", "VRFY", "EXPN",
                                              "HELP", "NOOP", "QUIT", "AUTH", "STARTTLS", "BDAT", "ETRN", "TURN",
                                              "ATRN", "SEND", "SOML", "SAML", "XCLIENT", "XFORWARD"};

bool is_smtp_command(std::string_view verb) {
  return std::any_of(std::begin(kSmtpCommands), std::end(kSmtpCommands),
                     [&](std::string_view c) { return proto::http::iequals(c, verb); });
}

// "WORD rest": the word and what follows the first space.
void split_word(std::string_view line, std::string_view& word, std::string_view& rest) {
  size_t sp = line.find(' ');
  word = line.substr(0, sp);
  rest = sp == std::string_view::npos ? std::string_view() : line.substr(sp + 1);
}

}  // namespace

std::span<const FieldInfo> app_fields() { return kAppFields; }

std::string* AppLayer::text_slot() {
  std::string* s = &text_slots_[text_used_ < FieldValues::kMax ? text_used_++ : FieldValues::kMax - 1];
  s->clear();
  return s;
}

void AppLayer::decode_dns(const PacketView& v) {
  dns_port_ = dns_ok_ = false;
  if (!(v.is_udp() || v.is_tcp()) || v.payload_len == 0) return;
  auto b = payload(v);
  if (v.is_tcp()) {
    if (!has_port(v, {53, 5353})) return;
    dns_port_ = true;
    // The 2-byte length, then the message as far as this segment holds it; a segment that does not start
    // a message is a continuation (tshark: "Continuation to #n"), not DNS.
    if (b.size() < 2 + proto::dns::kHeaderSize || !proto::dns::plausible_message(b.subspan(2))) {
      dns_port_ = false;
      return;
    }
    b = b.subspan(2);
  } else {
    dns_port_ = has_port(v, {53});
    if (!dns_port_ && !has_port(v, {5353, 5355})) return;
  }
  dns_ok_ = proto::dns::parse_message(b, dns_, true) != proto::dns::ParseResult::kMalformed;
}

void AppLayer::decode_http(const PacketView& v) {
  http_ = false;
  http_kind_ = 0;
  if (!tcp_payload(v)) return;
  // On an HTTP port every segment is HTTP (a continuation has no fields); elsewhere only a segment that
  // starts a request or a response (tshark's heuristic, which then also claims the rest of the connection).
  bool on_port = has_port(v, kHttpPorts);
  if (!on_port && claimed_port(v)) return;
  http_ = on_port;
  http_headers_ = {};
  std::string_view block = as_text(payload(v)), rest;
  if (block.empty() || block[0] < 'A' || block[0] > 'Z') return;  // neither a method nor "HTTP/"
  std::string_view line = proto::http::split_first_line(block, rest);
  proto::http::RequestLine req;
  proto::http::StatusLine status;
  auto span = [](std::string_view s) { return Span{reinterpret_cast<const uint8_t*>(s.data()), uint32_t(s.size())}; };
  if (proto::http::parse_request_line(line, req) == proto::http::Parse::kComplete &&
      proto::http::is_known_method(req.method)) {
    http_ = true;
    http_kind_ = 1;
    http_method_ = span(req.method);
    http_uri_ = span(req.uri);
  } else if (proto::http::parse_status_line(line, status) == proto::http::Parse::kComplete) {
    http_ = true;
    http_kind_ = 2;
    http_code_ = uint16_t(status.code);
  } else {
    return;  // a continuation: the protocol only
  }
  http_headers_ = span(rest);
}

// The header lines of the request this segment starts, up to the blank line (only when a filter asks).
void AppLayer::decode_http_headers() {
  http_host_ = http_user_agent_ = http_authorization_ = {};
  std::string_view rest = as_text({http_headers_.p, http_headers_.n});
  proto::http::HeaderEndScanner scanner;
  scanner.reset_at_line_start();
  size_t end = scanner.scan(rest);
  proto::http::Headers h;
  proto::http::parse_headers(end == std::string_view::npos ? rest : rest.substr(0, end), h, 1000);
  auto span = [](std::string_view s) { return Span{reinterpret_cast<const uint8_t*>(s.data()), uint32_t(s.size())}; };
  if (h.host.data()) http_host_ = span(h.host);
  if (h.user_agent.data()) http_user_agent_ = span(h.user_agent);
  if (h.authorization.data()) http_authorization_ = span(h.authorization);
}

void AppLayer::decode_tls(const PacketView& v) {
  tls_ = tls_hello_ = false;
  tls_type_count_ = 0;
  if (!tcp_payload(v)) return;
  auto b = payload(v);
  // Elsewhere than a TLS port, tshark's heuristic: a handshake record starting with a Client or Server Hello.
  tls_ = has_port(v, kTlsPorts) ||
         (!claimed_port(v) && b.size() >= 6 && b[0] == 22 && b[1] == 3 && b[2] <= 4 && (b[5] == 1 || b[5] == 2));
  if (!tls_) return;
  // The complete records from the segment's start while their headers look like TLS (tshark, unable to
  // reassemble, leaves a record cut by the segment's end undissected).
  for (size_t at = 0; at + 5 <= b.size();) {
    uint8_t type = b[at];
    if (type < 20 || type > 24 || b[at + 1] != 3 || b[at + 2] > 4) break;
    size_t len = load_be16(&b[at + 3]);
    if (at + 5 + len > b.size()) break;
    auto body = b.subspan(at + 5, len);
    at += 5 + len;
    if (type != 22) continue;
    // Handshake messages must tile the record; otherwise it is an encrypted Finished, which has no type.
    size_t first = tls_type_count_;
    size_t m = 0;
    while (m + 4 <= len) {
      uint8_t hs = body[m];
      size_t hs_len = size_t(body[m + 1]) << 16 | size_t(body[m + 2]) << 8 | body[m + 3];
      if ((hs > 24 && hs != 67 && hs != 254) || m + 4 + hs_len > len) break;
      if (tls_type_count_ < FieldValues::kMax) tls_types_[tls_type_count_++] = hs;
      if (hs == 1 && !tls_hello_)
        tls_hello_ = proto::tls::parse_client_hello(body.subspan(m + 4, hs_len), hello_) == proto::tls::ParseResult::kOk;
      m += 4 + hs_len;
    }
    if (m != len) tls_type_count_ = uint8_t(first);
  }
}

// SMTP, POP3, IMAP and FTP: the segment's first line, as a request when it goes to the port, else a reply.
void AppLayer::decode_text(const PacketView& v, Proto p) {
  line_proto_ = false;
  command_ = parameter_ = tag_ = indicator_ = {};
  reply_code_ = 0;
  if (!tcp_payload(v)) return;
  uint16_t port = p == kPopLayer ? 110 : p == kImapLayer ? 143 : p == kFtpLayer ? 21 : 25;
  if (p == kSmtpLayer && has_port(v, {587})) port = 587;
  if (!has_port(v, {port})) return;
  line_proto_ = true;
  std::string_view line = first_line(payload(v)), word, rest;
  auto span = [](std::string_view s) { return Span{reinterpret_cast<const uint8_t*>(s.data()), uint32_t(s.size())}; };
  bool request = v.dport == port;
  switch (p) {
    case kSmtpLayer:
      if (request) {
        split_word(line, word, rest);
        if (is_smtp_command(word)) command_ = span(word), parameter_ = span(rest);
      } else if (auto r = proto::ftp::parse_reply_line(line)) {
        reply_code_ = r->code;  // the same "ddd text" form as FTP
      }
      break;
    case kPopLayer:
      split_word(line, word, rest);
      if (request && !word.empty()) command_ = span(word), parameter_ = span(rest);
      if (!request && (word == "+OK" || word == "-ERR")) indicator_ = span(word);
      break;
    case kImapLayer:
      if (request) {
        split_word(line, word, rest);
        tag_ = span(word);
        split_word(rest, word, rest);
        if (proto::http::iequals(word, "UID")) split_word(rest, word, rest);
        if (!word.empty()) command_ = span(word);
      }
      break;
    default:
      if (request) {
        auto c = proto::ftp::split_command(line);
        if (!c.verb.empty()) command_ = span(c.verb), parameter_ = span(c.arg);
      } else if (auto r = proto::ftp::parse_reply_line(line)) {
        reply_code_ = r->code;
      }
      break;
  }
}

// On 3389: X.224 connection request/confirm with RDP negotiation, the MCS connect and send-data PDUs that
// carry RDP (not MCS's own domain and channel PDUs; a send-data PDU only when the segment holds all of it).
// Fast-path PDUs are not recognised: only the connection's history (tshark's state) tells them from TLS.
void AppLayer::decode_rdp(const PacketView& v) {
  rdp_ = false;
  if (!tcp_payload(v) || !has_port(v, {3389})) return;
  auto b = payload(v);
  uint16_t tpkt_len = 0;
  if (b.size() < 7 || proto::rdp::parse_tpkt_length(b, tpkt_len) == proto::rdp::ParseStatus::kMalformed) return;
  auto x224 = b.subspan(4);
  uint8_t code = x224[1] & 0xf0;
  if (code == 0xe0) {
    proto::rdp::ConnectionRequest cr;
    rdp_ = proto::rdp::parse_connection_request(x224, cr) == proto::rdp::ParseStatus::kComplete &&
           (!cr.cookie.empty() || cr.has_neg_req);
  } else if (code == 0xd0) {
    proto::rdp::ConnectionConfirm cc;
    rdp_ = proto::rdp::parse_connection_confirm(x224, cc) == proto::rdp::ParseStatus::kComplete &&
           (cc.has_neg_rsp || cc.has_failure);
  } else if (code == 0xf0 && x224[0] == 2 && x224.size() >= 5) {
    uint8_t mcs = x224[3];
    rdp_ = (mcs == 0x7f && (x224[4] == 0x65 || x224[4] == 0x66)) ||
           (((mcs >> 2) == 25 || (mcs >> 2) == 26) && tpkt_len <= b.size());
  }
}

void AppLayer::add_name(NameKind kind, std::span<const uint8_t> bytes, bool utf16) {
  if (name_count_ >= FieldValues::kMax) return;
  std::string* s = text_slot();
  if (utf16) proto::smb::append_utf16le(*s, bytes);
  else s->assign(as_text(bytes));
  while (!s->empty() && s->back() == '\0') s->pop_back();  // the terminator some clients send
  names_[name_count_++] = {kind, s};  // empty too: opening a share's root names ""
}

void AppLayer::decode_smb1(std::span<const uint8_t> smb) {
  if (smb.size() < 33) return;
  if (!smb1_) smb_response_ = (smb[9] & 0x80) != 0;
  smb1_ = true;
  bool unicode = load_le16(&smb[10]) & 0x8000;
  bool response = smb[9] & 0x80;
  uint8_t cmd = smb[4];
  // The AndX chain: each command's words start with the next command and its offset from the header.
  size_t words = 32;
  for (int hop = 0; hop < 8; ++hop) {
    if (smb_cmd_count_ < FieldValues::kMax) smb_cmds_[smb_cmd_count_++] = cmd;
    if (words >= smb.size()) return;
    size_t wc = smb[words];
    size_t bytes_at = words + 1 + 2 * wc + 2;  // after the words and the byte count
    if (bytes_at > smb.size()) return;
    size_t byte_count = load_le16(&smb[bytes_at - 2]);
    auto data = smb.subspan(bytes_at, std::min(byte_count, smb.size() - bytes_at));
    // Unicode strings are aligned to 2 bytes from the header's start.
    auto unicode_from = [&](size_t skip) {
      size_t at = bytes_at + skip;
      if (unicode && at % 2) ++at;
      return at <= bytes_at + data.size() ? data.subspan(at - bytes_at) : std::span<const uint8_t>();
    };
    if (!response && cmd == 0x75 && wc >= 4) {  // Tree Connect AndX: password, then the path
      auto path = unicode_from(load_le16(&smb[words + 7]));
      size_t n = 0;
      while (unicode ? n + 1 < path.size() && (path[n] || path[n + 1]) : n < path.size() && path[n]) n += unicode ? 2 : 1;
      add_name(kPathName, path.first(n), unicode);
    } else if (!response && cmd == 0xa2 && wc >= 24) {  // NT Create AndX
      auto name = unicode_from(0);
      add_name(kFileName, name.first(std::min<size_t>(load_le16(&smb[words + 6]), name.size())), unicode);
    } else if (!response && cmd == 0x25 && wc >= 14) {  // Transaction: its name
      auto name = unicode_from(0);
      size_t n = 0;
      while (unicode ? n + 1 < name.size() && (name[n] || name[n + 1]) : n < name.size() && name[n]) n += unicode ? 2 : 1;
      add_name(kTransName, name.first(n), unicode);
    }
    bool andx = cmd == 0x24 || cmd == 0x2d || cmd == 0x2e || cmd == 0x2f || cmd == 0x73 || cmd == 0x74 ||
                cmd == 0x75 || cmd == 0xa2;
    if (!andx || wc < 2) return;
    cmd = smb[words + 1];
    if (cmd == 0xff) {
      if (smb_cmd_count_ < FieldValues::kMax) smb_cmds_[smb_cmd_count_++] = cmd;
      return;
    }
    size_t next = load_le16(&smb[words + 3]);
    if (next <= words) return;  // offsets only move forward
    words = next;
  }
}

void AppLayer::decode_smb2(std::span<const uint8_t> smb) {
  for (int hop = 0; hop < 8 && smb.size() >= 64; ++hop) {
    if (load_le32(smb.data()) != 0x424d53fe) return;
    uint16_t cmd = load_le16(&smb[12]);
    bool response = load_le32(&smb[16]) & 1;
    if (!smb2_) smb2_response_ = response;
    smb2_ = true;
    if (smb2_cmd_count_ < FieldValues::kMax) smb2_cmds_[smb2_cmd_count_++] = cmd;
    auto name_at = [&](size_t offset_at, NameKind kind) {
      if (offset_at + 4 > smb.size()) return;
      size_t off = load_le16(&smb[offset_at]), len = load_le16(&smb[offset_at + 2]);
      if (off < smb.size()) add_name(kind, smb.subspan(off, std::min(len, smb.size() - off)), true);
    };
    if (!response && cmd == 3) name_at(64 + 4, kTreeName);
    if (!response && cmd == 5) name_at(64 + 44, kFilename2);
    size_t next = load_le32(&smb[20]);
    if (next < 64 || next >= smb.size()) return;
    smb = smb.subspan(next);
  }
}

void AppLayer::decode_smb(const PacketView& v) {
  smb1_ = smb2_ = false;
  smb_cmd_count_ = 0;
  smb2_cmd_count_ = 0;
  smb_response_ = smb2_response_ = -1;
  name_count_ = 0;
  text_used_ = 0;
  if (v.payload_len == 0) return;
  auto b = payload(v);
  auto one = [&](std::span<const uint8_t> m) {
    if (m.size() < 4) return;
    uint32_t magic = load_le32(m.data());
    if (magic == 0x424d53ff) decode_smb1(m);
    else if (magic == 0x424d53fe) decode_smb2(m);
    else if (magic == 0x424d53fd) smb2_ = true;  // SMB3 transform header: an encrypted message
  };
  if (v.is_udp() && has_port(v, {138})) {
    // NetBIOS datagram (direct unique/group, broadcast): 14-byte header, two encoded names, then SMB.
    if (b.size() < 14 || b[0] < 0x10 || b[0] > 0x12) return;
    size_t at = 14;
    for (int name = 0; name < 2; ++name) {
      while (at < b.size() && b[at] && (b[at] & 0xc0) == 0) at += 1 + b[at];
      at += 1;
    }
    if (at < b.size()) one(b.subspan(at));
    return;
  }
  if (!v.is_tcp() || !has_port(v, {139, 445})) return;
  // NetBIOS session messages: the SMB in each, the last one as far as this segment holds it.
  for (size_t at = 0; at + 4 <= b.size();) {
    if (b[at] != 0) break;
    size_t len = size_t(b[at + 1] & 1) << 16 | load_be16(&b[at + 2]);
    one(b.subspan(at + 4, std::min(len, b.size() - at - 4)));
    at += 4 + len;
  }
}

void AppLayer::extract(int app_id, const PacketView& v, FieldValues& out) {
  out.n = 0;
  auto text = [&](const Span& s) {
    if (s.p) add_text(out, s.p, s.n);
  };
  switch (AppId(app_id)) {
    case kDns:
    case kDnsQryName:
    case kDnsQryType:
    case kDnsFlagsResponse:
    case kDnsFlagsRcode:
    case kDnsA:
    case kDnsAaaa:
    case kDnsCname: {
      if (need(kDnsLayer)) decode_dns(v);
      if (app_id == kDns) {
        if (dns_port_) add_uint(out, 1);
        return;
      }
      if (!dns_ok_) return;
      const auto& m = dns_;
      if (app_id == kDnsQryName && m.has_question) add_text(out, m.qname);
      if (app_id == kDnsQryType && m.has_question) add_uint(out, m.qtype);
      if (app_id == kDnsFlagsResponse) add_uint(out, m.header.response());
      if (app_id == kDnsFlagsRcode) add_uint(out, m.header.rcode());
      for (const auto& a : m.kept_answers()) {
        if ((app_id == kDnsA && a.type == 1) || (app_id == kDnsAaaa && a.type == 28)) {
          if (auto addr = IpAddress::parse(a.text)) out.add().a = *addr;
        } else if (app_id == kDnsCname && a.type == 5) {
          add_text(out, a.text);
        }
      }
      return;
    }
    case kHttp:
    case kHttpRequest:
    case kHttpResponse:
    case kHttpRequestMethod:
    case kHttpRequestUri:
    case kHttpHost:
    case kHttpUserAgent:
    case kHttpResponseCode:
    case kHttpAuthorization:
      if (need(kHttpLayer)) decode_http(v);
      if (!http_) return;
      if (app_id == kHttp) add_uint(out, 1);
      if (http_kind_ == 1) {
        if ((app_id == kHttpHost || app_id == kHttpUserAgent || app_id == kHttpAuthorization) && need(kHeadersLayer))
          decode_http_headers();
        if (app_id == kHttpRequest) add_uint(out, 1);
        if (app_id == kHttpRequestMethod) text(http_method_);
        if (app_id == kHttpRequestUri) text(http_uri_);
        if (app_id == kHttpHost) text(http_host_);
        if (app_id == kHttpUserAgent) text(http_user_agent_);
        if (app_id == kHttpAuthorization) text(http_authorization_);
      } else if (http_kind_ == 2) {
        if (app_id == kHttpResponse) add_uint(out, 1);
        if (app_id == kHttpResponseCode) add_uint(out, http_code_);
      }
      return;
    case kTls:
    case kTlsHandshakeType:
    case kTlsServerName:
    case kTlsJa3:
      if (need(kTlsLayer)) decode_tls(v);
      if (!tls_) return;
      if (app_id == kTls) add_uint(out, 1);
      if (app_id == kTlsHandshakeType)
        for (size_t i = 0; i < tls_type_count_; ++i) add_uint(out, tls_types_[i]);
      if (app_id == kTlsServerName && tls_hello_ && hello_.has_sni) add_text(out, hello_.server_name);
      if (app_id == kTlsJa3 && tls_hello_) {
        if (need(kJa3Layer)) ja3_ = proto::tls::md5_hex(proto::tls::ja3_string(hello_));
        add_text(out, ja3_);
      }
      return;
    case kSmtp:
    case kSmtpReqCommand:
    case kSmtpReqParameter:
    case kSmtpResponseCode:
    case kPop:
    case kPopRequestCommand:
    case kPopRequestParameter:
    case kPopResponseIndicator:
    case kImap:
    case kImapRequestTag:
    case kImapRequestCommand:
    case kFtp:
    case kFtpRequestCommand:
    case kFtpRequestArg:
    case kFtpResponseCode: {
      Proto p = app_id <= kSmtpResponseCode ? kSmtpLayer : app_id <= kPopResponseIndicator ? kPopLayer
              : app_id <= kImapRequestCommand ? kImapLayer : kFtpLayer;
      if (need(p)) {
        decoded_ &= ~uint32_t(kSmtpLayer | kPopLayer | kImapLayer | kFtpLayer);  // one line state, for one protocol at a time
        decoded_ |= p;
        decode_text(v, p);
      }
      if (!line_proto_) return;
      switch (AppId(app_id)) {
        case kSmtp: case kPop: case kImap: case kFtp: add_uint(out, 1); break;
        case kSmtpReqCommand: case kPopRequestCommand: case kImapRequestCommand: case kFtpRequestCommand:
          text(command_);
          break;
        case kSmtpReqParameter: case kPopRequestParameter: case kFtpRequestArg:
          if (command_.p) text(parameter_);
          break;
        case kImapRequestTag: text(tag_); break;
        case kPopResponseIndicator: text(indicator_); break;
        default: if (reply_code_) add_uint(out, reply_code_); break;
      }
      return;
    }
    case kSsh:
    case kSshProtocol:
      if (need(kSshLayer)) {
        ssh_ = tcp_payload(v) && has_port(v, {22, 29418});
        ssh_protocol_ = {};
        auto b = payload(v);
        if (ssh_ && as_text(b).substr(0, 4) == "SSH-") {
          std::string_view line = first_line(b);
          ssh_protocol_ = {b.data(), uint32_t(line.size())};
        }
      }
      if (!ssh_) return;
      if (app_id == kSsh) add_uint(out, 1);
      else text(ssh_protocol_);
      return;
    case kRdp:
      if (need(kRdpLayer)) decode_rdp(v);
      if (rdp_) add_uint(out, 1);
      return;
    case kSmb:
    case kSmbCmd:
    case kSmbFlagsResponse:
    case kSmbPath:
    case kSmbFile:
    case kSmbTransName:
    case kSmb2:
    case kSmb2Cmd:
    case kSmb2FlagsResponse:
    case kSmb2Tree:
    case kSmb2Filename: {
      if (need(kSmbLayer)) decode_smb(v);
      if (app_id == kSmb && smb1_) add_uint(out, 1);
      if (app_id == kSmb2 && smb2_) add_uint(out, 1);
      if (app_id == kSmbCmd)
        for (size_t i = 0; i < smb_cmd_count_; ++i) add_uint(out, smb_cmds_[i]);
      if (app_id == kSmb2Cmd)
        for (size_t i = 0; i < smb2_cmd_count_; ++i) add_uint(out, smb2_cmds_[i]);
      if (app_id == kSmbFlagsResponse && smb_response_ >= 0) add_uint(out, uint64_t(smb_response_));
      if (app_id == kSmb2FlagsResponse && smb2_response_ >= 0) add_uint(out, uint64_t(smb2_response_));
      NameKind kind = app_id == kSmbPath ? kPathName : app_id == kSmbFile ? kFileName
                    : app_id == kSmbTransName ? kTransName : app_id == kSmb2Tree ? kTreeName : kFilename2;
      if (app_id == kSmbPath || app_id == kSmbFile || app_id == kSmbTransName || app_id == kSmb2Tree ||
          app_id == kSmb2Filename)
        for (size_t i = 0; i < name_count_; ++i)
          if (names_[i].kind == kind) add_text(out, *names_[i].text);
      return;
    }
  }
}

}  // namespace trawl::filter
