// Test helpers for the stream analyzers' tests: a sink that keeps every record as its JSON line, and a
// feeder that plays a conversation (a real one from tshark's follow output, or one written in the test)
// into an analyzer, whole or cut into pieces; tshark's field output as rows to compare against.
#pragma once

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

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
  std::vector<std::string> lines, types;
  bool show_passwords = true;
  void emit(const Record& r) override {
    lines.push_back(to_json(r, show_passwords));
    types.emplace_back(r.type().name);
  }
  std::vector<nlohmann::json> of(std::string_view type) const {
    std::vector<nlohmann::json> out;
    for (size_t i = 0; i < lines.size(); ++i)
      if (types[i] == type) out.push_back(nlohmann::json::parse(lines[i]));
    return out;
  }
};

struct Chunk {
  Dir dir;
  std::string bytes;
  bool gap = false;  // a gap of bytes.size() bytes instead of data
};

inline std::vector<Chunk> chunks_of(const trawl::testing::FollowedStream& s) {
  std::vector<Chunk> out;
  for (const auto& c : s.chunks) out.push_back({c.dir == 0 ? Dir::kOrig : Dir::kResp, c.bytes});
  return out;
}

// A conversation written in a test: {0, client bytes}, {1, server bytes}, ...
inline std::vector<Chunk> conv(std::initializer_list<std::pair<int, std::string>> parts) {
  std::vector<Chunk> out;
  for (const auto& [d, s] : parts) out.push_back({d == 0 ? Dir::kOrig : Dir::kResp, s});
  return out;
}

inline bool ends_with_port(const std::string& node, uint16_t port) {
  std::string p(1, ':');  // (not ":" + ...: GCC 12 warns falsely on that, -Wrestrict)
  p += std::to_string(port);
  return node.size() > p.size() && node.compare(node.size() - p.size(), p.size(), p) == 0;
}

// The conversations whose responder (tshark's node 1) listens on `port`, ordered by the client's port so
// the order does not depend on how tshark prints several follow reports.
inline std::vector<trawl::testing::FollowedStream> streams_to_port(const std::string& pcap, uint16_t port) {
  std::vector<trawl::testing::FollowedStream> out;
  for (auto& s : trawl::testing::follow_streams(pcap))
    if (ends_with_port(s.node1, port)) out.push_back(std::move(s));
  auto client_port = [](const std::string& node) { return std::stoi(node.substr(node.rfind(':') + 1)); };
  std::sort(out.begin(), out.end(), [&](const auto& a, const auto& b) { return client_port(a.node0) < client_port(b.node0); });
  return out;
}

// The first conversation to `port`.
inline std::vector<Chunk> stream_chunks(const std::string& pcap, uint16_t port) {
  auto streams = streams_to_port(pcap, port);
  if (streams.empty()) return {};
  return chunks_of(streams.front());
}

// The conversation of tcp.stream N of a capture. (Cut out first: follow_streams lists streams in tshark's
// print order, and its `sort -un` merges stream 0 with the empty line of non-TCP packets.)
inline std::vector<Chunk> tcp_stream_chunks(const std::string& pcap, int index) {
  trawl::testing::TempDir tmp;
  std::string one = tmp.file("one.pcapng");
  trawl::testing::run("tshark -n -r " + trawl::testing::shell_quote(pcap) + " -Y 'tcp.stream==" +
                      std::to_string(index) + "' -w " + trawl::testing::shell_quote(one) + " 2>/dev/null");
  auto streams = trawl::testing::follow_streams(one);
  if (streams.size() != 1) return {};
  return chunks_of(streams[0]);
}

struct FeedResult {
  CollectSink sink;
  bool tls = false;  // upgraded_to_tls() at the end
  size_t tls_at_chunk = 0;  // index of the first chunk fed after the switch (chunks.size() when none)
};

// Feeds the chunks, each cut into pieces of `step` bytes (0: whole), then ends the connection. Once the
// analyzer says the rest is TLS, stops feeding (as the session would hand the rest to the TLS analyzer).
inline FeedResult feed(const AnalyzerInfo& info, const std::vector<Chunk>& chunks, size_t step = 0,
                       const AnalyzerContext* base = nullptr) {
  FeedResult r;
  AnalyzerContext ctx = base ? *base : AnalyzerContext{};
  ctx.sink = &r.sink;
  if (ctx.conn.uid.empty()) ctx.conn.uid = "Ctest";
  auto a = info.make_stream(ctx);
  PacketRef at;
  r.tls_at_chunk = chunks.size();
  for (size_t ci = 0; ci < chunks.size(); ++ci) {
    const auto& c = chunks[ci];
    ++at.frame;
    at.ts_ns += 1000;
    if (a->upgraded_to_tls()) {
      r.tls_at_chunk = ci;
      break;
    }
    if (c.gap) {
      a->on_gap(c.dir, c.bytes.size(), at);
      continue;
    }
    std::string_view b = c.bytes;
    size_t n = step ? step : b.size();
    for (size_t i = 0; i < b.size(); i += n) {
      auto part = b.substr(i, n);
      a->on_data(c.dir, {reinterpret_cast<const uint8_t*>(part.data()), part.size()}, at);
    }
  }
  r.tls = a->upgraded_to_tls();
  a->on_end(at);
  return r;
}

// One line of tshark -T fields -E separator=/t output, cut at the tabs into `count` columns.
inline std::vector<std::string> tab_fields(const std::string& line, size_t count) {
  std::vector<std::string> cols;
  size_t pos = 0;
  for (;;) {
    size_t tab = line.find('\t', pos);
    cols.push_back(line.substr(pos, tab == std::string::npos ? std::string::npos : tab - pos));
    if (tab == std::string::npos) break;
    pos = tab + 1;
  }
  cols.resize(count);
  return cols;
}

// tshark -T fields output as rows of columns.
inline std::vector<std::vector<std::string>> tshark_rows(const std::string& pcap, const std::string& filter,
                                                         const std::vector<std::string>& fields) {
  using trawl::testing::shell_quote;
  std::string cmd = "tshark -n -r " + shell_quote(pcap) + " -Y " + shell_quote(filter) + " -T fields -E separator=/t";
  for (const auto& f : fields) cmd += " -e " + f;
  auto res = trawl::testing::run(cmd + " 2>/dev/null");
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(res.out);
  for (std::string line; std::getline(in, line);) rows.push_back(tab_fields(line, fields.size()));
  return rows;
}

inline std::span<const uint8_t> bytes_of(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace trawl::proto::testing
