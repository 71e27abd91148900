// The robust spread behind the beacon score, on samples worked out by hand.
#include "detect/beacon/interval_stats.h"

#include <gtest/gtest.h>

namespace trawl::detect::beacon {
namespace {

TEST(Spread, SymmetricSampleWithAnOutlier) {
  std::vector<double> v{4, 100, 2, 3, 1};
  Spread s = spread(v);
  EXPECT_DOUBLE_EQ(s.median, 3);
  EXPECT_DOUBLE_EQ(s.q1, 2);
  EXPECT_DOUBLE_EQ(s.q3, 4);
  EXPECT_DOUBLE_EQ(s.bowley_skew, 0);  // the outlier moves neither quartile
  EXPECT_DOUBLE_EQ(s.mad, 1);          // |x - 3| = 1 0 1 2 97
}

TEST(Spread, SkewedSample) {
  std::vector<double> v{1, 1, 1, 2, 10};
  Spread s = spread(v);
  EXPECT_DOUBLE_EQ(s.median, 1);
  EXPECT_DOUBLE_EQ(s.q3, 2);
  EXPECT_DOUBLE_EQ(s.bowley_skew, 1);  // (2 + 1 - 2) / (2 - 1)
  EXPECT_DOUBLE_EQ(s.mad, 0);
}

TEST(Spread, InterpolatesEvenSamplesAndHandlesDegenerateOnes) {
  std::vector<double> v{28, 30, 32, 30};
  Spread s = spread(v);
  EXPECT_DOUBLE_EQ(s.median, 30);
  EXPECT_DOUBLE_EQ(s.q1, 29.5);  // 28 + 0.75 * 2
  EXPECT_DOUBLE_EQ(s.q3, 30.5);
  EXPECT_DOUBLE_EQ(s.mad, 1);    // deviations 0 0 2 2
  std::vector<double> same{5, 5, 5};
  EXPECT_DOUBLE_EQ(spread(same).bowley_skew, 0);
  std::vector<double> none;
  EXPECT_DOUBLE_EQ(spread(none).median, 0);
}

}  // namespace
}  // namespace trawl::detect::beacon
