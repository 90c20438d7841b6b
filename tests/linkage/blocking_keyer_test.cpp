#include "linkage/blocking_keyer.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

#include "tests/linkage/blocking_test_records.h"

namespace nser::linkage {
namespace {

using blocking_test::randomFilter;
using blocking_test::recordWith;
using blocking_test::token;

BlockingConfig twoPhoneStrategiesAndLsh() {
  BlockingConfig config;
  config.strategies.push_back({"phone_a", TokenBlockSettings{{TokenKind::Phone}, 64}, 0});
  config.strategies.push_back({"phone_b", TokenBlockSettings{{TokenKind::Phone}, 64}, 0});
  config.strategies.push_back({"lsh", HammingLshSettings{4, 16, 1}, 0});
  return config;
}

TEST(BlockingKeyer, KeysAreDistinctOrderedAndSaltedPerStrategy) {
  BlockingKeyer keyer(twoPhoneStrategiesAndLsh(), 256);
  std::mt19937_64 rng(1);
  auto record = recordWith({token(TokenKind::Phone, 1), token(TokenKind::Phone, 1), token(TokenKind::Phone, 2)},
                           randomFilter(256, 0.5, rng));
  std::vector<BlockingKey> keys;
  auto issues = keyer.keysOf(record, keys);
  EXPECT_FALSE(issues.clkUnusable);
  EXPECT_EQ(issues.truncatedStrategies, 0u);
  ASSERT_EQ(keys.size(), 2u + 2u + 4u) << "the repeated token gives one key per strategy";
  std::set<std::uint64_t> hashes;
  for (const auto& key : keys) hashes.insert(key.hash);
  EXPECT_EQ(hashes.size(), keys.size()) << "two strategies over the same kind never share keys";
  EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end(), [](const auto& a, const auto& b) {
    return a.strategy != b.strategy ? a.strategy < b.strategy : a.hash < b.hash;
  }));
}

TEST(BlockingKeyer, UnusableClkAndTruncationAreFlaggedNotThrown) {
  auto config = twoPhoneStrategiesAndLsh();
  std::get<TokenBlockSettings>(config.strategies[1].settings).maxKeysPerRecord = 1;
  BlockingKeyer keyer(config, 256);
  std::vector<BlockingKey> keys;
  auto issues = keyer.keysOf(recordWith({token(TokenKind::Phone, 1), token(TokenKind::Phone, 2)}, FilterWords(2, 0)),
                             keys);
  EXPECT_TRUE(issues.clkUnusable);
  EXPECT_EQ(issues.truncatedStrategies, 0b10u);
  EXPECT_EQ(keys.size(), 3u) << "2 from phone_a, 1 from the truncated phone_b, none from LSH";
}

TEST(BlockingKeyer, RejectsAnLshStrategyWithoutAClkLength) {
  EXPECT_THROW(BlockingKeyer(twoPhoneStrategiesAndLsh(), 0), BlockingConfigError);
  BlockingConfig tokensOnly;
  tokensOnly.strategies.push_back({"phone", TokenBlockSettings{{TokenKind::Phone}, 64}, 0});
  EXPECT_NO_THROW(BlockingKeyer(tokensOnly, 0));
}

}  // namespace
}  // namespace nser::linkage
