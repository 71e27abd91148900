// CaptureSet: directory walking, the quiet/reported rule for non-captures, and the time-ordered merge.
#include "capture/capture_set.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include "support/testing.h"

namespace trawl::capture {
namespace {

using trawl::testing::have_tool;
using trawl::testing::make_pcap;
using trawl::testing::read_file;
using trawl::testing::run;
using trawl::testing::shared_pcap;
using trawl::testing::shell_quote;
using trawl::testing::TempDir;
using trawl::testing::TestFrame;
using trawl::testing::write_file;

struct Got {
  int64_t ts;
  uint32_t file;
  uint64_t frame;
  std::string data;
};

std::vector<Got> drain(CaptureSet& set) {
  std::vector<Got> out;
  RawPacket p;
  while (set.next(p)) {
    out.push_back({p.ts_ns, p.file_index, p.frame, std::string(reinterpret_cast<const char*>(p.data), p.caplen)});
  }
  return out;
}

std::vector<uint8_t> frame_bytes(uint8_t tag, size_t n = 60) { return std::vector<uint8_t>(n, tag); }

TEST(CaptureSet, RotatedFilesMergeBackToTheWholeCapture) {
  if (!have_tool("editcap")) GTEST_SKIP() << "editcap not installed";
  TempDir tmp;
  // zeek-http-bro-org.pcap is in strict time order, so the merge must reproduce it exactly.
  const std::string src = shared_pcap("zeek-http-bro-org.pcap");
  ASSERT_EQ(run("mkdir " + shell_quote(tmp.file("rot")) + " && editcap -c 200 " + shell_quote(src) + " " +
                shell_quote(tmp.file("rot/part.pcap")))
                .exit_code,
            0);
  write_file(tmp.file("rot/README.txt"), "captures from sensor 3\n");  // ignored quietly
  CaptureSet whole({src});
  auto expected = drain(whole);
  ASSERT_EQ(expected.size(), 751u);

  CaptureSet rotated({tmp.file("rot")});
  ASSERT_EQ(rotated.files().size(), 4u);  // 200 + 200 + 200 + 151
  EXPECT_TRUE(rotated.issues().empty());
  EXPECT_FALSE(rotated.incomplete());
  auto got = drain(rotated);
  ASSERT_EQ(got.size(), expected.size());
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(got[i].ts, expected[i].ts) << i;
    ASSERT_EQ(got[i].data, expected[i].data) << i;
    EXPECT_EQ(got[i].file, i / 200) << i;
    EXPECT_EQ(got[i].frame, i % 200 + 1) << i;
  }
  for (size_t f = 0; f < 4; ++f) EXPECT_EQ(rotated.files()[f].packets, f < 3 ? 200u : 151u);
  EXPECT_EQ(rotated.files()[0].name.substr(0, 5), "part_");
  EXPECT_EQ(rotated.bytes_read(), rotated.bytes_total());
}

TEST(CaptureSet, InterleavedFilesAreMergedByTimeThenFileThenFrame) {
  TempDir tmp;
  const int64_t t = 1'700'000'000'000'000;
  // b.pcap's packets fall between a.pcap's; one timestamp is shared (the tie goes to the earlier file).
  write_file(tmp.file("a.pcap"), make_pcap({{frame_bytes(1), t}, {frame_bytes(2), t + 20}, {frame_bytes(3), t + 40}}));
  write_file(tmp.file("b.pcap"), make_pcap({{frame_bytes(4), t + 10}, {frame_bytes(5), t + 20}, {frame_bytes(6), t + 50}}));
  CaptureSet set({tmp.path()});
  auto got = drain(set);
  std::vector<std::tuple<uint32_t, uint64_t>> order;
  for (const auto& g : got) order.emplace_back(g.file, g.frame);
  std::vector<std::tuple<uint32_t, uint64_t>> want = {{0, 1}, {1, 1}, {0, 2}, {1, 2}, {0, 3}, {1, 3}};
  EXPECT_EQ(order, want);
  EXPECT_EQ(got[3].data[0], 5);
}

TEST(CaptureSet, PacketDataStaysValidUntilTheNextCall) {
  TempDir tmp;
  const int64_t t = 1'700'000'000'000'000;
  write_file(tmp.file("a.pcap"), make_pcap({{frame_bytes(1), t}, {frame_bytes(3), t + 20}}));
  write_file(tmp.file("b.pcap"), make_pcap({{frame_bytes(2), t + 10}, {frame_bytes(4), t + 30}}));
  CaptureSet set({tmp.file("a.pcap"), tmp.file("b.pcap")});
  RawPacket p;
  uint8_t tag = 1;
  while (set.next(p)) {
    // Opening or advancing other readers inside next() must not have touched this packet's bytes.
    EXPECT_EQ(std::vector<uint8_t>(p.data, p.data + p.caplen), frame_bytes(tag));
    ++tag;
  }
  EXPECT_EQ(tag, 5);
}

TEST(CaptureSet, NonCapturesInDirectoriesAndOnTheCommandLine) {
  TempDir tmp;
  write_file(tmp.file("good.pcap"), make_pcap({{frame_bytes(1)}}));
  write_file(tmp.file("README.txt"), "notes\n");
  write_file(tmp.file("junk.pcap"), "this is not a capture\n");
  write_file(tmp.file("EMPTY.PCAPNG"), "");
  write_file(tmp.file("notes"), "");
  ASSERT_EQ(mkdir(tmp.file("sub").c_str(), 0755), 0);
  write_file(tmp.file("sub/inner.cap"), make_pcap({{frame_bytes(2)}}));
  write_file(tmp.file("sub/data.bin"), std::string(100, 'x'));

  CaptureSet set({tmp.path(), tmp.file("README.txt"), tmp.file("missing.pcap")});
  ASSERT_EQ(set.files().size(), 2u);
  EXPECT_EQ(set.files()[0].name, "good.pcap");
  EXPECT_EQ(set.files()[1].name, "inner.cap");
  std::vector<std::string> messages;
  for (const auto& i : set.issues()) messages.push_back(i.message());
  std::vector<std::string> want = {
      tmp.file("EMPTY.PCAPNG") + ": skipped: empty file",
      tmp.file("junk.pcap") + ": skipped: not a capture file (no pcap or pcapng magic)",
      // README.txt, also named explicitly, was already taken (quietly) by the walk: not looked at twice.
      tmp.file("missing.pcap") + ": skipped: No such file or directory",
  };
  EXPECT_EQ(messages, want);
  EXPECT_TRUE(set.incomplete());
  EXPECT_EQ(drain(set).size(), 2u);

  CaptureSet explicit_txt({tmp.file("README.txt")});
  ASSERT_EQ(explicit_txt.issues().size(), 1u);
  EXPECT_EQ(explicit_txt.issues()[0].message(),
            tmp.file("README.txt") + ": skipped: not a capture file (no pcap or pcapng magic)");
}

TEST(CaptureSet, DamagedFileKeepsItsGoodPacketsAndTheRestContinues) {
  TempDir tmp;
  const int64_t t = 1'700'000'000'000'000;
  std::string damaged = make_pcap({{frame_bytes(1), t}, {frame_bytes(2), t + 20}, {frame_bytes(3), t + 40}});
  damaged.resize(damaged.size() - 10);
  write_file(tmp.file("a.pcap"), damaged);
  write_file(tmp.file("b.pcap"), make_pcap({{frame_bytes(4), t + 10}, {frame_bytes(5), t + 100}}));
  CaptureSet set({tmp.path()});
  auto got = drain(set);
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got.back().data[0], 5);
  ASSERT_EQ(set.issues().size(), 1u);
  EXPECT_EQ(set.issues()[0].message(),
            tmp.file("a.pcap") + ": offset 176: record cut short: 60 bytes announced, 50 present");
  EXPECT_FALSE(set.issues()[0].skipped_whole);
  EXPECT_EQ(set.files()[0].packets, 2u);
  EXPECT_EQ(set.files()[1].packets, 2u);

  // The corpus' damaged files together with a good one.
  CaptureSet corpus({shared_pcap("suricata-fuzz-damaged.pcap"), shared_pcap("derived-ftp-ipv4-cut-short.pcap"),
                     shared_pcap("zeek-arp-who-has.pcap")});
  EXPECT_EQ(drain(corpus).size(), 2u + 45u + 2u);
  ASSERT_EQ(corpus.issues().size(), 2u);
  EXPECT_TRUE(corpus.incomplete());
}

TEST(CaptureSet, SymlinkLoopsAndRepeatsAreReadOnce) {
  TempDir tmp;
  ASSERT_EQ(mkdir(tmp.file("d").c_str(), 0755), 0);
  write_file(tmp.file("d/a.pcap"), make_pcap({{frame_bytes(1)}}));
  ASSERT_EQ(symlink("..", tmp.file("d/loop").c_str()), 0);
  ASSERT_EQ(symlink("a.pcap", tmp.file("d/same.pcap").c_str()), 0);
  CaptureSet set({tmp.file("d"), tmp.file("d/a.pcap")});
  EXPECT_EQ(set.files().size(), 1u);
  EXPECT_TRUE(set.issues().empty());
  EXPECT_EQ(drain(set).size(), 1u);
}

TEST(CaptureSet, CompressedFilesCountCompressedBytes) {
  TempDir tmp;
  ASSERT_EQ(run("gzip -c " + shell_quote(shared_pcap("zeek-pop3.pcap")) + " > " + shell_quote(tmp.file("p.gz"))).exit_code, 0);
  CaptureSet set({tmp.file("p.gz"), shared_pcap("zeek-smb-many-open-files.pcap.gz")});
  EXPECT_EQ(set.files()[0].compression, Compression::kGzip);
  uint64_t size = read_file(tmp.file("p.gz")).size() + 13970;
  EXPECT_EQ(set.bytes_total(), size);
  EXPECT_EQ(drain(set).size(), 125u + 500u);
  EXPECT_EQ(set.bytes_read(), size);
}

}  // namespace
}  // namespace trawl::capture
