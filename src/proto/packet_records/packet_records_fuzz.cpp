// libFuzzer target: the first byte picks a link type, the rest is one packet; it is decoded and its ARP or
// ICMP-error record (if any) written as JSON, so every column's writer reads what the view points at.
#include <cstdio>
#include <vector>

#include "packet/decoder.h"
#include "proto/packet_records/packet_records.h"

namespace {
constexpr uint16_t kLinks[] = {1, 113, 276, 101, 228, 229, 0};

struct WriteSink final : trawl::proto::RecordSink {
  std::FILE* null = std::fopen("/dev/null", "w");
  ~WriteSink() override { std::fclose(null); }
  void emit(const trawl::proto::Record& r) override {
    trawl::output::TableWriter w(null, trawl::output::Format::kJsonl, r.type().columns);
    r.write(w, {});
    w.finish();
  }
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static WriteSink sink;
  static trawl::proto::packet_records::PacketRecords records(sink, {"fuzz.pcap"});
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
