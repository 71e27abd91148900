#include "proto/ssh/ssh_analyzer.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

namespace trawl::proto::ssh {

namespace {
constexpr uint16_t kPorts[] = {22};
constexpr uint8_t kMsgKexInit = 20, kMsgNewKeys = 21;

std::unique_ptr<StreamAnalyzer> make(const AnalyzerContext& ctx) { return std::make_unique<SshAnalyzer>(ctx); }

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Zeek's rule (set_version in main.zeek): 2 when both speak 2 (1.99 counts as 2 against 2), 1 when both
// speak 1, 0 when they disagree.
uint32_t protocol_version(std::string_view client, std::string_view server) {
  if (client.size() < 8 || server.size() < 8) return 0;
  auto major = [](std::string_view b) { return b.substr(4, 4) == "1.99" ? 199 : b[4] == '2' ? 2 : b[4] == '1' ? 1 : 0; };
  int c = major(client), s = major(server);
  if ((c == 2 || c == 199) && (s == 2 || s == 199)) return 2;
  if ((c == 1 || c == 199) && (s == 1 || s == 199)) return 1;
  return 0;
}

std::string bidirectional(std::string_view c2s, std::string_view s2c) {
  if (c2s == s2c) return std::string(c2s);
  return fmt::format("To server: {}, to client: {}", c2s, s2c);
}
}  // namespace

Match probe(std::span<const uint8_t> b, Dir) {
  if (b.size() < 6) return Match::kNo;
  if (std::memcmp(b.data(), "SSH-", 4) != 0) return Match::kNo;
  return is_digit(static_cast<char>(b[4])) && b[5] == '.' ? Match::kYes : Match::kMaybe;
}

const AnalyzerInfo kSshAnalyzer{"ssh", 6, kPorts, &probe, &make, nullptr};

SshAnalyzer::SshAnalyzer(const AnalyzerContext& ctx) : ctx_(ctx) {}

void SshAnalyzer::anomaly(std::string_view a) {
  if (rec_.anomalies.size() < 8) rec_.anomalies.emplace_back(a);
}

void SshAnalyzer::on_data(Dir dir, std::span<const uint8_t> data, const PacketRef& at) {
  if (done_ || data.empty()) return;
  Side& s = sides_[static_cast<int>(dir)];
  if (s.phase == Phase::kEncrypted) return encrypted(dir, data.size(), at);
  if (s.phase == Phase::kStopped) return;
  size_t used = parse_clear(s, dir, data);
  // NEWKEYS inside this delivery: what follows it is the first encrypted data (Zeek does the same with
  // the encrypted bytes of the segment that carried NEWKEYS).
  if (s.phase == Phase::kEncrypted && used < data.size()) encrypted(dir, data.size() - used, at);
}

size_t SshAnalyzer::parse_clear(Side& s, Dir dir, std::span<const uint8_t> data) {
  size_t i = 0, n = data.size();
  const char* p = reinterpret_cast<const char*>(data.data());
  while (i < n) {
    if (s.phase == Phase::kBanner) {
      const void* nl = std::memchr(p + i, '\n', n - i);
      size_t end = nl ? static_cast<size_t>(static_cast<const char*>(nl) - p) : n;
      size_t take = std::min(end - i, kMaxBanner - std::min(kMaxBanner, s.line.size()));
      s.line.append(p + i, take);
      if (take < end - i) {
        anomaly(dir == Dir::kOrig ? "client_banner_too_long" : "server_banner_too_long");
        s.phase = Phase::kStopped;
        return n;
      }
      if (!nl) return n;
      i = end + 1;
      std::string line = std::move(s.line);
      s.line.clear();
      if (!line.empty() && line.back() == '\r') line.pop_back();
      banner_line(s, dir, line);
      continue;
    }
    if (s.phase != Phase::kPackets) return i;
    if (s.hdr_len < 6) {
      size_t take = std::min(6 - s.hdr_len, n - i);
      std::memcpy(s.hdr + s.hdr_len, p + i, take);
      s.hdr_len += take;
      i += take;
      if (s.hdr_len < 6) return n;
      if (parse_packet_header({s.hdr, 6}, s.cur) != ParseStatus::kComplete) {
        anomaly(dir == Dir::kOrig ? "client_bad_packet" : "server_bad_packet");
        s.phase = Phase::kStopped;
        return n;
      }
      s.body_left = s.cur.packet_length - 2;
      s.collecting = s.cur.msg_type == kMsgKexInit && !(dir == Dir::kOrig ? rec_.client_kex : rec_.server_kex).seen;
      s.payload.clear();
      if (s.collecting && s.cur.packet_length > kMaxKexInit) {
        anomaly("kexinit_too_long");
        s.collecting = false;
      }
      if (s.body_left == 0) packet_done(s, dir);
      continue;
    }
    size_t take = static_cast<size_t>(std::min<uint64_t>(s.body_left, n - i));
    if (s.collecting) s.payload.append(p + i, take);
    s.body_left -= take;
    i += take;
    if (s.body_left == 0) packet_done(s, dir);
  }
  return i;
}

void SshAnalyzer::banner_line(Side& s, Dir dir, std::string_view line) {
  if (line.substr(0, 4) == "SSH-") {
    (dir == Dir::kOrig ? rec_.client : rec_.server).assign(line);
    // SSH-1 (not 1.99) has a different binary protocol: keep the banner, parse no further.
    bool v1 = line.size() >= 6 && line[4] == '1' && line.substr(4, 4) != "1.99";
    s.phase = v1 ? Phase::kStopped : Phase::kPackets;
    return;
  }
  // RFC 4253 4.2: the server may send other lines first; the client may not.
  if (dir == Dir::kResp && ++s.pre_banner_lines <= kMaxPreBannerLines) return;
  anomaly(dir == Dir::kOrig ? "client_no_banner" : "server_no_banner");
  s.phase = Phase::kStopped;
}

void SshAnalyzer::packet_done(Side& s, Dir dir) {
  s.hdr_len = 0;
  if (s.cur.msg_type == kMsgNewKeys) {
    s.phase = Phase::kEncrypted;
    return;
  }
  if (!s.collecting) return;
  s.collecting = false;
  // The payload (after the type byte) ends where the padding starts.
  size_t len = s.cur.packet_length - s.cur.padding_length - 2;
  KexInit& k = kex_[static_cast<int>(dir)];
  if (len > s.payload.size() || parse_kexinit(std::string_view(s.payload).substr(0, len), k) != ParseStatus::kComplete) {
    anomaly(dir == Dir::kOrig ? "client_bad_kexinit" : "server_bad_kexinit");
    return;
  }
  KexLists& out = dir == Dir::kOrig ? rec_.client_kex : rec_.server_kex;
  out.seen = true;
  for (size_t i = 0; i < KexInit::kCount; ++i) out.lists[i].assign(k.lists[i]);
  if (dir == Dir::kOrig) rec_.hassh = hassh(k, false, &rec_.hassh_algorithms);
  else rec_.hassh_server = hassh(k, true, &rec_.hassh_server_algorithms);
  if (rec_.client_kex.seen && rec_.server_kex.seen) negotiate_algorithms();
}

void SshAnalyzer::negotiate_algorithms() {
  const auto& c = rec_.client_kex.lists;
  const auto& s = rec_.server_kex.lists;
  auto pick = [&](KexInit::List l) { return std::string(negotiate(c[l], s[l])); };
  rec_.kex_alg = pick(KexInit::kKex);
  rec_.host_key_alg = pick(KexInit::kHostKey);
  rec_.cipher_alg = bidirectional(negotiate(c[KexInit::kEncC2S], s[KexInit::kEncC2S]),
                                  negotiate(c[KexInit::kEncS2C], s[KexInit::kEncS2C]));
  rec_.mac_alg = bidirectional(negotiate(c[KexInit::kMacC2S], s[KexInit::kMacC2S]),
                               negotiate(c[KexInit::kMacS2C], s[KexInit::kMacS2C]));
  rec_.compression_alg = bidirectional(negotiate(c[KexInit::kCompC2S], s[KexInit::kCompC2S]),
                                       negotiate(c[KexInit::kCompS2C], s[KexInit::kCompS2C]));
}

void SshAnalyzer::encrypted(Dir dir, size_t len, const PacketRef& at) {
  if (dir == Dir::kOrig) {
    ++rec_.enc_segments_orig;
    rec_.enc_bytes_orig += len;
    saw_client_enc_ = true;
    return;
  }
  ++rec_.enc_segments_resp;
  rec_.enc_bytes_resp += len;
  if (decided_ || gap_after_keys_ || !saw_client_enc_) return;  // Zeek ignores the server until the client speaks
  if (len < kMinSegment) {
    small_segments_ = true;
    return;
  }
  auto l = static_cast<int64_t>(len);
  if (!service_accept_size_) {
    service_accept_size_ = l;
    return;
  }
  if (!failure_size_ && l + 16 == service_accept_size_) {  // USERAUTH_SUCCESS to the "none" method
    decided_ = success_ = true;
    decided_at_ = at;
    return;
  }
  if (!failure_size_) {
    if (!skipped_banner_ && l - service_accept_size_ > kBannerSlack) {
      skipped_banner_ = true;
      return;
    }
    failure_size_ = l;
    return;
  }
  if (l == failure_size_) {
    ++rec_.auth_attempts;
    last_failure_seen_ = true;
    last_failure_at_ = at;
    return;
  }
  if (l + 16 == service_accept_size_) {
    ++rec_.auth_attempts;
    decided_ = success_ = true;
    decided_at_ = at;
  }
}

void SshAnalyzer::on_gap(Dir dir, uint64_t, const PacketRef&) {
  Side& s = sides_[static_cast<int>(dir)];
  if (s.phase == Phase::kEncrypted) {
    gap_after_keys_ = true;  // sizes of lost data are unknown: no further inference
    anomaly("gap_after_newkeys");
  } else if (s.phase != Phase::kStopped) {
    s.phase = Phase::kStopped;  // no resynchronising inside a binary packet stream
    anomaly(dir == Dir::kOrig ? "client_gap" : "server_gap");
  }
}

void SshAnalyzer::on_end(const PacketRef& at) {
  if (done_) return;
  done_ = true;
  if (rec_.client.empty() && rec_.server.empty()) return;  // never SSH
  rec_.version = protocol_version(rec_.client, rec_.server);
  PacketRef rec_at = at;
  if (saw_client_enc_) {
    AuthOutcome o = AuthOutcome::kUnknown;
    std::string confidence = "low";
    bool compressed = rec_.compression_alg.find("zlib") != std::string::npos;
    if (compressed) {
      anomaly("compression_hides_sizes");
    } else if (success_) {
      o = AuthOutcome::kSuccess;
      confidence = "medium";
      rec_at = decided_at_;
    } else if (last_failure_seen_) {
      o = AuthOutcome::kFailure;
      confidence = "medium";
      rec_at = last_failure_at_;
    }
    if (small_segments_ || gap_after_keys_) confidence = "low";
    rec_.auth_outcome = outcome_name(o);
    rec_.auth_confidence = confidence;
    AuthRecord a;
    a.origin = ctx_.origin(rec_at);
    a.app = "ssh";
    a.method = "inferred";
    a.outcome = o;
    a.confidence = confidence;
    a.reply = fmt::format("{}; server packets after NEWKEYS: service_accept={} failure={} attempts={}",
                          rec_.server, service_accept_size_, failure_size_, rec_.auth_attempts);
    if (ctx_.sink) ctx_.sink->emit(a);
  }
  rec_.origin = ctx_.origin(rec_at);
  if (ctx_.sink) ctx_.sink->emit(rec_);
}

}  // namespace trawl::proto::ssh
