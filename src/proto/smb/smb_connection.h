// One SMB connection's state: requests waiting for their response, the trees and files opened on it,
// and the DCE/RPC interface bound on each pipe. Fed whole SMB messages by the framer (smb_analyzer.cpp);
// smb1.cpp and smb2.cpp parse the two dialect families.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <span>
#include <string>
#include <string_view>

#include "proto/auth/auth_record.h"
#include "proto/registry.h"
#include "proto/smb/dcerpc.h"
#include "proto/smb/smb_record.h"

namespace trawl::proto::smb {

inline constexpr size_t kMaxPending = 512;  // requests waiting for a response
inline constexpr size_t kMaxTrees = 1024;
inline constexpr size_t kMaxFiles = 4096;
inline constexpr size_t kMaxAnomalyRecords = 16;  // framing anomaly rows per connection
inline constexpr size_t kMaxName = 1024;          // bytes kept of a path or file name

using FileKey = std::array<uint8_t, 16>;  // SMB2 FileId; SMB1 FID in the first two bytes (tagged)

struct FileInfo {
  std::string name, pipe;
  const RpcInterface* iface = nullptr;  // bound on this pipe
  std::string iface_uuid;
};

class SmbConnection {
 public:
  explicit SmbConnection(const AnalyzerContext& ctx) : ctx_(ctx) {}

  // One whole SMB message (or its first `msg.size()` bytes when `truncated`), starting at its magic.
  void on_message(std::span<const uint8_t> msg, bool truncated, const PacketRef& at);
  // A framing problem: bytes were skipped to find the next message.
  void on_anomaly(std::string_view note, const PacketRef& at);
  // End of connection: requests never answered are written out.
  void finish(const PacketRef& at);

 private:
  struct Pending {
    uint8_t version = 0;
    uint64_t key = 0;
    SmbRecord rec;
    // Session setup: a login attempt to put in the ledger when the response comes.
    bool auth_attempt = false;
    std::string password;  // SMB1 cleartext password
    bool password_seen = false;
    // Where the answer should leave what it learns.
    uint8_t smb1_command = 0;
    uint16_t smb2_command = 0;
    FileKey file{};        // the file the request used (to bind an interface on a pipe)
    bool has_file = false;
  };

  // smb1.cpp
  void smb1(std::span<const uint8_t> msg, bool truncated, const PacketRef& at);
  void smb1_request(std::span<const uint8_t> msg, bool truncated, const PacketRef& at);
  void smb1_response(std::span<const uint8_t> msg, bool truncated, const PacketRef& at);
  // smb2.cpp
  void smb2(std::span<const uint8_t> msg, bool truncated, const PacketRef& at);
  void smb2_request(std::span<const uint8_t> m, bool truncated, const PacketRef& at, std::string& compound_name);
  void smb2_response(std::span<const uint8_t> m, bool truncated, const PacketRef& at);

  // Shared.
  // A session setup's security blob: the account of an NTLMSSP AUTHENTICATE, or Kerberos, into p.rec.
  // False when the NTLMSSP message in it is malformed.
  static bool read_security_blob(std::span<const uint8_t> blob, Pending& p);
  void add_pending(Pending&& p, const PacketRef& at);
  Pending* find_pending(uint8_t version, uint64_t key);
  void complete(Pending& p, uint32_t status, bool dos_error, const PacketRef& at);
  void emit_unanswered(Pending& p, const PacketRef& at);
  void emit_auth(const Pending& p, AuthOutcome outcome, std::string_view reply, const PacketRef& at);
  void erase_pending(Pending* p);
  void set_status(SmbRecord& rec, uint32_t status, bool dos_error);

  void remember_tree(uint32_t tid, std::string path);
  std::string_view tree_path(uint32_t tid) const;
  FileInfo& remember_file(const FileKey& key, std::string name, std::string_view tree);
  FileInfo* file(const FileKey& key);
  void forget_file(const FileKey& key) { files_.erase(key); }
  // Fills the record's name/pipe from a known file.
  void describe_file(SmbRecord& rec, const FileKey& key);
  // A pipe write / transceive: DCE/RPC bind or request in `data`.
  void rpc_payload(SmbRecord& rec, const FileKey& key, std::span<const uint8_t> data);

  uint8_t smb2_version() const { return smb3_ ? 3 : 2; }

  AnalyzerContext ctx_;
  std::deque<Pending> pending_;
  std::map<uint32_t, std::string> trees_;
  std::map<FileKey, FileInfo> files_;
  bool smb3_ = false;            // a 3.x dialect was negotiated
  bool encrypt_passwords_ = true;  // SMB1 negotiate response's SecurityMode
  bool encrypted_noted_ = false, compressed_noted_ = false;
  size_t anomaly_records_ = 0;
};

// Helpers shared by smb1.cpp and smb2.cpp.
FileKey smb1_file_key(uint16_t fid);
std::string pipe_name(std::string_view name, std::string_view tree, bool force);
bool is_ipc_tree(std::string_view tree);
void cap_name(std::string& s);

}  // namespace trawl::proto::smb
