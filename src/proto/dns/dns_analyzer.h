// DNS analyzers: DNS over UDP (one message per datagram) and over TCP (RFC 1035 4.2.2: each message
// behind a 2-byte length, several per stream), plus mDNS (5353) and LLMNR (5355), which share the wire
// format and are registered as their own rows ("mdns", "llmnr") so conn.jsonl names them; all of them
// write DnsRecords (dns.jsonl), whose `app` column says which.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "proto/dns/dns_parser.h"
#include "proto/dns/dns_record.h"
#include "proto/registry.h"

namespace trawl::proto::dns {

extern const AnalyzerInfo kDnsAnalyzer;     // TCP, port 53
extern const AnalyzerInfo kDnsUdpAnalyzer;  // UDP, port 53
extern const AnalyzerInfo kMdnsAnalyzer;    // UDP, port 5353
extern const AnalyzerInfo kLlmnrAnalyzer;   // UDP, port 5355

// A plausible header and first question: yes; plausible but cut by the probe window: maybe.
Match probe_udp(std::span<const uint8_t> first_bytes, Dir dir);
// The same behind a 2-byte length that covers at least a header.
Match probe_tcp(std::span<const uint8_t> first_bytes, Dir dir);

// Pairs queries with responses and emits the records; the transport front ends below feed it messages.
class DnsTransactions {
 public:
  static constexpr size_t kMaxPending = 256;  // unanswered queries kept per connection

  DnsTransactions(const AnalyzerContext& ctx, std::string_view app, std::string_view proto);
  void on_message(std::span<const uint8_t> msg, const PacketRef& at);
  void flush(const PacketRef& at);  // every pending query, as query-only records

 private:
  struct Pending {
    uint16_t id = 0;
    uint16_t qtype = 0, qclass = 0;
    bool has_question = false;
    std::string qname;
    Header header;
    PacketRef at;
    std::string anomaly;
  };
  void emit_query_only(const Pending& q, std::string_view extra_anomaly);

  AnalyzerContext ctx_;
  std::string_view app_, proto_;
  Message msg_;
  std::vector<Pending> pending_;  // in arrival order; reused entries keep their string capacity
  size_t pending_used_ = 0;
};

class DnsUdpAnalyzer final : public DatagramAnalyzer {
 public:
  DnsUdpAnalyzer(const AnalyzerContext& ctx, std::string_view app) : tx_(ctx, app, "udp") {}
  void on_datagram(Dir dir, std::span<const uint8_t> data, const PacketRef& at) override;
  void on_end(const PacketRef& at) override { tx_.flush(at); }

 private:
  DnsTransactions tx_;
};

class DnsTcpAnalyzer final : public StreamAnalyzer {
 public:
  static constexpr size_t kMaxBuffered = 2 + 65535;  // one whole message at most

  explicit DnsTcpAnalyzer(const AnalyzerContext& ctx) : tx_(ctx, "dns", "tcp") {}
  void on_data(Dir dir, std::span<const uint8_t> data, const PacketRef& at) override;
  void on_gap(Dir dir, uint64_t bytes, const PacketRef& at) override;
  void on_end(const PacketRef& at) override { tx_.flush(at); }

 private:
  struct Side {
    std::vector<uint8_t> buf;  // a message cut by a segment boundary
    bool lost = false;         // after a gap: skip bytes until a chunk starts with a plausible message
  };
  DnsTransactions tx_;
  Side sides_[2];
};

}  // namespace trawl::proto::dns
