// Filter: a display filter compiled against the field registry. Compilation checks every field name,
// operator and value type (FilterError points at the column); matching a packet then reads only the
// fields the filter names, by id.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "capture/raw_packet.h"
#include "filter/syntax.h"
#include "filter/tcp_streams.h"
#include "packet/packet_view.h"

namespace trawl::filter {

class AppLayer;  // app_fields.h

class Filter {
 public:
  // Throws FilterError (message and column) when the text is not a valid filter.
  explicit Filter(const std::string& text);
  ~Filter();
  Filter(Filter&&) noexcept;
  Filter& operator=(Filter&&) noexcept;

  bool matches(const capture::RawPacket& raw, const packet::PacketView& view);
  // The time of the first packet of capture file `file_index`, when matching starts past it (extracting
  // from an index): frame.time_relative counts from it. Otherwise the first packet matched sets it.
  void set_file_start(uint32_t file_index, int64_t ts_ns);

  struct Test;  // one compiled node

 private:
  std::unique_ptr<Test> root_;
  std::vector<int64_t> first_ts_ns_;  // per capture file, for frame.time_relative
  std::unique_ptr<TcpStreams> tcp_streams_;  // only when the filter names tcp.stream, tcp.seq or tcp.ack
  std::string scratch_;
  std::unique_ptr<AppLayer> app_;     // only when the filter names an application field
};

// "filter: unknown field 'ip.adr' (did you mean ip.addr, ...)\n  ip.adr == 1.2.3.4\n  ^": the message
// with the filter and a caret under the column, for the terminal.
std::string describe_error(const std::string& text, const FilterError& e);

}  // namespace trawl::filter
