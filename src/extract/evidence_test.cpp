#include "extract/evidence.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "capture/capture_set.h"
#include "extract/conn_extract.h"
#include "extract/frame_index.h"
#include "support/testing.h"

namespace trawl::extract {
namespace {

using ::testing::HasSubstr;

const char* kAlerts =
    R"({"type":"scan.tcp_syn","src":"10.0.0.1","frames":[{"file":"a.pcap","frames":[1,2,3]}]})" "\n"
    R"({"type":"c2.beacon","src":"10.0.0.2","frames":[{"file":"a.pcap","frames":[9]},{"file":"b.pcap","frames":[4]}]})" "\n"
    R"({"type":"scan.tcp_syn","src":"10.0.0.3","frames":[{"file":"b.pcap","frames":[7,8]}]})" "\n";

TEST(AlertFrames, AllAlertsWithoutSelectors) {
  FrameSelection s = select_alert_frames(kAlerts, {});
  EXPECT_EQ(s["a.pcap"], (std::set<uint64_t>{1, 2, 3, 9}));
  EXPECT_EQ(s["b.pcap"], (std::set<uint64_t>{4, 7, 8}));
}

TEST(AlertFrames, TypeAndIndexInFileOrder) {
  FrameSelection s = select_alert_frames(kAlerts, {"scan.tcp_syn/1"});
  EXPECT_EQ(s.size(), 1u);
  EXPECT_EQ(s["b.pcap"], (std::set<uint64_t>{7, 8}));
  s = select_alert_frames(kAlerts, {"scan.tcp_syn/0", "c2.beacon/0"});
  EXPECT_EQ(s["a.pcap"], (std::set<uint64_t>{1, 2, 3, 9}));
  EXPECT_EQ(s["b.pcap"], (std::set<uint64_t>{4}));
}

std::string error_of(const std::string& alerts, const std::vector<std::string>& selectors) {
  try {
    select_alert_frames(alerts, selectors);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

TEST(AlertFrames, ClearErrors) {
  EXPECT_THAT(error_of(kAlerts, {"scan.tcp_syn/2"}), HasSubstr("has 2 scan.tcp_syn alert(s) (0 to 1); 2 asked"));
  EXPECT_THAT(error_of(kAlerts, {"dns.dga/0"}), HasSubstr("c2.beacon (1), scan.tcp_syn (2)"));
  EXPECT_THAT(error_of(kAlerts, {"scan.tcp_syn"}), HasSubstr("TYPE/INDEX"));
  EXPECT_THAT(error_of(kAlerts, {"scan.tcp_syn/x"}), HasSubstr("TYPE/INDEX"));
  EXPECT_THAT(error_of("{not json\n", {}), HasSubstr("line 1"));
  EXPECT_THAT(error_of(R"({"type":"x","frames":[{"file":"a","frames":[0]}]})", {}), HasSubstr("frames"));
}

TEST(FrameIndex, MalformedIndexIsRejected) {
  auto line = [](const std::string& offsets) {
    return R"({"file":"a.pcap","path":"/a.pcap","size":1000,"seekable":true,"step":4096,"offsets":)" + offsets + "}\n";
  };
  EXPECT_EQ(parse_frame_index(line("[24,500]")).at(0).offsets, (std::vector<uint64_t>{24, 500}));
  EXPECT_THROW(parse_frame_index(line("[500,24]")), std::runtime_error);   // not growing
  EXPECT_THROW(parse_frame_index(line("[24,1000]")), std::runtime_error);  // past the end
  EXPECT_THROW(parse_frame_index(line("[-1]")), std::runtime_error);
  EXPECT_THROW(parse_frame_index("[1,2]\n"), std::runtime_error);
}

// A capture of n frames whose bytes carry their own frame number, so a wrong frame cannot pass.
std::string numbered_capture(uint32_t n) {
  std::vector<testing::TestFrame> frames(n);
  for (uint32_t i = 0; i < n; ++i) {
    frames[i].bytes.assign(60 + i % 7, 0xab);
    for (int b = 0; b < 4; ++b) frames[i].bytes[b] = uint8_t((i + 1) >> (8 * b));
  }
  return testing::make_pcap(frames);
}

uint32_t number_in(const OwnedPacket& p) {
  return uint32_t(p.bytes[0]) | uint32_t(p.bytes[1]) << 8 | uint32_t(p.bytes[2]) << 16 | uint32_t(p.bytes[3]) << 24;
}

// What analyze does: the index built while the capture set is read.
void build_index(const std::string& capture, const std::string& outdir) {
  capture::CaptureSet set({capture});
  FrameIndexBuilder index(set);
  capture::RawPacket raw;
  while (set.next(raw)) index.add(raw);
  index.write(outdir);
}

TEST(SelectedFrames, SeekByTheIndexAcrossBlocks) {
  testing::TempDir dir;
  const uint32_t n = 3 * kFrameIndexStep + 100;
  std::string bytes = numbered_capture(n);
  testing::write_file(dir.file("big.pcap"), bytes);
  build_index(dir.file("big.pcap"), dir.path());
  auto index = read_frame_index(dir.path());
  ASSERT_EQ(index.size(), 1u);
  EXPECT_TRUE(index[0].seekable);
  ASSERT_EQ(index[0].offsets.size(), 4u);
  EXPECT_EQ(index[0].offsets[0], 24u);

  // Damage a record inside the second block, which holds no wanted frame: reading by the index never
  // touches it, where reading the file from the start would stop there.
  uint64_t damaged = index[0].offsets[1] + 1000;
  std::string broken = bytes;
  uint64_t at = index[0].offsets[1];
  for (int i = 0; i < 40; ++i) at += 16 + (60 + (kFrameIndexStep + i) % 7);  // record of frame step + 41
  ASSERT_LT(at, damaged + 4000);
  broken[at + 8] = broken[at + 9] = broken[at + 10] = char(0x7f);  // caplen far past any limit
  testing::write_file(dir.file("big.pcap"), broken);

  FrameSelection wanted{{"big.pcap", {1, kFrameIndexStep, 2 * kFrameIndexStep + 1, 3 * kFrameIndexStep + 5, n}}};
  auto got = read_selected_frames(index, wanted);
  ASSERT_EQ(got.size(), 5u);
  std::vector<uint64_t> frames;
  for (const auto& p : got) {
    EXPECT_EQ(number_in(p), p.raw.frame);
    EXPECT_EQ(p.raw.data, p.bytes.data());
    frames.push_back(p.raw.frame);
  }
  EXPECT_EQ(frames, (std::vector<uint64_t>(wanted["big.pcap"].begin(), wanted["big.pcap"].end())));

  // Without offsets the file is read from the start, and the damage shows.
  auto streamed = index;
  streamed[0].seekable = false;
  EXPECT_THROW(read_selected_frames(streamed, wanted), std::runtime_error);
  FrameSelection early{{"big.pcap", {2, 3}}};
  EXPECT_EQ(read_selected_frames(streamed, early).size(), 2u);
}

// pcapng: blocks are reread after the bytes before the first packet (section and interface blocks).
// A second section (two pcapng files concatenated) changes the interface table, so the index stops
// before it and frames past it are streamed.
TEST(SelectedFrames, SeekInPcapngUntilTheInterfacesChange) {
  if (!testing::have_tool("editcap")) GTEST_SKIP() << "editcap (tshark) not installed";
  testing::TempDir dir;
  const uint32_t n = 3 * kFrameIndexStep + 100;
  testing::write_file(dir.file("big.pcap"), numbered_capture(n));
  ASSERT_EQ(testing::run("editcap -F pcapng " + dir.file("big.pcap") + " " + dir.file("one.pcapng")).exit_code, 0);
  const std::string section = testing::read_file(dir.file("one.pcapng"));
  testing::write_file(dir.file("big.pcapng"), section + section);
  build_index(dir.file("big.pcapng"), dir.path());
  auto index = read_frame_index(dir.path());
  ASSERT_EQ(index.size(), 1u);
  EXPECT_TRUE(index[0].seekable);
  ASSERT_EQ(index[0].offsets.size(), 4u);  // frames 1, step+1, 2 step+1, 3 step+1; the next lies in section 2
  EXPECT_GT(index[0].offsets[0], 28u);     // after the section header and the interface block

  FrameSelection wanted{{"big.pcapng", {1, kFrameIndexStep + 2, 3 * kFrameIndexStep + 5, n}}};
  FrameSelection later{{"big.pcapng", {n + 1, 2 * n}}};
  auto streamed = index;
  streamed[0].seekable = false;
  for (const auto& sel : {wanted, later}) {
    auto got = read_selected_frames(index, sel), want = read_selected_frames(streamed, sel);
    ASSERT_EQ(got.size(), sel.begin()->second.size());
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].raw.frame, want[i].raw.frame);
      EXPECT_EQ(got[i].bytes, want[i].bytes);
      EXPECT_EQ(got[i].raw.ts_ns, want[i].raw.ts_ns);
      EXPECT_EQ(got[i].raw.linktype, want[i].raw.linktype);
      EXPECT_EQ(number_in(got[i]), (got[i].raw.frame - 1) % n + 1);
    }
  }

  // Damage a block the wanted frames do not need: reading by the index never touches it.
  std::string broken = section + section;
  broken[index[0].offsets[1] + 4] = char(0x03);  // that packet block's length: not a multiple of 4
  testing::write_file(dir.file("big.pcapng"), broken);
  FrameSelection first_and_last_block{{"big.pcapng", {2, 3 * kFrameIndexStep + 1}}};
  EXPECT_EQ(read_selected_frames(index, first_and_last_block).size(), 2u);
  EXPECT_THROW(read_selected_frames(streamed, first_and_last_block), std::runtime_error);
}

// Records found whatever the chunk size: a uid can straddle any read boundary.
TEST(ConnRecords, FoundAcrossChunkBoundaries) {
  testing::TempDir dir;
  std::string text;
  for (int i = 0; i < 40; ++i) {
    text += R"({"ts":1700000000.)" + std::to_string(100000 + i) + R"(,"uid":"Cu)" + std::to_string(i) +
            R"(x","duration":0.5,"orig_pkts":3,"resp_pkts":)" + std::to_string(i) + R"(,"file":"a.pcap","frame":)" +
            std::to_string(10 + i) + "}\n";
  }
  testing::write_file(dir.file("conn.jsonl"), text);
  for (size_t chunk : {7u, 64u, 100u, 1u << 20}) {
    auto got = read_conns(dir.path(), {"Cu39x", "Cu0x", "Cu17x"}, chunk);
    ASSERT_EQ(got.size(), 3u);
    EXPECT_EQ(got[0].frame, 49u);
    EXPECT_EQ(got[0].packets, 42u);
    EXPECT_EQ(got[1].frame, 10u);
    EXPECT_EQ(got[2].frame, 27u);
    EXPECT_EQ(got[2].file, "a.pcap");
    EXPECT_EQ(got[2].end_ns - got[2].start_ns, 500'000'000 + 3000);  // the span widened by the rounding
  }
  EXPECT_THROW(read_conns(dir.path(), {"Cu1"}, 64), std::runtime_error);  // "Cu1" is no uid, only a prefix
}

TEST(SelectedFrames, MissingOrUnknownCaptureIsAClearError) {
  testing::TempDir dir;
  testing::write_file(dir.file("c.pcap"), numbered_capture(10));
  build_index(dir.file("c.pcap"), dir.path());
  auto index = read_frame_index(dir.path());
  EXPECT_TRUE(std::filesystem::path(index[0].path).is_absolute());
  try {
    read_selected_frames(index, {{"other.pcap", {1}}});
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("other.pcap"));
  }
  try {
    read_selected_frames(index, {{"c.pcap", {11}}});
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("fewer frames"));
  }
  std::filesystem::remove(dir.file("c.pcap"));
  try {
    read_selected_frames(index, {{"c.pcap", {1}}});
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("missing"));
    EXPECT_THAT(e.what(), HasSubstr(dir.file("c.pcap")));
  }
}

}  // namespace
}  // namespace trawl::extract
