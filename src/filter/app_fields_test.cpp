// Application-layer display-filter fields: on real captures, the frames each expression selects equal
// tshark's with TCP reassembly off (`-o tcp.desegment_tcp_streams:FALSE`, the rule trawl follows: a field is
// read from the packet that carries it), and also plain tshark's where reassembly changes nothing.
#include "filter/app_fields.h"

#include <gtest/gtest.h>

#include <cctype>
#include <random>
#include <sstream>

#include "filter/filter.h"
#include "filter/filter_test_support.h"
#include "support/testing.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace trawl::filter {
namespace {

struct Case {
  const char* expr;
  const char* files;     // space-separated; "attacks/..." are the project's fixtures, the rest shared captures
  bool reassembled_too;  // plain tshark (reassembly on) selects the same frames
};

// Off only: where reassembly moves a field to the segment that completes a message (HTTP responses, TLS
// certificates) or leaves the segments inside a reassembled message without the protocol.
const Case kCases[] = {
    // dns
    {"dns", "ppp-dns-packets.pcap zeek-dns-edns-ecs.pcap chrissanders-dns-axfr.pcapng", false},
    {"dns.qry.name contains \"google\"", "ppp-dns-packets.pcap ppp-example.pcap", true},
    {"dns.qry.name matches \"^www\\\\.\"", "ppp-example.pcap", true},
    {"dns.qry.name == \"www.google-analytics.com\"", "ppp-example.pcap", true},
    {"dns.flags.response == 0 && dns.qry.type in {1,28}", "ppp-example.pcap", true},
    {"dns.qry.type == 252", "chrissanders-dns-axfr.pcapng", false},
    {"dns.flags.rcode == 3", "ppp-dns-packets.pcap ndpi-dns-exfiltration.pcap", true},
    {"dns.a == 8.8.8.8 or dns.a in {10.0.0.0/8}", "ppp-dns-packets.pcap", true},
    {"dns.aaaa", "ppp-dns-packets.pcap", true},
    {"dns.cname contains \"akamai\"", "ppp-example.pcap ndpi-netflix.pcap", true},
    // http
    {"http", "zeek-http-bro-org.pcap zeek-mixed-vlan-mpls.pcap", false},
    {"http.request", "zeek-http-bro-org.pcap ppp-http-packets.pcap", false},
    {"http.response", "zeek-http-post.pcap", false},
    {"http.request.method == \"POST\"", "zeek-http-post.pcap chrissanders-http-dvwa-clearlogin.pcapng", true},
    {"http.request.method in {\"GET\",\"HEAD\"} and not http.host == \"bro.org\"", "zeek-http-bro-org.pcap", true},
    {"http.request.uri contains \"search\"", "ppp-example.pcap", true},
    {"http.request.uri matches \"\\\\.JS$\"", "zeek-http-bro-org.pcap", true},
    {"http.host contains \"bro\"", "zeek-http-bro-org.pcap", true},
    {"http.user_agent matches \"mozilla.*firefox\"", "zeek-http-bro-org.pcap", true},
    {"http.response.code == 200", "zeek-http-bro-org.pcap ppp-http-packets.pcap", false},
    {"http.response.code >= 400", "esnet-nmap-80-all.pcap", false},
    {"http.authorization contains \"Basic\"", "zeek-http-basic-auth-colon.pcap attacks/bruteforce.pcap", true},
    // tls
    {"tls", "zeek-tls-openjdk-sll2.pcap zeek-tls13-ech.pcap", true},
    {"tls.handshake.type == 1", "ppp-tls.pcap zeek-tls13-ech.pcap", true},
    {"tls.handshake.type == 11", "ppp-tls.pcap", false},
    {"tls.handshake.type in {2,16}", "zeek-tls-chrome34-google.pcap", true},
    {"tls.handshake.extensions_server_name contains \"google\"", "zeek-tls-chrome34-google.pcap", true},
    {"tls.handshake.extensions_server_name", "ndpi-netflix.pcap", true},
    {"tls.handshake.ja3", "ppp-tls.pcap", true},
    // smtp, pop, imap, ftp
    {"smtp", "chrissanders-mail-sender-client.pcapng", true},
    {"smtp.req.command == \"MAIL\"", "zeek-smtp.pcap chrissanders-mail-sender-client.pcapng", true},
    {"smtp.req.command in {\"EHLO\",\"HELO\"}", "ndpi-smtp-starttls-vlan.pcap", true},
    {"smtp.req.parameter contains \"yahoo\"", "zeek-smtp.pcap", true},
    {"smtp.response.code == 250", "chrissanders-mail-sender-client.pcapng", true},
    {"pop", "suricata-pop3-auth.pcap", true},
    {"pop.request.command == \"AUTH\"", "zeek-pop3.pcap", true},
    {"pop.request.parameter", "suricata-pop3-auth.pcap", true},
    {"pop.response.indicator == \"-ERR\"", "zeek-pop3.pcap", true},
    {"imap", "ndpi-imap.pcap", true},
    {"imap.request.command in {\"LOGIN\",\"FETCH\"}", "ndpi-imap.pcap", true},
    {"imap.request_tag == \"C00001\"", "ndpi-imap.pcap", true},
    {"ftp", "zeek-ftp-ipv4.pcap ndpi-ftp-failed.pcap", true},
    {"ftp.request.command == \"USER\"", "zeek-ftp-ipv6.pcap ndpi-ftp-failed.pcap", true},
    {"ftp.request.arg contains \"anonymous\"", "zeek-ftp-ipv4.pcap", true},
    {"ftp.response.code == 530", "ndpi-ftp-failed.pcap attacks/bruteforce.pcap", true},
    {"ftp.response.code in {200..299}", "zeek-ftp-ipv6.pcap", true},
    // ssh, rdp
    {"ssh", "zeek-ssh-curve25519.pcap", true},
    {"ssh.protocol contains \"OpenSSH\"", "zeek-sshguess.pcap", true},
    {"ssh.protocol matches \"^ssh-2\\\\.0-libssh\"", "attacks/bruteforce.pcap", true},
    {"rdp", "zeek-rdp-to-ssl.pcap ndpi-rdp-null.pcap", true},
    // smb, smb2: names only on the request that carries them (tshark also copies them onto later packets)
    {"smb", "zeek-smb-raw-ntlm.pcap id2t-eternalblue-scan.pcap", true},
    {"smb2", "zeek-smb311.pcap attacks/smb-vuln.pcap", true},
    {"smb.cmd == 0x72", "id2t-eternalblue-scan.pcap", true},
    {"smb.cmd == 0xff and smb.flags.response == 1", "zeek-smb-raw-ntlm.pcap", true},
    {"smb2.cmd == 5 and smb2.flags.response == 0", "zeek-smb-many-open-files.pcap.gz", true},
    {"smb.cmd == 0xa2 and smb.flags.response == 0 and smb.file == \"\\\\srvsvc\"", "zeek-smb-raw-ntlm.pcap", true},
    {"smb.cmd == 0x75 and smb.flags.response == 0 and smb.path contains \"IPC$\"", "attacks/smb-vuln.pcap", true},
    {"smb.trans_name contains \"PIPE\"", "zeek-smb-raw-ntlm.pcap", true},
    {"smb2.cmd == 3 and smb2.flags.response == 0 and smb2.tree contains \"IPC$\"", "suricata-smb2-psexec-add-user.pcap", true},
    {"smb2.cmd == 5 and smb2.flags.response == 0 and smb2.filename contains \"svc\"", "suricata-smb2-psexec-add-user.pcap", true},
    {"smb2.flags.response == 0 and smb2.filename[0:1] == \".\"", "zeek-smb-many-open-files.pcap.gz", true},
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.expr; }

std::string path_of(const std::string& file) {
  return file.rfind("attacks/", 0) == 0 ? testing::fixtures_dir() + "/" + file : testing::shared_pcap(file);
}

std::string frames(const std::string& command) {
  auto r = testing::run(command);
  EXPECT_EQ(r.exit_code, 0) << command << "\n" << r.err;
  return r.out;
}

std::string tshark_frames(const std::string& path, const std::string& expr, bool reassembly) {
  return frames("tshark -n " + std::string(reassembly ? "" : "-o tcp.desegment_tcp_streams:FALSE ") + "-r " +
                testing::shell_quote(path) + " -Y " + testing::shell_quote(expr) +
                " -T fields -e frame.number 2>/dev/null");
}

class AppFieldsVsTshark : public ::testing::TestWithParam<Case> {};

TEST_P(AppFieldsVsTshark, SameFrames) {
  if (!testing::have_tool("tshark")) GTEST_SKIP() << "tshark not installed";
  const Case& c = GetParam();
  std::istringstream files(c.files);
  size_t nonempty = 0;
  for (std::string file; files >> file;) {
    std::string path = path_of(file);
    std::string got = frames(testing::shell_quote(testing::trawl_binary()) + " packets -q --format csv -Y " +
                             testing::shell_quote(c.expr) + " " + testing::shell_quote(path) +
                             " | awk -F, 'NR>1{print $NF}'");
    std::string want = tshark_frames(path, c.expr, false);
    EXPECT_EQ(got, want) << c.expr << " on " << file << " (tshark with reassembly off)";
    if (c.reassembled_too) {
      EXPECT_EQ(got, tshark_frames(path, c.expr, true)) << c.expr << " on " << file << " (tshark)";
    }
    nonempty += !want.empty();
  }
  EXPECT_GT(nonempty, 0u) << c.expr << " matched no frame in any file";
}

// Test names: the case's index and the letters of its expression ("12_http_request_method_POST").
std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  std::string name = std::to_string(info.index) + "_";
  for (const char* p = info.param.expr; *p && name.size() < 60; ++p)
    if (std::isalnum(static_cast<unsigned char>(*p))) name += *p;
    else if (name.back() != '_') name += '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Expressions, AppFieldsVsTshark, ::testing::ValuesIn(kCases), case_name);

TEST(AppFields, TypesAreChecked) {
  EXPECT_NE(error_text("http.response.code contains \"x\"").find("contains works on"), std::string::npos);
  EXPECT_NE(error_text("dns.qry.name & 1").find("& works on integer"), std::string::npos);
  EXPECT_NE(error_text("dns.a == www").find("not an IP address"), std::string::npos);
  EXPECT_NE(error_text("http.request.url == \"/\"").find("http.request.uri"), std::string::npos);
  EXPECT_EQ(error_text("http.request.uri[0:1] == \"/\" and smb2.filename in {\"a\" \"b\"}"), "");
}

TEST(AppFields, EveryFieldIsListedWithWiresharksType) {
  auto r = testing::run(testing::shell_quote(testing::trawl_binary()) + " fields");
  ASSERT_EQ(r.exit_code, 0);
  for (const auto& f : app_fields()) EXPECT_NE(r.out.find(std::string(f.name) + " "), std::string::npos) << f.name;
  if (!testing::have_tool("tshark")) return;
  // Wireshark's own registry agrees on each name (fields are F rows, protocols P rows).
  std::string registry = testing::run("tshark -G fields 2>/dev/null | cut -f1,3").out;
  for (const auto& f : app_fields()) {
    std::string row = std::string(f.type == FieldType::kProtocol ? "P\t" : "F\t") + std::string(f.name) + "\n";
    EXPECT_NE(registry.find(row), std::string::npos) << f.name << " is not a Wireshark field";
  }
}

// The decoders never read outside the payload: real application payloads cut at every length, on every
// protocol's port, and seeded noise (the fuzz target's entry point; ASan checks the reads).
TEST(AppFields, CutShortAndNoisyPayloadsAreSafe) {
  if (!testing::have_tool("tshark")) GTEST_SKIP() << "tshark not installed";
  const std::pair<const char*, const char*> sources[] = {
      {"ppp-tls.pcap", "tls.handshake.type == 1"},
      {"zeek-smb-raw-ntlm.pcap", "smb.cmd == 0xa2 or smb.cmd == 0x75 or smb.cmd == 0x25"},
      {"suricata-smb2-psexec-add-user.pcap", "smb2.cmd == 5 or smb2.cmd == 3"},
      {"zeek-rdp-proprietary-encryption.pcap", "rdp"},
      {"chrissanders-dns-axfr.pcapng", "dns"},
      {"zeek-http-bro-org.pcap", "http.request"},
  };
  size_t payloads = 0;
  for (const auto& [file, expr] : sources) {
    std::string hex = testing::run("tshark -n -r " + testing::shell_quote(testing::shared_pcap(file)) + " -Y " +
                                   testing::shell_quote(expr) + " -T fields -e tcp.payload 2>/dev/null | head -5")
                          .out;
    std::istringstream lines(hex);
    for (std::string line; std::getline(lines, line);) {
      std::vector<uint8_t> bytes(2);
      for (size_t i = 0; i + 1 < line.size(); i += 2) bytes.push_back(uint8_t(std::stoi(line.substr(i, 2), nullptr, 16)));
      ++payloads;
      for (uint8_t selector = 0; selector < 26; ++selector) {
        bytes[0] = selector;
        bytes[1] = selector & 1;
        for (size_t len = 2; len <= bytes.size(); len += len < 256 ? 1 : 13) {
          std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + long(len));  // exact size: ASan sees overreads
          LLVMFuzzerTestOneInput(cut.data(), cut.size());
        }
      }
    }
  }
  EXPECT_GT(payloads, 10u);
  std::mt19937 rng(5);
  for (int i = 0; i < 20000; ++i) {
    std::vector<uint8_t> noise(rng() % 300);
    for (auto& b : noise) b = uint8_t(rng());
    LLVMFuzzerTestOneInput(noise.data(), noise.size());
  }
}

}  // namespace
}  // namespace trawl::filter
