#include "proto/smb/smb_names.h"

namespace trawl::proto::smb {

namespace {
struct Named32 {
  uint32_t value;
  std::string_view name;
};
struct Named16 {
  uint16_t value;
  std::string_view name;
};

template <typename Table, typename V>
std::string_view find(const Table& table, V value) {
  for (const auto& e : table)
    if (e.value == value) return e.name;
  return {};
}

constexpr Named32 kStatuses[] = {
    {0x00000000, "STATUS_SUCCESS"},
    {0x00000103, "STATUS_PENDING"},
    {0x0000010B, "STATUS_NOTIFY_CLEANUP"},
    {0x0000010C, "STATUS_NOTIFY_ENUM_DIR"},
    {0x80000005, "STATUS_BUFFER_OVERFLOW"},
    {0x80000006, "STATUS_NO_MORE_FILES"},
    {0xC0000001, "STATUS_UNSUCCESSFUL"},
    {0xC0000002, "STATUS_NOT_IMPLEMENTED"},
    {0xC0000003, "STATUS_INVALID_INFO_CLASS"},
    {0xC0000008, "STATUS_INVALID_HANDLE"},
    {0xC000000D, "STATUS_INVALID_PARAMETER"},
    {0xC000000F, "STATUS_NO_SUCH_FILE"},
    {0xC0000010, "STATUS_INVALID_DEVICE_REQUEST"},
    {0xC0000011, "STATUS_END_OF_FILE"},
    {0xC0000016, "STATUS_MORE_PROCESSING_REQUIRED"},
    {0xC0000022, "STATUS_ACCESS_DENIED"},
    {0xC0000023, "STATUS_BUFFER_TOO_SMALL"},
    {0xC0000033, "STATUS_OBJECT_NAME_INVALID"},
    {0xC0000034, "STATUS_OBJECT_NAME_NOT_FOUND"},
    {0xC0000035, "STATUS_OBJECT_NAME_COLLISION"},
    {0xC000003A, "STATUS_OBJECT_PATH_NOT_FOUND"},
    {0xC0000043, "STATUS_SHARING_VIOLATION"},
    {0xC0000061, "STATUS_PRIVILEGE_NOT_HELD"},
    {0xC0000064, "STATUS_NO_SUCH_USER"},
    {0xC000006A, "STATUS_WRONG_PASSWORD"},
    {0xC000006D, "STATUS_LOGON_FAILURE"},
    {0xC000006E, "STATUS_ACCOUNT_RESTRICTION"},
    {0xC000006F, "STATUS_INVALID_LOGON_HOURS"},
    {0xC0000070, "STATUS_INVALID_WORKSTATION"},
    {0xC0000071, "STATUS_PASSWORD_EXPIRED"},
    {0xC0000072, "STATUS_ACCOUNT_DISABLED"},
    {0xC00000AC, "STATUS_PIPE_NOT_AVAILABLE"},
    {0xC00000AD, "STATUS_INVALID_PIPE_STATE"},
    {0xC00000AE, "STATUS_PIPE_BUSY"},
    {0xC00000B0, "STATUS_PIPE_DISCONNECTED"},
    {0xC00000B1, "STATUS_PIPE_CLOSING"},
    {0xC00000B5, "STATUS_IO_TIMEOUT"},
    {0xC00000BA, "STATUS_FILE_IS_A_DIRECTORY"},
    {0xC00000BB, "STATUS_NOT_SUPPORTED"},
    {0xC00000C9, "STATUS_NETWORK_NAME_DELETED"},
    {0xC00000CC, "STATUS_BAD_NETWORK_NAME"},
    {0xC00000D0, "STATUS_REQUEST_NOT_ACCEPTED"},
    {0xC00000E5, "STATUS_INTERNAL_ERROR"},
    {0xC0000101, "STATUS_DIRECTORY_NOT_EMPTY"},
    {0xC0000103, "STATUS_NOT_A_DIRECTORY"},
    {0xC0000120, "STATUS_CANCELLED"},
    {0xC0000128, "STATUS_FILE_CLOSED"},
    {0xC000015B, "STATUS_LOGON_TYPE_NOT_GRANTED"},
    {0xC0000184, "STATUS_INVALID_DEVICE_STATE"},
    {0xC000018D, "STATUS_TRUSTED_RELATIONSHIP_FAILURE"},
    {0xC0000193, "STATUS_ACCOUNT_EXPIRED"},
    {0xC0000199, "STATUS_NOLOGON_WORKSTATION_TRUST_ACCOUNT"},
    {0xC0000203, "STATUS_USER_SESSION_DELETED"},
    {0xC0000205, "STATUS_INSUFF_SERVER_RESOURCES"},
    {0xC0000224, "STATUS_PASSWORD_MUST_CHANGE"},
    {0xC0000225, "STATUS_NOT_FOUND"},
    {0xC0000234, "STATUS_ACCOUNT_LOCKED_OUT"},
    {0xC000035C, "STATUS_NETWORK_SESSION_EXPIRED"},
    {0xC0000388, "STATUS_DOWNGRADE_DETECTED"},
    {0xC000A000, "STATUS_INVALID_SIGNATURE"},
};

constexpr Named16 kSmb1Commands[] = {
    {0x00, "CREATE_DIRECTORY"}, {0x01, "DELETE_DIRECTORY"}, {0x02, "OPEN"}, {0x03, "CREATE"},
    {0x04, "CLOSE"}, {0x05, "FLUSH"}, {0x06, "DELETE"}, {0x07, "RENAME"}, {0x08, "QUERY_INFORMATION"},
    {0x09, "SET_INFORMATION"}, {0x0A, "READ"}, {0x0B, "WRITE"}, {0x0C, "LOCK_BYTE_RANGE"},
    {0x0D, "UNLOCK_BYTE_RANGE"}, {0x0E, "CREATE_TEMPORARY"}, {0x0F, "CREATE_NEW"},
    {0x10, "CHECK_DIRECTORY"}, {0x11, "PROCESS_EXIT"}, {0x12, "SEEK"}, {0x13, "LOCK_AND_READ"},
    {0x14, "WRITE_AND_UNLOCK"}, {0x1A, "READ_RAW"}, {0x1B, "READ_MPX"}, {0x1D, "WRITE_RAW"},
    {0x1E, "WRITE_MPX"}, {0x20, "WRITE_COMPLETE"}, {0x22, "SET_INFORMATION2"},
    {0x23, "QUERY_INFORMATION2"}, {0x24, "LOCKING_ANDX"}, {0x25, "TRANSACTION"},
    {0x26, "TRANSACTION_SECONDARY"}, {0x27, "IOCTL"}, {0x28, "IOCTL_SECONDARY"}, {0x29, "COPY"},
    {0x2A, "MOVE"}, {0x2B, "ECHO"}, {0x2C, "WRITE_AND_CLOSE"}, {0x2D, "OPEN_ANDX"}, {0x2E, "READ_ANDX"},
    {0x2F, "WRITE_ANDX"}, {0x31, "CLOSE_AND_TREE_DISC"}, {0x32, "TRANSACTION2"},
    {0x33, "TRANSACTION2_SECONDARY"}, {0x34, "FIND_CLOSE2"}, {0x35, "FIND_NOTIFY_CLOSE"},
    {0x70, "TREE_CONNECT"}, {0x71, "TREE_DISCONNECT"}, {0x72, "NEGOTIATE"}, {0x73, "SESSION_SETUP_ANDX"},
    {0x74, "LOGOFF_ANDX"}, {0x75, "TREE_CONNECT_ANDX"}, {0x80, "QUERY_INFORMATION_DISK"}, {0x81, "SEARCH"},
    {0x82, "FIND"}, {0x83, "FIND_UNIQUE"}, {0x84, "FIND_CLOSE"}, {0xA0, "NT_TRANSACT"},
    {0xA1, "NT_TRANSACT_SECONDARY"}, {0xA2, "NT_CREATE_ANDX"}, {0xA4, "NT_CANCEL"}, {0xA5, "NT_RENAME"},
    {0xC0, "OPEN_PRINT_FILE"}, {0xC1, "WRITE_PRINT_FILE"}, {0xC2, "CLOSE_PRINT_FILE"},
    {0xC3, "GET_PRINT_QUEUE"},
};

constexpr std::string_view kSmb2Commands[] = {
    "NEGOTIATE", "SESSION_SETUP", "LOGOFF", "TREE_CONNECT", "TREE_DISCONNECT", "CREATE", "CLOSE",
    "FLUSH", "READ", "WRITE", "LOCK", "IOCTL", "CANCEL", "ECHO", "QUERY_DIRECTORY", "CHANGE_NOTIFY",
    "QUERY_INFO", "SET_INFO", "OPLOCK_BREAK",
};

constexpr Named16 kTrans2[] = {
    {0x00, "TRANS2_OPEN2"}, {0x01, "TRANS2_FIND_FIRST2"}, {0x02, "TRANS2_FIND_NEXT2"},
    {0x03, "TRANS2_QUERY_FS_INFORMATION"}, {0x04, "TRANS2_SET_FS_INFORMATION"},
    {0x05, "TRANS2_QUERY_PATH_INFORMATION"}, {0x06, "TRANS2_SET_PATH_INFORMATION"},
    {0x07, "TRANS2_QUERY_FILE_INFORMATION"}, {0x08, "TRANS2_SET_FILE_INFORMATION"},
    {0x09, "TRANS2_FSCTL"}, {0x0A, "TRANS2_IOCTL2"}, {0x0B, "TRANS2_FIND_NOTIFY_FIRST"},
    {0x0C, "TRANS2_FIND_NOTIFY_NEXT"}, {0x0D, "TRANS2_CREATE_DIRECTORY"},
    {0x0E, "TRANS2_SESSION_SETUP"}, {0x10, "TRANS2_GET_DFS_REFERRAL"}, {0x11, "TRANS2_REPORT_DFS_INCONSISTENCY"},
};

constexpr Named16 kTransFunctions[] = {
    {0x0001, "SetNmPHandState"}, {0x0021, "RawReadNmPipe"}, {0x0022, "QueryNmPHandState"},
    {0x0023, "PeekNamedPipe"}, {0x0024, "QueryNmPipeInfo"}, {0x0026, "TransactNmPipe"},
    {0x0031, "RawWriteNmPipe"}, {0x0036, "ReadNmPipe"}, {0x0037, "WriteNmPipe"},
    {0x0053, "WaitNmPipe"}, {0x0054, "CallNmPipe"},
};

constexpr Named16 kNtTransact[] = {
    {0x01, "NT_TRANSACT_CREATE"}, {0x02, "NT_TRANSACT_IOCTL"}, {0x03, "NT_TRANSACT_SET_SECURITY_DESC"},
    {0x04, "NT_TRANSACT_NOTIFY_CHANGE"}, {0x05, "NT_TRANSACT_RENAME"},
    {0x06, "NT_TRANSACT_QUERY_SECURITY_DESC"}, {0x07, "NT_TRANSACT_GET_USER_QUOTA"},
    {0x08, "NT_TRANSACT_SET_USER_QUOTA"},
};

constexpr Named32 kFsctls[] = {
    {0x0011C017, "FSCTL_PIPE_TRANSCEIVE"}, {0x0011400C, "FSCTL_PIPE_PEEK"}, {0x00110018, "FSCTL_PIPE_WAIT"},
    {0x00140078, "FSCTL_SRV_REQUEST_RESUME_KEY"}, {0x001441BB, "FSCTL_SRV_READ_HASH"},
    {0x001480F2, "FSCTL_SRV_COPYCHUNK_WRITE"}, {0x001440F2, "FSCTL_SRV_COPYCHUNK"},
    {0x001401D4, "FSCTL_LMR_REQUEST_RESILIENCY"}, {0x001401FC, "FSCTL_QUERY_NETWORK_INTERFACE_INFO"},
    {0x00140204, "FSCTL_VALIDATE_NEGOTIATE_INFO"}, {0x00060194, "FSCTL_DFS_GET_REFERRALS"},
    {0x000601B0, "FSCTL_DFS_GET_REFERRALS_EX"}, {0x00144064, "FSCTL_GET_SHADOW_COPY_DATA"},
    {0x000900A4, "FSCTL_SET_REPARSE_POINT"}, {0x000900A8, "FSCTL_GET_REPARSE_POINT"},
    {0x000980C8, "FSCTL_SET_ZERO_DATA"}, {0x0009003C, "FSCTL_GET_COMPRESSION"},
    {0x000900C0, "FSCTL_CREATE_OR_GET_OBJECT_ID"}, {0x000900C4, "FSCTL_SET_SPARSE"},
};
}  // namespace

std::string_view nt_status_name(uint32_t status) { return find(kStatuses, status); }
std::string_view smb1_command_name(uint8_t command) { return find(kSmb1Commands, uint16_t(command)); }
std::string_view smb2_command_name(uint16_t command) {
  return command < std::size(kSmb2Commands) ? kSmb2Commands[command] : std::string_view();
}
std::string_view trans2_subcommand_name(uint16_t subcommand) { return find(kTrans2, subcommand); }
std::string_view trans_function_name(uint16_t function) { return find(kTransFunctions, function); }
std::string_view nt_transact_function_name(uint16_t function) { return find(kNtTransact, function); }
std::string_view fsctl_name(uint32_t ctl_code) { return find(kFsctls, ctl_code); }

std::string_view smb2_dialect_name(uint16_t dialect) {
  switch (dialect) {
    case 0x0202: return "2.0.2";
    case 0x0210: return "2.1";
    case 0x0222: return "2.2.2";
    case 0x0224: return "2.2.4";
    case 0x0300: return "3.0";
    case 0x0302: return "3.0.2";
    case 0x0310: return "3.1.0";
    case 0x0311: return "3.1.1";
    case 0x02FF: return "2.???";
  }
  return {};
}

bool is_auth_failure(uint32_t status) {
  return status != kStatusMoreProcessing && (status >> 30) == 3;
}

}  // namespace trawl::proto::smb
