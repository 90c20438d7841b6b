#include "cli/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;

namespace nser::cli {
namespace {

int decodeStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

std::string readAll(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

ChildProcess::ChildProcess(std::string name, const std::filesystem::path& program,
                           const std::vector<std::string>& args, const std::filesystem::path& workingDirectory,
                           const std::filesystem::path& logFile)
    : name_(std::move(name)), logFile_(logFile) {
  // The log is opened here and handed to the child as stdout and stderr; the
  // child alone changes directory (glibc's addchdir_np action), so the
  // program path is made absolute first.
  const int log = ::open(logFile.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log < 0) throw ChildProcessError(name_ + ": cannot open log " + logFile.string() + ": " + std::strerror(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, log, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, log, STDERR_FILENO);
  posix_spawn_file_actions_addchdir_np(&actions, workingDirectory.c_str());
  std::vector<std::string> argvStrings;
  argvStrings.push_back(program.string());
  argvStrings.insert(argvStrings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& arg : argvStrings) argv.push_back(arg.data());
  argv.push_back(nullptr);
  // The child starts with no signal blocked and default dispositions, even
  // when this process blocks SIGTERM/SIGINT to wait for them (--keep-running).
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t none;
  sigemptyset(&none);
  sigset_t defaults;
  sigemptyset(&defaults);
  for (const int signal : {SIGTERM, SIGINT, SIGHUP, SIGPIPE}) sigaddset(&defaults, signal);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  const std::string absolute = std::filesystem::absolute(program).string();
  const int rc = ::posix_spawn(&pid_, absolute.c_str(), &actions, &attributes, argv.data(), environ);
  posix_spawnattr_destroy(&attributes);
  posix_spawn_file_actions_destroy(&actions);
  ::close(log);
  if (rc != 0) throw ChildProcessError(name_ + ": cannot start " + absolute + ": " + std::strerror(rc));
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !exitCode_) stop(std::chrono::seconds(10));
}

std::string ChildProcess::log() const { return readAll(logFile_); }

std::optional<std::string> ChildProcess::logLine(const std::string& text) const {
  std::istringstream lines(log());
  for (std::string line; std::getline(lines, line);) {
    if (line.find(text) != std::string::npos) return line;
  }
  return std::nullopt;
}

bool ChildProcess::waitForLog(const std::string& text, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (logLine(text)) return true;
    if (!running()) return logLine(text).has_value();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

bool ChildProcess::running() {
  if (exitCode_) return false;
  int status = 0;
  const pid_t done = ::waitpid(pid_, &status, WNOHANG);
  if (done == pid_) {
    exitCode_ = decodeStatus(status);
    return false;
  }
  return done == 0;
}

std::optional<int> ChildProcess::wait(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (running()) {
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return exitCode_;
}

int ChildProcess::stop(std::chrono::milliseconds grace) {
  if (running()) {
    ::kill(pid_, SIGTERM);
    if (!wait(grace)) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
      exitCode_ = decodeStatus(status);
    }
  }
  return exitCode_.value_or(1);
}

CompletedProcess runToCompletion(const std::filesystem::path& program, const std::vector<std::string>& args,
                                 const std::filesystem::path& workingDirectory, const std::filesystem::path& logFile,
                                 std::chrono::milliseconds timeout) {
  std::filesystem::remove(logFile);
  ChildProcess child(logFile.stem().string(), program, args, workingDirectory, logFile);
  const auto code = child.wait(timeout);
  if (!code) {
    child.stop(std::chrono::seconds(1));
    throw ChildProcessError(child.name() + " did not finish in " +
                            std::to_string(std::chrono::duration_cast<std::chrono::seconds>(timeout).count()) +
                            " s (log: " + logFile.string() + ")");
  }
  return {*code, child.log()};
}

std::filesystem::path currentExecutable() { return std::filesystem::read_symlink("/proc/self/exe"); }

}  // namespace nser::cli
