// Mail abuse from smtp records (and the login ledger): accounts or internal hosts sending to unusually
// many recipients (mail.mass_mailing), and messages whose content has phishing indicators (mail.phishing).
#pragma once

#include "detect/detector.h"

namespace trawl::detect {

extern const DetectorInfo kMassMailingDetector;
extern const DetectorInfo kPhishingDetector;

}  // namespace trawl::detect
