#include "linkage/blocking_metrics.h"

#include <gtest/gtest.h>

#include "linkage/blocking_candidates.h"
#include "tests/linkage/blocking_test_records.h"

namespace nser::linkage {
namespace {

using blocking_test::recordWith;
using blocking_test::token;

BlockingConfig phoneConfig(std::uint32_t maxBlockSize) {
  BlockingConfig config;
  config.maxBlockSize = maxBlockSize;
  config.strategies.push_back({"phone", TokenBlockSettings{{TokenKind::Phone}, 64}, 0});
  return config;
}

EncodedRecord phone(std::uint64_t value) { return recordWith({token(TokenKind::Phone, value)}); }

// A (3 records) x B (4 records), by hand:
//   A0 phone 1, entity 10    B0 phone 1, entity 10   -> candidate, true
//   A1 phone 2, entity 11    B1 phone 2, entity 12   -> candidate, false
//   A2 phone 3, entity 12    B2 phone 9, entity 11   -> true pair A1-B2 missed
//                            B3 phone 1, no entity   -> candidate A0-B3, false
// All pairs 12; candidates 3; true pairs (A0,B0), (A1,B2), (A2,B1) = 3; found 1.
TEST(BlockingMetrics, LinkageOnAHandMadeCase) {
  std::vector<EncodedRecord> a = {phone(1), phone(2), phone(3)};
  std::vector<EncodedRecord> b = {phone(1), phone(2), phone(9), phone(1)};
  std::vector<EntityId> truthA = {10, 11, 12}, truthB = {10, 12, 11, kNoEntity};
  auto index = buildBlockingIndex(phoneConfig(100), 0, b);
  auto q = evaluateLinkageBlocking(index, a, truthA, truthB);
  EXPECT_EQ(q.allPairs, 12u);
  EXPECT_EQ(q.candidatePairs, 3u);
  EXPECT_EQ(q.truePairs, 3u);
  EXPECT_EQ(q.truePairsFound, 1u);
  EXPECT_DOUBLE_EQ(q.reductionRatio, 1.0 - 3.0 / 12.0);
  EXPECT_DOUBLE_EQ(q.pairsCompleteness, 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(q.pairsQuality, 1.0 / 3.0);
  EXPECT_EQ(q.oversizeBlocks, 0u);
  auto line = describeBlockingQuality(q);
  EXPECT_NE(line.find("candidate_pairs=3 all_pairs=12 reduction_ratio=0.750000"), std::string::npos) << line;
  EXPECT_NE(line.find("pairs_completeness=0.333333"), std::string::npos) << line;

  // With a cap of 1 the phone-1 block (B0, B3) is skipped, and the report says so.
  auto capped = buildBlockingIndex(phoneConfig(1), 0, b);
  auto qc = evaluateLinkageBlocking(capped, a, truthA, truthB);
  EXPECT_EQ(qc.candidatePairs, 1u);
  EXPECT_EQ(qc.truePairsFound, 0u);
  EXPECT_EQ(qc.oversizeBlocks, 1u);
  EXPECT_EQ(qc.droppedMemberships, 2u);
  EXPECT_EQ(qc.oversizeLookups, 1u);
  EXPECT_EQ(qc.skippedMemberships, 2u);
}

// One dataset of 5: entities {0,1,2} = 7, {3} = 8, {4} = 9.
// Phones: 0,1 share phone 1; 2 has phone 2; 3,4 share phone 3.
// All pairs 10, true pairs 3 ((0,1),(0,2),(1,2)), candidates (0,1),(3,4): 2, found 1.
TEST(BlockingMetrics, DeduplicationOnAHandMadeCase) {
  std::vector<EncodedRecord> records = {phone(1), phone(1), phone(2), phone(3), phone(3)};
  std::vector<EntityId> truth = {7, 7, 7, 8, 9};
  auto index = buildBlockingIndex(phoneConfig(100), 0, records);
  auto q = evaluateDeduplicationBlocking(index, records, truth);
  EXPECT_EQ(q.allPairs, 10u);
  EXPECT_EQ(q.candidatePairs, 2u);
  EXPECT_EQ(q.truePairs, 3u);
  EXPECT_EQ(q.truePairsFound, 1u);
  EXPECT_DOUBLE_EQ(q.reductionRatio, 0.8);
  EXPECT_DOUBLE_EQ(q.pairsCompleteness, 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(q.pairsQuality, 0.5);
}

TEST(BlockingMetrics, EmptyCasesAreDefined) {
  std::vector<EntityId> none;
  auto counter = BlockingQualityCounter::forLinkage(none, none);
  auto q = counter.result({}, {});
  EXPECT_EQ(q.allPairs, 0u);
  EXPECT_DOUBLE_EQ(q.pairsCompleteness, 1.0) << "nothing to find";
  EXPECT_DOUBLE_EQ(q.pairsQuality, 0.0);
}

}  // namespace
}  // namespace nser::linkage
