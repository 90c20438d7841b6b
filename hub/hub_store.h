// HubStore: the hub's RocksDB database, one column family per kind of data
// (key layout in docs/hub-storage.md). Every write goes through one
// WriteBatch, so what one request changes lands atomically; writes that the
// hub acknowledges are synced to the WAL before the acknowledgement
// (`sync = true`), so they survive kill -9 and power loss.
//
// Thread-safe (RocksDB is); the hub serialises its writers itself.
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/statistics.h>
#include <rocksdb/write_batch.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace nser::hub {

class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class Family : std::size_t {
  Meta = 0,     // hub-wide values: "next_record_id", "encoding_shape", "next_event", ...
  Parties,      // party id -> Party (JSON)
  Certificates, // certificate fingerprint -> party id
  References,   // custodian number (u32 BE) + pseudonymous ref -> record id (u32 BE)
  Records,      // record id (u32 BE) -> StoredRecord (cereal)
  Resolution,   // record id (u32 BE) -> entity id + links (cereal)
  Aliases,      // absorbed entity id (u64 BE) -> survivor entity id (u64 BE)
  Departed,     // record id (u32 BE) -> the entity it last belonged to (u64 BE)
  Ingest,       // custodian party id + 0x00 + "seq" -> last sequence; + "key" + idempotency key -> ack JSON
  Events,       // event number (u64 BE) -> resolution event (JSON)
  Agreements,   // agreement id + 0x00 + version (u32 BE) -> agreement (JSON); "current/" + id -> version
  Consents,     // consent id -> consent record (JSON: artefact, status, status changes)
  Quotas,       // agreement id + 0x00 + UTC day (YYYY-MM-DD) -> permitted requests that day (u32 BE)
  Notifications,// party id + 0x00 + number (u64 BE) -> notification (JSON)
  NextEncodings,// record id (u32 BE) -> StagedEncoding (cereal), during a key rotation (hub/linkage_epoch.h)
  Count
};

std::string_view familyName(Family family);

class HubStore {
 public:
  // Opens (creating if needed) the database under `directory`.
  explicit HubStore(const std::string& directory);
  ~HubStore();
  HubStore(const HubStore&) = delete;
  HubStore& operator=(const HubStore&) = delete;

  std::optional<std::string> get(Family family, std::string_view key) const;
  // Calls `visit(key, value)` for every key starting with `prefix`, in key
  // order, until it returns false.
  void scan(Family family, std::string_view prefix,
            const std::function<bool(std::string_view key, std::string_view value)>& visit) const;

  // A batch of changes applied atomically by commit().
  class Batch {
   public:
    void put(Family family, std::string_view key, std::string_view value);
    void erase(Family family, std::string_view key);
    bool empty() const { return batch_.Count() == 0; }

   private:
    friend class HubStore;
    explicit Batch(const HubStore* store) : store_(store) {}
    const HubStore* store_;
    rocksdb::WriteBatch batch_;
  };
  Batch batch() const { return Batch(this); }
  // Applies the batch; with `sync` it is on stable storage when this returns.
  void commit(Batch& batch, bool sync);

  // RocksDB's own statistics ("rocksdb.*" properties and tickers) for /metrics.
  std::vector<std::pair<std::string, std::uint64_t>> statistics() const;
  std::string directory() const { return directory_; }
  // The database, for RocksDB checkpoints (hub/hub_backup.h).
  rocksdb::DB& database() const { return *db_; }

 private:
  rocksdb::ColumnFamilyHandle* handle(Family family) const { return handles_[static_cast<std::size_t>(family)]; }
  std::string directory_;
  std::shared_ptr<rocksdb::Statistics> statistics_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

// Fixed-width big-endian keys sort in numeric order.
std::string bigEndian32(std::uint32_t value);
std::string bigEndian64(std::uint64_t value);
std::uint32_t readBigEndian32(std::string_view bytes);
std::uint64_t readBigEndian64(std::string_view bytes);

}  // namespace nser::hub
