#include "audit/audit_log.h"

#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/perf_level.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/slice.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <array>
#include <string_view>

namespace nser::audit {
namespace {

constexpr char kEntryPrefix = 'e';
constexpr char kNodePrefix = 'n';
constexpr char kHashPrefix = 'h';
constexpr char kIndexPrefix = 'x';
constexpr char kMetaPrefix = 'm';
const std::string kSizeKey = std::string(1, kMetaPrefix) + "size";

void putBigEndian64(std::string& out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xFF));
}

std::uint64_t readBigEndian64(std::string_view bytes) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(bytes[i]);
  return v;
}

// Times order as unsigned big-endian keys once the sign bit is flipped.
std::uint64_t orderedTime(std::int64_t millis) {
  return static_cast<std::uint64_t>(millis) ^ (std::uint64_t{1} << 63);
}

struct IndexedField {
  char tag;
  std::string AuditEntry::*member;
  std::string AuditQuery::*queryMember;
};
constexpr std::array<IndexedField, 5> kIndexedFields = {{{'p', &AuditEntry::programme, &AuditQuery::programme},
                                                        {'c', &AuditEntry::custodian, &AuditQuery::custodian},
                                                        {'e', &AuditEntry::entity, &AuditQuery::entity},
                                                        {'u', &AuditEntry::purpose, &AuditQuery::purpose},
                                                        {'d', &AuditEntry::decision, &AuditQuery::decision}}};

std::string indexPrefix(char tag, const std::string& value) {
  std::string key;
  key.reserve(3 + value.size() + 16);
  key.push_back(kIndexPrefix);
  key.push_back(tag);
  key.append(value);
  key.push_back('\0');
  return key;
}

// The memtable insert hint's prefix: keys that arrive in order within it get
// a cheap insert right after the previous one instead of a search from the
// skip list's top. Entries ('e' + high index byte) and nodes ('n' + level)
// arrive in index order; an index key of a low-cardinality field (programme,
// custodian, purpose, decision) arrives in (time, index) order within its
// value, so its prefix runs to the value's terminator. Entity index keys and
// leaf-hash keys arrive in random order, where a hint only costs a wasted
// check: they are outside the domain (and would grow the hint map by one
// slot per distinct value).
class InsertHintPrefix final : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "nser.audit.InsertHintPrefix"; }
  bool InDomain(const rocksdb::Slice& key) const override {
    if (key.size() < 2) return false;
    switch (key[0]) {
      case kEntryPrefix:
      case kNodePrefix:
        return true;
      case kIndexPrefix:
        return key[1] != 'e' && valueEnd(key) != std::string_view::npos;
      default:
        return false;
    }
  }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    if (key[0] != kIndexPrefix) return rocksdb::Slice(key.data(), 2);
    return rocksdb::Slice(key.data(), valueEnd(key) + 1);
  }

 private:
  static std::size_t valueEnd(const rocksdb::Slice& key) { return key.ToStringView().find('\0', 2); }
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
  for (const auto& field : kIndexedFields) {
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

std::string AuditLog::nodeKey(const NodeId& node) {
  std::string key(1, kNodePrefix);
  key.push_back(static_cast<char>(node.level));
  putBigEndian64(key, node.index);
  return key;
}

AuditLog::AuditLog(const std::filesystem::path& directory) {
  std::error_code ec;
  std::filesystem::create_directories(directory, ec);
  rocksdb::Options options;
  options.create_if_missing = true;
  options.compression = rocksdb::kNoCompression;  // hashes do not compress
  options.write_buffer_size = 64u << 20;
  // Memtable inserts are most of the committer's work: hint the ordered ones.
  options.memtable_insert_with_hint_prefix_extractor = std::make_shared<InsertHintPrefix>();
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.block_cache = rocksdb::NewLRUCache(256u << 20);
  // Index and filter blocks stay with their open table files (all files are
  // kept open), so a point read never waits for one to be loaded into the cache.
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  rocksdb::DB* raw = nullptr;
  check(rocksdb::DB::Open(options, directory.string(), &raw), "cannot open " + directory.string());
  db_.reset(raw);

  std::string sizeValue;
  std::uint64_t size = 0;
  const auto status = db_->Get(rocksdb::ReadOptions(), kSizeKey, &sizeValue);
  if (status.ok()) {
    if (sizeValue.size() != 8) throw AuditLogError("audit log: " + directory.string() + ": tree size is corrupt");
    size = readBigEndian64(sizeValue);
  } else if (!status.IsNotFound()) {
    check(status, "reading the tree size");
  }
  tree_ = CompactRange(size, readNodes(CompactRange::edgeNodes(size)));
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
  committer_ = std::thread([this] { commitLoop(); });
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
}

std::uint64_t AuditLog::append(const AuditEntry& entry) {
  std::vector<Pending> pending(1);
  pending[0].bytes = encodeAuditEntry(entry);
  pending[0].entry = &entry;
  enqueueAndWait(pending);
  return pending[0].index;
}

std::uint64_t AuditLog::appendAll(const std::vector<AuditEntry>& entries) {
  if (entries.empty()) return size();
  std::vector<Pending> pending(entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i) {
    pending[i].bytes = encodeAuditEntry(entries[i]);
    pending[i].entry = &entries[i];
  }
  enqueueAndWait(pending);
  return pending.front().index;
}

void AuditLog::enqueueAndWait(std::vector<Pending>& pending) {
  const auto waiter = std::make_shared<Waiter>();
  pending.back().waiter = waiter;
  {
    // Queued together, so the committer gives them consecutive indexes.
    std::lock_guard lock(queueMutex_);
    if (stopping_) throw AuditLogError("audit log: closed");
    for (auto& item : pending) queue_.push_back(&item);
  }
  queueReady_.notify_one();
  {
    std::unique_lock lock(waiter->mutex);
    waiter->wake.wait(lock, [&] { return waiter->done; });
  }
  for (const auto& item : pending) {
    if (!item.error.empty()) throw AuditLogError(item.error);
  }
}

void AuditLog::commitLoop() {
  // RocksDB's per-thread perf counters cost a thread-local lookup per key comparison.
  rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable);
  std::vector<Pending*> group;
  for (;;) {
    {
      std::unique_lock lock(queueMutex_);
      queueReady_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, nothing left to write
      group.swap(queue_);
    }
    commitGroup(group);
    group.clear();
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
  // Keys that arrive in random order (leaf hashes, entity index keys) go in
  // last, sorted: the memtable's insert then starts from where the previous
  // key went instead of from the top of its skip list.
  std::vector<std::pair<std::string, std::string>> scattered;
  scattered.reserve(2 * group.size());
  std::string key;
  for (Pending* pending : group) {
    const std::uint64_t index = next.size();
    const Hash leaf = leafHash(pending->bytes);
    batch.Put(entryKey(index), pending->bytes);
    std::string indexValue;
    putBigEndian64(indexValue, index);
    std::string hashKey(1, kHashPrefix);
    hashKey.append(hashBytes(leaf));
    scattered.emplace_back(std::move(hashKey), std::move(indexValue));
    next.append(leaf, [&](const NodeId& node, const Hash& hash) {
      batch.Put(nodeKey(node), hashBytes(hash));
      if (node.level >= kFirstCachedLevel) upper.emplace_back(node, hash);
    });
    for (const auto& field : kIndexedFields) {
      const std::string& value = pending->entry->*field.member;
      if (value.empty()) continue;
      key = indexPrefix(field.tag, value);
      putBigEndian64(key, orderedTime(pending->entry->timeMillis));
      putBigEndian64(key, index);
      if (field.tag == 'e') {
        scattered.emplace_back(std::move(key), std::string());
      } else {
        batch.Put(key, rocksdb::Slice());
      }
    }
  }
  std::sort(scattered.begin(), scattered.end());
  for (const auto& [scatteredKey, value] : scattered) batch.Put(scatteredKey, value);
  std::string sizeValue;
  putBigEndian64(sizeValue, next.size());
  batch.Put(kSizeKey, sizeValue);
  rocksdb::WriteOptions options;
  options.sync = true;
  const auto status = db_->Write(options, &batch);
  if (status.ok()) {
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
  // A caller's items precede its last one in the group, so they are all
  // written before it is woken; once woken it may return and destroy them.
  for (Pending* pending : group) {
    if (!pending->waiter) continue;
    const auto waiter = pending->waiter;
    {
      std::lock_guard lock(waiter->mutex);
      waiter->done = true;
    }
    waiter->wake.notify_one();
  }
}

std::uint64_t AuditLog::size() const {
  std::shared_lock lock(stateMutex_);
  return tree_.size();
}

std::vector<Hash> AuditLog::readNodes(const std::vector<NodeId>& nodes) const {
  std::vector<Hash> hashes(nodes.size());
  std::vector<std::size_t> fromStorage;
  {
    std::shared_lock lock(stateMutex_);
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      const auto& node = nodes[i];
      if (node.level >= kFirstCachedLevel && !upperLevels_.empty()) {
        const auto& level = upperLevels_[node.level - kFirstCachedLevel];
        if (node.index < level.size()) {
          hashes[i] = level[node.index];
          continue;
        }
      }
      fromStorage.push_back(i);
    }
  }
  if (fromStorage.empty()) return hashes;
  std::vector<std::string> keys;
  keys.reserve(fromStorage.size());
  for (const std::size_t i : fromStorage) keys.push_back(nodeKey(nodes[i]));
  std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
  std::vector<std::string> values;
  const auto statuses = db_->MultiGet(rocksdb::ReadOptions(), slices, &values);
  for (std::size_t k = 0; k < fromStorage.size(); ++k) {
    const NodeId& node = nodes[fromStorage[k]];
    if (statuses[k].IsNotFound()) throw AuditLogError("audit log: " + describe(node) + " is missing from storage");
    check(statuses[k], "reading " + describe(node));
    hashes[fromStorage[k]] = hashFromValue(values[k], describe(node));
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
  std::string key(1, kHashPrefix);
  key.append(hashBytes(leaf));
  std::string value;
  const auto status = db_->Get(rocksdb::ReadOptions(), key, &value);
  if (status.IsNotFound()) return std::nullopt;
  check(status, "reading the hash index");
  if (value.size() != 8) throw AuditLogError("audit log: hash index value is corrupt");
  const std::uint64_t index = readBigEndian64(value);
  if (index >= size()) return std::nullopt;
  return index;
}

std::vector<StoredEntry> AuditLog::entries(std::uint64_t begin, std::uint64_t end) const {
  end = std::min(end, size());
  std::vector<StoredEntry> out;
  if (begin >= end) return out;
  out.reserve(end - begin);
  // Entries and their level-0 nodes are two ordered key ranges: two iterators.
  rocksdb::ReadOptions options;
  const std::string upper = entryKey(end);
  rocksdb::Slice upperSlice(upper);
  options.iterate_upper_bound = &upperSlice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options));
  rocksdb::ReadOptions nodeOptions;
  const std::string nodeUpper = nodeKey(NodeId{0, end});
  rocksdb::Slice nodeUpperSlice(nodeUpper);
  nodeOptions.iterate_upper_bound = &nodeUpperSlice;
  std::unique_ptr<rocksdb::Iterator> nodes(db_->NewIterator(nodeOptions));
  nodes->Seek(nodeKey(NodeId{0, begin}));
  for (it->Seek(entryKey(begin)); it->Valid(); it->Next()) {
    StoredEntry entry;
    entry.index = readBigEndian64(it->key().ToStringView().substr(1));
    entry.bytes = it->value().ToString();
    const std::string wanted = nodeKey(NodeId{0, entry.index});
    while (nodes->Valid() && nodes->key().compare(wanted) < 0) nodes->Next();
    if (nodes->Valid() && nodes->key() == wanted && nodes->value().size() == 32) {
      std::copy(nodes->value().data(), nodes->value().data() + 32, reinterpret_cast<char*>(entry.leafHash.data()));
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
  const IndexedField* driver = nullptr;
  for (const auto& field : kIndexedFields) {
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
  const std::string prefix = indexPrefix(driver->tag, query.*driver->queryMember);
  std::string start = prefix;
  putBigEndian64(start, orderedTime(query.fromMillis));
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(start); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    const auto rest = it->key().ToStringView().substr(prefix.size());
    if (rest.size() != 16) continue;
    if (readBigEndian64(rest) > orderedTime(query.toMillis)) break;
    const std::uint64_t index = readBigEndian64(rest.substr(8));
    if (index >= committed) continue;
    std::string bytes;
    const auto status = db_->Get(rocksdb::ReadOptions(), entryKey(index), &bytes);
    if (status.IsNotFound()) continue;
    check(status, "reading entry " + std::to_string(index));
    consider(index, std::move(bytes));
    if (out.size() >= query.limit) break;
  }
  check(it->status(), "searching");
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
