#include "proto/smb/smb_connection.h"

#include <algorithm>

#include <fmt/format.h>

#include "proto/smb/ntlmssp.h"
#include "proto/smb/smb_names.h"

namespace trawl::proto::smb {

namespace {
bool iequals_prefix(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if ((s[i] | 0x20) != (prefix[i] | 0x20)) return false;
  return true;
}
}  // namespace

FileKey smb1_file_key(uint16_t fid) {
  FileKey k{};
  k[0] = uint8_t(fid);
  k[1] = uint8_t(fid >> 8);
  k[15] = 0x01;  // SMB1 keys cannot collide with an SMB2 FileId of the same connection in practice
  return k;
}

bool is_ipc_tree(std::string_view tree) {
  return tree.size() >= 4 && iequals_prefix(tree.substr(tree.size() - 4), "IPC$");
}

// "\PIPE\srvsvc", "\srvsvc" or "srvsvc" on IPC$ -> "srvsvc". `force`: the name is a pipe whatever the tree.
std::string pipe_name(std::string_view name, std::string_view tree, bool force) {
  if (!force && !is_ipc_tree(tree)) return {};
  while (!name.empty() && (name.front() == '\\' || name.front() == '/')) name.remove_prefix(1);
  if (iequals_prefix(name, "PIPE\\")) name.remove_prefix(5);
  while (!name.empty() && name.back() == '\0') name.remove_suffix(1);
  return std::string(name);
}

void cap_name(std::string& s) {
  if (s.size() > kMaxName) s.resize(kMaxName);
  while (!s.empty() && s.back() == '\0') s.pop_back();
}

bool SmbConnection::read_security_blob(std::span<const uint8_t> blob, Pending& p) {
  SmbRecord& rec = p.rec;
  NtlmMessage m = find_ntlmssp(blob);
  if (m.type == NtlmType::kAuthenticate && !m.malformed) {
    rec.user = std::move(m.user);
    rec.domain = std::move(m.domain);
    rec.workstation = std::move(m.workstation);
    cap_name(rec.user), cap_name(rec.domain), cap_name(rec.workstation);
    rec.auth = m.method();
    if (m.anonymous()) rec.note("null-session");
    p.auth_attempt = true;
  } else if (m.type == NtlmType::kNone && blob_mentions_kerberos(blob)) {
    rec.auth = "Kerberos";
    p.auth_attempt = true;
  } else if (m.type != NtlmType::kNone) {
    rec.auth = "NTLMSSP";
  }
  return !m.malformed;
}

void SmbConnection::on_message(std::span<const uint8_t> msg, bool truncated, const PacketRef& at) {
  if (msg.size() < 4) return;
  switch (msg[0]) {
    case 0xFF:
      smb1(msg, truncated, at);
      break;
    case 0xFE:
      smb2(msg, truncated, at);
      break;
    case 0xFD:
    case 0xFC: {
      // Encrypted (transform header) or compressed SMB 3.x: nothing readable; say so once per connection.
      bool encrypted = msg[0] == 0xFD;
      bool& noted = encrypted ? encrypted_noted_ : compressed_noted_;
      if (noted) return;
      noted = true;
      SmbRecord rec;
      rec.origin = ctx_.origin(at);
      rec.version = 3;
      rec.command = encrypted ? "TRANSFORM" : "COMPRESSION_TRANSFORM";
      rec.note(encrypted ? "encrypted" : "compressed");
      ctx_.sink->emit(rec);
      break;
    }
    default:
      break;
  }
}

void SmbConnection::on_anomaly(std::string_view note, const PacketRef& at) {
  if (anomaly_records_ >= kMaxAnomalyRecords) return;
  ++anomaly_records_;
  SmbRecord rec;
  rec.origin = ctx_.origin(at);
  rec.note(note);
  ctx_.sink->emit(rec);
}

void SmbConnection::add_pending(Pending&& p, const PacketRef& at) {
  // A second request with the same id replaces the first (which then never gets its answer).
  if (Pending* old = find_pending(p.version, p.key)) {
    emit_unanswered(*old, at);
    erase_pending(old);
  }
  if (pending_.size() >= kMaxPending) {
    emit_unanswered(pending_.front(), at);
    pending_.pop_front();
  }
  pending_.push_back(std::move(p));
}

SmbConnection::Pending* SmbConnection::find_pending(uint8_t version, uint64_t key) {
  for (auto& p : pending_)
    if (p.version == version && p.key == key) return &p;
  return nullptr;
}

void SmbConnection::erase_pending(Pending* p) {
  // A deque is not contiguous: find the element by address.
  for (auto it = pending_.begin(); it != pending_.end(); ++it)
    if (&*it == p) {
      pending_.erase(it);
      return;
    }
}

void SmbConnection::set_status(SmbRecord& rec, uint32_t status, bool dos_error) {
  rec.status = status;
  if (dos_error) {
    // SMB1 without NT status codes: ErrorClass (byte 0), reserved, ErrorCode (bytes 2-3).
    if (status != 0) rec.status_name = fmt::format("DOS:{}/{}", status & 0xFF, status >> 16);
    else rec.status_name = "STATUS_SUCCESS";
    return;
  }
  rec.status_name = std::string(nt_status_name(status));
}

void SmbConnection::emit_auth(const Pending& p, AuthOutcome outcome, std::string_view reply, const PacketRef& at) {
  AuthRecord a;
  a.origin = ctx_.origin(at);
  a.app = "smb";
  // DOMAIN\user as Windows writes it (the domain is part of who is guessed); empty for null sessions.
  a.user = p.rec.domain.empty() || p.rec.user.empty() ? p.rec.user : p.rec.domain + "\\" + p.rec.user;
  a.password = p.password;
  a.password_seen = p.password_seen;
  a.method = std::string(p.rec.auth);
  a.outcome = outcome;
  a.reply = std::string(reply);
  ctx_.sink->emit(a);
}

void SmbConnection::complete(Pending& p, uint32_t status, bool dos_error, const PacketRef& at) {
  SmbRecord& rec = p.rec;
  rec.origin = ctx_.origin(at);
  set_status(rec, status, dos_error);
  if (rec.has_note("ms17-010-check") && status == kStatusInsuffServerResources) rec.note("ms17-010-vulnerable");
  ctx_.sink->emit(rec);
  if (p.auth_attempt) {
    AuthOutcome outcome = AuthOutcome::kUnknown;
    if (status == kStatusSuccess) outcome = AuthOutcome::kSuccess;
    else if (dos_error ? status != 0 : is_auth_failure(status)) outcome = AuthOutcome::kFailure;
    std::string reply = rec.status_name.empty() ? fmt::format("0x{:08x}", status) : rec.status_name;
    emit_auth(p, outcome, reply, at);
  }
}

void SmbConnection::emit_unanswered(Pending& p, const PacketRef& at) {
  // The record keeps the request's packet: nothing later belongs to it.
  p.rec.note("no-response");
  ctx_.sink->emit(p.rec);
  if (p.auth_attempt) emit_auth(p, AuthOutcome::kUnknown, "", at);
}

void SmbConnection::finish(const PacketRef& at) {
  for (auto& p : pending_) emit_unanswered(p, at);
  pending_.clear();
}

void SmbConnection::remember_tree(uint32_t tid, std::string path) {
  if (trees_.size() >= kMaxTrees && !trees_.count(tid)) trees_.erase(trees_.begin());
  trees_[tid] = std::move(path);
}

std::string_view SmbConnection::tree_path(uint32_t tid) const {
  auto it = trees_.find(tid);
  return it == trees_.end() ? std::string_view() : std::string_view(it->second);
}

FileInfo& SmbConnection::remember_file(const FileKey& key, std::string name, std::string_view tree) {
  if (files_.size() >= kMaxFiles && !files_.count(key)) files_.erase(files_.begin());
  FileInfo& f = files_[key];
  f.pipe = pipe_name(name, tree, false);
  f.name = std::move(name);
  f.iface = nullptr;
  f.iface_uuid.clear();
  return f;
}

FileInfo* SmbConnection::file(const FileKey& key) {
  auto it = files_.find(key);
  return it == files_.end() ? nullptr : &it->second;
}

void SmbConnection::describe_file(SmbRecord& rec, const FileKey& key) {
  if (const FileInfo* f = file(key)) {
    if (rec.name.empty()) rec.name = f->name;
    if (rec.pipe.empty()) rec.pipe = f->pipe;
  }
}

void SmbConnection::rpc_payload(SmbRecord& rec, const FileKey& key, std::span<const uint8_t> data) {
  FileInfo* f = file(key);
  const RpcInterface* iface = f ? f->iface : nullptr;
  RpcPdu pdu = parse_rpc_pdu(data, iface);
  if (!pdu.valid) return;
  switch (pdu.ptype) {
    case RpcPtype::kBind:
    case RpcPtype::kAlterContext: {
      if (pdu.uuid.empty()) return;
      rec.subcommand = pdu.ptype == RpcPtype::kBind ? "dcerpc_bind" : "dcerpc_alter_context";
      const RpcInterface* bound = find_rpc_interface(pdu.uuid);
      if (bound) rec.rpc_interface = bound->name;
      if (f) {
        f->iface = bound;
        f->iface_uuid = pdu.uuid;
      }
      rec.rpc_uuid = std::move(pdu.uuid);
      break;
    }
    case RpcPtype::kRequest:
      if (!pdu.has_opnum) return;
      rec.subcommand = "dcerpc_request";
      rec.rpc_opnum = pdu.opnum;
      if (iface) {
        rec.rpc_interface = iface->name;
        rec.rpc_operation = rpc_operation_name(iface, pdu.opnum);
      }
      if (f) rec.rpc_uuid = f->iface_uuid;
      if (!pdu.arg.empty() || pdu.arg_truncated) {
        rec.rpc_arg = std::move(pdu.arg);
        if (pdu.arg_truncated) rec.note("truncated");
        if (rec.rpc_arg.find("\\..\\") != std::string::npos) rec.note("ms08-067-path");
      }
      break;
    default:
      break;
  }
}

}  // namespace trawl::proto::smb
