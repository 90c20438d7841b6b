#include "linkage/bloom_filter.h"

#include <gtest/gtest.h>

namespace nser::linkage {
namespace {

TEST(BloomFilter, LengthMustBeAWholeNumberOfWords) {
  EXPECT_THROW(BloomFilter(0), std::invalid_argument);
  EXPECT_THROW(BloomFilter(100), std::invalid_argument);
  EXPECT_EQ(BloomFilter(512).bits(), 512U);
}

TEST(BloomFilter, BitsUseTheProjectWordLayout) {
  BloomFilter filter(128);
  filter.set(0);
  filter.set(65);
  EXPECT_EQ(filter.words()[0], 1U);
  EXPECT_EQ(filter.words()[1], 2U);
  EXPECT_TRUE(filter.test(65));
  EXPECT_FALSE(filter.test(64));
  EXPECT_EQ(filter.popcount(), 2U);
}

TEST(BloomFilter, ClkhashBytesAreMostSignificantBitFirst) {
  // bitarray('1000000001')... : bit 0 -> 0x80 of byte 0, bit 9 -> 0x40 of byte 1.
  BloomFilter filter(64);
  filter.set(0);
  filter.set(9);
  filter.set(63);
  const auto bytes = filter.toClkhashBytes();
  EXPECT_EQ(bytes[0], 0x80);
  EXPECT_EQ(bytes[1], 0x40);
  EXPECT_EQ(bytes[7], 0x01);
  EXPECT_EQ(BloomFilter::fromClkhashBytes(bytes), filter);
  // base64.b64encode(bytes([0x80, 0x40, 0, 0, 0, 0, 0, 1])) == b'gEAAAAAAAAE='
  EXPECT_EQ(filter.toBase64(), "gEAAAAAAAAE=");
  EXPECT_EQ(BloomFilter::fromBase64("gEAAAAAAAAE="), filter);
}

TEST(BloomFilter, Base64RejectsGarbageAndPartialWords) {
  EXPECT_FALSE(BloomFilter::fromBase64("not base64!").has_value());
  EXPECT_FALSE(BloomFilter::fromBase64("gEA=").has_value());  // 2 bytes
  EXPECT_FALSE(BloomFilter::fromBase64("").has_value());
}

TEST(BloomFilter, DiceAndOr) {
  BloomFilter a(64);
  BloomFilter b(64);
  EXPECT_EQ(a.dice(b), 0.0);
  a.set(1);
  a.set(2);
  b.set(2);
  b.set(3);
  EXPECT_DOUBLE_EQ(a.dice(b), 0.5);
  a |= b;
  EXPECT_EQ(a.popcount(), 3U);
  EXPECT_THROW(a.dice(BloomFilter(128)), std::invalid_argument);
}

TEST(BloomFilter, XorFoldCombinesTheHalves) {
  BloomFilter filter(256);
  filter.set(5);
  filter.set(128 + 5);   // cancels bit 5
  filter.set(128 + 70);  // lands on bit 70
  const BloomFilter folded = filter.xorFolded(1);
  EXPECT_EQ(folded.bits(), 128U);
  EXPECT_FALSE(folded.test(5));
  EXPECT_TRUE(folded.test(70));
  EXPECT_EQ(filter.xorFolded(1).xorFolded(1), filter.xorFolded(2));
  EXPECT_THROW(filter.xorFolded(3), std::invalid_argument);  // 32-bit halves
}

}  // namespace
}  // namespace nser::linkage
