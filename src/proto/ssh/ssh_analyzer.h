// SSH analyzer: identification lines, both KEXINITs (HASSH, negotiated algorithms), then, once NEWKEYS has
// switched a direction to encryption, only the sizes of what each side sends, from which the
// authentication outcome is inferred. Emits one SshRecord per connection and, when the client reached
// the (encrypted) authentication phase, one AuthRecord (app "ssh", method "inferred").
//
// The inference reproduces the idea of Zeek's SSH analyzer (src/analyzer/protocol/ssh/SSH.cc,
// ProcessEncrypted, used by scripts/base/protocols/ssh/main.zeek for auth_success/auth_attempts): after the
// client's first encrypted data, the server's first encrypted packet is SSH_MSG_SERVICE_ACCEPT (fixed
// plaintext size); the next one, unless more than 256 bytes bigger (a pre-auth banner, skipped once), is
// the first SSH_MSG_USERAUTH_FAILURE; every later packet of exactly that size is a failed attempt, and a
// packet 16 bytes smaller than the SERVICE_ACCEPT one is SSH_MSG_USERAUTH_SUCCESS.
//
// Approximation: Zeek sees TCP segments; trawl's analyzers see the reassembled bytes, one on_data call per
// delivery, which the flow stage makes per segment. A delivery that merges several SSH packets, or splits
// one, breaks the size arithmetic: deliveries under kMinSegment bytes (too small to be a whole encrypted
// packet) are not used and lower the confidence to "low". As in Zeek, negotiated compression makes sizes
// meaningless (outcome "unknown"). Confidence: "medium" for a success or failure decided by the rule,
// "low" otherwise.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "proto/auth/auth_record.h"
#include "proto/registry.h"
#include "proto/ssh/ssh_parse.h"
#include "proto/ssh/ssh_record.h"

namespace trawl::proto::ssh {

extern const AnalyzerInfo kSshAnalyzer;

// "SSH-<digits>." at the start: yes.
Match probe(std::span<const uint8_t> first_bytes, Dir dir);

class SshAnalyzer final : public StreamAnalyzer {
 public:
  static constexpr size_t kMaxBanner = 1024;       // RFC 4253 says 255; be lenient, but bounded
  static constexpr size_t kMaxPreBannerLines = 32;  // servers may send text lines before their banner
  static constexpr size_t kMaxKexInit = 64 * 1024;
  static constexpr size_t kMinSegment = 16;         // smaller deliveries cannot be a whole encrypted packet
  static constexpr int kBannerSlack = 256;          // Zeek's threshold for a pre-auth banner packet

  explicit SshAnalyzer(const AnalyzerContext& ctx);
  void on_data(Dir dir, std::span<const uint8_t> data, const PacketRef& at) override;
  void on_gap(Dir dir, uint64_t bytes, const PacketRef& at) override;
  void on_end(const PacketRef& at) override;

 private:
  enum class Phase : uint8_t { kBanner, kPackets, kEncrypted, kStopped };
  struct Side {
    Phase phase = Phase::kBanner;
    std::string line;
    uint32_t pre_banner_lines = 0;
    uint8_t hdr[6] = {};
    size_t hdr_len = 0;
    PacketHeader cur;
    uint64_t body_left = 0;
    bool collecting = false;
    std::string payload;
  };

  size_t parse_clear(Side& s, Dir dir, std::span<const uint8_t> data);
  void banner_line(Side& s, Dir dir, std::string_view line);
  void packet_done(Side& s, Dir dir);
  void encrypted(Dir dir, size_t len, const PacketRef& at);
  void negotiate_algorithms();
  void anomaly(std::string_view a);

  AnalyzerContext ctx_;
  Side sides_[2];
  SshRecord rec_;
  KexInit kex_[2];
  // Size heuristic state.
  bool saw_client_enc_ = false;
  bool decided_ = false;
  bool skipped_banner_ = false;
  bool small_segments_ = false;
  bool gap_after_keys_ = false;
  int64_t service_accept_size_ = 0;
  int64_t failure_size_ = 0;
  bool success_ = false;
  PacketRef decided_at_;
  PacketRef last_failure_at_;
  bool last_failure_seen_ = false;
  bool done_ = false;
};

}  // namespace trawl::proto::ssh
