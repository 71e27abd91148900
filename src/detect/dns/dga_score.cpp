#include "detect/dns/dga_score.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "detect/dns/dga_model.inc"

namespace trawl::detect::dns {

namespace {

static_assert(kTrigramCost.size() == 27 * 27 * 27);

int symbol(char c) { return c >= 'a' && c <= 'z' ? c - 'a' + 1 : 0; }

double cost(int a, int b, int c) { return (kTrigramCost[size_t((a * 27 + b) * 27 + c)] - '0') * kTrigramCostStep; }

bool is_vowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y'; }

double ramp(double x, double low, double high) {
  if (high <= low) return x >= high ? 1.0 : 0.0;
  return std::clamp((x - low) / (high - low), 0.0, 1.0);
}

}  // namespace

DgaFeatures dga_features(std::string_view label) {
  DgaFeatures f;
  f.length = label.size();
  if (label.empty()) return f;
  double total = 0;
  int transitions = 0, a = 0, b = 0, run = 0, digits = 0;
  std::array<int, 256> counts{};
  for (char c : label) {
    counts[uint8_t(c)]++;
    bool letter = c >= 'a' && c <= 'z';
    if (c >= '0' && c <= '9') ++digits;
    run = letter && !is_vowel(c) ? run + 1 : 0;
    f.consonant_run = std::max(f.consonant_run, run);
    if (letter) {  // a letter continues (or starts) a run scored by the trigram model
      int s = symbol(c);
      total += cost(a, b, s);
      ++transitions;
      a = b;
      b = s;
    } else if (b != 0) {  // a run ends
      total += cost(a, b, 0);
      ++transitions;
      a = b = 0;
    }
  }
  if (b != 0) {
    total += cost(a, b, 0);
    ++transitions;
  }
  f.ngram_cost = transitions ? total / transitions : 0;
  double n = double(label.size());
  for (int c : counts)
    if (c) f.entropy -= c / n * std::log2(c / n);
  f.digit_ratio = digits / n;
  return f;
}

DgaScale DgaScale::from(const Config& config) {
  DgaScale s;
  s.cost_english = config.number("dns.dga_ngram_cost_words");
  s.cost_random = config.number("dns.dga_ngram_cost_random");
  s.entropy_low = config.number("dns.dga_entropy_words");
  s.entropy_high = config.number("dns.dga_entropy_random");
  s.run_low = config.number("dns.dga_consonant_run_words");
  s.run_high = config.number("dns.dga_consonant_run_random");
  s.digit_high = config.number("dns.dga_digit_ratio_random");
  s.w_ngram = config.number("dns.dga_weight_ngram");
  s.w_entropy = config.number("dns.dga_weight_entropy");
  s.w_run = config.number("dns.dga_weight_consonant_run");
  s.w_digit = config.number("dns.dga_weight_digits");
  return s;
}

double dga_score(const DgaFeatures& f, const DgaScale& s) {
  double sum = s.w_ngram + s.w_entropy + s.w_run + s.w_digit;
  if (sum <= 0) return 0;
  double score = s.w_ngram * ramp(f.ngram_cost, s.cost_english, s.cost_random) +
                 s.w_entropy * ramp(f.entropy, s.entropy_low, s.entropy_high) +
                 s.w_run * ramp(f.consonant_run, s.run_low, s.run_high) +
                 s.w_digit * ramp(f.digit_ratio, 0, s.digit_high);
  return score / sum;
}

}  // namespace trawl::detect::dns
