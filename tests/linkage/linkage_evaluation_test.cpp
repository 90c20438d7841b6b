#include "linkage/linkage_evaluation.h"

#include <gtest/gtest.h>

#include <functional>
#include <tuple>

#include "tests/support/temp_dir.h"

namespace nser::linkage {
namespace {

using nser::testing::TempDir;
using nser::testing::writeFile;

// Truth used by the hand-computed cases:
//   nser: n1->P1, n2->P2, n3->P3          prog: p1->P1, p2->P2, p3->P4, p4->P1
// True nser x prog pairs: P1 has 1 x 2 (n1-p1, n1-p4), P2 has 1 (n2-p2): 3.
TruthIndex handMadeTruth() {
  TruthIndex truth;
  for (const auto& [source, record, person] : std::vector<std::tuple<const char*, const char*, const char*>>{
           {"nser", "n1", "P1"}, {"nser", "n2", "P2"}, {"nser", "n3", "P3"},
           {"prog", "p1", "P1"}, {"prog", "p2", "P2"}, {"prog", "p3", "P4"}, {"prog", "p4", "P1"}}) {
    EXPECT_TRUE(truth.add(source, record, person));
  }
  return truth;
}

TEST(PairwiseMetrics, RatiosAndTheirEmptyCases) {
  const PairwiseMetrics m{6, 2, 4};
  EXPECT_DOUBLE_EQ(m.precision(), 0.75);
  EXPECT_DOUBLE_EQ(m.recall(), 0.6);
  EXPECT_DOUBLE_EQ(m.f1(), 2 * 0.75 * 0.6 / 1.35);
  const PairwiseMetrics nothingPredicted{0, 0, 5};
  EXPECT_DOUBLE_EQ(nothingPredicted.precision(), 1.0);
  EXPECT_DOUBLE_EQ(nothingPredicted.recall(), 0.0);
  EXPECT_DOUBLE_EQ(nothingPredicted.f1(), 0.0);
}

TEST(PairListEvaluator, CountsDistinctPairsAgainstTrueCrossSourcePairs) {
  const TruthIndex truth = handMadeTruth();
  PairListEvaluator evaluator(truth, "nser", "prog");
  EXPECT_EQ(evaluator.truePairs(), 3u);
  EXPECT_EQ(evaluator.add("n1", "p1"), PairOutcome::Counted);  // TP
  EXPECT_EQ(evaluator.add("n2", "p2"), PairOutcome::Counted);  // TP
  EXPECT_EQ(evaluator.add("n3", "p3"), PairOutcome::Counted);  // FP
  EXPECT_EQ(evaluator.add("n1", "p1"), PairOutcome::Counted);  // duplicate: counted once
  EXPECT_EQ(evaluator.add("p1", "n1"), PairOutcome::UnknownA);
  EXPECT_EQ(evaluator.add("n1", "zz"), PairOutcome::UnknownB);
  const PairwiseMetrics m = evaluator.finish();
  EXPECT_EQ(m.truePositives, 2u);
  EXPECT_EQ(m.falsePositives, 1u);
  EXPECT_EQ(m.falseNegatives, 1u);  // n1-p4
  EXPECT_DOUBLE_EQ(m.precision(), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(m.recall(), 2.0 / 3.0);
  EXPECT_EQ(evaluator.distinctPredictedPairs(), 3u);
}

TEST(PairListEvaluator, WithinOneSourcePairsAreUnordered) {
  const TruthIndex truth = handMadeTruth();
  PairListEvaluator evaluator(truth, "prog", "prog");
  EXPECT_EQ(evaluator.truePairs(), 1u);  // p1-p4
  EXPECT_EQ(evaluator.add("p4", "p1"), PairOutcome::Counted);
  EXPECT_EQ(evaluator.add("p1", "p4"), PairOutcome::Counted);
  EXPECT_EQ(evaluator.add("p1", "p1"), PairOutcome::SelfPair);
  const PairwiseMetrics m = evaluator.finish();
  EXPECT_EQ(m.truePositives, 1u);
  EXPECT_EQ(m.falsePositives, 0u);
  EXPECT_EQ(m.falseNegatives, 0u);
}

TEST(PairListEvaluator, UnknownSourceIsAnError) {
  const TruthIndex truth = handMadeTruth();
  EXPECT_THROW(PairListEvaluator(truth, "nser", "punjab"), EvaluationInputError);
}

TEST(EvaluatePartition, HandComputedPairwiseAndBCubed) {
  // truth  A A A A B ; predicted x x y y y
  // cells: (x,A)=2 (y,A)=2 (y,B)=1
  // pairwise: TP = 1+1 = 2; predicted pairs = 1+3 = 4; true pairs = 6
  // B-cubed precision = (2*2/2 + 2*2/3 + 1/3) / 5 = 11/15; recall = (4/4 + 4/4 + 1/1) / 5 = 3/5
  const std::vector<std::uint64_t> truth{0, 0, 0, 0, 1};
  const std::vector<std::uint64_t> predicted{7, 7, 9, 9, 9};
  const PartitionEvaluation e = evaluatePartition(predicted, truth);
  EXPECT_EQ(e.pairwise.truePositives, 2u);
  EXPECT_EQ(e.pairwise.falsePositives, 2u);
  EXPECT_EQ(e.pairwise.falseNegatives, 4u);
  EXPECT_DOUBLE_EQ(e.pairwise.precision(), 0.5);
  EXPECT_DOUBLE_EQ(e.pairwise.recall(), 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(e.pairwise.f1(), 0.4);
  EXPECT_DOUBLE_EQ(e.bcubed.precision, 11.0 / 15.0);
  EXPECT_DOUBLE_EQ(e.bcubed.recall, 0.6);
  EXPECT_NEAR(e.bcubed.f1(), 0.66, 1e-12);
  EXPECT_EQ(e.predictedEntities, 2u);
  EXPECT_EQ(e.trueEntities, 2u);
}

TEST(EvaluatePartition, PerfectAndAllSingletons) {
  const std::vector<std::uint64_t> truth{0, 0, 1, 2, 2, 2};
  const PartitionEvaluation perfect = evaluatePartition(std::vector<std::uint64_t>{5, 5, 6, 7, 7, 7}, truth);
  EXPECT_DOUBLE_EQ(perfect.pairwise.f1(), 1.0);
  EXPECT_DOUBLE_EQ(perfect.bcubed.f1(), 1.0);
  const PartitionEvaluation singletons = evaluatePartition(std::vector<std::uint64_t>{0, 1, 2, 3, 4, 5}, truth);
  EXPECT_EQ(singletons.pairwise.truePositives, 0u);
  EXPECT_EQ(singletons.pairwise.falseNegatives, 4u);
  EXPECT_DOUBLE_EQ(singletons.pairwise.precision(), 1.0);
  EXPECT_DOUBLE_EQ(singletons.pairwise.recall(), 0.0);
  EXPECT_DOUBLE_EQ(singletons.bcubed.precision, 1.0);
  // Recall per record: 1/2, 1/2, 1, 1/3, 1/3, 1/3 -> 3/6.
  EXPECT_DOUBLE_EQ(singletons.bcubed.recall, 0.5);
}

TEST(ClusterEvaluator, UnmentionedRecordsOfClusteredSourcesAreSingletons) {
  const TruthIndex truth = handMadeTruth();
  ClusterEvaluator evaluator(truth);
  EXPECT_EQ(evaluator.add("nser", "n1", "e1"), AssignmentOutcome::Counted);
  EXPECT_EQ(evaluator.add("prog", "p1", "e1"), AssignmentOutcome::Counted);
  EXPECT_EQ(evaluator.add("prog", "p4", "e1"), AssignmentOutcome::Counted);
  EXPECT_EQ(evaluator.add("nser", "n3", "e2"), AssignmentOutcome::Counted);
  EXPECT_EQ(evaluator.add("prog", "p3", "e2"), AssignmentOutcome::Counted);
  EXPECT_EQ(evaluator.add("prog", "p3", "e9"), AssignmentOutcome::Duplicate);
  EXPECT_EQ(evaluator.add("punjab", "x", "e1"), AssignmentOutcome::UnknownSource);
  EXPECT_EQ(evaluator.add("nser", "zz", "e1"), AssignmentOutcome::UnknownRecord);
  EXPECT_EQ(evaluator.recordsNotAssigned(), 2u);  // n2, p2
  // Predicted {n1,p1,p4} {n3,p3} {n2} {p2}; truth {n1,p1,p4} {n2,p2} {n3} {p3}.
  // TP 3, predicted pairs 3+1 = 4, true pairs 3+1 = 4.
  const PartitionEvaluation e = evaluator.finish();
  EXPECT_EQ(e.records, 7u);
  EXPECT_EQ(e.pairwise.truePositives, 3u);
  EXPECT_EQ(e.pairwise.falsePositives, 1u);
  EXPECT_EQ(e.pairwise.falseNegatives, 1u);
  // B-cubed precision: n1,p1,p4 -> 1; n3,p3 -> 1/2; n2,p2 -> 1: (3 + 1 + 2) / 7.
  EXPECT_DOUBLE_EQ(e.bcubed.precision, 6.0 / 7.0);
  // B-cubed recall: n1,p1,p4 -> 1; n2,p2 -> 1/2; n3,p3 -> 1: (3 + 1 + 2) / 7.
  EXPECT_DOUBLE_EQ(e.bcubed.recall, 6.0 / 7.0);
}

TEST(ClusterEvaluator, SourcesAbsentFromTheClustersAreNotScored) {
  const TruthIndex truth = handMadeTruth();
  ClusterEvaluator evaluator(truth);
  evaluator.add("nser", "n1", "a");
  evaluator.add("nser", "n2", "b");
  const PartitionEvaluation e = evaluator.finish();
  EXPECT_EQ(e.records, 3u);  // n1, n2 and the unmentioned n3; no prog record
  EXPECT_EQ(e.pairwise.falseNegatives, 0u);
  EXPECT_DOUBLE_EQ(e.bcubed.f1(), 1.0);
}

TEST(EvaluationFiles, ReadTheSynthAndLinkFormats) {
  TempDir dir;
  writeFile(dir / "truth.csv",
            "source,rec_id,person_id,household_id\n"
            "nser,n1,P1,H1\nnser,n2,P2,H1\nnser,n3,P3,H2\n"
            "prog,p1,P1,H1\nprog,p2,P2,H1\nprog,p3,P4,H3\nprog,p4,P1,H1\n");
  writeFile(dir / "pairs.csv", "a_id,b_id,score\nn1,p1,12.5\nn2,p2,3.25\n\"n3\",p3,9\nn2,p4,-1.0\n");
  const TruthIndex truth = TruthIndex::load((dir / "truth.csv").string());
  EXPECT_EQ(truth.size(), 7u);
  const PairFileEvaluation all = evaluatePairsFile(truth, (dir / "pairs.csv").string(), "nser", "prog", std::nullopt);
  EXPECT_EQ(all.rows, 4u);
  EXPECT_EQ(all.metrics.truePositives, 2u);
  EXPECT_EQ(all.metrics.falsePositives, 2u);
  EXPECT_EQ(all.metrics.falseNegatives, 1u);
  const PairFileEvaluation above = evaluatePairsFile(truth, (dir / "pairs.csv").string(), "nser", "prog", 5.0);
  EXPECT_EQ(above.rowsBelowThreshold, 2u);
  EXPECT_EQ(above.metrics.truePositives, 1u);
  EXPECT_EQ(above.metrics.falsePositives, 1u);
  EXPECT_EQ(above.metrics.falseNegatives, 2u);

  writeFile(dir / "clusters.csv", "source,rec_id,entity_id\nnser,n1,7\nprog,p1,7\nprog,p4,7\nnser,n2,8\nprog,p2,8\n");
  const ClusterFileEvaluation c = evaluateClustersFile(truth, (dir / "clusters.csv").string());
  EXPECT_EQ(c.rows, 5u);
  EXPECT_EQ(c.recordsNotAssigned, 2u);
  EXPECT_EQ(c.evaluation.pairwise.truePositives, 4u);
  EXPECT_EQ(c.evaluation.pairwise.falsePositives, 0u);
  EXPECT_EQ(c.evaluation.pairwise.falseNegatives, 0u);
}

std::string errorOf(const std::function<void()>& action) {
  try {
    action();
  } catch (const EvaluationInputError& e) {
    return e.what();
  }
  return "no error";
}

TEST(EvaluationFiles, ErrorsNameFileAndLineButNoIdentifier) {
  TempDir dir;
  const std::string truthPath = (dir / "truth.csv").string();
  writeFile(truthPath, "source,rec_id,person_id\nnser,n1,P1\nnser,n1,P2\n");
  EXPECT_EQ(errorOf([&] { TruthIndex::load(truthPath); }),
            truthPath + ":3: duplicate record (the same source and rec_id appear earlier)");
  writeFile(truthPath, "source,rec_id\nnser,n1\n");
  EXPECT_EQ(errorOf([&] { TruthIndex::load(truthPath); }), truthPath + ":1: header has no column 'person_id'");
  writeFile(truthPath, "source,rec_id,person_id\nnser,n1,P1\nnser,\"n2,P2\n");
  EXPECT_EQ(errorOf([&] { TruthIndex::load(truthPath); }), truthPath + ":3: unterminated quoted field");
  writeFile(truthPath, "source,rec_id,person_id\nnser,n1,P1\nprog,p1,P1\n");
  const TruthIndex truth = TruthIndex::load(truthPath);

  const std::string pairsPath = (dir / "pairs.csv").string();
  writeFile(pairsPath, "a_id,b_id,score\nn1,p1,0.9\nn1,p1\n");
  EXPECT_EQ(errorOf([&] { evaluatePairsFile(truth, pairsPath, "nser", "prog", std::nullopt); }),
            pairsPath + ":3: expected 3 fields, found 2");
  writeFile(pairsPath, "a_id,b_id,score\nn1,p1,high\n");
  EXPECT_EQ(errorOf([&] { evaluatePairsFile(truth, pairsPath, "nser", "prog", std::nullopt); }),
            pairsPath + ":2: score is not a number");
  writeFile(pairsPath, "a_id,b_id,score\nn1,p1,0.9\n\nn1,secret-id,0.8\n");
  const std::string unknown = errorOf([&] { evaluatePairsFile(truth, pairsPath, "nser", "prog", std::nullopt); });
  EXPECT_EQ(unknown, pairsPath + ":4: b_id is not a record of source 'prog' in the truth file");
  EXPECT_EQ(unknown.find("secret-id"), std::string::npos);

  const std::string clustersPath = (dir / "clusters.csv").string();
  writeFile(clustersPath, "source,rec_id,entity_id\nnser,n1,1\nnser,n1,2\n");
  EXPECT_EQ(errorOf([&] { evaluateClustersFile(truth, clustersPath); }), clustersPath + ":3: record listed twice");
  EXPECT_EQ(errorOf([&] { TruthIndex::load((dir / "missing.csv").string()); }),
            (dir / "missing.csv").string() + ": cannot open file");
}

}  // namespace
}  // namespace nser::linkage
