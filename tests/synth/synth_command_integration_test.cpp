// `nser synth` through the real binary.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "tests/support/process_harness.h"
#include "tests/support/temp_dir.h"
#include "synth/csv_format.h"

namespace nser::synth {
namespace {

namespace fs = std::filesystem;
using nser::testing::readFile;
using nser::testing::runProcess;
using nser::testing::TempDir;

const std::string kAdminCodes = std::string(NSER_SHARED_DIR) + "/data/pk_admin_codes.csv";
const char* const kSources[] = {"nser", "punjab", "sindh", "kp", "balochistan", "kafaalat"};

std::vector<std::vector<std::string>> readCsv(const fs::path& path) {
  std::ifstream in(path);
  std::vector<std::vector<std::string>> rows;
  std::string line;
  std::vector<std::string> fields;
  while (std::getline(in, line)) {
    EXPECT_TRUE(splitCsvLine(line, fields));
    rows.push_back(fields);
  }
  return rows;
}

TEST(SynthCommand, WritesEverySourceTruthAndStats) {
  TempDir dir;
  const auto out = dir / "out";
  const auto result = runProcess(NSER_BINARY, {"synth", "--people", "3000", "--seed", "42", "--out", out.string(),
                                               "--admin-codes", kAdminCodes});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_NE(result.out.find("people=3000"), std::string::npos) << result.out;

  std::map<std::string, std::set<std::string>> truth;
  const auto truthRows = readCsv(out / "truth.csv");
  ASSERT_GT(truthRows.size(), 3000u);
  EXPECT_EQ(truthRows[0], (std::vector<std::string>{"source", "rec_id", "person_id", "household_id"}));
  for (std::size_t i = 1; i < truthRows.size(); ++i) truth[truthRows[i][0]].insert(truthRows[i][1]);

  const std::vector<std::string> header = {"rec_id", "cnic", "name", "relation_type", "relation_name", "gender", "dob",
                                           "district", "tehsil", "province", "address", "phone", "pmt_score",
                                           "household_size", "disability", "school_enrolled"};
  for (const char* source : kSources) {
    SCOPED_TRACE(source);
    const auto rows = readCsv(out / (std::string(source) + ".csv"));
    ASSERT_GT(rows.size(), 1u);
    EXPECT_TRUE(std::equal(header.begin(), header.end(), rows[0].begin()));
    EXPECT_EQ(rows[0].size(), header.size() + (std::string(source) == "nser" ? 1 : 0));
    for (std::size_t i = 1; i < rows.size(); ++i) EXPECT_TRUE(truth[source].count(rows[i][0])) << rows[i][0];
    EXPECT_EQ(truth[source].size(), rows.size() - 1);
  }
  const std::string stats = readFile(out / "stats.json");
  EXPECT_NE(stats.find("\"overlap\""), std::string::npos);
  EXPECT_NE(stats.find("\"name.transliteration\""), std::string::npos);

  // Same arguments, same bytes.
  const auto again = dir / "again";
  ASSERT_EQ(runProcess(NSER_BINARY, {"synth", "--people", "3000", "--seed", "42", "--out", again.string(),
                                     "--admin-codes", kAdminCodes})
                .exitCode,
            0);
  for (const char* file : {"nser.csv", "kafaalat.csv", "truth.csv", "stats.json"})
    EXPECT_EQ(readFile(out / file), readFile(again / file)) << file;
}

TEST(SynthCommand, ReadsASourcesFile) {
  TempDir dir;
  const auto result =
      runProcess(NSER_BINARY, {"synth", "--people", "2000", "--seed", "1", "--out", (dir / "o").string(),
                               "--admin-codes", kAdminCodes, "--profile", "hard", "--sources",
                               std::string(NSER_SOURCE_DIR) + "/schemas/synth-sources.example.json"});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_TRUE(fs::exists(dir / "o" / "taleemi.csv"));
}

TEST(SynthCommand, UsageAndDataErrors) {
  TempDir dir;
  EXPECT_EQ(runProcess(NSER_BINARY, {"synth", "--seed", "1", "--out", dir.path().string()}).exitCode, 2);
  EXPECT_EQ(runProcess(NSER_BINARY, {"synth", "--people", "10", "--seed", "1", "--out", dir.path().string(),
                                     "--profile", "messy"})
                .exitCode,
            2);
  EXPECT_EQ(runProcess(NSER_BINARY, {"synth", "--people", "0", "--seed", "1", "--out", dir.path().string()}).exitCode,
            2);
  const auto missing = runProcess(NSER_BINARY, {"synth", "--people", "10", "--seed", "1", "--out",
                                                dir.path().string(), "--admin-codes", "/nonexistent/codes.csv"});
  EXPECT_EQ(missing.exitCode, 1);
  EXPECT_NE(missing.err.find("codes.csv"), std::string::npos) << missing.err;
  nser::testing::writeFile(dir / "bad.json", R"({"sources":[{"name":"x","coverage":2}]})");
  const auto bad = runProcess(NSER_BINARY, {"synth", "--people", "10", "--seed", "1", "--out", (dir / "o").string(),
                                            "--admin-codes", kAdminCodes, "--sources", (dir / "bad.json").string()});
  EXPECT_EQ(bad.exitCode, 1);
  EXPECT_NE(bad.err.find("sources[0].coverage"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace nser::synth
