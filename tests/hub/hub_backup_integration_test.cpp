// Backup and restore with real processes (docs/backup-restore.md): a hub
// and a connector ingest, the hub is backed up online (`nser admin backup`)
// and the connector's state offline, more is ingested, then both are
// restored: the hub serves the records of the backup time, the audit log
// still verifies for an auditor who saw the later checkpoints, and the next
// sync is accepted and brings the hub up to date.
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <map>

#include "tests/support/hub_process.h"

using nser::testing::HubProcess;
using nser::testing::ProcessResult;
using nser::testing::readFile;
using nser::testing::runProcess;
using nser::testing::writeFile;

namespace {

namespace fs = std::filesystem;

std::string sourceCsv(int count) {
  std::string csv = "rec_id,cnic,name,relation_type,relation_name,gender,dob,district,tehsil,province,address,phone\n";
  const char* names[] = {"Muhammad Qasim", "Zainab Bibi", "Ghulam Abbas", "Ayesha Noor", "Imran Ali"};
  for (int n = 0; n < count; ++n) {
    char cnic[32];
    std::snprintf(cnic, sizeof cnic, "35202-%07d-%d", 5000000 + n * 7919, n % 2 == 0 ? 1 : 2);
    csv += "p" + std::to_string(n) + "," + cnic + "," + names[n % 5] + " " + std::to_string(n) + ",s/o,Allah Ditta," +
           (n % 2 == 0 ? "M" : "F") + ",1980-01-" + std::to_string(10 + n % 18) + ",Lahore,Lahore City,Punjab,,\n";
  }
  return csv;
}

Poco::JSON::Object::Ptr json(const std::string& text) {
  Poco::JSON::Parser parser;
  return parser.parse(text).extract<Poco::JSON::Object::Ptr>();
}

std::uint64_t hubRecords(const HubProcess& hub) {
  return json(hub.client("admin")->get("/admin/status").body)->getValue<std::uint64_t>("records");
}

class BackupFixture {
 public:
  BackupFixture() : hub_({"punjab", "auditor"}) {
    const auto& issued = hub_.pki().client("punjab");
    writeFile(dir() / "secret.key", "backup integration test linkage secret 0123456789");
    ::chmod((dir() / "secret.key").c_str(), 0600);
    writeFile(dir() / "mapping.json", R"({"format": "nser-connector-mapping", "version": 1, "key_column": "rec_id"})");
    writeFile(dir() / "connector.json", R"({
  "custodian": "punjab",
  "hub": {"url": "https://127.0.0.1:)" + std::to_string(hub_.port()) + R"(",
          "tls": {"certificate": ")" + issued.certificatePath.string() + R"(", "private_key": ")" +
                                            issued.keyPath.string() + R"(", "ca_certificate": ")" +
                                            hub_.pki().caCertificate.string() + R"("}},
  "linkage": {"schema": ")" + std::string(NSER_SOURCE_DIR) + R"(/schemas/linkage/nser-person-v1.json",
              "secret_file": "secret.key", "key_epoch": 1},
  "source": {"type": "csv", "path": "source.csv"},
  "mapping": "mapping.json",
  "data_directory": "connector-state",
  "sync": {"batch_size": 10, "max_attempts": 2, "initial_backoff_ms": 20},
  "log": {"format": "json", "level": "warning"}
})");
  }
  fs::path dir() const { return hub_.dir().path(); }
  HubProcess& hub() { return hub_; }

  ProcessResult connector(std::vector<std::string> args) const {
    args.insert(args.begin(), {"connector", "--config", (dir() / "connector.json").string()});
    return runProcess(NSER_BINARY, args);
  }
  ProcessResult hubAction(const std::string& action, const fs::path& from) const {
    return runProcess(NSER_BINARY, {"hub", action, "--config", (dir() / "hub.json").string(), "--from", from.string()});
  }
  ProcessResult auditor(std::vector<std::string> args) const {
    const auto files = hub_.filesOf("auditor");
    args.insert(args.begin(), "audit");
    for (const std::string& extra : {std::string("--hub"), "https://127.0.0.1:" + std::to_string(hub_.port()),
                                     std::string("--cert"), files.certificate, std::string("--key"), files.privateKey,
                                     std::string("--ca"), files.caCertificate}) {
      args.push_back(extra);
    }
    return runProcess(NSER_BINARY, args);
  }
  // Publishes a checkpoint and verifies the log against the auditor's
  // remembered state (a rollback or fork since the last call fails).
  ProcessResult verifyAudit() {
    if (!fs::exists(dir() / "log.key")) {
      const auto key = auditor({"key"});
      EXPECT_EQ(key.exitCode, 0) << key.err;
      writeFile(dir() / "log.key", key.out);
    }
    const auto published = auditor({"checkpoint", "--publish"});
    EXPECT_EQ(published.exitCode, 0) << published.err;
    return auditor({"verify", "--log-key-file", (dir() / "log.key").string(), "--state",
                    (dir() / "auditor-state").string()});
  }

 private:
  HubProcess hub_;
};

TEST(HubBackupIntegration, OnlineBackupThenRestoreServesTheBackupStateAndKeepsTheAuditLog) {
  BackupFixture f;
  f.hub().start();
  f.hub().registerParty("punjab", "custodian");
  f.hub().registerParty("auditor", "auditor");

  writeFile(f.dir() / "source.csv", sourceCsv(30));
  auto result = f.connector({"sync"});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  ASSERT_EQ(hubRecords(f.hub()), 30u);
  const auto entitiesAtBackup = json(f.hub().client("admin")->get("/admin/status").body)->getValue<std::uint64_t>("entities");

  // Online: the hub keeps serving while the checkpoints are taken.
  result = f.hub().admin({"admin", "backup", "--json"});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  const auto backup = json(result.out);
  const fs::path backupPath = backup->getValue<std::string>("path");
  EXPECT_EQ(backupPath.parent_path(), f.dir() / "backups");
  EXPECT_TRUE(fs::exists(backupPath / "manifest.json"));
  EXPECT_TRUE(fs::exists(backupPath / "data" / "CURRENT"));
  EXPECT_TRUE(fs::exists(backupPath / "data" / "audit" / "CURRENT"));
  EXPECT_GT(backup->getValue<std::uint64_t>("store_bytes"), 0u);
  EXPECT_GT(backup->getValue<std::uint64_t>("audit_tree_size"), 0u);
  EXPECT_EQ(backup->getValue<std::uint64_t>("key_files"), 2u);  // checkpoint.key, fetch-order.key
  for (const auto& key : fs::directory_iterator(backupPath / "data" / "keys")) {
    EXPECT_EQ(fs::status(key).permissions(), fs::perms::owner_read | fs::perms::owner_write) << key.path();
  }
  result = f.hubAction("verify-backup", backupPath);
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_NE(result.out.find("verify-backup: ok"), std::string::npos) << result.out;

  // The connector's state, offline (no sync is running), at the same moment.
  result = f.connector({"backup", "--out", (f.dir() / "connector-backup").string()});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_NE(result.out.find("30 records"), std::string::npos) << result.out;

  // More arrives after the backup; the auditor sees the later checkpoint.
  writeFile(f.dir() / "source.csv", sourceCsv(45));
  result = f.connector({"sync"});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  ASSERT_EQ(hubRecords(f.hub()), 45u);
  result = f.verifyAudit();
  ASSERT_EQ(result.exitCode, 0) << result.err << result.out;

  // Restore refuses while the hub holds its data directory.
  result = f.hubAction("restore", backupPath);
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_NE(result.err.find("in use"), std::string::npos) << result.err;

  ASSERT_EQ(f.hub().stop().exitCode, 0);
  result = f.hubAction("restore", backupPath);
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_NE(result.out.find("audit log: kept"), std::string::npos) << result.out;
  int movedAside = 0;
  for (const auto& entry : fs::directory_iterator(f.dir())) {
    if (entry.path().filename().string().starts_with("data.replaced-")) {
      ++movedAside;
      EXPECT_TRUE(fs::exists(entry.path() / "CURRENT"));  // never deleted
    }
  }
  EXPECT_EQ(movedAside, 1);
  result = f.connector({"restore", "--from", (f.dir() / "connector-backup").string()});
  ASSERT_EQ(result.exitCode, 0) << result.err;

  f.hub().start();
  EXPECT_EQ(hubRecords(f.hub()), 30u);
  EXPECT_EQ(json(f.hub().client("admin")->get("/admin/status").body)->getValue<std::uint64_t>("entities"),
            entitiesAtBackup);
  // The log was not rolled back: the auditor's remembered checkpoint is
  // consistent with it, and the restore is on record.
  result = f.verifyAudit();
  ASSERT_EQ(result.exitCode, 0) << result.err << result.out;
  result = f.auditor({"entries"});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_NE(result.out.find("\"restore\""), std::string::npos);

  // The restored connector re-sends what the hub lost; the hub accepts it.
  result = f.connector({"sync"});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_NE(result.out.find("upserts=15"), std::string::npos) << result.out;
  EXPECT_EQ(hubRecords(f.hub()), 45u);
}

TEST(HubBackupIntegration, ConnectorStateBackupRefusesWhileTheStateIsHeld) {
  BackupFixture f;
  f.hub().start();
  f.hub().registerParty("punjab", "custodian");
  writeFile(f.dir() / "source.csv", sourceCsv(5));
  ASSERT_EQ(f.connector({"sync"}).exitCode, 0);
  // `run` (here serving a loopback gateway) holds the state while it runs.
  std::string config = readFile(f.dir() / "connector.json");
  config.insert(config.rfind('}'),
                R"(, "gateway": {"listen": {"address": "127.0.0.1", "port": 0}, "loopback_only": true})");
  writeFile(f.dir() / "connector.json", config);
  nser::testing::ManagedProcess running("connector", NSER_BINARY,
                                        {"connector", "--config", (f.dir() / "connector.json").string(), "run"},
                                        f.dir());
  ASSERT_TRUE(running.waitForOutput("gateway listening", std::chrono::seconds(60))) << running.lastError();
  auto result = f.connector({"backup", "--out", (f.dir() / "b").string()});
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_NE(result.err.find("in use"), std::string::npos) << result.err;
  EXPECT_FALSE(fs::exists(f.dir() / "b"));
  running.stop();
  result = f.connector({"backup", "--out", (f.dir() / "b").string()});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  // A backup of one custodian is not restored into another's connector.
  config = readFile(f.dir() / "connector.json");
  config.replace(config.find("\"punjab\""), 8, "\"sindh\"");
  writeFile(f.dir() / "connector.json", config);
  result = f.connector({"restore", "--from", (f.dir() / "b").string()});
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_NE(result.err.find("custodian 'punjab'"), std::string::npos) << result.err;
}

}  // namespace

namespace {

// deploy/backup.sh, as nser-backup.service runs it: backup, verify, retention.
TEST(HubBackupIntegration, BackupScriptVerifiesAndKeepsTheNewest) {
  HubProcess hub({});
  hub.start();
  const auto files = hub.filesOf("admin");
  const std::map<std::string, std::string> env = {
      {"NSER", NSER_BINARY},
      {"NSER_HUB_URL", "https://127.0.0.1:" + std::to_string(hub.port())},
      {"NSER_CERT", files.certificate},
      {"NSER_KEY", files.privateKey},
      {"NSER_CA", files.caCertificate},
      {"NSER_HUB_CONFIG", (hub.dir() / "hub.json").string()},
      {"NSER_BACKUP_KEEP", "2"},
      {"NSER_BACKUP_COPY_TO", (hub.dir() / "offsite").string()}};
  const std::string script = std::string(NSER_SOURCE_DIR) + "/deploy/backup.sh";
  for (int run = 0; run < 3; ++run) {
    const auto result = runProcess("/bin/bash", {script}, std::chrono::seconds(120), env);
    ASSERT_EQ(result.exitCode, 0) << result.err << result.out;
    EXPECT_NE(result.out.find("verify-backup: ok"), std::string::npos) << result.out;
  }
  int kept = 0;
  for (const auto& entry : fs::directory_iterator(hub.dir() / "backups")) {
    EXPECT_TRUE(entry.path().filename().string().starts_with("hub-")) << entry.path();
    ++kept;
  }
  EXPECT_EQ(kept, 2);
  int copied = 0;
  for (const auto& entry : fs::directory_iterator(hub.dir() / "offsite")) {
    EXPECT_TRUE(fs::exists(entry.path() / "data" / "audit" / "CURRENT"));
    ++copied;
  }
  EXPECT_EQ(copied, 3);
}

}  // namespace
