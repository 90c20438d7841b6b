#include "tests/support/process_harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

#include <iostream>

#include "tests/support/temp_dir.h"

extern char** environ;

namespace nser::testing {

namespace {

using Clock = std::chrono::steady_clock;

std::vector<std::string> buildEnvironment(const std::map<std::string, std::string>& extraEnv) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry(*e);
    std::string key = entry.substr(0, entry.find('='));
    if (extraEnv.count(key) == 0) env.push_back(entry);
  }
  for (const auto& [key, value] : extraEnv) env.push_back(key + "=" + value);
  return env;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

pid_t spawn(const std::string& program, const std::vector<std::string>& args, const std::filesystem::path& out,
            const std::filesystem::path& err, const std::map<std::string, std::string>& extraEnv) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Own process group, so a test's Ctrl-C does not reach children twice.
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);

  std::vector<std::string> argvStrings{program};
  argvStrings.insert(argvStrings.end(), args.begin(), args.end());
  std::vector<std::string> envStrings = buildEnvironment(extraEnv);
  auto argv = pointers(argvStrings);
  auto envp = pointers(envStrings);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, program.c_str(), &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) throw std::runtime_error("cannot start " + program + ": " + std::strerror(rc));
  return pid;
}

// Non-blocking wait; fills `result` and returns true once the child has exited.
bool tryReap(pid_t pid, ProcessResult& result) {
  int status = 0;
  pid_t r = waitpid(pid, &status, WNOHANG);
  if (r != pid) return false;
  if (WIFEXITED(status)) {
    result.exitCode = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.exitCode = -1;
    result.signal = WTERMSIG(status);
  }
  return true;
}

}  // namespace

int freeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    throw std::runtime_error("cannot bind a loopback port");
  }
  int port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

ProcessResult runProcess(const std::string& program, const std::vector<std::string>& args,
                         std::chrono::milliseconds timeout, const std::map<std::string, std::string>& extraEnv) {
  TempDir logs("nser-run");
  ManagedProcess process("run", program, args, logs.path(), extraEnv);
  const bool exited = process.waitUntil([] { return false; }, timeout);
  (void)exited;
  ProcessResult result = process.stop(std::chrono::seconds(5));
  return result;
}

ManagedProcess::ManagedProcess(std::string name, const std::string& program, const std::vector<std::string>& args,
                               const std::filesystem::path& logDir,
                               const std::map<std::string, std::string>& extraEnv)
    : name_(std::move(name)),
      stdoutPath_(logDir / (name_ + ".stdout")),
      stderrPath_(logDir / (name_ + ".stderr")) {
  std::filesystem::create_directories(logDir);
  pid_ = spawn(program, args, stdoutPath_, stderrPath_, extraEnv);
}

ManagedProcess::~ManagedProcess() {
  ProcessResult result = stop(std::chrono::seconds(10));
  // A failing test shows what its processes said.
  if (::testing::Test::HasFailure()) {
    std::cerr << "---- " << name_ << " stdout ----\n" << result.out << "---- " << name_ << " stderr ----\n"
              << result.err << "---- end of " << name_ << " ----\n";
  }
}

bool ManagedProcess::running() {
  if (finished_) return false;
  ProcessResult result;
  if (tryReap(pid_, result)) {
    finished_ = result;
    return false;
  }
  return true;
}

bool ManagedProcess::waitUntil(const std::function<bool()>& ready, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  auto pause = std::chrono::milliseconds(5);
  while (Clock::now() < deadline) {
    if (ready()) return true;
    if (!running()) {
      lastError_ = name_ + " exited before it was ready";
      return false;
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(100));
  }
  lastError_ = name_ + " not ready after " + std::to_string(timeout.count()) + " ms";
  return false;
}

bool ManagedProcess::waitForPort(int port, std::chrono::milliseconds timeout) {
  return waitUntil(
      [port] {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = htons(static_cast<uint16_t>(port));
        bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
        close(fd);
        return ok;
      },
      timeout);
}

bool ManagedProcess::waitForOutput(const std::string& needle, std::chrono::milliseconds timeout) {
  return waitUntil(
      [this, &needle] {
        return stdoutText().find(needle) != std::string::npos || stderrText().find(needle) != std::string::npos;
      },
      timeout);
}

ProcessResult ManagedProcess::reap(int signalToSend, std::chrono::milliseconds grace) {
  if (!finished_) {
    ProcessResult result;
    if (!tryReap(pid_, result)) {
      ::kill(pid_, signalToSend);
      const auto deadline = Clock::now() + grace;
      while (!tryReap(pid_, result)) {
        if (Clock::now() >= deadline) {
          ::kill(pid_, SIGKILL);
          waitpid(pid_, nullptr, 0);
          result.exitCode = -1;
          result.signal = SIGKILL;
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    }
    finished_ = result;
  }
  ProcessResult result = *finished_;
  result.out = stdoutText();
  result.err = stderrText();
  return result;
}

ProcessResult ManagedProcess::stop(std::chrono::milliseconds grace) { return reap(SIGTERM, grace); }

ProcessResult ManagedProcess::kill9() { return reap(SIGKILL, std::chrono::seconds(10)); }

std::string ManagedProcess::stdoutText() const { return readFile(stdoutPath_); }
std::string ManagedProcess::stderrText() const { return readFile(stderrPath_); }

}  // namespace nser::testing
