// AuditLog in a child process killed with SIGKILL while it appends through
// appendAsync(): every append it acknowledged is in the log when the log
// reopens, with the content it was given, and the tree over the stored
// entries is the one the log reports.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <string>

#include "audit/audit_log.h"
#include "audit/merkle_proof.h"
#include "tests/support/temp_dir.h"

namespace nser::audit {
namespace {

AuditEntry numbered(std::uint64_t id) {
  AuditEntry entry;
  entry.kind = "decision";
  entry.timeMillis = 1'760'000'000'000 + static_cast<std::int64_t>(id);
  entry.actor = "programme-" + std::to_string(id % 7);
  entry.programme = entry.actor;
  entry.entity = std::to_string(id % 1'000);
  entry.decision = id % 3 == 0 ? "deny" : "permit";
  entry.details = R"({"id":)" + std::to_string(id) + "}";
  return entry;
}

// The child: appends numbered entries with up to 512 in flight and writes
// "id index\n" to `out` for each acknowledgement, until it is killed.
[[noreturn]] void appendUntilKilled(const std::filesystem::path& directory, int out) {
  try {
    std::atomic<std::uint32_t> inFlight{0};  // outlives the log, whose close() still acknowledges
    AuditLog log(directory);
    constexpr std::uint32_t kWindow = 512;
    for (std::uint64_t id = 0; id < 50'000'000; ++id) {
      for (std::uint32_t now = inFlight.load(); now >= kWindow; now = inFlight.load()) inFlight.wait(now);
      ++inFlight;
      log.appendAsync(numbered(id), [&inFlight, id, out](std::uint64_t index, const std::string& error) {
        if (!error.empty()) ::_exit(3);
        char line[64];
        const int length = std::snprintf(line, sizeof line, "%llu %llu\n", static_cast<unsigned long long>(id),
                                          static_cast<unsigned long long>(index));
        if (::write(out, line, static_cast<std::size_t>(length)) != length) ::_exit(4);
        if (inFlight.fetch_sub(1) == kWindow) inFlight.notify_one();
      });
    }
  } catch (...) {
    ::_exit(2);
  }
  ::_exit(0);
}

TEST(AuditLogCrash, AcknowledgedAsynchronousAppendsSurviveKill9) {
  testing::TempDir dir("audit-async-kill");
  int pipeEnds[2];
  ASSERT_EQ(::pipe(pipeEnds), 0);
  // Forked before this process has any thread, so the child is whole.
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(pipeEnds[0]);
    appendUntilKilled(dir.path(), pipeEnds[1]);
  }
  ::close(pipeEnds[1]);

  // Killed mid-stream, once it has acknowledged enough to span groups and
  // index blocks (or after 10 s on a slow machine).
  std::string received;
  std::size_t lines = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  char buffer[65536];
  while (lines < 60'000 && std::chrono::steady_clock::now() < deadline) {
    const ssize_t n = ::read(pipeEnds[0], buffer, sizeof buffer);
    ASSERT_GT(n, 0) << "the appending child stopped early";
    received.append(buffer, static_cast<std::size_t>(n));
    lines += static_cast<std::size_t>(std::count(buffer, buffer + n, '\n'));
  }
  ASSERT_EQ(::kill(child, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "status " << status;
  // What the child wrote before it died is still in the pipe.
  for (ssize_t n; (n = ::read(pipeEnds[0], buffer, sizeof buffer)) > 0;) received.append(buffer, static_cast<std::size_t>(n));
  ::close(pipeEnds[0]);

  std::map<std::uint64_t, std::uint64_t> indexOf;  // id -> index
  std::size_t start = 0;
  for (std::size_t end; (end = received.find('\n', start)) != std::string::npos; start = end + 1) {
    unsigned long long id = 0, index = 0;
    ASSERT_EQ(std::sscanf(received.c_str() + start, "%llu %llu", &id, &index), 2);
    indexOf[id] = index;
  }
  ASSERT_GE(indexOf.size(), 1'000u);

  AuditLog log(dir.path());
  std::size_t missing = 0;
  for (const auto& [id, index] : indexOf) {
    const auto stored = log.entries(index, index + 1);
    if (stored.size() != 1 || decodeAuditEntry(stored[0].bytes) != numbered(id)) ++missing;
  }
  EXPECT_EQ(missing, 0u) << "of " << indexOf.size() << " acknowledged";
  EXPECT_GE(log.size(), indexOf.size());
  CompactRange tree;
  for (const auto& entry : log.entries(0, log.size())) {
    ASSERT_EQ(entry.index, tree.size()) << "a gap in the stored entries";
    tree.append(leafHash(entry.bytes));
  }
  EXPECT_EQ(tree.root(), log.root());
  // The reopened index finds acknowledged entries by field.
  AuditQuery byEntity;
  byEntity.entity = "7";
  byEntity.limit = 1'000'000;
  std::size_t expected = 0;
  for (std::uint64_t id = 0; id < log.size(); ++id) expected += id % 1'000 == 7 ? 1 : 0;
  EXPECT_EQ(log.search(byEntity).size(), expected);
  std::cout << "acknowledged before kill -9: " << indexOf.size() << " (the last at index " << indexOf.rbegin()->second
            << "), in the log: " << log.size() << "\n";
}

}  // namespace
}  // namespace nser::audit
