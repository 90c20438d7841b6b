// StateBackup: backup and restore of a connector's local state
// (`nser connector --config C backup --out DIR` / `restore --from DIR`,
// docs/backup-restore.md).
//
// The state is the RocksDB database of connectors/sync_state.h (records
// pushed with their pseudonymous references, the next batch sequence, a
// pending batch, the quarantine) and keys/ (connector_keys.h). A backup
// directory holds
//   manifest.json  format "nser-connector-state-backup" v1: time, custodian,
//                  records, next sequence, key files
//   data/          a RocksDB checkpoint of the state, with keys/ (0600)
// and is built under "DIR.partial", renamed when complete.
//
// Both work offline: the state is held open by `nser connector run` (and by a
// sync while it runs), so they refuse with a clear error while its RocksDB
// LOCK is held. Restore stages a copy beside the data directory, opens it to
// check it against the manifest, then moves the current data directory aside
// (never deleting it) and renames the copy into place.
//
// Errors: StateBackupError.
#pragma once

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace nser::connectors {

class StateBackupError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct StateBackupManifest {
  std::string created;  // UTC, ISO 8601
  std::string custodian;
  std::uint64_t records = 0;
  std::uint64_t nextSequence = 0;
  std::uint64_t keyFiles = 0;
};

StateBackupManifest backupConnectorState(const std::filesystem::path& dataDirectory, const std::filesystem::path& out,
                                         const std::string& custodian);

struct StateRestoreResult {
  StateBackupManifest manifest;
  std::filesystem::path movedAside;  // empty when there was no data directory
};

// Refuses a backup of another custodian's connector.
StateRestoreResult restoreConnectorState(const std::filesystem::path& backup,
                                         const std::filesystem::path& dataDirectory, const std::string& custodian);

}  // namespace nser::connectors
