// Hand-built packets for the packet/ tests: small builders over byte vectors, nothing clever.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <vector>

#include "capture/raw_packet.h"

namespace trawl::packet::test {

using Bytes = std::vector<uint8_t>;

inline Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}
inline void put16(Bytes& b, size_t at, uint16_t v) {
  b[at] = uint8_t(v >> 8);
  b[at + 1] = uint8_t(v);
}
inline void put32(Bytes& b, size_t at, uint32_t v) {
  put16(b, at, uint16_t(v >> 16));
  put16(b, at + 2, uint16_t(v));
}
inline Bytes be16(uint16_t v) { return {uint8_t(v >> 8), uint8_t(v)}; }
inline Bytes cut(Bytes b, size_t n) {  // drop the last n bytes
  b.resize(b.size() - n);
  return b;
}

inline Bytes eth(uint16_t type) {
  Bytes b = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
  return cat({b, be16(type)});
}
inline Bytes vlan(uint16_t id, uint16_t next) { return cat({be16(id), be16(next)}); }

// IPv4 header (20 bytes + options) for a payload of payload_len bytes from 10.0.0.1 to 10.0.0.2.
inline Bytes ipv4(uint8_t proto, size_t payload_len, uint16_t id = 1, uint16_t frag = 0, size_t opt_words = 0,
                  uint8_t last_src = 1, uint8_t last_dst = 2) {
  Bytes h(20 + 4 * opt_words, 0);
  h[0] = uint8_t(0x40 | (5 + opt_words));
  put16(h, 2, uint16_t(h.size() + payload_len));
  put16(h, 4, id);
  put16(h, 6, frag);
  h[8] = 64;
  h[9] = proto;
  h[12] = 10, h[15] = last_src;
  h[16] = 10, h[19] = last_dst;
  for (size_t i = 20; i < h.size(); ++i) h[i] = 1;  // NOP options
  return h;
}
// IPv6 header from 2001:db8::1 to 2001:db8::2.
inline Bytes ipv6(uint8_t next, size_t payload_len) {
  Bytes h(40, 0);
  h[0] = 0x60;
  put16(h, 4, uint16_t(payload_len));
  h[6] = next;
  h[7] = 64;
  h[8] = 0x20, h[9] = 0x01, h[10] = 0x0d, h[11] = 0xb8, h[23] = 1;
  h[24] = 0x20, h[25] = 0x01, h[26] = 0x0d, h[27] = 0xb8, h[39] = 2;
  return h;
}
inline Bytes tcp(uint16_t sport, uint16_t dport, uint8_t flags, uint32_t seq = 1000, uint32_t ack = 0,
                 const Bytes& options = {}) {
  Bytes h(20, 0);
  put16(h, 0, sport);
  put16(h, 2, dport);
  put32(h, 4, seq);
  put32(h, 8, ack);
  h[12] = uint8_t(((20 + options.size()) / 4) << 4);
  h[13] = flags;
  put16(h, 14, 65535);
  return cat({h, options});
}
inline Bytes udp(uint16_t sport, uint16_t dport, size_t payload_len) {
  Bytes h(8, 0);
  put16(h, 0, sport);
  put16(h, 2, dport);
  put16(h, 4, uint16_t(8 + payload_len));
  return h;
}
inline Bytes zeros(size_t n, uint8_t fill = 0) { return Bytes(n, fill); }

inline capture::RawPacket raw(const Bytes& b, uint16_t linktype = capture::kLinkEthernet, int64_t ts_ns = 0,
                              uint32_t wirelen = 0) {
  capture::RawPacket r;
  r.data = b.data();
  r.caplen = uint32_t(b.size());
  r.wirelen = wirelen ? wirelen : uint32_t(b.size());
  r.linktype = linktype;
  r.ts_ns = ts_ns;
  return r;
}

}  // namespace trawl::packet::test
