#include "linkage/blocking_candidates.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include "tests/linkage/blocking_test_records.h"

namespace nser::linkage {
namespace {

using blocking_test::randomFilter;
using blocking_test::recordWith;
using blocking_test::token;
using PairSet = std::set<std::pair<std::uint32_t, std::uint32_t>>;

BlockingConfig smallConfig() {
  BlockingConfig config;
  config.maxBlockSize = 6;
  config.strategies.push_back({"lsh", HammingLshSettings{3, 5, 17}, 0});
  config.strategies.push_back({"phone", TokenBlockSettings{{TokenKind::Phone}, 64}, 0});
  config.strategies.push_back({"name_year", TokenBlockSettings{{TokenKind::NamePhonetic, TokenKind::BirthYear}, 64}, 4});
  return config;
}

// Small random records whose tokens come from small ranges, so blocks of every
// size (including oversize ones) occur.
std::vector<EncodedRecord> randomRecords(std::size_t n, std::mt19937_64& rng) {
  std::vector<EncodedRecord> records;
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<KeyedToken> tokens;
    if (rng() % 4 != 0) tokens.push_back(token(TokenKind::Phone, rng() % 120));
    if (rng() % 5 == 0) tokens.push_back(token(TokenKind::Phone, rng() % 120));
    if (rng() % 3 != 0) tokens.push_back(token(TokenKind::NamePhonetic, rng() % 6));
    if (rng() % 3 != 0) tokens.push_back(token(TokenKind::BirthYear, rng() % 8));
    records.push_back(recordWith(tokens, rng() % 10 == 0 ? FilterWords{} : randomFilter(128, 0.5, rng)));
  }
  return records;
}

// The definition, pair by pair: two records are candidates when they share a
// key whose block (among the indexed records) is within its strategy's cap.
PairSet bruteForce(const BlockingConfig& config, const std::vector<EncodedRecord>& queries,
                   const std::vector<EncodedRecord>& indexed, bool dedup) {
  BlockingKeyer keyer(config, 128);
  std::vector<std::vector<BlockingKey>> queryKeys(queries.size()), indexedKeys(indexed.size());
  for (std::size_t i = 0; i < queries.size(); ++i) keyer.keysOf(queries[i], queryKeys[i]);
  for (std::size_t j = 0; j < indexed.size(); ++j) keyer.keysOf(indexed[j], indexedKeys[j]);
  std::map<std::uint64_t, std::size_t> blockSize;
  for (const auto& keys : indexedKeys) {
    for (const auto& key : keys) ++blockSize[key.hash];
  }
  PairSet pairs;
  for (std::uint32_t i = 0; i < queries.size(); ++i) {
    for (std::uint32_t j = dedup ? i + 1 : 0; j < indexed.size(); ++j) {
      for (const auto& key : queryKeys[i]) {
        bool shared = std::find(indexedKeys[j].begin(), indexedKeys[j].end(), key) != indexedKeys[j].end();
        if (shared && blockSize[key.hash] <= config.blockSizeCap(key.strategy)) {
          pairs.insert({i, j});
          break;
        }
      }
    }
  }
  return pairs;
}

TEST(BlockingCandidates, LinkageStreamEqualsBruteForce) {
  std::mt19937_64 rng(99);
  auto config = smallConfig();
  auto a = randomRecords(150, rng), b = randomRecords(200, rng);
  auto index = buildBlockingIndex(config, 128, b);
  PairSet streamed;
  std::uint32_t lastQuery = 0;
  bool first = true;
  auto counters = forEachCandidate(index, a, [&](std::uint32_t i, std::span<const std::uint32_t> candidates) {
    EXPECT_FALSE(candidates.empty());
    EXPECT_TRUE(first || i > lastQuery) << "queries arrive in order, once";
    EXPECT_TRUE(std::is_sorted(candidates.begin(), candidates.end()));
    first = false;
    lastQuery = i;
    for (auto j : candidates) EXPECT_TRUE(streamed.insert({i, j}).second) << "each pair once";
  });
  auto expected = bruteForce(config, a, b, false);
  EXPECT_EQ(streamed, expected);
  EXPECT_GT(expected.size(), 100u) << "the data exercises the blocks";
  EXPECT_LT(expected.size(), 150u * 200u / 2);
  EXPECT_EQ(counters.queries, 150u);
  EXPECT_EQ(counters.candidates, expected.size());
  EXPECT_GT(index.stats().oversizeBlocks, 0u) << "some blocks are over the cap";
  EXPECT_GT(counters.oversizeLookups, 0u);
}

TEST(BlockingCandidates, DeduplicationStreamEqualsBruteForce) {
  std::mt19937_64 rng(100);
  auto config = smallConfig();
  auto records = randomRecords(250, rng);
  auto index = buildBlockingIndex(config, 128, records);
  PairSet streamed;
  forEachCandidateWithin(index, records, [&](std::uint32_t i, std::span<const std::uint32_t> candidates) {
    for (auto j : candidates) {
      EXPECT_LT(i, j);
      streamed.insert({i, j});
    }
  });
  auto expected = bruteForce(config, records, records, true);
  EXPECT_EQ(streamed, expected);
  EXPECT_GT(expected.size(), 100u);
}

TEST(BlockingCandidates, SlicesTogetherEqualOneRun) {
  std::mt19937_64 rng(102);
  auto config = smallConfig();
  auto records = randomRecords(180, rng);
  auto index = buildBlockingIndex(config, 128, records);
  std::span<const EncodedRecord> all(records);
  auto collect = [](PairSet& into) {
    return [&into](std::uint32_t i, std::span<const std::uint32_t> candidates) {
      for (auto j : candidates) into.insert({i, j});
    };
  };
  PairSet whole, sliced, wholeLinkage, slicedLinkage;
  forEachCandidateWithin(index, all, collect(whole));
  forEachCandidateWithin(index, all.subspan(0, 70), collect(sliced));
  forEachCandidateWithin(index, all.subspan(70), collect(sliced), 70);
  EXPECT_EQ(whole, sliced);
  forEachCandidate(index, all, collect(wholeLinkage));
  forEachCandidate(index, all.subspan(0, 100), collect(slicedLinkage));
  forEachCandidate(index, all.subspan(100), collect(slicedLinkage), 100);
  EXPECT_EQ(wholeLinkage, slicedLinkage);
  EXPECT_GT(whole.size(), 50u);
}

TEST(BlockingCandidates, IncrementalIndexMatchesARebuild) {
  std::mt19937_64 rng(101);
  auto config = smallConfig();
  config.maxBlockSize = 1000;
  config.strategies[2].maxBlockSize = 0;
  auto records = randomRecords(200, rng);
  BlockingIndex incremental(config, 128);
  for (std::uint32_t i = 0; i < records.size(); ++i) incremental.add(i, records[i]);
  // Remove every third record, replace every fifth with a new encoding.
  std::vector<EncodedRecord> current = records;
  std::vector<bool> present(records.size(), true);
  for (std::uint32_t i = 0; i < records.size(); ++i) {
    if (i % 3 == 0) {
      ASSERT_TRUE(incremental.remove(i, current[i]));
      present[i] = false;
    } else if (i % 5 == 0) {
      ASSERT_TRUE(incremental.remove(i, current[i]));
      current[i] = randomRecords(1, rng)[0];
      ASSERT_TRUE(incremental.add(i, current[i]));
    }
  }
  BlockingIndex rebuilt(config, 128);
  for (std::uint32_t i = 0; i < records.size(); ++i) {
    if (present[i]) rebuilt.add(i, current[i]);
  }
  ASSERT_EQ(rebuilt.stats().oversizeBlocks, 0u) << "caps are high enough here for an exact comparison";
  auto queries = randomRecords(100, rng);
  CandidateSearch fromIncremental(incremental), fromRebuilt(rebuilt);
  std::size_t found = 0;
  for (const auto& query : queries) {
    auto x = fromIncremental.find(query);
    std::vector<std::uint32_t> first(x.begin(), x.end());
    auto y = fromRebuilt.find(query);
    EXPECT_EQ(first, std::vector<std::uint32_t>(y.begin(), y.end()));
    found += first.size();
  }
  EXPECT_GT(found, 100u);
  auto si = incremental.stats(), sr = rebuilt.stats();
  EXPECT_EQ(si.records, sr.records);
  EXPECT_EQ(si.memberships, sr.memberships);
  EXPECT_EQ(si.blocks, sr.blocks);
  EXPECT_EQ(si.recordsWithUnusableClk, sr.recordsWithUnusableClk);
}

}  // namespace
}  // namespace nser::linkage
