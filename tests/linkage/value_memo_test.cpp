#include "linkage/value_memo.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace nser::linkage {
namespace {

std::vector<std::uint64_t> wordsOf(std::uint64_t seed) { return {seed, seed * 3 + 1, ~seed}; }

// Looks `value` up and stores its words on a miss, as the encoder does.
std::vector<std::uint64_t> lookup(ValueMemo& memo, const std::string& value, std::uint64_t seed, bool& hit) {
  auto found = memo.find(value);
  hit = !found.empty();
  if (hit) return {found.begin(), found.end()};
  memo.store(value, wordsOf(seed));
  return wordsOf(seed);
}

TEST(ValueMemo, MissesDuringWarmupThenReturnsStoredWords) {
  ValueMemo memo(64, 3);
  bool hit = false;
  for (std::size_t i = 0; i + 1 < ValueMemo::kWarmupLookups; ++i) {
    lookup(memo, "lahore", 7, hit);
    EXPECT_FALSE(hit) << "no table before the warm-up ends";
  }
  lookup(memo, "lahore", 7, hit);  // allocates, misses, stores
  EXPECT_FALSE(hit);
  EXPECT_EQ(lookup(memo, "lahore", 7, hit), wordsOf(7));
  EXPECT_TRUE(hit);
  EXPECT_EQ(memo.hits(), 1u);
}

TEST(ValueMemo, DistinguishesValuesThatShareBytesOrSlots) {
  ValueMemo memo(16, 3);  // tiny: many values share a slot
  bool hit = false;
  for (std::size_t i = 0; i < ValueMemo::kWarmupLookups; ++i) lookup(memo, "warm", 0, hit);
  const std::vector<std::string> values = {"", "a", std::string("a\0", 2), "ab", "ba", "1985", "1985-03", "khan"};
  for (int round = 0; round < 3; ++round) {
    for (std::size_t v = 0; v < values.size(); ++v) {
      // Whatever the memo holds, a hit must return this value's own words.
      EXPECT_EQ(lookup(memo, values[v], v + 100, hit), wordsOf(v + 100)) << "value " << v;
    }
  }
  EXPECT_GT(memo.hits(), 0u);
}

TEST(ValueMemo, NeverMemoisesLongValues) {
  ValueMemo memo(64, 3);
  bool hit = false;
  const std::string longValue(ValueMemo::kMaxValueBytes + 1, 'x');
  const std::string longest(ValueMemo::kMaxValueBytes, 'x');
  for (std::size_t i = 0; i < ValueMemo::kWarmupLookups + 4; ++i) {
    lookup(memo, longValue, 1, hit);
    EXPECT_FALSE(hit);
  }
  lookup(memo, longest, 2, hit);
  EXPECT_EQ(lookup(memo, longest, 2, hit), wordsOf(2));
  EXPECT_TRUE(hit);
}

TEST(ValueMemo, SwitchesOffWhenValuesDoNotRepeat) {
  ValueMemo memo(1024, 3);
  bool hit = false;
  for (std::size_t i = 0; i < ValueMemo::kWarmupLookups + ValueMemo::kProbeLookups + 10; ++i) {
    lookup(memo, "cnic-" + std::to_string(i), i, hit);
    EXPECT_FALSE(hit);
  }
  const std::size_t lookups = memo.lookups();
  lookup(memo, "cnic-1", 1, hit);
  EXPECT_FALSE(hit);
  EXPECT_EQ(memo.lookups(), lookups) << "a switched-off memo is not consulted";
}

TEST(ValueMemo, StaysOnWhenValuesRepeat) {
  ValueMemo memo(1024, 3);
  bool hit = false;
  for (std::size_t i = 0; i < ValueMemo::kWarmupLookups + ValueMemo::kProbeLookups + 100; ++i) {
    lookup(memo, "district-" + std::to_string(i % 50), i % 50, hit);
  }
  EXPECT_EQ(lookup(memo, "district-3", 3, hit), wordsOf(3));
  EXPECT_TRUE(hit);
}

TEST(ValueMemo, MovesKeepTheTable) {
  ValueMemo memo(64, 3);
  bool hit = false;
  for (std::size_t i = 0; i <= ValueMemo::kWarmupLookups; ++i) lookup(memo, "sindh", 5, hit);
  ValueMemo moved(std::move(memo));
  EXPECT_EQ(lookup(moved, "sindh", 5, hit), wordsOf(5));
  EXPECT_TRUE(hit);
  ValueMemo assigned;
  assigned = std::move(moved);
  EXPECT_EQ(lookup(assigned, "sindh", 5, hit), wordsOf(5));
  EXPECT_TRUE(hit);
}

TEST(ValueMemo, DefaultConstructedNeverHits) {
  ValueMemo memo;
  for (int i = 0; i < 100; ++i) {
    EXPECT_TRUE(memo.find("x").empty());
    memo.store("x", {});
  }
}

TEST(ValueMemo, PrefetchingChangesNothingButTheCache) {
  // Two memos see the same lookups (colliding values included: 500 values
  // in 256 slots), one with a prefetch before each, sometimes of another
  // value: they must hit and return the same.
  ValueMemo plain(256, 3);
  ValueMemo prefetched(256, 3);
  bool hitPlain = false;
  bool hitPrefetched = false;
  for (std::size_t i = 0; i < ValueMemo::kWarmupLookups; ++i) {
    lookup(plain, "warm", 0, hitPlain);
    lookup(prefetched, "warm", 0, hitPrefetched);
  }
  for (std::uint64_t i = 0; i < 3000; ++i) {
    const std::uint64_t v = (i * 7919) % 500;
    const std::string value = "value-" + std::to_string(v);
    if (i % 5 == 4) {
      prefetched.prefetch("value-" + std::to_string(v + 1));
    } else if (i % 5 != 3) {
      prefetched.prefetch(value);
    }
    EXPECT_EQ(lookup(plain, value, v, hitPlain), wordsOf(v)) << value;
    EXPECT_EQ(lookup(prefetched, value, v, hitPrefetched), wordsOf(v)) << value;
    EXPECT_EQ(hitPlain, hitPrefetched) << value;
  }
  EXPECT_EQ(plain.hits(), prefetched.hits());
  EXPECT_GT(plain.hits(), 0u);
}

TEST(ValueMemo, ChangedBytesBehindAPrefetchNeverReturnAnotherValuesWords) {
  ValueMemo memo(4096, 3);
  bool hit = false;
  for (std::size_t i = 0; i < ValueMemo::kWarmupLookups; ++i) lookup(memo, "warm", 0, hit);
  lookup(memo, "1985", 1985, hit);
  lookup(memo, "1990", 1990, hit);
  // The slot remembered for "1985" is a hint only: the same buffer holding
  // "1990" by the time of the find must not get 1985's words.
  std::string buffer = "1985";
  memo.prefetch(buffer);
  buffer = "1990";
  const auto found = memo.find(buffer);
  EXPECT_TRUE(found.empty() || std::vector<std::uint64_t>(found.begin(), found.end()) == wordsOf(1990));
  // A store after that find files the words under "1990", wherever it put
  // them; a later plain lookup of either value is still right.
  if (found.empty()) memo.store(buffer, wordsOf(1990));
  EXPECT_EQ(lookup(memo, "1985", 1985, hit), wordsOf(1985));
  EXPECT_EQ(lookup(memo, "1990", 1990, hit), wordsOf(1990));
  EXPECT_TRUE(hit);
}

}  // namespace
}  // namespace nser::linkage
