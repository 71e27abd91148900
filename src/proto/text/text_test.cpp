#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "proto/text/codecs.h"
#include "proto/text/line_reader.h"
#include "proto/text/mime_words.h"

namespace trawl::proto::text {
namespace {

struct Got {
  std::string text;
  bool truncated;
  bool operator==(const Got&) const = default;
  friend void PrintTo(const Got& g, std::ostream* os) { *os << '"' << g.text << '"' << (g.truncated ? "(cut)" : ""); }
};

std::vector<Got> split(const std::string& stream, size_t step, size_t cap) {
  LineReader r(cap);
  std::vector<Got> out;
  for (size_t i = 0; i < stream.size(); i += step) {
    r.push(std::string_view(stream).substr(i, step));
    while (auto l = r.next_line()) out.push_back({std::string(l->text), l->truncated});
  }
  return out;
}

TEST(LineReader, SameLinesWhateverTheChunking) {
  const std::string s = "EHLO a\r\nMAIL FROM:<x>\nlonglonglonglonglonglong\r\n\r\nRCPT TO:<y>\r\npartial";
  const std::vector<Got> want = {{"EHLO a", false}, {"MAIL FROM:<x>", false}, {"longlonglonglong", true}, {"", false},
                                 {"RCPT TO:<y>", false}};
  for (size_t step = 1; step <= s.size(); ++step) EXPECT_EQ(split(s, step, 16), want) << "step " << step;
}

TEST(LineReader, KeepsAtMostTheCapOfAnEndlessLine) {
  LineReader r(16);
  std::string junk(1000, 'x');
  int lines = 0;
  for (int i = 0; i < 100; ++i) {
    r.push(junk);
    while (auto l = r.next_line()) {
      EXPECT_EQ(l->text.size(), 16u);
      EXPECT_TRUE(l->truncated);
      ++lines;
    }
    EXPECT_LE(r.pending(), 17u);
  }
  EXPECT_EQ(lines, 1);  // the rest of the line is dropped up to its LF
  r.push(std::string_view("tail\nnext\n"));
  auto l = r.next_line();
  ASSERT_TRUE(l);
  EXPECT_EQ(l->text, "next");
}

TEST(LineReader, TakeMixesCountedBytesWithLines) {
  // An IMAP literal: a line announcing 5 bytes, the bytes (holding a CRLF), then the rest of the line.
  const std::string s = "a LOGIN {5}\r\nab\r\nc secret\r\n";
  for (size_t step = 1; step <= s.size(); ++step) {
    LineReader r;
    std::string literal;
    size_t want = 0;
    std::vector<std::string> lines;
    for (size_t i = 0; i < s.size(); i += step) {
      r.push(std::string_view(s).substr(i, step));
      for (;;) {
        if (want > 0) {
          auto b = r.take(want);
          if (b.empty()) break;
          literal += b, want -= b.size();
          continue;
        }
        auto l = r.next_line();
        if (!l) break;
        lines.emplace_back(l->text);
        if (l->text.ends_with("{5}")) want = 5;
      }
    }
    EXPECT_EQ(literal, "ab\r\nc") << step;
    EXPECT_EQ(lines, (std::vector<std::string>{"a LOGIN {5}", " secret"})) << step;
  }
}

TEST(Codecs, Base64) {
  std::string out;
  EXPECT_TRUE(base64_decode("Z3VycGFydGFwQHBhdHJpb3RzLmlu", out));
  EXPECT_EQ(out, "gurpartap@patriots.in");
  out.clear();
  EXPECT_TRUE(base64_decode("AGRpZ2l0YWxpbnZlc3RpZ2F0b3JAbmV0d29ya3NpbXMuY29tAG5hcGllcg==", out));
  EXPECT_EQ(out, std::string("\0digitalinvestigator@networksims.com\0napier", 43));
  out.clear();
  EXPECT_TRUE(base64_decode("cHVu amFi\r\nQDEyMw", out));  // whitespace and missing padding
  EXPECT_EQ(out, "punjab@123");
  out.clear();
  EXPECT_FALSE(base64_decode("ab!d", out));
  EXPECT_FALSE(base64_decode("abcde", out));  // a lone sextet
}

TEST(Codecs, Base64StreamAcrossLines) {
  Base64Stream s;
  std::string out;
  for (auto part : {"aGVsbG8g", "d29y", "bGQ", "=\r\n"}) s.feed(part, out, 100);
  EXPECT_EQ(out, "hello world");
  out.clear();
  s.reset();
  s.feed("aGVsbG8gd29ybGQ=", out, 4);  // bounded
  EXPECT_LE(out.size(), 4u);
}

TEST(Codecs, QuotedPrintable) {
  std::string out;
  EXPECT_TRUE(qp_decode_line("<html xmlns:v=3D\"urn\" =", out, 1000));
  EXPECT_EQ(out, "<html xmlns:v=\"urn\" ");
  out.clear();
  EXPECT_FALSE(qp_decode_line("a=ZZb=4", out, 1000));
  EXPECT_EQ(out, "a=ZZb=4");
  out.clear();
  q_decode("=D6=F7=CC=E2_x", out);
  EXPECT_EQ(out, "\xD6\xF7\xCC\xE2 x");
}

TEST(MimeWords, ChineseAndUtf8Subjects) {
  EXPECT_EQ(decode_header_words("=?GB2312?B?xOO6ww==?="), "你好");
  EXPECT_EQ(decode_header_words("=?gbk?B?1tDOxNPKvP4=?= test"), "中文邮件 test");
  EXPECT_EQ(decode_header_words("=?gb2312?Q?=D6=F7=CC=E2?="), "主题");
  // Whitespace between adjacent words goes, whitespace next to plain text stays; folding is undone.
  EXPECT_EQ(decode_header_words("Re: =?UTF-8?B?5rWL?=\r\n =?utf-8?b?6K+V?= ok"), "Re: 测试 ok");
  EXPECT_EQ(decode_header_words("=?ISO-8859-1?Q?Andr=E9?= Pirard"), "André Pirard");
  // Not encoded words: left as they are.
  EXPECT_EQ(decode_header_words("a =?x?b b?= =?"), "a =?x?b b?= =?");
  EXPECT_EQ(decode_header_words("=?no-such-charset?Q?abc?="), "abc");
}

TEST(MimeWords, Parameters) {
  EXPECT_EQ(header_param("attachment;\r\n\tfilename=\"NEWS.txt\"", "filename"), "NEWS.txt");
  EXPECT_EQ(header_param("text/plain; name=plain.txt; charset=us-ascii", "name"), "plain.txt");
  EXPECT_EQ(header_param("attachment; filename*=gbk''%b7%a2%c6%b1.pdf", "filename"), "发票.pdf");
  EXPECT_EQ(header_param("attachment; filename*0*=utf-8''%E9%99%84; filename*1*=%E4%BB%B6; filename*2=\".doc\"",
                         "filename"),
            "附件.doc");
  EXPECT_EQ(header_param("attachment; filename=\"=?GB2312?B?xOO6ww==?=.txt\"", "filename"), "你好.txt");
  EXPECT_EQ(header_param("multipart/mixed;\r\n\tboundary=\"----=_NextPart_000\"", "boundary"), "----=_NextPart_000");
  EXPECT_EQ(header_param("attachment; filenamex=a; xfilename=b", "filename"), "");
  EXPECT_EQ(header_param("a; filename=\"unterminated", "filename"), "unterminated");
  EXPECT_EQ(media_type(" Text/HTML ; charset=x"), "text/html");
  EXPECT_EQ(media_type("garbage"), "");
}

TEST(MimeWords, CharsetConversion) {
  std::string out;
  EXPECT_TRUE(charset_to_utf8("GB2312", "\xC4\xE3\xBA\xC3", out));
  EXPECT_EQ(out, "你好");
  out.clear();
  EXPECT_FALSE(charset_to_utf8("gb2312", "\xC4", out));  // cut sequence: the byte is kept
  EXPECT_EQ(out, "\xC4");
}

}  // namespace
}  // namespace trawl::proto::text
