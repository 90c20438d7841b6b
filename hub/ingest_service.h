// IngestService: applies connectors' ingest batches (protocol/ingest_batch.h)
// exactly once, in sequence, durably (docs/protocol-hub-connector.md).
//
// For a batch from the authenticated custodian party `caller`:
//   1. the body parses (else 400 malformed_batch) and names the caller as its
//      custodian (else 403 wrong_custodian: a connector writes only its own
//      custodian's records);
//   2. the encoding header matches the configured linkage schema (id and
//      digest), the current key epoch (or the next one while a rotation is
//      prepared, hub/linkage_rotation.h) and, when pinned, that epoch's key
//      fingerprint, and the filter shape the hub already holds (else 422
//      encoding_mismatch, naming the field);
//   3. an idempotency key seen before returns the stored acknowledgement
//      ("status": "duplicate") without applying anything (409
//      idempotency_conflict if the body differs); otherwise the sequence must
//      be the custodian's last + 1 (409 sequence_conflict / sequence_gap);
//   4. the entity index applies the operations (at the next epoch: stages
//      them, EntityIndex::stageNextEpoch) and everything, with the new
//      sequence and the acknowledgement, is committed in one synced write;
//      only then is the acknowledgement returned.
// Batches are applied one at a time; when more than `maxQueuedBatches` wait,
// new ones are refused with 429 and Retry-After (back-pressure).
//
// Thread-safe. A failed durable write is fatal (the process exits 70; memory
// would be ahead of disk); restart recovers from the store.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "hub/entity_index.h"
#include "hub/hub_store.h"
#include "hub/linkage_epoch.h"
#include "hub/party.h"
#include "linkage/fellegi_sunter.h"
#include "linkage/link_settings.h"
#include "protocol/ingest_batch.h"

namespace nser::hub {

struct EncodingBinding {
  std::string schemaId;
  std::string schemaDigest;
  std::uint32_t keyEpoch = 1;
  std::string keyFingerprint;  // empty: not checked
};

struct IngestOptions {
  protocol::IngestLimits limits;
  std::size_t maxQueuedBatches = 8;
  int retryAfterSeconds = 1;
};

struct IngestCounters {
  std::atomic<std::uint64_t> batchesApplied{0};
  std::atomic<std::uint64_t> batchesDuplicate{0};
  std::atomic<std::uint64_t> batchesRejected{0};
  std::atomic<std::uint64_t> batchesThrottled{0};
  std::atomic<std::uint64_t> recordsUpserted{0};
  std::atomic<std::uint64_t> recordsUnchanged{0};
  std::atomic<std::uint64_t> recordsDeleted{0};
  std::atomic<std::uint64_t> candidatesScored{0};
  std::atomic<std::uint64_t> entitiesCreated{0};
  std::atomic<std::uint64_t> merges{0};
  std::atomic<std::uint64_t> splits{0};
};

class IngestService {
 public:
  IngestService(HubStore& store, EncodingBinding binding, linkage::LinkSettings settings,
                linkage::FellegiSunterModel model, IngestOptions options);

  // The acknowledgement (JSON text). Throws service::HttpError for refusals.
  std::string ingest(const Party& caller, std::string_view body);

  // Null until the first batch fixed the encoding shape.
  const EntityIndex* index() const;

  // Runs `work` with ingest paused (it holds the writer), on the index (null
  // when no batch has arrived yet) and the store.
  void exclusive(const std::function<void(EntityIndex*, HubStore&)>& work);
  const linkage::LinkSettings& settings() const { return settings_; }
  const IngestCounters& counters() const { return counters_; }
  // Batches accepted for application and not finished yet (waiting or being applied).
  std::size_t queuedBatches() const { return waiting_.load(); }
  std::uint64_t lastSequence(const std::string& custodian) const;

  // The key epochs in force: the stored rotation state (meta
  // kKeyEpochsKey) once a rotation was prepared, else the configuration.
  KeyEpochs keyEpochs() const;
  // Inside exclusive(): writes `epochs` to `batch` (and, with an index, the
  // stored encoding shape at the new current epoch); setKeyEpochs() makes
  // them effective once the batch is committed.
  void persistKeyEpochs(const KeyEpochs& epochs, HubStore::Batch& batch) const;
  void setKeyEpochs(const KeyEpochs& epochs);

 private:
  void checkBinding(const linkage::EncodingHeader& header) const;
  // The stored acknowledgement of a batch seen before, marked "duplicate";
  // nullopt otherwise, with `conflict` set when its idempotency key was used
  // for other content. Call with writer_ held.
  std::optional<std::string> storedDuplicate(const Party& caller, const protocol::IngestBatch& batch,
                                             const std::string& digest, bool& conflict);
  EntityIndex& indexFor(const linkage::EncodingHeader& header, HubStore::Batch& batch);

  HubStore& store_;
  EncodingBinding binding_;
  linkage::LinkSettings settings_;
  linkage::FellegiSunterModel model_;
  IngestOptions options_;
  IngestCounters counters_;
  std::atomic<std::size_t> waiting_{0};
  mutable std::mutex writer_;
  std::unique_ptr<EntityIndex> index_;
  std::atomic<const EntityIndex*> published_{nullptr};
  mutable std::mutex epochsMutex_;  // written only while holding writer_ too
  KeyEpochs epochs_;
};

}  // namespace nser::hub
