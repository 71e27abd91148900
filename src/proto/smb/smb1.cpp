// SMB1 (MS-CIFS, MS-SMB): header, AndX chains, and the commands a responder needs to read.
#include <algorithm>

#include <fmt/format.h>

#include "proto/smb/ntlmssp.h"
#include "proto/smb/smb_connection.h"
#include "proto/smb/smb_names.h"
#include "util/bytes.h"

namespace trawl::proto::smb {

namespace {
constexpr size_t kHeader = 32;
constexpr uint16_t kFlags2Unicode = 0x8000;
constexpr uint16_t kFlags2NtStatus = 0x4000;
constexpr uint8_t kFlagsReply = 0x80;
constexpr int kMaxChain = 8;

// One command block of a message: its parameter words and data bytes, with the offset of the bytes from
// the header start (Unicode strings are aligned relative to it).
struct Block {
  uint8_t command = 0;
  std::span<const uint8_t> words;
  std::span<const uint8_t> bytes;
  size_t bytes_offset = 0;
  bool malformed = false;  // WordCount/ByteCount ran past the message
};

Block block_at(std::span<const uint8_t> msg, size_t off, uint8_t command) {
  Block b;
  b.command = command;
  if (off >= msg.size()) {
    b.malformed = true;
    return b;
  }
  size_t wc = msg[off];
  size_t words_end = off + 1 + wc * 2;
  if (words_end > msg.size()) {
    b.words = msg.subspan(off + 1);
    b.malformed = true;
    return b;
  }
  b.words = msg.subspan(off + 1, wc * 2);
  if (words_end + 2 > msg.size()) {
    b.bytes_offset = msg.size();
    b.malformed = true;
    return b;
  }
  size_t bc = load_le16(msg.data() + words_end);
  b.bytes_offset = words_end + 2;
  size_t have = msg.size() - b.bytes_offset;
  if (bc > have) b.malformed = true;  // usually a truncated (skipped) tail: keep what is here
  b.bytes = msg.subspan(b.bytes_offset, std::min(bc, have));
  return b;
}

bool is_andx(uint8_t c) {
  switch (c) {
    case 0x24: case 0x2D: case 0x2E: case 0x2F: case 0x73: case 0x74: case 0x75: case 0xA2:
      return true;
  }
  return false;
}

// The blocks of an AndX chain (the first command from the header). Offsets must move forward.
int walk_chain(std::span<const uint8_t> msg, Block (&out)[kMaxChain]) {
  int n = 0;
  uint8_t cmd = msg[4];
  size_t off = kHeader;
  while (n < kMaxChain) {
    out[n] = block_at(msg, off, cmd);
    const Block& b = out[n++];
    if (!is_andx(cmd) || b.words.size() < 4) break;
    uint8_t next = b.words[0];
    size_t next_off = load_le16(b.words.data() + 2);
    if (next == 0xFF || next_off <= off || next_off >= msg.size()) break;
    cmd = next;
    off = next_off;
  }
  return n;
}

uint16_t word(const Block& b, size_t byte_off) {
  return byte_off + 2 <= b.words.size() ? load_le16(b.words.data() + byte_off) : 0;
}

// A null-terminated SMB string at msg[off] (Unicode ones aligned to an even offset from the header),
// read at most up to `end` and kMaxName bytes of output. Returns the offset after it.
size_t read_string(std::span<const uint8_t> msg, size_t off, size_t end, bool unicode, std::string& out) {
  end = std::min(end, msg.size());
  if (unicode && (off & 1)) ++off;
  if (off >= end) return end;
  size_t i = off;
  if (unicode) {
    while (i + 1 < end && (msg[i] | msg[i + 1])) i += 2;
    append_utf16le(out, msg.subspan(off, std::min(i - off, kMaxName * 2)));
    i = std::min(i + 2, end);
  } else {
    while (i < end && msg[i]) ++i;
    append_oem(out, msg.subspan(off, std::min(i - off, kMaxName)));
    i = std::min(i + 1, end);
  }
  cap_name(out);
  return i;
}

// Commands whose data is a buffer-format 0x04 file name (SMB_COM_OPEN, DELETE, QUERY_INFORMATION, ...).
bool has_ascii_path(uint8_t c) {
  switch (c) {
    case 0x00: case 0x01: case 0x02: case 0x03: case 0x06: case 0x07: case 0x08: case 0x09: case 0x0E:
    case 0x0F: case 0x10:
      return true;
  }
  return false;
}

uint64_t pending_key(std::span<const uint8_t> msg, int chain_index) {
  uint64_t pid = load_le16(msg.data() + 26), mid = load_le16(msg.data() + 30);
  return uint64_t(chain_index) << 32 | pid << 16 | mid;
}
}  // namespace

void SmbConnection::smb1(std::span<const uint8_t> msg, bool truncated, const PacketRef& at) {
  if (msg.size() < kHeader + 1) {
    on_anomaly("malformed", at);
    return;
  }
  if (msg[9] & kFlagsReply) smb1_response(msg, truncated, at);
  else smb1_request(msg, truncated, at);
}

void SmbConnection::smb1_request(std::span<const uint8_t> msg, bool truncated, const PacketRef& at) {
  const uint16_t flags2 = load_le16(msg.data() + 10);
  const bool unicode = flags2 & kFlags2Unicode;
  const uint16_t tid = load_le16(msg.data() + 24);
  Block blocks[kMaxChain];
  int n = walk_chain(msg, blocks);
  for (int i = 0; i < n; ++i) {
    const Block& b = blocks[i];
    Pending p;
    p.version = 1;
    p.key = pending_key(msg, i);
    p.smb1_command = b.command;
    SmbRecord& rec = p.rec;
    rec.origin = ctx_.origin(at);
    rec.version = 1;
    rec.command = smb1_command_name(b.command);
    if (rec.command.empty()) rec.command = "UNKNOWN";
    rec.message_id = load_le16(msg.data() + 30);
    rec.pid_high = load_le16(msg.data() + 12);
    rec.tree = std::string(tree_path(tid));
    if (b.malformed) rec.note(truncated ? "truncated" : "malformed");

    switch (b.command) {
      case 0x72: {  // NEGOTIATE: 0x02 + dialect string, repeated
        size_t i2 = 0;
        while (i2 < b.bytes.size() && rec.dialects.size() < 64) {
          if (b.bytes[i2] != 0x02) {
            rec.note("malformed");
            break;
          }
          size_t s = ++i2;
          while (i2 < b.bytes.size() && b.bytes[i2]) ++i2;
          rec.dialects.emplace_back(reinterpret_cast<const char*>(b.bytes.data() + s), std::min<size_t>(i2 - s, 256));
          ++i2;
        }
        bool smb2002 = std::find(rec.dialects.begin(), rec.dialects.end(), "SMB 2.002") != rec.dialects.end();
        if (*rec.pid_high != 0 && smb2002) rec.note("cve-2009-3103");
        break;
      }
      case 0x73: {  // SESSION_SETUP_ANDX
        const size_t wc = b.words.size() / 2;
        if (wc == 12) {  // extended security: a security blob
          size_t blob_len = word(b, 14);
          auto blob = b.bytes.subspan(0, std::min(blob_len, b.bytes.size()));
          if (!read_security_blob(blob, p)) rec.note("malformed");
        } else if (wc == 13 || wc == 10) {
          // Plain session setup: passwords (cleartext, LM or NT responses), then account and domain.
          rec.note("no-extended-security");
          size_t oem_len = word(b, 14), uni_len = wc == 13 ? word(b, 16) : 0;
          size_t pos = b.bytes_offset + std::min(oem_len + uni_len, b.bytes.size());
          size_t end = b.bytes_offset + b.bytes.size();
          pos = read_string(msg, pos, end, unicode, rec.user);
          read_string(msg, pos, end, unicode, rec.domain);
          size_t resp_len = std::max(oem_len, uni_len);
          if (rec.user.empty() && resp_len <= 1) {
            rec.auth = "anonymous";
            rec.note("null-session");
          } else if (!encrypt_passwords_) {
            rec.auth = "cleartext";
            auto pw = b.bytes.subspan(0, std::min(oem_len, b.bytes.size()));
            while (!pw.empty() && pw.back() == 0) pw = pw.first(pw.size() - 1);
            p.password.assign(reinterpret_cast<const char*>(pw.data()), std::min<size_t>(pw.size(), 256));
            p.password_seen = true;
          } else if (uni_len > 24) {
            rec.auth = "NTLMv2";
          } else if (uni_len == 24) {
            rec.auth = "NTLMv1";
          } else {
            rec.auth = "LM";
          }
          p.auth_attempt = true;
        }
        break;
      }
      case 0x75: {  // TREE_CONNECT_ANDX: password, path, service
        size_t pw_len = word(b, 6);
        size_t end = b.bytes_offset + b.bytes.size();
        rec.tree.clear();
        read_string(msg, b.bytes_offset + std::min(pw_len, b.bytes.size()), end, unicode, rec.tree);
        break;
      }
      case 0xA2: {  // NT_CREATE_ANDX: NameLength at word offset 5, name in the data
        size_t name_len = word(b, 5);
        size_t end = b.bytes_offset + std::min(b.bytes.size(), name_len + 1);
        read_string(msg, b.bytes_offset, end, unicode, rec.name);
        rec.pipe = pipe_name(rec.name, rec.tree, false);
        break;
      }
      case 0x2D:  // OPEN_ANDX
        read_string(msg, b.bytes_offset, b.bytes_offset + b.bytes.size(), unicode, rec.name);
        rec.pipe = pipe_name(rec.name, rec.tree, false);
        break;
      case 0x04: case 0x05: case 0x0A: case 0x0B: case 0x2E: case 0x2F: case 0x24: case 0x22: case 0x23: {
        // Commands on an open FID: CLOSE, FLUSH, READ, WRITE, READ_ANDX, WRITE_ANDX, LOCKING_ANDX, ...
        size_t fid_off = is_andx(b.command) ? 4 : 0;
        if (b.words.size() < fid_off + 2) break;
        uint16_t fid = word(b, fid_off);
        rec.fid = fid;
        p.file = smb1_file_key(fid);
        p.has_file = true;
        describe_file(rec, p.file);
        if (b.command == 0x0B) rec.bytes = word(b, 2);
        if (b.command == 0x2F) {  // WRITE_ANDX: DataLength(20) DataOffset(22), DataLengthHigh(18)
          uint32_t len = word(b, 20) | uint32_t(word(b, 18)) << 16;
          size_t data_off = word(b, 22);
          rec.bytes = len;
          if (data_off < msg.size()) {
            auto data = msg.subspan(data_off, std::min<size_t>(len, msg.size() - data_off));
            // Message-mode pipe writes start with a 2-byte message length (WriteMode bit 0x0008).
            if ((word(b, 14) & 0x0008) && data.size() > 2 && data[0] != 5 && data[2] == 5) data = data.subspan(2);
            if (!rec.pipe.empty()) rpc_payload(rec, p.file, data);
          }
        }
        break;
      }
      case 0x25: case 0x32: {  // TRANSACTION, TRANSACTION2
        size_t setup_count = b.words.size() >= 28 ? b.words[26] : 0;
        uint16_t setup0 = word(b, 28), setup1 = setup_count >= 2 ? word(b, 30) : 0;
        size_t param_count = word(b, 18), param_off = word(b, 20);
        size_t data_count = word(b, 22), data_off = word(b, 24);
        if (b.command == 0x32) {
          if (setup_count >= 1) {
            std::string_view sub = trans2_subcommand_name(setup0);
            rec.subcommand = sub.empty() ? fmt::format("TRANS2_0x{:04x}", setup0) : std::string(sub);
            if (setup0 == 0x0E) rec.note("doublepulsar-check");
            // FIND_FIRST2 / QUERY_PATH_INFORMATION / SET_PATH_INFORMATION / CREATE_DIRECTORY name a path.
            size_t name_at = setup0 == 0x01 ? 12 : (setup0 == 0x05 || setup0 == 0x06) ? 6 : setup0 == 0x0D ? 4 : 0;
            if (name_at && param_off < msg.size()) {
              size_t end = std::min(msg.size(), param_off + param_count);
              read_string(msg, param_off + name_at, end, unicode, rec.name);
            }
          }
          break;
        }
        std::string tname;
        read_string(msg, b.bytes_offset, b.bytes_offset + b.bytes.size(), unicode, tname);
        bool is_pipe = tname.size() >= 6 && std::equal(tname.begin(), tname.begin() + 6, "\\PIPE\\",
                                                      [](char a, char c) { return (a | 0x20) == (c | 0x20); });
        rec.name = tname;
        if (is_pipe && setup_count >= 1) {
          std::string_view fn = trans_function_name(setup0);
          rec.subcommand = fn.empty() ? fmt::format("0x{:04x}", setup0) : std::string(fn);
          if (setup_count >= 2) {
            rec.fid = setup1;
            p.file = smb1_file_key(setup1);
            p.has_file = true;
            rec.name.clear();
            describe_file(rec, p.file);
            if (rec.name.empty()) rec.name = tname;
            if (rec.pipe.empty() && tname.size() > 6) rec.pipe = pipe_name(tname, {}, true);
            if (setup0 == 0x23 && setup1 == 0) rec.note("ms17-010-check");
            if (setup0 == 0x26 && data_off < msg.size()) {
              rec.bytes = data_count;
              rpc_payload(rec, p.file, msg.subspan(data_off, std::min(data_count, msg.size() - data_off)));
            }
          }
        } else if (is_pipe && tname.size() > 6) {
          rec.pipe = pipe_name(tname, {}, true);
        }
        break;
      }
      case 0xA0: {  // NT_TRANSACT: Function at byte 36 of the words
        if (b.words.size() >= 38) {
          uint16_t fn = word(b, 36);
          std::string_view name = nt_transact_function_name(fn);
          rec.subcommand = name.empty() ? fmt::format("NT_TRANSACT_0x{:04x}", fn) : std::string(name);
        }
        break;
      }
      default:
        if (has_ascii_path(b.command) && !b.bytes.empty() && b.bytes[0] == 0x04)
          read_string(msg, b.bytes_offset + 1, b.bytes_offset + b.bytes.size(), unicode, rec.name);
        break;
    }
    if (b.command == 0xA4) {  // NT_CANCEL has no response
      ctx_.sink->emit(rec);
      continue;
    }
    add_pending(std::move(p), at);
  }
}

void SmbConnection::smb1_response(std::span<const uint8_t> msg, bool truncated, const PacketRef& at) {
  const uint32_t status = load_le32(msg.data() + 5);
  const uint16_t flags2 = load_le16(msg.data() + 10);
  const bool dos = !(flags2 & kFlags2NtStatus);
  const uint16_t tid = load_le16(msg.data() + 24);
  const uint16_t mid = load_le16(msg.data() + 30);
  Block blocks[kMaxChain];
  int n = walk_chain(msg, blocks);
  for (int i = 0; i < n; ++i) {
    const Block& b = blocks[i];
    Pending* p = find_pending(1, pending_key(msg, i));
    if (!p && b.command == 0x32) {
      // DoublePulsar answers TRANS2_SESSION_SETUP with its multiplex id raised by 0x10 (0x41 -> 0x51).
      for (auto& q : pending_)
        if (q.version == 1 && q.smb1_command == 0x32 && q.rec.has_note("doublepulsar-check") &&
            q.rec.message_id && uint16_t(*q.rec.message_id + 0x10) == mid) {
          p = &q;
          p->rec.note("doublepulsar-present");
          break;
        }
    }
    Pending local;
    const bool paired = p != nullptr && p->smb1_command == b.command;
    if (!paired) {
      p = &local;
      p->version = 1;
      p->smb1_command = b.command;
      p->rec.version = 1;
      p->rec.command = smb1_command_name(b.command);
      if (p->rec.command.empty()) p->rec.command = "UNKNOWN";
      p->rec.message_id = mid;
    p->rec.note("no-request");  // mid-stream pickup, or a server notification (SMB2 oplock break)
      p->rec.pid_high = load_le16(msg.data() + 12);
      p->rec.tree = std::string(tree_path(tid));
    }
    SmbRecord& rec = p->rec;
    if (b.malformed && !truncated && !b.words.empty()) rec.note("malformed");
    const bool ok = dos ? status == 0 : (status >> 30) != 3;
    switch (b.command) {
      case 0x72:  // NEGOTIATE: DialectIndex, then SecurityMode
        if (b.words.size() >= 2) {
          uint16_t idx = word(b, 0);
          if (idx < rec.dialects.size()) rec.dialect = rec.dialects[idx];
          else if (idx == 0xFFFF) rec.dialect = "none";
          if (b.words.size() >= 3) encrypt_passwords_ = (b.words[2] & 0x02) != 0;
        }
        break;
      case 0x73:
        if (b.words.size() >= 6 && (word(b, 4) & 0x0001)) rec.note("guest");
        break;
      case 0x75:
        if (ok && !rec.tree.empty()) remember_tree(tid, rec.tree);
        break;
      case 0x71:
        trees_.erase(tid);
        break;
      case 0xA2: case 0x2D:  // NT_CREATE_ANDX: FID at byte 5; OPEN_ANDX: FID at byte 4
        if (ok && b.words.size() >= 8) {
          uint16_t fid = word(b, b.command == 0xA2 ? 5 : 4);
          rec.fid = fid;
          remember_file(smb1_file_key(fid), rec.name, rec.tree);
        }
        break;
      case 0x04:
        if (rec.fid) forget_file(smb1_file_key(*rec.fid));
        break;
      case 0x2E:  // READ_ANDX: DataLength(10), DataLengthHigh(14)
        if (b.words.size() >= 12) rec.bytes = word(b, 10) | (b.words.size() >= 16 ? uint32_t(word(b, 14)) << 16 : 0);
        break;
      case 0x0A:
        if (b.words.size() >= 2) rec.bytes = word(b, 0);
        break;
      default:
        break;
    }
    if (paired) {
      complete(*p, status, dos, at);
      erase_pending(p);
    } else {
      complete(local, status, dos, at);
    }
  }
  // An error answer stops after the first block: the rest of the request's chain shares its status.
  for (int i = n; i < kMaxChain; ++i) {
    Pending* p = find_pending(1, pending_key(msg, i));
    if (!p) break;
    p->rec.note("chain-aborted");
    complete(*p, status, dos, at);
    erase_pending(p);
  }
}

}  // namespace trawl::proto::smb
