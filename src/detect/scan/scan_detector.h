// Scans: ARP and ICMP sweeps, TCP port scans told apart by the flags the scanner sends (connect, SYN, FIN,
// NULL, XMAS, ACK), UDP port scans, and SMB vulnerability probing.
//
// One alert per scanning source and scan type (not per target): `dst` is set when the scan hit a single
// host, `dst_port` when it hit a single port, and evidence.shape says vertical (many ports of one host),
// horizontal (one port of many hosts) or both. SMB vulnerability probing is one alert per (source, server).
#pragma once

#include "detect/detector.h"

namespace trawl::detect::scan {

extern const DetectorInfo kScanDetector;     // [scan]: scan.arp_sweep, scan.icmp_sweep, scan.tcp_*, scan.udp
extern const DetectorInfo kSmbVulnDetector;  // [smb_vuln]: scan.smb_vuln

}  // namespace trawl::detect::scan
