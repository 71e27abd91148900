// SMB2/SMB3 (MS-SMB2): the 64-byte header, compound chains, and the commands a responder needs to read.
// Every offset in a body is relative to the start of its own header and is checked before use.
#include <algorithm>

#include <fmt/format.h>

#include "proto/smb/ntlmssp.h"
#include "proto/smb/smb_connection.h"
#include "proto/smb/smb_names.h"
#include "util/bytes.h"

namespace trawl::proto::smb {

namespace {
constexpr size_t kHeader = 64;
constexpr uint32_t kFlagResponse = 0x1, kFlagAsync = 0x2;
constexpr int kMaxCompound = 32;
constexpr uint32_t kPipeTransceive = 0x0011C017;

enum : uint16_t {
  kNegotiate = 0, kSessionSetup = 1, kLogoff = 2, kTreeConnect = 3, kTreeDisconnect = 4, kCreate = 5,
  kClose = 6, kFlush = 7, kRead = 8, kWrite = 9, kLock = 10, kIoctl = 11, kCancel = 12, kEcho = 13,
  kQueryDirectory = 14, kChangeNotify = 15, kQueryInfo = 16, kSetInfo = 17, kOplockBreak = 18,
};

struct View {
  std::span<const uint8_t> m;  // this message: header + body (up to the next compound member)
  uint16_t u16(size_t off) const { return off + 2 <= m.size() ? load_le16(m.data() + off) : 0; }
  uint32_t u32(size_t off) const { return off + 4 <= m.size() ? load_le32(m.data() + off) : 0; }
  bool has(size_t off, size_t len) const { return off <= m.size() && len <= m.size() - off; }
  // A buffer given by (offset from header, length); empty and `bad` set when it points outside.
  std::span<const uint8_t> buffer(size_t off, size_t len, bool& bad) const {
    if (len == 0) return {};
    if (off < kHeader || off >= m.size()) {
      bad = true;
      return {};
    }
    if (len > m.size() - off) {
      bad = true;  // often just a truncated (skipped) tail: keep what is here
      len = m.size() - off;
    }
    return m.subspan(off, len);
  }
  FileKey file_id(size_t body_off) const {
    FileKey k{};
    if (has(kHeader + body_off, 16)) std::copy_n(m.data() + kHeader + body_off, 16, k.begin());
    return k;
  }
};

std::string utf16(std::span<const uint8_t> s) {
  std::string out;
  append_utf16le(out, s.first(std::min(s.size(), kMaxName * 2)));
  cap_name(out);
  return out;
}

bool all_ff(const FileKey& k) {
  return std::all_of(k.begin(), k.end(), [](uint8_t b) { return b == 0xFF; });
}

// The body offset of the FileId a command carries, or 0 when it has none.
size_t file_id_offset(uint16_t command) {
  switch (command) {
    case kClose: case kFlush: case kLock: case kIoctl: case kQueryDirectory: case kChangeNotify:
    case kOplockBreak:
      return 8;
    case kRead: case kWrite: case kSetInfo:
      return 16;
    case kQueryInfo:
      return 24;
  }
  return 0;
}
}  // namespace

void SmbConnection::smb2(std::span<const uint8_t> msg, bool truncated, const PacketRef& at) {
  std::string compound_name;  // the name a CREATE in this compound opened, for related requests
  size_t off = 0;
  for (int i = 0; i < kMaxCompound; ++i) {
    auto rest = msg.subspan(off);
    if (rest.size() < kHeader || load_le32(rest.data()) != 0x424D53FE) {
      if (i == 0 || !rest.empty()) on_anomaly(truncated ? "truncated" : "malformed", at);
      return;
    }
    uint32_t next = load_le32(rest.data() + 20);
    bool more = next != 0 && next >= kHeader && next < rest.size() && (next % 8) == 0;
    auto m = more ? rest.first(next) : rest;
    if (load_le32(m.data() + 16) & kFlagResponse) smb2_response(m, truncated && !more, at);
    else smb2_request(m, truncated && !more, at, compound_name);
    if (!more) return;
    off += next;
  }
}

void SmbConnection::smb2_request(std::span<const uint8_t> msg, bool truncated, const PacketRef& at,
                                 std::string& compound_name) {
  View v{msg};
  const uint16_t command = v.u16(12);
  const uint32_t flags = v.u32(16);
  const uint64_t mid = load_le64(msg.data() + 24);
  const uint32_t tid = (flags & kFlagAsync) ? 0 : v.u32(36);
  Pending p;
  p.version = 2;
  p.key = mid;
  p.smb2_command = command;
  SmbRecord& rec = p.rec;
  rec.origin = ctx_.origin(at);
  rec.version = smb2_version();
  rec.command = smb2_command_name(command);
  if (rec.command.empty()) rec.command = "UNKNOWN";
  rec.message_id = mid;
  rec.tree = std::string(tree_path(tid));
  bool bad = false;
  const size_t B = kHeader;  // body offset

  if (size_t fo = file_id_offset(command); fo && v.has(B + fo, 16)) {
    p.file = v.file_id(fo);
    p.has_file = true;
    if (all_ff(p.file)) {
      // A related compound request working on the file the compound's CREATE opened.
      rec.name = compound_name;
      rec.pipe = pipe_name(rec.name, rec.tree, false);
    } else {
      describe_file(rec, p.file);
    }
  }
  switch (command) {
    case kNegotiate: {
      size_t count = v.u16(B + 2);
      for (size_t i = 0; i < count && i < 64; ++i) {
        if (!v.has(B + 36 + 2 * i, 2)) {
          bad = true;
          break;
        }
        uint16_t d = v.u16(B + 36 + 2 * i);
        std::string_view name = smb2_dialect_name(d);
        rec.dialects.push_back(name.empty() ? fmt::format("0x{:04x}", d) : std::string(name));
      }
      break;
    }
    case kSessionSetup: {
      auto blob = v.buffer(v.u16(B + 12), v.u16(B + 14), bad);
      if (!read_security_blob(blob, p)) bad = true;
      break;
    }
    case kTreeConnect: {
      size_t path_off = v.u16(B + 4), path_len = v.u16(B + 6);
      // SMB 3.1.1 extension: the offset points at a 16-byte extension header before the path.
      if (v.u16(B + 2) & 0x0004) path_off += 16;
      rec.tree = utf16(v.buffer(path_off, path_len, bad));
      break;
    }
    case kCreate: {
      rec.name = utf16(v.buffer(v.u16(B + 44), v.u16(B + 46), bad));
      rec.pipe = pipe_name(rec.name, rec.tree, false);
      compound_name = rec.name;
      break;
    }
    case kRead:
      break;
    case kWrite: {
      uint32_t len = v.u32(B + 4);
      rec.bytes = len;
      auto data = v.buffer(v.u16(B + 2), len, bad);
      if (bad && truncated) bad = false;  // the data ran into the skipped tail
      if (!rec.pipe.empty() && p.has_file) rpc_payload(rec, p.file, data);
      break;
    }
    case kIoctl: {
      uint32_t code = v.u32(B + 4);
      std::string_view name = fsctl_name(code);
      rec.subcommand = name.empty() ? fmt::format("0x{:08x}", code) : std::string(name);
      if (code == kPipeTransceive && p.has_file) {
        uint32_t count = v.u32(B + 28);
        rec.bytes = count;
        auto data = v.buffer(v.u32(B + 24), count, bad);
        std::string fsctl = std::move(rec.subcommand);
        rpc_payload(rec, p.file, data);
        if (rec.subcommand.empty()) rec.subcommand = std::move(fsctl);
      }
      break;
    }
    case kQueryInfo:
    case kSetInfo:
      rec.subcommand = fmt::format("info_type={} class={}", msg.size() > B + 2 ? msg[B + 2] : 0,
                                   msg.size() > B + 3 ? msg[B + 3] : 0);
      break;
    default:
      break;
  }
  if (bad) rec.note(truncated ? "truncated" : "malformed");
  if (command == kCancel) {  // no response of its own: it shares the cancelled request's id
    ctx_.sink->emit(rec);
    return;
  }
  add_pending(std::move(p), at);
}

void SmbConnection::smb2_response(std::span<const uint8_t> msg, bool truncated, const PacketRef& at) {
  View v{msg};
  const uint32_t status = v.u32(8);
  const uint16_t command = v.u16(12);
  const uint32_t flags = v.u32(16);
  const uint64_t mid = load_le64(msg.data() + 24);
  const uint32_t tid = (flags & kFlagAsync) ? 0 : v.u32(36);
  const size_t B = kHeader;
  Pending* p = find_pending(2, mid);
  if (status == kStatusPending && (flags & kFlagAsync)) {
    if (p) p->rec.note("pending");  // the final answer follows with the same message id
    return;
  }
  if (!p && command == kNegotiate) {
    // An SMB2 answer to an SMB1 negotiate that offered "SMB 2.002" / "SMB 2.???".
    for (auto& q : pending_)
      if (q.version == 1 && q.smb1_command == 0x72) {
        p = &q;
        break;
      }
  }
  Pending local;
  const bool paired = p && (p->version == 2 ? p->smb2_command == command : command == kNegotiate);
  if (!paired) {
    p = &local;
    p->version = 2;
    p->smb2_command = command;
    p->rec.version = smb2_version();
    p->rec.command = smb2_command_name(command);
    if (p->rec.command.empty()) p->rec.command = "UNKNOWN";
    p->rec.message_id = mid;
    p->rec.note("no-request");  // mid-stream pickup, or a server notification (SMB2 oplock break)
    p->rec.tree = std::string(tree_path(tid));
    if (size_t fo = file_id_offset(command); fo && v.has(B + fo, 16)) {
      p->file = v.file_id(fo);
      p->has_file = true;
      describe_file(p->rec, p->file);
    }
  }
  SmbRecord& rec = p->rec;
  const bool ok = (status >> 30) != 3;
  bool bad = false;
  switch (command) {
    case kNegotiate:
      if (v.has(B + 4, 2)) {
        uint16_t d = v.u16(B + 4);
        std::string_view name = smb2_dialect_name(d);
        rec.dialect = name.empty() ? fmt::format("0x{:04x}", d) : std::string(name);
        if (ok && d >= 0x0300 && d != 0x02FF) smb3_ = true;
        if (rec.version != 1) rec.version = smb2_version();
      }
      break;
    case kSessionSetup:
      if (ok) {
        uint16_t sf = v.u16(B + 2);
        if (sf & 0x0001) rec.note("guest");
        if (sf & 0x0002) rec.note("null-session");
      }
      break;
    case kTreeConnect:
      if (ok && !rec.tree.empty()) remember_tree(tid, rec.tree);
      break;
    case kTreeDisconnect:
      if (ok) trees_.erase(tid);
      break;
    case kCreate:
      if (ok && v.has(B + 64, 16)) {
        FileKey key = v.file_id(64);
        remember_file(key, rec.name, rec.tree);
      }
      break;
    case kClose:
      if (ok && p->has_file) forget_file(p->file);
      break;
    case kRead:
      if (ok && v.has(B + 4, 4)) rec.bytes = v.u32(B + 4);
      break;
    case kWrite:
      if (ok && v.has(B + 4, 4)) rec.bytes = v.u32(B + 4);
      break;
    default:
      break;
  }
  if (bad && !truncated) rec.note("malformed");
  if (paired) {
    complete(*p, status, false, at);
    erase_pending(p);
  } else {
    complete(local, status, false, at);
  }
}

}  // namespace trawl::proto::smb
