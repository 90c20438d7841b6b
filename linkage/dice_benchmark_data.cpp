#include "linkage/dice_benchmark_data.h"

#include <cmath>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "linkage/dice_kernel.h"

namespace nser::linkage {

namespace {

class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, 1) with 53 bits.
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  // Uniform in [0, bound) (bound > 0); the modulo bias is irrelevant here.
  std::uint64_t below(std::uint64_t bound) { return next() % bound; }

 private:
  std::uint64_t state_;
};

void requireProbability(double value, const char* name) {
  if (!(value >= 0.0 && value <= 1.0)) {
    throw DiceConfigError(std::string("Dice data: ") + name + " must be within [0, 1], got " + std::to_string(value));
  }
}

// Sets (or, for flips, selects) each bit with probability p.
void randomBits(SplitMix64& rng, double p, std::vector<std::uint64_t>& words) {
  for (std::uint64_t& word : words) {
    std::uint64_t bits = 0;
    for (int bit = 0; bit < 64; ++bit) {
      if (rng.unit() < p) bits |= std::uint64_t{1} << bit;
    }
    word = bits;
  }
}

}  // namespace

std::size_t similarFilterCount(const DiceDataOptions& options) {
  return static_cast<std::size_t>(std::llround(options.similarFraction * static_cast<double>(options.count)));
}

DiceFilterSet generateDiceFilters(const DiceDataOptions& options) {
  DiceFilterSet set(options.bitsPerFilter);
  requireProbability(options.density, "density");
  requireProbability(options.similarFraction, "similar fraction");
  requireProbability(options.noise, "noise");
  if (!(options.densitySpread >= 0.0) || options.density - options.densitySpread < 0.0 ||
      options.density + options.densitySpread > 1.0) {
    throw DiceConfigError("Dice data: density +/- spread must stay within [0, 1]");
  }
  const std::size_t similar = similarFilterCount(options);
  if (similar > 0 && (options.base == nullptr || options.base->empty() ||
                      options.base->bitsPerFilter() != options.bitsPerFilter)) {
    throw DiceConfigError("Dice data: a similar fraction needs a non-empty base set of " +
                          std::to_string(options.bitsPerFilter) + "-bit filters");
  }
  SplitMix64 rng(options.seed);
  // Which positions are near-duplicates: a seeded shuffle, first `similar` win.
  std::vector<std::size_t> order(options.count);
  std::iota(order.begin(), order.end(), std::size_t{0});
  for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
  std::vector<bool> isSimilar(options.count, false);
  for (std::size_t i = 0; i < similar; ++i) isSimilar[order[i]] = true;

  set.reserve(options.count);
  std::vector<std::uint64_t> filter(set.wordsPerFilter());
  std::vector<std::uint64_t> flips(set.wordsPerFilter());
  for (std::size_t i = 0; i < options.count; ++i) {
    if (isSimilar[i]) {
      const auto source = options.base->filter(rng.below(options.base->size()));
      randomBits(rng, options.noise, flips);
      for (std::size_t w = 0; w < filter.size(); ++w) filter[w] = source[w] ^ flips[w];
    } else {
      const double density = options.density + options.densitySpread * (2.0 * rng.unit() - 1.0);
      randomBits(rng, density, filter);
    }
    set.add(filter);
  }
  return set;
}

}  // namespace nser::linkage
