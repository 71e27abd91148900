#include "detect/beacon/interval_stats.h"

#include <algorithm>
#include <cmath>

namespace trawl::detect::beacon {

namespace {

// The q-quantile of sorted values, interpolating between neighbours.
double quantile(const std::vector<double>& sorted, double q) {
  double pos = q * double(sorted.size() - 1);
  size_t lo = size_t(pos);
  if (lo + 1 >= sorted.size()) return sorted.back();
  return sorted[lo] + (pos - double(lo)) * (sorted[lo + 1] - sorted[lo]);
}

}  // namespace

Spread spread(std::vector<double>& values) {
  Spread s;
  if (values.empty()) return s;
  std::sort(values.begin(), values.end());
  s.median = quantile(values, 0.5);
  s.q1 = quantile(values, 0.25);
  s.q3 = quantile(values, 0.75);
  // A spread that is a rounding error of the median is no spread: skewness of noise is meaningless.
  double iqr = s.q3 - s.q1;
  if (iqr > 1e-9 * std::max(1.0, std::abs(s.median))) s.bowley_skew = (s.q3 + s.q1 - 2 * s.median) / iqr;
  for (double& v : values) v = std::abs(v - s.median);
  std::sort(values.begin(), values.end());
  s.mad = quantile(values, 0.5);
  return s;
}

}  // namespace trawl::detect::beacon
