// FlowApp: what rides along one flow above the transport: the application-layer session (stream
// reassembly and the protocol analyzer). The flow stage owns it with the flow and drives it; the
// application stage (src/proto/) implements it. A FlowAppFactory decides per flow whether to attach one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "capture/raw_packet.h"
#include "flow/conn_record.h"
#include "packet/packet_view.h"
#include "util/ip_address.h"

namespace trawl::flow {

// The identity of a new flow, as the conn record will show it.
struct FlowStart {
  IpAddress orig_h, resp_h;
  uint16_t orig_p = 0, resp_p = 0;
  uint8_t proto = 0;
  std::string_view uid;  // valid during create() only: copy it
  int64_t ts_ns = 0;
};

class FlowApp {
 public:
  virtual ~FlowApp() = default;
  // Sessions are made and dropped once per flow, a million times on a large capture: their memory is
  // recycled through per-size free lists instead of malloc and free (inherited by every session class).
  static void* operator new(std::size_t size);
  static void operator delete(void* p, std::size_t size);
  // Every packet of the flow, after the flow's own accounting.
  virtual void on_packet(const packet::PacketView& view, const capture::RawPacket& raw, bool from_orig) = 0;
  // The flow ends: finish the analysis and complete the record (service, missed_bytes) before it is
  // written. The record's service is empty until set here (the port-based guess is only for flows
  // without a session).
  virtual void on_end(ConnRecord& record) = 0;
};

class FlowAppFactory {
 public:
  virtual ~FlowAppFactory() = default;
  // A session for this flow, or null when there is nothing to analyze (e.g. ICMP).
  virtual std::unique_ptr<FlowApp> create(const FlowStart& start) = 0;
};

}  // namespace trawl::flow
