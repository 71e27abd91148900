// For the mail protocol tests: a sink that keeps every record as its JSON line (and typed copies), and
// the chunks of a real conversation fed to an analyzer whole, one byte at a time, or cut anywhere.
#pragma once

#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "proto/auth/auth_record.h"
#include "proto/registry.h"
#include "support/follow.h"
#include "support/testing.h"

namespace trawl::proto::testing {

inline std::string to_json(const Record& r, bool show_passwords = true) {
  char* buf = nullptr;
  size_t len = 0;
  std::FILE* f = open_memstream(&buf, &len);
  {
    output::TableWriter w(f, output::Format::kJsonl, r.type().columns);
    WriteOptions o;
    o.show_passwords = show_passwords;
    r.write(w, o);
    w.finish();
  }
  std::fclose(f);
  std::string s(buf, len);
  std::free(buf);
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

struct CollectSink final : RecordSink {
  std::vector<std::string> lines;           // every record, as JSON, in emission order
  std::vector<nlohmann::json> of(std::string_view type) const {
    std::vector<nlohmann::json> out;
    for (size_t i = 0; i < lines.size(); ++i)
      if (types[i] == type) out.push_back(nlohmann::json::parse(lines[i]));
    return out;
  }
  std::vector<std::string> types;
  void emit(const Record& r) override {
    lines.push_back(to_json(r));
    types.emplace_back(r.type().name);
  }
};

struct Chunk {
  Dir dir;
  std::string bytes;
};

// The conversation of tcp.stream N of a capture. (Cut out first: follow_streams lists streams in tshark's
// print order, and its `sort -un` merges stream 0 with the empty line of non-TCP packets.)
inline std::vector<Chunk> chunks_of(const trawl::testing::FollowedStream& s);
inline std::vector<Chunk> stream_chunks(const std::string& pcap, int index) {
  trawl::testing::TempDir tmp;
  std::string one = tmp.file("one.pcapng");
  trawl::testing::run("tshark -n -r " + trawl::testing::shell_quote(pcap) + " -Y 'tcp.stream==" +
                      std::to_string(index) + "' -w " + trawl::testing::shell_quote(one) + " 2>/dev/null");
  auto streams = trawl::testing::follow_streams(one);
  if (streams.size() != 1) return {};
  return chunks_of(streams[0]);
}

inline std::vector<Chunk> chunks_of(const trawl::testing::FollowedStream& s) {
  std::vector<Chunk> out;
  for (const auto& c : s.chunks) out.push_back({c.dir == 0 ? Dir::kOrig : Dir::kResp, c.bytes});
  return out;
}

// Feeds the chunks, each cut into pieces of `step` bytes (0: whole), then ends the connection.
// Returns the JSON lines of every record.
inline CollectSink feed(const AnalyzerInfo& info, const std::vector<Chunk>& chunks, size_t step = 0) {
  CollectSink sink;
  AnalyzerContext ctx;
  ctx.sink = &sink;
  ctx.conn.uid = "Ctest";
  auto a = info.make_stream(ctx);
  PacketRef at;
  for (const auto& c : chunks) {
    ++at.frame;
    at.ts_ns += 1000;
    std::string_view b = c.bytes;
    size_t n = step ? step : b.size();
    for (size_t i = 0; i < b.size(); i += n) {
      auto part = b.substr(i, n);
      a->on_data(c.dir, {reinterpret_cast<const uint8_t*>(part.data()), part.size()}, at);
    }
  }
  a->on_end(at);
  return sink;
}

}  // namespace trawl::proto::testing
