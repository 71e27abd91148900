#include "support/testing.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace trawl::testing {

namespace {
std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}
}  // namespace

// The environment wins (ctest sets it); the paths compiled in serve test listing and direct runs.
std::string shared_pcaps_dir() { return env_or("TRAWL_SHARED_PCAPS", TRAWL_DEFAULT_SHARED_PCAPS); }
std::string shared_pcap(const std::string& name) { return shared_pcaps_dir() + "/" + name; }
std::string fixtures_dir() { return env_or("TRAWL_FIXTURES", TRAWL_DEFAULT_FIXTURES); }
std::string trawl_binary() { return env_or("TRAWL_BIN", TRAWL_DEFAULT_BIN); }

bool have_tool(const std::string& name) {
  return run("command -v " + shell_quote(name) + " >/dev/null 2>&1").exit_code == 0;
}

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'') q += "'\\''";
    else q += c;
  }
  return q + "'";
}

CommandResult run(const std::string& command) {
  TempDir tmp;
  std::string full = "( " + command + " ) >" + tmp.file("out") + " 2>" + tmp.file("err");
  int status = std::system(full.c_str());
  CommandResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = read_file(tmp.file("out"));
  r.err = read_file(tmp.file("err"));
  return r;
}

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "trawl-test-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}
TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary);
  f.write(bytes.data(), std::streamsize(bytes.size()));
  if (!f) throw std::runtime_error("cannot write " + path);
}

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

namespace {
void put32(std::string& s, uint32_t v) {
  for (int i = 0; i < 4; ++i) s += char(v >> (8 * i) & 0xff);
}
void put16(std::string& s, uint16_t v) {
  s += char(v & 0xff);
  s += char(v >> 8);
}
}  // namespace

std::string make_pcap(const std::vector<TestFrame>& frames, uint32_t linktype, uint32_t snaplen) {
  std::string s;
  put32(s, 0xa1b2c3d4);
  put16(s, 2);
  put16(s, 4);
  put32(s, 0);
  put32(s, 0);
  put32(s, snaplen);
  put32(s, linktype);
  int64_t t = 1'700'000'000'000'000;
  for (const auto& f : frames) {
    int64_t ts = f.ts_us >= 0 ? f.ts_us : t;
    t += 1'000'000;
    put32(s, uint32_t(ts / 1'000'000));
    put32(s, uint32_t(ts % 1'000'000));
    put32(s, uint32_t(f.bytes.size()));
    put32(s, f.wirelen ? f.wirelen : uint32_t(f.bytes.size()));
    s.append(reinterpret_cast<const char*>(f.bytes.data()), f.bytes.size());
  }
  return s;
}

std::vector<std::string> split(const std::string& line, char sep) {
  std::vector<std::string> out;
  for (size_t pos = 0;;) {
    const size_t at = line.find(sep, pos);
    out.push_back(line.substr(pos, at == std::string::npos ? std::string::npos : at - pos));
    if (at == std::string::npos) return out;
    pos = at + 1;
  }
}

}  // namespace trawl::testing
