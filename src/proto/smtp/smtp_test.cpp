#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include "proto/smtp/smtp_analyzer.h"
#include "proto/stream_test_support.h"
#include "proto/text/codecs.h"
#include "support/follow.h"
#include "support/testing.h"

namespace trawl::proto::smtp {
namespace {

using nlohmann::json;
using proto::testing::Chunk;
using proto::testing::conv;
using proto::testing::feed;
using proto::testing::tcp_stream_chunks;
using proto::testing::tshark_rows;
using trawl::testing::follow_streams;
using trawl::testing::have_tool;
using trawl::testing::run;
using trawl::testing::shared_pcap;
using trawl::testing::shell_quote;

std::string b64(const std::string& s) {
  std::string out;
  text::base64_decode(s, out);
  return out;
}

// tshark's MAIL/RCPT parameter ("FROM: <a@b> SIZE=1") reduced to the address the record keeps.
std::string address_of(const std::string& param) {
  std::smatch m;
  if (std::regex_search(param, m, std::regex("<([^>]*)>"))) return m[1];
  return param.substr(param.find(':') + 1);
}

struct TsharkSmtp {
  std::vector<std::string> commands;          // verbs, AUTH continuations left out
  std::vector<std::string> helo, mail, rcpt;  // parameters
  std::vector<std::string> codes;             // every reply code in order
  std::string user, password;                 // base64, as tshark shows them
};

TsharkSmtp tshark_smtp(const std::string& pcap, int stream) {
  TsharkSmtp t;
  for (const auto& row : tshark_rows(pcap, "smtp && tcp.stream==" + std::to_string(stream),
                                     {"smtp.req.command", "smtp.req.parameter", "smtp.response.code",
                                      "smtp.auth.username", "smtp.auth.password"})) {
    std::string cmd = row[0], param = row[1];
    // tshark splits a command without arguments after four letters: "STAR" "TLS".
    if (cmd == "STAR" && param == "TLS") cmd = "STARTTLS", param.clear();
    if (!cmd.empty()) t.commands.push_back(cmd);
    if (cmd == "EHLO" || cmd == "HELO") t.helo.push_back(param);
    if (cmd == "MAIL") t.mail.push_back(address_of(param));
    if (cmd == "RCPT") t.rcpt.push_back(address_of(param));
    if (!row[2].empty()) t.codes.push_back(row[2].substr(0, row[2].find(',')));
    if (!row[3].empty()) t.user = row[3];
    if (!row[4].empty()) t.password = row[4];
  }
  return t;
}

// Everything the records say about the conversation, checked against tshark's dissection of it.
void check_against_tshark(const std::string& pcap, int stream) {
  SCOPED_TRACE(pcap + " stream " + std::to_string(stream));
  auto chunks = tcp_stream_chunks(pcap, stream);
  ASSERT_FALSE(chunks.empty());
  auto sink = feed(kSmtpAnalyzer, chunks).sink;
  auto t = tshark_smtp(pcap, stream);
  auto smtp = sink.of("smtp");
  ASSERT_FALSE(smtp.empty());
  std::vector<std::string> commands, mail, rcpt;
  for (const auto& r : smtp) {
    for (const auto& c : r["commands"]) commands.push_back(c);
    if (!r["mailfrom"].is_null()) mail.push_back(r["mailfrom"]);
    for (const auto& x : r["rcptto"]) rcpt.push_back(x);
    if (!t.helo.empty()) {
      EXPECT_EQ(r["helo"], t.helo.back());
    }
  }
  // A QUIT after the last transaction makes no record of its own, so it is in no record's commands.
  if (!t.commands.empty() && t.commands.back() == "QUIT" && (commands.empty() || commands.back() != "QUIT"))
    t.commands.pop_back();
  EXPECT_EQ(commands, t.commands);
  EXPECT_EQ(mail, t.mail);
  EXPECT_EQ(rcpt, t.rcpt);
  // The status of a transaction with a message is the reply after the one to DATA (354).
  for (size_t i = 0; i + 1 < t.codes.size(); ++i) {
    if (t.codes[i] != "354") continue;
    bool found = false;
    for (const auto& r : smtp)
      if (!r["msg_size"].is_null()) found = found || std::to_string(r["status"].get<int>()) == t.codes[i + 1];
    EXPECT_TRUE(found) << "status " << t.codes[i + 1];
  }
  // Credentials: tshark shows them in base64; the ledger has them decoded.
  auto auth = sink.of("auth");
  if (t.user.empty()) {
    EXPECT_TRUE(auth.empty());
  } else {
    ASSERT_EQ(auth.size(), 1u);
    EXPECT_EQ(auth[0]["user"], b64(t.user));
    EXPECT_EQ(auth[0]["password"], b64(t.password));
  }
  // Every cutting of the conversation gives the same records.
  for (size_t step : {1, 2, 3, 7, 100}) {
    auto again = feed(kSmtpAnalyzer, chunks, step).sink;
    EXPECT_EQ(again.lines, sink.lines) << "step " << step;
  }
}

TEST(Smtp, AgreesWithTshark) {
  if (!have_tool("tshark")) GTEST_SKIP() << "tshark missing";
  check_against_tshark(shared_pcap("zeek-smtp.pcap"), 0);
  check_against_tshark(shared_pcap("zeek-smtp.pcap"), 2);
  check_against_tshark(shared_pcap("chrissanders-mail-sender-client.pcapng"), 0);
  check_against_tshark(shared_pcap("ndpi-smtp-starttls-vlan.pcap"), 0);
}

TEST(Smtp, MessageHeadersAgreeWithTsharkImf) {
  if (!have_tool("tshark")) GTEST_SKIP() << "tshark missing";
  struct Case {
    std::string pcap;
    int stream;
  };
  for (const Case& c : {Case{"zeek-smtp.pcap", 0}, Case{"zeek-smtp.pcap", 2}, Case{"chrissanders-mail-sender-client.pcapng", 0}}) {
    SCOPED_TRACE(c.pcap);
    std::string pcap = shared_pcap(c.pcap);
    auto rows = tshark_rows(pcap, "imf && tcp.stream==" + std::to_string(c.stream),
                            {"imf.from", "imf.to", "imf.subject", "imf.date", "imf.message_id", "imf.cc",
                             "smtp.data.reassembled.length", "mime_multipart.header.content-disposition"});
    ASSERT_EQ(rows.size(), 1u);
    auto smtp = feed(kSmtpAnalyzer, tcp_stream_chunks(pcap, c.stream)).sink.of("smtp");
    ASSERT_EQ(smtp.size(), 1u);
    const auto& r = smtp[0];
    EXPECT_EQ(r["from"], rows[0][0]);
    EXPECT_EQ(r["to"], rows[0][1]);
    EXPECT_EQ(r["subject"], rows[0][2]);
    EXPECT_EQ(r["date"], rows[0][3]);
    EXPECT_EQ(r["msg_id"], rows[0][4]);
    // tshark shows a folded Cc with its escaped CRLF; the record unfolds it.
    std::string cc = std::regex_replace(rows[0][5], std::regex(R"(,\\r\\n\s*)"), ", ");
    EXPECT_EQ(r["cc"].is_null() ? "" : r["cc"].get<std::string>(), cc);
    // msg_size: the client's bytes from after "DATA" to the terminating "\r\n.\r\n" (its first CRLF
    // ends the last line), less one byte per dot-stuffed line. tshark's smtp.data.reassembled.length is
    // no reference: it leaves out that CRLF when the dot shares its segment (802 vs 804 in zeek-smtp
    // stream 2) and counts retransmitted overlapping segments twice (15156 vs 14545 in stream 0).
    std::string client;
    for (const auto& ch : tcp_stream_chunks(pcap, c.stream))
      if (ch.dir == Dir::kOrig) client += ch.bytes;
    size_t begin = client.find("DATA\r\n") + 6, end = client.find("\r\n.\r\n", begin) + 2;
    uint64_t stuffed = 0;
    for (size_t p = client.find("\r\n..", begin); p < end; p = client.find("\r\n..", p + 1)) ++stuffed;
    EXPECT_EQ(r["msg_size"], end - begin - stuffed);
    EXPECT_LE(std::stoull(rows[0][6]), end - begin + 1000);  // same order of size as tshark's
    // Attachment names: the filename parameters of the parts tshark shows.
    std::vector<std::string> names;
    std::smatch m;
    std::string disp = rows[0][7];
    while (std::regex_search(disp, m, std::regex("filename=\"([^\"]*)\""))) names.push_back(m[1]), disp = m.suffix();
    std::vector<std::string> ours;
    for (const auto& a : r["attachments"]) ours.push_back(a["name"]);
    EXPECT_EQ(ours, names);
  }
}

TEST(Smtp, HandCheckedValuesOfRealCaptures) {
  if (!have_tool("tshark")) GTEST_SKIP() << "tshark missing";
  // The client declared SIZE=556 in MAIL FROM; the message is exactly that.
  auto r = feed(kSmtpAnalyzer, tcp_stream_chunks(shared_pcap("chrissanders-mail-sender-client.pcapng"), 0)).sink.of("smtp");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0]["msg_size"], 556);
  EXPECT_EQ(r[0]["status"], 250);
  EXPECT_EQ(r[0]["last_reply"], "250 2.0.0 Ok: queued as 931C4400D5");
  EXPECT_EQ(r[0]["banner"], "mail01 ESMTP Postfix (Ubuntu)");
  EXPECT_EQ(r[0]["user_agent"], "Mozilla/5.0 (Windows NT 10.0; WOW64; rv:38.0) Gecko/20100101 Thunderbird/38.5.0");

  auto s = feed(kSmtpAnalyzer, tcp_stream_chunks(shared_pcap("zeek-smtp.pcap"), 0)).sink;
  auto z = s.of("smtp");
  ASSERT_EQ(z.size(), 1u);
  EXPECT_EQ(z[0]["auth_user"], "gurpartap@patriots.in");
  EXPECT_EQ(z[0]["auth_method"], "AUTH LOGIN");
  ASSERT_EQ(z[0]["attachments"].size(), 1u);
  EXPECT_EQ(z[0]["attachments"][0]["name"], "NEWS.txt");
  EXPECT_EQ(z[0]["attachments"][0]["type"], "text/plain");
  EXPECT_EQ(z[0]["urls"], json::array());  // the HTML part has no links, the xmlns URIs are not links
  EXPECT_EQ(z[0]["user_agent"], "Microsoft Office Outlook 12.0");
  EXPECT_EQ(z[0]["banner"], "xc90.websitewelcome.com ESMTP Exim 4.69 #1 Mon, 05 Oct 2009 01:05:54 -0500 ");
  auto auth = s.of("auth");
  ASSERT_EQ(auth.size(), 1u);
  EXPECT_EQ(auth[0]["outcome"], "success");
  EXPECT_EQ(auth[0]["method"], "AUTH LOGIN");
  EXPECT_EQ(auth[0]["reply"], "235 Authentication succeeded");
  EXPECT_EQ(auth[0]["password"], "punjab@123");
  EXPECT_EQ(auth[0]["app"], "smtp");
}

TEST(Smtp, StarttlsStopsParsing) {
  if (!have_tool("tshark")) GTEST_SKIP() << "tshark missing";
  auto streams = follow_streams(shared_pcap("ndpi-smtp-starttls-vlan.pcap"));
  int smtp_streams = 0;
  for (const auto& st : streams) {
    auto chunks = proto::testing::chunks_of(st);
    if (chunks.empty() || !st.node1.ends_with(":25")) continue;
    ++smtp_streams;
    proto::testing::CollectSink sink;
    AnalyzerContext ctx;
    ctx.sink = &sink;
    auto a = kSmtpAnalyzer.make_stream(ctx);
    PacketRef at;
    size_t i = 0;
    for (; i < chunks.size() && !a->upgraded_to_tls(); ++i)
      a->on_data(chunks[i].dir, {reinterpret_cast<const uint8_t*>(chunks[i].bytes.data()), chunks[i].bytes.size()}, at);
    EXPECT_TRUE(a->upgraded_to_tls());
    ASSERT_LT(i, chunks.size());
    EXPECT_EQ(static_cast<uint8_t>(chunks[i].bytes[0]), 0x16);  // the next bytes are a TLS handshake
    auto recs = sink.of("smtp");
    ASSERT_EQ(recs.size(), 1u);  // emitted at the switch
    EXPECT_EQ(recs[0]["tls"], true);
    EXPECT_EQ(recs[0]["commands"], json::parse(R"(["EHLO","STARTTLS"])"));
    EXPECT_EQ(recs[0]["last_reply"], "220 2.0.0 Ready to start TLS");
    for (; i < chunks.size(); ++i)
      a->on_data(chunks[i].dir, {reinterpret_cast<const uint8_t*>(chunks[i].bytes.data()), chunks[i].bytes.size()}, at);
    a->on_end(at);
    EXPECT_EQ(sink.lines.size(), 1u);
  }
  EXPECT_EQ(smtp_streams, 2);
}

TEST(Smtp, PipeliningPairsRepliesWithTheirCommands) {
  auto c = conv({{1, "220 mx ESMTP\r\n"},
                 {0, "EHLO me\r\n"},
                 {1, "250-mx\r\n250 PIPELINING\r\n"},
                 {0, "MAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nRCPT TO:<nobody@y>\r\nRCPT TO:<c@y>\r\nDATA\r\n"},
                 {1, "250 ok\r\n250 ok\r\n550 no such user\r\n250 ok\r\n354 go\r\n"},
                 {0, "Subject: one\r\n\r\nbody\r\n..dot\r\n.\r\nMAIL FROM:<a2@x>\r\nRCPT TO:<d@y>\r\nDATA\r\n"},
                 {1, "250 queued 1\r\n250 ok\r\n250 ok\r\n354 go\r\n"},
                 {0, "Subject: two\r\n\r\n.\r\nQUIT\r\n"},
                 {1, "554 rejected\r\n221 bye\r\n"}});
  auto sink = feed(kSmtpAnalyzer, c).sink;
  auto r = sink.of("smtp");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0]["mailfrom"], "a@x");
  EXPECT_EQ(r[0]["rcptto"], json::parse(R"(["b@y","nobody@y","c@y"])"));
  EXPECT_EQ(r[0]["subject"], "one");
  EXPECT_EQ(r[0]["status"], 250);
  EXPECT_EQ(r[0]["last_reply"], "250 queued 1");
  EXPECT_EQ(r[0]["msg_size"], 28);  // "Subject: one\r\n" "\r\n" "body\r\n" ".dot\r\n"
  EXPECT_EQ(r[0]["trans_depth"], 1);
  EXPECT_EQ(r[1]["mailfrom"], "a2@x");
  EXPECT_EQ(r[1]["subject"], "two");
  EXPECT_EQ(r[1]["status"], 554);
  EXPECT_EQ(r[1]["trans_depth"], 2);
  EXPECT_EQ(r[1]["commands"], json::parse(R"(["MAIL","RCPT","DATA"])"));
  EXPECT_EQ(r[0]["commands"], json::parse(R"(["EHLO","MAIL","RCPT","RCPT","RCPT","DATA"])"));
  for (size_t step = 1; step < 12; ++step) EXPECT_EQ(feed(kSmtpAnalyzer, c, step).sink.lines, sink.lines) << step;
}

TEST(Smtp, AuthMechanismsAndOutcomes) {
  auto c = conv({{1, "220 mx ESMTP\r\n"},
                 {0, "EHLO me\r\n"},
                 {1, "250 AUTH PLAIN LOGIN CRAM-MD5\r\n"},
                 {0, "AUTH PLAIN AGFsaWNlAHdyb25n\r\n"},  // \0alice\0wrong
                 {1, "535 5.7.8 Authentication credentials invalid\r\n"},
                 {0, "AUTH CRAM-MD5\r\n"},
                 {1, "334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n"},
                 {0, "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw\r\n"},  // "tim b913a602c7eda7a495b4e6e7334d3890"
                 {1, "535 no\r\n"},
                 {0, "AUTH LOGIN\r\n"},
                 {1, "334 VXNlcm5hbWU6\r\n"},
                 {0, "*\r\n"},
                 {1, "501 cancelled\r\n"},
                 {0, "AUTH LOGIN\r\n"},
                 {1, "334 VXNlcm5hbWU6\r\n"},
                 {0, "Ym9i\r\n"},
                 {1, "334 UGFzc3dvcmQ6\r\n"},
                 {0, "aHVudGVyMg==\r\n"},
                 {1, "235 ok\r\n"},
                 {0, "AUTH PLAIN\r\n"}});  // no reply before the end: unknown
  auto sink = feed(kSmtpAnalyzer, c).sink;
  auto a = sink.of("auth");
  ASSERT_EQ(a.size(), 5u);
  EXPECT_EQ(a[0]["method"], "AUTH PLAIN");
  EXPECT_EQ(a[0]["user"], "alice");
  EXPECT_EQ(a[0]["password"], "wrong");
  EXPECT_EQ(a[0]["outcome"], "failure");
  EXPECT_EQ(a[0]["reply"], "535 5.7.8 Authentication credentials invalid");
  EXPECT_EQ(a[1]["method"], "AUTH CRAM-MD5");
  EXPECT_EQ(a[1]["user"], "tim");
  EXPECT_EQ(a[1]["password_seen"], false);
  EXPECT_TRUE(a[1]["password"].is_null());
  EXPECT_EQ(a[2]["outcome"], "failure");
  EXPECT_EQ(a[2]["user"], "");
  EXPECT_EQ(a[3]["user"], "bob");
  EXPECT_EQ(a[3]["password"], "hunter2");
  EXPECT_EQ(a[3]["outcome"], "success");
  EXPECT_EQ(a[4]["outcome"], "unknown");
  auto s = sink.of("smtp");
  ASSERT_EQ(s.size(), 1u);  // no transaction: one record for the connection
  EXPECT_EQ(s[0]["auth_user"], "bob");
  EXPECT_EQ(s[0]["trans_depth"], 1);
  for (size_t step = 1; step < 6; ++step) EXPECT_EQ(feed(kSmtpAnalyzer, c, step).sink.lines, sink.lines) << step;
}

TEST(Smtp, MimeMessageWithChineseSubjectAttachmentsAndLinks) {
  const std::string msg =
      "From: =?GB2312?B?1cXI/Q==?= <zs@example.cn>\r\n"
      "To: a@example.com,\r\n b@example.com\r\n"
      "Subject: =?GB2312?B?xOO6ww==?=\r\n =?UTF-8?B?5rWL6K+V?=\r\n"
      "MIME-Version: 1.0\r\n"
      "Content-Type: multipart/mixed; boundary=\"OUTER\"\r\n"
      "\r\n"
      "preamble\r\n"
      "--OUTER\r\n"
      "Content-Type: multipart/alternative; boundary=INNER\r\n"
      "\r\n"
      "--INNER\r\n"
      "Content-Type: text/plain; charset=utf-8\r\n"
      "Content-Transfer-Encoding: quoted-printable\r\n"
      "\r\n"
      "See https://example.com/a?b=3D1, and www.example.org/x.\r\n"
      "--INNER\r\n"
      "Content-Type: text/html; charset=gb2312\r\n"
      "Content-Transfer-Encoding: base64\r\n"
      "\r\n" +
      // <a href="http://evil.test/login?x=1&amp;y=2">登录 <b>银行</b></a> in GB2312, base64, in two lines
      std::string("PGEgaHJlZj0iaHR0cDovL2V2aWwudGVzdC9sb2dpbj94PTEmYW1wO3k9MiI+tcfCvCA8Yj7S+NDQ\r\n"
                  "PC9iPjwvYT4=\r\n") +
      "--INNER--\r\n"
      "--OUTER\r\n"
      "Content-Type: application/pdf; name=\"=?GB2312?B?xOO6ww==?=.pdf\"\r\n"
      "Content-Disposition: attachment; filename*=gbk''%b7%a2%c6%b1.pdf\r\n"
      "Content-Transfer-Encoding: base64\r\n"
      "\r\n"
      "JVBERi0xLjQK\r\n"
      "--OUTER\r\n"
      "Content-Type: image/png\r\n"
      "\r\n"
      "xx\r\n"
      "--OUTER--\r\n"
      "epilogue\r\n";
  auto c = conv({{1, "220 mx SMTP\r\n"}, {0, "HELO me\r\nMAIL FROM:<zs@example.cn>\r\nRCPT TO:<a@example.com>\r\nDATA\r\n"},
                 {1, "250 hi\r\n250 ok\r\n250 ok\r\n354 go\r\n"}, {0, msg + ".\r\n"}, {1, "250 ok\r\n"}});
  auto sink = feed(kSmtpAnalyzer, c).sink;
  auto r = sink.of("smtp");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0]["subject"], "你好测试");
  EXPECT_EQ(r[0]["from"], "张三 <zs@example.cn>");
  EXPECT_EQ(r[0]["to"], "a@example.com, b@example.com");
  EXPECT_EQ(r[0]["msg_size"], msg.size());
  EXPECT_EQ(r[0]["attachments"], json::parse(R"([{"name":"发票.pdf","type":"application/pdf","encoded_bytes":14},
                                                 {"name":"","type":"image/png","encoded_bytes":4}])"));
  EXPECT_EQ(r[0]["urls"], json::parse(R"([{"url":"https://example.com/a?b=1"},{"url":"www.example.org/x"},
                                          {"url":"http://evil.test/login?x=1&y=2","text":"登录 银行"}])"));
  EXPECT_EQ(r[0]["body_text"], "See https://example.com/a?b=1, and www.example.org/x. 登录 银行");
  EXPECT_EQ(r[0]["anomalies"], json::array());
  for (size_t step = 1; step < 8; ++step) EXPECT_EQ(feed(kSmtpAnalyzer, c, step).sink.lines, sink.lines) << step;
}

TEST(Smtp, BodyTextIsTheReadableStartOfTheMessage) {
  auto one_message = [](const std::string& msg) {
    auto r = feed(kSmtpAnalyzer, conv({{0, "HELO a\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n"}, {0, msg + ".\r\n"}}))
                 .sink.of("smtp");
    return r.size() == 1 ? r[0]["body_text"] : json();
  };
  // HTML: what a mail client shows, not the markup.
  EXPECT_EQ(one_message("Content-Type: text/html; charset=utf-8\r\n\r\n"
                        "<html><head><style>p {color: red}</style><title>T</title></head><body>\r\n"
                        "<!-- hidden <b>note</b> --><p>Your pass<b>word</b>&nbsp;expires&amp;today</p>"
                        "<script type=\"x\">var verify = 1;</script><div>&#x5bc6;&#30721;</div>\r\n</body></html>\r\n"),
            "T Your password expires&today 密码");
  // No text part at all: null.
  EXPECT_TRUE(one_message("Content-Type: application/octet-stream\r\n\r\nAAAA\r\n").is_null());
  // Long text is cut at the bound, never inside a character.
  std::string body;
  for (int i = 0; i < 1000; ++i) body += "账户 ";
  auto cut = one_message("Content-Type: text/plain; charset=utf-8\r\n\r\nab" + body + "\r\n");
  std::string t = cut.get<std::string>();
  EXPECT_LE(t.size(), text::MailMessage::kMaxSummaryText);
  EXPECT_GT(t.size(), text::MailMessage::kMaxSummaryText - 8);
  EXPECT_EQ(t, ("ab" + body).substr(0, t.size()));
  EXPECT_TRUE(t.ends_with("账户") || t.ends_with("账户 "));
}

TEST(Smtp, BodyTextAgreesWithTshark) {
  if (!have_tool("tshark")) GTEST_SKIP() << "tshark missing";
  std::string pcap = shared_pcap("chrissanders-mail-sender-client.pcapng");
  // tshark shows each line of the text/plain body, with its line ending escaped.
  auto rows = tshark_rows(pcap, "imf", {"text"});
  ASSERT_EQ(rows.size(), 1u);
  std::string want = std::regex_replace(rows[0][0], std::regex(R"(^Timestamps,)"), "");
  want = std::regex_replace(want, std::regex(R"((\\r\\n,?)+)"), " ");
  want = std::regex_replace(want, std::regex(R"(\s+)"), " ");
  want = std::regex_replace(want, std::regex(R"(^ | $)"), "");
  auto r = feed(kSmtpAnalyzer, tcp_stream_chunks(pcap, 0)).sink.of("smtp");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0]["body_text"], want);
  EXPECT_TRUE(want.starts_with("I need your help."));
}

TEST(Smtp, GapsGarbageAndTruncation) {
  // A message cut by the end of the capture: the record still comes, marked.
  auto cut = feed(kSmtpAnalyzer, conv({{1, "220 mx ESMTP\r\n"}, {0, "EHLO a\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n"},
                                       {1, "250 a\r\n250 b\r\n250 c\r\n354 d\r\n"}, {0, "Subject: cut\r\n\r\nhalf a li"}})).sink;
  auto r = cut.of("smtp");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0]["subject"], "cut");
  EXPECT_TRUE(r[0]["status"].is_null());
  EXPECT_EQ(r[0]["anomalies"], json::parse(R"(["unterminated_message"])"));

  // Binary garbage on both sides: no crash, nothing invented.
  std::string junk;
  for (int i = 0; i < 5000; ++i) junk += char((i * 7919) & 0xff);
  auto g = feed(kSmtpAnalyzer, conv({{0, junk}, {1, junk}, {0, junk}})).sink;
  for (const auto& x : g.of("smtp")) {
    EXPECT_TRUE(x["mailfrom"].is_null());
    EXPECT_TRUE(x["msg_size"].is_null());
  }
  EXPECT_TRUE(g.of("auth").empty());

  // Only the client side captured: DATA content is still recognised without the 354.
  auto one = feed(kSmtpAnalyzer, conv({{0, "EHLO a\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n"},
                                       {0, "Subject: lonely\r\n\r\nx\r\n.\r\nQUIT\r\n"}})).sink;
  auto o = one.of("smtp");
  ASSERT_EQ(o.size(), 1u);
  EXPECT_EQ(o[0]["subject"], "lonely");
  EXPECT_EQ(o[0]["commands"], json::parse(R"(["EHLO","MAIL","RCPT","DATA"])"));

  // A gap in the replies: the pending commands are dropped, later pairs still match.
  auto c = conv({{1, "220 mx ESMTP\r\n"}, {0, "EHLO a\r\nMAIL FROM:<a@b>\r\n"}, {1, "250 a\r\n25"}});
  c.push_back({Dir::kResp, std::string(100, 'x'), true});
  c.insert(c.end(), {{Dir::kOrig, "RSET\r\nMAIL FROM:<e@f>\r\nRCPT TO:<g@h>\r\nDATA\r\n"},
                     {Dir::kResp, "250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n"}, {Dir::kOrig, "\r\nx\r\n.\r\n"},
                     {Dir::kResp, "250 done\r\n"}});
  auto s = feed(kSmtpAnalyzer, c).sink.of("smtp");
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0]["mailfrom"], "a@b");
  EXPECT_EQ(s[0]["anomalies"], json::parse(R"(["gap_in_replies"])"));
  EXPECT_EQ(s[1]["mailfrom"], "e@f");
  EXPECT_EQ(s[1]["status"], 250);
}

TEST(Smtp, Probe) {
  auto p = [](std::string_view s, Dir d) { return probe({reinterpret_cast<const uint8_t*>(s.data()), s.size()}, d); };
  EXPECT_EQ(p("220 mx.google.com ESMTP s4si9696358qcc.63 - gsmtp\r\n", Dir::kResp), Match::kYes);
  EXPECT_EQ(p("220-xc90.websitewelcome.com ESMTP Exim", Dir::kResp), Match::kYes);
  EXPECT_EQ(p("220 (vsFTPd 3.0.3)\r\n", Dir::kResp), Match::kMaybe);
  EXPECT_EQ(p("+OK POP3 ready\r\n", Dir::kResp), Match::kNo);
  EXPECT_EQ(p("EHLO [172.16.16.225]\r\n", Dir::kOrig), Match::kYes);
  EXPECT_EQ(p("GET / HTTP/1.1\r\n", Dir::kOrig), Match::kNo);
  EXPECT_EQ(p("22", Dir::kResp), Match::kNo);
  EXPECT_EQ(kSmtpAnalyzer.name, "smtp");
}

}  // namespace
}  // namespace trawl::proto::smtp
