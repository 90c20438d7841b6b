#include "linkage/dice_kernel.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "linkage/cpu_features.h"
#include "linkage/dice_kernel_paths.h"

namespace nser::linkage {
namespace {

using Words = std::vector<std::uint64_t>;

// Bit-by-bit reference: shares no code with any kernel path.
std::uint32_t referenceIntersection(const std::uint64_t* a, const std::uint64_t* b, std::size_t words) {
  std::uint32_t bits = 0;
  for (std::size_t w = 0; w < words; ++w) {
    for (int bit = 0; bit < 64; ++bit) bits += static_cast<std::uint32_t>(((a[w] & b[w]) >> bit) & 1u);
  }
  return bits;
}

Words randomWords(std::mt19937_64& rng, std::size_t count) {
  Words words(count);
  for (auto& w : words) w = rng() & rng();  // ~25% density, plus some all-bits words below
  return words;
}

struct NamedPath {
  const char* name;
  dice_paths::IntersectFn fn;
  bool supported;
};

std::vector<NamedPath> allPaths() {
  const CpuFeatures& cpu = cpuFeatures();
  return {{"portable-baseline", dice_paths::intersectPortableBaseline, true},
          {"portable-popcnt", dice_paths::intersectPortablePopcnt, cpu.popcnt},
          {"avx2", dice_paths::intersectAvx2, cpu.avx2 && cpu.popcnt},
          {"avx512", dice_paths::intersectAvx512, cpu.avx512f && cpu.avx512vpopcntdq}};
}

// Every path, every length (including ones that are not a multiple of the
// vector width), every batch size around the 4-at-a-time unrolling, and
// unaligned B pointers, against the bit-by-bit reference.
void checkPathAgainstReference(const NamedPath& path) {
  std::mt19937_64 rng(42);
  for (std::size_t words : {1u, 2u, 3u, 5u, 8u, 12u, 16u, 17u, 32u}) {
    for (std::size_t count : {0u, 1u, 3u, 4u, 5u, 8u, 13u}) {
      Words a = randomWords(rng, words);
      Words storage = randomWords(rng, count * words + 1);
      if (count > 1) std::fill(storage.begin() + 1, storage.begin() + 1 + words, ~std::uint64_t{0});
      a[0] = ~std::uint64_t{0};
      const std::uint64_t* b = storage.data() + 1;  // deliberately not 32/64-byte aligned
      std::vector<std::uint32_t> out(count + 1, 0xDEADBEEF);
      path.fn(a.data(), b, count, words, out.data());
      for (std::size_t j = 0; j < count; ++j) {
        EXPECT_EQ(out[j], referenceIntersection(a.data(), b + j * words, words))
            << path.name << " words=" << words << " count=" << count << " j=" << j;
      }
      EXPECT_EQ(out[count], 0xDEADBEEFu) << path.name << " wrote past the end";
    }
  }
}

TEST(DiceKernelPaths, PortableBaselineMatchesBitByBitReference) { checkPathAgainstReference(allPaths()[0]); }

TEST(DiceKernelPaths, PortablePopcntMatchesBitByBitReference) {
  if (!allPaths()[1].supported) GTEST_SKIP() << "CPU lacks POPCNT (" << cpuFeatures().describe() << ")";
  checkPathAgainstReference(allPaths()[1]);
}

TEST(DiceKernelPaths, Avx2MatchesBitByBitReference) {
  if (!allPaths()[2].supported) GTEST_SKIP() << "CPU lacks AVX2 (" << cpuFeatures().describe() << ")";
  checkPathAgainstReference(allPaths()[2]);
}

TEST(DiceKernelPaths, Avx512MatchesBitByBitReference) {
  if (!allPaths()[3].supported) {
    GTEST_SKIP() << "CPU lacks AVX-512F/VPOPCNTDQ (" << cpuFeatures().describe() << ")";
  }
  checkPathAgainstReference(allPaths()[3]);
}

TEST(DiceKernelPaths, ExtremesOf1024BitFilters) {
  const Words ones(16, ~std::uint64_t{0});
  const Words zeros(16, 0);
  for (const NamedPath& path : allPaths()) {
    if (!path.supported) continue;
    std::uint32_t out[2] = {7, 7};
    Words b = ones;
    b.insert(b.end(), zeros.begin(), zeros.end());
    path.fn(ones.data(), b.data(), 2, 16, out);
    EXPECT_EQ(out[0], 1024u) << path.name;
    EXPECT_EQ(out[1], 0u) << path.name;
  }
}

TEST(DicePath, NamesRoundTrip) {
  for (DicePath path : {DicePath::Auto, DicePath::Portable, DicePath::Avx2, DicePath::Avx512}) {
    EXPECT_EQ(parseDicePath(dicePathName(path)), path);
  }
  EXPECT_EQ(parseDicePath("sse"), std::nullopt);
  EXPECT_EQ(parseDicePath("AVX2"), std::nullopt);
}

TEST(DicePath, AutoResolvesToTheBestSupportedPath) {
  const CpuFeatures& cpu = cpuFeatures();
  const DicePath resolved = resolveDicePath(DicePath::Auto);
  EXPECT_NE(resolved, DicePath::Auto);
  EXPECT_TRUE(dicePathSupported(resolved));
  if (cpu.avx512f && cpu.avx512vpopcntdq) {
    EXPECT_EQ(resolved, DicePath::Avx512);
  } else if (cpu.avx2 && cpu.popcnt) {
    EXPECT_EQ(resolved, DicePath::Avx2);
  } else {
    EXPECT_EQ(resolved, DicePath::Portable);
  }
  EXPECT_EQ(resolveDicePath(DicePath::Portable), DicePath::Portable);
}

TEST(DicePath, ForcingAnUnsupportedPathThrowsNamingTheMissingFeature) {
  if (dicePathSupported(DicePath::Avx512)) GTEST_SKIP() << "this CPU supports every path";
  try {
    resolveDicePath(DicePath::Avx512);
    FAIL() << "expected DiceConfigError";
  } catch (const DiceConfigError& error) {
    EXPECT_NE(std::string(error.what()).find("avx512"), std::string::npos) << error.what();
  }
}

TEST(DiceScore, ComputedFromIntegers) {
  EXPECT_EQ(diceScore(0, 0, 0), 0.0);
  EXPECT_EQ(diceScore(0, 10, 0), 0.0);
  EXPECT_EQ(diceScore(5, 5, 5), 1.0);
  EXPECT_EQ(diceScore(8, 10, 10), 0.8);  // exactly the double nearest 0.8
  EXPECT_DOUBLE_EQ(diceScore(3, 4, 6), 0.6);
}

TEST(Dice, OfTwoFiltersOnEverySupportedPath) {
  std::mt19937_64 rng(7);
  for (std::size_t words : {1u, 2u, 8u, 16u, 32u}) {
    const Words a = randomWords(rng, words);
    const Words b = randomWords(rng, words);
    const double expected =
        diceScore(referenceIntersection(a.data(), b.data(), words), filterPopcount(a), filterPopcount(b));
    for (DicePath path : {DicePath::Auto, DicePath::Portable, DicePath::Avx2, DicePath::Avx512}) {
      if (!dicePathSupported(path)) continue;
      EXPECT_EQ(dice(a, b, path), expected) << dicePathName(path) << " words=" << words;
    }
    EXPECT_EQ(dice(a, a), a == Words(words, 0) ? 0.0 : 1.0);
  }
  EXPECT_EQ(dice(Words(16, 0), Words(16, 0)), 0.0) << "empty filters score 0";
}

TEST(Dice, RejectsMismatchedOrEmptyFilters) {
  EXPECT_THROW(dice(Words(16, 1), Words(8, 1)), DiceConfigError);
  EXPECT_THROW(dice(Words{}, Words{}), DiceConfigError);
}

TEST(FilterPopcount, CountsSetBits) {
  EXPECT_EQ(filterPopcount(Words{0, 1, 3, ~std::uint64_t{0}}), 67u);
  EXPECT_EQ(filterPopcount(Words{}), 0u);
}

}  // namespace
}  // namespace nser::linkage
