#include "linkage/incremental_resolver.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>

namespace nser::linkage {
namespace {

RecordRef rec(std::uint32_t source, std::uint64_t record) { return {source, record}; }

ClusteringOptions options(double share = 0.5, std::vector<std::uint32_t> dedup = {}) {
  ClusteringOptions o;
  o.threshold = 0.5;
  o.minLinkShare = share;
  o.deduplicateSources = std::move(dedup);
  return o;
}

using Events = std::vector<ResolutionEvent>;

TEST(IncrementalResolver, FirstRecordCreatesAnEntityAndLinkedRecordsJoinIt) {
  IncrementalResolver resolver(options());
  const Resolution first = resolver.add(rec(0, 0), {});
  ASSERT_EQ(first.entity, EntityId{1});
  EXPECT_EQ(first.events, (Events{EntityCreated{1}, RecordJoined{rec(0, 0), 1}}));

  const std::vector<Neighbour> evidence{{rec(0, 0), 0.9}};
  const Resolution second = resolver.add(rec(1, 0), evidence);
  EXPECT_EQ(second.entity, EntityId{1});
  EXPECT_EQ(second.events, (Events{RecordJoined{rec(1, 0), 1}}));
  EXPECT_EQ(resolver.members(1), (std::vector<RecordRef>{rec(0, 0), rec(1, 0)}));
  EXPECT_EQ(resolver.entityCount(), 1u);
}

TEST(IncrementalResolver, EvidenceBelowThresholdCreatesASeparateEntity) {
  IncrementalResolver resolver(options());
  resolver.add(rec(0, 0), {});
  const std::vector<Neighbour> weak{{rec(0, 0), 0.3}};
  const Resolution r = resolver.add(rec(1, 0), weak);
  EXPECT_EQ(r.entity, EntityId{2});
  EXPECT_EQ(r.events, (Events{EntityCreated{2}, RecordJoined{rec(1, 0), 2}}));
}

TEST(IncrementalResolver, IdsAreStableUnderUnrelatedInserts) {
  IncrementalResolver resolver(options());
  resolver.add(rec(0, 0), {});
  const std::vector<Neighbour> link{{rec(0, 0), 0.9}};
  resolver.add(rec(1, 0), link);
  for (std::uint64_t k = 1; k <= 20; ++k) {
    const std::vector<Neighbour> other{{rec(0, k - 1), 0.2}};  // below threshold: unrelated
    const Resolution r = resolver.add(rec(0, k), k == 1 ? std::vector<Neighbour>{} : other);
    for (const ResolutionEvent& e : r.events) {
      if (const auto* joined = std::get_if<RecordJoined>(&e)) {
        EXPECT_EQ(joined->record, rec(0, k));
      }
      EXPECT_EQ(std::get_if<EntitiesMerged>(&e), nullptr);
      EXPECT_EQ(std::get_if<EntitySplit>(&e), nullptr);
    }
  }
  EXPECT_EQ(resolver.entityOf(rec(0, 0)), EntityId{1});
  EXPECT_EQ(resolver.entityOf(rec(1, 0)), EntityId{1});
}

TEST(IncrementalResolver, ReinsertingWithTheSameEvidenceKeepsTheEntityId) {
  IncrementalResolver resolver(options());
  resolver.add(rec(0, 0), {});
  const std::vector<Neighbour> evidence{{rec(0, 0), 0.9}};
  resolver.add(rec(1, 0), evidence);
  resolver.add(rec(2, 0), {});  // entity 2, unrelated

  // The same add again: nothing changes, no events.
  const Resolution again = resolver.add(rec(1, 0), evidence);
  EXPECT_EQ(again.entity, EntityId{1});
  EXPECT_TRUE(again.events.empty());

  // Remove and re-add: the record leaves entity 1 and comes back to it.
  const Resolution removed = resolver.remove(rec(1, 0));
  EXPECT_FALSE(removed.entity.has_value());
  EXPECT_EQ(removed.events, (Events{RecordLeft{rec(1, 0), 1}}));
  const Resolution back = resolver.add(rec(1, 0), evidence);
  EXPECT_EQ(back.entity, EntityId{1});
  EXPECT_EQ(back.events, (Events{RecordJoined{rec(1, 0), 1}}));

  // A lone record removed and re-added gets its retired id back.
  const Resolution gone = resolver.remove(rec(2, 0));
  EXPECT_EQ(gone.events, (Events{RecordLeft{rec(2, 0), 2}, EntityRetired{2}}));
  EXPECT_FALSE(resolver.liveEntity(2).has_value());
  const Resolution returned = resolver.add(rec(2, 0), {});
  EXPECT_EQ(returned.entity, EntityId{2});
  EXPECT_EQ(returned.events, (Events{EntityCreated{2}, RecordJoined{rec(2, 0), 2}}));
}

TEST(IncrementalResolver, ABridgingRecordMergesEntitiesAndTheOlderIdSurvives) {
  IncrementalResolver resolver(options());
  resolver.add(rec(0, 0), {});  // entity 1
  resolver.add(rec(1, 0), {});  // entity 2
  const std::vector<Neighbour> bridge{{rec(1, 0), 0.9}, {rec(0, 0), 0.8}};
  const Resolution r = resolver.add(rec(2, 0), bridge);
  EXPECT_EQ(r.entity, EntityId{1});
  EXPECT_EQ(r.events, (Events{RecordLeft{rec(1, 0), 2}, RecordJoined{rec(1, 0), 1}, RecordJoined{rec(2, 0), 1},
                              EntitiesMerged{1, 2}}));
  EXPECT_EQ(resolver.liveEntity(2), EntityId{1});
  EXPECT_EQ(resolver.members(1), (std::vector<RecordRef>{rec(0, 0), rec(1, 0), rec(2, 0)}));
  EXPECT_TRUE(resolver.members(2).empty());
}

TEST(IncrementalResolver, UpdateThatDropsEvidenceSplitsAndTheLargestPartKeepsTheId) {
  IncrementalResolver resolver(options());
  resolver.add(rec(0, 0), {});
  const std::vector<Neighbour> toFirst{{rec(0, 0), 0.9}};
  resolver.add(rec(1, 0), toFirst);
  const std::vector<Neighbour> toBoth{{rec(0, 0), 0.9}, {rec(1, 0), 0.9}};
  resolver.add(rec(2, 0), toBoth);
  ASSERT_EQ(resolver.members(1).size(), 3u);

  const Resolution r = resolver.update(rec(2, 0), {});
  EXPECT_EQ(r.entity, EntityId{2});
  EXPECT_EQ(r.events,
            (Events{EntityCreated{2}, RecordLeft{rec(2, 0), 1}, RecordJoined{rec(2, 0), 2}, EntitySplit{1, {2}}}));
  EXPECT_EQ(resolver.members(1), (std::vector<RecordRef>{rec(0, 0), rec(1, 0)}));
}

TEST(IncrementalResolver, RemovingAHubRecordSplitsItsEntity) {
  // With a low required share, one hub record can hold two pairs together.
  IncrementalResolver resolver(options(0.25));
  resolver.add(rec(0, 0), {});
  const std::vector<Neighbour> ab{{rec(0, 0), 0.9}};
  resolver.add(rec(1, 0), ab);  // {a, b}: entity 1
  resolver.add(rec(2, 0), {});
  const std::vector<Neighbour> cd{{rec(2, 0), 0.9}};
  resolver.add(rec(3, 0), cd);  // {c, d}: entity 2
  const std::vector<Neighbour> hub{{rec(0, 0), 0.95}, {rec(1, 0), 0.95}, {rec(2, 0), 0.95}, {rec(3, 0), 0.95}};
  const Resolution joined = resolver.add(rec(4, 0), hub);
  ASSERT_EQ(joined.entity, EntityId{1});
  ASSERT_EQ(resolver.members(1).size(), 5u);

  const Resolution r = resolver.remove(rec(4, 0));
  // Both parts have two records; the one holding the smallest record keeps id 1.
  // The absorbed id 2 stays an alias, so the other part gets a new id.
  EXPECT_EQ(r.events, (Events{EntityCreated{3}, RecordLeft{rec(2, 0), 1}, RecordJoined{rec(2, 0), 3},
                              RecordLeft{rec(3, 0), 1}, RecordJoined{rec(3, 0), 3}, RecordLeft{rec(4, 0), 1},
                              EntitySplit{1, {3}}}));
  EXPECT_EQ(resolver.entityOf(rec(0, 0)), EntityId{1});
  EXPECT_EQ(resolver.entityOf(rec(3, 0)), EntityId{3});
  EXPECT_EQ(resolver.liveEntity(2), EntityId{1});
}

TEST(IncrementalResolver, AStrongerLinkTakesARecordFromItsEntity) {
  IncrementalResolver resolver(options());
  resolver.add(rec(0, 0), {});
  const std::vector<Neighbour> weakish{{rec(0, 0), 0.7}};
  resolver.add(rec(1, 0), weakish);  // {n0, p0}: entity 1
  // A second NSER record matches p0 far better; one record per source forces a choice.
  const std::vector<Neighbour> strong{{rec(1, 0), 0.99}};
  const Resolution r = resolver.add(rec(0, 1), strong);
  EXPECT_EQ(r.entity, EntityId{2});
  EXPECT_EQ(r.events, (Events{EntityCreated{2}, RecordJoined{rec(0, 1), 2}, RecordLeft{rec(1, 0), 1},
                              RecordJoined{rec(1, 0), 2}, EntitySplit{1, {2}}}));
  EXPECT_EQ(resolver.entityOf(rec(0, 0)), EntityId{1});
  EXPECT_EQ(resolver.members(2), (std::vector<RecordRef>{rec(0, 1), rec(1, 0)}));
}

TEST(IncrementalResolver, NeverPutsTwoRecordsOfOneSourceTogetherUnlessDeduplicating) {
  const std::vector<Neighbour> link{{rec(0, 0), 0.9}};
  IncrementalResolver strict(options());
  strict.add(rec(0, 0), {});
  const Resolution r = strict.add(rec(0, 1), link);
  EXPECT_NE(r.entity, strict.entityOf(rec(0, 0)));
  EXPECT_EQ(r.neighboursIgnored, 1u);

  IncrementalResolver dedup(options(0.5, {0}));
  dedup.add(rec(0, 0), {});
  EXPECT_EQ(dedup.add(rec(0, 1), link).entity, dedup.entityOf(rec(0, 0)));
}

TEST(IncrementalResolver, IgnoresUnknownSelfAndNonNumericNeighbours) {
  IncrementalResolver resolver(options());
  resolver.add(rec(0, 0), {});
  const std::vector<Neighbour> messy{{rec(5, 5), 0.9}, {rec(1, 0), 0.9}, {rec(0, 0), std::nan("")}, {rec(0, 0), 0.8}};
  const Resolution r = resolver.add(rec(1, 0), messy);
  EXPECT_EQ(r.neighboursIgnored, 3u);
  EXPECT_EQ(r.entity, EntityId{1});
  EXPECT_EQ(resolver.remove(rec(9, 9)).status, ResolutionStatus::UnknownRecord);
}

TEST(IncrementalResolver, SnapshotRestoresAnIdenticalResolver) {
  IncrementalResolver original(options());
  original.add(rec(0, 0), {});
  original.add(rec(1, 0), {});
  const std::vector<Neighbour> bridge{{rec(0, 0), 0.9}, {rec(1, 0), 0.9}};
  original.add(rec(2, 0), bridge);  // merges 1 and 2: alias
  original.add(rec(3, 0), {});
  original.remove(rec(3, 0));  // departed
  const ResolverState state = original.snapshot();
  EXPECT_EQ(state.aliases.size(), 1u);
  EXPECT_EQ(state.departed.size(), 1u);
  EXPECT_EQ(state.links.size(), 2u);

  IncrementalResolver restored(options(), state);
  EXPECT_EQ(restored.snapshot(), state);
  const std::vector<Neighbour> more{{rec(2, 0), 0.9}};
  EXPECT_EQ(restored.add(rec(4, 0), more).events, original.add(rec(4, 0), more).events);
  EXPECT_EQ(restored.add(rec(3, 0), {}).events, original.add(rec(3, 0), {}).events);
  EXPECT_EQ(restored.snapshot(), original.snapshot());
}

TEST(IncrementalResolver, RejectsAnInconsistentSnapshot) {
  ResolverState state;
  state.nextEntityId = 2;
  state.records = {{rec(0, 0), 1}, {rec(0, 1), 1}};  // two records of source 0 in one entity
  EXPECT_THROW(IncrementalResolver(options(), state), ResolverStateError);
  state.records = {{rec(0, 0), 1}, {rec(1, 0), 7}};  // id never issued
  EXPECT_THROW(IncrementalResolver(options(), state), ResolverStateError);
  state.records = {{rec(0, 0), 1}};
  state.links = {{rec(0, 0), rec(3, 3), 0.9}};  // unknown endpoint
  EXPECT_THROW(IncrementalResolver(options(), state), ResolverStateError);
}

// Random operations: after each, the invariants hold, the same add again is
// a no-op, and a second resolver fed the same operations agrees exactly.
TEST(IncrementalResolver, InvariantsAndDeterminismUnderRandomOperations) {
  const ClusteringOptions opts = options(0.5, {3});
  IncrementalResolver resolver(opts);
  IncrementalResolver twin(opts);
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<std::uint32_t> pickSource(0, 3);
  std::uniform_int_distribution<std::uint64_t> pickRecord(0, 39);
  std::uniform_real_distribution<double> score(0.0, 1.0);
  std::set<RecordRef> present;
  std::map<std::size_t, int> eventKinds;  // variant index -> count
  for (int step = 0; step < 1000; ++step) {
    const RecordRef r = rec(pickSource(rng), pickRecord(rng));
    if (present.count(r) != 0 && score(rng) < 0.3) {
      EXPECT_EQ(resolver.remove(r).events, twin.remove(r).events);
      present.erase(r);
    } else {
      // Neighbours: records of the same person number (record % 10) score high.
      std::vector<Neighbour> neighbours;
      for (const RecordRef& other : present) {
        if (other == r) continue;
        const bool samePerson = other.record % 10 == r.record % 10;
        const double s = samePerson ? 0.6 + 0.4 * score(rng) : 0.7 * score(rng);
        if (s > 0.4) neighbours.push_back({other, s});
      }
      // Like the hub, pass the best few candidates.
      std::sort(neighbours.begin(), neighbours.end(),
                [](const Neighbour& x, const Neighbour& y) { return x.score > y.score; });
      if (neighbours.size() > 6) neighbours.resize(6);
      const Resolution a = resolver.add(r, neighbours);
      for (const ResolutionEvent& e : a.events) ++eventKinds[e.index()];
      ASSERT_EQ(a.events, twin.add(r, neighbours).events);
      const Resolution again = resolver.add(r, neighbours);
      EXPECT_TRUE(again.events.empty()) << "step " << step;
      EXPECT_EQ(again.entity, a.entity);
      twin.add(r, neighbours);
      present.insert(r);
    }
    if (step % 50 != 0) continue;
    const ResolverState state = resolver.snapshot();
    std::map<EntityId, std::vector<RecordRef>> byEntity;
    for (const auto& record : state.records) byEntity[record.entity].push_back(record.record);
    ASSERT_EQ(byEntity.size(), resolver.entityCount());
    for (const auto& [id, members] : byEntity) {
      EXPECT_EQ(resolver.members(id), members);
      std::map<std::uint32_t, int> perSource;
      for (const RecordRef& m : members) ++perSource[m.source];
      for (const auto& [source, count] : perSource) {
        if (source != 3) {
          EXPECT_EQ(count, 1) << "entity " << id << " source " << source;
        }
      }
    }
    EXPECT_EQ(state, twin.snapshot());
  }
  // The run exercised every kind of decision.
  EXPECT_GT(eventKinds[ResolutionEvent(EntitySplit{}).index()], 0);
  EXPECT_GT(eventKinds[ResolutionEvent(EntitiesMerged{}).index()], 0);
  EXPECT_GT(eventKinds[ResolutionEvent(RecordLeft{}).index()], 0);
}

}  // namespace
}  // namespace nser::linkage
