#include "cli/capture_run.h"

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

#include "stats/capture_summary.h"

namespace trawl::cli {

CaptureRun::CaptureRun(const CommonOptions& options) : set_(options.paths), quiet_(options.quiet) {}

int CaptureRun::finish() {
  for (const auto& issue : set_.issues()) fmt::print(stderr, "trawl: {}\n", issue.message());
  for (const auto& [key, count] : unsupported_) {
    fmt::print(stderr, "trawl: {}: {} packets of unsupported link type {} ({}) counted but not decoded\n",
               set_.files()[key.first].path, count, key.second, stats::link_type_name(key.second));
  }
  return set_.incomplete() ? 2 : 0;
}

OutputFile::OutputFile(const std::string& path) : path_(path), owned_(!path.empty() && path != "-") {
  if (!owned_) {
    f_ = stdout;
    return;
  }
  f_ = std::fopen(path.c_str(), "wb");
  if (!f_) throw std::runtime_error(fmt::format("cannot write {}: {}", path, std::strerror(errno)));
}

OutputFile::~OutputFile() {
  if (owned_ && f_) std::fclose(f_);
}

void OutputFile::close() {
  if (!f_) return;
  bool failed = std::fflush(f_) != 0 || std::ferror(f_);
  if (owned_) failed |= std::fclose(f_) != 0;
  f_ = owned_ ? nullptr : f_;
  if (failed) throw std::runtime_error(fmt::format("cannot write {}: {}", owned_ ? path_ : "standard output", std::strerror(errno)));
}

}  // namespace trawl::cli
