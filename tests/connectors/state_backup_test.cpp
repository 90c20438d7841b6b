// connectors/state_backup.h in-process: a backup holds the records, the next
// sequence and the keys; restore puts them back and moves the current state
// aside; a backup of another custodian, an existing target and a damaged
// backup are refused.
#include "connectors/state_backup.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "connectors/sync_state.h"
#include "tests/support/temp_dir.h"

namespace {

namespace fs = std::filesystem;
using nser::connectors::StateBackupError;

// Pushes `count` records named prefix0.. in one acknowledged batch.
void push(const fs::path& directory, const std::string& prefix, int count) {
  nser::connectors::SyncState state(directory.string());
  nser::connectors::PendingBatch batch;
  batch.sequence = state.nextSequence();
  batch.idempotencyKey = "k-" + std::to_string(batch.sequence);
  for (int i = 0; i < count; ++i) {
    nser::connectors::PendingEntry entry;
    entry.sourceKey = prefix + std::to_string(i);
    entry.state.contentHash = "00";
    entry.state.reference = "ref-" + entry.sourceKey;
    batch.entries.push_back(entry);
  }
  state.savePending(batch);
  state.acknowledge(batch);
}

std::uint64_t records(const fs::path& directory) {
  nser::connectors::SyncState state(directory.string());
  return state.recordCount();
}

TEST(StateBackup, BackupThenRestoreBringsBackTheRecordsSequenceAndKeys) {
  nser::testing::TempDir dir("nser-state-backup");
  const fs::path data = dir / "state";
  push(data, "a", 5);
  fs::create_directories(data / "keys");
  nser::testing::writeFile(data / "keys" / "box.key", "key bytes");

  const auto manifest = nser::connectors::backupConnectorState(data, dir / "backup", "punjab");
  EXPECT_EQ(manifest.records, 5u);
  EXPECT_EQ(manifest.nextSequence, 2u);
  EXPECT_EQ(manifest.keyFiles, 1u);
  EXPECT_EQ(manifest.custodian, "punjab");
  EXPECT_FALSE(fs::exists(dir / "backup.partial"));
  EXPECT_EQ(fs::status(dir / "backup" / "data" / "keys" / "box.key").permissions(),
            fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_THROW(nser::connectors::backupConnectorState(data, dir / "backup", "punjab"), StateBackupError);

  push(data, "b", 3);
  ASSERT_EQ(records(data), 8u);
  EXPECT_THROW(nser::connectors::restoreConnectorState(dir / "backup", data, "sindh"), StateBackupError);
  const auto restored = nser::connectors::restoreConnectorState(dir / "backup", data, "punjab");
  EXPECT_EQ(records(data), 5u);
  EXPECT_EQ(nser::testing::readFile(data / "keys" / "box.key"), "key bytes");
  ASSERT_FALSE(restored.movedAside.empty());
  EXPECT_EQ(records(restored.movedAside), 8u);  // the replaced state, kept
  nser::connectors::SyncState state(data.string());
  EXPECT_EQ(state.nextSequence(), 2u);
}

TEST(StateBackup, ADamagedBackupIsRefusedAndTheStateIsLeftAsItWas) {
  nser::testing::TempDir dir("nser-state-backup");
  const fs::path data = dir / "state";
  push(data, "a", 4);
  nser::connectors::backupConnectorState(data, dir / "backup", "kp");
  std::string manifest = nser::testing::readFile(dir / "backup" / "manifest.json");
  const auto at = manifest.find("\"records\": 4");
  ASSERT_NE(at, std::string::npos) << manifest;
  manifest.replace(at, 12, "\"records\": 9");
  nser::testing::writeFile(dir / "backup" / "manifest.json", manifest);
  push(data, "b", 1);
  EXPECT_THROW(nser::connectors::restoreConnectorState(dir / "backup", data, "kp"), StateBackupError);
  EXPECT_EQ(records(data), 5u);
  for (const auto& entry : fs::directory_iterator(dir.path())) {
    EXPECT_EQ(entry.path().filename().string().find(".restoring-"), std::string::npos) << entry.path();
  }
}

TEST(StateBackup, NothingToBackUpBeforeTheFirstSync) {
  nser::testing::TempDir dir("nser-state-backup");
  EXPECT_THROW(nser::connectors::backupConnectorState(dir / "state", dir / "backup", "kp"), StateBackupError);
  EXPECT_FALSE(fs::exists(dir / "backup"));
}

}  // namespace
