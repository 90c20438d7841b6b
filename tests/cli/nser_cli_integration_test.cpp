// Runs the real `nser` binary.
#include <gtest/gtest.h>

#include "tests/support/process_harness.h"

namespace nser::testing {
namespace {

ProcessResult nser(const std::vector<std::string>& args) { return runProcess(NSER_BINARY, args); }

TEST(NserCli, HelpListsTheRegisteredSubcommands) {
  ProcessResult result = nser({"--help"});
  EXPECT_EQ(result.exitCode, 0);
  EXPECT_NE(result.out.find("Usage: nser <command>"), std::string::npos);
  EXPECT_NE(result.out.find("version"), std::string::npos);
  EXPECT_EQ(nser({"help"}).out, result.out);
}

TEST(NserCli, NoArgumentsPrintsUsageAndExits2) {
  ProcessResult result = nser({});
  EXPECT_EQ(result.exitCode, 2);
  EXPECT_NE(result.err.find("Usage: nser <command>"), std::string::npos);
}

TEST(NserCli, UnknownSubcommandPrintsUsageAndExits2) {
  ProcessResult result = nser({"frobnicate"});
  EXPECT_EQ(result.exitCode, 2);
  EXPECT_NE(result.err.find("unknown command 'frobnicate'"), std::string::npos);
  EXPECT_NE(result.err.find("Usage: nser <command>"), std::string::npos);
  EXPECT_TRUE(result.out.empty());
}

TEST(NserCli, VersionReportsBuildFactsAndCpuFeatures) {
  ProcessResult result = nser({"version"});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  for (const char* key : {"nser 0.", "git commit:", "build type:", "compiler:", "cpu features:"}) {
    EXPECT_NE(result.out.find(key), std::string::npos) << "missing " << key << " in:\n" << result.out;
  }
  EXPECT_EQ(result.out.find("git commit:   unknown"), std::string::npos) << "built from a git checkout";
}

TEST(NserCli, VersionJsonIsOneObject) {
  ProcessResult result = nser({"version", "--json"});
  ASSERT_EQ(result.exitCode, 0);
  EXPECT_EQ(result.out.front(), '{');
  EXPECT_NE(result.out.find("\"cpu_features\":"), std::string::npos);
}

TEST(NserCli, SubcommandHelpDocumentsIt) {
  ProcessResult result = nser({"version", "--help"});
  EXPECT_EQ(result.exitCode, 0);
  EXPECT_NE(result.out.find("Usage: nser version"), std::string::npos);
  EXPECT_EQ(nser({"help", "version"}).out, result.out);
}

TEST(NserCli, UnknownOptionIsAUsageError) {
  ProcessResult result = nser({"version", "--bogus"});
  EXPECT_EQ(result.exitCode, 2);
  EXPECT_NE(result.err.find("unknown option '--bogus'"), std::string::npos);
}

}  // namespace
}  // namespace nser::testing
