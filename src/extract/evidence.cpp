#include "extract/evidence.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "capture/capture_reader.h"
#include "extract/text_lines.h"

namespace trawl::extract {
namespace {

namespace fs = std::filesystem;

struct Selector {
  std::string type;
  size_t index = 0;
};

Selector parse_selector(const std::string& s) {
  size_t slash = s.rfind('/');
  Selector sel;
  if (slash != std::string::npos && slash > 0 && slash + 1 < s.size()) {
    const char* first = s.data() + slash + 1;
    const char* last = s.data() + s.size();
    auto [end, ec] = std::from_chars(first, last, sel.index);
    if (ec == std::errc() && end == last) {
      sel.type = s.substr(0, slash);
      return sel;
    }
  }
  throw std::runtime_error(fmt::format("--alert wants TYPE/INDEX (e.g. scan.tcp_syn/0, 0 the first), not '{}'", s));
}

// One alert's frames, added to `into`; malformed entries are errors (the file is trawl's own output).
void add_frames(const nlohmann::json& alert, size_t line_no, FrameSelection& into) {
  auto frames = alert.find("frames");
  auto bad = [&] { return std::runtime_error(fmt::format("alerts.jsonl line {}: malformed 'frames'", line_no)); };
  if (frames == alert.end() || !frames->is_array()) throw bad();
  for (const auto& per_file : *frames) {
    if (!per_file.is_object()) throw bad();
    auto file = per_file.find("file"), numbers = per_file.find("frames");
    if (file == per_file.end() || !file->is_string() || numbers == per_file.end() || !numbers->is_array()) throw bad();
    auto& set = into[file->get<std::string>()];
    for (const auto& n : *numbers) {
      if (!n.is_number_unsigned() || n.get<uint64_t>() == 0) throw bad();
      set.insert(n.get<uint64_t>());
    }
  }
}

std::string slurp(const std::string& path, const char* what_for) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("cannot read {} ({})", path, what_for));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Appends the wanted frames among those `reader` yields (frame numbers offset by `first_frame` - 1) and
// stops after `last`. Returns false when the reader ended before `last`.
bool collect(capture::CaptureReader& reader, uint64_t first_frame, const std::set<uint64_t>& wanted,
             uint64_t last, std::vector<OwnedPacket>& out) {
  capture::RawPacket pkt;
  while (reader.next(pkt)) {
    uint64_t frame = first_frame - 1 + pkt.frame;
    if (wanted.count(frame)) {
      OwnedPacket& o = out.emplace_back();
      o.bytes.assign(pkt.data, pkt.data + pkt.caplen);
      o.raw = pkt;
      o.raw.frame = frame;
    }
    if (frame >= last) return true;
  }
  return false;
}

// Reads [begin, end) of an open file.
std::vector<uint8_t> read_range(std::ifstream& in, uint64_t begin, uint64_t end, std::vector<uint8_t> prefix) {
  size_t head = prefix.size();
  prefix.resize(head + size_t(end - begin));
  in.seekg(std::streamoff(begin));
  in.read(reinterpret_cast<char*>(prefix.data() + head), std::streamsize(end - begin));
  if (!in) throw std::runtime_error("read error");
  return prefix;
}

}  // namespace

FrameSelection select_alert_frames(std::string_view alerts_jsonl, const std::vector<std::string>& selectors) {
  std::vector<Selector> wanted;
  for (const auto& s : selectors) wanted.push_back(parse_selector(s));
  std::map<std::string, size_t> seen;  // alerts per type so far
  std::vector<bool> found(wanted.size(), false);
  FrameSelection frames;
  for_each_line(alerts_jsonl, [&](size_t line_no, std::string_view line) {
    nlohmann::json alert = nlohmann::json::parse(line, nullptr, false);
    auto type = alert.is_object() ? alert.find("type") : alert.end();
    if (!alert.is_object() || type == alert.end() || !type->is_string())
      throw std::runtime_error(fmt::format("alerts.jsonl line {}: not an alert", line_no));
    size_t n = seen[type->get<std::string>()]++;
    bool take = wanted.empty();
    for (size_t i = 0; i < wanted.size(); ++i) {
      if (wanted[i].type == *type && wanted[i].index == n) take = found[i] = true;
    }
    if (take) add_frames(alert, line_no, frames);
  });
  for (size_t i = 0; i < wanted.size(); ++i) {
    if (found[i]) continue;
    auto it = seen.find(wanted[i].type);
    if (it != seen.end()) {
      throw std::runtime_error(fmt::format("alerts.jsonl has {} {} alert(s) (0 to {}); {} asked", it->second,
                                           wanted[i].type, it->second - 1, wanted[i].index));
    }
    std::string types;
    for (const auto& [t, count] : seen) types += fmt::format("{}{} ({})", types.empty() ? "" : ", ", t, count);
    throw std::runtime_error(fmt::format("alerts.jsonl has no {} alert; it has: {}", wanted[i].type,
                                         types.empty() ? "none" : types));
  }
  return frames;
}

FrameSelection read_alert_frames(const std::string& outdir, const std::vector<std::string>& selectors) {
  std::string path = (fs::path(outdir) / "alerts.jsonl").string();
  return select_alert_frames(slurp(path, "the alerts of trawl analyze -o OUTDIR"), selectors);
}

std::vector<OwnedPacket> read_selected_frames(const std::vector<IndexedCapture>& index, const FrameSelection& wanted) {
  std::vector<OwnedPacket> out;
  for (const auto& entry : wanted) {
    const std::string& name = entry.first;  // a named variable: lambdas cannot capture structured bindings
    const std::set<uint64_t>& frames = entry.second;
    if (frames.empty()) continue;
    auto it = std::find_if(index.begin(), index.end(), [&](const IndexedCapture& c) { return c.name == name; });
    if (it == index.end()) throw std::runtime_error(fmt::format("the alerts name {}, which {} does not list", name, kFrameIndexFile));
    const IndexedCapture& c = *it;
    const auto file_index = uint32_t(it - index.begin());
    std::error_code ec;
    uint64_t size = fs::file_size(c.path, ec);
    if (ec) {
      throw std::runtime_error(fmt::format("capture {} is missing: {} ({}); name the captures instead: trawl extract "
                                           "CAPTURES... --alerts OUTDIR", name, c.path, ec.message()));
    }
    const size_t before = out.size();
    uint64_t last = *frames.rbegin();
    bool complete = true;
    if (c.seekable && !c.offsets.empty() && size == c.size && (last - 1) / c.step < c.offsets.size()) {
      // Each run of wanted frames in one index block costs one read of that block, after the file's
      // header: pcap's 24 bytes, or everything of a pcapng before its first packet (section, interfaces).
      std::ifstream in(c.path, std::ios::binary);
      std::vector<uint8_t> header = read_range(in, 0, c.offsets[0], {});
      for (auto f = frames.begin(); f != frames.end() && complete;) {
        uint64_t block = (*f - 1) / c.step;
        uint64_t end = block + 1 < c.offsets.size() ? c.offsets[block + 1] : size;
        auto bytes = read_range(in, c.offsets[block], end, header);
        capture::OpenResult r = capture::open_capture_memory(bytes, file_index);
        if (!r.reader) throw std::runtime_error(fmt::format("{}: cannot reread at offset {}: {}", c.path, c.offsets[block], r.error));
        uint64_t block_last = (block + 1) * c.step;
        auto stop = frames.upper_bound(block_last);
        uint64_t last_here = *std::prev(stop);
        complete = collect(*r.reader, block * c.step + 1, frames, last_here, out);
        f = stop;
      }
    } else {
      capture::OpenResult r = capture::open_capture(c.path, file_index);
      if (!r.reader) throw std::runtime_error(fmt::format("{}: {}", c.path, r.error));
      complete = collect(*r.reader, 1, frames, last, out);
    }
    if (!complete || out.size() - before != frames.size()) {
      throw std::runtime_error(fmt::format("{} holds fewer frames than the alerts name (frame {} wanted): changed since analyze?",
                                           c.path, last));
    }
  }
  in_capture_order(out);
  return out;
}

void in_capture_order(std::vector<OwnedPacket>& packets) {
  std::sort(packets.begin(), packets.end(), [](const OwnedPacket& a, const OwnedPacket& b) {
    if (a.raw.ts_ns != b.raw.ts_ns) return a.raw.ts_ns < b.raw.ts_ns;
    if (a.raw.file_index != b.raw.file_index) return a.raw.file_index < b.raw.file_index;
    return a.raw.frame < b.raw.frame;
  });
  // Point each packet at its own copy (set last: the copies moved while the vector grew and sorted).
  for (auto& o : packets) o.raw.data = o.bytes.data();
}

}  // namespace trawl::extract
