// Robust spread of a sample (connection gaps, connection sizes), as RITA scores beacons: the median, the
// quartiles, Bowley's quartile skewness and the median absolute deviation. Robust, so a few missed or extra
// check-ins do not hide a rhythm.
#pragma once

#include <vector>

namespace trawl::detect::beacon {

struct Spread {
  double median = 0, q1 = 0, q3 = 0;
  double bowley_skew = 0;  // (q3 + q1 - 2 median) / (q3 - q1): -1..1, 0 when symmetric or q3 == q1
  double mad = 0;          // median of |x - median|
};

// Quartiles interpolate linearly between order statistics. `values` is reordered. Empty input: all zero.
Spread spread(std::vector<double>& values);

}  // namespace trawl::detect::beacon
