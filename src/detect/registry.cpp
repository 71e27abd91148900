#include "detect/beacon/beacon_detector.h"
#include "detect/beacon/ioc_detector.h"
#include "detect/bruteforce/bruteforce_detector.h"
#include "detect/detector.h"
#include "detect/dns/dns_detector.h"
#include "detect/mail/mail_detectors.h"
#include "detect/scan/scan_detector.h"
#include "detect/worm/worm_detector.h"

// One include and one row per detector; nothing registers itself.

namespace trawl::detect {

namespace {
// In the order of the story they tell: discovery, access, abuse, command and control, spread.
constexpr const DetectorInfo* kDetectors[] = {
    &scan::kScanDetector,   &scan::kSmbVulnDetector, &kBruteforceDetector,     &kMassMailingDetector,
    &kPhishingDetector,     &beacon::kBeaconDetector, &dns::kDnsDetector,      &beacon::kIocDetector,
    &worm::kWormDetector,
};
}  // namespace

std::span<const DetectorInfo* const> detectors() { return kDetectors; }

}  // namespace trawl::detect
