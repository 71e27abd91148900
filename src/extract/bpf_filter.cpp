#include "extract/bpf_filter.h"

#include <pcap/pcap.h>

#include <stdexcept>

#include <fmt/format.h>

namespace trawl::extract {

struct BpfFilter::Program {
  uint16_t linktype = 0;
  bpf_program bpf{};
  ~Program() { pcap_freecode(&bpf); }
};

namespace {
// libpcap compiles for DLT_ values; files carry LINKTYPE_ values, which differ only for raw IP.
int dlt_of(uint16_t linktype) { return linktype == capture::kLinkRaw ? DLT_RAW : linktype; }
}  // namespace

BpfFilter::BpfFilter(std::string expression) : expression_(std::move(expression)) {
  program_for(capture::kLinkEthernet);
}

BpfFilter::~BpfFilter() = default;
BpfFilter::BpfFilter(BpfFilter&&) noexcept = default;
BpfFilter& BpfFilter::operator=(BpfFilter&&) noexcept = default;

BpfFilter::Program& BpfFilter::program_for(uint16_t linktype) {
  for (auto& p : programs_)
    if (p->linktype == linktype) return *p;
  pcap_t* dead = pcap_open_dead(dlt_of(linktype), 262144);
  if (!dead) throw std::runtime_error("libpcap: cannot open a compiler handle");
  auto program = std::make_unique<Program>();
  program->linktype = linktype;
  if (pcap_compile(dead, &program->bpf, expression_.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
    std::string why = pcap_geterr(dead);
    pcap_close(dead);
    throw BpfError(fmt::format("bad capture filter (-f) '{}'{}: {}", expression_,
                                            linktype == capture::kLinkEthernet ? "" : fmt::format(" for link type {}", linktype),
                                            why));
  }
  pcap_close(dead);
  programs_.push_back(std::move(program));
  return *programs_.back();
}

bool BpfFilter::matches(const capture::RawPacket& pkt) {
  Program& p = programs_.front()->linktype == pkt.linktype ? *programs_.front() : program_for(pkt.linktype);
  pcap_pkthdr h{};
  h.caplen = pkt.caplen;
  h.len = pkt.wirelen;
  return pcap_offline_filter(&p.bpf, &h, pkt.data) != 0;
}

}  // namespace trawl::extract
