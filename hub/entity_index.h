// EntityIndex: the hub's live view of every stored record and the entity it
// belongs to, kept current on ingest (docs/hub-storage.md, "Entity
// resolution").
//
// Per upserted record: the blocking index (linkage/blocking_index.h) finds
// candidates among all stored records, the configured Fellegi-Sunter model
// scores them (match probability, term-frequency adjusted), and the
// incremental resolver (linkage/incremental_resolver.h) places the record,
// keeping entity ids stable and reporting merges and splits. A deletion
// removes the record from the index and the resolver.
//
// Durability: apply() changes memory and writes every resulting change (the
// records, their resolution state, aliases, departed records, the events and
// the id counters) into the caller's store batch; the caller commits it
// synced before acknowledging. RocksDB is the truth: the constructor rebuilds
// memory from it (blocking keys are recomputed from the stored encodings, so
// the persisted blocking state is the records themselves). If a commit fails
// the caller must stop the process (memory would be ahead of disk).
//
// Term frequencies are counted on the stored encodings when the index is
// built and recounted when the record count has grown by 25% since.
//
// Threading: apply() takes the index exclusively; search and the accessors
// share it, so searches run in parallel with each other and wait for a batch.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "hub/hub_store.h"
#include "hub/linkage_epoch.h"
#include "hub/stored_record.h"
#include "linkage/blocking_index.h"
#include "linkage/fellegi_sunter.h"
#include "linkage/incremental_resolver.h"
#include "linkage/link_settings.h"
#include "linkage/token_frequency.h"
#include "protocol/ingest_batch.h"

namespace nser::hub {

struct SearchHit {
  linkage::EntityId entity = 0;
  double probability = 0.0;               // best match probability of the query against the entity's records
  std::vector<std::uint32_t> custodians;  // custodian numbers holding records of the entity, ascending
  std::size_t records = 0;
};

struct ApplyOutcome {
  std::uint32_t upserted = 0;
  std::uint32_t unchanged = 0;   // upserts with exactly the stored encoding
  std::uint32_t deleted = 0;
  std::uint32_t deleteUnknown = 0;  // tombstones for records the hub does not hold
  std::uint32_t entitiesCreated = 0;
  std::uint32_t merges = 0;
  std::uint32_t splits = 0;
  std::uint64_t candidatesScored = 0;
};

// What re-resolving every record with another model changes (or would change).
struct ReresolutionReport {
  std::uint64_t records = 0;
  std::uint64_t entitiesBefore = 0;
  std::uint64_t entitiesAfter = 0;
  std::uint64_t linksBefore = 0;
  std::uint64_t linksAfter = 0;
  std::uint64_t recordsMoved = 0;  // records whose entity id changes
  std::uint64_t entitiesCreated = 0;
  std::uint64_t merges = 0;
  std::uint64_t splits = 0;
  std::uint64_t retired = 0;
  std::uint64_t candidatesScored = 0;
};

class EntityIndex {
 public:
  // `model` must be bound to `shape.fieldNames`. Loads every stored record.
  EntityIndex(HubStore& store, linkage::LinkSettings settings, linkage::FellegiSunterModel model,
              linkage::EncodingHeader shape);

  ApplyOutcome apply(std::uint32_t custodian, std::uint64_t sequence,
                     std::span<const protocol::IngestOperation> operations, HubStore::Batch& batch);

  // Entities whose records best match `query`, most probable first, at most
  // `limit`, each at least `minProbability`.
  std::vector<SearchHit> search(const linkage::EncodedRecord& query, std::size_t limit, double minProbability) const;
  // Entities holding a record that carries exactly this CNIC token (other
  // kinds find nothing: they are not identifiers).
  std::vector<SearchHit> searchToken(const linkage::KeyedToken& token, std::size_t limit) const;
  // The live entity (following merges), or empty when retired or unknown.
  std::optional<SearchHit> entity(linkage::EntityId id) const;

  // The pseudonymous references of the live entity's records, by custodian
  // number (ascending, then record id): where brokered attributes come from.
  struct MemberReference {
    std::uint32_t custodian = 0;
    std::string reference;
  };
  std::vector<MemberReference> memberReferences(linkage::EntityId id) const;
  // The live entity holding a custodian's record, if the hub holds it.
  std::optional<linkage::EntityId> entityOfReference(std::uint32_t custodian, const std::string& reference) const;
  // Every present record's (custodian number, pseudonymous reference, live
  // entity), in record-id order, under one read lock: a consistent snapshot
  // of the entity membership (GET /admin/entities/export).
  void forEachMembership(
      const std::function<void(std::uint32_t custodian, std::string_view reference, linkage::EntityId entity)>& visit)
      const;

  // Every present record grouped by custodian number (for model training).
  std::vector<std::pair<std::uint32_t, std::vector<linkage::EncodedRecord>>> recordsByCustodian() const;

  // Re-scores every record's candidates with `model` and re-resolves it with
  // the incremental resolver, so entity ids stay stable where the entities
  // do. With `batch` the live state changes, `model` becomes the index's
  // model and every change is written to `batch` (commit synced); without,
  // it runs on a copy and only reports.
  ReresolutionReport reresolve(const linkage::FellegiSunterModel& model, HubStore::Batch* batch);

  // --- Linkage-key rotation (docs/key-rotation.md) ---
  // The key epoch of the encodings the index searches and resolves with.
  std::uint32_t keyEpoch() const;
  void setKeyEpoch(std::uint32_t epoch);
  // search(), refusing (nullopt) when the index is not at `epoch`: checked
  // under the same lock as the search, so a switch cannot slip between.
  std::optional<std::vector<SearchHit>> searchAtEpoch(const linkage::EncodedRecord& query, std::uint32_t epoch,
                                                      std::size_t limit, double minProbability) const;
  // A batch at the prepared next epoch: upserts are kept beside the current
  // encodings (family NextEncodings) without scoring or resolving, so every
  // record keeps its entity; deletions apply at once (as in apply()).
  ApplyOutcome stageNextEpoch(std::uint32_t custodian, std::uint64_t sequence,
                              std::span<const protocol::IngestOperation> operations, HubStore::Batch& batch);
  struct RotationProgress {
    std::uint32_t custodian = 0;
    std::uint64_t records = 0;     // present records
    std::uint64_t reEncoded = 0;   // of which have a next-epoch encoding
    std::uint64_t newAtNext = 0;   // records known only at the next epoch (resolved at the switch)
  };
  // Per custodian number, ascending.
  std::vector<RotationProgress> rotationProgress() const;
  // Forgets every staged encoding (a rotation abandoned before its switch).
  std::uint64_t discardNextEpoch(HubStore::Batch& batch);
  struct SwitchOutcome {
    bool switched = false;
    std::uint64_t missing = 0;    // present records without a next-epoch encoding
    std::uint64_t reEncoded = 0;  // records whose encoding was replaced, keeping their entity
    std::uint64_t rescored = 0;   // dirty records scored and resolved at the new epoch
    std::uint64_t dropped = 0;    // records removed because forced without a next encoding
    std::uint32_t entitiesCreated = 0;
    std::uint32_t merges = 0;
    std::uint32_t splits = 0;
  };
  // Makes the staged encodings current at `epoch`: rebuilds the blocking,
  // CNIC and term-frequency indexes from them, keeps every record's entity
  // and links, scores and resolves only the dirty ones, and drops the staged
  // copies. Refused (switched = false) while a present record has no staged
  // encoding, unless `force`, which removes those records (their custodian
  // re-adds them at the new epoch; the departed-record memory restores
  // their entity ids).
  SwitchOutcome switchEpoch(std::uint32_t epoch, bool force, HubStore::Batch& batch);

  std::size_t recordCount() const;
  std::size_t entityCount() const;
  const linkage::EncodingHeader& shape() const { return shape_; }
  const linkage::FellegiSunterModel& model() const { return model_; }

 private:
  struct Live {
    StoredRecord stored;
    bool present = false;
  };
  std::uint32_t recordIdFor(std::uint32_t custodian, const std::string& reference, HubStore::Batch& batch,
                            bool create);
  // Candidates of `record` (record id `id` of `custodian`) among the other
  // custodians' records that reach the threshold under `model`.
  std::vector<linkage::Neighbour> score(std::uint32_t id, std::uint32_t custodian, const linkage::EncodedRecord& record,
                                        const linkage::FellegiSunterModel& model,
                                        const linkage::TokenFrequencyTable& frequencies,
                                        linkage::CandidateSearch& search, std::uint64_t& scored) const;
  void persistResolution(const std::set<std::uint32_t>& touched, HubStore::Batch& batch) const;
  void rebuildFrequencies();
  SearchHit describeEntity(linkage::EntityId entity, double probability) const;
  std::vector<SearchHit> rank(std::unordered_map<linkage::EntityId, double> best, std::size_t limit) const;
  linkage::RecordRef ref(std::uint32_t id) const { return {records_[id].stored.custodian, id}; }

  HubStore& store_;
  linkage::LinkSettings settings_;
  linkage::FellegiSunterModel model_;
  linkage::EncodingHeader shape_;
  mutable std::shared_mutex mutex_;
  std::vector<Live> records_;                          // by record id
  std::unordered_map<std::string, std::uint32_t> ids_;  // custodian (BE32) + reference -> record id
  std::vector<const std::string*> keyOf_;               // record id -> its key in ids_ (node keys are stable)
  void rememberKey(std::uint32_t id, const std::string& key);
  linkage::BlockingIndex blocking_;
  // Candidate searches keep per-record scratch sized to the index, so they
  // are reused: one for the writer, a pool for concurrent searches.
  std::unique_ptr<linkage::CandidateSearch> writerSearch_;
  mutable std::mutex searchPoolMutex_;
  mutable std::vector<std::unique_ptr<linkage::CandidateSearch>> searchPool_;
  std::unique_ptr<linkage::CandidateSearch> acquireSearch() const;
  void releaseSearch(std::unique_ptr<linkage::CandidateSearch> search) const;
  std::unique_ptr<linkage::IncrementalResolver> resolver_;
  // Exact CNIC token -> records carrying it, for NSER_CNIC_TOKEN searches
  // (blocking keys are hashed and shared, this is exact).
  struct TokenDigestHash {
    std::size_t operator()(const std::array<std::uint8_t, 16>& digest) const noexcept {
      std::size_t h = 0;
      std::memcpy(&h, digest.data(), sizeof h);
      return h;
    }
  };
  std::unordered_map<std::array<std::uint8_t, 16>, std::vector<std::uint32_t>, TokenDigestHash> cnicIndex_;
  void indexCnic(std::uint32_t id, const linkage::EncodedRecord& record, bool add);
  linkage::TokenFrequencyTable frequencies_;
  std::size_t frequenciesCountedAt_ = 0;
  std::uint64_t nextEvent_ = 1;
  // Rotation state: next-epoch encodings by record id, and the current epoch.
  std::unordered_map<std::uint32_t, StagedEncoding> staged_;
  std::uint32_t keyEpoch_ = 0;  // 0 until the owner sets it
  // Drops the staged encoding of `id`, if any (its current encoding changed).
  void unstage(std::uint32_t id, HubStore::Batch& batch);
};

}  // namespace nser::hub
