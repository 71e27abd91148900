// How machine-made a domain label looks, without a trained classifier: the letter-trigram likelihood against
// English words and common domain labels (dga_model.inc, made by make_dga_model.py from wamerican),
// character entropy, the longest consonant run and the share of digits, each scaled to 0..1 between
// a "looks human" and a "looks random" point from config [dns], and weighted into one score.
#pragma once

#include <cstddef>
#include <string_view>

#include "detect/config.h"

namespace trawl::detect::dns {

struct DgaFeatures {
  double ngram_cost = 0;  // mean -ln P(letter | two before) over the label's letter runs, in nats
  double entropy = 0;     // Shannon entropy of the label's characters, bits per character
  int consonant_run = 0;  // longest run of consonants
  double digit_ratio = 0;
  size_t length = 0;
};
DgaFeatures dga_features(std::string_view label);

struct DgaScale {
  double cost_english, cost_random;
  double entropy_low, entropy_high;
  double run_low, run_high;
  double digit_high;
  double w_ngram, w_entropy, w_run, w_digit;
  static DgaScale from(const Config& config);  // the dga_* settings of [dns]
};
// 0 (reads like words) .. 1 (reads like random characters).
double dga_score(const DgaFeatures& f, const DgaScale& scale);

}  // namespace trawl::detect::dns
