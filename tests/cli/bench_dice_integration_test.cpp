// Runs the real `nser bench dice` and `nser bench dice-data`.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "linkage/cpu_features.h"
#include "tests/support/process_harness.h"
#include "tests/support/temp_dir.h"

namespace nser::testing {
namespace {

ProcessResult nser(const std::vector<std::string>& args) { return runProcess(NSER_BINARY, args); }

std::map<std::string, std::string> keyValues(const std::string& text) {
  std::map<std::string, std::string> values;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    const auto eq = line.find('=');
    if (eq != std::string::npos) values[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return values;
}

using Filter = std::vector<std::uint8_t>;  // 128 raw bytes

Filter randomFilter(std::mt19937_64& rng) {
  Filter filter(128);
  // AND of two uniform bytes: density 0.25; random pairs score ~0.25, far below 0.8.
  for (auto& byte : filter) byte = static_cast<std::uint8_t>(rng() & rng());
  return filter;
}

std::string concat(const std::vector<Filter>& filters) {
  std::string bytes;
  for (const Filter& f : filters) bytes.append(f.begin(), f.end());
  return bytes;
}

// A: 300 random filters. B: 250 random filters with exact copies of 37
// distinct A filters planted among them, so exactly 37 pairs reach 0.8.
class BenchDice : public ::testing::Test {
 protected:
  void SetUp() override {
    std::mt19937_64 rng(2024);
    std::vector<Filter> a, b;
    for (int i = 0; i < 300; ++i) a.push_back(randomFilter(rng));
    for (int i = 0; i < 250; ++i) b.push_back(randomFilter(rng));
    for (int k = 0; k < kPlanted; ++k) b.insert(b.begin() + 7 * k, a[static_cast<std::size_t>(8 * k + 3)]);
    writeFile(dir_ / "a.bin", concat(a));
    writeFile(dir_ / "b.bin", concat(b));
  }

  std::map<std::string, std::string> run(std::vector<std::string> extra) {
    std::vector<std::string> args = {"bench", "dice", "--a", (dir_ / "a.bin").string(), "--b",
                                     (dir_ / "b.bin").string()};
    args.insert(args.end(), extra.begin(), extra.end());
    const ProcessResult result = nser(args);
    EXPECT_EQ(result.exitCode, 0) << result.err;
    return keyValues(result.out);
  }

  static constexpr int kPlanted = 37;
  TempDir dir_;
};

TEST_F(BenchDice, CountsExactlyThePlantedDuplicates) {
  const auto values = run({"--threshold", "0.8"});
  EXPECT_EQ(values.at("matches"), std::to_string(kPlanted));
  EXPECT_EQ(values.at("comparisons"), std::to_string(300 * (250 + kPlanted)));
  EXPECT_EQ(values.at("threads"), "1");
  EXPECT_NE(values.at("path"), "auto") << "reports the path that ran";
  EXPECT_GT(std::stod(values.at("comparisons_per_second")), 0.0);
  EXPECT_LE(std::stoull(values.at("popcounted")), std::stoull(values.at("comparisons")));
  EXPECT_TRUE(values.count("seconds"));
}

TEST_F(BenchDice, SameMatchesOnEveryPathThreadCountAndWithTopK) {
  std::vector<std::string> paths = {"portable"};
  if (linkage::cpuFeatures().avx2) paths.push_back("avx2");
  if (linkage::cpuFeatures().avx512f && linkage::cpuFeatures().avx512vpopcntdq) paths.push_back("avx512");
  for (const std::string& path : paths) {
    for (const char* threads : {"1", "2"}) {
      const auto values = run({"--threshold", "0.8", "--path", path, "--threads", threads});
      EXPECT_EQ(values.at("matches"), std::to_string(kPlanted)) << path << " threads=" << threads;
      EXPECT_EQ(values.at("path"), path);
      EXPECT_EQ(values.at("threads"), threads);
    }
  }
  EXPECT_EQ(run({"--threshold", "0.8", "--top-k", "1"}).at("matches"), std::to_string(kPlanted));
  EXPECT_EQ(run({"--threshold", "0", "--top-k", "2"}).at("matches"), "600") << "two per A filter";
  const auto raw = run({"--threshold", "0.8", "--no-length-filter"});
  EXPECT_EQ(raw.at("matches"), std::to_string(kPlanted));
  EXPECT_EQ(raw.at("popcounted"), raw.at("comparisons"));
}

TEST_F(BenchDice, ForcingAPathTheCpuLacksFailsClearly) {
  if (linkage::cpuFeatures().avx512f && linkage::cpuFeatures().avx512vpopcntdq) {
    GTEST_SKIP() << "this CPU has AVX-512 VPOPCNTDQ";
  }
  const ProcessResult result = nser({"bench", "dice", "--a", (dir_ / "a.bin").string(), "--b",
                                     (dir_ / "b.bin").string(), "--threshold", "0.8", "--path", "avx512"});
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_NE(result.err.find("avx512"), std::string::npos) << result.err;
}

TEST(BenchDiceErrors, FileSizeNotAMultipleOf128IsAnError) {
  TempDir dir;
  writeFile(dir / "good.bin", std::string(256, '\x55'));
  writeFile(dir / "bad.bin", std::string(200, '\x55'));
  const ProcessResult result = nser({"bench", "dice", "--a", (dir / "good.bin").string(), "--b",
                                     (dir / "bad.bin").string(), "--threshold", "0.5"});
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_NE(result.err.find("bad.bin"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("not a multiple"), std::string::npos) << result.err;
  EXPECT_TRUE(result.out.empty());
}

TEST(BenchDiceErrors, UsageErrorsExit2) {
  EXPECT_EQ(nser({"bench"}).exitCode, 2);
  EXPECT_EQ(nser({"bench", "frobnicate"}).exitCode, 2);
  const ProcessResult noThreshold = nser({"bench", "dice", "--a", "x", "--b", "y"});
  EXPECT_EQ(noThreshold.exitCode, 2);
  EXPECT_NE(noThreshold.err.find("--threshold"), std::string::npos) << noThreshold.err;
  EXPECT_EQ(nser({"bench", "dice", "--a", "x", "--b", "y", "--threshold", "1.5"}).exitCode, 2);
  EXPECT_EQ(nser({"bench", "dice", "--a", "x", "--b", "y", "--threshold", "0.5", "--path", "sse"}).exitCode, 2);
  const ProcessResult help = nser({"bench", "dice", "--help"});
  EXPECT_EQ(help.exitCode, 0);
  EXPECT_NE(help.out.find("Usage: nser bench"), std::string::npos);
}

TEST(BenchDiceData, GeneratedNearDuplicatesBecomeTheMatches) {
  TempDir dir;
  const std::string a = (dir / "a.bin").string(), b = (dir / "b.bin").string();
  ProcessResult made = nser({"bench", "dice-data", "--count", "500", "--out", a, "--seed", "1"});
  ASSERT_EQ(made.exitCode, 0) << made.err;
  EXPECT_EQ(keyValues(made.out).at("bytes"), "64000");
  EXPECT_EQ(readFile(a).size(), 64000u);
  made = nser({"bench", "dice-data", "--count", "400", "--out", b, "--seed", "2", "--similar", "0.1", "--base", a,
               "--noise", "0"});
  ASSERT_EQ(made.exitCode, 0) << made.err;
  EXPECT_EQ(keyValues(made.out).at("similar"), "40");
  // Exact copies score 1; independent filters of density 0.3..0.5 score about 0.4.
  const ProcessResult bench = nser({"bench", "dice", "--a", a, "--b", b, "--threshold", "0.99", "--threads", "2"});
  ASSERT_EQ(bench.exitCode, 0) << bench.err;
  EXPECT_EQ(keyValues(bench.out).at("matches"), "40");

  const std::string again = (dir / "again.bin").string();
  ASSERT_EQ(nser({"bench", "dice-data", "--count", "500", "--out", again, "--seed", "1"}).exitCode, 0);
  EXPECT_EQ(readFile(again), readFile(a)) << "same options, same bytes";
  EXPECT_EQ(nser({"bench", "dice-data", "--count", "5", "--out", again, "--similar", "0.5"}).exitCode, 2)
      << "--similar without --base";
}

}  // namespace
}  // namespace nser::testing
