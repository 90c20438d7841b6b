// HubBackup: online backups of the hub's data directory and their offline
// restore (docs/backup-restore.md).
//
// A backup is a directory <backup root>/hub-<UTC time>/ holding
//   manifest.json  format "nser-hub-backup" v1: time, hub id, byte counts, the
//                  audit tree size and root hash it contains
//   data/          a complete hub data directory: a RocksDB checkpoint of the
//                  hub store, audit/ (a checkpoint of the audit log) and keys/
//                  (the hub's signing keys, 0600)
// It is built under "<name>.partial" and renamed when complete, so a
// directory without that suffix is always a whole backup. The store is
// checkpointed before the audit log, so the log in a backup covers every
// change in its store, except one made in the milliseconds between the two
// checkpoints whose audit entry was not yet durable.
//
// restoreHubBackup() works offline: it refuses while the data directory's
// RocksDB LOCK is held (the hub is running), stages a copy of the backup
// beside the data directory, checks the staged audit log against the
// manifest, then moves the current data directory aside (never deleting it)
// and renames the staged copy into place. The audit log is append-only and
// is not rolled back: when the current log extends the backup's (the same
// root at the backup's tree size) a copy of it replaces the backup's, so
// auditors and witnesses that saw later checkpoints see no fork; otherwise
// (the current log is lost or damaged) the backup's log is used. Either way
// an "admin"/"restore" entry by actor "operator" records the restore.
//
// Errors: BackupError, with a message that says what to do.
#pragma once

#include <rocksdb/db.h>

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "audit/audit_log.h"

namespace nser::hub {

class BackupError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct HubBackupManifest {
  std::string created;  // UTC, ISO 8601
  std::string hubId;
  std::uint64_t storeBytes = 0;
  std::uint64_t auditBytes = 0;
  std::uint64_t keyFiles = 0;
  std::uint64_t auditTreeSize = 0;
  std::string auditRoot;  // hex
};

struct HubBackupResult {
  std::filesystem::path path;
  HubBackupManifest manifest;
};

// Takes a backup of the running hub into a new directory under `backupRoot`
// (created 0700 if missing). One backup at a time per process.
HubBackupResult createHubBackup(rocksdb::DB& store, rocksdb::DB& auditLog, const std::filesystem::path& dataDirectory,
                                const std::filesystem::path& backupRoot, const std::string& hubId);

// Reads and checks `backup`/manifest.json.
HubBackupManifest readHubBackupManifest(const std::filesystem::path& backup);

// Copies the backup's data into a scratch directory, opens its audit log and
// compares its size and root with the manifest. Returns the manifest.
HubBackupManifest verifyHubBackup(const std::filesystem::path& backup, const std::filesystem::path& scratch);

struct HubRestoreResult {
  HubBackupManifest manifest;
  std::filesystem::path movedAside;  // empty when there was no data directory
  bool keptCurrentLog = false;       // the audit log was kept (it extends the backup's)
  std::uint64_t auditTreeSize = 0;   // of the restored log, with its "restore" entry
};

HubRestoreResult restoreHubBackup(const std::filesystem::path& backup, const std::filesystem::path& dataDirectory);

}  // namespace nser::hub
