#include "support/follow.h"

#include <algorithm>
#include <sstream>

#include "support/testing.h"

namespace trawl::testing {

namespace {
std::string unhex(const std::string& hex) {
  std::string out;
  out.reserve(hex.size() / 2);
  auto nib = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  for (size_t i = 0; i + 1 < hex.size(); i += 2) out += char(nib(hex[i]) << 4 | nib(hex[i + 1]));
  return out;
}
}  // namespace

std::vector<FollowedStream> follow_streams(const std::string& pcap, bool udp) {
  std::vector<FollowedStream> streams;
  if (!have_tool("tshark")) return streams;
  const std::string proto = udp ? "udp" : "tcp";
  auto ids = run("tshark -n -r " + shell_quote(pcap) + " -T fields -e " + proto + ".stream 2>/dev/null | grep . | sort -un");
  std::string args;
  std::vector<int> indexes;
  std::istringstream in(ids.out);
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    indexes.push_back(std::stoi(line));
    args += " -z follow," + proto + ",raw," + line;
  }
  if (indexes.empty()) return streams;
  auto r = run("tshark -n -q -r " + shell_quote(pcap) + args + " 2>/dev/null");
  std::istringstream out(r.out);
  FollowedStream* cur = nullptr;
  for (std::string line; std::getline(out, line);) {
    if (line.rfind("Follow:", 0) == 0) {
      streams.emplace_back();
      cur = &streams.back();
    } else if (cur && line.rfind("Filter: ", 0) == 0) {
      auto eq = line.rfind(' ');
      cur->index = std::stoi(line.substr(eq + 1));
    } else if (!cur || line.rfind("=====", 0) == 0) {
      continue;
    } else if (line.rfind("Node 0: ", 0) == 0) {
      cur->node0 = line.substr(8);
    } else if (line.rfind("Node 1: ", 0) == 0) {
      cur->node1 = line.substr(8);
    } else if (!line.empty()) {
      bool resp = line[0] == '\t';
      cur->chunks.push_back({resp ? 1 : 0, unhex(resp ? line.substr(1) : line)});
    }
  }
  // tshark prints the conversations in no particular order: put them in stream-index order.
  std::sort(streams.begin(), streams.end(), [](const auto& a, const auto& b) { return a.index < b.index; });
  return streams;
}

}  // namespace trawl::testing
