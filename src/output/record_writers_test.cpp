#include "output/record_writers.h"

#include <cstdio>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace trawl::output {
namespace {

using flow::ConnRecord;
using flow::FrameRef;

// conn.jsonl's columns, in order (the record contract: docs and the detectors read these keys).
constexpr Column kConn[] = {
    {"ts", ColumnType::kTime},           {"uid", ColumnType::kString},      {"src", ColumnType::kAddr},
    {"sport", ColumnType::kPort},        {"dst", ColumnType::kAddr},        {"dport", ColumnType::kPort},
    {"proto", ColumnType::kString},      {"service", ColumnType::kString},  {"duration", ColumnType::kInterval},
    {"orig_bytes", ColumnType::kCount},  {"resp_bytes", ColumnType::kCount}, {"conn_state", ColumnType::kString},
    {"missed_bytes", ColumnType::kCount}, {"history", ColumnType::kString}, {"orig_pkts", ColumnType::kCount},
    {"orig_ip_bytes", ColumnType::kCount}, {"resp_pkts", ColumnType::kCount}, {"resp_ip_bytes", ColumnType::kCount},
    {"orig_flags", ColumnType::kCount},  {"vlan", ColumnType::kCount},      {"file", ColumnType::kString},
    {"frame", ColumnType::kCount},       {"frames", ColumnType::kJson},
};

template <typename Write>
std::string to_memory(Write&& write) {
  char* data = nullptr;
  size_t size = 0;
  std::FILE* f = open_memstream(&data, &size);
  write(f);
  std::fclose(f);
  std::string s(data, size);
  free(data);
  return s;
}

std::vector<ConnRecord> tricky_records() {
  std::vector<ConnRecord> out;
  ConnRecord base;
  base.uid = "CAbCdEfGhIjK";
  base.ts_first_ns = 1700000000'123456789;
  base.ts_last_ns = 1700000003'000000500;
  base.orig_h = *IpAddress::parse("10.1.2.3");
  base.resp_h = *IpAddress::parse("2001:db8::1");
  base.orig_p = 49152;
  base.resp_p = 443;
  base.proto = 6;
  base.orig_pkts = 18446744073709551615ull;
  base.orig_ip_bytes = 1234567890123;
  base.resp_pkts = 9;
  base.resp_ip_bytes = 10;
  base.orig_bytes = 99;
  base.resp_bytes = 100;
  base.conn_state = "SF";
  base.history = "ShADadFf";
  base.orig_flags = 0x1b;
  base.service = "ssl";
  base.first_frames.assign({FrameRef{0, 1}, FrameRef{0, 9}, FrameRef{0, 10}, FrameRef{0, 99}});
  out.push_back(base);

  ConnRecord r = base;  // strings that need escaping, invalid UTF-8, and frames across files
  r.uid = "C\"quoted\\";
  r.service = std::string("caf\xc3\xa9\n\x01\xff", 8);
  r.history = "^hR";
  r.conn_state = std::string(40, 'S');
  r.first_frames.assign({FrameRef{1, 5}, FrameRef{0, 6}, FrameRef{1, 7}, FrameRef{2, 8}, FrameRef{0, 1000000},
                         FrameRef{1, 18446744073709551615ull}, FrameRef{2, 1}, FrameRef{0, 2}, FrameRef{1, 3},
                         FrameRef{2, 4}});
  out.push_back(r);

  r = ConnRecord{};  // no addresses, no frames, not TCP, before the epoch, negative duration
  r.ts_first_ns = -1'500'000;
  r.ts_last_ns = -2'000'000'000;
  r.proto = 17;
  out.push_back(r);

  r = base;  // ICMP, an unknown protocol number, VLAN
  r.proto = 1;
  r.vlan = 4095;
  r.service.clear();
  out.push_back(r);
  r.proto = 132;
  out.push_back(r);
  return out;
}

TEST(ConnWriter, JsonlLinesEqualTheGenericWriter) {
  std::vector<capture::CaptureFile> files(3);
  files[0].name = "a.pcap";
  files[1].name = "dir \"q\" \xc3\xa9.pcap";
  files[2].name = std::string("ctl\x01\xfe.pcap", 10);
  const std::vector<ConnRecord> records = tricky_records();

  std::string fast = to_memory([&](std::FILE* f) {
    ConnWriter w(f, Format::kJsonl, files);
    for (ConnRecord r : records) w.on_flow_end(std::move(r));
    w.finish();
  });
  std::string reference = to_memory([&](std::FILE* f) {
    TableWriter t(f, Format::kJsonl, kConn);
    TextBuffer scratch;
    for (const ConnRecord& r : records) write_conn_columns(t, r, files, false, scratch);
    t.finish();
  });
  EXPECT_EQ(fast, reference);

  // And it is JSON with the record's values.
  auto first = nlohmann::json::parse(fast.substr(0, fast.find('\n')));
  EXPECT_EQ(first["uid"], "CAbCdEfGhIjK");
  EXPECT_EQ(first["ts"].get<double>(), 1700000000.123456);
  EXPECT_EQ(first["orig_pkts"].get<uint64_t>(), 18446744073709551615ull);
  EXPECT_EQ(first["frames"][0]["frames"].size(), 4u);
  EXPECT_EQ(first["dst"], "2001:db8::1");
}

TEST(ConnWriter, FrameOfAFileIndexPastTheFilesIsNamedQuestionMark) {
  std::vector<capture::CaptureFile> files(1);
  files[0].name = "a.pcap";
  ConnRecord r;
  r.first_frames.assign({FrameRef{0, 1}, FrameRef{7, 2}});
  std::string out = to_memory([&](std::FILE* f) {
    ConnWriter w(f, Format::kJsonl, files);
    w.on_flow_end(std::move(r));
    w.finish();
  });
  auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["file"], "a.pcap");
  EXPECT_EQ(j["frames"][1]["file"], "?");
  EXPECT_EQ(j["frames"][1]["frames"][0], 2);
}

}  // namespace
}  // namespace trawl::output
