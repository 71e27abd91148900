// FtpRecord: one FTP command with its reply (ftp.jsonl), or one reply nobody asked for (the greeting,
// a 421 before closing). Field names follow Zeek's ftp.log where Zeek has the same field.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "proto/record.h"

namespace trawl::proto::ftp {

struct FtpRecord final : Record {
  RecordOrigin origin;       // the packet that carried the final reply (or the command, if none came)
  std::string user;          // the last USER argument before this command
  std::string command;       // upper-cased verb; empty for an unsolicited reply
  std::string arg;           // as sent; PASS arguments are masked unless --show-passwords
  std::string file;          // the argument of RETR/STOR/STOU/APPE/DELE/RNFR/RNTO/SIZE/MDTM/...
  uint16_t reply_code = 0;   // final reply (0: none seen)
  std::string reply_msg;     // its text (last line of a multi-line reply; the first when that is empty)
  uint16_t prelim_code = 0;  // a 1xx reply before the final one (150 before 226), 0 when none
  uint32_t reply_lines = 0;  // lines in the final reply
  // Data connection announced by PORT/EPRT (active) or the reply to PASV/EPSV (passive): the data
  // connection goes from data_orig_h to data_h:data_p.
  bool has_data = false;
  bool data_passive = false;
  IpAddress data_orig_h, data_h;
  uint16_t data_p = 0;
  // On the transfer command (RETR, LIST, STOR, ...: one with a 1xx reply): the uid of the data
  // connection that opened from the last PORT/EPRT/PASV/EPSV, whose conn record says "ftp-data".
  std::string data_uid;
  std::vector<std::string> anomalies;

  static const RecordType kType;
  const RecordType& type() const override { return kType; }
  void write(output::TableWriter& w, const WriteOptions& options) const override;
};

}  // namespace trawl::proto::ftp
