#include "linkage/hardening.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <random>

namespace nser::linkage {
namespace {

LinkageSecret secretOf(const std::string& text) {
  return LinkageSecret::fromBytes({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()}, 1);
}

std::size_t popcount(std::span<const std::uint64_t> bits) {
  std::size_t n = 0;
  for (auto w : bits) n += static_cast<std::size_t>(std::popcount(w));
  return n;
}

std::vector<std::uint64_t> randomFilter(std::size_t words, std::uint64_t seed, double density = 0.3) {
  std::mt19937_64 rng(seed);
  std::vector<std::uint64_t> bits(words, 0);
  for (std::size_t i = 0; i < words * 64; ++i) {
    if (static_cast<double>(rng() % 1000) < density * 1000) bits[i / 64] |= std::uint64_t{1} << (i % 64);
  }
  return bits;
}

const std::string kSecret = "hardening secret of good length";

TEST(Hardening, BalancingDoublesLengthAndSetsExactlyHalf) {
  auto secret = secretOf(kSecret);
  FilterHardener hardener(secret, {.balance = true}, 1024);
  EXPECT_EQ(hardener.outputBits(), 2048u);
  for (std::uint64_t seed = 0; seed < 5; ++seed) {
    auto out = hardener.harden(randomFilter(16, seed, 0.1 + 0.15 * static_cast<double>(seed)));
    ASSERT_EQ(out.size(), 32u);
    EXPECT_EQ(popcount(out), 1024u);
  }
}

TEST(Hardening, BalancingIsAKeyedPermutation) {
  auto s1 = secretOf(kSecret);
  auto s2 = secretOf("another hardening secret value!");
  FilterHardener h1(s1, {.balance = true}, 128), h1again(s1, {.balance = true}, 128), h2(s2, {.balance = true}, 128);
  std::vector<std::uint64_t> single{1, 0};  // only bit 0 set
  EXPECT_EQ(h1.harden(single), h1again.harden(single));
  EXPECT_NE(h1.harden(single), h2.harden(single));
}

TEST(Hardening, XorFoldHalvesByXoringHalves) {
  std::vector<std::uint64_t> bits{0b1100, 0b1010, 0b0110, 0b1010};
  EXPECT_EQ(xorFold(bits), (std::vector<std::uint64_t>{0b1010, 0}));
  std::vector<std::uint64_t> odd{1, 2, 3};
  EXPECT_THROW(xorFold(odd), std::invalid_argument);
}

TEST(Hardening, Rule90XorsBothNeighboursCyclically) {
  std::vector<std::uint64_t> bits{std::uint64_t{1} << 5, 0};
  applyRule90(bits);
  EXPECT_EQ(bits[0], (std::uint64_t{1} << 4) | (std::uint64_t{1} << 6));
  EXPECT_EQ(bits[1], 0u);
  std::vector<std::uint64_t> edge{1, 0};  // bit 0: neighbours are bit 127 and bit 1
  applyRule90(edge);
  EXPECT_EQ(edge[0], 2u);
  EXPECT_EQ(edge[1], std::uint64_t{1} << 63);
  std::vector<std::uint64_t> both{std::uint64_t{1} << 63, 1};  // bits 63 and 64 across the word boundary
  applyRule90(both);
  EXPECT_EQ(both[0], (std::uint64_t{1} << 62) | (std::uint64_t{1} << 63));
  EXPECT_EQ(both[1], std::uint64_t{3});
}

TEST(Hardening, BlipFlipsAboutTheConfiguredShareDeterministically) {
  auto secret = secretOf(kSecret);
  FilterHardener hardener(secret, {.blipFlipProbability = 0.05}, 1024);
  std::size_t flipped = 0;
  const int records = 200;
  for (int r = 0; r < records; ++r) {
    auto input = randomFilter(16, static_cast<std::uint64_t>(r));
    auto out = hardener.harden(input);
    EXPECT_EQ(out, hardener.harden(input)) << "the same record gives the same encoding";
    for (std::size_t w = 0; w < 16; ++w) flipped += static_cast<std::size_t>(std::popcount(out[w] ^ input[w]));
  }
  const double share = static_cast<double>(flipped) / (records * 1024.0);
  EXPECT_NEAR(share, 0.05, 0.005);
}

TEST(Hardening, ComposesInOrderAndValidatesSettings) {
  auto secret = secretOf(kSecret);
  FilterHardener all(secret, {.balance = true, .xorFolds = 1, .rule90 = true, .blipFlipProbability = 0.01}, 1024);
  EXPECT_EQ(all.outputBits(), 1024u);
  EXPECT_EQ(all.harden(randomFilter(16, 9)).size(), 16u);
  EXPECT_THROW(FilterHardener(secret, {.xorFolds = 1}, 64), std::invalid_argument);
  EXPECT_THROW(FilterHardener(secret, {}, 100), std::invalid_argument);
  EXPECT_THROW(FilterHardener(secret, {.blipFlipProbability = 0.5}, 1024), std::invalid_argument);
  FilterHardener none(secret, {}, 1024);
  EXPECT_THROW(none.harden(randomFilter(8, 1)), std::invalid_argument);
  auto input = randomFilter(16, 2);
  EXPECT_EQ(none.harden(input), input);
}

// harden() runs balancing and the first fold as one pass over precomputed
// byte moves, and folds and rule 90 in place; it must equal the steps
// composed one by one (balance() is the reference implementation).
TEST(Hardening, FusedHardeningEqualsTheStepsComposed) {
  auto secret = secretOf(kSecret);
  const std::vector<HardeningSettings> settings = {
      {.balance = true, .xorFolds = 1, .blipFlipProbability = 0.02},
      {.balance = true, .xorFolds = 1},
      {.balance = true, .xorFolds = 2, .rule90 = true},
      {.balance = true},
      {.xorFolds = 1, .rule90 = true, .blipFlipProbability = 0.1},
      {.rule90 = true},
  };
  for (const HardeningSettings& setting : settings) {
    for (std::size_t bits : {std::size_t{512}, std::size_t{1024}}) {
      FilterHardener hardener(secret, setting, bits);
      std::vector<std::uint64_t> reused(3, 42);  // hardenInto overwrites whatever it holds
      for (std::uint64_t seed = 0; seed < 20; ++seed) {
        const auto input = randomFilter(bits / 64, seed, 0.05 + 0.04 * static_cast<double>(seed));
        std::vector<std::uint64_t> expected =
            setting.balance ? hardener.balance(input) : std::vector<std::uint64_t>(input.begin(), input.end());
        for (int i = 0; i < setting.xorFolds; ++i) expected = xorFold(expected);
        if (setting.rule90) applyRule90(expected);
        if (setting.blipFlipProbability > 0) hardener.blip(expected);
        EXPECT_EQ(hardener.harden(input), expected) << "bits " << bits << " seed " << seed;
        hardener.hardenInto(input, reused);
        EXPECT_EQ(reused, expected);
      }
    }
  }
}

// BLIP looks most gaps up in a table by the draw's top bits; every entry must
// be the gap the formula gives for every draw of its bucket.
TEST(Hardening, BlipGapTableAgreesWithTheFormula) {
  std::mt19937_64 rng(7);
  for (double f : {0.02, 0.05, 0.3, 0.0001}) {
    const double logKeep = std::log1p(-f);
    const std::vector<std::uint16_t> table = FilterHardener::blipGapTable(logKeep);
    ASSERT_EQ(table.size(), std::size_t{1} << FilterHardener::kBlipBucketBits);
    std::size_t tabled = 0;
    for (int i = 0; i < 200000; ++i) {
      // Half uniform draws, half at bucket edges, where a wrong entry would show first.
      auto x = static_cast<std::uint32_t>(rng());
      if (i % 2 == 1) x = (x & ~std::uint32_t{0xFFFFF}) | ((i % 4 == 1) ? 0u : 0xFFFFFu);
      const std::uint16_t entry = table[x >> (32 - FilterHardener::kBlipBucketBits)];
      if (entry == FilterHardener::kBlipExact) continue;
      ++tabled;
      ASSERT_EQ(entry, FilterHardener::blipGap(x, logKeep)) << "f " << f << " draw " << x;
    }
    // (At tiny f the gap changes inside most buckets, so few are tabled.)
    if (f >= 0.02) {
      EXPECT_GT(tabled, 150000u) << "most draws should be tabled, f " << f;
    }
  }
}

}  // namespace
}  // namespace nser::linkage

namespace nser::linkage {
namespace {

TEST(Hardening, SaltPermutationIsAKeyedPerSaltPermutation) {
  auto secret = LinkageSecret::fromBytes({reinterpret_cast<const std::uint8_t*>(kSecret.data()), kSecret.size()}, 1);
  FilterHardener hardener(secret, {}, 1024);
  auto input = randomFilter(16, 11);
  auto a1985 = hardener.saltPermute(input, "1985");
  EXPECT_EQ(popcount(a1985), popcount(input)) << "a permutation keeps the bit count";
  EXPECT_EQ(a1985, hardener.saltPermute(input, "1985"));
  EXPECT_NE(a1985, hardener.saltPermute(input, "1986"));
  EXPECT_EQ(hardener.saltPermute(input, ""), input);
  // Two similar records with the same salt stay similar after permutation.
  auto similar = input;
  similar[3] ^= 0xF;
  auto b1985 = hardener.saltPermute(similar, "1985");
  std::size_t diffBefore = 0, diffAfter = 0;
  for (std::size_t w = 0; w < 16; ++w) {
    diffBefore += static_cast<std::size_t>(std::popcount(input[w] ^ similar[w]));
    diffAfter += static_cast<std::size_t>(std::popcount(a1985[w] ^ b1985[w]));
  }
  EXPECT_EQ(diffBefore, diffAfter);
}

}  // namespace
}  // namespace nser::linkage
