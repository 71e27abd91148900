#include "util/port_services.h"

#include <algorithm>
#include <array>

namespace trawl {

namespace {
struct PortService {
  uint16_t port;
  uint8_t proto;  // 6, 17, or 0 for both
  std::string_view name;
};
// Sorted by port. IANA names where one exists, Zeek's spelling where Zeek logs the service.
constexpr std::array kServices = {
    PortService{20, 6, "ftp-data"},     PortService{21, 6, "ftp"},          PortService{22, 6, "ssh"},
    PortService{23, 6, "telnet"},       PortService{25, 6, "smtp"},         PortService{53, 0, "dns"},
    PortService{67, 17, "dhcp"},        PortService{68, 17, "dhcp"},        PortService{69, 17, "tftp"},
    PortService{80, 6, "http"},         PortService{88, 0, "kerberos"},     PortService{110, 6, "pop3"},
    PortService{111, 0, "sunrpc"},      PortService{119, 6, "nntp"},        PortService{123, 17, "ntp"},
    PortService{135, 6, "dce_rpc"},     PortService{137, 17, "netbios-ns"}, PortService{138, 17, "netbios-dgm"},
    PortService{139, 6, "netbios-ssn"}, PortService{143, 6, "imap"},        PortService{161, 17, "snmp"},
    PortService{162, 17, "snmp"},       PortService{179, 6, "bgp"},         PortService{389, 0, "ldap"},
    PortService{443, 6, "https"},       PortService{445, 6, "smb"},         PortService{465, 6, "smtps"},
    PortService{500, 17, "isakmp"},     PortService{514, 17, "syslog"},     PortService{520, 17, "rip"},
    PortService{546, 17, "dhcpv6"},     PortService{547, 17, "dhcpv6"},     PortService{587, 6, "smtp"},
    PortService{636, 6, "ldaps"},       PortService{853, 6, "dns-over-tls"}, PortService{993, 6, "imaps"},
    PortService{995, 6, "pop3s"},       PortService{1433, 6, "mssql"},      PortService{1900, 17, "ssdp"},
    PortService{3306, 6, "mysql"},      PortService{3389, 6, "rdp"},        PortService{5060, 0, "sip"},
    PortService{5353, 17, "mdns"},      PortService{5355, 17, "llmnr"},     PortService{5432, 6, "postgresql"},
    PortService{5900, 6, "vnc"},        PortService{6379, 6, "redis"},      PortService{8080, 6, "http"},
};
}  // namespace

std::string_view service_for_port(uint8_t ip_proto, uint16_t port) {
  auto it = std::lower_bound(kServices.begin(), kServices.end(), port,
                             [](const PortService& s, uint16_t p) { return s.port < p; });
  for (; it != kServices.end() && it->port == port; ++it)
    if (it->proto == 0 || it->proto == ip_proto) return it->name;
  return {};
}

std::string_view guess_service(uint8_t ip_proto, uint16_t sport, uint16_t dport) {
  uint16_t lo = std::min(sport, dport), hi = std::max(sport, dport);
  auto s = service_for_port(ip_proto, lo);
  return s.empty() ? service_for_port(ip_proto, hi) : s;
}

}  // namespace trawl
