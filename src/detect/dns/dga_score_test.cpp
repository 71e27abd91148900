// The generated-name score: words and brand labels stay low, random letters and digits score high, and the
// features are what they claim to be.
#include "detect/dns/dga_score.h"

#include <random>

#include <gtest/gtest.h>

namespace trawl::detect::dns {
namespace {

double score(std::string_view label) {
  static const DgaScale scale = DgaScale::from(Config::defaults());
  return dga_score(dga_features(label), scale);
}

TEST(DgaScore, FeaturesOfALabel) {
  DgaFeatures f = dga_features("ab12cdfgh");
  EXPECT_EQ(f.length, 9u);
  EXPECT_EQ(f.consonant_run, 5);  // c d f g h
  EXPECT_NEAR(f.digit_ratio, 2.0 / 9, 1e-9);
  EXPECT_NEAR(dga_features("aaaa").entropy, 0.0, 1e-9);
  EXPECT_NEAR(dga_features("abcd").entropy, 2.0, 1e-9);
  // A common English word is far likelier under the model than the same letters shuffled.
  EXPECT_LT(dga_features("kitchen").ngram_cost + 1.0, dga_features("nhcteki").ngram_cost);
}

TEST(DgaScore, EverydayLabelsScoreLow) {
  const double threshold = Config::defaults().number("dns.dga_name_score");
  for (std::string_view label : {"akamaiedge", "cloudfront", "googleapis", "stackexchange", "windowsupdate",
                                 "facebook", "wikipedia", "microsoft", "cardencalipso", "livelife-eg",
                                 "amazonaws", "googleusercontent", "doubleclick", "scorecardresearch"})
    EXPECT_LT(score(label), threshold) << label;
}

TEST(DgaScore, RandomLabelsScoreHigh) {
  const double threshold = Config::defaults().number("dns.dga_name_score");
  // Conficker/Sality-style names from the shared captures and typical generator output.
  for (std::string_view label : {"kjwre77638dfqwieuoi", "kjwre9fqwieluoi", "xjwqkzpvtrb", "qxvbrtzmwkpl",
                                 "a7f3k9x2q1zv"})
    EXPECT_GE(score(label), threshold) << label;
  // Most random lowercase strings of 10 to 16 letters score above the threshold; few English words do.
  std::mt19937 rng(7);
  int high = 0;
  for (int i = 0; i < 200; ++i) {
    std::string s;
    for (int n = 10 + int(rng() % 7); n > 0; --n) s.push_back(char('a' + rng() % 26));
    high += score(s) >= threshold;
  }
  EXPECT_GE(high, 170);
}

}  // namespace
}  // namespace trawl::detect::dns
