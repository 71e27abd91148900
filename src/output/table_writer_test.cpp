#include "output/table_writer.h"

#include <cstdio>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace trawl::output {
namespace {

constexpr Column kColumns[] = {
    {"ts", ColumnType::kTime, 17}, {"name", ColumnType::kString, 6}, {"n", ColumnType::kCount, -4},
    {"addr", ColumnType::kAddr, 0},
};

// Writes rows through a memory stream and returns what came out.
template <typename Rows>
std::string render(Format format, Rows&& rows) {
  char* data = nullptr;
  size_t size = 0;
  std::FILE* f = open_memstream(&data, &size);
  {
    TableWriter w(f, format, kColumns, "test");
    w.write_header();
    rows(w);
    w.finish();
  }
  std::fclose(f);
  std::string s(data, size);
  free(data);
  return s;
}

void two_rows(TableWriter& w) {
  w.add_time(1700000000'123456789);
  w.add("a,\"b\"\n\t\x01");
  w.add_count(42);
  w.add_addr(*IpAddress::parse("2001:db8::1"));
  w.end_row();
  w.add_time(-1'500'000);  // before the epoch: -0.001500
  w.add(std::string_view("caf\xc3\xa9 \xff", 7));
  w.add_count(7);
  w.add_null();
  w.end_row();
}

TEST(TableWriter, JsonlLinesParseBackToTheValuesWritten) {
  std::string out = render(Format::kJsonl, two_rows);
  auto nl = out.find('\n');
  auto first = nlohmann::json::parse(out.substr(0, nl));
  EXPECT_NE(out.find("{\"ts\":1700000000.123456,"), std::string::npos);  // exact digits, not a rounded double
  EXPECT_EQ(first["name"], "a,\"b\"\n\t\x01");
  EXPECT_EQ(first["n"], 42);
  EXPECT_EQ(first["addr"], "2001:db8::1");
  auto second = nlohmann::json::parse(out.substr(nl + 1, out.size() - nl - 2));
  EXPECT_NE(out.find("{\"ts\":-0.001500,"), std::string::npos);
  EXPECT_EQ(second["name"], "caf\xc3\xa9 \xc3\xbf");  // the stray byte 0xff is kept as U+00FF
  EXPECT_TRUE(second["addr"].is_null());
}

TEST(TableWriter, CsvQuotesOnlyWhatNeedsQuoting) {
  std::string out = render(Format::kCsv, two_rows);
  EXPECT_EQ(out.substr(0, out.find('\n')), "ts,name,n,addr");
  EXPECT_NE(out.find("1700000000.123456,\"a,\"\"b\"\"\n\t\x01\",42,2001:db8::1\n"), std::string::npos);
  EXPECT_NE(out.find(",7,\n"), std::string::npos);
}

TEST(TableWriter, TextAlignsColumns) {
  std::string out = render(Format::kText, [](TableWriter& w) {
    w.add_time(1'000'000);
    w.add("ab");
    w.add_count(5);
    w.add_addr(*IpAddress::parse("10.0.0.1"));
    w.end_row();
  });
  EXPECT_EQ(out, "ts                name      n addr\n0.001000          ab        5 10.0.0.1\n");
}

TEST(TableWriter, ZeekHasHeaderEscapesAndClose) {
  std::string out = render(Format::kZeek, [](TableWriter& w) {
    w.add_time(0);
    w.add("tab\there");
    w.add_count(1);
    w.add_null();
    w.end_row();
  });
  EXPECT_NE(out.find("#fields\tts\tname\tn\taddr\n#types\ttime\tstring\tcount\taddr\n"), std::string::npos);
  EXPECT_NE(out.find("0.000000\ttab\\x09here\t1\t-\n#close\n"), std::string::npos);
}

}  // namespace
}  // namespace trawl::output
