// AuditLog: the append-only Merkle log of audit entries, in its own RocksDB
// database (key layout in docs/audit-format.md, "Storage").
//
// Durability: append() returns only after the entry, the tree nodes it
// completes and the new tree size are on stable storage (one synced
// WriteBatch); its index keys follow (derived data, rebuilt when lost), and
// searches see it as soon as append() returns. Concurrent appenders are
// grouped: one committer thread takes every entry waiting, writes them in a
// single synced batch and then wakes their callers (group commit), so many
// appends share one fsync. appendAsync() joins the same groups and is
// acknowledged at the same point, through a callback: a caller with many
// appends in flight then sleeps once per batch of acknowledgements rather
// than once per append (on two cores, that sleep and wake-up cost as much
// CPU as the append itself; docs/performance.md, "Audit log").
//
// Reads: leaf hashes are stored in tiles of 8, and every perfect subtree of
// 8 leaves and more when it is completed, so a root (of any size up to the
// current one), an inclusion proof or a consistency proof costs O(log n)
// work and point reads (one MultiGet). The subtrees of 8 leaves and more
// (n/4 hashes: 8 bytes per entry, 80 MB at 10 million entries, read at open)
// are also kept in memory, so an inclusion proof reads one tile and computes
// its lowest three levels from it.
//
// Indexes (search by programme, custodian, entity, purpose and decision
// within a time range; an entry by its leaf hash) are built behind the log
// by AuditIndex, in a column family of their own, so the group commit writes
// only ordered keys; opening the log re-indexes what the index had not
// stored yet.
//
// Thread-safe: any number of appenders and readers. Errors: AuditLogError for
// storage failures and arguments outside the tree.
#pragma once

#include <rocksdb/db.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "audit/audit_entry.h"
#include "audit/audit_index.h"
#include "audit/compact_range.h"
#include "audit/merkle_hash.h"
#include "audit/merkle_proof.h"

namespace nser::audit {

class AuditLogError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct StoredEntry {
  std::uint64_t index = 0;
  std::string bytes;  // canonical encoding (audit_entry.h)
  Hash leafHash{};    // the leaf hash the log recorded when it appended the entry
};

struct AuditLogOptions {
  // Entries per index block ingested into the index column family
  // (audit_index.h); also the most entries indexed only in memory.
  std::size_t indexBlockEntries = 32'768;
};

struct AuditQuery {
  std::string programme, custodian, entity, purpose, decision;  // "" = any
  std::int64_t fromMillis = INT64_MIN;                           // inclusive
  std::int64_t toMillis = INT64_MAX;                             // inclusive
  std::size_t limit = 100;
};

class AuditLog {
 public:
  // Opens (creating if needed) the log's database in `directory`.
  explicit AuditLog(const std::filesystem::path& directory, const AuditLogOptions& options = {});
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Appends an entry; returns its index once it is durable. Throws
  // AuditEntryError for an entry that cannot be encoded, AuditLogError when
  // the write failed (then the entry is not in the log).
  std::uint64_t append(const AuditEntry& entry);
  // Appends entries at consecutive indexes in one group; returns the first
  // index once all are durable (for batch summaries and bulk loads).
  std::uint64_t appendAll(const std::vector<AuditEntry>& entries);

  // Called once per asynchronous append, on the log's committer thread: with
  // the entry's index once it is durable, or with the write's failure
  // (`error` not empty; the entry is then not in the log). It delays the
  // rest of its group's acknowledgements, so it must be quick, must not
  // throw and must not append.
  using Acknowledgement = std::function<void(std::uint64_t index, const std::string& error)>;
  // Queues an entry and returns at once, for a caller that keeps many
  // appends in flight without a thread blocked on each: the same group
  // commit, acknowledged through `acknowledged` instead of a return. Throws
  // AuditEntryError for an entry that cannot be encoded, AuditLogError when
  // the log is closed and std::invalid_argument for an empty
  // `acknowledged` (then it is never called). Appends queued before close()
  // are written and acknowledged.
  void appendAsync(AuditEntry entry, Acknowledgement acknowledged);

  std::uint64_t size() const;
  // Root of the tree of the first `size` entries (size <= size()).
  Hash root(std::uint64_t size) const;
  Hash root() const { return root(size()); }
  std::vector<Hash> inclusionProof(std::uint64_t index, std::uint64_t size) const;
  std::vector<Hash> consistencyProof(std::uint64_t size1, std::uint64_t size2) const;
  std::optional<std::uint64_t> findByLeafHash(const Hash& leaf) const;

  // Entries [begin, end) as stored (end clipped to size()). An entry whose
  // key is missing from storage is skipped, so a caller sees the gap.
  std::vector<StoredEntry> entries(std::uint64_t begin, std::uint64_t end) const;
  // Matching entries in (time, index) order when a field is given, else in
  // index order; at most query.limit.
  std::vector<StoredEntry> search(const AuditQuery& query) const;

  // A small named value kept with the log (the latest signed checkpoint).
  void putMeta(const std::string& name, const std::string& value);
  std::optional<std::string> getMeta(const std::string& name) const;

  // Stops the committer (appends after this fail) and the indexer; reads
  // still answer. Idempotent; the destructor calls it.
  void close();
  // Waits until every full index block is in the index column family (tests).
  void flushIndex();

  // The database, for RocksDB checkpoints (hub/hub_backup.h).
  rocksdb::DB& database() const { return *db_; }

  // Storage keys (docs/audit-format.md); exposed for tests that tamper with a closed log.
  static std::string entryKey(std::uint64_t index);
  static std::string nodeKey(const NodeId& node);  // levels kFirstCachedLevel and up
  static std::string tileKey(std::uint64_t tile);  // leaf hashes of leaves [8·tile, 8·tile + 8)
  // Opens a closed log's database with all its column families and hands
  // the default one (entries, nodes, meta) to `change`: for tests and tools
  // that inspect or tamper with storage.
  static void editStorage(const std::filesystem::path& directory, const std::function<void(rocksdb::DB&)>& change);
  static constexpr unsigned kFirstCachedLevel = 3;

 private:
  // The callers of one group wait on one futex word, and the committer
  // wakes them all with one syscall once the group is durable. (Waking each
  // caller on its own let every wake-up preempt the committer on two cores,
  // which then waited its turn between wake-ups; a shared broadcast to all
  // callers of all groups woke those of the next group for nothing.) Shared,
  // so the committer never wakes a destroyed object.
  struct GroupWaiter {
    std::atomic<std::uint32_t> done{0};
  };
  // One append waiting for the committer; owned by the appending caller,
  // who also hashes it (in parallel with the committer's serial work), or,
  // for appendAsync(), by the log until it is acknowledged.
  struct Pending {
    std::string bytes;
    Hash leaf{};
    const AuditEntry* entry = nullptr;
    std::uint64_t index = 0;
    std::string error;  // set when the write failed
    std::unique_ptr<AuditEntry> ownedEntry;  // appendAsync()'s (marks the item the log's)
    Acknowledgement acknowledged;            // appendAsync()'s
  };
  // Queues `count` items from `first` together; `waiter`, when given,
  // receives their group's waiter.
  void enqueue(Pending* first, std::size_t count, std::shared_ptr<GroupWaiter>* waiter);
  void enqueueAndWait(std::vector<Pending>& pending);
  void commitLoop();
  void commitGroup(std::vector<Pending*>& group);
  std::vector<Hash> readNodes(const std::vector<NodeId>& nodes) const;
  Hash rangeHash(std::uint64_t begin, std::uint64_t end) const;
  std::vector<Hash> proofFromRanges(const std::vector<LeafRange>& ranges) const;

  void indexUnindexedEntries();

  // Destroyed in reverse order: the index, the family's handle, the database.
  struct FamilyRelease {
    rocksdb::DB* db;  // no initializer: the unique_ptr value-initializes it
    void operator()(rocksdb::ColumnFamilyHandle* handle) const { db->DestroyColumnFamilyHandle(handle); }
  };
  std::unique_ptr<rocksdb::DB> db_;
  std::unique_ptr<rocksdb::ColumnFamilyHandle, FamilyRelease> indexFamily_;
  std::unique_ptr<AuditIndex> index_;
  mutable std::shared_mutex stateMutex_;
  CompactRange tree_;  // committed state
  std::vector<Hash> openTile_;  // the committer's: leaf hashes of the last, partial tile
  std::vector<std::vector<Hash>> upperLevels_;  // [level - kFirstCachedLevel][index], committed nodes

  std::mutex queueMutex_;
  std::condition_variable queueReady_;
  std::vector<Pending*> queue_;
  std::shared_ptr<GroupWaiter> forming_ = std::make_shared<GroupWaiter>();  // the queued callers' group
  bool stopping_ = false;
  std::thread committer_;
};

}  // namespace nser::audit
