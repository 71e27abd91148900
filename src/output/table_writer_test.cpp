#include "output/table_writer.h"

#include <arpa/inet.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

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

// The JSONL fast paths (plain strings copied whole, keys and digits written in place) against an
// independent JSON parser: every length around the 4- and 8-byte word boundaries, with a character
// that needs care at every position.
TEST(TableWriter, JsonlStringsOfEveryLengthParseBack) {
  std::vector<std::string> values;
  for (size_t len = 0; len <= 26; ++len) {
    values.push_back(std::string(len, 'x'));
    for (size_t at = 0; at < len; ++at)
      for (std::string_view special : {"\"", "\\", "\n", "\x01", "\x1f", "\xc3\xa9", "\x7f"}) {
        std::string v(len, 'y');
        v.replace(at, 1, special);
        values.push_back(v);
      }
  }
  std::string out = render(Format::kJsonl, [&](TableWriter& w) {
    for (const auto& v : values) {
      w.add_time(0);
      w.add(v);
      w.end_row();
    }
  });
  size_t pos = 0;
  for (const auto& v : values) {
    size_t nl = out.find('\n', pos);
    ASSERT_NE(nl, std::string::npos);
    auto j = nlohmann::json::parse(out.substr(pos, nl - pos));
    EXPECT_EQ(j["name"], v);
    pos = nl + 1;
  }
}

TEST(TableWriter, JsonlNumbersAndTimesAtDigitBoundaries) {
  std::vector<uint64_t> counts = {0, UINT64_MAX};
  for (uint64_t p = 1, k = 0; k < 20; ++k, p *= 10) {
    counts.push_back(p);
    counts.push_back(p - 1);
    if (k < 19) counts.push_back(p * 10 - 1);
  }
  // Times in order, several in one second (the writer reuses the seconds' digits) and across seconds.
  std::vector<int64_t> times = {0, 999'999, 1'000'000'000, 1'999'999'999, 1700000000'000000000,
                                1700000000'123456789, 1700000000'999999999, 1700000001'000001000,
                                1700000009'500000000, 1700000010'000000000};
  std::string out = render(Format::kJsonl, [&](TableWriter& w) {
    for (size_t i = 0; i < counts.size(); ++i) {
      w.add_time(times[i % times.size()]);
      w.add("n");
      w.add_count(counts[i]);
      w.end_row();
    }
  });
  size_t pos = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    size_t nl = out.find('\n', pos);
    ASSERT_NE(nl, std::string::npos);
    std::string line = out.substr(pos, nl - pos);
    int64_t ns = times[i % times.size()];
    std::string ts = std::to_string(ns / 1'000'000'000) + "." + std::string(6 - std::to_string(ns % 1'000'000'000 / 1000).size(), '0') +
                     std::to_string(ns % 1'000'000'000 / 1000);
    EXPECT_EQ(line.substr(0, line.find(',')), "{\"ts\":" + ts);
    EXPECT_TRUE(line.ends_with(",\"n\":" + std::to_string(counts[i]) + "}")) << line;
    EXPECT_EQ(nlohmann::json::parse(line)["n"].get<uint64_t>(), counts[i]);
    pos = nl + 1;
  }
}

TEST(TableWriter, Ipv4AddressesAsInetNtopWritesThem) {
  std::vector<IpAddress> addrs;
  for (int v = 0; v < 256; ++v)
    for (int at = 0; at < 4; ++at) {
      uint8_t b[4] = {1, 22, 133, 4};
      b[at] = uint8_t(v);
      addrs.push_back(IpAddress::v4(b));
    }
  std::string out = render(Format::kJsonl, [&](TableWriter& w) {
    for (const auto& a : addrs) {
      w.add_time(0);
      w.add("a");
      w.add_count(1);
      w.add_addr(a);
      w.end_row();
    }
  });
  size_t pos = 0;
  for (const auto& a : addrs) {
    size_t nl = out.find('\n', pos);
    ASSERT_NE(nl, std::string::npos);
    char expected[INET_ADDRSTRLEN];
    ASSERT_TRUE(inet_ntop(AF_INET, a.bytes.data(), expected, sizeof expected));
    EXPECT_EQ(nlohmann::json::parse(out.substr(pos, nl - pos))["addr"], expected);
    EXPECT_EQ(a.str(), expected);
    pos = nl + 1;
  }
}

}  // namespace
}  // namespace trawl::output
