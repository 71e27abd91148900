// Names for the numbers SMB puts on the wire: NT status codes, SMB1/SMB2 commands, transaction
// subcommands, FSCTL codes and SMB2 dialects. Unknown numbers give an empty view; callers print the number.
#pragma once

#include <cstdint>
#include <string_view>

namespace trawl::proto::smb {

// NT status codes the detectors and analysts care about.
inline constexpr uint32_t kStatusSuccess = 0x00000000;
inline constexpr uint32_t kStatusPending = 0x00000103;
inline constexpr uint32_t kStatusMoreProcessing = 0xC0000016;
inline constexpr uint32_t kStatusLogonFailure = 0xC000006D;
inline constexpr uint32_t kStatusAccessDenied = 0xC0000022;
inline constexpr uint32_t kStatusInsuffServerResources = 0xC0000205;
inline constexpr uint32_t kStatusNotImplemented = 0xC0000002;

std::string_view nt_status_name(uint32_t status);
std::string_view smb1_command_name(uint8_t command);
std::string_view smb2_command_name(uint16_t command);
std::string_view trans2_subcommand_name(uint16_t subcommand);
std::string_view trans_function_name(uint16_t function);  // named-pipe functions of SMB_COM_TRANSACTION
std::string_view nt_transact_function_name(uint16_t function);
std::string_view fsctl_name(uint32_t ctl_code);
std::string_view smb2_dialect_name(uint16_t dialect);  // "2.0.2", "2.1", "3.0", "3.0.2", "3.1.1", "2.???"

// True for statuses that settle a login as refused (any error severity except MORE_PROCESSING).
bool is_auth_failure(uint32_t status);

}  // namespace trawl::proto::smb
