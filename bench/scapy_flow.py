#!/usr/bin/python3
"""The seed article's method, as a benchmark peer: read a pcap with scapy and write flow.txt.

One line per IP or ARP packet: time, src, dst, sport, dport, proto, length (the columns of
`trawl packets --format text`, which adds the application protocol, file and frame). Like trawl, ICMP
shows its type and code in the port columns and ARP its sender and target addresses; ports are "-" when
the transport has none; other packets are skipped. Uses Debian's python3-scapy (run with /usr/bin/python3, not a virtualenv's python).

    scapy_flow.py CAPTURE [OUTPUT]      (OUTPUT defaults to stdout)
"""
import sys

from scapy.all import ARP, ICMP, IP, IPv6, TCP, UDP, PcapReader

PROTO_NAMES = {1: "icmp", 6: "tcp", 17: "udp", 58: "icmp6", 47: "gre", 132: "sctp"}


def main() -> int:
    if len(sys.argv) not in (2, 3):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    out = open(sys.argv[2], "w") if len(sys.argv) == 3 else sys.stdout
    count = 0
    with PcapReader(sys.argv[1]) as reader:
        for pkt in reader:
            if ARP in pkt:
                arp = pkt[ARP]
                out.write(f"{float(pkt.time):.6f} {arp.psrc:<15} {arp.pdst:<15} {'-':>5} {'-':>5} "
                          f"{'arp':<6} {len(pkt)}\n")
                count += 1
                continue
            if IP in pkt:
                ip = pkt[IP]
                proto = ip.proto
            elif IPv6 in pkt:
                ip = pkt[IPv6]
                proto = ip.nh
            else:
                continue
            sport = dport = "-"
            if TCP in pkt:
                sport, dport = pkt[TCP].sport, pkt[TCP].dport
                proto = 6
            elif UDP in pkt:
                sport, dport = pkt[UDP].sport, pkt[UDP].dport
                proto = 17
            elif ICMP in pkt:
                sport, dport = pkt[ICMP].type, pkt[ICMP].code
            elif proto == 58 and ip.payload:
                # scapy gives each ICMPv6 message its own class; all start with type and code fields.
                sport, dport = getattr(ip.payload, "type", "-"), getattr(ip.payload, "code", "-")
            out.write(f"{float(pkt.time):.6f} {ip.src:<15} {ip.dst:<15} {sport:>5} {dport:>5} "
                      f"{PROTO_NAMES.get(proto, str(proto)):<6} {len(pkt)}\n")
            count += 1
    if out is not sys.stdout:
        out.close()
    print(f"scapy_flow: {count} packets written", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
