// IocDetector ([ioc]): ioc.match, contact with an address, network, domain, URL or TLS fingerprint from the
// user's indicator file (ioc.file; the --ioc FILE option sets it).
#pragma once

#include "detect/detector.h"

namespace trawl::detect::beacon {

extern const DetectorInfo kIocDetector;

}  // namespace trawl::detect::beacon
