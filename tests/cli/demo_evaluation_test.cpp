// cli/demo_evaluation.h: joining the hub's entity membership with the
// custodians' reference maps, the clusters file, and the overlap matrix with
// small cells suppressed.
#include "cli/demo_evaluation.h"

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

using nser::cli::DemoEvaluationError;
using nser::cli::Membership;
using nser::testing::readFile;
using nser::testing::TempDir;
using nser::testing::writeFile;

namespace {

TEST(DemoEvaluation, JoinsHubMembershipWithEachCustodiansReferencesAndCountsWhatDoesNotJoin) {
  TempDir dir("demo-evaluation");
  writeFile(dir.path() / "hub.csv",
            "entity_id,custodian,reference\n7,nser,ref-a\n7,punjab,ref-b\n9,nser,ref-c\n9,nser,ref-unmapped\n"
            "4,kafaalat,ref-z\n");
  writeFile(dir.path() / "nser.csv", "source_key,reference\nnser-1,ref-a\n\"nser,2\",ref-c\nnser-3,ref-never-pushed\n");
  writeFile(dir.path() / "punjab.csv", "source_key,reference\npunjab-1,ref-b\n");
  const auto joined = nser::cli::joinMemberships(
      dir.path() / "hub.csv", {{"nser", dir.path() / "nser.csv"}, {"punjab", dir.path() / "punjab.csv"}});
  ASSERT_EQ(joined.members.size(), 3u);
  EXPECT_EQ(joined.members[0].custodian, "nser");
  EXPECT_EQ(joined.members[0].sourceKey, "nser-1");
  EXPECT_EQ(joined.members[0].entity, 7u);
  EXPECT_EQ(joined.members[1].sourceKey, "punjab-1");
  EXPECT_EQ(joined.members[2].sourceKey, "nser,2");
  EXPECT_EQ(joined.members[2].entity, 9u);
  EXPECT_EQ(joined.unknownReferences, 1u);  // ref-unmapped; kafaalat is not evaluated
  EXPECT_EQ(joined.notAtHub, 1u);           // ref-never-pushed
}

TEST(DemoEvaluation, MalformedInputNamesFileAndLine) {
  TempDir dir("demo-evaluation");
  writeFile(dir.path() / "hub.csv", "entity_id,custodian,reference\n7,nser,ref-a\nseven,nser,ref-b\n");
  writeFile(dir.path() / "nser.csv", "source_key,reference\nnser-1,ref-a\n");
  try {
    nser::cli::joinMemberships(dir.path() / "hub.csv", {{"nser", dir.path() / "nser.csv"}});
    FAIL() << "accepted a non-numeric entity id";
  } catch (const DemoEvaluationError& e) {
    EXPECT_NE(std::string(e.what()).find("hub.csv:3: entity_id is not a number"), std::string::npos) << e.what();
  }
  writeFile(dir.path() / "dup.csv", "source_key,reference\nnser-1,ref-a\nnser-2,ref-a\n");
  try {
    nser::cli::joinMemberships(dir.path() / "hub.csv", {{"nser", dir.path() / "dup.csv"}});
    FAIL() << "accepted a reference listed twice";
  } catch (const DemoEvaluationError& e) {
    EXPECT_NE(std::string(e.what()).find("dup.csv:3: reference listed twice"), std::string::npos) << e.what();
  }
  writeFile(dir.path() / "nocolumn.csv", "key,reference\nnser-1,ref-a\n");
  EXPECT_THROW(nser::cli::joinMemberships(dir.path() / "hub.csv", {{"nser", dir.path() / "nocolumn.csv"}}),
               DemoEvaluationError);
}

TEST(DemoEvaluation, WritesTheClustersFormatOfNserLink) {
  TempDir dir("demo-evaluation");
  nser::cli::writeClusters({{"nser", "nser-1", 7}, {"punjab", "punjab-1", 7}}, dir.path() / "clusters.csv");
  EXPECT_EQ(readFile(dir.path() / "clusters.csv"), "source,rec_id,entity_id\nnser,nser-1,7\npunjab,punjab-1,7\n");
  EXPECT_THROW(nser::cli::writeClusters({{"nser", "nser,1", 7}}, dir.path() / "bad.csv"), DemoEvaluationError);
}

TEST(DemoEvaluation, OverlapCountsEntitiesHeldByBothAndSuppressesCellsBelowTen) {
  std::vector<Membership> members;
  // 12 people in both nser and punjab, 3 in nser and sindh, one nser-only;
  // one entity with two NSER records counts once.
  for (std::uint64_t e = 1; e <= 12; ++e) {
    members.push_back({"nser", "n" + std::to_string(e), e});
    members.push_back({"punjab", "p" + std::to_string(e), e});
  }
  for (std::uint64_t e = 20; e < 23; ++e) {
    members.push_back({"nser", "n" + std::to_string(e), e});
    members.push_back({"sindh", "s" + std::to_string(e), e});
  }
  members.push_back({"nser", "n30", 30});
  members.push_back({"nser", "n30b", 30});
  const auto matrix = nser::cli::overlapMatrix(members, {"nser", "punjab", "sindh", "kp"});
  EXPECT_EQ(matrix.entities[0][0], 16u);
  EXPECT_EQ(matrix.entities[0][1], 12u);
  EXPECT_EQ(matrix.entities[1][0], 12u);
  EXPECT_EQ(matrix.entities[0][2], 3u);
  EXPECT_EQ(matrix.entities[1][2], 0u);
  EXPECT_EQ(matrix.cell(0, 0), "16");
  EXPECT_EQ(matrix.cell(0, 1), "12");
  EXPECT_EQ(matrix.cell(0, 2), "<10");
  EXPECT_EQ(matrix.cell(2, 2), "<10");
  EXPECT_EQ(matrix.cell(3, 3), "<10");  // zero is suppressed too
}

}  // namespace
