// BeaconDetector ([beacon]): c2.beacon, an internal host connecting to one external endpoint (or one domain)
// at a regular rhythm, including beacons that carry no data or are refused.
#pragma once

#include "detect/detector.h"

namespace trawl::detect::beacon {

extern const DetectorInfo kBeaconDetector;

}  // namespace trawl::detect::beacon
