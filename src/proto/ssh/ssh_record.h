// SshRecord: one SSH connection (ssh.jsonl): banners, both KEXINITs with their HASSH fingerprints, the
// negotiated algorithms, and the authentication outcome inferred from encrypted packet sizes. Field
// names follow Zeek's ssh.log where Zeek has the same field.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "proto/record.h"
#include "proto/ssh/ssh_parse.h"

namespace trawl::proto::ssh {

// One side's KEXINIT name-lists, kept as comma-separated text.
struct KexLists {
  bool seen = false;
  std::array<std::string, KexInit::kCount> lists;
};

struct SshRecord final : Record {
  RecordOrigin origin;     // the packet that settled the outcome, or the connection's last one
  uint32_t version = 0;    // 2, 1, or 0 when the banners disagree (Zeek's rule); 0 also when unknown
  std::string client, server;  // identification lines without CR LF
  std::string hassh, hassh_algorithms, hassh_server, hassh_server_algorithms;
  std::string kex_alg, host_key_alg, cipher_alg, mac_alg, compression_alg;  // negotiated
  KexLists client_kex, server_kex;
  std::string auth_outcome;  // "success", "failure", "unknown"; empty when authentication was never reached
  std::string auth_confidence;
  uint32_t auth_attempts = 0;  // failure-sized server packets after the first (Zeek's auth_attempts)
  uint64_t enc_segments_orig = 0, enc_segments_resp = 0;  // encrypted data deliveries each way
  uint64_t enc_bytes_orig = 0, enc_bytes_resp = 0;
  std::vector<std::string> anomalies;

  static const RecordType kType;
  const RecordType& type() const override { return kType; }
  void write(output::TableWriter& w, const WriteOptions& options) const override;
};

}  // namespace trawl::proto::ssh
