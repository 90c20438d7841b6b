// Synthetic filters for measuring the Dice kernel (`nser bench dice-data`,
// tests/bench/dice_kernel_bench.cpp): random filters whose fill density
// varies per filter like real name/date encodings do, plus an optional share
// of near-duplicates of another set, which become the matches of a search.
//
// Deterministic: the same options and seed give the same bytes on every
// machine (splitmix64, no std:: distributions).
#pragma once

#include <cstddef>
#include <cstdint>

#include "linkage/dice_filter_set.h"

namespace nser::linkage {

struct DiceDataOptions {
  std::size_t count = 0;
  std::size_t bitsPerFilter = 1024;
  std::uint64_t seed = 1;
  // Each filter draws its own density uniformly from
  // [density - densitySpread, density + densitySpread], then sets each bit
  // with that probability.
  double density = 0.4;
  double densitySpread = 0.1;
  // This share of the filters (rounded to a whole number, at positions chosen
  // by the seed) are copies of a random filter of `base`, with every bit then
  // flipped with probability `noise` (0: exact duplicates).
  double similarFraction = 0.0;
  const DiceFilterSet* base = nullptr;
  double noise = 0.05;
};

// Throws DiceConfigError when a probability is outside [0, 1], the density
// range leaves [0, 1], similarFraction > 0 without a non-empty base of the
// same filter length, or bitsPerFilter is not a positive multiple of 64.
DiceFilterSet generateDiceFilters(const DiceDataOptions& options);

// How many filters generateDiceFilters makes similar to the base.
std::size_t similarFilterCount(const DiceDataOptions& options);

}  // namespace nser::linkage
