#include "linkage/blocking_index.h"

#include <gtest/gtest.h>

#include <random>

#include "tests/linkage/blocking_test_records.h"

namespace nser::linkage {
namespace {

using blocking_test::flipBits;
using blocking_test::randomFilter;
using blocking_test::recordWith;
using blocking_test::token;
using Ids = std::vector<std::uint32_t>;

Ids find(CandidateSearch& search, const EncodedRecord& record, std::uint32_t minId = 0) {
  auto span = search.find(record, minId);
  return {span.begin(), span.end()};
}

BlockingConfig tokenConfig(std::uint32_t maxBlockSize = 100) {
  BlockingConfig config;
  config.maxBlockSize = maxBlockSize;
  config.strategies.push_back({"cnic", TokenBlockSettings{{TokenKind::CnicDeletion}, 64}, 0});
  config.strategies.push_back({"name_year", TokenBlockSettings{{TokenKind::NamePhonetic, TokenKind::BirthYear}, 64}, 0});
  return config;
}

TEST(BlockingIndex, RecordsSharingATokenAreCandidates) {
  BlockingIndex index(tokenConfig(), 0);
  ASSERT_TRUE(index.add(0, recordWith({token(TokenKind::CnicDeletion, 1), token(TokenKind::CnicDeletion, 2)})));
  ASSERT_TRUE(index.add(1, recordWith({token(TokenKind::CnicDeletion, 2), token(TokenKind::CnicDeletion, 3)})));
  ASSERT_TRUE(index.add(2, recordWith({token(TokenKind::CnicDeletion, 4)})));
  CandidateSearch search(index);
  EXPECT_EQ(find(search, recordWith({token(TokenKind::CnicDeletion, 2)})), (Ids{0, 1}));
  EXPECT_EQ(find(search, recordWith({token(TokenKind::CnicDeletion, 3), token(TokenKind::CnicDeletion, 4)})),
            (Ids{1, 2}));
  EXPECT_EQ(find(search, recordWith({token(TokenKind::CnicDeletion, 9)})), Ids{});
  EXPECT_EQ(find(search, recordWith({token(TokenKind::Cnic, 2)})), Ids{}) << "kinds are separate";
  EXPECT_EQ(find(search, recordWith({token(TokenKind::CnicDeletion, 2)}), 1), (Ids{1})) << "minId filters";
}

TEST(BlockingIndex, CombinedKeysNeedBothTokens) {
  BlockingIndex index(tokenConfig(), 0);
  index.add(0, recordWith({token(TokenKind::NamePhonetic, 7), token(TokenKind::BirthYear, 1980)}));
  index.add(1, recordWith({token(TokenKind::NamePhonetic, 7), token(TokenKind::BirthYear, 1990)}));
  index.add(2, recordWith({token(TokenKind::NamePhonetic, 8), token(TokenKind::BirthYear, 1980)}));
  index.add(3, recordWith({token(TokenKind::NamePhonetic, 7)}));
  CandidateSearch search(index);
  EXPECT_EQ(find(search, recordWith({token(TokenKind::NamePhonetic, 7), token(TokenKind::BirthYear, 1980)})),
            (Ids{0}));
  EXPECT_EQ(find(search, recordWith({token(TokenKind::NamePhonetic, 7)})), Ids{});
}

TEST(BlockingIndex, APairFoundByTwoStrategiesAppearsOnce) {
  BlockingIndex index(tokenConfig(), 0);
  auto record = recordWith({token(TokenKind::CnicDeletion, 1), token(TokenKind::CnicDeletion, 2),
                            token(TokenKind::NamePhonetic, 7), token(TokenKind::BirthYear, 1980)});
  index.add(5, record);
  CandidateSearch search(index);
  EXPECT_EQ(find(search, record), (Ids{5}));
  EXPECT_EQ(search.counters().lookups, 3u);
  EXPECT_EQ(search.counters().candidates, 1u);
}

TEST(BlockingIndex, OversizeBlocksAreSkippedAndCountedPerStrategy) {
  auto config = tokenConfig(3);
  config.strategies[1].maxBlockSize = 10;
  BlockingIndex index(config, 0);
  // Five records share one very common CNIC deletion token (over the cap of 3)
  // and one name + year (under its own cap of 10).
  for (std::uint32_t i = 0; i < 5; ++i) {
    index.add(i, recordWith({token(TokenKind::CnicDeletion, 1), token(TokenKind::CnicDeletion, 100 + i),
                             token(TokenKind::NamePhonetic, 7), token(TokenKind::BirthYear, 1980)}));
  }
  auto stats = index.stats();
  EXPECT_EQ(stats.records, 5u);
  EXPECT_EQ(stats.oversizeBlocks, 1u);
  EXPECT_EQ(stats.droppedMemberships, 5u);
  ASSERT_EQ(stats.strategies.size(), 2u);
  EXPECT_EQ(stats.strategies[0].name, "cnic");
  EXPECT_EQ(stats.strategies[0].oversizeBlocks, 1u);
  EXPECT_EQ(stats.strategies[0].memberships, 10u);
  EXPECT_EQ(stats.strategies[1].oversizeBlocks, 0u);
  EXPECT_EQ(stats.blocks, 1u + 5u + 1u);

  CandidateSearch search(index);
  EXPECT_EQ(find(search, recordWith({token(TokenKind::CnicDeletion, 1)})), Ids{});
  EXPECT_EQ(search.counters().oversizeLookups, 1u);
  EXPECT_EQ(search.counters().skippedMemberships, 5u);
  EXPECT_EQ(find(search, recordWith({token(TokenKind::CnicDeletion, 1), token(TokenKind::CnicDeletion, 103)})),
            (Ids{3}));

  // Removing members keeps the count honest.
  index.remove(0, recordWith({token(TokenKind::CnicDeletion, 1), token(TokenKind::CnicDeletion, 100),
                              token(TokenKind::NamePhonetic, 7), token(TokenKind::BirthYear, 1980)}));
  stats = index.stats();
  EXPECT_EQ(stats.droppedMemberships, 4u);
  EXPECT_EQ(stats.oversizeBlocks, 1u);
  EXPECT_EQ(stats.strategies[0].memberships, 8u);
}

TEST(BlockingIndex, IncrementalAddRemoveAndReAdd) {
  BlockingIndex index(tokenConfig(), 0);
  auto a = recordWith({token(TokenKind::CnicDeletion, 1)});
  auto b = recordWith({token(TokenKind::CnicDeletion, 1), token(TokenKind::CnicDeletion, 2)});
  EXPECT_TRUE(index.add(10, a));
  EXPECT_FALSE(index.add(10, b)) << "an id is indexed once";
  EXPECT_FALSE(index.add(UINT32_MAX, b));
  EXPECT_TRUE(index.add(11, b));
  EXPECT_TRUE(index.contains(10));
  EXPECT_EQ(index.idBound(), 12u);
  CandidateSearch search(index);
  EXPECT_EQ(find(search, a), (Ids{10, 11}));

  EXPECT_TRUE(index.remove(10, a));
  EXPECT_FALSE(index.remove(10, a));
  EXPECT_FALSE(index.contains(10));
  EXPECT_EQ(find(search, a), (Ids{11}));
  EXPECT_EQ(index.stats().records, 1u);

  // Update = remove the old encoding, add the new one.
  EXPECT_TRUE(index.remove(11, b));
  EXPECT_TRUE(index.add(11, recordWith({token(TokenKind::CnicDeletion, 3)})));
  EXPECT_EQ(find(search, a), Ids{});
  EXPECT_EQ(find(search, recordWith({token(TokenKind::CnicDeletion, 3)})), (Ids{11}));
  EXPECT_TRUE(index.add(10, a));
  EXPECT_EQ(find(search, a), (Ids{10}));
  auto stats = index.stats();
  EXPECT_EQ(stats.records, 2u);
  EXPECT_EQ(stats.memberships, 2u);
  EXPECT_EQ(stats.blocks, 2u);
}

TEST(BlockingIndex, LshAndTokensTogetherAndUnusableClksCounted) {
  std::mt19937_64 rng(8);
  BlockingConfig config = tokenConfig();
  config.strategies.push_back({"clk", HammingLshSettings{16, 24, 3}, 0});
  BlockingIndex index(config, 1024);
  auto filter = randomFilter(1024, 0.5, rng);
  index.add(0, recordWith({}, filter));
  index.add(1, recordWith({token(TokenKind::CnicDeletion, 1)}, randomFilter(1024, 0.5, rng)));
  index.add(2, recordWith({token(TokenKind::CnicDeletion, 1)}));  // no CLK
  EXPECT_EQ(index.stats().recordsWithUnusableClk, 1u);
  CandidateSearch search(index);
  EXPECT_EQ(find(search, recordWith({token(TokenKind::CnicDeletion, 1)}, flipBits(filter, 20, rng))),
            (Ids{0, 1, 2}));
  EXPECT_EQ(search.counters().queriesWithUnusableClk, 0u);
  index.remove(2, recordWith({token(TokenKind::CnicDeletion, 1)}));
  EXPECT_EQ(index.stats().recordsWithUnusableClk, 0u);
}

}  // namespace
}  // namespace nser::linkage
