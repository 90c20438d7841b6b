// Incremental entity resolution with stable entity ids (docs/clustering.md).
//
// The hub finds a record's candidate neighbours and scores them; the resolver
// decides which entity the record belongs to. Every operation re-clusters the
// neighbourhood it touches (the record's old and new entity and the entities
// of its old and new neighbours) with the batch algorithm of
// entity_clustering.h, so it keeps the same rules: at most one record per
// source per entity (unless the source is de-duplicated), no merge over a
// weak bridge. It then maps the new clusters back onto the old entity ids:
//
//   - an old entity's id follows its largest surviving part (ties: the part
//     holding the smallest record), so an entity keeps its id when records
//     join or leave it;
//   - when several old entities end up in one cluster, the oldest id (the
//     smallest; ids are issued in increasing order) survives and the others
//     become aliases of it (EntitiesMerged);
//   - when an old entity's records end up in several clusters, the largest
//     part keeps the id and the others are reported (EntitySplit);
//   - a cluster inheriting no id gets a new one (EntityCreated), except that a
//     record re-inserted after removal gets back its former entity id when no
//     one else holds that id, so removing and re-adding a record with the same
//     evidence gives the same entity id.
// add/update with exactly the evidence already recorded change nothing and
// emit no events. Entity ids are never reused for a different entity: an
// absorbed id stays an alias, a retired id is only given back to its own
// records.
//
// Evidence: add(r, neighbours) and update(r, neighbours) are the same upsert;
// the neighbours replace all of r's links (links are symmetric, so a link
// made when a later record named r is replaced too: pass r's full candidate
// list). Neighbours that are unknown, r itself, not a number, or in r's own
// non-de-duplicated source are ignored and counted; neighbours below the
// threshold are dropped.
//
// State is plain data: snapshot() returns a ResolverState of sorted vectors
// and the constructor taking a ResolverState restores it, so the hub can
// persist it anywhere. Deterministic: the same sequence of operations gives
// the same ids and events. Not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <unordered_map>
#include <variant>
#include <vector>

#include "linkage/entity_clustering.h"

namespace nser::linkage {

using EntityId = std::uint64_t;  // issued from 1 upwards

struct Neighbour {
  RecordRef record;
  double score = 0.0;
  bool operator==(const Neighbour&) const = default;
};

struct EntityCreated {
  EntityId entity = 0;
  bool operator==(const EntityCreated&) const = default;
};
struct EntityRetired {  // the entity's last record was removed
  EntityId entity = 0;
  bool operator==(const EntityRetired&) const = default;
};
struct RecordJoined {
  RecordRef record;
  EntityId entity = 0;
  bool operator==(const RecordJoined&) const = default;
};
struct RecordLeft {
  RecordRef record;
  EntityId entity = 0;
  bool operator==(const RecordLeft&) const = default;
};
struct EntitiesMerged {  // `absorbed` is now an alias of `survivor`
  EntityId survivor = 0;
  EntityId absorbed = 0;
  bool operator==(const EntitiesMerged&) const = default;
};
struct EntitySplit {  // records of `original` now also live in `parts` (ascending)
  EntityId original = 0;
  std::vector<EntityId> parts;
  bool operator==(const EntitySplit&) const = default;
};

using ResolutionEvent =
    std::variant<EntityCreated, RecordLeft, RecordJoined, EntitySplit, EntitiesMerged, EntityRetired>;

enum class ResolutionStatus { Resolved, UnknownRecord };

// The outcome of one operation. Events come in this order: EntityCreated
// (ascending id), then per record in RecordRef order RecordLeft before
// RecordJoined, then EntitySplit (ascending original), EntitiesMerged
// (ascending survivor, absorbed), EntityRetired (ascending).
struct Resolution {
  ResolutionStatus status = ResolutionStatus::Resolved;
  std::optional<EntityId> entity;  // the record's entity; empty after remove
  std::vector<ResolutionEvent> events;
  std::uint32_t neighboursIgnored = 0;
};

// The resolver's whole state as plain sorted data, for persistence.
struct ResolverState {
  struct Record {
    RecordRef record;
    EntityId entity = 0;
    bool operator==(const Record&) const = default;
  };
  struct Link {  // a < b
    RecordRef a;
    RecordRef b;
    double score = 0.0;
    bool operator==(const Link&) const = default;
  };
  struct Alias {
    EntityId absorbed = 0;
    EntityId survivor = 0;
    bool operator==(const Alias&) const = default;
  };
  struct Departed {  // a removed record and the entity it last belonged to
    RecordRef record;
    EntityId entity = 0;
    bool operator==(const Departed&) const = default;
  };
  EntityId nextEntityId = 1;
  std::vector<Record> records;
  std::vector<Link> links;
  std::vector<Alias> aliases;
  std::vector<Departed> departed;
  bool operator==(const ResolverState&) const = default;
};

// Thrown when a ResolverState is inconsistent; the message names the problem.
class ResolverStateError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class IncrementalResolver {
 public:
  // Throws ClusteringConfigError on invalid options.
  explicit IncrementalResolver(ClusteringOptions options);
  // Restores a snapshot; throws ResolverStateError if it is inconsistent
  // (duplicate record, unknown link endpoint, ids out of range, two records
  // of one non-de-duplicated source in an entity).
  IncrementalResolver(ClusteringOptions options, const ResolverState& state);

  Resolution add(RecordRef record, std::span<const Neighbour> neighbours);
  Resolution update(RecordRef record, std::span<const Neighbour> neighbours);
  // UnknownRecord (and no events) when the record is not present.
  Resolution remove(RecordRef record);

  std::optional<EntityId> entityOf(RecordRef record) const;
  // The live entity's records in RecordRef order; empty when not live.
  std::vector<RecordRef> members(EntityId entity) const;
  // Follows aliases: the live entity `entity` is or was merged into, or empty
  // when that entity has been retired or was never issued.
  std::optional<EntityId> liveEntity(EntityId entity) const;
  // The record's current links (sorted by record); empty when not present.
  std::span<const Neighbour> links(RecordRef record) const;
  // The entity a removed record last belonged to, for records removed and not
  // re-added.
  std::optional<EntityId> departedEntity(RecordRef record) const;
  EntityId nextEntityId() const { return nextEntityId_; }
  std::size_t recordCount() const { return records_.size(); }
  std::size_t entityCount() const { return entities_.size(); }

  ResolverState snapshot() const;

 private:
  struct RecordNode {
    EntityId entity = 0;
    std::vector<Neighbour> links;  // sorted by record
  };

  Resolution upsert(RecordRef record, std::span<const Neighbour> neighbours);
  std::vector<Neighbour> sanitise(RecordRef record, std::span<const Neighbour> neighbours, std::uint32_t& ignored) const;
  void unlink(RecordRef record);
  bool deduplicates(std::uint32_t source) const;
  // Re-clusters the records of `scopeEntities` plus `added` (if any), minus
  // `removed` (if any), assigns ids and returns the events.
  std::vector<ResolutionEvent> resolveScope(std::vector<EntityId> scopeEntities, std::optional<RecordRef> added,
                                            std::optional<RecordRef> removed);

  ClusteringOptions options_;
  std::vector<std::uint32_t> deduplicateSources_;  // sorted
  EntityId nextEntityId_ = 1;
  std::unordered_map<RecordRef, RecordNode, RecordRefHash> records_;
  std::unordered_map<EntityId, std::vector<RecordRef>> entities_;  // members sorted
  std::unordered_map<EntityId, EntityId> aliases_;                 // absorbed -> survivor
  std::unordered_map<RecordRef, EntityId, RecordRefHash> departed_;
};

}  // namespace nser::linkage
