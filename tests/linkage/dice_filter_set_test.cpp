#include "linkage/dice_filter_set.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "linkage/dice_kernel.h"

namespace nser::linkage {
namespace {

TEST(DiceFilterSet, RejectsLengthsThatAreNotPositiveMultiplesOf64) {
  EXPECT_THROW(DiceFilterSet(0), DiceConfigError);
  EXPECT_THROW(DiceFilterSet(1000), DiceConfigError);
  EXPECT_NO_THROW(DiceFilterSet(64));
  EXPECT_NO_THROW(DiceFilterSet(2048));
}

TEST(DiceFilterSet, StoresFiltersAlignedWithTheirPopcounts) {
  DiceFilterSet set(128);
  for (std::uint64_t i = 0; i < 100; ++i) set.add(std::vector<std::uint64_t>{i, ~std::uint64_t{0}});
  ASSERT_EQ(set.size(), 100u);
  EXPECT_EQ(set.wordsPerFilter(), 2u);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(set.data()) % 64, 0u);
  EXPECT_EQ(set.filter(37)[0], 37u);
  EXPECT_EQ(set.popcount(7), 3u + 64u);
  EXPECT_THROW(set.add(std::vector<std::uint64_t>{1}), DiceConfigError);
}

TEST(DiceFilterSet, RawBytesRoundTripLittleEndian) {
  std::vector<std::uint8_t> bytes(3 * 128);
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(i * 7 + 1);
  const DiceFilterSet set = DiceFilterSet::fromBytes(bytes, 1024);
  ASSERT_EQ(set.size(), 3u);
  EXPECT_EQ(set.filter(0)[0] & 0xff, bytes[0]) << "byte 0 holds bits 0..7";
  EXPECT_EQ(set.filter(1)[0] >> 56, bytes[128 + 7]);
  EXPECT_EQ(set.toBytes(), bytes);
}

TEST(DiceFilterSet, RawBytesOfTheWrongSizeAreRejectedWithBothSizes) {
  const std::vector<std::uint8_t> bytes(200);
  try {
    DiceFilterSet::fromBytes(bytes, 1024);
    FAIL() << "expected DiceConfigError";
  } catch (const DiceConfigError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("200 bytes"), std::string::npos) << message;
    EXPECT_NE(message.find("128-byte"), std::string::npos) << message;
  }
  EXPECT_EQ(DiceFilterSet::fromBytes({}, 1024).size(), 0u);
}

}  // namespace
}  // namespace nser::linkage
