#include "extract/frame_index.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "extract/text_lines.h"

namespace trawl::extract {

namespace fs = std::filesystem;

FrameIndexBuilder::FrameIndexBuilder(const capture::CaptureSet& set)
    : set_(set),
      offsets_(set.files().size()),
      layout_(set.files().size()),
      first_ts_(set.files().size()),
      closed_(set.files().size()) {}

void FrameIndexBuilder::note(const capture::RawPacket& raw) {
  const uint32_t i = raw.file_index;
  auto& v = offsets_[i];
  const uint32_t layout = set_.layout_blocks(i);
  if (v.empty()) {
    layout_[i] = layout;
    first_ts_[i] = raw.ts_ns;
  }
  else if (layout != layout_[i]) closed_[i] = true;  // a block after this point needs an interface read later
  // Frames arrive in file order, so entry k is frame k * step + 1.
  if (!closed_[i] && v.size() == (raw.frame - 1) / kFrameIndexStep) v.push_back(set_.record_offset(i));
}

void FrameIndexBuilder::write(const std::string& outdir) const {
  std::string path = (fs::path(outdir) / kFrameIndexFile).string();
  std::ofstream out(path, std::ios::binary);
  const auto& files = set_.files();
  for (size_t i = 0; i < files.size(); ++i) {
    const auto& f = files[i];
    std::error_code ec;
    fs::path abs = fs::absolute(f.path, ec);
    nlohmann::ordered_json j;
    j["file"] = f.name;
    j["path"] = ec ? f.path : abs.lexically_normal().string();
    j["size"] = f.size;
    j["seekable"] = f.compression == capture::Compression::kNone;
    j["step"] = kFrameIndexStep;
    j["offsets"] = j["seekable"].get<bool>() ? offsets_[i] : std::vector<uint64_t>{};
    j["first_ts_ns"] = first_ts_[i];
    out << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  }
  out.close();
  if (!out) throw std::runtime_error(fmt::format("cannot write {}", path));
}

std::vector<IndexedCapture> parse_frame_index(std::string_view text) {
  std::vector<IndexedCapture> files;
  for_each_line(text, [&](size_t line_no, std::string_view line) {
    auto bad = [&](const char* why) {
      return std::runtime_error(fmt::format("{} line {}: {}", kFrameIndexFile, line_no, why));
    };
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_object()) throw bad("not a JSON object");
    IndexedCapture c;
    auto str = [&](const char* key, std::string& into) {
      auto it = j.find(key);
      if (it == j.end() || !it->is_string()) throw bad(fmt::format("no string '{}'", key).c_str());
      into = it->get<std::string>();
    };
    str("file", c.name);
    str("path", c.path);
    auto size = j.find("size"), seekable = j.find("seekable"), step = j.find("step"), offsets = j.find("offsets");
    if (size == j.end() || !size->is_number_unsigned()) throw bad("no unsigned 'size'");
    if (seekable == j.end() || !seekable->is_boolean()) throw bad("no boolean 'seekable'");
    if (step == j.end() || !step->is_number_unsigned() || step->get<uint64_t>() == 0) throw bad("no positive 'step'");
    if (offsets == j.end() || !offsets->is_array()) throw bad("no array 'offsets'");
    c.size = size->get<uint64_t>();
    c.seekable = seekable->get<bool>();
    c.step = step->get<uint64_t>();
    if (auto ts = j.find("first_ts_ns"); ts != j.end() && ts->is_number_integer()) c.first_ts_ns = ts->get<int64_t>();
    uint64_t prev = 0;
    for (const auto& o : *offsets) {
      if (!o.is_number_unsigned()) throw bad("an offset is not an unsigned number");
      uint64_t v = o.get<uint64_t>();
      // Offsets must grow and stay inside the file, else seeking by them would read garbage.
      if ((!c.offsets.empty() && v <= prev) || v >= c.size) throw bad("offsets out of order or past the file's end");
      c.offsets.push_back(prev = v);
    }
    files.push_back(std::move(c));
  });
  return files;
}

std::vector<IndexedCapture> read_frame_index(const std::string& outdir) {
  std::string path = (fs::path(outdir) / kFrameIndexFile).string();
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw std::runtime_error(fmt::format("{} not found: an analyze run of this trawl writes it (or name the captures: "
                                         "trawl extract CAPTURES... --alerts {})", path, outdir));
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_frame_index(ss.str());
}

}  // namespace trawl::extract
