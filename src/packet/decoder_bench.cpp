// Decode speed: reads a capture into memory with libpcap, then decodes every packet ROUNDS times.
#include <pcap/pcap.h>

#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "packet/decoder.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s FILE [ROUNDS]\n", argv[0]);
    return 1;
  }
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 20;
  char err[PCAP_ERRBUF_SIZE];
  pcap_t* pc = pcap_open_offline(argv[1], err);
  if (!pc) {
    std::fprintf(stderr, "%s\n", err);
    return 1;
  }
  std::vector<uint8_t> bytes;
  std::vector<trawl::capture::RawPacket> pkts;
  std::vector<size_t> offsets;
  pcap_pkthdr* hdr;
  const u_char* data;
  const uint16_t lt = uint16_t(pcap_datalink(pc));
  while (pcap_next_ex(pc, &hdr, &data) == 1) {
    trawl::capture::RawPacket p;
    p.ts_ns = int64_t(hdr->ts.tv_sec) * 1'000'000'000 + int64_t(hdr->ts.tv_usec) * 1000;
    p.caplen = hdr->caplen;
    p.wirelen = hdr->len;
    p.linktype = lt;
    p.frame = pkts.size() + 1;
    offsets.push_back(bytes.size());
    bytes.insert(bytes.end(), data, data + hdr->caplen);
    pkts.push_back(p);
  }
  pcap_close(pc);
  for (size_t i = 0; i < pkts.size(); ++i) pkts[i].data = bytes.data() + offsets[i];

  trawl::packet::Decoder dec;
  trawl::packet::PacketView v;
  uint64_t sink = 0;
  // CPU time as well as wall time: on a shared machine the wall clock includes time spent descheduled.
  auto cpu_now = [] {
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e9 + double(ts.tv_nsec);
  };
  const double c0 = cpu_now();
  auto t0 = std::chrono::steady_clock::now();
  for (int r = 0; r < rounds; ++r)
    for (const auto& p : pkts) {
      dec.decode(p, v);
      sink += v.sport + v.payload_len;
    }
  auto t1 = std::chrono::steady_clock::now();
  const double cpu = cpu_now() - c0;
  const double ns = std::chrono::duration<double, std::nano>(t1 - t0).count();
  const double n = double(pkts.size()) * rounds;
  std::printf("%zu packets x %d rounds: %.1f ns/packet CPU, %.1f ns/packet wall (sink %llu)\n", pkts.size(),
              rounds, cpu / n, ns / n, (unsigned long long)sink);
  return 0;
}
