#include "audit/audit_index.h"

#include <rocksdb/options.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/sst_file_writer.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "audit/audit_log.h"
#include "audit/storage_key.h"

namespace nser::audit {
namespace {

constexpr char kHashPrefix = 'h';
constexpr char kIndexPrefix = 'x';

// Every key starts with its block's first entry index (8 bytes, big-endian),
// so each ingested block occupies a key range of its own after all earlier
// ones: RocksDB places its file in the last level beside the others and
// never compacts the index. (Keys of the unpartitioned format, 'h'... and
// 'x'..., sort after every block and are never read.)
void setBlockPrefix(std::string& key, std::uint64_t blockStart) {
  key.clear();
  putBigEndian64(key, blockStart);
}

// block + 'x' + tag + value + 0x00, into `key` (whose buffer is reused).
void setIndexPrefix(std::string& key, std::uint64_t blockStart, IndexedField field, std::string_view value) {
  setBlockPrefix(key, blockStart);
  key.push_back(kIndexPrefix);
  key.push_back(static_cast<char>(field));
  key.append(value);
  key.push_back('\0');
}

// The prefix bloom filter's domain: block + 'x' + tag + value + 0x00, so
// a search's seek into a block without the value is answered by the filter.
class ValuePrefix final : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "nser.audit.IndexValuePrefix"; }
  bool InDomain(const rocksdb::Slice& key) const override { return prefixLength(key) != 0; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return rocksdb::Slice(key.data(), prefixLength(key));
  }

 private:
  static std::size_t prefixLength(const rocksdb::Slice& key) {
    constexpr std::size_t kValueAt = 8 + 2;  // after the block and 'x' + tag
    if (key.size() <= kValueAt || key[8] != kIndexPrefix) return 0;
    const void* end = std::memchr(key.data() + kValueAt, '\0', key.size() - kValueAt);
    return end == nullptr ? 0 : static_cast<std::size_t>(static_cast<const char*>(end) - key.data()) + 1;
  }
};

// block + 'h' + leaf hash.
std::string hashKey(std::uint64_t blockStart, const Hash& leaf) {
  std::string key;
  setBlockPrefix(key, blockStart);
  key.push_back(kHashPrefix);
  key.append(hashBytes(leaf));
  return key;
}

void check(const rocksdb::Status& status, const std::string& what) {
  if (!status.ok()) throw AuditLogError("audit index: " + what + ": " + status.ToString());
}

}  // namespace

const std::string AuditIndex::kWatermarkKey = "mindexblocks";

std::shared_ptr<const rocksdb::SliceTransform> AuditIndex::valuePrefixExtractor() {
  static const auto extractor = std::make_shared<const ValuePrefix>();
  return extractor;
}

AuditIndex::AuditIndex(rocksdb::DB& db, rocksdb::ColumnFamilyHandle& family, std::filesystem::path scratchDirectory,
                       std::uint64_t watermark, std::size_t blockEntries)
    : db_(db),
      family_(family),
      scratch_(std::move(scratchDirectory)),
      blockEntries_(std::max<std::size_t>(blockEntries, 1)),
      watermark_(watermark) {
  std::error_code ec;
  std::filesystem::create_directories(scratch_, ec);
  if (ec) throw AuditLogError("audit index: cannot create " + scratch_.string() + ": " + ec.message());
  tail_.reserve(std::min<std::size_t>(blockEntries_, 65536));
  // The blocks below the watermark: each block's keys start with its first
  // entry index, so one seek past a block lands on the next one.
  rocksdb::ReadOptions everyKey;
  everyKey.total_order_seek = true;  // the seeks are outside the prefix domain
  std::unique_ptr<rocksdb::Iterator> it(db_.NewIterator(everyKey, &family_));
  std::string seek;
  putBigEndian64(seek, 0);
  for (it->Seek(seek); it->Valid() && it->key().size() >= 8; it->Seek(seek)) {
    const std::uint64_t start = readBigEndian64(it->key().ToStringView());
    if (start >= watermark_) break;
    blockStarts_.push_back(start);
    seek.clear();
    putBigEndian64(seek, start + 1);
  }
  check(it->status(), "listing the index blocks");
  ingester_ = std::thread([this] { ingestLoop(); });
}

AuditIndex::~AuditIndex() { close(); }

void AuditIndex::close() {
  {
    std::lock_guard lock(ingestMutex_);
    stopping_ = true;
  }
  ingestReady_.notify_all();
  if (ingester_.joinable()) ingester_.join();
}

void AuditIndex::add(const std::vector<Addition>& additions, bool background) {
  std::unique_lock lock(mutex_);
  for (const Addition& addition : additions) {
    const AuditEntry& entry = *addition.entry;
    tail_.push_back(Indexed{addition.index, entry.timeMillis, addition.leaf, entry.programme, entry.custodian,
                            entry.entity, entry.purpose, entry.decision});
  }
  if (background) {
    startIngestIfDue();
    return;
  }
  while (tail_.size() >= blockEntries_) {
    Block block(std::make_move_iterator(tail_.begin()),
                std::make_move_iterator(tail_.begin() + static_cast<std::ptrdiff_t>(blockEntries_)));
    tail_.erase(tail_.begin(), tail_.begin() + static_cast<std::ptrdiff_t>(blockEntries_));
    ingest(block);
    watermark_ = block.back().index + 1;
    blockStarts_.push_back(block.front().index);
  }
}

void AuditIndex::startIngestIfDue() {
  if (ingesting_ || tail_.size() < blockEntries_) return;
  auto block = std::make_shared<Block>(std::make_move_iterator(tail_.begin()),
                                       std::make_move_iterator(tail_.begin() + static_cast<std::ptrdiff_t>(blockEntries_)));
  tail_.erase(tail_.begin(), tail_.begin() + static_cast<std::ptrdiff_t>(blockEntries_));
  ingesting_ = std::move(block);
  {
    std::lock_guard lock(ingestMutex_);
    due_ = true;
  }
  ingestReady_.notify_one();
}

void AuditIndex::ingestLoop() {
  // Sorting and writing a block is deferrable work: at the lowest priority
  // it runs when the cores are idle instead of delaying the appends and the
  // requests that wait for them. The block stays queryable in memory until
  // then. (On Linux the nice value is per thread; failing to lower it is
  // harmless.)
  ::setpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)), 19);
  for (;;) {
    std::shared_ptr<const Block> block;
    {
      std::shared_lock lock(mutex_);
      block = ingesting_;
    }
    if (block) {
      {
        std::lock_guard lock(ingestMutex_);
        due_ = false;
      }
      std::string error;
      try {
        ingest(*block);
      } catch (const std::exception& e) {
        error = e.what();
      }
      if (error.empty()) {
        std::unique_lock lock(mutex_);
        watermark_ = block->back().index + 1;
        blockStarts_.push_back(block->front().index);
        ingesting_.reset();
        startIngestIfDue();
      }
      {
        std::lock_guard lock(ingestMutex_);
        ingestError_ = error;
      }
      ingestDone_.notify_all();
      if (error.empty()) continue;
    }
    // Nothing to do, or the ingest failed: the block stays queryable in
    // memory and is retried a second later.
    std::unique_lock lock(ingestMutex_);
    ingestReady_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_ || due_; });
    if (stopping_) return;
  }
}

void AuditIndex::ingest(const Block& block) {
  const rocksdb::Options options = db_.GetOptions(&family_);
  rocksdb::SstFileWriter writer(rocksdb::EnvOptions(options), options, &family_);
  const auto path = scratch_ / ("index-" + std::to_string(block.front().index) + ".sst");
  check(writer.Open(path.string()), "opening " + path.string());
  // The error message is built only on failure, not for each of the
  // block's 200,000 keys.
  auto put = [&](const rocksdb::Slice& key, const rocksdb::Slice& value) {
    const auto status = writer.Put(key, value);
    if (!status.ok()) check(status, "writing " + path.string());
  };
  // Keys are written in order without building them all first: the leaf
  // hashes ('h'), then each field ('x' + tag, tags in byte order) sorted by
  // (value, time, index), through one reused key buffer.
  std::vector<std::uint32_t> order(block.size());
  for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  // Identical entries share a leaf hash: the newest index wins, as a later
  // block's key does over an earlier one's.
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    const int c = std::memcmp(block[a].leaf.data(), block[b].leaf.data(), block[a].leaf.size());
    return c != 0 ? c < 0 : block[a].index < block[b].index;
  });
  const std::uint64_t blockStart = block.front().index;
  std::string key, value;
  for (std::size_t k = 0; k < order.size(); ++k) {
    const Indexed& item = block[order[k]];
    if (k + 1 < order.size() && block[order[k + 1]].leaf == item.leaf) continue;
    setBlockPrefix(key, blockStart);
    key.push_back(kHashPrefix);
    key.append(hashBytes(item.leaf));
    value.clear();
    putBigEndian64(value, item.index);
    put(key, value);
  }
  constexpr std::array<std::pair<IndexedField, std::string Indexed::*>, 5> kByTag = {{
      {IndexedField::custodian, &Indexed::custodian},
      {IndexedField::decision, &Indexed::decision},
      {IndexedField::entity, &Indexed::entity},
      {IndexedField::programme, &Indexed::programme},
      {IndexedField::purpose, &Indexed::purpose},
  }};
  // Each field's keys in (value, time, index) order without comparing
  // strings n log n times: the block once in (time, index) order, then per
  // field a counting sort into buckets by value, the buckets in value order.
  // Each key's (time, index) comes from a compact copy: read from the block
  // in value order, it cost a cache miss per key.
  struct Posting {
    std::uint64_t time, index;
    bool operator<(const Posting& other) const {
      return time != other.time ? time < other.time : index < other.index;
    }
  };
  std::vector<Posting> postings(block.size());
  for (std::size_t i = 0; i < block.size(); ++i) postings[i] = {orderedTime(block[i].timeMillis), block[i].index};
  std::vector<std::uint32_t> byTime(block.size());
  for (std::uint32_t i = 0; i < byTime.size(); ++i) byTime[i] = i;
  std::sort(byTime.begin(), byTime.end(), [&](std::uint32_t a, std::uint32_t b) { return postings[a] < postings[b]; });
  std::unordered_map<std::string_view, std::uint32_t> bucketOfValue;
  std::vector<std::string_view> values;
  std::vector<std::uint32_t> bucketOf(block.size()), starts;
  for (const auto& [field, member] : kByTag) {
    bucketOfValue.clear();
    values.clear();
    for (std::uint32_t i = 0; i < block.size(); ++i) {
      const std::string& text = block[i].*member;
      if (text.empty()) {
        bucketOf[i] = UINT32_MAX;
        continue;
      }
      const auto [at, added] = bucketOfValue.try_emplace(text, static_cast<std::uint32_t>(values.size()));
      if (added) values.push_back(text);
      bucketOf[i] = at->second;
    }
    // Buckets renumbered in value order; each starts after the ones before.
    std::vector<std::uint32_t> rank(values.size());
    for (std::uint32_t b = 0; b < rank.size(); ++b) rank[b] = b;
    std::sort(rank.begin(), rank.end(), [&](std::uint32_t a, std::uint32_t b) { return values[a] < values[b]; });
    std::vector<std::uint32_t> position(values.size());
    for (std::uint32_t r = 0; r < rank.size(); ++r) position[rank[r]] = r;
    starts.assign(values.size() + 1, 0);
    for (std::uint32_t i = 0; i < block.size(); ++i) {
      if (bucketOf[i] != UINT32_MAX) ++starts[position[bucketOf[i]] + 1];
    }
    for (std::size_t r = 1; r < starts.size(); ++r) starts[r] += starts[r - 1];
    order.assign(starts.back(), 0);
    for (const std::uint32_t i : byTime) {
      if (bucketOf[i] != UINT32_MAX) order[starts[position[bucketOf[i]]]++] = i;
    }
    // The scatter moved each bucket's start to its end.
    std::size_t next = 0;
    for (std::uint32_t r = 0; r < rank.size(); ++r) {
      setIndexPrefix(key, blockStart, field, values[rank[r]]);
      const std::size_t prefix = key.size();
      for (; next < starts[r]; ++next) {
        key.resize(prefix);
        putBigEndian64(key, postings[order[next]].time);
        putBigEndian64(key, postings[order[next]].index);
        put(key, rocksdb::Slice());
      }
    }
  }
  check(writer.Finish(), "finishing " + path.string());
  rocksdb::IngestExternalFileOptions ingestOptions;
  ingestOptions.move_files = true;
  const auto status = db_.IngestExternalFile(&family_, {path.string()}, ingestOptions);
  std::error_code ec;
  std::filesystem::remove(path, ec);
  check(status, "ingesting entries " + std::to_string(block.front().index) + ".." + std::to_string(block.back().index));
  std::string watermark;
  putBigEndian64(watermark, block.back().index + 1);
  rocksdb::WriteOptions sync;
  sync.sync = true;
  check(db_.Put(sync, kWatermarkKey, watermark), "recording the watermark");
}

void AuditIndex::flush() {
  for (;;) {
    {
      std::shared_lock lock(mutex_);
      if (!ingesting_) return;
    }
    std::unique_lock lock(ingestMutex_);
    if (!ingestError_.empty()) throw AuditLogError(ingestError_);
    ingestDone_.wait_for(lock, std::chrono::milliseconds(20));
  }
}

std::uint64_t AuditIndex::watermark() const {
  std::shared_lock lock(mutex_);
  return watermark_;
}

std::optional<std::uint64_t> AuditIndex::findByLeafHash(const Hash& leaf, std::uint64_t committed) const {
  std::uint64_t watermark = 0;
  std::vector<std::uint64_t> blocks;
  {
    std::shared_lock lock(mutex_);
    watermark = watermark_;
    blocks = blockStarts_;
    for (auto it = tail_.rbegin(); it != tail_.rend(); ++it) {
      if (it->leaf == leaf && it->index < committed) return it->index;
    }
    if (ingesting_) {
      for (auto it = ingesting_->rbegin(); it != ingesting_->rend(); ++it) {
        if (it->leaf == leaf && it->index < committed) return it->index;
      }
    }
  }
  // Newest block first; a block's files hold one key per leaf hash (its
  // newest entry), and a bloom filter answers most blocks without a read.
  std::string value;
  for (auto block = blocks.rbegin(); block != blocks.rend(); ++block) {
    if (*block >= committed) continue;
    const auto status = db_.Get(rocksdb::ReadOptions(), &family_, hashKey(*block, leaf), &value);
    if (status.IsNotFound()) continue;
    check(status, "reading the hash index");
    if (value.size() != 8) throw AuditLogError("audit index: hash index value is corrupt");
    const std::uint64_t index = readBigEndian64(value);
    if (index < watermark && index < committed) return index;
  }
  return std::nullopt;
}

void AuditIndex::forEach(IndexedField field, const std::string& value, std::int64_t fromMillis, std::int64_t toMillis,
                         std::uint64_t committed, const std::function<bool(std::uint64_t)>& visit) const {
  auto fieldOf = [field](const Indexed& item) -> const std::string& {
    switch (field) {
      case IndexedField::programme: return item.programme;
      case IndexedField::custodian: return item.custodian;
      case IndexedField::entity: return item.entity;
      case IndexedField::purpose: return item.purpose;
      case IndexedField::decision: return item.decision;
    }
    return item.decision;
  };
  // (ordered time, index) of the entries still in memory.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> recent;
  std::uint64_t watermark = 0;
  std::vector<std::uint64_t> blocks;
  {
    std::shared_lock lock(mutex_);
    watermark = watermark_;
    blocks = blockStarts_;
    auto collect = [&](const Block& block) {
      for (const Indexed& item : block) {
        if (item.index < committed && item.timeMillis >= fromMillis && item.timeMillis <= toMillis &&
            fieldOf(item) == value) {
          recent.emplace_back(orderedTime(item.timeMillis), item.index);
        }
      }
    };
    if (ingesting_) collect(*ingesting_);
    collect(tail_);
  }
  std::sort(recent.begin(), recent.end());

  // One cursor per block with a posting in range (blocks hold disjoint
  // key ranges, so a block is one seek), merged by (time, index) with the
  // entries still in memory.
  using Posting = std::pair<std::uint64_t, std::uint64_t>;
  struct Cursor {
    std::unique_ptr<rocksdb::Iterator> it;
    std::string prefix;
    Posting current{};
  };
  // Moves `cursor` to its next posting below the watermark and within the
  // time range (from its iterator's position); false when there is none.
  auto advance = [&](Cursor& cursor) {
    for (; cursor.it->Valid() && cursor.it->key().starts_with(cursor.prefix); cursor.it->Next()) {
      const auto rest = cursor.it->key().ToStringView().substr(cursor.prefix.size());
      if (rest.size() != 16) continue;
      const std::uint64_t time = readBigEndian64(rest);
      if (time > orderedTime(toMillis)) return false;
      const std::uint64_t index = readBigEndian64(rest.substr(8));
      if (index < watermark && index < committed) {
        cursor.current = {time, index};
        return true;
      }
    }
    check(cursor.it->status(), "searching");
    return false;
  };
  // One iterator probes every block; a block keeps it when it has a
  // posting, and the next block gets a fresh one (most blocks have none for
  // a selective value, and an iterator costs more than a seek).
  std::vector<Cursor> cursors;
  Cursor probe;
  for (const std::uint64_t block : blocks) {
    if (block >= committed) break;
    setIndexPrefix(probe.prefix, block, field, value);
    std::string start = probe.prefix;
    putBigEndian64(start, orderedTime(fromMillis));
    if (!probe.it) {
      rocksdb::ReadOptions withinPrefix;
      withinPrefix.prefix_same_as_start = true;  // uses the prefix bloom filter
      probe.it.reset(db_.NewIterator(withinPrefix, &family_));
    }
    probe.it->Seek(start);
    if (advance(probe)) {
      cursors.push_back(std::move(probe));
      probe = Cursor{};
    }
  }
  auto later = [](const Cursor& a, const Cursor& b) { return a.current > b.current; };
  std::make_heap(cursors.begin(), cursors.end(), later);  // earliest posting on top
  std::size_t at = 0;
  while (!cursors.empty() || at < recent.size()) {
    if (!cursors.empty() && (at == recent.size() || cursors.front().current < recent[at])) {
      if (!visit(cursors.front().current.second)) return;
      std::pop_heap(cursors.begin(), cursors.end(), later);
      cursors.back().it->Next();
      if (advance(cursors.back())) {
        std::push_heap(cursors.begin(), cursors.end(), later);
      } else {
        cursors.pop_back();
      }
    } else {
      if (!visit(recent[at].second)) return;
      ++at;
    }
  }
}

}  // namespace nser::audit
