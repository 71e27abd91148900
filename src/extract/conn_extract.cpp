#include "extract/conn_extract.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "capture/capture_reader.h"
#include "extract/text_lines.h"
#include "flow/flow_key.h"
#include "packet/decoder.h"

namespace trawl::extract {

namespace fs = std::filesystem;

namespace {

// A record's duration can end before its last packets (a final ACK): past the end, reading goes on for
// this long while the packet count is not reached.
constexpr int64_t kSlackNs = 1'000'000'000;

int64_t seconds_to_ns(double s) { return int64_t(std::llround(s * 1e6)) * 1000; }

std::vector<uint8_t> read_bytes(std::ifstream& in, uint64_t begin, uint64_t end) {
  std::vector<uint8_t> out(size_t(end - begin));
  in.seekg(std::streamoff(begin));
  in.read(reinterpret_cast<char*>(out.data()), std::streamsize(out.size()));
  if (!in) throw std::runtime_error("read error");
  return out;
}

// Walks one capture file from frame `from` (1 reads it all) and keeps the connection's packets. The
// connection's key is taken from its first packet when `key` is not yet known. Returns false once the
// capture is past the connection's end.
class ConnWalker {
 public:
  ConnWalker(const ConnSpan& conn, std::vector<OwnedPacket>& out) : conn_(conn), out_(out) {}

  bool file(const IndexedCapture& c, uint32_t file_index, uint64_t from) {
    std::error_code ec;
    const uint64_t size = fs::file_size(c.path, ec);
    if (ec) throw std::runtime_error(fmt::format("capture {} is missing: {} ({})", c.name, c.path, ec.message()));
    if (c.seekable && !c.offsets.empty() && size == c.size && (from - 1) / c.step < c.offsets.size()) {
      std::ifstream in(c.path, std::ios::binary);
      const std::vector<uint8_t> header = read_bytes(in, 0, c.offsets[0]);
      for (uint64_t block = (from - 1) / c.step; block < c.offsets.size(); ++block) {
        std::vector<uint8_t> bytes = header;
        auto body = read_bytes(in, c.offsets[block], block + 1 < c.offsets.size() ? c.offsets[block + 1] : size);
        bytes.insert(bytes.end(), body.begin(), body.end());
        capture::OpenResult r = capture::open_capture_memory(bytes, file_index);
        if (!r.reader) throw std::runtime_error(fmt::format("{}: cannot reread at offset {}: {}", c.path, c.offsets[block], r.error));
        if (!walk(*r.reader, block * c.step + 1, from)) return false;
      }
      return true;
    }
    capture::OpenResult r = capture::open_capture(c.path, file_index);
    if (!r.reader) throw std::runtime_error(fmt::format("{}: {}", c.path, r.error));
    return walk(*r.reader, 1, from);
  }

  bool found_first() const { return have_key_; }

 private:
  bool walk(capture::CaptureReader& reader, uint64_t first_frame, uint64_t from) {
    capture::RawPacket pkt;
    flow::PacketKey key;
    while (reader.next(pkt)) {
      pkt.frame += first_frame - 1;
      if (pkt.frame < from) continue;
      if (have_key_ && pkt.ts_ns > conn_.end_ns + kSlackNs) return false;
      decoder_.decode(pkt, view_);
      if (!flow::make_packet_key(view_, key)) continue;
      if (!have_key_) {
        if (pkt.frame != conn_.frame) continue;
        key_ = key.key;
        have_key_ = true;
      } else if (!(key.key == key_) || pkt.ts_ns < conn_.start_ns) {
        continue;
      }
      OwnedPacket& o = out_.emplace_back();
      o.bytes.assign(pkt.data, pkt.data + pkt.caplen);
      o.raw = pkt;
      if (++found_ == conn_.packets) return false;
    }
    return true;
  }

  const ConnSpan& conn_;
  std::vector<OwnedPacket>& out_;
  packet::Decoder decoder_;
  packet::PacketView view_;
  flow::FlowKey key_;
  bool have_key_ = false;
  uint64_t found_ = 0;
};

}  // namespace

namespace {

// The conn record of `uid` among complete lines of conn.jsonl, if there.
std::optional<ConnSpan> find_conn(std::string_view lines, const std::string& uid) {
  const std::string needle = fmt::format("\"uid\":\"{}\"", uid);
  auto hit = std::search(lines.begin(), lines.end(), std::boyer_moore_horspool_searcher(needle.begin(), needle.end()));
  if (hit == lines.end()) return std::nullopt;
  const size_t at = size_t(hit - lines.begin());
  const size_t begin = lines.rfind('\n', at) + 1;  // npos + 1 == 0: the first line
  const size_t end = lines.find('\n', at);
  nlohmann::json j = nlohmann::json::parse(lines.substr(begin, end == std::string_view::npos ? end : end - begin), nullptr, false);
  auto ts = j.find("ts"), duration = j.find("duration"), file = j.find("file"), frame = j.find("frame");
  auto orig_pkts = j.find("orig_pkts"), resp_pkts = j.find("resp_pkts");
  if (!j.is_object() || ts == j.end() || !ts->is_number() || file == j.end() || !file->is_string() ||
      frame == j.end() || !frame->is_number_unsigned() || orig_pkts == j.end() || !orig_pkts->is_number_unsigned() ||
      resp_pkts == j.end() || !resp_pkts->is_number_unsigned()) {
    throw std::runtime_error(fmt::format("conn.jsonl: the record of uid {} is malformed", uid));
  }
  ConnSpan c;
  c.uid = uid;
  c.file = file->get<std::string>();
  c.frame = frame->get<uint64_t>();
  c.packets = orig_pkts->get<uint64_t>() + resp_pkts->get<uint64_t>();
  c.start_ns = seconds_to_ns(ts->get<double>());
  // ts and duration are printed to the microsecond: widen the span by that rounding.
  c.end_ns = c.start_ns + (duration != j.end() && duration->is_number() ? seconds_to_ns(duration->get<double>()) : 0) + 2000;
  c.start_ns -= 1000;
  return c;
}

std::vector<ConnSpan> all_found(std::vector<std::optional<ConnSpan>>& found, const std::vector<std::string>& uids) {
  std::vector<ConnSpan> out;
  for (size_t i = 0; i < uids.size(); ++i) {
    if (!found[i]) throw std::runtime_error(fmt::format("conn.jsonl has no connection with uid {}", uids[i]));
    out.push_back(std::move(*found[i]));
  }
  return out;
}

}  // namespace

std::vector<ConnSpan> find_conns(std::string_view conn_jsonl, const std::vector<std::string>& uids) {
  std::vector<std::optional<ConnSpan>> found(uids.size());
  for (size_t i = 0; i < uids.size(); ++i) found[i] = find_conn(conn_jsonl, uids[i]);
  return all_found(found, uids);
}

std::vector<ConnSpan> read_conns(const std::string& outdir, const std::vector<std::string>& uids, size_t chunk) {
  const std::string path = (fs::path(outdir) / "conn.jsonl").string();
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("cannot read {} (the records of trawl analyze -o OUTDIR)", path));
  std::vector<std::optional<ConnSpan>> found(uids.size());
  std::string buf;
  for (size_t missing = uids.size(); missing;) {
    const size_t keep = buf.size();
    buf.resize(keep + chunk);
    in.read(buf.data() + keep, std::streamsize(chunk));
    buf.resize(keep + size_t(in.gcount()));
    const bool eof = !in;
    const size_t last_nl = buf.rfind('\n');
    const size_t whole = eof ? buf.size() : last_nl == std::string::npos ? 0 : last_nl + 1;
    for (size_t i = 0; i < uids.size(); ++i) {
      if (found[i]) continue;
      found[i] = find_conn(std::string_view(buf).substr(0, whole), uids[i]);
      missing -= found[i].has_value();
    }
    if (eof) break;
    buf.erase(0, whole);
  }
  return all_found(found, uids);
}

std::vector<OwnedPacket> read_conn_packets(const std::vector<IndexedCapture>& index, const std::vector<ConnSpan>& conns) {
  std::vector<OwnedPacket> out;
  for (const auto& conn : conns) {
    auto first = std::find_if(index.begin(), index.end(), [&](const IndexedCapture& c) { return c.name == conn.file; });
    if (first == index.end()) throw std::runtime_error(fmt::format("conn.jsonl names {}, which {} does not list", conn.file, kFrameIndexFile));
    ConnWalker walker(conn, out);
    bool more = walker.file(*first, uint32_t(first - index.begin()), conn.frame);
    if (!walker.found_first()) {
      throw std::runtime_error(fmt::format("{} has no frame {} (the first of {}): changed since analyze?", first->path, conn.frame, conn.uid));
    }
    // A connection still open at the end of its file goes on in the files that start before it ends.
    std::vector<size_t> later;
    for (size_t i = 0; i < index.size(); ++i)
      if (&index[i] != &*first && index[i].first_ts_ns > conn.start_ns && index[i].first_ts_ns <= conn.end_ns + kSlackNs) later.push_back(i);
    std::sort(later.begin(), later.end(), [&](size_t a, size_t b) { return index[a].first_ts_ns < index[b].first_ts_ns; });
    for (size_t i : later) {
      if (!more) break;
      more = walker.file(index[i], uint32_t(i), 1);
    }
  }
  in_capture_order(out);
  return out;
}

}  // namespace trawl::extract
