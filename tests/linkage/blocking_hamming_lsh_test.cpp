#include "linkage/blocking_hamming_lsh.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <set>

#include "tests/linkage/blocking_test_records.h"

namespace nser::linkage {
namespace {

using blocking_test::flipBits;
using blocking_test::randomFilter;

bool shareBand(const HammingLsh& lsh, const FilterWords& a, const FilterWords& b) {
  std::vector<std::uint64_t> ka, kb;
  lsh.appendBandKeys(a, 1, ka);
  lsh.appendBandKeys(b, 1, kb);
  for (std::size_t t = 0; t < ka.size(); ++t) {
    if (ka[t] == kb[t]) return true;
  }
  return false;
}

TEST(HammingLsh, PositionsAreDeterministicDistinctAndSeedDependent) {
  HammingLsh a({8, 20, 42}, 1024), b({8, 20, 42}, 1024), c({8, 20, 43}, 1024);
  bool anyDifferent = false;
  for (std::uint32_t t = 0; t < 8; ++t) {
    auto pa = a.positions(t);
    ASSERT_EQ(pa.size(), 20u);
    EXPECT_TRUE(std::equal(pa.begin(), pa.end(), b.positions(t).begin()));
    std::set<std::uint32_t> distinct(pa.begin(), pa.end());
    EXPECT_EQ(distinct.size(), 20u);
    EXPECT_TRUE(std::is_sorted(pa.begin(), pa.end()));
    EXPECT_LT(pa.back(), 1024u);
    anyDifferent = anyDifferent || !std::equal(pa.begin(), pa.end(), c.positions(t).begin());
  }
  EXPECT_TRUE(anyDifferent);
  EXPECT_FALSE(std::equal(a.positions(0).begin(), a.positions(0).end(), a.positions(1).begin()))
      << "tables sample different bits";
}

TEST(HammingLsh, SamplePacksTheChosenBits) {
  std::mt19937_64 rng(1);
  HammingLsh lsh({4, 64, 9}, 256);
  auto filter = randomFilter(256, 0.5, rng);
  for (std::uint32_t t = 0; t < 4; ++t) {
    std::uint64_t expected = 0;
    auto positions = lsh.positions(t);
    for (std::size_t j = 0; j < positions.size(); ++j) {
      if ((filter[positions[j] / 64] >> (positions[j] % 64)) & 1) expected |= std::uint64_t{1} << j;
    }
    EXPECT_EQ(lsh.sample(filter, t), expected);
  }
}

TEST(HammingLsh, RejectsImpossibleSettingsAndWrongLengthFilters) {
  EXPECT_THROW(HammingLsh({4, 20, 1}, 1000), BlockingConfigError);
  EXPECT_THROW(HammingLsh({4, 20, 1}, 0), BlockingConfigError);
  EXPECT_THROW(HammingLsh({0, 20, 1}, 1024), BlockingConfigError);
  EXPECT_THROW(HammingLsh({4, 65, 1}, 1024), BlockingConfigError);
  HammingLsh lsh({4, 20, 1}, 1024);
  std::vector<std::uint64_t> keys;
  EXPECT_FALSE(lsh.appendBandKeys(FilterWords(8, 0), 1, keys));
  EXPECT_FALSE(lsh.appendBandKeys(FilterWords{}, 1, keys));
  EXPECT_TRUE(keys.empty());
  EXPECT_TRUE(lsh.appendBandKeys(FilterWords(16, 0), 1, keys));
  EXPECT_EQ(keys.size(), 4u);
  EXPECT_EQ(std::set<std::uint64_t>(keys.begin(), keys.end()).size(), 4u) << "tables never share keys";
}

TEST(HammingLsh, FindsNearDuplicatesAndRarelyPairsRandomFilters) {
  std::mt19937_64 rng(20240601);
  HammingLsh lsh({16, 24, 5}, 1024);
  std::vector<FilterWords> originals;
  for (int i = 0; i < 200; ++i) originals.push_back(randomFilter(1024, 0.5, rng));

  int nearFound = 0;
  for (const auto& original : originals) nearFound += shareBand(lsh, original, flipBits(original, 50, rng));
  // Theory: 1 - (1 - (1 - 50/1024)^24)^16 = 0.997 per pair.
  EXPECT_GE(nearFound, 194) << "near-duplicates (Hamming 50 of 1024) share a band";

  int randomPaired = 0;
  for (std::size_t i = 0; i < originals.size(); ++i) {
    for (std::size_t j = i + 1; j < originals.size(); ++j) randomPaired += shareBand(lsh, originals[i], originals[j]);
  }
  // Theory: 16 * 2^-24 per pair, 0.02 expected among 19,900 pairs.
  EXPECT_LE(randomPaired, 2) << "unrelated filters almost never collide";
}

TEST(HammingLsh, PerTableCollisionRateMatchesTheory) {
  std::mt19937_64 rng(77);
  const std::uint32_t tables = 16, bits = 24;
  HammingLsh lsh({tables, bits, 11}, 1024);
  const std::size_t distance = 150;
  int collisions = 0, trials = 0;
  for (int i = 0; i < 500; ++i) {
    auto a = randomFilter(1024, 0.5, rng);
    auto b = flipBits(a, distance, rng);
    for (std::uint32_t t = 0; t < tables; ++t, ++trials) collisions += lsh.sample(a, t) == lsh.sample(b, t);
  }
  const double expected = std::pow(1.0 - static_cast<double>(distance) / 1024.0, bits);  // 0.0223
  const double observed = static_cast<double>(collisions) / trials;
  // 8000 trials: standard error ~0.0017, so +-0.007 is about 4 sigma.
  EXPECT_NEAR(observed, expected, 0.007);
}

}  // namespace
}  // namespace nser::linkage
