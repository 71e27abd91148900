#include "flow/conn_record.h"

#include <array>

#include "util/port_services.h"

namespace trawl::flow {

const char* proto_name(uint8_t ip_proto) {
  switch (ip_proto) {
    case 6: return "tcp";
    case 17: return "udp";
    case 1: return "icmp";
    case 58: return "icmp6";
    default: break;
  }
  // Numbers as text, built once: the table lives for the program, no allocation per call.
  static const std::array<std::array<char, 4>, 256> kNames = [] {
    std::array<std::array<char, 4>, 256> t{};
    for (int i = 0; i < 256; ++i) {
      int n = 0;
      if (i >= 100) t[i][n++] = char('0' + i / 100);
      if (i >= 10) t[i][n++] = char('0' + i / 10 % 10);
      t[i][n++] = char('0' + i % 10);
      t[i][n] = '\0';
    }
    return t;
  }();
  return kNames[ip_proto].data();
}

std::string_view service_guess(uint8_t ip_proto, uint16_t resp_port) {
  // One table for packets and flows (util/port_services); ICMP "ports" are types, never services.
  if (ip_proto != 6 && ip_proto != 17) return {};
  return service_for_port(ip_proto, resp_port);
}

}  // namespace trawl::flow
