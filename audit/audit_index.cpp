#include "audit/audit_index.h"

#include <rocksdb/options.h>
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

// 'x' + tag + value + 0x00, into `key` (whose buffer is reused).
void setIndexPrefix(std::string& key, IndexedField field, const std::string& value) {
  key.clear();
  key.push_back(kIndexPrefix);
  key.push_back(static_cast<char>(field));
  key.append(value);
  key.push_back('\0');
}

std::string indexPrefix(IndexedField field, const std::string& value) {
  std::string key;
  key.reserve(3 + value.size() + 16);
  setIndexPrefix(key, field, value);
  return key;
}

void check(const rocksdb::Status& status, const std::string& what) {
  if (!status.ok()) throw AuditLogError("audit index: " + what + ": " + status.ToString());
}

}  // namespace

const std::string AuditIndex::kWatermarkKey = "mindexed";

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
  std::string key, value;
  for (std::size_t k = 0; k < order.size(); ++k) {
    const Indexed& item = block[order[k]];
    if (k + 1 < order.size() && block[order[k + 1]].leaf == item.leaf) continue;
    key.assign(1, kHashPrefix);
    key.append(hashBytes(item.leaf));
    value.clear();
    putBigEndian64(value, item.index);
    check(writer.Put(key, value), "writing " + path.string());
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
  std::vector<std::uint32_t> byTime(block.size());
  for (std::uint32_t i = 0; i < byTime.size(); ++i) byTime[i] = i;
  std::sort(byTime.begin(), byTime.end(), [&](std::uint32_t a, std::uint32_t b) {
    const auto ta = orderedTime(block[a].timeMillis), tb = orderedTime(block[b].timeMillis);
    return ta != tb ? ta < tb : block[a].index < block[b].index;
  });
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
    for (const std::uint32_t i : order) {
      setIndexPrefix(key, field, block[i].*member);
      putBigEndian64(key, orderedTime(block[i].timeMillis));
      putBigEndian64(key, block[i].index);
      check(writer.Put(key, rocksdb::Slice()), "writing " + path.string());
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
  {
    std::shared_lock lock(mutex_);
    watermark = watermark_;
    for (auto it = tail_.rbegin(); it != tail_.rend(); ++it) {
      if (it->leaf == leaf && it->index < committed) return it->index;
    }
    if (ingesting_) {
      for (auto it = ingesting_->rbegin(); it != ingesting_->rend(); ++it) {
        if (it->leaf == leaf && it->index < committed) return it->index;
      }
    }
  }
  std::string key(1, kHashPrefix);
  key.append(hashBytes(leaf));
  std::string value;
  const auto status = db_.Get(rocksdb::ReadOptions(), &family_, key, &value);
  if (status.IsNotFound()) return std::nullopt;
  check(status, "reading the hash index");
  if (value.size() != 8) throw AuditLogError("audit index: hash index value is corrupt");
  const std::uint64_t index = readBigEndian64(value);
  if (index >= watermark || index >= committed) return std::nullopt;
  return index;
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
  {
    std::shared_lock lock(mutex_);
    watermark = watermark_;
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

  const std::string prefix = indexPrefix(field, value);
  std::string start = prefix;
  putBigEndian64(start, orderedTime(fromMillis));
  std::unique_ptr<rocksdb::Iterator> it(db_.NewIterator(rocksdb::ReadOptions(), &family_));
  it->Seek(start);
  // Moves `stored` to the next posting below the watermark and within the
  // time range; false when there is none.
  using Posting = std::pair<std::uint64_t, std::uint64_t>;
  Posting stored{};
  auto nextStored = [&]() {
    for (; it->Valid() && it->key().starts_with(prefix); it->Next()) {
      const auto rest = it->key().ToStringView().substr(prefix.size());
      if (rest.size() != 16) continue;
      const std::uint64_t time = readBigEndian64(rest);
      if (time > orderedTime(toMillis)) return false;
      const std::uint64_t index = readBigEndian64(rest.substr(8));
      if (index < watermark && index < committed) {
        stored = {time, index};
        return true;
      }
    }
    check(it->status(), "searching");
    return false;
  };
  bool haveStored = nextStored();
  std::size_t at = 0;
  while (haveStored || at < recent.size()) {
    if (haveStored && (at == recent.size() || stored < recent[at])) {
      if (!visit(stored.second)) return;
      it->Next();
      haveStored = nextStored();
    } else {
      if (!visit(recent[at].second)) return;
      ++at;
    }
  }
}

}  // namespace nser::audit
