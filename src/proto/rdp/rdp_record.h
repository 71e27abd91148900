// RdpRecord: one RDP connection's negotiation (rdp.jsonl): the mstshash cookie, requested and selected
// security protocols, and for standard RDP security the client's core data and the server's encryption.
// Field names follow Zeek's rdp.log where Zeek has the same field. No AuthRecord: the cookie is only a
// hint of the user name, and the login itself is encrypted; brute force shows in connection patterns.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "proto/record.h"

namespace trawl::proto::rdp {

struct RdpRecord final : Record {
  RecordOrigin origin;  // the packet that settled the negotiation (or the last one seen)
  std::string cookie;   // the mstshash user (or the raw routing token when it is no mstshash cookie)
  bool has_neg_req = false;
  uint32_t requested_protocols = 0;
  bool has_selected = false;
  uint32_t selected_protocol = 0;
  bool has_failure = false;
  uint32_t failure_code = 0;
  bool tls = false;  // the rest of the connection is TLS (TLS, CredSSP, RDSTLS selected)
  // Standard RDP security only (the Connect Initial/Response are encrypted otherwise).
  bool has_client_core = false;
  uint16_t desktop_width = 0, desktop_height = 0;
  uint32_t keyboard_layout = 0, client_build = 0;
  std::string client_name;
  bool has_server_security = false;
  uint32_t encryption_method = 0, encryption_level = 0;
  std::vector<std::string> anomalies;

  static const RecordType kType;
  const RecordType& type() const override { return kType; }
  void write(output::TableWriter& w, const WriteOptions& options) const override;
};

}  // namespace trawl::proto::rdp
