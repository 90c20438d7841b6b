// AuditIndex: the audit log's secondary indexes (leaf hash -> index, and
// field value + time -> index for programme, custodian, entity, purpose and
// decision), built behind the log so that a group commit writes only the
// log's own ordered keys.
//
// Entries the log has made durable are handed over with add(); they are
// indexed in memory at once (the "tail") and, every `blockEntries` entries,
// a background thread writes the block's index keys, sorted, to an SST file
// and ingests it into the index column family (no memtable, no WAL), then
// records the block's end as the watermark (kWatermarkKey). Every key starts
// with its block's first index, so blocks never overlap and the family is
// never compacted; a search seeks into each block (docs/audit-format.md). The
// index is derived data: entries past the watermark are re-read from the log
// when it opens (AuditLog does that), so a crash loses nothing. Index keys
// at or past the watermark (a crash between an ingest and its watermark) are
// ignored, and re-ingested with the same contents.
//
// Queries see every entry they are given a committed size for: the column
// family below the watermark, the block being ingested, and the tail.
// Thread-safe: one adder (the committer) and any number of readers.
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/slice_transform.h>

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "audit/audit_entry.h"
#include "audit/merkle_hash.h"

namespace nser::audit {

// The indexed fields, by key tag.
enum class IndexedField : char { programme = 'p', custodian = 'c', entity = 'e', purpose = 'u', decision = 'd' };

class AuditIndex {
 public:
  // `watermark`: entries below it are in `family` (read from the log's meta
  // key). The caller then add()s every entry from the watermark on, in order.
  AuditIndex(rocksdb::DB& db, rocksdb::ColumnFamilyHandle& family, std::filesystem::path scratchDirectory,
             std::uint64_t watermark, std::size_t blockEntries);
  ~AuditIndex();
  AuditIndex(const AuditIndex&) = delete;
  AuditIndex& operator=(const AuditIndex&) = delete;

  struct Addition {
    std::uint64_t index = 0;
    const AuditEntry* entry = nullptr;
    Hash leaf{};
  };
  // Indexes entries durable in the log, in index order. `background`: false
  // while the log opens (a full block is ingested at once, so catching up on
  // a long unindexed stretch stays within memory).
  void add(const std::vector<Addition>& additions, bool background = true);

  // The newest entry below `committed` with this leaf hash.
  std::optional<std::uint64_t> findByLeafHash(const Hash& leaf, std::uint64_t committed) const;

  // Calls `visit(index)` for entries below `committed` whose `field` equals
  // `value` and whose time is in [fromMillis, toMillis], in (time, index)
  // order, until it returns false.
  void forEach(IndexedField field, const std::string& value, std::int64_t fromMillis, std::int64_t toMillis,
               std::uint64_t committed, const std::function<bool(std::uint64_t)>& visit) const;

  // Entries below this are in the column family.
  std::uint64_t watermark() const;
  // Waits until every full block handed over is ingested (tests, close).
  // Throws AuditLogError with the ingest's failure, if it failed.
  void flush();
  void close();

  static const std::string kWatermarkKey;  // in the default column family
  // The index column family's prefix extractor (its bloom filters then
  // answer a search's seek into a block that lacks the value).
  static std::shared_ptr<const rocksdb::SliceTransform> valuePrefixExtractor();

 private:
  struct Indexed {
    std::uint64_t index = 0;
    std::int64_t timeMillis = 0;
    Hash leaf{};
    std::string programme, custodian, entity, purpose, decision;
  };
  using Block = std::vector<Indexed>;

  void ingestLoop();
  void ingest(const Block& block);  // throws AuditLogError
  void startIngestIfDue();          // with mutex_ held (then takes ingestMutex_)

  rocksdb::DB& db_;
  rocksdb::ColumnFamilyHandle& family_;
  std::filesystem::path scratch_;
  std::size_t blockEntries_;

  mutable std::shared_mutex mutex_;
  std::uint64_t watermark_;                // guarded by mutex_
  std::vector<std::uint64_t> blockStarts_;  // guarded by mutex_: ingested blocks' first indexes, ascending
  std::shared_ptr<const Block> ingesting_;  // the block being ingested, or null
  Block tail_;                              // entries after the ingesting block

  std::mutex ingestMutex_;
  std::condition_variable ingestReady_, ingestDone_;
  bool stopping_ = false;     // guarded by ingestMutex_
  bool due_ = false;          // guarded by ingestMutex_: a block is waiting
  std::string ingestError_;  // guarded by ingestMutex_; the last ingest's failure
  std::thread ingester_;
};

}  // namespace nser::audit
