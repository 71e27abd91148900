#include "output/record_writers.h"

#include <algorithm>
#include <array>

#include "flow/conn_record.h"
#include "util/port_services.h"

namespace trawl::output {

namespace {
using CT = ColumnType;

constexpr std::array kPacketColumns = {
    Column{"ts", CT::kTime, 17},   Column{"src", CT::kAddr, 15},       Column{"dst", CT::kAddr, 15},
    Column{"sport", CT::kPort, -5}, Column{"dport", CT::kPort, -5},    Column{"proto", CT::kString, 5},
    Column{"app", CT::kString, 8}, Column{"len", CT::kCount, -5},      Column{"file", CT::kString, 0},
    Column{"frame", CT::kCount, -6},
};

constexpr std::array kConnColumns = {
    Column{"ts", CT::kTime, 17},           Column{"uid", CT::kString, 18},     Column{"src", CT::kAddr, 15},
    Column{"sport", CT::kPort, -5},        Column{"dst", CT::kAddr, 15},       Column{"dport", CT::kPort, -5},
    Column{"proto", CT::kString, 5},       Column{"service", CT::kString, 8}, Column{"duration", CT::kInterval, -10},
    Column{"orig_bytes", CT::kCount, -10}, Column{"resp_bytes", CT::kCount, -10},
    Column{"conn_state", CT::kString, 6},  Column{"missed_bytes", CT::kCount, -8}, Column{"history", CT::kString, 10},
    Column{"orig_pkts", CT::kCount, -8},   Column{"orig_ip_bytes", CT::kCount, -10},
    Column{"resp_pkts", CT::kCount, -8},   Column{"resp_ip_bytes", CT::kCount, -10},
    Column{"orig_flags", CT::kCount, -3},  Column{"vlan", CT::kCount, -4},       Column{"file", CT::kString, 0},
    Column{"frame", CT::kCount, -6},
    Column{"frames", CT::kJson, 0},
};

// Zeek's conn.log field names and order, for `--format zeek` (analysts' scripts read them).
constexpr std::array kZeekConnColumns = {
    Column{"ts", CT::kTime},          Column{"uid", CT::kString},        Column{"id.orig_h", CT::kAddr},
    Column{"id.orig_p", CT::kPort},   Column{"id.resp_h", CT::kAddr},    Column{"id.resp_p", CT::kPort},
    Column{"proto", CT::kString},     Column{"service", CT::kString},    Column{"duration", CT::kInterval},
    Column{"orig_bytes", CT::kCount}, Column{"resp_bytes", CT::kCount},  Column{"conn_state", CT::kString},
    Column{"missed_bytes", CT::kCount}, Column{"history", CT::kString},  Column{"orig_pkts", CT::kCount},
    Column{"orig_ip_bytes", CT::kCount}, Column{"resp_pkts", CT::kCount}, Column{"resp_ip_bytes", CT::kCount},
};

constexpr std::array kPairColumns = {
    Column{"addr_a", CT::kAddr, 39},     Column{"addr_b", CT::kAddr, 39},
    Column{"frames_a_to_b", CT::kCount, -10}, Column{"bytes_a_to_b", CT::kCount, -12},
    Column{"frames_b_to_a", CT::kCount, -10}, Column{"bytes_b_to_a", CT::kCount, -12},
    Column{"frames", CT::kCount, -10},   Column{"bytes", CT::kCount, -12},
    Column{"first_ts", CT::kTime, 17},   Column{"duration", CT::kInterval, 0},
};

constexpr std::array kHostColumns = {
    Column{"addr", CT::kAddr, 39},         Column{"frames", CT::kCount, -10},
    Column{"frames_as_src", CT::kCount, -13}, Column{"frames_as_dst", CT::kCount, -13},
    Column{"bytes_sent", CT::kCount, -12}, Column{"bytes_received", CT::kCount, -14},
    Column{"first_ts", CT::kTime, 17},     Column{"last_ts", CT::kTime, 0},
};

std::string_view transport_name(const packet::PacketView& v) {
  switch (v.l3) {
    case packet::L3::kArp: return "arp";
    case packet::L3::kNone: case packet::L3::kOther: return "-";
    default: break;
  }
  if (v.ip_fragment) return "frag";
  return flow::proto_name(v.ip_proto);
}
}  // namespace

void append_frames_json(TextBuffer& b, std::span<const flow::FrameRef> frames,
                        const std::vector<capture::CaptureFile>& files) {
  uint32_t order[flow::ConnRecord::kFirstFrames];  // files in order of first appearance
  size_t norder = 0;
  for (const auto& f : frames)
    if (norder < std::size(order) && std::find(order, order + norder, f.file_index) == order + norder)
      order[norder++] = f.file_index;
  b.push_back('[');
  for (size_t k = 0; k < norder; ++k) {
    uint32_t file = order[k];
    if (k) b.push_back(',');
    b.append(std::string_view("{\"file\":"));
    append_json_string(b, file < files.size() ? files[file].name : std::string_view("?"));
    b.append(std::string_view(",\"frames\":["));
    char* const start = b.reserve(frames.size() * 21);  // each: a comma and up to 20 digits
    char* p = start;
    for (const auto& f : frames) {
      if (f.file_index != file) continue;
      if (p != start) *p++ = ',';
      p = TextBuffer::put_decimal(p, f.frame);
    }
    b.advance(size_t(p - start));
    b.append(std::string_view("]}"));
  }
  b.push_back(']');
}

PacketWriter::PacketWriter(std::FILE* out, Format format, const std::vector<capture::CaptureFile>& files)
    : table_(out, format == Format::kZeek ? Format::kCsv : format, kPacketColumns), files_(files) {
  table_.write_header();
}

void PacketWriter::write(const capture::RawPacket& raw, const packet::PacketView& v) {
  table_.add_time(raw.ts_ns);
  bool ports = v.is_tcp() || v.is_udp();
  if (v.is_ip()) {
    table_.add_addr(v.src);
    table_.add_addr(v.dst);
  } else if (v.l3 == packet::L3::kArp) {
    table_.add_addr(v.arp_sender_ip);
    table_.add_addr(v.arp_target_ip);
  } else {
    table_.add_null();
    table_.add_null();
  }
  if (ports) {
    table_.add_count(v.sport);
    table_.add_count(v.dport);
  } else if (v.is_icmp()) {  // type and code in the port columns, as Zeek and the conn records do
    table_.add_count(v.icmp_type);
    table_.add_count(v.icmp_code);
  } else {
    table_.add_null();
    table_.add_null();
  }
  table_.add(transport_name(v));
  table_.add(ports ? guess_service(v.ip_proto, v.sport, v.dport) : std::string_view());
  table_.add_count(raw.wirelen);
  table_.add(files_[raw.file_index].name);
  table_.add_count(raw.frame);
  table_.end_row();
}

ConnWriter::ConnWriter(std::FILE* out, Format format, const std::vector<capture::CaptureFile>& files)
    : format_(format),
      table_(out, format, format == Format::kZeek ? std::span<const Column>(kZeekConnColumns) : std::span<const Column>(kConnColumns), "conn"),
      files_(files) {
  table_.write_header();
}

const std::string& ConnWriter::quote_name(uint32_t file) {
  if (file >= files_.size()) {
    if (quoted_unknown_.empty()) quoted_unknown_ = "\"?\"";
    return quoted_unknown_;
  }
  while (quoted_names_.size() <= file) {
    TextBuffer b;
    append_json_string(b, files_[quoted_names_.size()].name);
    quoted_names_.emplace_back(b.view());
  }
  return quoted_names_[file];
}

// The same bytes as the TableWriter calls below would write for JSONL, formatted in one reservation.
void ConnWriter::write_jsonl(const flow::ConnRecord& r) {
  const size_t nframes = r.first_frames.size();
  // Files of the frames in order of first appearance, as append_frames_json groups them.
  uint32_t order[flow::ConnRecord::kFirstFrames];
  size_t norder = 0;
  size_t room = 1024 + 6 * (r.uid.size() + r.service.size() + r.conn_state.size() + r.history.size()) + 22 * nframes;
  for (const auto& f : r.first_frames) {
    if (norder < std::size(order) && std::find(order, order + norder, f.file_index) == order + norder) {
      order[norder++] = f.file_index;
      room += quoted_name(f.file_index).size() * 2 + 32;  // in "frames", and once more in "file"
    }
  }
  char* const start = table_.row_space(room);
  char* p = put_literal(start, "{\"ts\":");
  p = table_.put_time(p, r.ts_first_ns);
  p = put_json_string(put_literal(p, ",\"uid\":"), r.uid);
  auto put_addr = [](char* d, const IpAddress& a) {
    if (size_t n = a.format(d + 1)) {
      d[0] = '"';
      d[n + 1] = '"';
      return d + n + 2;
    }
    return put_literal(d, "null");
  };
  p = put_addr(put_literal(p, ",\"src\":"), r.orig_h);
  p = TextBuffer::put_decimal(put_literal(p, ",\"sport\":"), r.orig_p);
  p = put_addr(put_literal(p, ",\"dst\":"), r.resp_h);
  p = TextBuffer::put_decimal(put_literal(p, ",\"dport\":"), r.resp_p);
  p = put_json_string(put_literal(p, ",\"proto\":"), flow::proto_name(r.proto));
  p = put_json_string(put_literal(p, ",\"service\":"), r.service);
  p = TableWriter::put_interval(put_literal(p, ",\"duration\":"), r.ts_last_ns - r.ts_first_ns);
  p = TextBuffer::put_decimal(put_literal(p, ",\"orig_bytes\":"), r.orig_bytes);
  p = TextBuffer::put_decimal(put_literal(p, ",\"resp_bytes\":"), r.resp_bytes);
  p = put_json_string(put_literal(p, ",\"conn_state\":"), r.conn_state);
  p = TextBuffer::put_decimal(put_literal(p, ",\"missed_bytes\":"), r.missed_bytes);
  p = put_json_string(put_literal(p, ",\"history\":"), r.history);
  p = TextBuffer::put_decimal(put_literal(p, ",\"orig_pkts\":"), r.orig_pkts);
  p = TextBuffer::put_decimal(put_literal(p, ",\"orig_ip_bytes\":"), r.orig_ip_bytes);
  p = TextBuffer::put_decimal(put_literal(p, ",\"resp_pkts\":"), r.resp_pkts);
  p = TextBuffer::put_decimal(put_literal(p, ",\"resp_ip_bytes\":"), r.resp_ip_bytes);
  p = put_literal(p, ",\"orig_flags\":");
  p = r.proto == 6 ? TextBuffer::put_decimal(p, r.orig_flags) : put_literal(p, "null");
  p = TextBuffer::put_decimal(put_literal(p, ",\"vlan\":"), r.vlan);
  if (nframes == 0) {
    p = put_literal(p, ",\"file\":null,\"frame\":null,\"frames\":[]}\n");
  } else {
    const std::string& first_file = quoted_name(r.first_frames[0].file_index);
    p = put_literal(p, ",\"file\":");
    std::memcpy(p, first_file.data(), first_file.size());
    p = TextBuffer::put_decimal(put_literal(p + first_file.size(), ",\"frame\":"), r.first_frames[0].frame);
    p = put_literal(p, ",\"frames\":[");
    for (size_t k = 0; k < norder; ++k) {
      const std::string& name = quoted_name(order[k]);
      if (k) *p++ = ',';
      p = put_literal(p, "{\"file\":");
      std::memcpy(p, name.data(), name.size());
      p = put_literal(p + name.size(), ",\"frames\":[");
      char* const list = p;
      for (const auto& f : r.first_frames) {
        if (f.file_index != order[k]) continue;
        if (p != list) *p++ = ',';
        p = TextBuffer::put_decimal(p, f.frame);
      }
      p = put_literal(p, "]}");
    }
    p = put_literal(p, "]}\n");
  }
  table_.commit_row(p);
}

void write_conn_columns(TableWriter& t, const flow::ConnRecord& r, const std::vector<capture::CaptureFile>& files,
                        bool zeek, TextBuffer& scratch) {
  t.add_time(r.ts_first_ns);
  t.add(r.uid);
  t.add_addr(r.orig_h);
  t.add_count(r.orig_p);
  t.add_addr(r.resp_h);
  t.add_count(r.resp_p);
  t.add(flow::proto_name(r.proto));
  t.add(r.service);
  t.add_interval_ns(r.ts_last_ns - r.ts_first_ns);
  t.add_count(r.orig_bytes);
  t.add_count(r.resp_bytes);
  t.add(r.conn_state);
  t.add_count(r.missed_bytes);
  t.add(r.history);
  t.add_count(r.orig_pkts);
  t.add_count(r.orig_ip_bytes);
  t.add_count(r.resp_pkts);
  t.add_count(r.resp_ip_bytes);
  if (!zeek) {
    if (r.proto == 6) t.add_count(r.orig_flags);  // the originator's TCP flags, ORed (tshark's tcp.flags bits)
    else t.add_null();
    t.add_count(r.vlan);
    if (r.first_frames.empty()) {
      t.add_null();
      t.add_null();
    } else {
      t.add(files[r.first_frames[0].file_index].name);
      t.add_count(r.first_frames[0].frame);
    }
    scratch.clear();
    append_frames_json(scratch, r.first_frames, files);
    t.add_json(std::string_view(scratch.data(), scratch.size()));
  }
  t.end_row();
}

void ConnWriter::on_flow_end(flow::ConnRecord&& r) {
  ++records_;
  if (format_ == Format::kJsonl) return write_jsonl(r);
  write_conn_columns(table_, r, files_, format_ == Format::kZeek, frames_buf_);
}

void write_pairs(std::FILE* out, Format format, const std::vector<stats::PairStats>& pairs) {
  TableWriter t(out, format, kPairColumns, "top_pairs");
  t.write_header();
  for (const auto& p : pairs) {
    t.add_addr(p.a);
    t.add_addr(p.b);
    t.add_count(p.frames_ab);
    t.add_count(p.bytes_ab);
    t.add_count(p.frames_ba);
    t.add_count(p.bytes_ba);
    t.add_count(p.frames());
    t.add_count(p.bytes());
    t.add_time(p.first_ns);
    t.add_interval_ns(p.last_ns - p.first_ns);
    t.end_row();
  }
  t.finish();
}

void write_hosts(std::FILE* out, Format format, const std::vector<stats::HostStats>& hosts) {
  TableWriter t(out, format, kHostColumns, "hosts");
  t.write_header();
  for (const auto& h : hosts) {
    t.add_addr(h.addr);
    t.add_count(h.frames());
    t.add_count(h.frames_as_src);
    t.add_count(h.frames_as_dst);
    t.add_count(h.bytes_sent);
    t.add_count(h.bytes_received);
    t.add_time(h.first_ns);
    t.add_time(h.last_ns);
    t.end_row();
  }
  t.finish();
}

}  // namespace trawl::output
