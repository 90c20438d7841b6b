// ClkTokenHasher: index derivation checked against values computed
// independently with Python's hashlib/hmac:
//   blake:  struct.unpack('<32H', hashlib.blake2b(b'ab', key=bytes(range(64)),
//           salt=b'0').digest()), each value % l   (salt b'1' for values 32..63)
//   double: h1 = int.from_bytes(hmac.new(b'\x01'*64, b'ab', sha1).digest(), 'big') % l
//           h2 = int.from_bytes(hmac.new(b'\x02'*64, b'ab', md5).digest(), 'big') % l
//           index j = (h1 + j*h2) % l
#include "linkage/clk_token_hasher.h"

#include <gtest/gtest.h>

#include <numeric>

namespace nser::linkage {
namespace {

std::vector<std::uint8_t> rangeKey() {
  std::vector<std::uint8_t> key(64);
  std::iota(key.begin(), key.end(), std::uint8_t{0});
  return key;
}

TEST(ClkTokenHasher, BlakeIndicesAreLittleEndianShortsOfSaltedBlake2b) {
  const auto key = rangeKey();
  const ClkTokenHasher hasher({HashType::Blake, false}, key, key, 1024);
  TokenHashScratch scratch;
  EXPECT_EQ(hasher.indices("ab", 5, scratch), (std::vector<std::uint32_t>{850, 814, 435, 625, 767}));
  // k = 34 needs a second MAC with salt "1": its first two values come last.
  const auto many = hasher.indices("ab", 34, scratch);
  ASSERT_EQ(many.size(), 34U);
  EXPECT_EQ(many[0], 850U);
  EXPECT_EQ(many[32], 831U);
  EXPECT_EQ(many[33], 538U);
  EXPECT_TRUE(hasher.indices("ab", 0, scratch).empty());
}

TEST(ClkTokenHasher, BlakeWithFiltersOf65536BitsUsesTheRawShorts) {
  const auto key = rangeKey();
  const ClkTokenHasher hasher({HashType::Blake, false}, key, key, 65536);
  TokenHashScratch scratch;
  EXPECT_EQ(hasher.indices("ab", 3, scratch), (std::vector<std::uint32_t>{34642, 1838, 12723}));
}

TEST(ClkTokenHasher, DoubleHashIsSchnellsConstructionWithBigEndianModulo) {
  const std::vector<std::uint8_t> key0(64, 1);
  const std::vector<std::uint8_t> key1(64, 2);
  TokenHashScratch scratch;
  const ClkTokenHasher hasher1024({HashType::Double, false}, key0, key1, 1024);
  EXPECT_EQ(hasher1024.indices("ab", 4, scratch), (std::vector<std::uint32_t>{18, 86, 154, 222}));
  // Any length works for doubleHash (not only powers of two).
  TokenHashScratch other;
  const ClkTokenHasher hasher1000({HashType::Double, false}, key0, key1, 1000);
  EXPECT_EQ(hasher1000.indices("ab", 4, other), (std::vector<std::uint32_t>{498, 926, 354, 782}));
}

TEST(ClkTokenHasher, CachedAndUncachedScratchGiveTheSameIndices) {
  const auto key = rangeKey();
  for (const HashType type : {HashType::Blake, HashType::Double}) {
    const ClkTokenHasher hasher({type, type == HashType::Double}, key, key, 2048);
    TokenHashScratch cached(true);
    TokenHashScratch uncached(false);
    for (const char* token : {"ab", "ab", "a much longer token than the cache keeps", "ab"}) {
      EXPECT_EQ(hasher.indices(token, 40, cached), hasher.indices(token, 40, uncached)) << token;
    }
  }
}

TEST(ClkTokenHasher, InsertSetsExactlyTheIndices) {
  const auto key = rangeKey();
  const ClkTokenHasher hasher({HashType::Blake, false}, key, key, 1024);
  TokenHashScratch scratch;
  BloomFilter filter(1024);
  hasher.insert("ab", 5, scratch, filter);
  EXPECT_EQ(filter.popcount(), 5U);
  for (std::uint32_t index : {850U, 814U, 435U, 625U, 767U}) EXPECT_TRUE(filter.test(index)) << index;
}

TEST(ClkTokenHasher, RefusesWhatClkhashRefuses) {
  const auto key = rangeKey();
  EXPECT_THROW(ClkTokenHasher({HashType::Blake, false}, key, key, 1000), std::invalid_argument);  // not 2^n
  const std::vector<std::uint8_t> longKey(65, 7);
  EXPECT_THROW(ClkTokenHasher({HashType::Blake, false}, longKey, longKey, 1024), std::invalid_argument);
  EXPECT_NO_THROW(ClkTokenHasher({HashType::Double, false}, longKey, longKey, 1000));
}

}  // namespace
}  // namespace nser::linkage
