// SMB analyzer tests: real captures compared with tshark's own fields, and hand-built edge cases.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "proto/auth/auth_record.h"
#include "proto/smb/dcerpc.h"
#include "proto/smb/ntlmssp.h"
#include "proto/smb/smb_analyzer.h"
#include "proto/smb/smb_names.h"
#include "proto/smb/smb_record.h"
#include "support/follow.h"
#include "support/testing.h"

namespace trawl::proto::smb {
namespace {

using testing::FollowedStream;

struct Collector final : RecordSink {
  std::vector<SmbRecord> smb;
  std::vector<AuthRecord> auth;
  void emit(const Record& r) override {
    if (auto* s = dynamic_cast<const SmbRecord*>(&r)) smb.push_back(*s);
    else if (auto* a = dynamic_cast<const AuthRecord*>(&r)) auth.push_back(*a);
  }
};

// Feeds one followed conversation (dir 0 = originator) to a fresh analyzer; `step` > 0 splits every
// chunk into pieces of that size.
void feed(const FollowedStream& s, Collector& out, size_t step = 0) {
  AnalyzerContext ctx;
  ctx.sink = &out;
  auto a = kSmbAnalyzer.make_stream(ctx);
  PacketRef at;
  for (const auto& c : s.chunks) {
    ++at.frame;
    auto bytes = std::span(reinterpret_cast<const uint8_t*>(c.bytes.data()), c.bytes.size());
    Dir dir = c.dir == 0 ? Dir::kOrig : Dir::kResp;
    if (step == 0) {
      a->on_data(dir, bytes, at);
    } else {
      for (size_t i = 0; i < bytes.size(); i += step) a->on_data(dir, bytes.subspan(i, std::min(step, bytes.size() - i)), at);
    }
  }
  a->on_end(at);
}

bool is_smb_port(const std::string& node) {
  auto colon = node.rfind(':');
  std::string port = colon == std::string::npos ? "" : node.substr(colon + 1);
  return port == "445" || port == "139";
}

// The capture's SMB conversations (TCP 445/139) as a plain pcap: also decompresses .gz. (Filtering first
// also works around follow_streams' `sort -un`, which drops stream 0 when non-TCP frames print an
// empty stream index that sorts equal to 0.)
std::string smb_only(const std::string& pcap, const testing::TempDir& dir) {
  std::string out = dir.file("smb.pcap");
  testing::run("tshark -n -r " + testing::shell_quote(pcap) + " -Y 'tcp.port==445 || tcp.port==139' -F pcap -w " +
               testing::shell_quote(out) + " 2>/dev/null");
  return out;
}

// Every TCP conversation of the capture on port 445/139, through the analyzer.
Collector analyze(const std::string& pcap, size_t step = 0) {
  Collector out;
  testing::TempDir dir;
  for (const auto& s : testing::follow_streams(smb_only(pcap, dir))) {
    if (!is_smb_port(s.node0) && !is_smb_port(s.node1)) continue;
    feed(s, out, step);
  }
  return out;
}

std::string json(const SmbRecord& r) {
  char* buf = nullptr;
  size_t len = 0;
  FILE* f = open_memstream(&buf, &len);
  {
    output::TableWriter w(f, output::Format::kJsonl, r.type().columns);
    r.write(w, {});
    w.finish();
  }
  fclose(f);
  std::string s(buf, len);
  free(buf);
  return s;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

// tshark -T fields over the capture's SMB on TCP, one vector of columns per frame.
std::vector<std::vector<std::string>> tshark_fields(const std::string& pcap, const std::string& filter,
                                                    const std::vector<std::string>& fields) {
  std::string cmd = "tshark -n -r " + testing::shell_quote(pcap) + " -Y " + testing::shell_quote(filter) +
                    " -T fields -E occurrence=a -E aggregator=,";
  for (const auto& f : fields) cmd += " -e " + f;
  cmd += " 2>/dev/null";
  std::vector<std::vector<std::string>> rows;
  for (const auto& l : lines(testing::run(cmd).out))
    if (!l.empty()) rows.push_back(split(l, '\t'));
  return rows;
}

// ---------------------------------------------------------------------------------------------------
// Real captures against tshark.

using Counts = std::map<std::string, int>;

std::string sorted_join(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  std::string out;
  for (const auto& x : v) out += x + "\n";
  return out;
}

int parse_int(const std::string& s) { return int(std::stoul(s, nullptr, 0)); }

// SMB2 requests and final responses per command, as tshark counts them (interim STATUS_PENDING
// answers left out: the analyzer waits for the final one).
struct Smb2Counts {
  Counts requests, responses;
  std::vector<std::string> statuses;  // "COMMAND status" per final response
};
Smb2Counts tshark_smb2(const std::string& pcap) {
  Smb2Counts c;
  for (const auto& row : tshark_fields(pcap, "tcp && smb2", {"smb2.cmd", "smb2.flags.response", "smb2.nt_status"})) {
    auto cmds = split(row.at(0), ','), resp = split(row.size() > 1 ? row[1] : "", ',');
    auto st = split(row.size() > 2 ? row[2] : "", ',');
    size_t si = 0;
    for (size_t i = 0; i < cmds.size(); ++i) {
      std::string name(smb2_command_name(uint16_t(parse_int(cmds[i]))));
      bool is_resp = i < resp.size() && (resp[i] == "1" || resp[i] == "True");
      if (!is_resp) {
        ++c.requests[name];
        continue;
      }
      std::string status = si < st.size() ? st[si++] : "";
      if (status == "0x00000103") continue;
      ++c.responses[name];
      c.statuses.push_back(name + " " + status);
    }
  }
  return c;
}

// SMB1 commands per message (AndX chains included, 0xff terminators left out).
struct Smb1Counts {
  Counts requests, responses;
};
Smb1Counts tshark_smb1(const std::string& pcap) {
  Smb1Counts c;
  for (const auto& row : tshark_fields(pcap, "tcp && smb", {"smb.cmd", "smb.flags.response"})) {
    auto cmds = split(row.at(0), ',');
    bool is_resp = row.size() > 1 && (row[1].rfind("1", 0) == 0 || row[1].rfind("True", 0) == 0);
    for (const auto& cmd : cmds) {
      int v = parse_int(cmd);
      if (v == 0xFF) continue;
      std::string name(smb1_command_name(uint8_t(v)));
      ++(is_resp ? c.responses : c.requests)[name];
    }
  }
  return c;
}

struct Ours {
  Counts smb1, smb2, smb1_answered, smb2_answered;
  std::vector<std::string> smb2_statuses;
};
Ours count(const Collector& c) {
  Ours o;
  for (const auto& r : c.smb) {
    if (r.version == 0 || r.command == "TRANSFORM") continue;
    bool one = r.version == 1 && r.command != "NEGOTIATE";  // an SMB1 negotiate may get an SMB2 answer
    if (!r.has_note("no-request")) {
      if (r.version == 1) ++o.smb1[std::string(r.command)];
      else ++o.smb2[std::string(r.command)];
    }
    if (!r.status || r.has_note("chain-aborted")) continue;  // tshark sees no answer for those
    if (one || r.version == 1) ++o.smb1_answered[std::string(r.command)];
    else ++o.smb2_answered[std::string(r.command)];
    if (r.version != 1) o.smb2_statuses.push_back(std::string(r.command) + fmt::format(" 0x{:08x}", *r.status));
  }
  return o;
}

std::string str(const Counts& c) {
  std::string s;
  for (const auto& [k, v] : c) s += fmt::format("{}={} ", k, v);
  return s;
}

// The field values tshark shows for frames matching `filter` (every occurrence), sorted.
// which: 'a' every occurrence, 'f' the first per frame, 'l' the last per frame.
std::string tshark_values(const std::string& pcap, const std::string& filter, const std::string& field,
                          bool strip_backslash = false, char which = 'a') {
  std::vector<std::string> out;
  for (const auto& row : tshark_fields(pcap, filter, {field})) {
    auto all = split(row.at(0), ',');
    if (which == 'f' && all.size() > 1) all.resize(1);
    if (which == 'l' && all.size() > 1) all.erase(all.begin(), all.end() - 1);
    for (auto v : all) {
      if (v.empty()) continue;
      if (strip_backslash && !v.empty() && v[0] == '\\') v.erase(0, 1);
      out.push_back(v);
    }
  }
  return sorted_join(out);
}

template <typename Pred, typename Get>
std::string our_values(const Collector& c, Pred pred, Get get) {
  std::vector<std::string> out;
  for (const auto& r : c.smb)
    if (pred(r)) {
      std::string v = get(r);
      if (!v.empty()) out.push_back(v);
    }
  return sorted_join(out);
}

class SmbCapture : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    if (!testing::have_tool("tshark")) GTEST_SKIP() << "tshark not installed";
    pcap_ = testing::shared_pcap(GetParam());
    c_ = analyze(pcap_);
  }
  std::string pcap_;
  Collector c_;
};

// Every command both sides of each conversation sent, and every final status, as tshark decodes them.
TEST_P(SmbCapture, CommandsAndStatusesMatchTshark) {
  Ours o = count(c_);
  auto t2 = tshark_smb2(pcap_);
  auto t1 = tshark_smb1(pcap_);
  // SMB1 negotiates answered in SMB2 show up as an SMB1 request and an SMB2 response in tshark.
  Counts t2_resp = t2.responses, t1_resp = t1.responses;
  for (const auto& r : c_.smb)
    if (r.version == 1 && r.command == "NEGOTIATE" && r.status && r.dialect.rfind("2.", 0) == 0) {
      --t2_resp["NEGOTIATE"];
      ++t1_resp["NEGOTIATE"];
    }
  std::erase_if(t2_resp, [](const auto& kv) { return kv.second == 0; });
  EXPECT_EQ(str(o.smb2), str(t2.requests));
  EXPECT_EQ(str(o.smb2_answered), str(t2_resp));
  EXPECT_EQ(str(o.smb1), str(t1.requests));
  EXPECT_EQ(str(o.smb1_answered), str(t1_resp));
  // Statuses of SMB2 final answers (minus the SMB2 answers to SMB1 negotiates, counted above).
  std::vector<std::string> theirs = t2.statuses;
  for (const auto& r : c_.smb)
    if (r.version == 1 && r.command == "NEGOTIATE" && r.status && r.dialect.rfind("2.", 0) == 0)
      theirs.erase(std::find(theirs.begin(), theirs.end(), "NEGOTIATE 0x00000000"));
  EXPECT_EQ(sorted_join(o.smb2_statuses), sorted_join(theirs));
}

TEST_P(SmbCapture, TreePathsMatchTshark) {
  auto ours2 = our_values(c_, [](const SmbRecord& r) { return r.version > 1 && r.command == "TREE_CONNECT"; },
                          [](const SmbRecord& r) { return r.tree; });
  EXPECT_EQ(ours2, tshark_values(pcap_, "tcp && smb2.cmd==3 && smb2.flags.response==0", "smb2.tree"));
  auto ours1 = our_values(c_, [](const SmbRecord& r) { return r.command == "TREE_CONNECT_ANDX"; },
                          [](const SmbRecord& r) { return r.tree; });
  // tshark also lists the tree the request's header TID is in: the requested path is the last one.
  EXPECT_EQ(ours1, tshark_values(pcap_, "tcp && smb.cmd==0x75 && smb.flags.response==0", "smb.path", false, 'l'));
}

TEST_P(SmbCapture, CreatedFileAndPipeNamesMatchTshark) {
  auto ours2 = our_values(c_, [](const SmbRecord& r) { return r.version > 1 && r.command == "CREATE"; },
                          [](const SmbRecord& r) { return r.name; });
  EXPECT_EQ(ours2, tshark_values(pcap_, "tcp && smb2.cmd==5 && smb2.flags.response==0", "smb2.filename"));
  auto ours1 = our_values(c_, [](const SmbRecord& r) { return r.command == "NT_CREATE_ANDX"; },
                          [](const SmbRecord& r) { return r.name; });
  // A chained READ_ANDX adds the name tshark guesses for its FID: the create's name is the first one.
  EXPECT_EQ(ours1, tshark_values(pcap_, "tcp && smb.cmd==0xa2 && smb.flags.response==0", "smb.file", false, 'f'));
  // Named pipes: creates on IPC$ as tshark names them, without the leading backslash.
  auto pipes = our_values(c_, [](const SmbRecord& r) { return r.command == "CREATE" || r.command == "NT_CREATE_ANDX"; },
                          [](const SmbRecord& r) { return r.pipe; });
  std::string theirs = tshark_values(pcap_, "tcp && smb2.cmd==5 && smb2.flags.response==0 && smb2.tree contains \"IPC$\"",
                                     "smb2.filename", true) +
                       tshark_values(pcap_, "tcp && smb.cmd==0xa2 && smb.flags.response==0 && smb.path contains \"IPC$\"",
                                     "smb.file", true, 'f');
  auto theirs_lines = lines(theirs);
  EXPECT_EQ(pipes, sorted_join(theirs_lines));
}

TEST_P(SmbCapture, NtlmAuthenticateMatchesTshark) {
  std::vector<std::string> theirs;
  for (const auto& row : tshark_fields(pcap_, "tcp && ntlmssp.messagetype==3",
                                       {"ntlmssp.auth.username", "ntlmssp.auth.domain", "ntlmssp.auth.hostname"})) {
    auto f = [&](size_t i) { return i < row.size() && row[i] != "NULL" ? row[i] : std::string(); };
    theirs.push_back(f(0) + "|" + f(1) + "|" + f(2));
  }
  std::vector<std::string> ours;
  size_t ntlm_auth_records = 0;
  for (const auto& r : c_.smb)
    if ((r.auth == "NTLMv2" || r.auth == "NTLMv1" || r.auth == "anonymous") && !r.has_note("no-extended-security"))
      ours.push_back(r.user + "|" + r.domain + "|" + r.workstation);
  size_t plain = 0;
  for (const auto& r : c_.smb) plain += r.command == "SESSION_SETUP_ANDX" && r.has_note("no-extended-security");
  for (const auto& a : c_.auth)
    if (a.method == "NTLMv2" || a.method == "NTLMv1" || a.method == "anonymous") ++ntlm_auth_records;
  EXPECT_EQ(sorted_join(ours), sorted_join(theirs));
  EXPECT_EQ(ntlm_auth_records, theirs.size() + plain);  // one ledger row per AUTHENTICATE (and plain setup)
}

TEST_P(SmbCapture, DceRpcBindsAndOpnumsMatchTshark) {
  auto binds = our_values(c_, [](const SmbRecord& r) { return r.subcommand == "dcerpc_bind"; },
                          [](const SmbRecord& r) { return r.rpc_uuid; });
  std::vector<std::string> theirs;
  for (const auto& row : tshark_fields(pcap_, "(smb || smb2) && dcerpc.pkt_type==11", {"dcerpc.cn_bind_to_uuid"}))
    theirs.push_back(split(row.at(0), ',').at(0));  // the first context's interface
  EXPECT_EQ(binds, sorted_join(theirs));
  auto opnums = our_values(c_, [](const SmbRecord& r) { return r.rpc_opnum.has_value(); },
                           [](const SmbRecord& r) { return std::to_string(*r.rpc_opnum); });
  EXPECT_EQ(opnums, tshark_values(pcap_, "(smb || smb2) && dcerpc.pkt_type==0", "dcerpc.opnum"));
}

// The same records whatever the TCP segmentation: one byte at a time.
TEST_P(SmbCapture, ByteAtATimeGivesTheSameRecords) {
  Collector one = analyze(pcap_, 1);
  ASSERT_EQ(one.smb.size(), c_.smb.size());
  for (size_t i = 0; i < c_.smb.size(); ++i) EXPECT_EQ(json(one.smb[i]), json(c_.smb[i]));
  EXPECT_EQ(one.auth.size(), c_.auth.size());
}

INSTANTIATE_TEST_SUITE_P(Captures, SmbCapture,
                         ::testing::Values("zeek-smb-raw-ntlm.pcap", "zeek-smb311.pcap", "zeek-smb3-multichannel.pcap",
                                           "suricata-smb2-psexec-add-user.pcap", "id2t-eternalblue-scan.pcap",
                                           "id2t-sality-botnet.pcap", "zeek-smb-many-open-files.pcap.gz"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (auto& ch : n)
                             if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return n;
                         });

// ---------------------------------------------------------------------------------------------------
// Hand-built messages for the edge cases.

struct Bytes {
  std::string b;
  Bytes& u8(uint8_t v) { b += char(v); return *this; }
  Bytes& u16(uint16_t v) { return u8(uint8_t(v)).u8(uint8_t(v >> 8)); }
  Bytes& u32(uint32_t v) { return u16(uint16_t(v)).u16(uint16_t(v >> 16)); }
  Bytes& u64(uint64_t v) { return u32(uint32_t(v)).u32(uint32_t(v >> 32)); }
  Bytes& raw(const std::string& s) { b += s; return *this; }
  Bytes& zeros(size_t n) { b.append(n, '\0'); return *this; }
  Bytes& utf16(const std::string& ascii) {
    for (char c : ascii) u8(uint8_t(c)).u8(0);
    return *this;
  }
};

std::string nb(const std::string& msg) {  // 4-byte direct-TCP header
  Bytes h;
  h.u8(0).u8(uint8_t(msg.size() >> 16)).u8(uint8_t(msg.size() >> 8)).u8(uint8_t(msg.size()));
  return h.b + msg;
}

std::string smb2(uint16_t cmd, uint64_t mid, bool resp, uint32_t status, uint32_t tid, const std::string& body) {
  Bytes h;
  h.raw("\xfeSMB").u16(64).u16(0).u32(status).u16(cmd).u16(1).u32(resp ? 1 : 0).u32(0).u64(mid).u32(0).u32(tid);
  h.u64(0x1234).zeros(16);
  return h.b + body;
}

std::string smb1(uint8_t cmd, uint16_t mid, bool resp, uint32_t status, uint16_t tid, const std::string& words,
                 const std::string& data, uint16_t pid_high = 0, uint16_t flags2 = 0xC853) {
  Bytes h;
  h.raw("\xffSMB").u8(cmd).u32(status).u8(resp ? 0x98 : 0x18).u16(flags2).u16(pid_high).zeros(8).u16(0);
  h.u16(tid).u16(0xFEFF).u16(0).u16(mid);
  h.u8(uint8_t(words.size() / 2)).raw(words).u16(uint16_t(data.size())).raw(data);
  return h.b;
}

const std::string kFileId = std::string("\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10", 16);

std::string tree_connect_req(const std::string& path) {
  Bytes b;
  b.u16(9).u16(0).u16(64 + 8).u16(uint16_t(path.size() * 2)).utf16(path);
  return b.b;
}
std::string tree_connect_resp() { return Bytes().u16(16).u8(2).u8(0).u32(0).u32(0).u32(0x1f01ff).b; }
std::string create_req(const std::string& name) {
  Bytes b;
  b.u16(57).u8(0).u8(0).u32(2).u64(0).u64(0).u32(0x12019f).u32(0).u32(7).u32(1).u32(0);
  b.u16(64 + 56).u16(uint16_t(name.size() * 2)).u32(0).u32(0).utf16(name);
  return b.b;
}
std::string create_resp(const std::string& file_id) {
  Bytes b;
  b.u16(89).u8(0).u8(0).u32(1).zeros(32).u64(0).u64(0).u32(0x80).u32(0).raw(file_id).u32(0).u32(0);
  return b.b;
}
std::string write_req(const std::string& file_id, const std::string& data) {
  Bytes b;
  b.u16(49).u16(64 + 48).u32(uint32_t(data.size())).u64(0).raw(file_id).u32(0).u32(0).u16(0).u16(0).u32(0);
  return b.b + data;
}
std::string write_resp(uint32_t count) { return Bytes().u16(17).u16(0).u32(count).u32(0).u16(0).u16(0).b; }
std::string ioctl_req(const std::string& file_id, uint32_t code, const std::string& input) {
  Bytes b;
  b.u16(57).u16(0).u32(code).raw(file_id).u32(64 + 56).u32(uint32_t(input.size())).u32(0).u32(0).u32(0).u32(1024);
  b.u32(1).u32(0);
  return b.b + input;
}
std::string ioctl_resp() { return Bytes().u16(49).u16(0).u32(0x0011C017).raw(kFileId).zeros(24).b; }

std::string rpc_bind_srvsvc() {
  Bytes b;
  b.u8(5).u8(0).u8(11).u8(3).u32(0x10).u16(72).u16(0).u32(1);
  b.u16(4280).u16(4280).u32(0).u8(1).zeros(3);
  b.u16(0).u8(1).u8(0);
  b.raw(std::string("\xc8\x4f\x32\x4b\x70\x16\xd3\x01\x12\x78\x5a\x47\xbf\x6e\xe1\x88", 16)).u32(3);
  b.raw(std::string("\x04\x5d\x88\x8a\xeb\x1c\xc9\x11\x9f\xe8\x08\x00\x2b\x10\x48\x60", 16)).u32(2);
  return b.b;
}
// srvsvc NetPathCanonicalize (31) with a [unique] server name and the path.
std::string rpc_path_canonicalize(const std::string& path) {
  Bytes stub;
  auto wstr = [&](const std::string& s) {
    size_t n = s.size() + 1;
    stub.u32(uint32_t(n)).u32(0).u32(uint32_t(n)).utf16(s).u16(0);
    while (stub.b.size() % 4) stub.u8(0);
  };
  stub.u32(0x00020000);
  wstr("\\\\SRV");
  wstr(path);
  stub.u32(1).u32(2).u32(0);
  Bytes b;
  b.u8(5).u8(0).u8(0).u8(3).u32(0x10).u16(uint16_t(24 + stub.b.size())).u16(0).u32(2);
  b.u32(uint32_t(stub.b.size())).u16(0).u16(31);
  return b.b + stub.b;
}

struct Session {
  Collector c;
  std::unique_ptr<StreamAnalyzer> a;
  PacketRef at;
  Session() {
    AnalyzerContext ctx;
    ctx.sink = &c;
    a = kSmbAnalyzer.make_stream(ctx);
  }
  void send(Dir d, const std::string& bytes) {
    ++at.frame;
    a->on_data(d, std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()), at);
  }
  void req(const std::string& msg) { send(Dir::kOrig, nb(msg)); }
  void resp(const std::string& msg) { send(Dir::kResp, nb(msg)); }
  const SmbRecord* find(std::string_view command) const {
    for (const auto& r : c.smb)
      if (r.command == command) return &r;
    return nullptr;
  }
};

TEST(SmbHand, Ms08067ProbeOverSmb2KeepsPathAndNamesTheOperation) {
  Session s;
  s.req(smb2(3, 1, false, 0, 0, tree_connect_req("\\\\10.0.0.1\\IPC$")));
  s.resp(smb2(3, 1, true, 0, 5, tree_connect_resp()));
  s.req(smb2(5, 2, false, 0, 5, create_req("srvsvc")));
  s.resp(smb2(5, 2, true, 0, 5, create_resp(kFileId)));
  s.req(smb2(9, 3, false, 0, 5, write_req(kFileId, rpc_bind_srvsvc())));
  s.resp(smb2(9, 3, true, 0, 5, write_resp(72)));
  const std::string path = "\\" + std::string(40, 'A') + "\\..\\n";
  s.req(smb2(11, 4, false, 0, 5, ioctl_req(kFileId, 0x0011C017, rpc_path_canonicalize(path))));
  s.resp(smb2(11, 4, true, 0, 5, ioctl_resp()));
  s.a->on_end(s.at);
  ASSERT_EQ(s.c.smb.size(), 4u);
  const SmbRecord& tc = s.c.smb[0];
  EXPECT_EQ(tc.tree, "\\\\10.0.0.1\\IPC$");
  const SmbRecord& cr = s.c.smb[1];
  EXPECT_EQ(cr.pipe, "srvsvc");
  const SmbRecord& bind = s.c.smb[2];
  EXPECT_EQ(bind.rpc_uuid, "4b324fc8-1670-01d3-1278-5a47bf6ee188");
  EXPECT_EQ(bind.rpc_interface, "srvsvc");
  EXPECT_EQ(bind.bytes, 72u);
  const SmbRecord& call = s.c.smb[3];
  EXPECT_EQ(call.rpc_opnum, 31);
  EXPECT_EQ(call.rpc_operation, "NetPathCanonicalize");
  EXPECT_EQ(call.rpc_arg, path);
  EXPECT_EQ(call.name, "srvsvc");
  EXPECT_EQ(call.tree, "\\\\10.0.0.1\\IPC$");
  EXPECT_TRUE(call.has_note("ms08-067-path"));
  EXPECT_EQ(call.status_name, "STATUS_SUCCESS");
}

TEST(SmbHand, Cve20093103NegotiateKeepsPidHighAndRawDialects) {
  Session s;
  std::string dialects;
  for (const char* d : {"PC NETWORK PROGRAM 1.0", "LANMAN1.0", "NT LM 0.12", "SMB 2.002"}) dialects += std::string("\x02") + d + '\0';
  dialects += std::string("\x02\xff\xfe", 3) + '\0';  // a non-UTF-8 dialect string survives as bytes
  s.req(smb1(0x72, 1, false, 0, 0, "", dialects, 0x2600));
  s.a->on_end(s.at);
  ASSERT_EQ(s.c.smb.size(), 1u);
  const SmbRecord& r = s.c.smb[0];
  EXPECT_EQ(r.pid_high, 0x2600);
  ASSERT_EQ(r.dialects.size(), 5u);
  EXPECT_EQ(r.dialects[3], "SMB 2.002");
  EXPECT_EQ(r.dialects[4], std::string("\xff\xfe", 2));
  EXPECT_TRUE(r.has_note("cve-2009-3103"));
  EXPECT_TRUE(r.has_note("no-response"));  // the probe usually crashes or silences the server
  EXPECT_FALSE(r.status.has_value());
  EXPECT_NE(json(r).find("\"dialects\":[\"PC NETWORK PROGRAM 1.0\""), std::string::npos);
  // The same negotiate with pid_high 0 is an ordinary one.
  Session t;
  t.req(smb1(0x72, 1, false, 0, 0, "", dialects, 0));
  t.a->on_end(t.at);
  EXPECT_FALSE(t.c.smb.at(0).has_note("cve-2009-3103"));
}

TEST(SmbHand, PlainSessionSetupWithCleartextPasswordGoesToTheLedger) {
  Session s;
  s.req(smb1(0x72, 1, false, 0, 0, "", std::string("\x02NT LM 0.12\0", 12)));
  // NT LM 0.12 answer: DialectIndex 0, SecurityMode 0x01 (user level, passwords NOT encrypted).
  s.resp(smb1(0x72, 1, true, 0, 0, Bytes().u16(0).u8(0x01).zeros(31).b, ""));
  Bytes w;
  w.u8(0xFF).u8(0).u16(0).u16(4356).u16(10).u16(0).u32(0).u16(7).u16(0).u32(0).u32(0x40);
  std::string data = std::string("secret1") + "alice" + '\0' + "CORP" + '\0';
  s.req(smb1(0x73, 2, false, 0, 0, w.b, data, 0, 0x4001));  // ASCII strings, NT status codes
  s.resp(smb1(0x73, 2, true, 0xC000006D, 0, "", ""));
  s.a->on_end(s.at);
  ASSERT_EQ(s.c.auth.size(), 1u);
  const AuthRecord& a = s.c.auth[0];
  EXPECT_EQ(a.app, "smb");
  EXPECT_EQ(a.user, "CORP\\alice");
  EXPECT_TRUE(a.password_seen);
  EXPECT_EQ(a.password, "secret1");
  EXPECT_EQ(a.method, "cleartext");
  EXPECT_EQ(a.outcome, AuthOutcome::kFailure);
  EXPECT_EQ(a.reply, "STATUS_LOGON_FAILURE");
}

TEST(SmbHand, HostileOffsetsAreFlaggedNotFollowed) {
  Session s;
  // CREATE whose NameOffset points far past the message, and a TREE_CONNECT whose length overruns it.
  Bytes cr;
  cr.u16(57).zeros(42).u16(0xFFF0).u16(0x4000).u32(0).u32(0);
  s.req(smb2(5, 1, false, 0, 0, cr.b));
  Bytes tc;
  tc.u16(9).u16(0).u16(72).u16(0xFFFF).utf16("\\\\x\\IPC$");
  s.req(smb2(3, 2, false, 0, 0, tc.b));
  // NTLMSSP AUTHENTICATE whose user buffer lies outside the message.
  Bytes ntlm;
  ntlm.raw(std::string("NTLMSSP\0", 8)).u32(3);
  for (int i = 0; i < 6; ++i) ntlm.u16(8).u16(8).u32(i == 3 ? 0x7FFFFFF0u : 64);
  ntlm.u32(1).zeros(8);
  Bytes ss;
  ss.u16(25).u8(0).u8(1).u32(0).u32(0).u16(64 + 24).u16(uint16_t(ntlm.b.size())).u64(0);
  s.req(smb2(1, 3, false, 0, 0, ss.b + ntlm.b));
  s.a->on_end(s.at);
  ASSERT_EQ(s.c.smb.size(), 3u);
  EXPECT_TRUE(s.c.smb[0].has_note("malformed"));
  EXPECT_EQ(s.c.smb[0].name, "");
  EXPECT_TRUE(s.c.smb[1].has_note("malformed"));
  EXPECT_EQ(s.c.smb[1].tree, "\\\\x\\IPC$");  // what is there is kept
  EXPECT_TRUE(s.c.smb[2].has_note("malformed"));
  EXPECT_EQ(s.c.smb[2].user, "");
}

TEST(SmbHand, LargeWriteIsSkippedWithoutBufferingAndFramingHolds) {
  Session s;
  s.req(smb2(3, 1, false, 0, 0, tree_connect_req("\\\\h\\share")));
  s.resp(smb2(3, 1, true, 0, 7, tree_connect_resp()));
  s.req(smb2(5, 2, false, 0, 7, create_req("big.bin")));
  s.resp(smb2(5, 2, true, 0, 7, create_resp(kFileId)));
  const size_t big = 3 * 1024 * 1024;
  std::string msg = nb(smb2(9, 3, false, 0, 7, write_req(kFileId, std::string(big, 'x'))));
  for (size_t i = 0; i < msg.size(); i += 1460) s.send(Dir::kOrig, msg.substr(i, 1460));
  s.resp(smb2(9, 3, true, 0, 7, write_resp(uint32_t(big))));
  s.req(smb2(6, 4, false, 0, 7, Bytes().u16(24).u16(0).u32(0).raw(kFileId).b));
  s.resp(smb2(6, 4, true, 0, 7, Bytes().u16(60).zeros(58).b));
  s.a->on_end(s.at);
  const SmbRecord* w = s.find("WRITE");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->name, "big.bin");
  EXPECT_EQ(w->tree, "\\\\h\\share");
  EXPECT_EQ(w->bytes, big);
  EXPECT_TRUE(w->has_note("truncated") || !w->has_note("malformed"));
  const SmbRecord* c = s.find("CLOSE");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->name, "big.bin");
  EXPECT_EQ(c->status_name, "STATUS_SUCCESS");
}

TEST(SmbHand, GarbageThenResyncAndGapsInsideSkippedData) {
  Session s;
  s.send(Dir::kOrig, std::string("\x17\x03\x03garbage that is not SMB at all", 33));
  s.req(smb2(3, 1, false, 0, 0, tree_connect_req("\\\\h\\IPC$")));
  s.resp(smb2(3, 1, true, 0, 9, tree_connect_resp()));
  // A gap inside a large write's data: the length says where the next message starts.
  std::string msg = nb(smb2(9, 2, false, 0, 9, write_req(kFileId, std::string(300000, 'y'))));
  s.send(Dir::kOrig, msg.substr(0, 140000));
  s.a->on_gap(Dir::kOrig, 100000, s.at);
  s.send(Dir::kOrig, msg.substr(240000));
  s.req(smb2(4, 3, false, 0, 9, Bytes().u16(4).u16(0).b));
  s.resp(smb2(9, 2, true, 0, 9, write_resp(300000)));
  s.resp(smb2(4, 3, true, 0, 9, Bytes().u16(4).u16(0).b));
  // A gap at a message boundary: the framer must search for the next header.
  s.a->on_gap(Dir::kOrig, 50, s.at);
  s.send(Dir::kOrig, std::string("\x01\x02\x03", 3));
  s.req(smb2(2, 4, false, 0, 0, Bytes().u16(4).u16(0).b));
  s.a->on_end(s.at);
  int resyncs = 0;
  for (const auto& r : s.c.smb) resyncs += r.has_note("resync") || r.has_note("gap");
  EXPECT_GE(resyncs, 2);
  const SmbRecord* tc = s.find("TREE_CONNECT");
  ASSERT_NE(tc, nullptr);
  EXPECT_EQ(tc->tree, "\\\\h\\IPC$");
  const SmbRecord* w = s.find("WRITE");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->bytes, 300000u);
  const SmbRecord* td = s.find("TREE_DISCONNECT");
  ASSERT_NE(td, nullptr);
  EXPECT_EQ(td->status_name, "STATUS_SUCCESS");
  const SmbRecord* lo = s.find("LOGOFF");
  ASSERT_NE(lo, nullptr);  // found again after the boundary gap
  EXPECT_TRUE(lo->has_note("no-response"));
}

TEST(SmbHand, NetbiosSessionOn139ThenSmb) {
  Session s;
  std::string req = std::string("\x81\x00\x00\x44", 4) + " " + std::string(32, 'C') + '\0' + " " +
                    std::string(32, 'E') + '\0';
  EXPECT_EQ(probe(std::span(reinterpret_cast<const uint8_t*>(req.data()), req.size()), Dir::kOrig), Match::kYes);
  s.send(Dir::kOrig, req);
  s.send(Dir::kResp, std::string("\x82\x00\x00\x00", 4));
  s.req(smb1(0x72, 1, false, 0, 0, "", std::string("\x02NT LM 0.12\0", 12)));
  s.resp(smb1(0x72, 1, true, 0, 0, Bytes().u16(0).u8(0x03).zeros(31).b, ""));
  s.a->on_end(s.at);
  ASSERT_EQ(s.c.smb.size(), 1u);
  EXPECT_EQ(s.c.smb[0].dialect, "NT LM 0.12");
}

TEST(SmbHand, EncryptedTransformIsNotedOnce) {
  Session s;
  Bytes t;
  t.raw("\xfdSMB").zeros(48);
  s.req(t.b + std::string(100, 'z'));
  s.resp(t.b + std::string(80, 'z'));
  s.req(t.b + std::string(10, 'z'));
  s.a->on_end(s.at);
  ASSERT_EQ(s.c.smb.size(), 1u);
  EXPECT_TRUE(s.c.smb[0].has_note("encrypted"));
  EXPECT_EQ(s.c.smb[0].version, 3);
}

TEST(SmbHand, TruncatedStreamEmitsPendingAndNeverReadsPastTheEnd) {
  // Every prefix of a real exchange: no crash, and what was complete is reported.
  std::string stream = nb(smb2(3, 1, false, 0, 0, tree_connect_req("\\\\h\\IPC$"))) +
                       nb(smb2(5, 2, false, 0, 0, create_req("samr")));
  for (size_t cut = 0; cut <= stream.size(); ++cut) {
    Session s;
    s.send(Dir::kOrig, stream.substr(0, cut));
    s.a->on_end(s.at);
    size_t complete = cut >= stream.size() ? 2 : cut >= nb(smb2(3, 1, false, 0, 0, tree_connect_req("\\\\h\\IPC$"))).size() ? 1 : 0;
    EXPECT_EQ(s.c.smb.size(), complete) << cut;
  }
}

TEST(SmbProbe, RecognisesSmbFramesOnly) {
  auto p = [](const std::string& s) {
    return probe(std::span(reinterpret_cast<const uint8_t*>(s.data()), s.size()), Dir::kOrig);
  };
  EXPECT_EQ(p(std::string("\x00\x00\x00\x45\xffSMBr", 9)), Match::kYes);
  EXPECT_EQ(p(std::string("\x00\x00\x00\x45\xfeSMB", 8)), Match::kYes);
  EXPECT_EQ(p(std::string("\x00\x00\x00\x45\xfdSMB", 8)), Match::kYes);
  EXPECT_EQ(p(std::string("\x00\x00\x00\x45GET ", 8)), Match::kNo);
  EXPECT_EQ(p("GET / HTTP/1.1\r\n"), Match::kNo);
  EXPECT_EQ(p(std::string("\x00\x00", 2)), Match::kMaybe);
  EXPECT_EQ(p(""), Match::kNo);
}

TEST(SmbNtlm, AuthenticateFieldsAndResponseTypes) {
  Bytes m;
  m.raw(std::string("NTLMSSP\0", 8)).u32(3);
  // Lm(24) Nt(24) Domain User Workstation SessionKey, then flags (Unicode).
  const uint32_t base = 72;
  m.u16(24).u16(24).u32(base).u16(24).u16(24).u32(base + 24);
  m.u16(6).u16(6).u32(base + 48).u16(8).u16(8).u32(base + 54).u16(4).u16(4).u32(base + 62);
  m.u16(0).u16(0).u32(0).u32(0x00000001).zeros(8);
  ASSERT_EQ(m.b.size(), base);
  m.zeros(48).utf16("DOM").utf16("user").utf16("WS");
  NtlmMessage n = find_ntlmssp(std::span(reinterpret_cast<const uint8_t*>(m.b.data()), m.b.size()));
  EXPECT_EQ(n.type, NtlmType::kAuthenticate);
  EXPECT_FALSE(n.malformed);
  EXPECT_EQ(n.user, "user");
  EXPECT_EQ(n.domain, "DOM");
  EXPECT_EQ(n.workstation, "WS");
  EXPECT_EQ(n.method(), "NTLMv1");
  // Every truncation of it parses without reading past the end.
  for (size_t cut = 0; cut < m.b.size(); ++cut) {
    std::string t = m.b.substr(0, cut);
    (void)parse_ntlmssp(std::span(reinterpret_cast<const uint8_t*>(t.data()), t.size()));
  }
}

// The MS17-010 check (nmap smb-vuln-ms17-010 / Metasploit): PeekNamedPipe on FID 0 of IPC$, answered
// STATUS_INSUFF_SERVER_RESOURCES by an unpatched host; then the DoublePulsar check (TRANS2 SESSION_SETUP).
TEST(SmbEternalblue, Ms17010CheckAndLoginsAsTsharkSeesThem) {
  if (!testing::have_tool("tshark")) GTEST_SKIP();
  const std::string pcap = testing::shared_pcap("id2t-eternalblue-scan.pcap");
  Collector c = analyze(pcap);
  auto trans_status = tshark_values(pcap, "tcp && smb.cmd==0x25 && smb.flags.response==1", "smb.nt_status");
  ASSERT_EQ(trans_status, "0xc0000205\n");
  std::vector<const SmbRecord*> peeks;
  for (const auto& r : c.smb)
    if (r.subcommand == "PeekNamedPipe") peeks.push_back(&r);
  ASSERT_EQ(peeks.size(), 1u);
  EXPECT_EQ(fmt::format("0x{:08x}\n", *peeks[0]->status), trans_status);
  EXPECT_EQ(peeks[0]->fid, 0);
  EXPECT_EQ(peeks[0]->tree, "\\\\192.168.189.140\\IPC$");
  EXPECT_TRUE(peeks[0]->has_note("ms17-010-check"));
  EXPECT_TRUE(peeks[0]->has_note("ms17-010-vulnerable"));
  // DoublePulsar: the answer kept the request's multiplex id, so no implant.
  auto mids = tshark_values(pcap, "tcp && smb.cmd==0x32", "smb.mid");
  ASSERT_EQ(mids, "65\n65\n");
  const SmbRecord* dp = nullptr;
  for (const auto& r : c.smb)
    if (r.subcommand == "TRANS2_SESSION_SETUP") dp = &r;
  ASSERT_NE(dp, nullptr);
  EXPECT_TRUE(dp->has_note("doublepulsar-check"));
  EXPECT_FALSE(dp->has_note("doublepulsar-present"));
  EXPECT_EQ(dp->status_name, "STATUS_NOT_IMPLEMENTED");
  // Logins: an NTLMv2 attempt refused (tshark: 0xc000006d), then an anonymous plain session accepted.
  ASSERT_EQ(c.auth.size(), 2u);
  EXPECT_EQ(c.auth[0].method, "NTLMv2");
  EXPECT_EQ(c.auth[0].outcome, AuthOutcome::kFailure);
  EXPECT_EQ(c.auth[0].reply, "STATUS_LOGON_FAILURE");
  EXPECT_EQ(c.auth[1].method, "anonymous");
  EXPECT_EQ(c.auth[1].outcome, AuthOutcome::kSuccess);
  // tshark prints the two error statuses (it leaves the field out of the successful last reply).
  EXPECT_EQ(tshark_values(pcap, "tcp && smb.cmd==0x73 && smb.flags.response==1", "smb.nt_status"),
            "0xc0000016\n0xc000006d\n");
}

TEST(SmbRawNtlm, SuccessfulLoginAndPipesOverSmb1) {
  if (!testing::have_tool("tshark")) GTEST_SKIP();
  Collector c = analyze(testing::shared_pcap("zeek-smb-raw-ntlm.pcap"));
  ASSERT_EQ(c.auth.size(), 1u);
  EXPECT_EQ(c.auth[0].user, "TEST-F7DFBC3FE9\\test");
  EXPECT_EQ(c.auth[0].method, "NTLMv2");
  EXPECT_EQ(c.auth[0].outcome, AuthOutcome::kSuccess);
  // DCE/RPC over SMB1 TRANSACTION (TransactNmPipe): the binds name their interfaces.
  std::vector<std::string> ifaces;
  for (const auto& r : c.smb)
    if (r.subcommand == "dcerpc_bind") ifaces.emplace_back(r.rpc_interface);
  EXPECT_EQ(sorted_join(ifaces), "lsarpc\nsrvsvc\n");
}

}  // namespace
}  // namespace trawl::proto::smb
