// DnsRecord (dns.jsonl): one DNS transaction, a query paired with its response by (id, question) within
// the connection; query-only when no response came, response-only when the query was not seen.
#pragma once

#include <span>
#include <string_view>

#include "proto/dns/dns_parser.h"
#include "proto/record.h"

namespace trawl::proto::dns {

// Views into the analyzer's state, valid only during RecordSink::emit (records are written at once).
struct DnsRecord final : Record {
  RecordOrigin origin;          // the response's packet, or the query's when no response came
  std::string_view app;         // "dns", "mdns", "llmnr"
  std::string_view proto;       // "udp", "tcp"
  uint16_t trans_id = 0;
  int64_t rtt_ns = -1;          // response time; -1 when either side is missing
  bool query_seen = false, response_seen = false;
  bool has_question = false;
  std::string_view query;
  uint16_t qclass = 0, qtype = 0;
  Header header;                // the response's header when seen, else the query's
  std::span<const Answer> answers;
  uint32_t answer_count = 0;    // answer records parsed (answers keeps the first kMaxAnswersKept)
  std::string_view anomaly;

  static const RecordType kType;
  const RecordType& type() const override { return kType; }
  void write(output::TableWriter& w, const WriteOptions& options) const override;
};

}  // namespace trawl::proto::dns
