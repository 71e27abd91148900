// BpfFilter: a libpcap capture filter (tcpdump syntax, `-f`) run on the raw frame before any decoding.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "capture/raw_packet.h"

namespace trawl::extract {

// A capture filter libpcap cannot compile (a usage error: exit code 2, like a bad display filter).
struct BpfError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class BpfFilter {
 public:
  // Compiles `expression` for Ethernet at once, so a typo fails before any input is read; throws
  // BpfError with libpcap's message.
  explicit BpfFilter(std::string expression);
  ~BpfFilter();
  BpfFilter(BpfFilter&&) noexcept;
  BpfFilter& operator=(BpfFilter&&) noexcept;

  // Compiles for a new link type on first sight (throws BpfError when the expression
  // means nothing there, e.g. `ether host` on raw IP).
  bool matches(const capture::RawPacket& pkt);

 private:
  struct Program;
  Program& program_for(uint16_t linktype);
  std::string expression_;
  std::vector<std::unique_ptr<Program>> programs_;  // one per link type seen; usually one
};

}  // namespace trawl::extract
