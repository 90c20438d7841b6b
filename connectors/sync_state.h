// SyncState: the connector's local RocksDB state (docs/connector.md, "Local
// state"), so a sync pushes only what changed and resumes after a crash
// without losing or duplicating anything.
//
//   records    source key -> {content hash, pseudonymous reference, generation}
//              The reference is random (128 bits), stable for the record and
//              the only id the hub ever sees. The content hash is keyed (a
//              subkey of the linkage secret), so the state does not expose
//              the identity values to a dictionary attack.
//   quarantine source key or location -> {location, reason, time}
//   references pseudonymous reference -> source key, for the records the hub
//              holds (the attribute server finds a fetch order's record)
//   meta       next batch sequence, the pending batch (persisted before it is
//              sent), last sync summary, the linkage key epoch of the last
//              completed sync ("key_epoch": a change forces a full re-push)
//
// Every change is a synced write. Not thread-safe (one sync at a time).
#pragma once

#include <rocksdb/db.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace nser::connectors {

struct RecordState {
  std::string contentHash;  // hex
  std::string reference;
  std::uint64_t generation = 0;  // the sync that last pushed it
};

struct PendingEntry {
  std::string sourceKey;
  bool deletion = false;
  RecordState state;  // what the records family holds once the batch is acknowledged
};

// A batch persisted before it is sent: on restart it is re-sent as it is
// (same sequence, idempotency key and bytes), so the hub applies it once.
struct PendingBatch {
  std::uint64_t sequence = 0;
  std::string idempotencyKey;
  std::string body;
  std::vector<PendingEntry> entries;
};

struct QuarantineEntry {
  std::string key;  // source key, or the location when the row has no usable key
  std::string location;
  std::string reason;
  std::string at;
};

class SyncState {
 public:
  explicit SyncState(const std::string& directory);
  ~SyncState();

  std::optional<RecordState> record(const std::string& sourceKey) const;
  void forEachRecord(const std::function<void(const std::string& key, const RecordState&)>& visit) const;
  std::uint64_t recordCount() const;
  // The source key of a record the hub holds under `reference`. Safe to call
  // from other threads while a sync runs.
  std::optional<std::string> sourceKeyOf(const std::string& reference) const;

  std::uint64_t nextSequence() const;
  std::optional<PendingBatch> pending() const;
  void savePending(const PendingBatch& batch);  // also advances the next sequence
  // Applies an acknowledged pending batch to the records family and clears it.
  void acknowledge(const PendingBatch& batch);
  // Forgets a pending batch the hub refused for good and gives its sequence
  // back (the hub applied nothing of it).
  void abandon(const PendingBatch& batch);

  void quarantine(const QuarantineEntry& entry);
  // Empties the quarantine: each sync re-quarantines what still fails, so
  // fixed rows leave it and nothing stale stays.
  void clearQuarantine();
  void release(const std::string& key);  // one row left quarantine (incremental syncs)
  std::vector<QuarantineEntry> quarantined() const;

  void setMeta(const std::string& key, const std::string& value);
  std::optional<std::string> meta(const std::string& key) const;

 private:
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // default(meta), records, quarantine, references
};

}  // namespace nser::connectors
