// TLS analyzer: follows the record layer of both directions (records span segments; handshake messages
// span records), parses the handshake while it is in clear and emits one TlsRecord per connection at its
// end. Encrypted records are counted, never buffered.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "proto/registry.h"
#include "proto/tls/tls_record.h"

namespace trawl::proto::tls {

extern const AnalyzerInfo kTlsAnalyzer;

// A handshake record header (0x16 0x03 0x00..0x04) with a plausible length: maybe; followed by a
// ClientHello or ServerHello header whose length fits the record: yes.
Match probe(std::span<const uint8_t> first_bytes, Dir dir);

class TlsAnalyzer final : public StreamAnalyzer {
 public:
  static constexpr size_t kMaxRecord = 16384 + 2048;     // RFC 5246 6.2.3: ciphertext limit
  static constexpr size_t kMaxHandshake = 64 * 1024;     // one handshake message, buffered at most

  explicit TlsAnalyzer(const AnalyzerContext& ctx);
  void on_data(Dir dir, std::span<const uint8_t> data, const PacketRef& at) override;
  void on_gap(Dir dir, uint64_t bytes, const PacketRef& at) override;
  void on_end(const PacketRef& at) override;

 private:
  struct Side {
    uint8_t hdr[5] = {};
    size_t hdr_have = 0;
    uint8_t type = 0;            // content type of the record being read
    size_t body_len = 0, body_left = 0;
    uint8_t alert[2] = {};
    bool count_app = false;      // the current application-data record counts as application bytes
    std::vector<uint8_t> hs;     // handshake bytes not yet parsed (one message at most, plus a record)
    bool ccs = false;            // sent ChangeCipherSpec: its later handshake records are encrypted
    bool lost = false;           // desynchronised (gap or not TLS): wait for a record header
    bool hs_dead = false;        // a handshake message over kMaxHandshake: stop parsing this side's
    uint64_t app_records = 0;
  };

  void body(Side& s, Dir dir, std::span<const uint8_t> bytes, const PacketRef& at);
  void record_end(Side& s, Dir dir);
  void handshake(Dir dir, uint8_t type, std::span<const uint8_t> body, const PacketRef& at);
  bool start_record(Side& s, Dir dir);
  void anomaly(std::string_view a);
  bool tls13() const { return rec_.server_hello_seen && rec_.sh.version() == 0x0304; }

  AnalyzerContext ctx_;
  Side sides_[2];
  TlsRecord rec_;
  Dir client_ = Dir::kOrig;
  bool any_record_ = false;
  bool origin_set_ = false;
  bool emitted_ = false;
};

}  // namespace trawl::proto::tls
