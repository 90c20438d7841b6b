// HubAudit without the HTTP layer: the checkpoint key is created 0600 and
// reused, checkpoints are signed when the log grows and survive a restart.
#include "hub/hub_audit.h"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include "audit/checkpoint.h"
#include "tests/support/temp_dir.h"

namespace nser::hub {
namespace {

audit::AuditEntry adminEntry(int i) {
  audit::AuditEntry entry;
  entry.kind = "admin";
  entry.timeMillis = 1'700'000'000'000 + i;
  entry.actor = "admin";
  entry.details = R"({"action":"party_add","party":"p)" + std::to_string(i) + "\"}";
  return entry;
}

TEST(HubAudit, SignsCheckpointsWithAPersistentKeyAcrossRestarts) {
  testing::TempDir dir("hub-audit");
  HubAuditOptions options{dir.path(), "test-hub", std::chrono::milliseconds(60'000)};
  std::string key;
  std::string note;
  {
    HubAudit audit(options);
    key = audit.verifierKey();
    EXPECT_EQ(audit.record(adminEntry(0)), 0u);
    EXPECT_EQ(audit.record(adminEntry(1)), 1u);
    note = audit.publishCheckpoint();
    const auto opened = audit::openCheckpoint(note, audit::parseVerifierKey(key));
    EXPECT_EQ(opened.checkpoint.size, 2u);
    EXPECT_EQ(opened.checkpoint.root, audit.auditLog().root());
    EXPECT_EQ(audit.publishCheckpoint(), note);  // nothing new: the same checkpoint
    audit.stop();
  }
  struct stat info {};
  ASSERT_EQ(::stat((dir.path() / "keys" / "checkpoint.key").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  HubAudit reopened(options);
  EXPECT_EQ(reopened.verifierKey(), key);
  EXPECT_EQ(reopened.publishCheckpoint(), note);
  reopened.record(adminEntry(2));
  const auto next = audit::openCheckpoint(reopened.publishCheckpoint(), audit::parseVerifierKey(key));
  EXPECT_EQ(next.checkpoint.size, 3u);
}

TEST(HubAudit, RecordsSeveralEntriesAtConsecutiveIndexes) {
  testing::TempDir dir("hub-audit-all");
  HubAudit audit(HubAuditOptions{dir.path(), "test-hub", std::chrono::milliseconds(60'000)});
  EXPECT_EQ(audit.recordAll({}), 0u);  // nothing to write
  EXPECT_EQ(audit.auditLog().size(), 0u);
  EXPECT_EQ(audit.recordAll({adminEntry(0)}), 0u);
  EXPECT_EQ(audit.recordAll({adminEntry(1), adminEntry(2), adminEntry(3)}), 1u);
  EXPECT_EQ(audit.auditLog().size(), 4u);
  EXPECT_EQ(audit.record(adminEntry(4)), 4u);
  audit.stop();
}

}  // namespace
}  // namespace nser::hub
