// ChildProcess: another program (usually this `nser` executable) started
// as a separate process, its stdout and stderr appended to a log file. Used
// by `nser demo` to run the hub and the connectors as real processes and to
// run the auditor's and witness's commands as a user would.
//
// stop() sends SIGTERM (the hub and connectors shut down cleanly on it),
// waits, then SIGKILLs a process that does not exit in time. The destructor
// stops a process that is still running. Not thread-safe.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace nser::cli {

class ChildProcessError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ChildProcess {
 public:
  // Starts `program args...` in `workingDirectory`; throws ChildProcessError.
  ChildProcess(std::string name, const std::filesystem::path& program, const std::vector<std::string>& args,
               const std::filesystem::path& workingDirectory, const std::filesystem::path& logFile);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Waits until the log holds `text`; false on timeout or when the process
  // exited first.
  bool waitForLog(const std::string& text, std::chrono::milliseconds timeout);
  // The first line of the log containing `text`, if any.
  std::optional<std::string> logLine(const std::string& text) const;
  std::string log() const;
  bool running();
  // Exit code (128 + signal when killed by one); waits at most `timeout`.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  // SIGTERM, then SIGKILL after `grace`; returns the exit code.
  int stop(std::chrono::milliseconds grace = std::chrono::seconds(20));

  const std::string& name() const { return name_; }
  pid_t pid() const { return pid_; }
  const std::filesystem::path& logFile() const { return logFile_; }

 private:
  std::string name_;
  std::filesystem::path logFile_;
  pid_t pid_ = -1;
  std::optional<int> exitCode_;
};

// Runs a command to completion (stdout and stderr to `logFile`), returning
// its exit code and its output; throws ChildProcessError when it does not
// finish within `timeout` (it is killed).
struct CompletedProcess {
  int exitCode = 0;
  std::string output;
};
CompletedProcess runToCompletion(const std::filesystem::path& program, const std::vector<std::string>& args,
                                 const std::filesystem::path& workingDirectory, const std::filesystem::path& logFile,
                                 std::chrono::milliseconds timeout);

// The path of the running executable (/proc/self/exe).
std::filesystem::path currentExecutable();

}  // namespace nser::cli
