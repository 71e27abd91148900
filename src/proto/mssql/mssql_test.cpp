// No SQL Server runs on Debian, so these conversations are built by hand from [MS-TDS] (PRELOGIN 2.2.6.5,
// LOGIN7 2.2.6.4, LOGINACK 2.2.7.14, ERROR 2.2.7.10) and [MS-NLMP]; tshark's TDS dissector, reading the
// same bytes as a capture, is the reference for what they mean.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "proto/mssql/mssql_analyzer.h"
#include "proto/mssql/mssql_parse.h"
#include "proto/stream_test_support.h"

namespace trawl::proto::mssql {
namespace {

using nlohmann::json;
using testing::bytes_of;
using testing::Chunk;
using testing::feed;
using testing::tshark_rows;
using trawl::testing::have_tool;
using trawl::testing::run;
using trawl::testing::shell_quote;
using trawl::testing::TempDir;
using trawl::testing::trawl_binary;

std::string be16(uint16_t v) { return {char(v >> 8), char(v)}; }
std::string le16(uint16_t v) { return {char(v), char(v >> 8)}; }
std::string le32(uint32_t v) { return {char(v), char(v >> 8), char(v >> 16), char(v >> 24)}; }
std::string ucs2(std::string_view ascii) {
  std::string s;
  for (char c : ascii) s += {c, '\0'};
  return s;
}

// A TDS packet: type, status (0x01 end of message), length, SPID, packet id, window.
std::string tds(uint8_t type, const std::string& payload, uint8_t status = 1, uint8_t id = 1) {
  return std::string{char(type), char(status)} + be16(uint16_t(payload.size() + 8)) + std::string("\0\0", 2) +
         char(id) + '\0' + payload;
}

// PRELOGIN options VERSION, ENCRYPTION, INSTOPT, THREADID, MARS, then the terminator and their data.
std::string prelogin(uint8_t encryption) {
  std::string opts, data;
  size_t base = 5 * 5 + 1;
  auto option = [&](uint8_t token, const std::string& value) {
    opts += char(token) + be16(uint16_t(base + data.size())) + be16(uint16_t(value.size()));
    data += value;
  };
  option(0, std::string("\x10\x00\x0f\xa3\x00\x00", 6));  // 16.0 build 4003
  option(1, std::string(1, char(encryption)));
  option(2, std::string(1, '\0'));
  option(3, le32(0x1234));
  option(4, std::string(1, '\0'));
  return opts + '\xff' + data;
}

// LOGIN7 with its 94-byte fixed part (TDS 7.4), then the variable data its offsets point into.
std::string login7(const std::string& user, const std::string& password, const std::string& database,
                   const std::string& sspi = {}) {
  std::string pw;
  for (char c : ucs2(password)) pw += char(obfuscate_password_byte(uint8_t(c)));
  std::string fixed = le32(0) + le32(0x74000004) + le32(4096) + le32(7) + le32(4242) + le32(0);
  fixed += {'\xe0', char(sspi.empty() ? 0x03 : 0x83), '\0', '\0'};
  fixed += le32(0) + le32(0x0409);
  std::string data;
  auto field = [&](const std::string& bytes, size_t units) {
    fixed += le16(uint16_t(94 + data.size())) + le16(uint16_t(units));
    data += bytes;
  };
  field(ucs2("WKSTN01"), 7);
  field(ucs2(user), user.size());
  field(pw, password.size());
  field(ucs2("sqlcmd"), 6);
  field(ucs2("db.example.test"), 15);
  field({}, 0);  // extension
  field(ucs2("ODBC"), 4);
  field({}, 0);  // language
  field(ucs2(database), database.size());
  fixed += std::string("\x00\x50\x56\x01\x02\x03", 6);  // ClientID
  field(sspi, sspi.size());
  field({}, 0);  // AtchDBFile
  field({}, 0);  // ChangePassword
  fixed += le32(0);  // cbSSPILong
  std::string all = fixed + data;
  all.replace(0, 4, le32(uint32_t(all.size())));
  return all;
}

std::string b_varchar(std::string_view s) { return char(s.size()) + ucs2(s); }
std::string loginack() {
  std::string body = std::string(1, '\x01') + std::string("\x74\x00\x00\x04", 4) + b_varchar("Microsoft SQL Server") +
                     std::string("\x10\x00\x0f\xa3", 4);
  return '\xad' + le16(uint16_t(body.size())) + body;
}
std::string message_token(uint8_t token, uint32_t number, uint8_t state, uint8_t cls, std::string_view text) {
  std::string body = le32(number) + char(state) + char(cls) + le16(uint16_t(text.size())) + ucs2(text) +
                     b_varchar("SQLSRV01") + b_varchar("") + le32(1);
  return char(token) + le16(uint16_t(body.size())) + body;
}
std::string envchange_database() {
  std::string body = std::string(1, '\x01') + b_varchar("master") + b_varchar("");
  return '\xe3' + le16(uint16_t(body.size())) + body;
}
std::string done(uint16_t status) { return '\xfd' + le16(status) + le16(0) + std::string(8, '\0'); }

std::string login_ok() {
  return tds(kTabularResult, envchange_database() +
                                 message_token(0xab, 5701, 2, 0, "Changed database context to 'master'.") +
                                 loginack() + done(0));
}
std::string login_failed(std::string_view user) {
  return tds(kTabularResult,
             message_token(0xaa, 18456, 1, 14, "Login failed for user '" + std::string(user) + "'.") + done(2));
}

// A minimal NTLMSSP AUTHENTICATE ([MS-NLMP] 2.2.1.3): Unicode domain, user and workstation, an NTLMv2-sized
// NT response.
std::string ntlm_authenticate(std::string_view domain, std::string_view user) {
  std::string head = std::string("NTLMSSP\0", 8) + le32(3);
  std::string data;
  std::vector<std::string> fields = {std::string(24, '\x11'), std::string(48, '\x22'), ucs2(domain), ucs2(user),
                                     ucs2("WKSTN01"), std::string(16, '\x33')};
  std::string buffers;
  size_t base = 8 + 4 + 6 * 8 + 4;
  for (const auto& f : fields) {
    buffers += le16(uint16_t(f.size())) + le16(uint16_t(f.size())) + le32(uint32_t(base + data.size()));
    data += f;
  }
  return head + buffers + le32(0xe2888215) + data;
}

// One TCP conversation over Ethernet, as chunks for the analyzer and as a capture for tshark and trawl.
struct Conversation {
  std::vector<Chunk> chunks;
  std::vector<trawl::testing::TestFrame> frames;
  uint32_t seq[2] = {1000, 70000};

  static uint16_t checksum(const std::string& b, uint32_t sum = 0) {
    for (size_t i = 0; i + 1 < b.size(); i += 2) sum += uint32_t(uint8_t(b[i]) << 8 | uint8_t(b[i + 1]));
    if (b.size() % 2) sum += uint32_t(uint8_t(b.back()) << 8);
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return uint16_t(~sum);
  }
  void frame(Dir d, uint8_t flags, const std::string& payload) {
    bool c = d == Dir::kOrig;
    std::string src = c ? std::string("\x0a\x00\x00\x05", 4) : std::string("\x0a\x00\x00\x09", 4);
    std::string dst = c ? std::string("\x0a\x00\x00\x09", 4) : std::string("\x0a\x00\x00\x05", 4);
    std::string tcp = be16(c ? 49152 : 1433) + be16(c ? 1433 : 49152);
    tcp += be16(uint16_t(seq[c ? 0 : 1] >> 16)) + be16(uint16_t(seq[c ? 0 : 1]));
    uint32_t ack = flags == 0x02 ? 0 : seq[c ? 1 : 0];
    tcp += be16(uint16_t(ack >> 16)) + be16(uint16_t(ack)) + char(0x50) + char(flags) + be16(65535) + be16(0) + be16(0);
    tcp += payload;
    std::string pseudo = src + dst + '\0' + '\x06' + be16(uint16_t(tcp.size()));
    uint16_t tcs = checksum(pseudo + tcp);
    tcp[16] = char(tcs >> 8), tcp[17] = char(tcs);
    std::string ip = std::string("\x45\x00", 2) + be16(uint16_t(20 + tcp.size())) + be16(uint16_t(frames.size())) +
                     be16(0x4000) + '\x40' + '\x06' + be16(0) + src + dst;
    uint16_t ics = checksum(ip);
    ip[10] = char(ics >> 8), ip[11] = char(ics);
    std::string eth = std::string(c ? "\x02\x00\x00\x00\x00\x09\x02\x00\x00\x00\x00\x05" : "\x02\x00\x00\x00\x00\x05\x02\x00\x00\x00\x00\x09", 12) + std::string("\x08\x00", 2);
    std::string all = eth + ip + tcp;
    frames.push_back({std::vector<uint8_t>(all.begin(), all.end())});
    seq[c ? 0 : 1] += uint32_t(payload.size()) + ((flags & 0x03) ? 1 : 0);
  }
  Conversation() {
    frame(Dir::kOrig, 0x02, {});
    frame(Dir::kResp, 0x12, {});
    frame(Dir::kOrig, 0x10, {});
  }
  Conversation& send(Dir d, const std::string& bytes) {
    chunks.push_back({d, bytes});
    frame(d, 0x18, bytes);
    return *this;
  }
  std::string pcap() {
    auto f = frames;
    Conversation closing = *this;
    closing.frame(Dir::kOrig, 0x11, {});
    closing.frame(Dir::kResp, 0x11, {});
    closing.frame(Dir::kOrig, 0x10, {});
    return trawl::testing::make_pcap(closing.frames);
  }
};

// TLS records as they look on the wire (contents do not matter here).
std::string tls_record(uint8_t type, size_t n) { return std::string{char(type), '\x03', '\x03'} + be16(uint16_t(n)) + std::string(n, '\x5a'); }

Conversation sql_login(const std::string& user, const std::string& password, bool ok) {
  Conversation c;
  c.send(Dir::kOrig, tds(kPrelogin, prelogin(kEncryptNotSup)))
      .send(Dir::kResp, tds(kTabularResult, prelogin(kEncryptNotSup)))
      .send(Dir::kOrig, tds(kLogin7, login7(user, password, "master")))
      .send(Dir::kResp, ok ? login_ok() : login_failed(user));
  return c;
}

std::vector<json> auth_of(const testing::FeedResult& r) { return r.sink.of("auth"); }

TEST(MssqlAnalyzer, SqlLoginSuccessAndFailureAnyCut) {
  for (size_t step : {0, 1, 5}) {
    SCOPED_TRACE(step);
    auto a = auth_of(feed(kMssqlAnalyzer, sql_login("sa", "P@ssw0rd!", true).chunks, step));
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0]["app"], "mssql");
    EXPECT_EQ(a[0]["user"], "sa");
    EXPECT_EQ(a[0]["password"], "P@ssw0rd!");
    EXPECT_EQ(a[0]["password_seen"], true);
    EXPECT_EQ(a[0]["method"], "password");
    EXPECT_EQ(a[0]["outcome"], "success");
    EXPECT_EQ(a[0]["reply"], "LOGINACK Microsoft SQL Server 16.0.4003");
    EXPECT_EQ(a[0]["frame"], 4);
    a = auth_of(feed(kMssqlAnalyzer, sql_login("sa", "guess1", false).chunks, step));
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0]["password"], "guess1");
    EXPECT_EQ(a[0]["outcome"], "failure");
    EXPECT_EQ(a[0]["reply"], "Msg 18456, Level 14, State 1: Login failed for user 'sa'.");
  }
}

TEST(MssqlAnalyzer, LoginSpreadOverPackets) {
  std::string l = login7("app_user", "Winter2024", "crm");
  std::vector<Chunk> c = {{Dir::kOrig, tds(kLogin7, l.substr(0, 50), 0, 1) + tds(kLogin7, l.substr(50), 1, 2)},
                          {Dir::kResp, login_ok()}};
  auto a = auth_of(feed(kMssqlAnalyzer, c, 3));
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0]["user"], "app_user");
  EXPECT_EQ(a[0]["password"], "Winter2024");
  EXPECT_EQ(a[0]["outcome"], "success");
}

TEST(MssqlAnalyzer, EncryptedLogin) {
  // Login-only encryption: the handshake inside PRELOGIN packets, LOGIN7 as a bare TLS record, the answer
  // in cleartext again.
  std::vector<Chunk> c = {{Dir::kOrig, tds(kPrelogin, prelogin(kEncryptOff))},
                          {Dir::kResp, tds(kTabularResult, prelogin(kEncryptOff))},
                          {Dir::kOrig, tds(kPrelogin, tls_record(0x16, 200))},
                          {Dir::kResp, tds(kPrelogin, tls_record(0x16, 900) + tls_record(0x14, 1) + tls_record(0x16, 40))},
                          {Dir::kOrig, tls_record(0x17, 300)},
                          {Dir::kResp, login_failed("sa")}};
  for (size_t step : {0, 1}) {
    auto a = auth_of(feed(kMssqlAnalyzer, c, step));
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0]["method"], "tls");
    EXPECT_EQ(a[0]["user"], "");
    EXPECT_EQ(a[0]["password_seen"], false);
    EXPECT_EQ(a[0]["outcome"], "failure");
  }
  // Full encryption: the answer is TLS too; the attempt is unknown, at the LOGIN7 record.
  c.back() = {Dir::kResp, tls_record(0x17, 120)};
  auto a = auth_of(feed(kMssqlAnalyzer, c));
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0]["outcome"], "unknown");
  EXPECT_EQ(a[0]["frame"], 5);
}

TEST(MssqlAnalyzer, WindowsAuthenticationNamesTheNtlmUser) {
  std::string negotiate = std::string("NTLMSSP\0", 8) + le32(1) + le32(0xe2088297) + std::string(16, '\0');
  std::string challenge = std::string("NTLMSSP\0", 8) + le32(2) + std::string(40, '\0');
  std::vector<Chunk> c = {{Dir::kOrig, tds(kLogin7, login7("", "", "master", negotiate))},
                          {Dir::kResp, tds(kTabularResult, '\xed' + le16(uint16_t(challenge.size())) + challenge)},
                          {Dir::kOrig, tds(kSspiMessage, ntlm_authenticate("CORP", "alice"))},
                          {Dir::kResp, login_ok()}};
  auto a = auth_of(feed(kMssqlAnalyzer, c, 2));
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0]["user"], "CORP\\alice");
  EXPECT_EQ(a[0]["method"], "NTLMv2");
  EXPECT_EQ(a[0]["password_seen"], false);
  EXPECT_EQ(a[0]["outcome"], "success");
}

TEST(MssqlAnalyzer, TruncatedAndHostile) {
  std::string l = login7("sa", "pw", "master");
  // LOGIN7 cut short, then the end: no complete attempt.
  EXPECT_TRUE(auth_of(feed(kMssqlAnalyzer, {{Dir::kOrig, tds(kLogin7, l).substr(0, 60)}})).empty());
  // LOGIN7 sent, no answer: unknown.
  auto a = auth_of(feed(kMssqlAnalyzer, {{Dir::kOrig, tds(kLogin7, l)}}));
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0]["outcome"], "unknown");
  // Offsets and lengths pointing past the message: rejected, never read out of bounds (ASan watches).
  for (size_t at : {40, 44, 46, 68, 78, 80}) {
    std::string bad = l;
    bad[at] = '\xff', bad[at + 1] = '\x7f';
    auto r = auth_of(feed(kMssqlAnalyzer, {{Dir::kOrig, tds(kLogin7, bad)}, {Dir::kResp, login_ok()}}, 1));
    for (const auto& x : r) EXPECT_EQ(x["user"].get<std::string>().size() < 100, true);
  }
  // A packet length under the header's, garbage, a token stream cut anywhere.
  for (const std::string& s : {std::string("\x12\x01\x00\x02\x00\x00\x01\x00", 8), std::string(64, '\xff'), std::string("\x17\x03")}) {
    EXPECT_TRUE(auth_of(feed(kMssqlAnalyzer, {{Dir::kOrig, s}, {Dir::kResp, login_ok()}}, 1)).empty());
  }
  std::string ok = login_ok().substr(8);
  for (size_t n = 0; n < ok.size(); ++n) {
    LoginResponse r;
    scan_login_response(bytes_of(ok.substr(0, n)), r);
    EXPECT_FALSE(r.login_ack && n < ok.size() - 13);  // LOGINACK only once it is all there
  }
}

TEST(MssqlParse, PasswordObfuscation) {
  // [MS-TDS] 2.2.6.4: swap the nibbles, then XOR 0xA5; UTF-16's zero high bytes become 0xA5.
  EXPECT_EQ(obfuscate_password_byte('a'), 0xb3);
  EXPECT_EQ(obfuscate_password_byte(0), 0xa5);
  for (int b = 0; b < 256; ++b) EXPECT_EQ(deobfuscate_password_byte(obfuscate_password_byte(uint8_t(b))), b);
}

TEST(MssqlProbe, PreloginDecides) {
  std::string pre = tds(kPrelogin, prelogin(kEncryptOff));
  EXPECT_EQ(probe(bytes_of(pre), Dir::kOrig), Match::kYes);
  EXPECT_EQ(probe(bytes_of(pre.substr(0, 20)), Dir::kOrig), Match::kNo);
  EXPECT_EQ(probe(bytes_of(tds(kLogin7, login7("sa", "x", "m"))), Dir::kOrig), Match::kMaybe);
  EXPECT_EQ(probe(bytes_of(tds(kTabularResult, prelogin(kEncryptOff))), Dir::kResp), Match::kMaybe);
  EXPECT_EQ(probe(bytes_of("GET / HTTP/1.1\r\n\r\n"), Dir::kOrig), Match::kNo);
  EXPECT_EQ(probe(bytes_of(std::string("\x03\x00\x00\x13\x0e\xe0\x00\x00\x00\x00\x00\x01\x00\x08\x00\x03\x00\x00\x00", 19)), Dir::kOrig), Match::kNo);
}

// The same bytes as a capture: tshark's TDS dissector reads the user, the password and the verdict that
// the analyzer reports, and `trawl records auth` finds the logins through the content probe.
TEST(MssqlCapture, HandBuiltLoginsMatchTshark) {
  if (!have_tool("tshark")) GTEST_SKIP() << "tshark missing";
  TempDir tmp;
  struct Case {
    std::string user, password;
    bool ok;
  } cases[] = {{"sa", "P@ssw0rd!", true}, {"report_reader", "Spring2024", false}};
  for (const auto& k : cases) {
    SCOPED_TRACE(k.user);
    std::string pcap = tmp.file(k.user + ".pcap");
    trawl::testing::write_file(pcap, sql_login(k.user, k.password, k.ok).pcap());
    std::string user, password, error, program;
    for (const auto& row : tshark_rows(pcap, "tds", {"tds.7login.username", "tds.7login.password", "tds.error.number",
                                                     "tds.loginack.progname"})) {
      if (!row[0].empty()) user = row[0], password = row[1];
      if (!row[2].empty()) error = row[2];
      if (!row[3].empty()) program = row[3];
    }
    ASSERT_EQ(user, k.user);  // tshark reads the login: the hand-built bytes are real TDS
    auto r = run(shell_quote(trawl_binary()) + " records auth --show-passwords --quiet " + shell_quote(pcap));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    json a = json::parse(r.out);
    EXPECT_EQ(a["app"], "mssql");
    EXPECT_EQ(a["user"], user);
    EXPECT_EQ(a["password"], password);
    EXPECT_EQ(a["outcome"], error.empty() ? "success" : "failure");
    if (!error.empty()) {
      EXPECT_EQ(a["reply"].get<std::string>().find("Msg " + error + ","), 0u);
    } else {
      EXPECT_EQ(a["reply"], "LOGINACK " + program + " 16.0.4003");
    }
  }
}

}  // namespace
}  // namespace trawl::proto::mssql
