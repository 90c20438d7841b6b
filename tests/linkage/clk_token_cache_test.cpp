#include "linkage/clk_token_cache.h"

#include <gtest/gtest.h>

#include <string>

namespace nser::linkage {
namespace {

TokenDigestCache::Payload payloadOf(unsigned char value) {
  TokenDigestCache::Payload payload{};
  payload.fill(value);
  return payload;
}

TEST(TokenDigestCache, FindsWhatWasInserted) {
  TokenDigestCache cache(64);
  EXPECT_EQ(cache.find("ab"), nullptr);
  cache.insert("ab", payloadOf(7));
  ASSERT_NE(cache.find("ab"), nullptr);
  EXPECT_EQ((*cache.find("ab"))[63], 7);
  EXPECT_EQ(cache.find("ba"), nullptr);
}

TEST(TokenDigestCache, TokensDifferingOnlyInTrailingZeroBytesAreDistinct) {
  TokenDigestCache cache(64);
  cache.insert("a", payloadOf(1));
  cache.insert(std::string_view("a\0", 2), payloadOf(2));
  EXPECT_EQ((*cache.find("a"))[0], 1);
  EXPECT_EQ((*cache.find(std::string_view("a\0", 2)))[0], 2);
}

TEST(TokenDigestCache, StopsInsertingWhenThreeQuartersFull) {
  TokenDigestCache cache(16);
  for (int i = 0; i < 40; ++i) cache.insert("t" + std::to_string(i), payloadOf(static_cast<unsigned char>(i)));
  EXPECT_EQ(cache.size(), 12U);
  for (int i = 0; i < 12; ++i) ASSERT_NE(cache.find("t" + std::to_string(i)), nullptr);
  EXPECT_EQ(cache.find("t39"), nullptr);
}

TEST(TokenDigestCache, OnlyShortTokensAreCacheable) {
  EXPECT_TRUE(TokenDigestCache::cacheable("123456789012345"));
  EXPECT_FALSE(TokenDigestCache::cacheable("1234567890123456"));
  EXPECT_FALSE(TokenDigestCache::cacheable(""));
}

}  // namespace
}  // namespace nser::linkage
