// libFuzzer target: the first byte picks a link type, the rest is one packet; it is decoded and its ARP or
// ICMP-error record (if any) written as JSON, so every column's writer reads what the view points at.
#include <vector>

#include "packet/decoder.h"
#include "proto/packet_records/packet_records.h"
#include "proto/stream_fuzz.h"

namespace {
constexpr uint16_t kLinks[] = {1, 113, 276, 101, 228, 229, 0};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static trawl::proto::packet_records::PacketRecords records(trawl::proto::fuzz_record_writer(), {"fuzz.pcap"});
  static trawl::packet::Decoder decoder;
  if (size < 1) return 0;
  // A copy of exactly the packet's size, so ASan catches any read past caplen.
  std::vector<uint8_t> pkt(data + 1, data + size);
  trawl::capture::RawPacket raw;
  raw.linktype = kLinks[data[0] % (sizeof(kLinks) / sizeof(kLinks[0]))];
  raw.caplen = raw.wirelen = uint32_t(pkt.size());
  raw.data = pkt.data();
  raw.frame = 1;
  trawl::packet::PacketView v;
  decoder.decode(raw, v);
  records.add(v, raw);
  return 0;
}
