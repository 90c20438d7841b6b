#include "connectors/sync_state.h"

#include <rocksdb/write_batch.h>

#include <cereal/archives/portable_binary.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/vector.hpp>
#include <stdexcept>

#include "schemas/binary_codec.h"

namespace nser::connectors {

template <class Archive>
void serialize(Archive& archive, RecordState& state) {
  archive(state.contentHash, state.reference, state.generation);
}
template <class Archive>
void serialize(Archive& archive, PendingEntry& entry) {
  archive(entry.sourceKey, entry.deletion, entry.state);
}
template <class Archive>
void serialize(Archive& archive, PendingBatch& batch) {
  archive(batch.sequence, batch.idempotencyKey, batch.body, batch.entries);
}
template <class Archive>
void serialize(Archive& archive, QuarantineEntry& entry) {
  archive(entry.key, entry.location, entry.reason, entry.at);
}

namespace {

constexpr const char* kNextSequence = "next_sequence";
constexpr const char* kPending = "pending_batch";

void check(const rocksdb::Status& status, const std::string& what) {
  if (!status.ok()) throw std::runtime_error("connector state: " + what + ": " + status.ToString());
}

rocksdb::WriteOptions synced() {
  rocksdb::WriteOptions options;
  options.sync = true;
  return options;
}

}  // namespace

SyncState::SyncState(const std::string& directory) {
  rocksdb::DBOptions options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, {}}, {"records", {}}, {"quarantine", {}}, {"references", {}}};
  rocksdb::DB* db = nullptr;
  check(rocksdb::DB::Open(options, directory, families, &handles_, &db), "cannot open '" + directory + "'");
  db_.reset(db);
}

SyncState::~SyncState() {
  for (auto* handle : handles_) db_->DestroyColumnFamilyHandle(handle);
  db_->Close();
}

std::optional<RecordState> SyncState::record(const std::string& sourceKey) const {
  std::string value;
  const auto status = db_->Get({}, handles_[1], sourceKey, &value);
  if (status.IsNotFound()) return std::nullopt;
  check(status, "read");
  return schemas::decodeBinary<RecordState>(value);
}

void SyncState::forEachRecord(const std::function<void(const std::string&, const RecordState&)>& visit) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}, handles_[1]));
  for (it->SeekToFirst(); it->Valid(); it->Next()) visit(it->key().ToString(), schemas::decodeBinary<RecordState>(it->value().ToString()));
  check(it->status(), "scan");
}

std::uint64_t SyncState::recordCount() const {
  std::uint64_t count = 0;
  forEachRecord([&](const std::string&, const RecordState&) { ++count; });
  return count;
}

std::uint64_t SyncState::nextSequence() const {
  const auto value = meta(kNextSequence);
  return value ? std::stoull(*value) : 1;
}

std::optional<PendingBatch> SyncState::pending() const {
  const auto value = meta(kPending);
  if (!value) return std::nullopt;
  return schemas::decodeBinary<PendingBatch>(*value);
}

void SyncState::savePending(const PendingBatch& batch) {
  rocksdb::WriteBatch write;
  write.Put(handles_[0], kPending, schemas::encodeBinary(batch));
  write.Put(handles_[0], kNextSequence, std::to_string(batch.sequence + 1));
  check(db_->Write(synced(), &write), "save pending batch");
}

void SyncState::acknowledge(const PendingBatch& batch) {
  rocksdb::WriteBatch write;
  for (const auto& entry : batch.entries) {
    if (entry.deletion) {
      write.Delete(handles_[1], entry.sourceKey);
      if (!entry.state.reference.empty()) write.Delete(handles_[3], entry.state.reference);
    } else {
      write.Put(handles_[1], entry.sourceKey, schemas::encodeBinary(entry.state));
      write.Put(handles_[3], entry.state.reference, entry.sourceKey);
    }
  }
  write.Delete(handles_[0], kPending);
  check(db_->Write(synced(), &write), "acknowledge batch");
}

void SyncState::abandon(const PendingBatch& batch) {
  rocksdb::WriteBatch write;
  write.Delete(handles_[0], kPending);
  write.Put(handles_[0], kNextSequence, std::to_string(batch.sequence));
  check(db_->Write(synced(), &write), "abandon batch");
}

void SyncState::quarantine(const QuarantineEntry& entry) {
  check(db_->Put(synced(), handles_[2], entry.key, schemas::encodeBinary(entry)), "quarantine");
}

void SyncState::release(const std::string& key) { check(db_->Delete(synced(), handles_[2], key), "release"); }

void SyncState::clearQuarantine() {
  rocksdb::WriteBatch write;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}, handles_[2]));
  for (it->SeekToFirst(); it->Valid(); it->Next()) write.Delete(handles_[2], it->key());
  check(it->status(), "scan quarantine");
  check(db_->Write(synced(), &write), "clear quarantine");
}

std::vector<QuarantineEntry> SyncState::quarantined() const {
  std::vector<QuarantineEntry> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}, handles_[2]));
  for (it->SeekToFirst(); it->Valid(); it->Next()) out.push_back(schemas::decodeBinary<QuarantineEntry>(it->value().ToString()));
  check(it->status(), "scan quarantine");
  return out;
}

void SyncState::setMeta(const std::string& key, const std::string& value) {
  check(db_->Put(synced(), handles_[0], key, value), "write " + key);
}

std::optional<std::string> SyncState::meta(const std::string& key) const {
  std::string value;
  const auto status = db_->Get({}, handles_[0], key, &value);
  if (status.IsNotFound()) return std::nullopt;
  check(status, "read " + key);
  return value;
}

std::optional<std::string> SyncState::sourceKeyOf(const std::string& reference) const {
  std::string value;
  const auto status = db_->Get({}, handles_[3], reference, &value);
  if (status.IsNotFound()) return std::nullopt;
  check(status, "read reference");
  return value;
}

}  // namespace nser::connectors
