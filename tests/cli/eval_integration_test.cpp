// Runs the real `nser eval` on small hand-made files whose metrics are
// computed by hand in the comments.
#include <gtest/gtest.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include "tests/support/process_harness.h"
#include "tests/support/temp_dir.h"

namespace nser::testing {
namespace {

ProcessResult nser(const std::vector<std::string>& args) { return runProcess(NSER_BINARY, args); }

// nser: n1->P1 n2->P2 n3->P3; prog: p1->P1 p2->P2 p3->P4 p4->P1.
// True nser x prog pairs: n1-p1, n1-p4, n2-p2.
class EvalCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    writeFile(dir_ / "truth.csv",
              "source,rec_id,person_id,household_id\n"
              "nser,n1,P1,H1\nnser,n2,P2,H1\nnser,n3,P3,H2\n"
              "prog,p1,P1,H1\nprog,p2,P2,H1\nprog,p3,P4,H3\nprog,p4,P1,H1\n");
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  TempDir dir_;
};

void expectLine(const std::string& out, const std::string& line) {
  EXPECT_NE(out.find(line + "\n"), std::string::npos) << "missing '" << line << "' in:\n" << out;
}

TEST_F(EvalCommand, ScoresAPairsFile) {
  // n1-p1 TP, n2-p2 TP, n3-p3 FP, n1-p1 again (counted once); FN: n1-p4.
  writeFile(dir_ / "pairs.csv", "a_id,b_id,score\nn1,p1,0.9\nn2,p2,0.8\nn3,p3,0.7\nn1,p1,0.9\n");
  const ProcessResult r = nser({"eval", "--truth", path("truth.csv"), "--pairs", path("pairs.csv"), "--a", "nser",
                                "--b", "prog"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  expectLine(r.out, "pair_rows: 4");
  expectLine(r.out, "predicted_pairs: 3");
  expectLine(r.out, "true_pairs: 3");
  expectLine(r.out, "pairwise_precision: 0.666667");
  expectLine(r.out, "pairwise_recall: 0.666667");
  expectLine(r.out, "pairwise_f1: 0.666667");
  expectLine(r.out, "true_positives: 2");
  expectLine(r.out, "false_positives: 1");
  expectLine(r.out, "false_negatives: 1");
}

TEST_F(EvalCommand, ThresholdAndJsonOutput) {
  writeFile(dir_ / "pairs.csv", "a_id,b_id,score\nn1,p1,0.9\nn2,p2,0.8\nn3,p3,0.7\n");
  const ProcessResult r = nser({"eval", "--truth", path("truth.csv"), "--pairs", path("pairs.csv"), "--a", "nser",
                                "--b", "prog", "--threshold", "0.75", "--json"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  Poco::JSON::Parser parser;
  const auto object = parser.parse(r.out).extract<Poco::JSON::Object::Ptr>();
  EXPECT_EQ(object->getValue<int>("pair_rows_below_threshold"), 1);
  EXPECT_EQ(object->getValue<int>("true_positives"), 2);
  EXPECT_EQ(object->getValue<int>("false_positives"), 0);
  EXPECT_EQ(object->getValue<int>("false_negatives"), 1);
  EXPECT_DOUBLE_EQ(object->getValue<double>("pairwise_precision"), 1.0);
  EXPECT_DOUBLE_EQ(object->getValue<double>("pairwise_f1"), 0.8);
  EXPECT_EQ(object->getValue<std::string>("source_a"), "nser");
}

TEST_F(EvalCommand, ScoresAClustersFileWithBCubed) {
  // Predicted {n1,p1,p4} {n3,p3}, n2 and p2 unmentioned (singletons).
  // Pairwise: TP 3, FP 1 (n3-p3), FN 1 (n2-p2). B-cubed P = R = 6/7.
  writeFile(dir_ / "clusters.csv",
            "source,rec_id,entity_id\nnser,n1,e1\nprog,p1,e1\nprog,p4,e1\nnser,n3,e2\nprog,p3,e2\n");
  const ProcessResult r = nser({"eval", "--truth", path("truth.csv"), "--clusters", path("clusters.csv")});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  expectLine(r.out, "records_evaluated: 7");
  expectLine(r.out, "records_not_in_clusters: 2");
  expectLine(r.out, "true_positives: 3");
  expectLine(r.out, "false_positives: 1");
  expectLine(r.out, "false_negatives: 1");
  expectLine(r.out, "pairwise_f1: 0.750000");
  expectLine(r.out, "bcubed_precision: 0.857143");
  expectLine(r.out, "bcubed_recall: 0.857143");
  expectLine(r.out, "bcubed_f1: 0.857143");
}

TEST_F(EvalCommand, MalformedRowsFailNamingFileAndLine) {
  writeFile(dir_ / "pairs.csv", "a_id,b_id,score\nn1,p1,0.9\nn2,\"p2,0.8\n");
  ProcessResult r = nser({"eval", "--truth", path("truth.csv"), "--pairs", path("pairs.csv"), "--a", "nser", "--b",
                          "prog"});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find("nser: error: " + path("pairs.csv") + ":3: unterminated quoted field"), std::string::npos)
      << r.err;

  writeFile(dir_ / "clusters.csv", "source,rec_id,entity_id\nnser,n1,e1\nprog,nobody,e1\n");
  r = nser({"eval", "--truth", path("truth.csv"), "--clusters", path("clusters.csv")});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find(path("clusters.csv") + ":3: rec_id is not a record"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("nobody"), std::string::npos) << "no identifier in errors";
}

TEST_F(EvalCommand, UsageErrorsExit2) {
  EXPECT_EQ(nser({"eval", "--truth", path("truth.csv")}).exitCode, 2);
  EXPECT_EQ(nser({"eval", "--truth", path("truth.csv"), "--pairs", "p.csv", "--clusters", "c.csv"}).exitCode, 2);
  EXPECT_EQ(nser({"eval", "--truth", path("truth.csv"), "--pairs", "p.csv", "--a", "nser"}).exitCode, 2);
  EXPECT_EQ(nser({"eval", "--clusters", "c.csv"}).exitCode, 2);
  const ProcessResult help = nser({"eval", "--help"});
  EXPECT_EQ(help.exitCode, 0);
  EXPECT_NE(help.out.find("Usage: nser eval"), std::string::npos);
}

}  // namespace
}  // namespace nser::testing
