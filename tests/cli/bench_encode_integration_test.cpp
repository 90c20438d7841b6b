// Runs the real `nser bench encode` on `nser synth` data.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/process_harness.h"
#include "tests/support/temp_dir.h"

namespace nser::testing {
namespace {

const std::string kSchema = std::string(NSER_SOURCE_DIR) + "/schemas/linkage/nser-person-v1.json";

ProcessResult nser(const std::vector<std::string>& args) { return runProcess(NSER_BINARY, args, std::chrono::minutes(5)); }

std::map<std::string, std::string> keyValues(const std::string& text) {
  std::map<std::string, std::string> values;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    const auto eq = line.find('=');
    if (eq != std::string::npos) values[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return values;
}

std::size_t dataRows(const std::string& csv) {
  std::istringstream lines(readFile(csv));
  std::size_t rows = 0;
  for (std::string line; std::getline(lines, line);) ++rows;
  return rows - 1;  // header (synth writes no quoted newlines in these columns)
}

class NserBenchEncode : public ::testing::Test {
 protected:
  void SetUp() override {
    ProcessResult synth = nser({"synth", "--people", "300", "--seed", "11", "--out", (dir_ / "synth").string()});
    ASSERT_EQ(synth.exitCode, 0) << synth.err;
    input_ = (dir_ / "synth" / "nser.csv").string();
    secret_ = (dir_ / "linkage.key").string();
    writeFile(secret_, "bench-encode integration secret, fixed for repeatable runs\n");
    chmod(secret_.c_str(), 0600);
  }
  TempDir dir_;
  std::string input_;
  std::string secret_;
};

TEST_F(NserBenchEncode, ReportsEveryRecordAndAPositiveRate) {
  ProcessResult run =
      nser({"bench", "encode", "--schema", kSchema, "--secret-file", secret_, "--repeat", "2", "--digest", input_});
  ASSERT_EQ(run.exitCode, 0) << run.err;
  auto values = keyValues(run.out);
  const std::size_t rows = dataRows(input_);
  ASSERT_GT(rows, 0u);
  EXPECT_EQ(values["schema"], "nser-person-v1");
  EXPECT_EQ(values["threads"], "1");
  EXPECT_EQ(values["repeat"], "2");
  EXPECT_EQ(std::stoull(values["records"]), rows);
  EXPECT_EQ(std::stoull(values["encoded"]) + std::stoull(values["quarantined"]), rows);
  EXPECT_GT(std::stoull(values["encoded"]), rows * 9 / 10);
  EXPECT_GT(std::stod(values["cpu_seconds"]), 0.0);
  EXPECT_GT(std::stoll(values["records_per_second"]), 0);
  EXPECT_EQ(values["output_digest"].size(), 64u);

  // The same count as `nser encode` encodes from the same file.
  ProcessResult encode = nser({"encode", "--schema", kSchema, "--secret-file", secret_, "--out",
                               (dir_ / "out.enc").string(), "--quiet", input_});
  ASSERT_EQ(encode.exitCode, 0) << encode.err;
  EXPECT_NE(encode.err.find("encoded=" + values["encoded"] + " "), std::string::npos) << encode.err;
}

TEST_F(NserBenchEncode, DigestIsDeterministicAndDependsOnTheSecret) {
  auto digestOf = [&](const std::string& secret) {
    ProcessResult run = nser({"bench", "encode", "--schema", kSchema, "--secret-file", secret, "--repeat", "1",
                              "--digest", input_});
    EXPECT_EQ(run.exitCode, 0) << run.err;
    return keyValues(run.out)["output_digest"];
  };
  const std::string first = digestOf(secret_);
  EXPECT_EQ(first, digestOf(secret_));
  const std::string other = (dir_ / "other.key").string();
  writeFile(other, "a different bench-encode integration secret value\n");
  chmod(other.c_str(), 0600);
  EXPECT_NE(first, digestOf(other));
}

TEST_F(NserBenchEncode, UsageErrorsExitWithTwo) {
  EXPECT_EQ(nser({"bench", "encode", "--schema", kSchema, "--secret-file", secret_}).exitCode, 2) << "no input";
  EXPECT_EQ(nser({"bench", "encode", "--schema", kSchema, "--secret-file", secret_, "--repeat", "0", input_}).exitCode,
            2);
}

}  // namespace
}  // namespace nser::testing
