// DCE/RPC connection-oriented PDUs (C706 ch. 12, MS-RPCE) as they travel over SMB named pipes: binds
// (which interface) and requests (which operation). Only the first PDU of a pipe write is looked at and
// only its first fragment; the stub is read just for the srvsvc path arguments the MS08-067 probe uses.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace trawl::proto::smb {

enum class RpcPtype : uint8_t {
  kRequest = 0, kResponse = 2, kFault = 3, kBind = 11, kBindAck = 12, kBindNak = 13, kAlterContext = 14,
  kAlterContextResp = 15,
};

// A well-known interface: its index in the table, UUID text and the short name analysts use.
struct RpcInterface {
  std::string_view uuid;  // lower-case canonical text
  std::string_view name;  // "srvsvc", "samr", ...
};
// The interface with this canonical UUID text, or nullptr.
const RpcInterface* find_rpc_interface(std::string_view uuid);
// The operation name of opnum on interface `iface` (nullptr: unknown interface), or empty.
std::string_view rpc_operation_name(const RpcInterface* iface, uint16_t opnum);

struct RpcPdu {
  bool valid = false;          // a version-5 CO PDU header was found
  RpcPtype ptype{};
  uint16_t frag_len = 0;
  bool first_frag = false;
  std::string uuid;            // bind / alter context: the first context's abstract syntax
  uint16_t opnum = 0;          // request
  bool has_opnum = false;
  std::string arg;             // srvsvc NetPathCanonicalize / NetPathCompare: the (first) path argument
  bool arg_truncated = false;  // the path went past the bytes at hand or the cap
};

// Parses the PDU at the start of `data` (a pipe write or transceive input). `iface` is the interface
// bound on that pipe, needed to know which requests carry a path argument.
RpcPdu parse_rpc_pdu(std::span<const uint8_t> data, const RpcInterface* iface);

inline constexpr size_t kMaxRpcArg = 4096;  // bytes of UTF-8 kept from a path argument

}  // namespace trawl::proto::smb
