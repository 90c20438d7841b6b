// hub/hub_backup.h in-process: a backup holds the store, the audit log and
// the keys as they were; verification and restore check the audit log
// against the manifest; restore keeps a current audit log that extends the
// backup's and otherwise uses the backup's; a damaged backup is refused and
// leaves the data directory untouched.
#include "hub/hub_backup.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>

#include "audit/audit_log.h"
#include "hub/hub_store.h"
#include "tests/support/temp_dir.h"

namespace {

namespace fs = std::filesystem;
using nser::hub::BackupError;
using nser::hub::Family;
using nser::hub::HubStore;

nser::audit::AuditEntry entry(const std::string& action) {
  nser::audit::AuditEntry e;
  e.kind = "admin";
  e.timeMillis = 1'700'000'000'000;
  e.actor = "admin";
  e.details = R"({"action":")" + action + R"("})";
  return e;
}

class HubBackupTest : public ::testing::Test {
 protected:
  fs::path data() const { return dir_ / "data"; }
  fs::path backups() const { return dir_ / "backups"; }

  // A running hub's data: one party in the store, `entries` audit entries, one key.
  void open() {
    store_ = std::make_unique<HubStore>(data().string());
    log_ = std::make_unique<nser::audit::AuditLog>(data() / "audit");
  }
  void close() {
    log_.reset();
    store_.reset();
  }
  void put(const std::string& key) {
    auto batch = store_->batch();
    batch.put(Family::Parties, key, "{}");
    store_->commit(batch, true);
  }
  nser::hub::HubBackupResult backup() {
    return nser::hub::createHubBackup(store_->database(), log_->database(), data(), backups(), "test-hub");
  }
  bool hasParty(const std::string& key) {
    HubStore store(data().string());
    return store.get(Family::Parties, key).has_value();
  }
  std::uint64_t auditSize() {
    nser::audit::AuditLog log(data() / "audit");
    return log.size();
  }

  nser::testing::TempDir dir_{"nser-hub-backup"};
  std::unique_ptr<HubStore> store_;
  std::unique_ptr<nser::audit::AuditLog> log_;
};

TEST_F(HubBackupTest, BackupHoldsTheStateOfItsTimeAndRestoreKeepsTheLongerAuditLog) {
  open();
  fs::create_directories(data() / "keys");
  nser::testing::writeFile(data() / "keys" / "checkpoint.key", "secret");
  put("before");
  for (int i = 0; i < 3; ++i) log_->append(entry("before"));
  const auto result = backup();
  EXPECT_EQ(result.path.parent_path(), backups());
  EXPECT_TRUE(result.path.filename().string().starts_with("hub-"));
  EXPECT_FALSE(fs::exists(result.path.string() + ".partial"));
  EXPECT_EQ(result.manifest.auditTreeSize, 3u);
  EXPECT_EQ(result.manifest.auditRoot, nser::audit::hashToHex(log_->root(3)));
  EXPECT_EQ(result.manifest.keyFiles, 1u);
  EXPECT_EQ(result.manifest.hubId, "test-hub");
  EXPECT_GT(result.manifest.storeBytes, 0u);
  EXPECT_EQ(fs::status(result.path / "data" / "keys" / "checkpoint.key").permissions(),
            fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(nser::testing::readFile(result.path / "data" / "keys" / "checkpoint.key"), "secret");

  put("after");
  for (int i = 0; i < 2; ++i) log_->append(entry("after"));
  close();

  EXPECT_EQ(nser::hub::verifyHubBackup(result.path, dir_ / "scratch").auditTreeSize, 3u);
  EXPECT_FALSE(fs::exists(dir_ / "scratch"));

  const auto restored = nser::hub::restoreHubBackup(result.path, data());
  EXPECT_TRUE(restored.keptCurrentLog);
  EXPECT_EQ(restored.auditTreeSize, 6u);  // 5 + the restore entry
  EXPECT_TRUE(hasParty("before"));
  EXPECT_FALSE(hasParty("after"));
  EXPECT_EQ(auditSize(), 6u);
  ASSERT_FALSE(restored.movedAside.empty());
  EXPECT_TRUE(fs::exists(restored.movedAside / "CURRENT"));  // the previous data, never deleted
  EXPECT_EQ(fs::status(data()).permissions(), fs::perms::owner_all);
}

TEST_F(HubBackupTest, RestoreUsesTheBackupsLogWhenTheCurrentOneDoesNotExtendIt) {
  open();
  log_->append(entry("one"));
  const auto result = backup();
  close();
  fs::remove_all(data() / "audit");  // the current log is lost; a new one diverges
  {
    nser::audit::AuditLog other(data() / "audit");
    other.append(entry("other"));
    other.append(entry("other"));
  }
  const auto restored = nser::hub::restoreHubBackup(result.path, data());
  EXPECT_FALSE(restored.keptCurrentLog);
  EXPECT_EQ(restored.auditTreeSize, 2u);  // the backup's 1 + the restore entry
}

TEST_F(HubBackupTest, RestoresIntoAMissingDataDirectory) {
  open();
  put("kept");
  log_->append(entry("one"));
  const auto result = backup();
  close();
  fs::remove_all(data());
  const auto restored = nser::hub::restoreHubBackup(result.path, data());
  EXPECT_TRUE(restored.movedAside.empty());
  EXPECT_TRUE(hasParty("kept"));
}

TEST_F(HubBackupTest, ADamagedBackupIsRefusedAndTheDataIsLeftAsItWas) {
  open();
  put("current");
  log_->append(entry("one"));
  const auto result = backup();
  close();
  std::string manifest = nser::testing::readFile(result.path / "manifest.json");
  const auto at = manifest.find(result.manifest.auditRoot);
  ASSERT_NE(at, std::string::npos);
  manifest[at] = manifest[at] == '0' ? '1' : '0';
  nser::testing::writeFile(result.path / "manifest.json", manifest);

  EXPECT_THROW(nser::hub::verifyHubBackup(result.path, dir_ / "scratch"), BackupError);
  EXPECT_FALSE(fs::exists(dir_ / "scratch"));
  try {
    nser::hub::restoreHubBackup(result.path, data());
    ADD_FAILURE() << "a damaged backup was restored";
  } catch (const BackupError& e) {
    EXPECT_NE(std::string(e.what()).find("damaged"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(hasParty("current"));
  for (const auto& entry : fs::directory_iterator(dir_.path())) {
    EXPECT_EQ(entry.path().filename().string().find(".restoring-"), std::string::npos) << entry.path();
    EXPECT_EQ(entry.path().filename().string().find(".replaced-"), std::string::npos) << entry.path();
  }
}

TEST_F(HubBackupTest, APartialOrForeignDirectoryIsNotABackup) {
  fs::create_directories(dir_ / "hub-x.partial" / "data");
  EXPECT_THROW(nser::hub::readHubBackupManifest(dir_ / "hub-x.partial"), BackupError);
  fs::create_directories(dir_ / "other" / "data");
  nser::testing::writeFile(dir_ / "other" / "manifest.json", R"({"format": "something-else", "version": 1})");
  EXPECT_THROW(nser::hub::readHubBackupManifest(dir_ / "other"), std::runtime_error);
}

}  // namespace
