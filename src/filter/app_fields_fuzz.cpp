// libFuzzer target: random bytes as one TCP or UDP payload, on the port of each protocol the application
// fields decode, with every application field read from it. app_fields_test.cpp replays it on cut-short
// real messages and seeded noise, so the sanitizer suite runs it too.
#include <cstddef>
#include <cstdint>

#include "filter/app_fields.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using trawl::packet::PacketView;
  static constexpr uint16_t kPorts[] = {53, 5353, 80, 8000, 443, 25, 110, 143, 21, 22, 3389, 445, 138};
  static trawl::filter::AppLayer app;
  if (size < 2) return 0;
  PacketView v;
  v.data = data;  // the first two bytes stand in for the headers
  v.caplen = uint32_t(size);
  v.l3 = trawl::packet::L3::kIpv4;
  v.ip_proto = data[0] & 1 ? trawl::packet::kProtoUdp : trawl::packet::kProtoTcp;
  uint16_t port = kPorts[(data[0] >> 1) % std::size(kPorts)];
  bool to_server = data[1] & 1;
  v.sport = to_server ? 40000 : port;
  v.dport = to_server ? port : 40000;
  v.l4_offset = 1;
  v.payload_offset = 2;
  v.payload_len = v.payload_wire_len = uint32_t(size - 2);
  trawl::filter::FieldValues out;
  app.begin_packet();
  for (size_t id = 0; id < trawl::filter::app_fields().size(); ++id) {
    app.extract(int(id), v, out);
    for (size_t i = 0; i < out.n; ++i)  // touch every byte a value points at
      for (uint32_t k = 0; k < out.v[i].len; ++k) asm volatile("" : : "r"(out.v[i].bytes[k]));
  }
  return 0;
}
