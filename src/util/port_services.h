// Port-based service guess ("http" for TCP 80): the label flows and packet listings carry until
// content-based identification replaces it.
#pragma once

#include <cstdint>
#include <string_view>

namespace trawl {

// Service name for a well-known responder port of the given IP protocol (6 TCP, 17 UDP), or "".
std::string_view service_for_port(uint8_t ip_proto, uint16_t port);

// Guess for a packet or flow whose direction is unknown: the lower well-known port of the two wins.
std::string_view guess_service(uint8_t ip_proto, uint16_t sport, uint16_t dport);

}  // namespace trawl
