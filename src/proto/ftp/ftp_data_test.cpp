// FTP data connections end to end: `trawl analyze` labels the connections that PASV/EPSV/PORT/EPRT
// announced "ftp-data" in conn.jsonl and names them in the transfer's ftp.jsonl record (data_uid),
// compared with tshark on real captures.
#include <map>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "proto/stream_test_support.h"
#include "support/testing.h"

namespace trawl::proto::ftp {
namespace {

using nlohmann::json;
using testing::tshark_rows;
using namespace trawl::testing;

std::vector<json> read_jsonl(const std::string& path) {
  std::vector<json> out;
  std::istringstream in(read_file(path));
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(json::parse(line));
  return out;
}

std::string endpoint(const std::string& addr, const std::string& port) { return addr + " " + port; }

struct TsharkView {
  std::map<std::string, std::string> stream_tuple;   // tcp.stream -> "orig port resp port" (from its SYN)
  std::set<std::string> data_streams;                 // the ones tshark dissects as ftp-data
  std::map<std::string, std::string> data_command;    // tcp.stream -> the command tshark ties it to
  std::set<std::string> active_endpoints;             // "addr port" announced by PORT/EPRT
};

TsharkView tshark_view(const std::string& pcap) {
  TsharkView t;
  for (const auto& r : tshark_rows(pcap, "tcp.flags.syn == 1 && tcp.flags.ack == 0",
                                   {"tcp.stream", "ip.src", "ipv6.src", "tcp.srcport", "ip.dst", "ipv6.dst",
                                    "tcp.dstport"}))
    t.stream_tuple[r[0]] = endpoint(r[1] + r[2], r[3]) + " " + endpoint(r[4] + r[5], r[6]);
  for (const auto& r : tshark_rows(pcap, "ftp-data", {"tcp.stream", "ftp-data.command"})) {
    t.data_streams.insert(r[0]);
    t.data_command[r[0]] = r[1];
  }
  for (const auto& r : tshark_rows(pcap, "ftp.active.cip || ftp.eprt.port",
                                   {"ftp.active.cip", "ftp.active.port", "ftp.eprt.ip", "ftp.eprt.ipv6", "ftp.eprt.port"}))
    t.active_endpoints.insert(r[0].empty() ? endpoint(r[2] + r[3], r[4]) : endpoint(r[0], r[1]));
  return t;
}

void check(const std::string& name) {
  SCOPED_TRACE(name);
  if (!have_tool("tshark")) GTEST_SKIP() << "tshark missing";
  std::string pcap = shared_pcap(name);
  TempDir dir;
  auto run_result = run(shell_quote(trawl_binary()) + " analyze --quiet -o " + shell_quote(dir.file("out")) + " " +
                        shell_quote(pcap));
  ASSERT_EQ(run_result.exit_code, 0) << run_result.err;

  // tshark labels a passive data connection ftp-data. For PORT/EPRT it expects the server to connect
  // from port 20 and labels nothing when the server uses another port (as in these captures), so the
  // active ones are the connections to the endpoints tshark parsed from PORT/EPRT.
  TsharkView t = tshark_view(pcap);
  std::set<std::string> expected;
  size_t passive = 0, active = 0;
  for (const auto& [stream, tuple] : t.stream_tuple) {
    std::string resp = tuple.substr(tuple.find(' ', tuple.find(' ') + 1) + 1);
    if (t.data_streams.count(stream)) ++passive, expected.insert(tuple);
    else if (t.active_endpoints.count(resp)) ++active, expected.insert(tuple);
  }
  ASSERT_GT(passive, 0u) << "the capture has passive transfers";
  ASSERT_GT(active, 0u) << "and active ones";
  ASSERT_EQ(t.data_streams.size(), passive) << "every tshark ftp-data stream starts with a SYN";

  std::set<std::string> labelled;
  std::map<std::string, std::string> tuple_of_uid;
  for (const auto& c : read_jsonl(dir.file("out/conn.jsonl"))) {
    std::string tuple = endpoint(c["src"], std::to_string(c["sport"].get<int>())) + " " +
                        endpoint(c["dst"], std::to_string(c["dport"].get<int>()));
    tuple_of_uid[c["uid"]] = tuple;
    if (c["service"] == "ftp-data") labelled.insert(tuple);
  }
  EXPECT_EQ(labelled, expected);

  // Each data connection is named once, by the transfer command tshark ties it to (passive ones) or
  // by a transfer command (active ones, which tshark does not follow).
  std::map<std::string, std::string> command_of_tuple;
  for (const auto& f : read_jsonl(dir.file("out/ftp.jsonl"))) {
    if (f["data_uid"].is_null()) continue;
    std::string tuple = tuple_of_uid[f["data_uid"]];
    EXPECT_EQ(command_of_tuple.count(tuple), 0u) << tuple << " named twice";
    std::string command = f["command"];
    if (!f["arg"].is_null()) {
      command += ' ';  // (not += " " + ...: GCC 12 warns falsely on that, -Wrestrict)
      command += f["arg"].get<std::string>();
    }
    command_of_tuple[tuple] = command;
  }
  std::set<std::string> linked;
  for (const auto& [tuple, command] : command_of_tuple) linked.insert(tuple);
  EXPECT_EQ(linked, expected);
  for (const auto& [stream, command] : t.data_command) {
    SCOPED_TRACE(t.stream_tuple[stream]);
    EXPECT_EQ(command_of_tuple[t.stream_tuple[stream]], command);
  }
  for (const auto& [tuple, command] : command_of_tuple)
    EXPECT_TRUE(command.starts_with("LIST") || command.starts_with("NLST") || command.starts_with("RETR")) << command;

  // The Zeek-style conn.log carries the same label.
  auto zeek = run(shell_quote(trawl_binary()) + " flows --quiet --format zeek " + shell_quote(pcap));
  size_t zeek_labelled = 0;
  for (size_t pos = 0; (pos = zeek.out.find("\ttcp\tftp-data\t", pos)) != std::string::npos; ++pos) ++zeek_labelled;
  EXPECT_EQ(zeek_labelled, expected.size());
}

TEST(FtpDataCapture, Ipv4PasvAndPortSameAsTshark) { check("zeek-ftp-ipv4.pcap"); }
TEST(FtpDataCapture, Ipv6EpsvAndEprtSameAsTshark) { check("zeek-ftp-ipv6.pcap"); }

}  // namespace
}  // namespace trawl::proto::ftp
