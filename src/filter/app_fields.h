// Application-layer display-filter fields (dns.*, http.*, tls.*, smtp.*, pop.*, imap.*, ftp.*, ssh.*, rdp,
// smb.*, smb2.*): the second field table, appended after the packet-level one in fields.cpp.
//
// The rule: a field is read from the packet that carries it, the way tshark reads it with TCP reassembly off
// (`-o tcp.desegment_tcp_streams:FALSE`). The protocol is chosen from the ports Wireshark assigns it and
// the payload's own start (a request line, a TLS record header, an SMB header); a message split over
// several segments matches on its first segment only, and only for the fields inside that segment.
// Nothing is carried from one packet to the next (tshark also copies SMB file and tree names onto later
// packets of the same file or tree, and skips retransmitted segments: trawl does neither).
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "filter/fields.h"
#include "proto/dns/dns_parser.h"
#include "proto/tls/tls_parser.h"

namespace trawl::filter {

// The application fields, in `trawl fields` order; their ids in extract() continue after the packet fields.
std::span<const FieldInfo> app_fields();

// Decodes the application layer of one packet lazily (only the protocols a filter asks about, at most once
// per packet) and hands out field values that stay valid until begin_packet(). A Filter owns one only when
// it names an application field, so other filters pay nothing.
class AppLayer {
 public:
  void begin_packet() { decoded_ = 0; }
  // `app_id` indexes app_fields().
  void extract(int app_id, const packet::PacketView& v, FieldValues& out);

 private:
  // What has been decoded for this packet (bits).
  enum Proto : uint32_t {
    kDnsLayer = 1, kHttpLayer = 2, kTlsLayer = 4, kJa3Layer = 8, kSmtpLayer = 16, kPopLayer = 32,
    kImapLayer = 64, kFtpLayer = 128, kSshLayer = 256, kRdpLayer = 512, kSmbLayer = 1024, kHeadersLayer = 2048,
  };
  bool need(Proto p) {
    bool first = !(decoded_ & p);
    decoded_ |= p;
    return first;
  }
  void decode_dns(const packet::PacketView& v);
  void decode_http(const packet::PacketView& v);
  void decode_http_headers();
  void decode_tls(const packet::PacketView& v);
  void decode_text(const packet::PacketView& v, Proto p);
  void decode_rdp(const packet::PacketView& v);
  void decode_smb(const packet::PacketView& v);
  void decode_smb1(std::span<const uint8_t> smb);
  void decode_smb2(std::span<const uint8_t> smb);
  std::string* text_slot();

  uint32_t decoded_ = 0;

  struct Span {
    const uint8_t* p = nullptr;
    uint32_t n = 0;
  };

  // dns
  bool dns_port_ = false;  // a 53 message (the `dns` protocol); mDNS and LLMNR have only the fields
  bool dns_ok_ = false;
  proto::dns::Message dns_;
  // http (views into the packet)
  bool http_ = false;
  int http_kind_ = 0;  // 1 request, 2 response
  Span http_method_, http_uri_, http_headers_, http_host_, http_user_agent_, http_authorization_;
  uint16_t http_code_ = 0;
  // tls
  bool tls_ = false;
  uint8_t tls_types_[FieldValues::kMax] = {};
  uint8_t tls_type_count_ = 0;
  bool tls_hello_ = false;
  proto::tls::ClientHello hello_;
  std::string ja3_;
  // smtp / pop / imap / ftp: command (or tag), parameter, reply code or indicator of the first line
  bool line_proto_ = false;
  Span command_, parameter_, tag_, indicator_;
  uint16_t reply_code_ = 0;
  // ssh
  bool ssh_ = false;
  Span ssh_protocol_;
  // rdp
  bool rdp_ = false;
  // smb / smb2
  bool smb1_ = false, smb2_ = false;
  uint8_t smb_cmds_[FieldValues::kMax] = {}, smb_cmd_count_ = 0;
  uint16_t smb2_cmds_[FieldValues::kMax] = {}, smb2_cmd_count_ = 0;
  int8_t smb_response_ = -1, smb2_response_ = -1;  // the first header's flag, -1 when absent
  // Names decoded from UTF-16: smb.path, smb.file, smb.trans_name, smb2.tree, smb2.filename.
  enum NameKind : uint8_t { kPathName, kFileName, kTransName, kTreeName, kFilename2 };
  struct Name {
    NameKind kind;
    std::string* text;
  };
  Name names_[FieldValues::kMax];
  uint8_t name_count_ = 0;
  std::string text_slots_[FieldValues::kMax];
  uint8_t text_used_ = 0;
  void add_name(NameKind kind, std::span<const uint8_t> bytes, bool utf16);
};

}  // namespace trawl::filter
