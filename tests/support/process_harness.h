// Starts real processes for integration and end-to-end tests.
//
// A ManagedProcess runs a program with its stdout and stderr captured to files
// in a log directory, can wait until it is ready (a TCP port accepts, or an
// HTTP(S) readiness check answers, or a line appears in its output), and is
// ALWAYS stopped: SIGTERM on stop() or destruction, SIGKILL if it has not
// exited within the grace period. When a test fails, the captured output is
// printed so the failure explains itself.
//
// Not thread-safe; one owner per process.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace nser::testing {

// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0 and released).
int freeLoopbackPort();

struct ProcessResult {
  int exitCode = -1;  // -1 when killed by a signal
  int signal = 0;     // the signal that ended it, or 0
  std::string out;
  std::string err;
};

// Runs a program to completion (stdin closed), with a timeout after which it is killed.
ProcessResult runProcess(const std::string& program, const std::vector<std::string>& args,
                         std::chrono::milliseconds timeout = std::chrono::seconds(60),
                         const std::map<std::string, std::string>& extraEnv = {});

class ManagedProcess {
 public:
  // Starts the program now; logs go to logDir/<name>.stdout and .stderr.
  ManagedProcess(std::string name, const std::string& program, const std::vector<std::string>& args,
                 const std::filesystem::path& logDir, const std::map<std::string, std::string>& extraEnv = {});
  ~ManagedProcess();
  ManagedProcess(const ManagedProcess&) = delete;
  ManagedProcess& operator=(const ManagedProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool running();

  // Polls `ready` until it returns true, the process exits, or the timeout passes.
  // Returns false (and records why in lastError()) on exit or timeout.
  bool waitUntil(const std::function<bool()>& ready, std::chrono::milliseconds timeout);
  bool waitForPort(int port, std::chrono::milliseconds timeout);
  bool waitForOutput(const std::string& needle, std::chrono::milliseconds timeout);

  // SIGTERM, then SIGKILL after `grace`. Returns the exit status (as runProcess).
  ProcessResult stop(std::chrono::milliseconds grace = std::chrono::seconds(10));
  // SIGKILL at once: for crash tests.
  ProcessResult kill9();

  std::string stdoutText() const;
  std::string stderrText() const;
  const std::string& lastError() const { return lastError_; }

 private:
  ProcessResult reap(int signalToSend, std::chrono::milliseconds grace);

  std::string name_;
  pid_t pid_ = -1;
  std::filesystem::path stdoutPath_;
  std::filesystem::path stderrPath_;
  std::optional<ProcessResult> finished_;
  std::string lastError_;
};

}  // namespace nser::testing
