#include "flow/flow_app.h"

#include <cstring>
#include <memory>
#include <vector>

#include <gtest/gtest.h>

namespace trawl::flow {
namespace {

// Sessions of different sizes, each filled with its own byte: a block handed out twice, or one of the
// wrong size class, shows up as a pattern overwritten by another session.
template <size_t N>
struct Session final : FlowApp {
  explicit Session(unsigned char fill) { std::memset(bytes, fill, N); }
  void on_packet(const packet::PacketView&, const capture::RawPacket&, bool) override {}
  void on_end(ConnRecord&) override {}
  bool intact(unsigned char fill) const {
    for (unsigned char b : bytes)
      if (b != fill) return false;
    return true;
  }
  unsigned char bytes[N];
};

TEST(FlowApp, RecycledSessionMemoryIsNeverShared) {
  std::vector<std::unique_ptr<FlowApp>> live;
  std::vector<unsigned char> fills;
  auto check = [&] {
    for (size_t i = 0; i < live.size(); ++i) {
      bool ok = i % 3 == 0   ? static_cast<Session<24>&>(*live[i]).intact(fills[i])
                : i % 3 == 1 ? static_cast<Session<200>&>(*live[i]).intact(fills[i])
                             : static_cast<Session<4000>&>(*live[i]).intact(fills[i]);  // past the pooled sizes
      ASSERT_TRUE(ok) << i;
    }
  };
  for (int round = 0; round < 4; ++round) {
    for (size_t i = live.size(); i < 300; ++i) {
      auto fill = static_cast<unsigned char>(i * 7 + round);
      fills.push_back(fill);
      if (i % 3 == 0) live.push_back(std::make_unique<Session<24>>(fill));
      else if (i % 3 == 1) live.push_back(std::make_unique<Session<200>>(fill));
      else live.push_back(std::make_unique<Session<4000>>(fill));
    }
    check();
    // Drop the newer half (their blocks go back to the free lists), then make new sessions from them.
    while (live.size() > 150) {
      live.pop_back();
      fills.pop_back();
    }
  }
  check();
}

}  // namespace
}  // namespace trawl::flow
