// Golden tests: the decoder's view of every frame of real captures against tshark's dissection.
//
// tshark prints every occurrence of a field (-E occurrence=a). The rules that map its lists onto one
// PacketView, i.e. where trawl deliberately differs from a flat list of layers:
//  - Tunnels (GRE, ERSPAN, VXLAN, IP-in-IP): tshark lists outer then inner addresses; the view holds the
//    innermost as src/dst and the outermost as tunnel_src/tunnel_dst.
//  - ICMP errors: tshark dissects the quoted datagram as if it were a packet, so its addresses come last
//    in ip.src and its ports appear as tcp/udp ports of the frame. trawl keeps them apart in view.quoted
//    and the frame itself has no ports.
//  - Fragments: tshark reassembles by default; the frame completing a datagram carries the transport
//    fields, and so does the view (ip_reassembled). Earlier fragments: addresses only.
//  - tcp.len is the payload length the IP header announces (clipped to the frame's wire length, as both
//    tools do when the IP length lies): compared with payload_wire_len.
//  - An IP header cut short or with impossible length fields: tshark shows whichever address fields fit
//    or none; trawl keeps both addresses when the 20/40 fixed bytes are there (to attribute the
//    malformed packet) and none otherwise. Either way neither shows a transport header.
//  - A first fragment cut by the snaplen can never be reassembled; tshark then dissects its transport
//    header as if unfragmented, trawl leaves it an unreassembled fragment (no ports).
//  - A TCP header cut short: tshark shows the ports that fit; trawl marks it tcp_truncated without a
//    transport header, since a TCP view with no flags would read as a NULL scan. (UDP keeps its ports.)
#include <gtest/gtest.h>
#include <pcap/pcap.h>

#include <sstream>
#include <string>
#include <vector>

#include "packet/decoder.h"
#include "support/testing.h"

namespace trawl::packet {
namespace {

using trawl::testing::have_tool;
using trawl::testing::run;
using trawl::testing::shared_pcap;
using trawl::testing::shell_quote;

using trawl::testing::split;

const char* kFields[] = {"frame.number", "ip.src",       "ip.dst",        "ipv6.src",    "ipv6.dst",
                         "tcp.srcport",  "tcp.dstport",  "udp.srcport",   "udp.dstport", "tcp.flags",
                         "tcp.seq_raw",  "tcp.len",      "icmp.type",     "icmpv6.type", "arp.opcode",
                         "arp.src.proto_ipv4", "vlan.id", "icmp.ident"};
enum Col { kFrame, kIpSrc, kIpDst, kIp6Src, kIp6Dst, kTcpSport, kTcpDport, kUdpSport, kUdpDport, kTcpFlags,
           kTcpSeq, kTcpLen, kIcmpType, kIcmp6Type, kArpOp, kArpSrc, kVlanId, kIcmpIdent, kNumCols };

struct Frame {
  std::vector<std::string> cols[kNumCols];  // each field's occurrences
};

std::vector<Frame> tshark_frames(const std::string& file) {
  std::string cmd = "tshark -n -r " + shell_quote(file) + " -T fields -E occurrence=a -E aggregator=, ";
  for (const char* f : kFields) cmd += std::string(" -e ") + f;
  auto r = run(cmd);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<Frame> frames;
  std::istringstream in(r.out);
  std::string line;
  while (std::getline(in, line)) {
    auto cols = split(line, '\t');
    Frame f;
    for (size_t i = 0; i < kNumCols && i < cols.size(); ++i)
      if (!cols[i].empty()) f.cols[i] = split(cols[i], ',');
    frames.push_back(std::move(f));
  }
  return frames;
}

std::string last(const std::vector<std::string>& v) { return v.empty() ? "" : v.back(); }
std::string first(const std::vector<std::string>& v) { return v.empty() ? "" : v.front(); }
std::string num(uint64_t n) { return std::to_string(n); }

// Compares one frame; appends a description of each disagreement to errs.
void compare(const Frame& t, const PacketView& v, std::vector<std::string>& errs) {
  const std::string fno = first(t.cols[kFrame]);
  auto check = [&](const char* what, const std::string& want, const std::string& got) {
    if (want != got) errs.push_back("frame " + fno + " " + what + ": tshark '" + want + "' trawl '" + got + "'");
  };
  const bool v6 = v.l3 == L3::kIpv6;
  const auto& srcs = t.cols[v6 ? kIp6Src : kIpSrc];
  const auto& dsts = t.cols[v6 ? kIp6Dst : kIpDst];
  const bool bad_ip_header = v.malformed == Malformed::kIpv4Truncated || v.malformed == Malformed::kIpv6Truncated ||
                             v.malformed == Malformed::kIpv4BadHeaderLength ||
                             v.malformed == Malformed::kIpv4BadTotalLength;
  if (bad_ip_header) {
    // Addresses: see the header comment. Only the absence of a transport header is compared below.
  } else if (v.is_ip()) {
    size_t back = v.quoted.present ? 2 : 1;
    check("src", srcs.size() >= back ? srcs[srcs.size() - back] : "", v.src.str());
    check("dst", dsts.size() >= back ? dsts[dsts.size() - back] : "", v.dst.str());
    if (v.quoted.present) {
      check("quoted src", last(srcs), v.quoted.src.str());
      check("quoted dst", last(dsts), v.quoted.dst.str());
    }
  } else if (v.tunnel_depth == 0) {
    check("ip.src (none expected)", first(t.cols[kIpSrc]) + first(t.cols[kIp6Src]), "");
  }
  if (v.tunnel_depth) {
    const auto& outer = t.cols[v.tunnel_src.is_v6() ? kIp6Src : kIpSrc];
    check("tunnel src", first(outer), v.tunnel_src.str());
  }

  const bool cut_fragment = v.ip_fragment && v.frame_ip_len > v.caplen - v.l3_offset;
  const bool cut_tcp = v.malformed == Malformed::kTcpTruncated && !v.l4_offset;
  if (cut_fragment || cut_tcp) return;  // see the header comment
  // Ports: the frame's own, or the quoted datagram's for ICMP errors.
  uint16_t sport = v.sport, dport = v.dport;
  uint8_t proto = v.is_tcp() ? kProtoTcp : v.is_udp() ? kProtoUdp : 0;
  if (v.is_icmp() && v.quoted.present && (v.quoted.sport || v.quoted.dport)) {
    proto = v.quoted.ip_proto;
    sport = v.quoted.sport;
    dport = v.quoted.dport;
  }
  check("tcp.srcport", last(t.cols[kTcpSport]), proto == kProtoTcp ? num(sport) : "");
  check("tcp.dstport", last(t.cols[kTcpDport]), proto == kProtoTcp ? num(dport) : "");
  check("udp.srcport", last(t.cols[kUdpSport]), proto == kProtoUdp ? num(sport) : "");
  check("udp.dstport", last(t.cols[kUdpDport]), proto == kProtoUdp ? num(dport) : "");
  if (v.is_tcp()) {
    const std::string flags = last(t.cols[kTcpFlags]);
    check("tcp.flags", flags.empty() ? "" : num(std::stoul(flags, nullptr, 16) & 0xff), num(v.tcp_flags));
    check("tcp.seq_raw", last(t.cols[kTcpSeq]), num(v.tcp_seq));
    check("tcp.len", last(t.cols[kTcpLen]), num(v.payload_wire_len));
  }
  if (v.is_icmp()) {
    check(v6 ? "icmpv6.type" : "icmp.type", first(t.cols[v6 ? kIcmp6Type : kIcmpType]), num(v.icmp_type));
    if (!v6 && (v.icmp_type == 0 || v.icmp_type == 8)) check("icmp.ident", first(t.cols[kIcmpIdent]), num(v.icmp_id));
  }
  if (v.l3 == L3::kArp) {
    check("arp.opcode", first(t.cols[kArpOp]), num(v.arp_op));
    check("arp.src.proto_ipv4", first(t.cols[kArpSrc]), v.arp_sender_ip.str());
  }
  // VLAN: trawl keys flows by the innermost of the first two tags.
  if (!t.cols[kVlanId].empty() && v.tunnel_depth == 0) {
    size_t n = std::min<size_t>(t.cols[kVlanId].size(), 2);
    check("vlan", t.cols[kVlanId][n - 1], num(v.vlan()));
  }
}

struct GoldenResult {
  size_t frames = 0;
  std::vector<std::string> errs;
  DecoderStats stats;
};

GoldenResult golden(const std::string& name) {
  GoldenResult res;
  const std::string file = shared_pcap(name);
  auto want = tshark_frames(file);
  char err[PCAP_ERRBUF_SIZE];
  pcap_t* pc = pcap_open_offline(file.c_str(), err);
  EXPECT_NE(pc, nullptr) << err;
  if (!pc) return res;
  Decoder dec;
  PacketView v;
  pcap_pkthdr* hdr;
  const u_char* data;
  while (pcap_next_ex(pc, &hdr, &data) == 1) {
    capture::RawPacket raw;
    raw.ts_ns = int64_t(hdr->ts.tv_sec) * 1'000'000'000 + int64_t(hdr->ts.tv_usec) * 1000;
    raw.caplen = hdr->caplen;
    raw.wirelen = hdr->len;
    raw.linktype = uint16_t(pcap_datalink(pc));  // DLT_ values: 12 for raw IP exercises the alias
    raw.frame = ++res.frames;
    raw.data = data;
    dec.decode(raw, v);
    if (res.frames <= want.size()) compare(want[res.frames - 1], v, res.errs);
  }
  pcap_close(pc);
  EXPECT_EQ(res.frames, want.size());
  res.stats = dec.stats();
  return res;
}

class DecoderGolden : public ::testing::TestWithParam<const char*> {};

TEST_P(DecoderGolden, MatchesTshark) {
  if (!have_tool("tshark")) GTEST_SKIP() << "tshark not installed";
  auto res = golden(GetParam());
  EXPECT_GT(res.frames, 0u);
  std::string sample;
  for (size_t i = 0; i < res.errs.size() && i < 15; ++i) sample += res.errs[i] + "\n";
  EXPECT_TRUE(res.errs.empty()) << res.errs.size() << " disagreements, first ones:\n" << sample;
}

// Every capture of the shared corpus that libpcap reads to the end. Left out: the cut-short and damaged
// files (libpcap and tshark stop at different points), the gzip one (libpcap cannot read it), and
// ndpi-fuzz-cut-short.pcap, whose link-type field carries FCS bits that the two tools interpret differently.
INSTANTIATE_TEST_SUITE_P(
    Corpus, DecoderGolden,
    ::testing::Values("chrissanders-arppoison.pcapng", "chrissanders-cryptowall4-c2.pcapng",
                      "chrissanders-dns-axfr.pcapng", "chrissanders-http-dvwa-clearlogin.pcapng",
                      "chrissanders-icmp-traceroute.pcapng", "chrissanders-mail-sender-client.pcapng",
                      "chrissanders-synscan.pcapng", "esnet-masscan-tcp.pcap", "esnet-nmap-80-all.pcap",
                      "id2t-eternalblue-scan.pcap", "id2t-sality-botnet.pcap", "ndpi-1kxun.pcap",
                      "ndpi-443-firefox.pcap", "ndpi-alexa-app.pcapng", "ndpi-badpackets.pcap",
                      "ndpi-dns-exfiltration.pcap", "ndpi-ftp-failed.pcap", "ndpi-imap-starttls.pcap",
                      "ndpi-imap.pcap", "ndpi-netflix.pcap", "ndpi-rdp-null.pcap",
                      "ndpi-smtp-starttls-vlan.pcap", "ppp-dns-packets.pcap", "ppp-example.pcap",
                      "ppp-frag-http-req.pcap", "ppp-http-packets.pcap", "ppp-ip4-fragments.pcap",
                      "ppp-many-protocols.pcap", "ppp-raw-ip.pcap", "ppp-sll.pcap", "ppp-tls.pcap",
                      "sgr-arp-scan.pcap", "sgr-icmp-scan.pcap", "sgr-udp-scan.pcap",
                      "stopddos-synflood-spoofed.pcap", "suricata-pop3-auth.pcap",
                      "suricata-smb2-psexec-add-user.pcap", "suricata-telnet.pcap",
                      "tcpdump-heapoverflow-tcp.pcap", "tcpdump-tcp-handshake-nano.pcap",
                      "tcpdump-timestamp-invalid-nano.pcap", "tcpdump-udp-length-heapoverflow.pcap",
                      "traceshare-ssh-hydra-1task.pcapng", "zeek-arp-who-has.pcap", "zeek-dns-edns-ecs.pcap",
                      "zeek-erspan.pcap", "zeek-ftp-ipv4.pcap", "zeek-ftp-ipv6.pcap",
                      "zeek-http-basic-auth-colon.pcap", "zeek-http-bro-org.pcap", "zeek-http-post.pcap",
                      "zeek-http-qinq.pcap", "zeek-ip6-trunc.pcap", "zeek-ipv4-truncated-broken-header.pcap",
                      "zeek-linux-sll2.pcap", "zeek-mixed-vlan-mpls.pcap", "zeek-nmap-vsn.pcap",
                      "zeek-pcapng-multi-interface.pcapng", "zeek-pop3.pcap",
                      "zeek-rdp-proprietary-encryption.pcap", "zeek-rdp-to-ssl.pcap", "zeek-smb-raw-ntlm.pcap",
                      "zeek-smb3-multichannel.pcap", "zeek-smb311.pcap", "zeek-smtp.pcap",
                      "zeek-ssh-curve25519.pcap", "zeek-sshguess.pcap", "zeek-tls-chrome34-google.pcap",
                      "zeek-tls-openjdk-sll2.pcap", "zeek-tls13-ech.pcap"),
    [](const auto& info) {
      std::string n = info.param;
      for (char& c : n)
        if (!isalnum(static_cast<unsigned char>(c))) c = '_';
      return n;
    });

// The reassembling captures: how many datagrams tshark rebuilds is what we rebuild.
TEST(DecoderGoldenFragments, ReassemblesWhatTsharkReassembles) {
  if (!have_tool("tshark")) GTEST_SKIP() << "tshark not installed";
  for (const char* name : {"ppp-ip4-fragments.pcap", "ppp-frag-http-req.pcap", "zeek-dns-edns-ecs.pcap"}) {
    auto r = run("tshark -n -r " + shell_quote(shared_pcap(name)) +
                 " -Y 'ip.fragment.count or ipv6.fragment.count' -T fields -e frame.number | wc -l");
    auto res = golden(name);
    EXPECT_EQ(res.stats.datagrams_reassembled, std::stoul(r.out)) << name;
    EXPECT_GT(res.stats.datagrams_reassembled, 0u) << name;
  }
}

}  // namespace
}  // namespace trawl::packet
