#include "linkage/dice_benchmark_data.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <vector>

#include "linkage/dice_kernel.h"

namespace nser::linkage {
namespace {

TEST(DiceBenchmarkData, SameSeedSameBytesOtherSeedOtherBytes) {
  DiceDataOptions options;
  options.count = 50;
  options.seed = 9;
  const auto first = generateDiceFilters(options).toBytes();
  EXPECT_EQ(generateDiceFilters(options).toBytes(), first);
  options.seed = 10;
  EXPECT_NE(generateDiceFilters(options).toBytes(), first);
}

TEST(DiceBenchmarkData, DensityStaysWithinTheRequestedRange) {
  DiceDataOptions options;
  options.count = 400;
  options.density = 0.4;
  options.densitySpread = 0.1;
  const DiceFilterSet set = generateDiceFilters(options);
  for (std::size_t i = 0; i < set.size(); ++i) {
    // 0.3..0.5 of 1024 bits, with sampling slack of about 5 standard deviations.
    EXPECT_GE(set.popcount(i), 0.3 * 1024 - 80) << i;
    EXPECT_LE(set.popcount(i), 0.5 * 1024 + 80) << i;
  }
}

TEST(DiceBenchmarkData, ExactDuplicatesWithoutNoise) {
  DiceDataOptions options;
  options.count = 100;
  const DiceFilterSet base = generateDiceFilters(options);
  options.seed = 2;
  options.similarFraction = 0.25;
  options.base = &base;
  options.noise = 0.0;
  EXPECT_EQ(similarFilterCount(options), 25u);
  const DiceFilterSet copies = generateDiceFilters(options);
  std::set<std::vector<std::uint64_t>> baseFilters;
  for (std::size_t i = 0; i < base.size(); ++i) baseFilters.emplace(base.filter(i).begin(), base.filter(i).end());
  std::size_t found = 0;
  for (std::size_t i = 0; i < copies.size(); ++i) {
    found += baseFilters.count({copies.filter(i).begin(), copies.filter(i).end()});
  }
  EXPECT_EQ(found, 25u);
}

TEST(DiceBenchmarkData, NoisyNearDuplicatesStaySimilar) {
  DiceDataOptions options;
  options.count = 20;
  const DiceFilterSet base = generateDiceFilters(options);
  options.similarFraction = 1.0;
  options.base = &base;
  options.noise = 0.05;
  const DiceFilterSet near = generateDiceFilters(options);
  for (std::size_t i = 0; i < near.size(); ++i) {
    double best = 0.0;
    for (std::size_t j = 0; j < base.size(); ++j) best = std::max(best, dice(near.filter(i), base.filter(j)));
    EXPECT_GT(best, 0.85) << i;
    EXPECT_LT(best, 1.0) << i;
  }
}

TEST(DiceBenchmarkData, RejectsImpossibleOptions) {
  DiceDataOptions options;
  options.count = 1;
  options.density = 0.95;
  EXPECT_THROW(generateDiceFilters(options), DiceConfigError);
  options = {};
  options.count = 10;
  options.similarFraction = 0.5;
  EXPECT_THROW(generateDiceFilters(options), DiceConfigError) << "no base";
  options = {};
  options.noise = 2.0;
  EXPECT_THROW(generateDiceFilters(options), DiceConfigError);
  options = {};
  options.bitsPerFilter = 100;
  EXPECT_THROW(generateDiceFilters(options), DiceConfigError);
}

}  // namespace
}  // namespace nser::linkage
