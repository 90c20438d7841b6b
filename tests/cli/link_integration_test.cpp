// Runs the real `nser synth`, `nser link` and `nser eval`.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "linkage/csv_reader.h"
#include "tests/support/process_harness.h"
#include "tests/support/temp_dir.h"

namespace nser::testing {
namespace {

const std::string kSchema = std::string(NSER_SOURCE_DIR) + "/schemas/linkage/nser-person-v1.json";

ProcessResult nser(const std::vector<std::string>& args) { return runProcess(NSER_BINARY, args, std::chrono::minutes(5)); }

class NserLink : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir("nser-link");
    ProcessResult synth = nser({"synth", "--people", "3000", "--seed", "11", "--out", (*dir_ / "synth").string()});
    ASSERT_EQ(synth.exitCode, 0) << synth.err;
    secret_ = (*dir_ / "linkage.key").string();
    writeFile(secret_, "link integration test secret, fixed for repeatable runs\n");
    chmod(secret_.c_str(), 0600);
  }
  static void TearDownTestSuite() { delete dir_; }
  static std::string path(const std::string& name) { return (*dir_ / name).string(); }
  static std::string synth(const std::string& source) { return (*dir_ / "synth" / (source + ".csv")).string(); }

  static double metric(const std::string& evalOutput, const std::string& name) {
    std::istringstream in(evalOutput);
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind(name + ": ", 0) == 0) return std::stod(line.substr(name.size() + 2));
    }
    return -1;
  }

  static TempDir* dir_;
  static std::string secret_;
};
TempDir* NserLink::dir_ = nullptr;
std::string NserLink::secret_;

TEST_F(NserLink, LinksTwoSourcesAccuratelyAndReportsWhatItDid) {
  ProcessResult link = nser({"link", "--schema", kSchema, "--secret-file", secret_, "--out", path("pairs.csv"),
                             "--model", path("model.json"), synth("nser"), synth("punjab")});
  ASSERT_EQ(link.exitCode, 0) << link.err;
  for (const char* key : {"model trained: EM converged", "candidate_pairs=", "comparisons=", "matches=", "seconds=",
                          "peak_memory_mib="}) {
    EXPECT_NE(link.err.find(key), std::string::npos) << key << " missing in:\n" << link.err;
  }
  EXPECT_EQ(readFile(path("pairs.csv")).rfind("a_id,b_id,score\n", 0), 0u);
  ProcessResult eval = nser({"eval", "--truth", (*dir_ / "synth" / "truth.csv").string(), "--pairs", path("pairs.csv"),
                             "--a", "nser", "--b", "punjab"});
  ASSERT_EQ(eval.exitCode, 0) << eval.err;
  EXPECT_GE(metric(eval.out, "pairwise_f1"), 0.95) << eval.out;
  EXPECT_GE(metric(eval.out, "pairwise_precision"), 0.97) << eval.out;
}

TEST_F(NserLink, ASavedModelLoadsBackAndGivesIdenticalPairs) {
  ASSERT_EQ(nser({"link", "--schema", kSchema, "--secret-file", secret_, "--out", path("first.csv"), "--model",
                  path("saved.json"), synth("nser"), synth("sindh")})
                .exitCode,
            0);
  ProcessResult again = nser({"link", "--schema", kSchema, "--secret-file", secret_, "--out", path("second.csv"),
                              "--model", path("saved.json"), synth("nser"), synth("sindh")});
  ASSERT_EQ(again.exitCode, 0) << again.err;
  EXPECT_NE(again.err.find("model loaded from"), std::string::npos);
  EXPECT_EQ(readFile(path("first.csv")), readFile(path("second.csv")));
  EXPECT_GT(readFile(path("first.csv")).size(), 100u);
}

TEST_F(NserLink, ClustersManySourcesWithAtMostOneRecordPerSourcePerEntity) {
  ProcessResult link = nser({"link", "--schema", kSchema, "--secret-file", secret_, "--clusters", path("clusters.csv"),
                             "--threads", "2", synth("nser"), synth("punjab"), synth("sindh"), synth("kafaalat")});
  ASSERT_EQ(link.exitCode, 0) << link.err;
  std::ifstream in(path("clusters.csv"));
  linkage::CsvReader reader(in);
  std::vector<std::string> row;
  ASSERT_EQ(reader.next(row), linkage::CsvStatus::Record);
  EXPECT_EQ(row, (std::vector<std::string>{"source", "rec_id", "entity_id"}));
  std::map<std::string, std::set<std::string>> sourcesOfEntity;
  std::size_t rows = 0, duplicates = 0;
  while (reader.next(row) == linkage::CsvStatus::Record) {
    ++rows;
    if (!sourcesOfEntity[row[2]].insert(row[0]).second) ++duplicates;
  }
  EXPECT_GT(rows, 3000u);
  EXPECT_EQ(duplicates, 0u) << "an entity holds two records of one source";
  EXPECT_LT(sourcesOfEntity.size(), rows) << "some records were linked";
  ProcessResult eval = nser({"eval", "--truth", (*dir_ / "synth" / "truth.csv").string(), "--clusters", path("clusters.csv")});
  ASSERT_EQ(eval.exitCode, 0) << eval.err;
  EXPECT_GE(metric(eval.out, "pairwise_f1"), 0.93) << eval.out;
}

TEST_F(NserLink, ExplainsOnePairFieldByField) {
  // The first NSER record and its Punjab counterpart (if any) from the truth file.
  std::ifstream truth((*dir_ / "synth" / "truth.csv").string());
  linkage::CsvReader reader(truth);
  std::vector<std::string> row;
  std::map<std::string, std::map<std::string, std::string>> recordOf;  // person -> source -> rec_id
  reader.next(row);
  while (reader.next(row) == linkage::CsvStatus::Record) recordOf[row[2]][row[0]] = row[1];
  std::string a, b;
  for (const auto& [person, bySource] : recordOf) {
    if (bySource.count("nser") && bySource.count("punjab")) {
      a = bySource.at("nser");
      b = bySource.at("punjab");
      break;
    }
  }
  ASSERT_FALSE(a.empty());
  ProcessResult link = nser({"link", "--schema", kSchema, "--secret-file", secret_, "--out", path("explain.csv"),
                             "--explain", a, "--explain", b, synth("nser"), synth("punjab")});
  ASSERT_EQ(link.exitCode, 0) << link.err;
  EXPECT_NE(link.out.find("explain " + a + " " + b), std::string::npos) << link.out;
  for (const char* comparison : {"name", "cnic", "birth_date", "district"}) {
    EXPECT_NE(link.out.find(comparison), std::string::npos) << comparison << " missing in:\n" << link.out;
  }
}

TEST_F(NserLink, RefusesMixedSchemasOrKeys) {
  const std::string other = path("other.key");
  writeFile(other, "a different secret for the second file!!\n");
  chmod(other.c_str(), 0600);
  ASSERT_EQ(nser({"encode", "--schema", kSchema, "--secret-file", secret_, "--out", path("a.enc"), synth("sindh")}).exitCode, 0);
  ASSERT_EQ(nser({"encode", "--schema", kSchema, "--secret-file", other, "--out", path("b.enc"), synth("punjab")}).exitCode, 0);
  ProcessResult link = nser({"link", "--settings", std::string(NSER_SOURCE_DIR) + "/schemas/linkage/nser-person-v1.link.json",
                             "--out", path("mixed.csv"), path("a.enc"), path("b.enc")});
  EXPECT_EQ(link.exitCode, 1);
  EXPECT_NE(link.err.find("encoded with another schema or key"), std::string::npos) << link.err;
}

}  // namespace
}  // namespace nser::testing
