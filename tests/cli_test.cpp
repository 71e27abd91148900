// The trawl command as a user runs it: help, output files, bad input, rotated files.
#include <algorithm>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/testing.h"

namespace trawl::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string trawl(const std::string& args) { return shell_quote(trawl_binary()) + " " + args; }

std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

TEST(Cli, VersionAndHelp) {
  auto v = run(trawl("--version"));
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_THAT(v.out, HasSubstr("trawl 0."));
  auto h = run(trawl("--help"));
  EXPECT_EQ(h.exit_code, 0);
  for (const char* sub : {"packets", "top", "ips", "flows", "analyze"}) EXPECT_THAT(h.out, HasSubstr(sub));
  auto th = run(trawl("top --help"));
  EXPECT_EQ(th.exit_code, 0);
  EXPECT_THAT(th.out, HasSubstr("--by"));
  EXPECT_THAT(th.out, HasSubstr("--hosts"));
}

TEST(Cli, UsageErrorsExitTwo) {
  EXPECT_EQ(run(trawl("")).exit_code, 2);
  EXPECT_EQ(run(trawl("top")).exit_code, 2);  // no path
  auto r = run(trawl("top --format xml " + shell_quote(shared_pcap("zeek-arp-who-has.pcap"))));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("xml"));
}

// A directory as responders get it: good captures, a damaged one, junk named like a capture, and notes.
TEST(Cli, BadInputsAreReportedOnceAndTheRestIsRead) {
  TempDir dir;
  std::filesystem::copy_file(shared_pcap("zeek-ftp-ipv4.pcap"), dir.file("a.pcap"));
  std::string whole = read_file(shared_pcap("zeek-http-post.pcap"));
  write_file(dir.file("b.pcap"), whole.substr(0, whole.size() - 10));  // cut inside the last record
  write_file(dir.file("junk.pcap"), "this is not a capture file at all");
  write_file(dir.file("README.txt"), "notes from the sensor operator\n");
  write_file(dir.file("empty.pcapng"), "");
  auto r = run(trawl("packets --format csv " + shell_quote(dir.path())));
  EXPECT_EQ(r.exit_code, 2);
  auto err = lines(r.err);
  EXPECT_EQ(err.size(), 3u) << r.err;
  EXPECT_THAT(r.err, HasSubstr("junk.pcap"));
  EXPECT_THAT(r.err, HasSubstr("empty.pcapng"));
  EXPECT_THAT(r.err, HasSubstr("b.pcap: offset "));
  EXPECT_THAT(r.err, Not(HasSubstr("README")));
  // zeek-ftp-ipv4.pcap has 95 packets, zeek-http-post.pcap 14 of which the last is cut.
  EXPECT_EQ(lines(r.out).size(), 1u + 95 + 13);
}

TEST(Cli, MissingPathIsReportedAndOthersAreRead) {
  auto r = run(trawl("packets --format csv /nonexistent/trawl.pcap " + shell_quote(shared_pcap("zeek-arp-who-has.pcap"))));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("/nonexistent/trawl.pcap"));
  EXPECT_EQ(lines(r.out).size(), 1u + 2);
}

TEST(Cli, AllGoodInputExitsZeroWithQuietStderr) {
  auto r = run(trawl("top " + shell_quote(shared_pcap("zeek-http-post.pcap"))));
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.err, "");  // no progress bar when stderr is not a terminal
}

TEST(Cli, OutputFileAndUnwritableOutput) {
  TempDir dir;
  auto r = run(trawl("ips -o " + shell_quote(dir.file("ips.txt")) + " " + shell_quote(shared_pcap("zeek-http-post.pcap"))));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_GE(lines(read_file(dir.file("ips.txt"))).size(), 3u);
  auto bad = run(trawl("ips -o /nonexistent-dir/x.txt " + shell_quote(shared_pcap("zeek-http-post.pcap"))));
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("cannot write /nonexistent-dir/x.txt"));
}

TEST(Cli, UnsupportedLinkTypeIsCountedAndReportedOncePerFile) {
  TempDir dir;
  // Three frames of link type 147 (USER0): read, counted, not decoded.
  write_file(dir.file("user0.pcap"), make_pcap({{{1, 2, 3}}, {{4, 5, 6}}, {{7, 8, 9}}}, 147));
  auto r = run(trawl("analyze -o " + shell_quote(dir.file("out")) + " " + shell_quote(dir.file("user0.pcap"))));
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(lines(r.err).size(), 1u) << r.err;
  EXPECT_THAT(r.err, HasSubstr("user0.pcap: 3 packets of unsupported link type 147"));
  EXPECT_THAT(read_file(dir.file("out/summary.txt")), HasSubstr("unsupported link type 147 (linktype-147): 3 packets"));
}

TEST(Cli, FlowsInZeekFormat) {
  std::string pcap = shell_quote(shared_pcap("zeek-ftp-ipv4.pcap"));
  auto zeek = run(trawl("flows --format zeek " + pcap));
  auto jsonl = run(trawl("flows " + pcap));
  ASSERT_EQ(zeek.exit_code, 0);
  EXPECT_THAT(zeek.out, HasSubstr("#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice"));
  size_t rows = 0;
  for (const auto& line : lines(zeek.out)) rows += line[0] != '#';
  EXPECT_EQ(rows, lines(jsonl.out).size());
  // The FTP control connection exactly as Zeek's own conn.log of this trace has it.
  EXPECT_THAT(zeek.out, HasSubstr("\t141.142.220.235\t50003\t199.233.217.249\t21\ttcp\tftp\t38.055625\t180\t3146"
                                  "\tSF\t0\tShAdDfFa\t38\t2164\t25\t4458\n"));
}

// The service comes from the content, not the port: SMB is recognised on 445 by its messages, and a
// connection with no payload gets none.
TEST(Cli, ServiceComesFromContent) {
  auto r = run(trawl("flows --quiet " + shell_quote(shared_pcap("zeek-smb-raw-ntlm.pcap"))));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  int smb = 0;
  for (const auto& line : lines(r.out)) {
    auto j = nlohmann::json::parse(line);
    if (j["dport"] == 445 && j["resp_bytes"].get<int>() > 0) {
      EXPECT_EQ(j["service"], "smb") << line;
      ++smb;
    }
    if (j["orig_bytes"] == 0 && j["resp_bytes"] == 0) EXPECT_EQ(j["service"], "") << line;
  }
  EXPECT_EQ(smb, 1);
}

TEST(Cli, RecordsPrintsOneTypeAndRejectsUnknownOnes) {
  std::string pcap = shell_quote(shared_pcap("zeek-smb-raw-ntlm.pcap"));
  auto smb = run(trawl("records smb --format csv " + pcap));
  ASSERT_EQ(smb.exit_code, 0) << smb.err;
  auto rows = lines(smb.out);
  ASSERT_GT(rows.size(), 2u);
  EXPECT_EQ(rows[0].rfind("ts,uid,src,sport,dst,dport,file,frame,", 0), 0u) << rows[0];
  auto auth = run(trawl("records auth " + pcap));
  ASSERT_EQ(lines(auth.out).size(), 1u) << auth.out;
  EXPECT_EQ(nlohmann::json::parse(auth.out)["outcome"], "success");
  auto bad = run(trawl("records nosuchtype " + pcap));
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("nosuchtype"));
}

// Out-of-order data beyond --stream-buffer is skipped as a gap, and the summary says how often.
TEST(Cli, ReassemblyLimitsAreOptionsAndCounted) {
  TempDir dir;
  std::string pcap = shell_quote(shared_pcap("ppp-http-packets.pcap"));  // has capture holes mid-stream
  auto summary_line = [&](const std::string& extra) {
    auto r = run(trawl("analyze --quiet " + extra + " -o " + shell_quote(dir.file("o")) + " " + pcap));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    for (const auto& line : lines(read_file(dir.file("o/summary.txt"))))
      if (line.rfind("sessions:", 0) == 0) return line;
    return std::string();
  };
  EXPECT_THAT(summary_line(""), HasSubstr("(0 from buffering limits)"));
  std::string tight = summary_line("--stream-buffer 100");
  EXPECT_THAT(tight, Not(HasSubstr("(0 from buffering limits)"))) << tight;
  EXPECT_THAT(tight, HasSubstr("from buffering limits"));
}

// Drops the columns that name where a record came from (uid, file, frame, frames): they differ when the
// same traffic is read from other files.
std::vector<std::string> flows_without_origin(const std::string& jsonl) {
  std::vector<std::string> out;
  for (const auto& line : lines(jsonl)) {
    auto j = nlohmann::json::parse(line);
    for (const char* k : {"uid", "file", "frame", "frames"}) j.erase(k);
    out.push_back(j.dump());
  }
  return out;
}

TEST(Cli, RotatedFilesGiveTheSameFlowsAsTheWholeCapture) {
  if (!have_tool("editcap")) GTEST_SKIP() << "editcap not installed";
  TempDir dir;
  std::string whole = shared_pcap("zeek-ftp-ipv4.pcap");
  // Rotated the way a sensor does it: consecutive files of 20 packets, in a directory.
  ASSERT_EQ(run("editcap -c 20 " + shell_quote(whole) + " " + shell_quote(dir.file("rot.pcap"))).exit_code, 0);
  auto split_run = run(trawl("flows --quiet " + shell_quote(dir.path())));
  auto whole_run = run(trawl("flows --quiet " + shell_quote(whole)));
  ASSERT_EQ(split_run.exit_code, 0) << split_run.err;
  ASSERT_EQ(whole_run.exit_code, 0) << whole_run.err;
  auto a = flows_without_origin(split_run.out), b = flows_without_origin(whole_run.out);
  EXPECT_GT(a.size(), 2u);
  EXPECT_EQ(a, b);
  // A connection crossing file boundaries points at frames in more than one file.
  bool spans_files = false;
  for (const auto& line : lines(split_run.out)) spans_files |= nlohmann::json::parse(line)["frames"].size() > 1;
  EXPECT_TRUE(spans_files);
}

TEST(Cli, AnalyzeWritesItsFiles) {
  TempDir dir;
  auto r = run(trawl("analyze -o " + shell_quote(dir.file("out")) + " " + shell_quote(shared_pcap("zeek-ftp-ipv4.pcap"))));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("packets:      95"));
  for (const char* f : {"conn.jsonl", "hosts.jsonl", "top_pairs.csv", "summary.txt", "dns.jsonl", "http.jsonl",
                        "tls.jsonl", "smtp.jsonl", "pop3.jsonl", "imap.jsonl", "ftp.jsonl", "ssh.jsonl", "rdp.jsonl",
                        "smb.jsonl", "auth.jsonl"})
    EXPECT_TRUE(std::filesystem::exists(dir.file(std::string("out/") + f))) << f;
  auto conn = lines(read_file(dir.file("out/conn.jsonl")));
  ASSERT_FALSE(conn.empty());
  for (const auto& line : conn) {
    auto j = nlohmann::json::parse(line);
    for (const char* k : {"ts", "uid", "src", "sport", "dst", "dport", "proto", "conn_state", "history", "file", "frame"})
      EXPECT_TRUE(j.contains(k)) << k;
  }
  EXPECT_EQ(read_file(dir.file("out/summary.txt")).find("files:"), 0u);
}

// The sample capture's label file says what the script that made it did; every labelled exchange must
// appear as exactly one flow with the connection state Zeek gives such an exchange.
TEST(Cli, SampleCaptureFlowsMatchTheirLabels) {
  auto r = run(trawl("flows --quiet " + shell_quote(fixtures_dir() + "/sample.pcap")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<nlohmann::json> flows;
  for (const auto& line : lines(r.out)) flows.push_back(nlohmann::json::parse(line));
  auto labels = lines(read_file(fixtures_dir() + "/sample.labels.tsv"));
  ASSERT_GT(labels.size(), 10u);
  size_t checked = 0;
  for (size_t i = 1; i < labels.size(); ++i) {
    std::vector<std::string> f;
    std::istringstream in(labels[i]);
    for (std::string col; std::getline(in, col, '\t');) f.push_back(col);
    ASSERT_GE(f.size(), 6u);
    const std::string &what = f[0], &proto = f[1], &client = f[2], &server = f[3], &port = f[4], &state = f[5];
    if (proto == "arp") continue;
    SCOPED_TRACE(what);
    std::string icmp = proto == "icmp" && client.find(':') != std::string::npos ? "icmp6" : proto;
    int matches = 0;
    for (const auto& j : flows) {
      if (j["proto"] != icmp || j["src"] != client || j["dst"] != server) continue;
      if (proto == "icmp") {
        if (std::to_string(j["sport"].get<int>()) + "/" + std::to_string(j["dport"].get<int>()) != port) continue;
      } else if (std::to_string(j["dport"].get<int>()) != port) {
        continue;
      }
      EXPECT_EQ(j["conn_state"], state) << j.dump();
      ++matches;
    }
    EXPECT_GE(matches, 1);
    ++checked;
  }
  EXPECT_EQ(checked, labels.size() - 2);  // all but the header and the ARP line
  // 7 DNS-over-UDP flows + DNS over TCP + 3 HTTP + 1 HTTP over IPv6 + 2 echo flows + REJ + S0 UDP +
  // the unreachable + the filtered SYN; and nothing else (neighbour discovery aside).
  size_t non_nd = 0;
  for (const auto& j : flows)
    if (!(j["proto"] == "icmp6" && j["sport"].get<int>() >= 133 && j["sport"].get<int>() <= 137)) ++non_nd;
  EXPECT_EQ(non_nd, 18u);
}

}  // namespace
}  // namespace trawl::testing
