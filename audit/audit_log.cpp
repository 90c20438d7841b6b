#include "audit/audit_log.h"

#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/perf_level.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/slice.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <stdexcept>
#include <array>
#include <string_view>

#include "audit/storage_key.h"

namespace nser::audit {
namespace {

constexpr char kEntryPrefix = 'e';
constexpr char kNodePrefix = 'n';
constexpr char kTilePrefix = 't';
constexpr std::uint64_t kTileLeaves = std::uint64_t{1} << AuditLog::kFirstCachedLevel;
constexpr char kMetaPrefix = 'm';
const std::string kSizeKey = std::string(1, kMetaPrefix) + "size";
const std::string kIndexFamily = "index";
// The watermark of the index before its keys carried their block's start;
// such an index is dropped and rebuilt from the log when the log opens.
const std::string kUnpartitionedIndexWatermark = std::string(1, kMetaPrefix) + "indexed";

struct QueryField {
  IndexedField field;
  std::string AuditEntry::*member;
  std::string AuditQuery::*queryMember;
};
constexpr std::array<QueryField, 5> kQueryFields = {
    {{IndexedField::programme, &AuditEntry::programme, &AuditQuery::programme},
     {IndexedField::custodian, &AuditEntry::custodian, &AuditQuery::custodian},
     {IndexedField::entity, &AuditEntry::entity, &AuditQuery::entity},
     {IndexedField::purpose, &AuditEntry::purpose, &AuditQuery::purpose},
     {IndexedField::decision, &AuditEntry::decision, &AuditQuery::decision}}};

// The memtable insert hint's prefix: keys that arrive in order within it get
// a cheap insert right after the previous one instead of a search from the
// skip list's top. The commit path writes only such keys: entries ('e' +
// high index byte), tiles ('t' + high index byte) and nodes ('n' + level)
// arrive in index order.
class InsertHintPrefix final : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "nser.audit.InsertHintPrefix"; }
  bool InDomain(const rocksdb::Slice& key) const override {
    return key.size() >= 2 && (key[0] == kEntryPrefix || key[0] == kTilePrefix || key[0] == kNodePrefix);
  }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override { return rocksdb::Slice(key.data(), 2); }
};

void check(const rocksdb::Status& status, const std::string& what) {
  if (!status.ok()) throw AuditLogError("audit log: " + what + ": " + status.ToString());
}

Hash hashFromValue(const std::string& value, const std::string& what) {
  if (value.size() != 32) throw AuditLogError("audit log: " + what + " is not a 32-byte hash");
  Hash hash;
  std::copy(value.begin(), value.end(), hash.begin());
  return hash;
}

std::string describe(const NodeId& node) {
  return "node (level " + std::to_string(node.level) + ", index " + std::to_string(node.index) + ")";
}

bool matches(const AuditEntry& entry, const AuditQuery& query) {
  for (const auto& field : kQueryFields) {
    const std::string& wanted = query.*field.queryMember;
    if (!wanted.empty() && entry.*field.member != wanted) return false;
  }
  return entry.timeMillis >= query.fromMillis && entry.timeMillis <= query.toMillis;
}

}  // namespace

std::string AuditLog::entryKey(std::uint64_t index) {
  std::string key(1, kEntryPrefix);
  putBigEndian64(key, index);
  return key;
}

std::string AuditLog::tileKey(std::uint64_t tile) {
  std::string key(1, kTilePrefix);
  putBigEndian64(key, tile);
  return key;
}

std::string AuditLog::nodeKey(const NodeId& node) {
  std::string key(1, kNodePrefix);
  key.push_back(static_cast<char>(node.level));
  putBigEndian64(key, node.index);
  return key;
}

namespace {

rocksdb::Options logOptions() {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  options.compression = rocksdb::kNoCompression;  // hashes do not compress
  options.write_buffer_size = 64u << 20;
  // Flushes, compactions and ingested index files write tens of megabytes.
  // Left dirty until their final fsync, ext4 (data=ordered) makes the next
  // journal commit, which the group commit's fdatasync waits for, write them
  // out first: a stall of hundreds of milliseconds. Written back a megabyte
  // at a time instead, they stay out of the commit's way.
  options.bytes_per_sync = 1u << 20;
  // Memtable inserts are most of the committer's work: hint the ordered ones.
  options.memtable_insert_with_hint_prefix_extractor = std::make_shared<InsertHintPrefix>();
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.block_cache = rocksdb::NewLRUCache(256u << 20);
  // Index and filter blocks stay with their open table files (all files are
  // kept open), so a point read never waits for one to be loaded into the cache.
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return options;
}

// The index column family is written only by ingesting SST files.
rocksdb::ColumnFamilyOptions indexFamilyOptions(const rocksdb::Options& log) {
  rocksdb::ColumnFamilyOptions options(log);
  options.memtable_insert_with_hint_prefix_extractor.reset();
  options.prefix_extractor = AuditIndex::valuePrefixExtractor();
  options.write_buffer_size = 4u << 20;
  return options;
}

// The log's database with both column families; `handles` gets the default
// family's and the index family's, in that order.
rocksdb::DB* openDatabase(const std::filesystem::path& directory, std::vector<rocksdb::ColumnFamilyHandle*>& handles) {
  const rocksdb::Options options = logOptions();
  const std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions(options)},
      {kIndexFamily, indexFamilyOptions(options)}};
  rocksdb::DB* raw = nullptr;
  check(rocksdb::DB::Open(rocksdb::DBOptions(options), directory.string(), families, &handles, &raw),
        "cannot open " + directory.string());
  return raw;
}

}  // namespace

AuditLog::AuditLog(const std::filesystem::path& directory, const AuditLogOptions& logOptionsIn) {
  std::error_code ec;
  std::filesystem::create_directories(directory, ec);
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = openDatabase(directory, handles);
  db_.reset(raw);
  // The default family's handle is owned by the database.
  db_->DestroyColumnFamilyHandle(handles[0]);
  indexFamily_ = std::unique_ptr<rocksdb::ColumnFamilyHandle, FamilyRelease>(handles[1], FamilyRelease{raw});

  std::string sizeValue;
  std::uint64_t size = 0;
  const auto status = db_->Get(rocksdb::ReadOptions(), kSizeKey, &sizeValue);
  if (status.ok()) {
    if (sizeValue.size() != 8) throw AuditLogError("audit log: " + directory.string() + ": tree size is corrupt");
    size = readBigEndian64(sizeValue);
  } else if (!status.IsNotFound()) {
    check(status, "reading the tree size");
  }
  if (size > 0) {
    std::string tile;
    const auto first = db_->Get(rocksdb::ReadOptions(), tileKey(0), &tile);
    std::string leaf;
    if (first.IsNotFound() && db_->Get(rocksdb::ReadOptions(), nodeKey(NodeId{0, 0}), &leaf).ok()) {
      throw AuditLogError("audit log: " + directory.string() +
                          " keeps leaf hashes as nodes, a storage format before tiles (docs/audit-format.md): "
                          "start a new log directory");
    }
  }
  tree_ = CompactRange(size, readNodes(CompactRange::edgeNodes(size)));
  if (size % kTileLeaves != 0) {
    const std::uint64_t tile = size / kTileLeaves;
    std::string leaves;
    const auto read = db_->Get(rocksdb::ReadOptions(), tileKey(tile), &leaves);
    if (read.IsNotFound() || leaves.size() < (size % kTileLeaves) * 32) {
      throw AuditLogError("audit log: tile " + std::to_string(tile) + " is missing from storage");
    }
    check(read, "reading tile " + std::to_string(tile));
    for (std::uint64_t i = 0; i < size % kTileLeaves; ++i) {
      openTile_.push_back(hashFromValue(leaves.substr(i * 32, 32), "tile " + std::to_string(tile)));
    }
  }
  // The upper levels into memory: a scan of each level's keys, in index order.
  upperLevels_.resize(64 - kFirstCachedLevel);
  for (unsigned level = kFirstCachedLevel; level < 64 && (size >> level) != 0; ++level) {
    auto& hashes = upperLevels_[level - kFirstCachedLevel];
    const std::uint64_t count = size >> level;
    hashes.reserve(count);
    const std::string prefix = nodeKey(NodeId{level, 0}).substr(0, 2);
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix) && hashes.size() < count; it->Next()) {
      const NodeId node{level, hashes.size()};
      if (it->key() != rocksdb::Slice(nodeKey(node))) {
        throw AuditLogError("audit log: " + describe(node) + " is missing from storage");
      }
      hashes.push_back(hashFromValue(it->value().ToString(), describe(node)));
    }
    check(it->status(), "reading level " + std::to_string(level));
    if (hashes.size() != count) {
      throw AuditLogError("audit log: " + describe(NodeId{level, hashes.size()}) + " is missing from storage");
    }
  }
  std::string legacy;
  if (db_->Get(rocksdb::ReadOptions(), kUnpartitionedIndexWatermark, &legacy).ok()) {
    // Its keys start with 'h' and 'x', after every block-prefixed key.
    rocksdb::WriteBatch drop;
    check(drop.DeleteRange(indexFamily_.get(), "h", "y"), "dropping the unpartitioned index");
    check(drop.Delete(kUnpartitionedIndexWatermark), "dropping the unpartitioned index");
    rocksdb::WriteOptions sync;
    sync.sync = true;
    check(db_->Write(sync, &drop), "dropping the unpartitioned index");
  }
  std::uint64_t watermark = 0;
  std::string watermarkValue;
  const auto indexed = db_->Get(rocksdb::ReadOptions(), AuditIndex::kWatermarkKey, &watermarkValue);
  if (indexed.ok() && watermarkValue.size() == 8) {
    watermark = std::min(readBigEndian64(watermarkValue), size);
  } else if (!indexed.ok() && !indexed.IsNotFound()) {
    check(indexed, "reading the index watermark");
  }
  index_ = std::make_unique<AuditIndex>(*db_, *indexFamily_, directory / "index-ingest", watermark,
                                        logOptionsIn.indexBlockEntries);
  indexUnindexedEntries();
  committer_ = std::thread([this] { commitLoop(); });
}

void AuditLog::indexUnindexedEntries() {
  // Entries the index had not stored when the log closed (at most a block
  // and a group, or the whole log when the index is new), read back and
  // indexed a chunk at a time. An entry missing from storage or that no
  // longer decodes is left out of the index; the verifier names it.
  const std::uint64_t end = tree_.size();
  constexpr std::uint64_t kChunk = 4096;
  for (std::uint64_t begin = index_->watermark(); begin < end; begin += kChunk) {
    const auto stored = entries(begin, std::min(end, begin + kChunk));
    std::vector<AuditEntry> decoded;
    std::vector<AuditIndex::Addition> additions;
    decoded.reserve(stored.size());
    additions.reserve(stored.size());
    for (const auto& entry : stored) {
      try {
        decoded.push_back(decodeAuditEntry(entry.bytes));
      } catch (const AuditEntryError&) {
        continue;
      }
      additions.push_back(AuditIndex::Addition{entry.index, &decoded.back(), leafHash(entry.bytes)});
    }
    index_->add(additions, /*background=*/false);
  }
}

void AuditLog::editStorage(const std::filesystem::path& directory, const std::function<void(rocksdb::DB&)>& change) {
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = openDatabase(directory, handles);
  std::unique_ptr<rocksdb::DB> db(raw);
  struct Handles {
    rocksdb::DB& db;
    std::vector<rocksdb::ColumnFamilyHandle*>& handles;
    ~Handles() {
      for (auto* handle : handles) db.DestroyColumnFamilyHandle(handle);
    }
  } release{*db, handles};
  change(*db);
}

AuditLog::~AuditLog() { close(); }

void AuditLog::close() {
  {
    std::lock_guard lock(queueMutex_);
    if (stopping_ && !committer_.joinable()) return;
    stopping_ = true;
  }
  queueReady_.notify_all();
  if (committer_.joinable()) committer_.join();
  if (index_) index_->close();
}

void AuditLog::flushIndex() { index_->flush(); }

std::uint64_t AuditLog::append(const AuditEntry& entry) {
  std::vector<Pending> pending(1);
  pending[0].bytes = encodeAuditEntry(entry);
  pending[0].leaf = leafHash(pending[0].bytes);
  pending[0].entry = &entry;
  enqueueAndWait(pending);
  return pending[0].index;
}

std::uint64_t AuditLog::appendAll(const std::vector<AuditEntry>& entries) {
  if (entries.empty()) return size();
  std::vector<Pending> pending(entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i) {
    pending[i].bytes = encodeAuditEntry(entries[i]);
    pending[i].leaf = leafHash(pending[i].bytes);
    pending[i].entry = &entries[i];
  }
  enqueueAndWait(pending);
  return pending.front().index;
}

namespace {

static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t));

std::uint32_t* futexWord(std::atomic<std::uint32_t>& word) { return reinterpret_cast<std::uint32_t*>(&word); }

void waitUntilDone(std::atomic<std::uint32_t>& done) {
  while (done.load(std::memory_order_acquire) == 0) {
    syscall(SYS_futex, futexWord(done), FUTEX_WAIT_PRIVATE, 0, nullptr, nullptr, 0);
  }
}

void markDone(std::atomic<std::uint32_t>& done) {
  done.store(1, std::memory_order_release);
  syscall(SYS_futex, futexWord(done), FUTEX_WAKE_PRIVATE, INT_MAX, nullptr, nullptr, 0);
}

}  // namespace

void AuditLog::enqueue(Pending* first, std::size_t count, std::shared_ptr<GroupWaiter>* waiter) {
  {
    // Queued together, so the committer gives them consecutive indexes.
    std::lock_guard lock(queueMutex_);
    if (stopping_) throw AuditLogError("audit log: closed");
    for (std::size_t i = 0; i < count; ++i) queue_.push_back(first + i);
    if (waiter != nullptr) *waiter = forming_;
  }
  queueReady_.notify_one();
}

void AuditLog::enqueueAndWait(std::vector<Pending>& pending) {
  std::shared_ptr<GroupWaiter> waiter;
  enqueue(pending.data(), pending.size(), &waiter);
  waitUntilDone(waiter->done);
  for (const auto& item : pending) {
    if (!item.error.empty()) throw AuditLogError(item.error);
  }
}

void AuditLog::appendAsync(AuditEntry entry, Acknowledgement acknowledged) {
  if (!acknowledged) throw std::invalid_argument("audit log: appendAsync needs an acknowledgement to call");
  auto item = std::make_unique<Pending>();
  item->ownedEntry = std::make_unique<AuditEntry>(std::move(entry));
  item->entry = item->ownedEntry.get();
  item->bytes = encodeAuditEntry(*item->entry);
  item->leaf = leafHash(item->bytes);
  item->acknowledged = std::move(acknowledged);
  enqueue(item.get(), 1, nullptr);
  item.release();  // the committer's now: deleted once acknowledged
}

void AuditLog::commitLoop() {
  // RocksDB's per-thread perf counters cost a thread-local lookup per key comparison.
  rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable);
  std::vector<Pending*> group;
  std::vector<std::unique_ptr<Pending>> asynchronous;
  // The contract forbids throwing: an exception here ends the process rather
  // than leave the log's committer dead with appends queued behind it.
  auto acknowledge = [](const Pending& item) noexcept {
    item.acknowledged(item.error.empty() ? item.index : 0, item.error);
  };
  for (;;) {
    std::shared_ptr<GroupWaiter> waiter;
    {
      std::unique_lock lock(queueMutex_);
      queueReady_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, nothing left to write
      group.swap(queue_);
      waiter = std::exchange(forming_, std::make_shared<GroupWaiter>());
    }
    commitGroup(group);
    for (Pending* item : group) {
      if (item->ownedEntry) asynchronous.emplace_back(item);
    }
    group.clear();
    // Once woken, a caller may return and destroy its items. (Callers copy
    // the waiter under the queue's mutex, so when no one else holds it no
    // caller waits on it: a group of asynchronous appends skips the wake.)
    if (waiter.use_count() > 1) markDone(waiter->done);
    for (const auto& item : asynchronous) acknowledge(*item);
    asynchronous.clear();
  }
}

void AuditLog::commitGroup(std::vector<Pending*>& group) {
  CompactRange next;
  {
    std::shared_lock lock(stateMutex_);
    next = tree_;
  }
  const std::uint64_t first = next.size();
  rocksdb::WriteBatch batch;
  std::vector<std::pair<NodeId, Hash>> upper;
  std::vector<AuditIndex::Addition> additions;
  additions.reserve(group.size());
  // The leaf hashes go into tiles of 8 (levels 0-2 are computed from them);
  // the open tile is rewritten with each group that adds to it.
  std::vector<Hash> tile = openTile_;
  std::uint64_t tileIndex = first / kTileLeaves;
  auto putTile = [&] {
    std::string value;
    value.reserve(tile.size() * 32);
    for (const Hash& leaf : tile) value.append(hashBytes(leaf));
    batch.Put(tileKey(tileIndex), value);
  };
  for (Pending* pending : group) {
    const std::uint64_t index = next.size();
    const Hash& leaf = pending->leaf;
    batch.Put(entryKey(index), pending->bytes);
    next.append(leaf, [&](const NodeId& node, const Hash& hash) {
      if (node.level < kFirstCachedLevel) return;
      batch.Put(nodeKey(node), hashBytes(hash));
      upper.emplace_back(node, hash);
    });
    additions.push_back(AuditIndex::Addition{index, pending->entry, leaf});
    tile.push_back(leaf);
    if (tile.size() == kTileLeaves) {
      putTile();
      tile.clear();
      ++tileIndex;
    }
  }
  if (!tile.empty()) putTile();
  std::string sizeValue;
  putBigEndian64(sizeValue, next.size());
  batch.Put(kSizeKey, sizeValue);
  rocksdb::WriteOptions options;
  options.sync = true;
  const auto status = db_->Write(options, &batch);
  if (status.ok()) {
    // Indexed before the new size is visible, so a search never misses a
    // committed entry (the index ignores entries past the size it is given).
    index_->add(additions);
    openTile_ = std::move(tile);
    std::unique_lock lock(stateMutex_);
    tree_ = next;
    for (const auto& [node, hash] : upper) upperLevels_[node.level - kFirstCachedLevel].push_back(hash);
  }
  for (std::size_t i = 0; i < group.size(); ++i) {
    if (status.ok()) {
      group[i]->index = first + i;
    } else {
      group[i]->error = "audit log: write failed: " + status.ToString();
    }
  }
}

std::uint64_t AuditLog::size() const {
  std::shared_lock lock(stateMutex_);
  return tree_.size();
}

std::vector<Hash> AuditLog::readNodes(const std::vector<NodeId>& nodes) const {
  std::vector<Hash> hashes(nodes.size());
  std::vector<std::size_t> fromNodes, fromTiles;
  {
    std::shared_lock lock(stateMutex_);
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      const auto& node = nodes[i];
      if (node.level < kFirstCachedLevel) {
        fromTiles.push_back(i);
        continue;
      }
      if (!upperLevels_.empty()) {
        const auto& level = upperLevels_[node.level - kFirstCachedLevel];
        if (node.index < level.size()) {
          hashes[i] = level[node.index];
          continue;
        }
      }
      fromNodes.push_back(i);  // while the log opens
    }
  }
  if (fromNodes.empty() && fromTiles.empty()) return hashes;
  // One MultiGet: the upper nodes not in memory, then each tile needed once.
  std::vector<std::string> keys;
  for (const std::size_t i : fromNodes) keys.push_back(nodeKey(nodes[i]));
  std::vector<std::uint64_t> tiles;
  for (const std::size_t i : fromTiles) tiles.push_back((nodes[i].index << nodes[i].level) / kTileLeaves);
  std::sort(tiles.begin(), tiles.end());
  tiles.erase(std::unique(tiles.begin(), tiles.end()), tiles.end());
  for (const std::uint64_t tile : tiles) keys.push_back(tileKey(tile));
  std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
  std::vector<std::string> values;
  const auto statuses = db_->MultiGet(rocksdb::ReadOptions(), slices, &values);
  for (std::size_t k = 0; k < fromNodes.size(); ++k) {
    const NodeId& node = nodes[fromNodes[k]];
    if (statuses[k].IsNotFound()) throw AuditLogError("audit log: " + describe(node) + " is missing from storage");
    check(statuses[k], "reading " + describe(node));
    hashes[fromNodes[k]] = hashFromValue(values[k], describe(node));
  }
  for (std::size_t t = 0; t < tiles.size(); ++t) {
    const std::size_t k = fromNodes.size() + t;
    if (!statuses[k].IsNotFound()) check(statuses[k], "reading tile " + std::to_string(tiles[t]));
  }
  for (const std::size_t i : fromTiles) {
    const NodeId& node = nodes[i];
    const std::uint64_t firstLeaf = node.index << node.level;
    const std::uint64_t tile = firstLeaf / kTileLeaves;
    const std::size_t k = fromNodes.size() + static_cast<std::size_t>(
                                                 std::lower_bound(tiles.begin(), tiles.end(), tile) - tiles.begin());
    const std::string& leaves = values[k];
    const std::uint64_t offset = firstLeaf % kTileLeaves, count = std::uint64_t{1} << node.level;
    if (statuses[k].IsNotFound() || leaves.size() % 32 != 0 || leaves.size() < (offset + count) * 32) {
      throw AuditLogError("audit log: " + describe(node) + " is missing from storage (tile " + std::to_string(tile) +
                          ")");
    }
    // A perfect subtree of at most 4 leaves, folded pairwise.
    std::vector<Hash> level;
    for (std::uint64_t j = 0; j < count; ++j) {
      level.push_back(hashFromValue(leaves.substr((offset + j) * 32, 32), "tile " + std::to_string(tile)));
    }
    while (level.size() > 1) {
      for (std::size_t j = 0; j < level.size() / 2; ++j) level[j] = nodeHash(level[2 * j], level[2 * j + 1]);
      level.resize(level.size() / 2);
    }
    hashes[i] = level[0];
  }
  return hashes;
}

Hash AuditLog::root(std::uint64_t size) const {
  {
    std::shared_lock lock(stateMutex_);
    if (size > tree_.size()) {
      throw AuditLogError("audit log: size " + std::to_string(size) + " is beyond the log's " +
                          std::to_string(tree_.size()) + " entries");
    }
    if (size == tree_.size()) return tree_.root();
  }
  if (size == 0) return emptyTreeHash();
  return foldRangeHashes(readNodes(rangeNodes(LeafRange{0, size})));
}

std::vector<Hash> AuditLog::proofFromRanges(const std::vector<LeafRange>& ranges) const {
  // One MultiGet for every node of every range, then fold each range.
  std::vector<NodeId> nodes;
  std::vector<std::size_t> counts;
  for (const auto& range : ranges) {
    const auto parts = rangeNodes(range);
    counts.push_back(parts.size());
    nodes.insert(nodes.end(), parts.begin(), parts.end());
  }
  const std::vector<Hash> hashes = readNodes(nodes);
  std::vector<Hash> proof;
  proof.reserve(ranges.size());
  std::size_t at = 0;
  for (const std::size_t count : counts) {
    if (count == 1) {
      proof.push_back(hashes[at]);
    } else {
      proof.push_back(foldRangeHashes(std::vector<Hash>(hashes.begin() + static_cast<std::ptrdiff_t>(at),
                                                        hashes.begin() + static_cast<std::ptrdiff_t>(at + count))));
    }
    at += count;
  }
  return proof;
}

std::vector<Hash> AuditLog::inclusionProof(std::uint64_t index, std::uint64_t size) const {
  if (size > this->size()) {
    throw AuditLogError("audit log: size " + std::to_string(size) + " is beyond the log's " +
                        std::to_string(this->size()) + " entries");
  }
  if (index >= size) {
    throw AuditLogError("audit log: index " + std::to_string(index) + " is not below size " + std::to_string(size));
  }
  return proofFromRanges(inclusionProofRanges(index, size));
}

std::vector<Hash> AuditLog::consistencyProof(std::uint64_t size1, std::uint64_t size2) const {
  if (size2 > size()) {
    throw AuditLogError("audit log: size " + std::to_string(size2) + " is beyond the log's " +
                        std::to_string(size()) + " entries");
  }
  if (size1 > size2) {
    throw AuditLogError("audit log: first size " + std::to_string(size1) + " is larger than the second " +
                        std::to_string(size2));
  }
  return proofFromRanges(consistencyProofRanges(size1, size2));
}

std::optional<std::uint64_t> AuditLog::findByLeafHash(const Hash& leaf) const {
  return index_->findByLeafHash(leaf, size());
}

std::vector<StoredEntry> AuditLog::entries(std::uint64_t begin, std::uint64_t end) const {
  end = std::min(end, size());
  std::vector<StoredEntry> out;
  if (begin >= end) return out;
  out.reserve(end - begin);
  // Entries and their tiles of leaf hashes are two ordered key ranges: two iterators.
  rocksdb::ReadOptions options;
  const std::string upper = entryKey(end);
  rocksdb::Slice upperSlice(upper);
  options.iterate_upper_bound = &upperSlice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options));
  rocksdb::ReadOptions tileOptions;
  const std::string tileUpper = tileKey((end - 1) / kTileLeaves + 1);
  rocksdb::Slice tileUpperSlice(tileUpper);
  tileOptions.iterate_upper_bound = &tileUpperSlice;
  std::unique_ptr<rocksdb::Iterator> tiles(db_->NewIterator(tileOptions));
  tiles->Seek(tileKey(begin / kTileLeaves));
  for (it->Seek(entryKey(begin)); it->Valid(); it->Next()) {
    StoredEntry entry;
    entry.index = readBigEndian64(it->key().ToStringView().substr(1));
    entry.bytes = it->value().ToString();
    const std::string wanted = tileKey(entry.index / kTileLeaves);
    while (tiles->Valid() && tiles->key().compare(wanted) < 0) tiles->Next();
    const std::size_t offset = static_cast<std::size_t>(entry.index % kTileLeaves) * 32;
    if (tiles->Valid() && tiles->key() == wanted && tiles->value().size() >= offset + 32) {
      std::copy(tiles->value().data() + offset, tiles->value().data() + offset + 32,
                reinterpret_cast<char*>(entry.leafHash.data()));
    }
    out.push_back(std::move(entry));
  }
  check(it->status(), "reading entries");
  return out;
}

std::vector<StoredEntry> AuditLog::search(const AuditQuery& query) const {
  std::vector<StoredEntry> out;
  if (query.limit == 0) return out;
  const std::uint64_t committed = size();
  const QueryField* driver = nullptr;
  for (const auto& field : kQueryFields) {
    if (!(query.*field.queryMember).empty()) {
      driver = &field;
      break;
    }
  }
  auto consider = [&](std::uint64_t index, std::string bytes) {
    const AuditEntry entry = decodeAuditEntry(bytes);
    if (!matches(entry, query)) return;
    const Hash leaf = leafHash(bytes);
    out.push_back(StoredEntry{index, std::move(bytes), leaf});
  };
  if (driver == nullptr) {
    // No indexed field: a scan in index order (documented as O(n)).
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
    for (it->Seek(entryKey(0)); it->Valid() && it->key().starts_with(std::string(1, kEntryPrefix)); it->Next()) {
      const std::uint64_t index = readBigEndian64(it->key().ToStringView().substr(1));
      if (index >= committed) break;
      consider(index, it->value().ToString());
      if (out.size() >= query.limit) break;
    }
    check(it->status(), "scanning entries");
    return out;
  }
  index_->forEach(driver->field, query.*driver->queryMember, query.fromMillis, query.toMillis, committed,
                  [&](std::uint64_t index) {
                    std::string bytes;
                    const auto status = db_->Get(rocksdb::ReadOptions(), entryKey(index), &bytes);
                    if (status.IsNotFound()) return true;
                    check(status, "reading entry " + std::to_string(index));
                    consider(index, std::move(bytes));
                    return out.size() < query.limit;
                  });
  return out;
}

void AuditLog::putMeta(const std::string& name, const std::string& value) {
  rocksdb::WriteOptions options;
  options.sync = true;
  check(db_->Put(options, std::string(1, kMetaPrefix) + name, value), "writing " + name);
}

std::optional<std::string> AuditLog::getMeta(const std::string& name) const {
  std::string value;
  const auto status = db_->Get(rocksdb::ReadOptions(), std::string(1, kMetaPrefix) + name, &value);
  if (status.IsNotFound()) return std::nullopt;
  check(status, "reading " + name);
  return value;
}

}  // namespace nser::audit
