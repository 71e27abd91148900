// A conn record handed over in its binary form must read exactly as the line conn.jsonl holds for it,
// parsed back (what `trawl detect` sees): every column, through every RecordView accessor.
#include "detect/conn_codec.h"

#include <cstdio>
#include <memory>

#include <gtest/gtest.h>

#include "output/record_writers.h"
#include "support/testing.h"

namespace trawl::detect {
namespace {

flow::ConnRecord record(int i) {
  flow::ConnRecord r;
  r.uid = "CAbc" + std::to_string(i);
  r.ts_first_ns = 1700000000'123456789 + int64_t(i) * 1'000'000'007;  // sub-microsecond digits: truncated
  r.ts_last_ns = r.ts_first_ns + 1'500 + int64_t(i) * 499;             // durations round to microseconds
  r.orig_h = *IpAddress::parse(i % 2 ? "10.0.0.5" : "2001:db8::5");
  r.resp_h = *IpAddress::parse(i % 2 ? "203.0.113.7" : "2001:db8::7");
  r.orig_p = uint16_t(40000 + i);
  r.resp_p = 445;
  r.proto = i % 3 ? 6 : 17;  // UDP: orig_flags is null
  r.vlan = uint16_t(i);
  r.orig_pkts = 3, r.resp_pkts = uint64_t(i), r.orig_ip_bytes = 180, r.resp_ip_bytes = 120;
  r.orig_bytes = uint64_t(i) * 1000, r.resp_bytes = 7, r.missed_bytes = uint64_t(i % 2);
  r.conn_state = i % 2 ? "SF" : "S0";
  r.history = i % 2 ? "ShAdDaFf" : "S";
  r.orig_flags = 0x1b;
  r.service = i % 4 ? "smb" : "";
  for (int f = 0; f < i % 12; ++f) r.first_frames.push_back({uint32_t(f % 3 == 2), uint64_t(100 + f)});  // two files
  return r;
}

TEST(ConnCodec, RowsReadExactlyAsTheirJsonLines) {
  std::vector<capture::CaptureFile> files(2);
  files[0].name = "a.pcap";
  files[1].name = "b.pcap";
  testing::TempDir dir;
  const int n = 40;
  {
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(dir.file("conn.jsonl").c_str(), "wb"), &std::fclose);
    output::ConnWriter writer(f.get(), output::Format::kJsonl, files);
    for (int i = 0; i < n; ++i) writer.on_flow_end(record(i));
    writer.finish();
  }
  output::TextBuffer encoded;
  for (int i = 0; i < n; ++i) encode_conn(record(i), encoded);

  simdjson::dom::parser parser;
  std::vector<simdjson::padded_string> lines;
  std::string text = testing::read_file(dir.file("conn.jsonl"));
  for (size_t at = 0, nl; (nl = text.find('\n', at)) != std::string::npos; at = nl + 1) lines.emplace_back(text.substr(at, nl - at));
  ASSERT_EQ(lines.size(), size_t(n));

  const char* keys[] = {"ts", "uid", "src", "sport", "dst", "dport", "proto", "service", "duration", "orig_bytes",
                        "resp_bytes", "conn_state", "missed_bytes", "history", "orig_pkts", "orig_ip_bytes",
                        "resp_pkts", "resp_ip_bytes", "orig_flags", "vlan", "file", "frame", "frames", "nothing"};
  const std::vector<std::string> file_names = {"a.pcap", "b.pcap"};
  ConnRow row;
  row.file_names = file_names;
  std::vector<ConnRow::Frame> frames;
  size_t i = 0;
  for (const char* p = encoded.data(), *end = p + encoded.size(); p < end; ++i) {
    ASSERT_LT(i, lines.size());
    p = decode_conn(p, end, row, frames);
    RecordView view(row);
    simdjson::dom::element doc = parser.parse(lines[i]);
    RecordView json(doc.get_object().value());
    for (const char* k : keys) {
      SCOPED_TRACE(std::string(k) + " of record " + std::to_string(i));
      EXPECT_EQ(view.has(k), json.has(k));
      EXPECT_EQ(view.str(k), json.str(k));
      EXPECT_EQ(view.num(k), json.num(k));  // exactly: the same double
      EXPECT_EQ(view.integer(k), json.integer(k));
    }
    EXPECT_EQ(view.src_ip(), json.src_ip());
    EXPECT_EQ(view.dst_ip(), json.dst_ip());
    FrameSet a, b;
    view.add_frames(a);
    json.add_frames(b);
    EXPECT_EQ(a.to_json(), b.to_json()) << i;
  }
  EXPECT_EQ(i, size_t(n));
}

TEST(ConnCodec, CutShortBytesThrow) {
  output::TextBuffer encoded;
  encode_conn(record(5), encoded);
  ConnRow row;
  std::vector<ConnRow::Frame> frames;
  EXPECT_EQ(decode_conn(encoded.data(), encoded.data() + encoded.size(), row, frames), encoded.data() + encoded.size());
  EXPECT_THROW(decode_conn(encoded.data(), encoded.data() + encoded.size() - 1, row, frames), std::logic_error);
  EXPECT_THROW(decode_conn(encoded.data(), encoded.data() + 10, row, frames), std::logic_error);
}

}  // namespace
}  // namespace trawl::detect
