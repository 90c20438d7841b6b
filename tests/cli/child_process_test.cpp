// cli/child_process.h: a separate process with its output in a log file,
// waited for, stopped with SIGTERM and, when it ignores that, SIGKILL.
#include "cli/child_process.h"

#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>

#include "tests/support/temp_dir.h"

using nser::cli::ChildProcess;
using nser::testing::TempDir;

namespace {

TEST(ChildProcess, RunsInItsDirectoryWithOutputInTheLog) {
  TempDir dir("child-process");
  const auto result = nser::cli::runToCompletion("/bin/sh", {"-c", "pwd; echo to-stderr >&2; exit 3"}, dir.path(),
                                                 dir.path() / "run.log", std::chrono::seconds(20));
  EXPECT_EQ(result.exitCode, 3);
  EXPECT_NE(result.output.find(dir.path().string()), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("to-stderr"), std::string::npos) << result.output;
}

TEST(ChildProcess, WaitsForALogLineAndStopsWithSigterm) {
  TempDir dir("child-process");
  ChildProcess child("sleeper", "/bin/sh", {"-c", "echo 'ready on 127.0.0.1:4242'; exec sleep 30"}, dir.path(),
                     dir.path() / "sleeper.log");
  ASSERT_TRUE(child.waitForLog("ready on", std::chrono::seconds(20)));
  EXPECT_EQ(child.logLine("ready on").value_or(""), "ready on 127.0.0.1:4242");
  EXPECT_TRUE(child.running());
  EXPECT_EQ(child.stop(), 128 + 15);
  EXPECT_FALSE(child.running());
}

TEST(ChildProcess, TheChildGetsSigtermEvenWhenTheParentBlocksIt) {
  TempDir dir("child-process");
  sigset_t terminate;
  sigemptyset(&terminate);
  sigaddset(&terminate, SIGTERM);
  sigset_t previous;
  ASSERT_EQ(pthread_sigmask(SIG_BLOCK, &terminate, &previous), 0);
  {
    ChildProcess child("sleeper", "/bin/sleep", {"30"}, dir.path(), dir.path() / "sleeper.log");
    EXPECT_EQ(child.stop(std::chrono::seconds(5)), 128 + SIGTERM);
  }
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
}

TEST(ChildProcess, KillsAProcessThatIgnoresSigterm) {
  TempDir dir("child-process");
  ChildProcess child("stubborn", "/bin/sh", {"-c", "trap '' TERM; echo armed; while :; do sleep 1; done"},
                     dir.path(), dir.path() / "stubborn.log");
  ASSERT_TRUE(child.waitForLog("armed", std::chrono::seconds(20)));
  EXPECT_EQ(child.stop(std::chrono::milliseconds(300)), 128 + 9);
}

TEST(ChildProcess, ATimeoutKillsTheCommandAndSaysSo) {
  TempDir dir("child-process");
  EXPECT_THROW(nser::cli::runToCompletion("/bin/sleep", {"30"}, dir.path(), dir.path() / "slow.log",
                                          std::chrono::milliseconds(200)),
               nser::cli::ChildProcessError);
  EXPECT_EQ(
      nser::cli::runToCompletion("/bin/true", {}, dir.path(), dir.path() / "t.log", std::chrono::seconds(20)).exitCode,
      0);
}

TEST(ChildProcess, AMissingProgramIsAnError) {
  TempDir dir("child-process");
  EXPECT_THROW(ChildProcess("missing", "/nonexistent/program", {}, dir.path(), dir.path() / "m.log"),
               nser::cli::ChildProcessError);
}

}  // namespace
