#include "hub/hub_store.h"

#include <rocksdb/options.h>
#include <rocksdb/memtablerep.h>
#include <rocksdb/table.h>

#include <array>

namespace nser::hub {
namespace {

constexpr std::array<std::string_view, static_cast<std::size_t>(Family::Count)> kFamilyNames = {
    "default", "parties", "certificates", "references", "records", "resolution",
    "aliases", "departed", "ingest",       "events",     "agreements", "consents",
    "quotas",  "notifications", "next_encodings"};

void check(const rocksdb::Status& status, const std::string& what) {
  if (!status.ok()) throw StoreError("hub store: " + what + ": " + status.ToString());
}

}  // namespace

std::string_view familyName(Family family) { return kFamilyNames[static_cast<std::size_t>(family)]; }

HubStore::HubStore(const std::string& directory) : directory_(directory) {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  options.IncreaseParallelism(2);
  options.max_open_files = 512;
  options.allow_concurrent_memtable_write = false;  // required by the vector memtable below
  statistics_ = rocksdb::CreateDBStatistics();
  statistics_->set_stats_level(rocksdb::StatsLevel::kExceptTimers);
  options.statistics = statistics_;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(256 << 20);
  rocksdb::ColumnFamilyOptions family(options);
  family.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // The families ingest writes in bulk and reads only by scanning at start-up
  // (records, their resolution state, references, events) use an unsorted
  // vector memtable: inserts cost O(1) instead of a skip-list search, and the
  // one-off sort happens at flush. Families read point-wise on the hot path
  // (ingest sequence and idempotency keys, parties) keep the skip list.
  rocksdb::ColumnFamilyOptions bulk(family);
  bulk.memtable_factory = std::make_shared<rocksdb::VectorRepFactory>();
  bulk.write_buffer_size = 128 << 20;
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (std::size_t f = 0; f < kFamilyNames.size(); ++f) {
    const auto kind = static_cast<Family>(f);
    const bool writeMostly = kind == Family::Records || kind == Family::Resolution || kind == Family::References ||
                             kind == Family::Events || kind == Family::Departed || kind == Family::Aliases ||
                             kind == Family::NextEncodings;
    descriptors.emplace_back(std::string(kFamilyNames[f]), writeMostly ? bulk : family);
  }
  rocksdb::DB* db = nullptr;
  check(rocksdb::DB::Open(rocksdb::DBOptions(options), directory, descriptors, &handles_, &db),
        "cannot open the data directory '" + directory + "'");
  db_.reset(db);
}

HubStore::~HubStore() {
  for (auto* handle : handles_) db_->DestroyColumnFamilyHandle(handle);
  db_->Close();
}

std::optional<std::string> HubStore::get(Family family, std::string_view key) const {
  std::string value;
  const auto status = db_->Get(rocksdb::ReadOptions(), handle(family), rocksdb::Slice(key.data(), key.size()), &value);
  if (status.IsNotFound()) return std::nullopt;
  check(status, "read from " + std::string(familyName(family)));
  return value;
}

void HubStore::scan(Family family, std::string_view prefix,
                    const std::function<bool(std::string_view, std::string_view)>& visit) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), handle(family)));
  for (it->Seek(rocksdb::Slice(prefix.data(), prefix.size())); it->Valid(); it->Next()) {
    const auto key = it->key();
    if (!key.starts_with(rocksdb::Slice(prefix.data(), prefix.size()))) break;
    if (!visit(std::string_view(key.data(), key.size()), std::string_view(it->value().data(), it->value().size()))) {
      break;
    }
  }
  check(it->status(), "scan of " + std::string(familyName(family)));
}

void HubStore::Batch::put(Family family, std::string_view key, std::string_view value) {
  batch_.Put(store_->handle(family), rocksdb::Slice(key.data(), key.size()),
             rocksdb::Slice(value.data(), value.size()));
}

void HubStore::Batch::erase(Family family, std::string_view key) {
  batch_.Delete(store_->handle(family), rocksdb::Slice(key.data(), key.size()));
}

void HubStore::commit(Batch& batch, bool sync) {
  rocksdb::WriteOptions options;
  options.sync = sync;
  check(db_->Write(options, &batch.batch_), "write");
}

std::vector<std::pair<std::string, std::uint64_t>> HubStore::statistics() const {
  std::vector<std::pair<std::string, std::uint64_t>> out;
  for (const char* property : {"rocksdb.estimate-num-keys", "rocksdb.total-sst-files-size",
                               "rocksdb.cur-size-all-mem-tables", "rocksdb.estimate-live-data-size"}) {
    std::uint64_t total = 0;
    for (auto* handle : handles_) {
      std::uint64_t value = 0;
      if (db_->GetIntProperty(handle, property, &value)) total += value;
    }
    out.emplace_back(property, total);
  }
  for (const auto& [ticker, name] : rocksdb::TickersNameMap) {
    if (ticker == rocksdb::BYTES_WRITTEN || ticker == rocksdb::BYTES_READ || ticker == rocksdb::WAL_FILE_SYNCED ||
        ticker == rocksdb::BLOCK_CACHE_HIT || ticker == rocksdb::BLOCK_CACHE_MISS ||
        ticker == rocksdb::COMPACT_WRITE_BYTES || ticker == rocksdb::STALL_MICROS) {
      out.emplace_back(name, statistics_->getTickerCount(ticker));
    }
  }
  return out;
}

std::string bigEndian32(std::uint32_t value) {
  std::string out(4, '\0');
  for (int i = 3; i >= 0; --i, value >>= 8) out[static_cast<std::size_t>(i)] = static_cast<char>(value & 0xff);
  return out;
}

std::string bigEndian64(std::uint64_t value) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i, value >>= 8) out[static_cast<std::size_t>(i)] = static_cast<char>(value & 0xff);
  return out;
}

std::uint32_t readBigEndian32(std::string_view bytes) {
  if (bytes.size() < 4) throw StoreError("hub store: a 4-byte key or value is shorter than 4 bytes");
  std::uint32_t value = 0;
  for (int i = 0; i < 4; ++i) value = (value << 8) | static_cast<unsigned char>(bytes[static_cast<std::size_t>(i)]);
  return value;
}

std::uint64_t readBigEndian64(std::string_view bytes) {
  if (bytes.size() < 8) throw StoreError("hub store: an 8-byte key or value is shorter than 8 bytes");
  std::uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value = (value << 8) | static_cast<unsigned char>(bytes[static_cast<std::size_t>(i)]);
  return value;
}

}  // namespace nser::hub
