// RDP analyzer: the cleartext start of an RDP connection. Reads the client's X.224 Connection Request
// (cookie, RDP_NEG_REQ) and the server's Connection Confirm (RDP_NEG_RSP or RDP_NEG_FAILURE). When TLS,
// CredSSP or RDSTLS is selected, every later byte is TLS: upgraded_to_tls() turns true and the session
// hands the rest to the TLS analyzer. With standard RDP security it also reads the client's core data and
// the server's encryption method/level from the MCS Connect Initial/Response. One RdpRecord per connection.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "proto/rdp/rdp_record.h"
#include "proto/registry.h"

namespace trawl::proto::rdp {

extern const AnalyzerInfo kRdpAnalyzer;

// TPKT 03 00 + X.224 CR (0xE0) from the client, CC (0xD0) from the server: yes with a cookie or
// negotiation block, maybe without (other ISO transports use TPKT too).
Match probe(std::span<const uint8_t> first_bytes, Dir dir);

class RdpAnalyzer final : public StreamAnalyzer {
 public:
  static constexpr size_t kMaxPdu = 16 * 1024;  // a bigger TPKT is skipped, not buffered
  static constexpr uint32_t kMaxPdus = 4;       // per direction: the connection sequence's start only

  explicit RdpAnalyzer(const AnalyzerContext& ctx);
  void on_data(Dir dir, std::span<const uint8_t> data, const PacketRef& at) override;
  void on_gap(Dir dir, uint64_t bytes, const PacketRef& at) override;
  void on_end(const PacketRef& at) override;
  bool upgraded_to_tls() const override { return rec_.tls; }

 private:
  struct Side {
    uint8_t hdr[4] = {};
    size_t hdr_len = 0;
    uint16_t length = 0;
    size_t body_left = 0;
    bool buffering = false;
    std::string body;
    uint32_t pdus = 0;
    bool stopped = false;
  };

  void pdu(Dir dir, std::span<const uint8_t> x224, const PacketRef& at);
  void emit(const PacketRef& at);
  void anomaly(std::string_view a);

  AnalyzerContext ctx_;
  Side sides_[2];
  RdpRecord rec_;
  bool seen_cr_ = false, seen_cc_ = false;
  bool emitted_ = false;
};

}  // namespace trawl::proto::rdp
