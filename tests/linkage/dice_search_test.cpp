#include "linkage/dice_search.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <tuple>
#include <vector>

#include "linkage/dice_benchmark_data.h"

namespace nser::linkage {
namespace {

// All pairs, brute force, in the documented output order.
std::vector<DiceMatch> referenceSearch(const DiceFilterSet& a, const DiceFilterSet& b, double threshold,
                                       std::size_t topK) {
  std::vector<DiceMatch> all;
  for (std::uint32_t i = 0; i < a.size(); ++i) {
    std::vector<DiceMatch> row;
    for (std::uint32_t j = 0; j < b.size(); ++j) {
      std::uint32_t inter = 0;
      for (std::size_t w = 0; w < a.wordsPerFilter(); ++w) {
        inter += static_cast<std::uint32_t>(__builtin_popcountll(a.filter(i)[w] & b.filter(j)[w]));
      }
      const double score = diceScore(inter, a.popcount(i), b.popcount(j));
      if (score >= threshold) row.push_back({i, j, score});
    }
    std::sort(row.begin(), row.end(), [](const DiceMatch& x, const DiceMatch& y) {
      return x.score != y.score ? x.score > y.score : x.b < y.b;
    });
    if (topK != 0 && row.size() > topK) row.resize(topK);
    all.insert(all.end(), row.begin(), row.end());
  }
  return all;
}

struct Sets {
  DiceFilterSet a;
  DiceFilterSet b;
};

// Varied densities (so the length filter has ranges to skip), near-duplicates
// (so a 0.8 threshold has matches) and exact duplicates within B (ties).
Sets makeSets(std::size_t bits, std::size_t countA, std::size_t countB) {
  DiceDataOptions options;
  options.bitsPerFilter = bits;
  options.count = countA;
  options.seed = bits;
  options.density = 0.35;
  options.densitySpread = 0.25;
  DiceFilterSet a = generateDiceFilters(options);
  options.count = countB;
  options.seed = bits + 1;
  options.similarFraction = 0.3;
  options.base = &a;
  options.noise = bits <= 128 ? 0.01 : 0.04;
  DiceFilterSet generated = generateDiceFilters(options);
  DiceFilterSet b(bits);
  for (std::size_t i = 0; i < generated.size(); ++i) {
    b.add(generated.filter(i));
    if (i % 17 == 0) b.add(a.filter(i % a.size()));  // exact copies: score-1 ties with the noisy ones
  }
  return {std::move(a), std::move(b)};
}

std::vector<DicePath> supportedPaths() {
  std::vector<DicePath> paths;
  for (DicePath path : {DicePath::Portable, DicePath::Avx2, DicePath::Avx512}) {
    if (dicePathSupported(path)) paths.push_back(path);
  }
  return paths;
}

using Case = std::tuple<std::size_t /*bits*/, double /*threshold*/, std::size_t /*topK*/>;

class DiceSearchAgreement : public ::testing::TestWithParam<Case> {};

// The acceptance test: every path, with and without the length filter, on one
// and several threads, gives exactly the brute-force answer.
TEST_P(DiceSearchAgreement, EveryPathAndThreadCountGivesTheBruteForceAnswer) {
  const auto [bits, threshold, topK] = GetParam();
  // B crosses a tile boundary for 1024+ bits (128 filters per 16 KiB tile),
  // A crosses several 32-row blocks.
  const Sets sets = makeSets(bits, 150, 190);
  const std::vector<DiceMatch> expected = referenceSearch(sets.a, sets.b, threshold, topK);
  if (threshold > 0.0) {
    ASSERT_FALSE(expected.empty()) << "test data must contain matches";
  }
  for (DicePath path : supportedPaths()) {
    for (unsigned threads : {1u, 3u}) {
      for (bool lengthFilter : {true, false}) {
        DiceSearchOptions options;
        options.threshold = threshold;
        options.topK = topK;
        options.threads = threads;
        options.path = path;
        options.lengthFilter = lengthFilter;
        const DiceSearchResult result = diceSearch(sets.a, sets.b, options);
        const std::string where = std::string(dicePathName(path)) + " threads=" + std::to_string(threads) +
                                  " lengthFilter=" + std::to_string(lengthFilter);
        EXPECT_EQ(result.matches, expected) << where;
        EXPECT_EQ(result.stats.path, path) << where;
        EXPECT_EQ(result.stats.threads, threads) << where;
        EXPECT_EQ(result.stats.matches, expected.size()) << where;
        EXPECT_EQ(result.stats.pairs, sets.a.size() * sets.b.size()) << where;
        EXPECT_LE(result.stats.popcountedPairs, result.stats.pairs) << where;
        if (!lengthFilter || threshold == 0.0) {
          EXPECT_EQ(result.stats.popcountedPairs, result.stats.pairs) << where;
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(LengthsThresholdsTopK, DiceSearchAgreement,
                         ::testing::Combine(::testing::Values(64, 128, 512, 1024, 2048),
                                            ::testing::Values(0.0, 0.5, 0.8, 1.0), ::testing::Values(0, 1, 3)));

TEST(DiceSearch, LengthFilterSkipsPairsThatCannotReachTheThreshold) {
  const Sets sets = makeSets(1024, 150, 190);
  DiceSearchOptions options;
  options.threshold = 0.8;
  const DiceSearchResult result = diceSearch(sets.a, sets.b, options);
  // Densities 0.10..0.60 are spread widely: most pairs are out of range.
  EXPECT_LT(result.stats.popcountedPairs, result.stats.pairs / 2);
  EXPECT_GT(result.stats.popcountedPairs, 0u);
}

TEST(DiceSearch, ScoreExactlyAtTheThresholdIsReported) {
  // |a| = |b| = 10, |a ∩ b| = 8: Dice is exactly the double 0.8.
  DiceFilterSet a(64), b(64);
  a.add(std::vector<std::uint64_t>{0x3ff});
  b.add(std::vector<std::uint64_t>{0xcff});
  DiceSearchOptions options;
  options.threshold = 0.8;
  const DiceSearchResult result = diceSearch(a, b, options);
  ASSERT_EQ(result.matches.size(), 1u);
  EXPECT_EQ(result.matches[0].score, 0.8);
  options.threshold = std::nextafter(0.8, 1.0);
  EXPECT_TRUE(diceSearch(a, b, options).matches.empty());
}

TEST(DiceSearch, TopKTiesGoToTheLowerBIndex) {
  DiceFilterSet a(128), b(128);
  a.add(std::vector<std::uint64_t>{0xff, 0xff});
  b.add(std::vector<std::uint64_t>{0xf0, 0});     // weaker
  for (int copy = 0; copy < 3; ++copy) b.add(std::vector<std::uint64_t>{0xff, 0xff});
  DiceSearchOptions options;
  options.topK = 2;
  options.threads = 2;
  const DiceSearchResult result = diceSearch(a, b, options);
  ASSERT_EQ(result.matches.size(), 2u);
  EXPECT_EQ(result.matches[0], (DiceMatch{0, 1, 1.0}));
  EXPECT_EQ(result.matches[1], (DiceMatch{0, 2, 1.0}));
}

TEST(DiceSearch, CountOnlyCountsWithoutKeeping) {
  const Sets sets = makeSets(1024, 64, 80);
  DiceSearchOptions options;
  options.threshold = 0.8;
  const std::size_t expected = referenceSearch(sets.a, sets.b, 0.8, 0).size();
  options.countOnly = true;
  for (std::size_t topK : {0u, 1u}) {
    options.topK = topK;
    const DiceSearchResult result = diceSearch(sets.a, sets.b, options);
    EXPECT_TRUE(result.matches.empty());
    EXPECT_EQ(result.stats.matches, topK == 0 ? expected : referenceSearch(sets.a, sets.b, 0.8, 1).size());
  }
}

TEST(DiceSearch, EmptyFiltersAndEmptySets) {
  DiceFilterSet a(64), b(64), none(64);
  a.add(std::vector<std::uint64_t>{0});
  b.add(std::vector<std::uint64_t>{0});
  DiceSearchOptions options;
  const DiceSearchResult zero = diceSearch(a, b, options);
  ASSERT_EQ(zero.matches.size(), 1u) << "threshold 0 reports even the 0-score pair";
  EXPECT_EQ(zero.matches[0].score, 0.0);
  options.threshold = 0.1;
  EXPECT_TRUE(diceSearch(a, b, options).matches.empty());
  EXPECT_TRUE(diceSearch(none, b, options).matches.empty());
  EXPECT_EQ(diceSearch(a, none, options).stats.pairs, 0u);
}

TEST(DiceSearch, RejectsBadOptions) {
  DiceFilterSet a(64), b(128);
  EXPECT_THROW(diceSearch(a, b, {}), DiceConfigError);
  DiceSearchOptions options;
  for (double bad : {-0.1, 1.5, std::numeric_limits<double>::quiet_NaN()}) {
    options.threshold = bad;
    EXPECT_THROW(diceSearch(a, a, options), DiceConfigError) << bad;
  }
  options = {};
  options.threads = 0;
  EXPECT_THROW(diceSearch(a, a, options), DiceConfigError);
  if (!dicePathSupported(DicePath::Avx512)) {
    options = {};
    options.path = DicePath::Avx512;
    EXPECT_THROW(diceSearch(a, a, options), DiceConfigError);
  }
}

}  // namespace
}  // namespace nser::linkage
