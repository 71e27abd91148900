// SMB1 and SMB2/3 over TCP 445 (4-byte length prefix) and the NetBIOS session service on 139.
// Records: smb.jsonl (SmbRecord, see smb_record.h) and auth.jsonl (one AuthRecord per session setup that
// carried credentials: NTLMSSP AUTHENTICATE, SMB1 plain or LM/NT passwords, Kerberos).
#pragma once

#include <cstdint>
#include <span>

#include "proto/registry.h"

namespace trawl::proto {

extern const AnalyzerInfo kSmbAnalyzer;  // "smb", TCP 445 and 139

namespace smb {
// The content probe of kSmbAnalyzer (exposed for tests).
Match probe(std::span<const uint8_t> first_bytes, Dir dir);
}  // namespace smb

}  // namespace trawl::proto
