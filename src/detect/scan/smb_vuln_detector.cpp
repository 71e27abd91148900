// scan.smb_vuln: the probes of nmap's smb-vuln-* scripts (and of other scanners doing the same checks) as
// the SMB analyzer records them: notes it sets on the probe messages, and the RPC interfaces and pipes only
// those checks use.
#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "detect/scan/scan_detector.h"
#include "detect/scan/scan_text.h"

namespace trawl::detect::scan {

namespace {

// The checks, in the order evidence lists them.
constexpr std::string_view kChecks[] = {"ms08-067", "cve-2009-3103", "ms06-025", "ms07-029", "ms17-010", "doublepulsar"};

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// Which checks one smb record belongs to (a bit per kChecks entry), and which say the server is vulnerable.
struct Finding {
  uint32_t checks = 0, vulnerable = 0;
};
Finding classify(const RecordView& r) {
  Finding f;
  auto set = [&](size_t i) { f.checks |= 1u << i; };
  for (std::string_view note : r.strings("notes")) {
    if (note == "ms08-067-path") set(0);  // NetPathCompare / NetPathCanonicalize with a "\..\" path
    if (note == "cve-2009-3103") set(1);  // negotiate with Process ID High and "SMB 2.002"
    if (note == "ms17-010-check") set(4);  // PeekNamedPipe on FID 0 in IPC$
    if (note == "ms17-010-vulnerable") set(4), f.vulnerable |= 1u << 4;
    if (note == "doublepulsar-check") set(5);  // TRANS2 SESSION_SETUP
    if (note == "doublepulsar-present") set(5), f.vulnerable |= 1u << 5;
  }
  std::string_view pipe = r.str("pipe"), iface = r.str("rpc_interface");
  // MS06-025 reaches RASRPC over \ROUTER, or over \SRVSVC on XP; MS07-029 the DNS server's RPC over \DNSSERVER.
  if (iequals(pipe, "router") || iface == "rasrpc") set(2);
  if (iequals(pipe, "dnsserver") || iface == "dnsserver") set(3);
  return f;
}

class SmbVulnDetector final : public Detector {
 public:
  explicit SmbVulnDetector(const DetectContext& context)
      : min_checks_(context.config.integer("smb_vuln.min_checks")) {}

  void on_record(std::string_view, const RecordView& r) override {
    Finding f = classify(r);
    if (!f.checks) return;
    auto src = r.src_ip(), dst = r.dst_ip();
    if (!src || !dst) return;
    Pair& p = pairs_[{*src, *dst}];
    double ts = r.ts();
    if (p.count == 0 || ts < p.ts_first) p.ts_first = ts;
    if (p.count == 0 || ts > p.ts_last) p.ts_last = ts;
    ++p.count;
    p.checks |= f.checks;
    p.vulnerable |= f.vulnerable;
    p.ports.insert(r.dport());
    for (size_t i = 0; i < std::size(kChecks); ++i)
      if (f.checks & (1u << i)) p.frames[i].emplace(ts, std::string(r.file()), r.frame());
  }

  void finish(std::vector<Alert>& out) override {
    for (const auto& [key, p] : pairs_) {
      std::vector<std::string_view> checks, vulnerable;
      for (size_t i = 0; i < std::size(kChecks); ++i) {
        if (p.checks & (1u << i)) checks.push_back(kChecks[i]);
        if (p.vulnerable & (1u << i)) vulnerable.push_back(kChecks[i]);
      }
      if (int64_t(checks.size()) < min_checks_) continue;
      Alert a;
      a.type = "scan.smb_vuln";
      a.severity = vulnerable.empty() ? Severity::kHigh : Severity::kCritical;
      a.src = key.first.str();
      a.dst = key.second.str();
      if (p.ports.size() == 1) a.dst_port = *p.ports.begin();
      a.proto = "smb";
      a.ts_first = p.ts_first;
      a.ts_last = p.ts_last;
      a.count = p.count;
      a.evidence["checks"] = checks;
      a.evidence["vulnerable"] = vulnerable;
      a.evidence["probe_records"] = p.count;
      // Each check's first messages, so every check has its frames even when one is long.
      for (size_t round = 0; round < 50 && a.frames.size() < FrameSet::kMax; ++round) {
        bool any = false;
        for (const auto& frames : p.frames) {
          if (round >= frames.size()) continue;
          auto it = std::next(frames.begin(), ptrdiff_t(round));
          a.frames.add(std::get<1>(*it), std::get<2>(*it));
          any = true;
        }
        if (!any) break;
      }
      std::string list;
      for (size_t i = 0; i < checks.size(); ++i) list += fmt::format("{}{}", i ? ", " : "", checks[i]);
      a.summary = fmt::format("{} probed {} for SMB vulnerabilities ({}) {}", a.src, *a.dst, list,
                              duration_text(p.ts_last - p.ts_first));
      std::string confirmed;
      for (std::string_view v : vulnerable)
        confirmed += fmt::format("{}{}", confirmed.empty() ? "" : ", ",
                                 v == "doublepulsar" ? std::string("the DoublePulsar backdoor is installed")
                                                     : fmt::format("{} is unpatched", v));
      a.summary += confirmed.empty() ? "." : fmt::format("; its answers show {}.", confirmed);
      a.mitre = {"T1210", "T1595.002"};
      out.push_back(std::move(a));
    }
  }

 private:
  struct Pair {
    uint64_t count = 0;
    double ts_first = 0, ts_last = 0;
    uint32_t checks = 0, vulnerable = 0;
    std::set<uint16_t> ports;
    std::set<std::tuple<double, std::string, uint64_t>> frames[std::size(kChecks)];
  };
  int64_t min_checks_;
  std::map<std::pair<IpAddress, IpAddress>, Pair> pairs_;
};

constexpr std::string_view kSmbInputs[] = {"smb"};
constexpr std::string_view kSmbTypes[] = {"scan.smb_vuln"};

}  // namespace

const DetectorInfo kSmbVulnDetector{
    "smb_vuln", kSmbInputs, kSmbTypes,
    "SMB vulnerability probing, one alert per (source, server), from smb.jsonl: ms08-067 (srvsvc\n"
    "NetPathCompare / NetPathCanonicalize with a path climbing with \"\\..\\\", note ms08-067-path),\n"
    "cve-2009-3103 (negotiate with Process ID High and the \"SMB 2.002\" dialect), ms06-025 (the \\ROUTER pipe or\n"
    "the RASRPC interface), ms07-029 (the \\DNSSERVER pipe or the DNSSERVER interface), ms17-010 (PeekNamedPipe\n"
    "on FID 0 in IPC$) and the DoublePulsar check (TRANS2 SESSION_SETUP). evidence.checks lists them and\n"
    "evidence.vulnerable the ones the server's answers confirm (STATUS_INSUFF_SERVER_RESOURCES to the MS17-010\n"
    "probe, multiplex id 0x51 for DoublePulsar): then the severity is critical.",
    [](const DetectContext& c) -> std::unique_ptr<Detector> { return std::make_unique<SmbVulnDetector>(c); }, 8};

}  // namespace trawl::detect::scan
