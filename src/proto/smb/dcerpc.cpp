#include "proto/smb/dcerpc.h"

#include <fmt/format.h>

#include "proto/smb/ntlmssp.h"
#include "util/bytes.h"

namespace trawl::proto::smb {

namespace {
constexpr RpcInterface kInterfaces[] = {
    {"4b324fc8-1670-01d3-1278-5a47bf6ee188", "srvsvc"},
    {"12345778-1234-abcd-ef00-0123456789ac", "samr"},
    {"12345778-1234-abcd-ef00-0123456789ab", "lsarpc"},
    {"12345678-1234-abcd-ef00-01234567cffb", "netlogon"},
    {"6bffd098-a112-3610-9833-46c3f87e345a", "wkssvc"},
    {"367abb81-9844-35f1-ad32-98f038001003", "svcctl"},
    {"1ff70682-0a51-30e8-076d-740be8cee98b", "atsvc"},
    {"338cd001-2244-31f1-aaaa-900038001003", "winreg"},
    {"50abc2a4-574d-40b3-9d66-ee4fd5fba076", "dnsserver"},
    {"20610036-fa22-11cf-9823-00a0c911e5df", "rasrpc"},
    {"6bffd098-a112-3610-9833-012892020162", "browser"},
    {"e1af8308-5d1f-11c9-91a4-08002b14a0fa", "epmapper"},
    {"12345678-1234-abcd-ef00-0123456789ab", "spoolss"},
    {"82273fdc-e32a-18c3-3f78-827929dc23ea", "eventlog"},
    {"3919286a-b10c-11d0-9ba8-00c04fd92ef5", "dssetup"},
    {"e3514235-4b06-11d1-ab04-00c04fc2dcd2", "drsuapi"},
    {"86d35949-83c9-4044-b424-db363231fd0c", "tsch"},
    {"378e52b0-c0a9-11cf-822d-00aa0051e40f", "sasec"},
    {"4fc742e0-4a10-11cf-8273-00aa004ae673", "netdfs"},
    {"8d9f4e40-a03d-11ce-8f69-08003e30051b", "pnp"},
    {"894de0c0-0d55-11d3-a322-00c04fa321a1", "initshutdown"},
    {"c681d488-d850-11d0-8c52-00c04fd90f7e", "efsrpc"},
    {"df1941c5-fe89-4e79-bf10-463657acf44d", "efsrpc"},
};

struct Op {
  uint16_t opnum;
  std::string_view name;
};
constexpr Op kSrvsvc[] = {
    {8, "NetConnEnum"}, {9, "NetFileEnum"}, {11, "NetFileClose"}, {12, "NetSessEnum"}, {13, "NetSessDel"},
    {14, "NetShareAdd"}, {15, "NetShareEnumAll"}, {16, "NetShareGetInfo"}, {17, "NetShareSetInfo"},
    {18, "NetShareDel"}, {20, "NetShareCheck"}, {21, "NetSrvGetInfo"}, {22, "NetSrvSetInfo"},
    {23, "NetDiskEnum"}, {24, "NetServerStatisticsGet"}, {26, "NetTransportEnum"}, {28, "NetRemoteTOD"},
    {30, "NetPathType"}, {31, "NetPathCanonicalize"}, {32, "NetPathCompare"}, {33, "NetNameValidate"},
    {34, "NetNameCanonicalize"}, {35, "NetNameCompare"}, {36, "NetShareEnum"},
};
constexpr Op kSamr[] = {
    {0, "Connect"}, {1, "Close"}, {3, "QuerySecurity"}, {5, "LookupDomain"}, {6, "EnumDomains"},
    {7, "OpenDomain"}, {8, "QueryDomainInfo"}, {13, "EnumDomainUsers"}, {17, "LookupNames"},
    {18, "LookupRids"}, {19, "OpenGroup"}, {25, "GetMembersInGroup"}, {27, "OpenAlias"},
    {33, "GetMembersInAlias"}, {34, "OpenUser"}, {36, "QueryUserInfo"}, {37, "SetUserInfo"},
    {39, "GetGroupsForUser"}, {44, "GetUserPwInfo"}, {50, "CreateUser2"}, {56, "GetDomPwInfo"},
    {57, "Connect2"}, {58, "SetUserInfo2"}, {62, "Connect4"}, {64, "Connect5"}, {65, "RidToSid"},
};
constexpr Op kLsarpc[] = {
    {0, "Close"}, {6, "OpenPolicy"}, {7, "QueryInfoPolicy"}, {14, "LookupNames"}, {15, "LookupSids"},
    {44, "OpenPolicy2"}, {45, "GetUserName"}, {46, "QueryInfoPolicy2"}, {57, "LookupSids2"},
    {58, "LookupNames2"}, {68, "LookupNames3"}, {76, "LookupSids3"}, {77, "LookupNames4"},
};
constexpr Op kNetlogon[] = {
    {2, "NetrLogonSamLogon"}, {3, "NetrLogonSamLogoff"}, {4, "NetrServerReqChallenge"},
    {5, "NetrServerAuthenticate"}, {6, "NetrServerPasswordSet"}, {15, "NetrServerAuthenticate2"},
    {21, "NetrLogonGetCapabilities"}, {26, "NetrServerAuthenticate3"}, {29, "NetrLogonGetDomainInfo"},
    {30, "NetrServerPasswordSet2"}, {39, "NetrLogonSamLogonEx"}, {40, "DsrEnumerateDomainTrusts"},
    {45, "NetrLogonSamLogonWithFlags"},
};
constexpr Op kWkssvc[] = {
    {0, "NetWkstaGetInfo"}, {1, "NetWkstaSetInfo"}, {2, "NetWkstaEnumUsers"}, {5, "NetWkstaTransportEnum"},
    {22, "NetrJoinDomain2"}, {23, "NetrUnjoinDomain2"}, {27, "NetrAddAlternateComputerName"},
};
constexpr Op kSvcctl[] = {
    {0, "CloseServiceHandle"}, {1, "ControlService"}, {2, "DeleteService"}, {6, "QueryServiceStatus"},
    {11, "ChangeServiceConfigW"}, {12, "CreateServiceW"}, {14, "EnumServicesStatusW"},
    {15, "OpenSCManagerW"}, {16, "OpenServiceW"}, {17, "QueryServiceConfigW"}, {19, "StartServiceW"},
    {24, "CreateServiceA"}, {27, "OpenSCManagerA"}, {28, "OpenServiceA"}, {31, "StartServiceA"},
    {44, "CreateServiceWOW64A"}, {45, "CreateServiceWOW64W"},
};
constexpr Op kAtsvc[] = {{0, "JobAdd"}, {1, "JobDel"}, {2, "JobEnum"}, {3, "JobGetInfo"}};
constexpr Op kWinreg[] = {
    {0, "OpenHKCR"}, {1, "OpenHKCU"}, {2, "OpenHKLM"}, {4, "OpenHKU"}, {5, "CloseKey"}, {6, "CreateKey"},
    {7, "DeleteKey"}, {8, "DeleteValue"}, {9, "EnumKey"}, {10, "EnumValue"}, {11, "FlushKey"},
    {12, "GetKeySecurity"}, {15, "OpenKey"}, {16, "QueryInfoKey"}, {17, "QueryValue"}, {20, "SaveKey"},
    {22, "SetValue"}, {26, "GetVersion"},
};
constexpr Op kDnsserver[] = {
    {0, "DnssrvOperation"}, {1, "DnssrvQuery"}, {2, "DnssrvComplexOperation"}, {3, "DnssrvEnumRecords"},
    {4, "DnssrvUpdateRecord"}, {5, "DnssrvOperation2"}, {6, "DnssrvQuery2"},
};
constexpr Op kEpmapper[] = {{0, "ept_insert"}, {1, "ept_delete"}, {2, "ept_lookup"}, {3, "ept_map"}};
constexpr Op kTsch[] = {{1, "SchRpcRegisterTask"}, {12, "SchRpcRun"}, {14, "SchRpcDelete"}};
constexpr Op kSpoolss[] = {{0, "EnumPrinters"}, {1, "OpenPrinter"}, {29, "ClosePrinter"}, {69, "OpenPrinterEx"}};

struct OpTable {
  std::string_view iface;
  std::span<const Op> ops;
};
constexpr OpTable kOpTables[] = {
    {"srvsvc", kSrvsvc}, {"samr", kSamr}, {"lsarpc", kLsarpc}, {"netlogon", kNetlogon},
    {"wkssvc", kWkssvc}, {"svcctl", kSvcctl}, {"atsvc", kAtsvc}, {"winreg", kWinreg},
    {"dnsserver", kDnsserver}, {"epmapper", kEpmapper}, {"tsch", kTsch}, {"spoolss", kSpoolss},
};

std::string format_uuid(const uint8_t* p, bool little_endian) {
  uint32_t d1 = little_endian ? load_le32(p) : load_be32(p);
  uint16_t d2 = little_endian ? load_le16(p + 4) : load_be16(p + 4);
  uint16_t d3 = little_endian ? load_le16(p + 6) : load_be16(p + 6);
  return fmt::format("{:08x}-{:04x}-{:04x}-{:02x}{:02x}-{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}", d1, d2, d3, p[8],
                     p[9], p[10], p[11], p[12], p[13], p[14], p[15]);
}

// NDR reader over a stub: 4-byte alignment is relative to the stub start.
struct Ndr {
  std::span<const uint8_t> s;
  size_t pos = 0;
  bool le = true;
  bool u32(uint32_t& v) {
    pos = (pos + 3) & ~size_t(3);
    if (pos > s.size() || s.size() - pos < 4) return false;
    v = le ? load_le32(s.data() + pos) : load_be32(s.data() + pos);
    pos += 4;
    return true;
  }
  // A conformant varying UTF-16 string: max count, offset, actual count, then the characters. Keeps as
  // much as is there (up to the cap) and says whether it was all there.
  bool wstring(std::string* out, bool& truncated) {
    uint32_t max = 0, offset = 0, actual = 0;
    if (!u32(max) || !u32(offset) || !u32(actual)) return false;
    (void)max, (void)offset;
    size_t want = size_t(actual) * 2;
    size_t have = std::min(want, s.size() - pos);
    if (out) {
      size_t keep = std::min(have, kMaxRpcArg * 2);
      append_utf16le(*out, s.subspan(pos, keep));
      while (!out->empty() && out->back() == '\0') out->pop_back();
      truncated = keep < want;
    }
    pos += have;
    return have == want;
  }
};
}  // namespace

const RpcInterface* find_rpc_interface(std::string_view uuid) {
  for (const auto& i : kInterfaces)
    if (i.uuid == uuid) return &i;
  return nullptr;
}

std::string_view rpc_operation_name(const RpcInterface* iface, uint16_t opnum) {
  if (!iface) return {};
  for (const auto& t : kOpTables) {
    if (t.iface != iface->name) continue;
    for (const auto& op : t.ops)
      if (op.opnum == opnum) return op.name;
  }
  return {};
}

RpcPdu parse_rpc_pdu(std::span<const uint8_t> d, const RpcInterface* iface) {
  RpcPdu pdu;
  if (d.size() < 16 || d[0] != 5 || d[1] > 1) return pdu;
  pdu.ptype = RpcPtype(d[2]);
  uint8_t flags = d[3];
  bool le = (d[4] & 0x10) != 0;
  pdu.frag_len = le ? load_le16(d.data() + 8) : load_be16(d.data() + 8);
  uint16_t auth_len = le ? load_le16(d.data() + 10) : load_be16(d.data() + 10);
  if (pdu.frag_len < 16) return pdu;
  pdu.valid = true;
  pdu.first_frag = flags & 0x01;
  // The bytes of this PDU that are here (a PDU may continue in the next write).
  std::span<const uint8_t> body = d.subspan(0, std::min<size_t>(d.size(), pdu.frag_len));
  switch (pdu.ptype) {
    case RpcPtype::kBind:
    case RpcPtype::kAlterContext:
      // max_xmit(2) max_recv(2) assoc_group(4) n_ctx(1) pad(3), then ctx_id(2) n_transfer(1) pad(1) uuid(16).
      if (body.size() >= 16 + 12 + 4 + 16 && body[24] > 0) pdu.uuid = format_uuid(body.data() + 32, le);
      break;
    case RpcPtype::kRequest: {
      if (body.size() < 24) break;
      pdu.opnum = le ? load_le16(body.data() + 22) : load_be16(body.data() + 22);
      pdu.has_opnum = true;
      size_t stub = 24 + ((flags & 0x80) ? 16 : 0);  // object UUID present
      if (!pdu.first_frag || !iface || iface->name != "srvsvc" || (pdu.opnum != 31 && pdu.opnum != 32)) break;
      if (stub > body.size()) break;
      size_t stub_end = body.size();
      if (auth_len && size_t(auth_len) + 8 < stub_end - stub) stub_end -= size_t(auth_len) + 8;
      Ndr ndr{body.subspan(stub, stub_end - stub), 0, le};
      // [unique] wchar_t* ServerName, then wchar_t* PathName (a [ref] string: no pointer on the wire).
      uint32_t referent = 0;
      if (!ndr.u32(referent)) break;
      bool dummy = false;
      if (referent != 0 && !ndr.wstring(nullptr, dummy)) {
        pdu.arg_truncated = true;
        break;
      }
      if (!ndr.wstring(&pdu.arg, pdu.arg_truncated)) pdu.arg_truncated = true;
      break;
    }
    default:
      break;
  }
  return pdu;
}

}  // namespace trawl::proto::smb
