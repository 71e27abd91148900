// SmbRecord (smb.jsonl): one row per SMB command paired with its response (or alone, when the other half
// was not seen), plus one row when a connection turns to encrypted SMB3 and rows for framing anomalies.
//
// Columns after the common ones (null when they do not apply):
//   version      1 (SMB1), 2 (SMB 2.x) or 3 (a 3.x dialect was negotiated on the connection)
//   command      SMB1 SMB_COM_* / SMB2 command name without prefix ("NEGOTIATE", "NT_CREATE_ANDX", "IOCTL")
//   status       the response's NT status as hex ("0xc000006d"); null when no response was seen
//   status_name  "STATUS_LOGON_FAILURE", ...; for SMB1 DOS-style errors "DOS:<class>/<code>"
//   message_id   SMB1 multiplex id / SMB2 message id
//   tree         the share path ("\\server\IPC$") the command ran in, or the path a tree connect asked for
//   name         file or pipe name (create/open, and every command on that file afterwards)
//   pipe         the named pipe, without "\PIPE\" or a leading "\" ("srvsvc"), when the file is one
//   dialects     negotiate: the dialects offered, raw strings for SMB1 (JSON array)
//   dialect      negotiate: the dialect chosen
//   pid_high     SMB1: the header's Process ID High (non-zero in the CVE-2009-3103 probe)
//   user, domain, workstation   session setup: from NTLMSSP AUTHENTICATE or SMB1 plain session setup
//   auth         session setup: "NTLMv2", "NTLMv1", "NTLMSSP", "anonymous", "Kerberos", "cleartext", "LM"
//   subcommand   TRANS2 subcommand, TRANSACTION pipe function, NT_TRANSACT function, IOCTL FSCTL code
//   fid          SMB1 file id the command used
//   rpc_uuid, rpc_interface           DCE/RPC bind / alter context: interface UUID and its well-known name
//   rpc_opnum, rpc_operation          DCE/RPC request: opnum and its name (on a pipe whose bind was seen)
//   rpc_arg      srvsvc NetPathCanonicalize / NetPathCompare: the path argument (MS08-067 probe)
//   bytes        read/write: data bytes requested (write) or returned (read)
//   notes        JSON array of tokens: "cve-2009-3103" (negotiate with pid_high and "SMB 2.002"),
//                "ms17-010-check" (PeekNamedPipe on FID 0), "ms17-010-vulnerable" (answered with
//                STATUS_INSUFF_SERVER_RESOURCES), "doublepulsar-check" (TRANS2_SESSION_SETUP),
//                "doublepulsar-present" (its answer carries multiplex id 0x51), "ms08-067-path" (a
//                path argument climbing with "\..\"), "guest", "null-session", "encrypted",
//                "compressed", "pending" (an async interim answer was skipped), "truncated" (the
//                message was longer than what was parsed), "malformed" (a length or offset pointed
//                outside the message), "resync" (bytes skipped to find the next message), "gap" (capture loss inside a message),
//                "no-response", "no-request" (an answer whose request was not seen, or an SMB2
//                oplock break notification), "chain-aborted" (an AndX follower whose chain failed before it: it
//                carries the failing status), "no-extended-security" (SMB1 session setup without
//                NTLMSSP: passwords or LM/NT responses in the clear)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proto/record.h"

namespace trawl::proto::smb {

struct SmbRecord final : Record {
  RecordOrigin origin;
  uint8_t version = 0;  // 0: not an SMB message (framing anomaly)
  std::string_view command;
  std::optional<uint32_t> status;
  std::string status_name;
  std::optional<uint64_t> message_id;
  std::string tree, name, pipe;
  std::vector<std::string> dialects;
  std::string dialect;
  std::optional<uint16_t> pid_high;
  std::string user, domain, workstation;
  std::string_view auth;
  std::string subcommand;
  std::optional<uint16_t> fid;
  std::string rpc_uuid;
  std::string_view rpc_interface;
  std::optional<uint16_t> rpc_opnum;
  std::string_view rpc_operation;
  std::string rpc_arg;
  std::optional<uint64_t> bytes;
  std::vector<std::string_view> notes;

  void note(std::string_view token);  // adds once
  bool has_note(std::string_view token) const;

  static const RecordType kType;
  const RecordType& type() const override { return kType; }
  void write(output::TableWriter& w, const WriteOptions& options) const override;
};

}  // namespace trawl::proto::smb
