#include "proto/dns/dns_record.h"

#include <fmt/format.h>

namespace trawl::proto::dns {

namespace {
using CT = output::ColumnType;
constexpr output::Column kOwn[] = {
    {"app", CT::kString, 5},          {"proto", CT::kString, 3},         {"trans_id", CT::kCount, -5},
    {"rtt", CT::kInterval, -8},       {"query", CT::kString, 30},        {"qclass", CT::kCount, -5},
    {"qclass_name", CT::kString, 4},  {"qtype", CT::kCount, -5},         {"qtype_name", CT::kString, 5},
    {"rcode", CT::kCount, -2},        {"rcode_name", CT::kString, 8},    {"opcode", CT::kCount, -2},
    {"aa", CT::kBool, 5},             {"tc", CT::kBool, 5},              {"rd", CT::kBool, 5},
    {"ra", CT::kBool, 5},             {"answers", CT::kJson, 0},         {"answer_types", CT::kJson, 0},
    {"ttls", CT::kJson, 0},           {"answer_count", CT::kCount, -3},  {"authority_count", CT::kCount, -3},
    {"additional_count", CT::kCount, -3}, {"query_seen", CT::kBool, 5}, {"response_seen", CT::kBool, 5},
    {"anomaly", CT::kString, 0},
};
constexpr auto kColumns = with_common_columns(kOwn);
}  // namespace

const RecordType DnsRecord::kType{"dns", kColumns};

void DnsRecord::write(output::TableWriter& w, const WriteOptions&) const {
  origin.write(w);
  w.add(app);
  w.add(proto);
  w.add_count(trans_id);
  if (rtt_ns >= 0) w.add_interval_ns(rtt_ns);
  else w.add_null();
  if (has_question) {
    w.add(query);
    w.add_count(qclass);
    w.add(class_name(qclass));
    w.add_count(qtype);
    auto tn = type_name(qtype);
    if (tn.empty()) w.add(fmt::format("TYPE{}", qtype));
    else w.add(tn);
  } else {
    for (int i = 0; i < 5; ++i) w.add_null();
  }
  if (response_seen) {
    w.add_count(header.rcode());
    w.add(rcode_name(header.rcode()));
  } else {
    w.add_null();
    w.add_null();
  }
  w.add_count(header.opcode());
  w.add_bool(header.aa());
  w.add_bool(header.tc());
  w.add_bool(header.rd());
  w.add_bool(header.ra());
  fmt::memory_buffer buf;
  auto json_list = [&](auto&& each) {
    buf.clear();
    buf.push_back('[');
    for (size_t i = 0; i < answers.size(); ++i) {
      if (i) buf.push_back(',');
      each(answers[i]);
    }
    buf.push_back(']');
    w.add_json(std::string_view(buf.data(), buf.size()));
  };
  json_list([&](const Answer& a) { output::append_json_string(buf, a.text); });
  json_list([&](const Answer& a) {
    auto tn = type_name(a.type);
    if (tn.empty()) output::append_json_string(buf, fmt::format("TYPE{}", a.type));
    else output::append_json_string(buf, tn);
  });
  json_list([&](const Answer& a) { fmt::format_to(std::back_inserter(buf), "{}", a.ttl); });
  w.add_count(answer_count);
  if (response_seen) {
    w.add_count(header.nscount);
    w.add_count(header.arcount);
  } else {
    w.add_null();
    w.add_null();
  }
  w.add_bool(query_seen);
  w.add_bool(response_seen);
  add_or_null(w, anomaly);
  w.end_row();
}

}  // namespace trawl::proto::dns
