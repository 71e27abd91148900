// Helpers shared by the test binaries: where the corpus is, running tools, building packets by hand.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace trawl::testing {

// ../shared/pcaps (from TRAWL_SHARED_PCAPS), the project's fixtures/, and the built trawl binary.
std::string shared_pcaps_dir();
std::string shared_pcap(const std::string& name);
std::string fixtures_dir();
std::string trawl_binary();

bool have_tool(const std::string& name);  // on PATH (tshark, capinfos, editcap, ...)

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};
// Runs `command` through /bin/sh and collects its output.
CommandResult run(const std::string& command);
std::string shell_quote(const std::string& s);

// A fresh temporary directory, removed when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

void write_file(const std::string& path, const std::string& bytes);
std::string read_file(const std::string& path);

// Writes a classic little-endian microsecond pcap holding the given frames (all at 1 s intervals from
// t0 unless ts_us is given per frame).
struct TestFrame {
  std::vector<uint8_t> bytes;
  int64_t ts_us = -1;
  uint32_t wirelen = 0;  // 0: same as bytes.size()
};
std::string make_pcap(const std::vector<TestFrame>& frames, uint32_t linktype = 1, uint32_t snaplen = 262144);

// Every field of `line` between `sep`s, empty ones included ("a\t\tb\t" -> a, "", b, "").
std::vector<std::string> split(const std::string& line, char sep);

}  // namespace trawl::testing
