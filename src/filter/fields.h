// The fields a display filter can name: one table (fields.cpp) with Wireshark's names, each field's type,
// and how to read it from a decoded packet. Filters are compiled against it, so a packet is never looked up
// by field name.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "capture/raw_packet.h"
#include "filter/tcp_streams.h"
#include "packet/packet_view.h"
#include "util/ip_address.h"

namespace trawl::filter {

enum class FieldType : uint8_t {
  kProtocol,  // a protocol name: only tested for presence
  kUint,      // unsigned integer
  kBool,      // 0 or 1
  kIp,        // IPv4 or IPv6 address (CIDR literals allowed)
  kEther,     // 6-byte MAC address
  kBytes,     // byte string
  kTime,      // seconds (fractional)
  kString,    // text (application fields): ==, contains, matches, in, slices
};
std::string_view type_name(FieldType t);

struct FieldInfo {
  std::string_view name;
  FieldType type;
  std::string_view description;
};

// Every field, in the order `trawl fields` lists them; a field's id is its index.
std::span<const FieldInfo> all_fields();
// The id of a field by name, or -1.
int find_field(std::string_view name);
// Up to `limit` known names closest to `name` (for "unknown field" errors).
std::string nearest_fields(std::string_view name, size_t limit = 3);

// One occurrence of a field in a packet. A field can occur several times (ip.addr: source and
// destination; ip.src: the outer header of a tunnel and the header an ICMP error quotes).
struct FieldValue {
  uint64_t u = 0;
  double d = 0;
  IpAddress a;
  const uint8_t* bytes = nullptr;
  uint32_t len = 0;
};

struct FieldValues {
  static constexpr size_t kMax = 8;
  FieldValue v[kMax];
  size_t n = 0;
  FieldValue& add() { return v[n < kMax ? n++ : kMax - 1]; }
};

class AppLayer;  // app_fields.h

struct PacketContext {
  const capture::RawPacket& raw;
  const packet::PacketView& view;
  int64_t first_ts_ns;                        // first packet of the same file (frame.time_relative)
  const TcpStreams::Segment* tcp = nullptr;   // conversation numbers, when the filter needs them
  std::string* scratch = nullptr;             // text built per packet (frame.protocols), reused
  AppLayer* app = nullptr;                    // set when the filter names an application field
};

// Fields whose value depends on earlier packets of the conversation (tcp.stream, tcp.seq, tcp.ack).
bool needs_tcp_streams(int id);
// Whether field `id` is an application field (app_fields.h): read through PacketContext::app.
bool is_app_field(int id);

// Fills `out` with the occurrences of field `id` in the packet (none: the field is absent).
void extract(int id, const PacketContext& p, FieldValues& out);

}  // namespace trawl::filter
