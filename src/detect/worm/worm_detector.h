// Worms: one request pattern sent to many addresses (http.worm_pattern), and scanning that spreads from host
// to host over the same port (worm.propagation), with the chain back to the first scanner.
#pragma once

#include <string>
#include <string_view>

#include "detect/detector.h"

namespace trawl::detect::worm {

extern const DetectorInfo kWormDetector;  // [worm]: http.worm_pattern, worm.propagation

// An HTTP request target with its query values dropped and its parameter names kept, fragment removed:
// "/search?q=1" and "/search?q=7" are one pattern, "/search?q" (tests).
std::string normalise_uri(std::string_view uri);

}  // namespace trawl::detect::worm
