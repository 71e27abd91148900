#include "flow/flow_key.h"

#include "util/hash.h"

namespace trawl::flow {

int icmp_counterpart(bool icmp6, uint8_t type) {
  if (!icmp6) {
    switch (type) {
      case 8: return 0;     // echo request / reply
      case 0: return 8;
      case 13: return 14;   // timestamp
      case 14: return 13;
      case 15: return 16;   // information
      case 16: return 15;
      case 10: return 9;    // router solicitation / advertisement
      case 9: return 10;
      case 17: return 18;   // address mask
      case 18: return 17;
      default: return -1;
    }
  }
  switch (type) {
    case 128: return 129;  // echo request / reply
    case 129: return 128;
    case 133: return 134;  // router solicitation / advertisement
    case 134: return 133;
    case 135: return 136;  // neighbour solicitation / advertisement
    case 136: return 135;
    case 130: return 131;  // MLD query / report
    case 131: return 130;
    case 139: return 140;  // node information query / response
    case 140: return 139;
    case 144: return 145;  // home agent address discovery request / reply
    case 145: return 144;
    default: return -1;
  }
}

namespace {

// (addr, port) ordering used to make the key direction-free (Zeek's addr_port_canon_lt).
// The bytes compare as two big-endian words (a memcmp call here was a visible cost per packet).
bool canon_le(const IpAddress& a, uint16_t ap, const IpAddress& b, uint16_t bp) {
  uint64_t a0 = __builtin_bswap64(a.word(0)), b0 = __builtin_bswap64(b.word(0));
  if (a0 != b0) return a0 < b0;
  uint64_t a1 = __builtin_bswap64(a.word(1)), b1 = __builtin_bswap64(b.word(1));
  if (a1 != b1) return a1 < b1;
  return ap <= bp;
}

}  // namespace

bool make_packet_key(const packet::PacketView& v, PacketKey& out) {
  if (!v.is_ip() || v.ip_fragment) return false;
  bool one_way = false;
  uint16_t sport = 0, dport = 0;
  if (v.ip_proto == packet::kProtoTcp || v.ip_proto == packet::kProtoUdp) {
    if (!v.l4_offset) return false;  // transport header cut short
    sport = v.sport;
    dport = v.dport;
  } else if (v.ip_proto == packet::kProtoIcmp || v.ip_proto == packet::kProtoIcmp6) {
    if (!v.l4_offset) return false;
    int cp = icmp_counterpart(v.ip_proto == packet::kProtoIcmp6, v.icmp_type);
    sport = v.icmp_type;
    if (cp < 0) {
      one_way = true;
      dport = v.icmp_code;
    } else {
      dport = uint16_t(cp);
    }
  }
  out.src = v.src;
  out.dst = v.dst;
  out.sport = sport;
  out.dport = dport;

  FlowKey& k = out.key;
  k = FlowKey{};
  k.vlan = v.vlan();
  k.family = v.src.family;
  k.proto = v.ip_proto;
  k.one_way = one_way;
  if (one_way || canon_le(v.src, sport, v.dst, dport)) {
    k.addr1 = v.src.bytes;
    k.addr2 = v.dst.bytes;
    k.port1 = sport;
    k.port2 = dport;
  } else {
    k.addr1 = v.dst.bytes;
    k.addr2 = v.src.bytes;
    k.port1 = dport;
    k.port2 = sport;
  }
  return true;
}

uint64_t stable_hash(const FlowKey& key) {
  // FNV-1a over the key bytes, then a splitmix64 finaliser to spread the low bits used for sharding.
  uint64_t h = fnv1a64(&key, sizeof key);
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebull;
  h ^= h >> 31;
  return h;
}

}  // namespace trawl::flow
