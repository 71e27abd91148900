// libFuzzer target: random text as a display filter. Parsing and compiling must either succeed or throw
// FilterError (never crash, hang or read out of bounds); a filter that compiles is then matched against a
// decoded TCP packet so evaluation runs too. filter_test.cpp replays it on cut and spliced real filters,
// so the sanitizer suite runs it as well.
#include <cstddef>
#include <cstdint>
#include <string>

#include "filter/filter.h"
#include "packet/decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Ethernet, IPv4, TCP 1234 -> 80 with "GET / HTTP/1.1".
  static const uint8_t kFrame[] = {
      0x00, 0x0c, 0x29, 0x01, 0x02, 0x03, 0x00, 0x0c, 0x29, 0x04, 0x05, 0x06, 0x08, 0x00,  //
      0x45, 0x00, 0x00, 0x36, 0x00, 0x01, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00, 10, 0, 0, 1, 10, 0, 0, 2,
      0x04, 0xd2, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x18, 0x10, 0x00, 0, 0, 0, 0,  //
      'G', 'E', 'T', ' ', '/', ' ', 'H', 'T', 'T', 'P', '/', '1', '.', '1'};
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    trawl::filter::Filter filter(text);
    trawl::capture::RawPacket raw;
    raw.data = kFrame;
    raw.caplen = raw.wirelen = sizeof(kFrame);
    raw.linktype = 1;
    raw.frame = 1;
    trawl::packet::Decoder decoder;
    trawl::packet::PacketView view;
    decoder.decode(raw, view);
    filter.matches(raw, view);
  } catch (const trawl::filter::FilterError&) {
  }
  return 0;
}
