#include "proto/record_files.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include <fmt/format.h>

namespace trawl::proto {

namespace {
std::FILE* open_or_throw(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) throw std::runtime_error(fmt::format("cannot write {}: {}", path, std::strerror(errno)));
  return f;
}
void close_or_throw(std::FILE*& f, const std::string& path) {
  if (!f) return;
  bool failed = std::fflush(f) != 0 || std::ferror(f);
  failed |= std::fclose(f) != 0;
  f = nullptr;
  if (failed) throw std::runtime_error(fmt::format("cannot write {}: {}", path, std::strerror(errno)));
}
}  // namespace

struct RecordFiles::Out {
  std::string jsonl_path, zeek_path;
  std::FILE* jsonl = nullptr;
  std::FILE* zeek_file = nullptr;
  std::unique_ptr<output::TableWriter> jsonl_writer, zeek_writer;
  uint64_t count = 0;

  void close() {
    if (jsonl_writer) jsonl_writer->finish();
    if (zeek_writer) zeek_writer->finish();
    jsonl_writer.reset();
    zeek_writer.reset();
    close_or_throw(jsonl, jsonl_path);
    close_or_throw(zeek_file, zeek_path);
  }
  ~Out() {
    jsonl_writer.reset();
    zeek_writer.reset();
    if (jsonl) std::fclose(jsonl);
    if (zeek_file) std::fclose(zeek_file);
  }
};

RecordFiles::RecordFiles(std::string dir, WriteOptions options, bool zeek)
    : dir_(std::move(dir)), options_(options), zeek_(zeek) {}

RecordFiles::~RecordFiles() = default;

RecordFiles::Out& RecordFiles::out_for(const RecordType& type) {
  auto it = outs_.find(type.name);
  if (it != outs_.end()) return *it->second;
  auto out = std::make_unique<Out>();
  out->jsonl_path = (std::filesystem::path(dir_) / (std::string(type.name) + ".jsonl")).string();
  out->jsonl = open_or_throw(out->jsonl_path);
  out->jsonl_writer = std::make_unique<output::TableWriter>(out->jsonl, output::Format::kJsonl, type.columns, type.name);
  if (taps_) out->jsonl_writer->set_tap(taps_->tap(type.name));
  if (zeek_) {
    out->zeek_path = (std::filesystem::path(dir_) / (std::string(type.name) + ".log")).string();
    out->zeek_file = open_or_throw(out->zeek_path);
    out->zeek_writer = std::make_unique<output::TableWriter>(out->zeek_file, output::Format::kZeek, type.columns, type.name);
    out->zeek_writer->write_header();
  }
  return *outs_.emplace(std::string(type.name), std::move(out)).first->second;
}

void RecordFiles::emit(const Record& record) {
  Out& out = out_for(record.type());
  record.write(*out.jsonl_writer, options_);
  if (out.zeek_writer) record.write(*out.zeek_writer, options_);
  ++out.count;
}

void RecordFiles::finish(const std::vector<std::string>& always) {
  for (const auto& name : always) {
    if (outs_.count(name)) continue;
    std::string path = (std::filesystem::path(dir_) / (name + ".jsonl")).string();
    std::FILE* f = open_or_throw(path);
    close_or_throw(f, path);
  }
  for (auto& [name, out] : outs_) out->close();
}

uint64_t RecordFiles::count(const std::string& type) const {
  auto it = outs_.find(type);
  return it == outs_.end() ? 0 : it->second->count;
}

RecordFilter::RecordFilter(std::string type, std::FILE* out, output::Format format, WriteOptions options)
    : type_(std::move(type)), out_(out), format_(format), options_(options) {}

RecordFilter::~RecordFilter() = default;

void RecordFilter::emit(const Record& record) {
  if (record.type().name != type_) return;
  if (!writer_) {
    writer_ = std::make_unique<output::TableWriter>(out_, format_, record.type().columns, record.type().name);
    writer_->write_header();
  }
  record.write(*writer_, options_);
  ++count_;
}

void RecordFilter::finish() {
  if (writer_) writer_->finish();
}

}  // namespace trawl::proto
