#include "linkage/incremental_resolver.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <utility>

namespace nser::linkage {

namespace {

constexpr std::size_t kAnySourceCount = std::size_t{1} << 32;

std::vector<std::uint32_t> sortedUnique(std::vector<std::uint32_t> values) {
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  return values;
}

bool lessByRecord(const Neighbour& x, const Neighbour& y) { return x.record < y.record; }

}  // namespace

IncrementalResolver::IncrementalResolver(ClusteringOptions options) : options_(std::move(options)) {
  options_.validate(kAnySourceCount);
  deduplicateSources_ = sortedUnique(options_.deduplicateSources);
}

IncrementalResolver::IncrementalResolver(ClusteringOptions options, const ResolverState& state)
    : IncrementalResolver(std::move(options)) {
  nextEntityId_ = state.nextEntityId;
  if (nextEntityId_ == 0) throw ResolverStateError("resolver state: nextEntityId must be at least 1");
  const auto checkId = [&](EntityId id, const char* what) {
    if (id == 0 || id >= nextEntityId_) {
      throw ResolverStateError(std::string("resolver state: ") + what + ": entity id " + std::to_string(id) +
                               " was never issued");
    }
  };
  for (const ResolverState::Record& r : state.records) {
    checkId(r.entity, "records");
    if (!records_.emplace(r.record, RecordNode{r.entity, {}}).second) {
      throw ResolverStateError("resolver state: records: record " + std::to_string(r.record.record) + " of source " +
                               std::to_string(r.record.source) + " appears twice");
    }
    entities_[r.entity].push_back(r.record);
  }
  for (auto& [id, members] : entities_) {
    std::sort(members.begin(), members.end());
    for (std::size_t i = 1; i < members.size(); ++i) {
      if (members[i].source == members[i - 1].source && !deduplicates(members[i].source)) {
        throw ResolverStateError("resolver state: entity " + std::to_string(id) + " holds two records of source " +
                                 std::to_string(members[i].source));
      }
    }
  }
  for (const ResolverState::Link& link : state.links) {
    auto a = records_.find(link.a);
    auto b = records_.find(link.b);
    if (a == records_.end() || b == records_.end() || link.a == link.b || std::isnan(link.score)) {
      throw ResolverStateError("resolver state: links: a link names an unknown record, a record and itself, or has no score");
    }
    a->second.links.push_back({link.b, link.score});
    b->second.links.push_back({link.a, link.score});
  }
  for (auto& [ref, node] : records_) {
    std::sort(node.links.begin(), node.links.end(), lessByRecord);
    const auto duplicate = std::adjacent_find(node.links.begin(), node.links.end(),
                                              [](const Neighbour& x, const Neighbour& y) { return x.record == y.record; });
    if (duplicate != node.links.end()) throw ResolverStateError("resolver state: links: the same link appears twice");
  }
  for (const ResolverState::Alias& alias : state.aliases) {
    checkId(alias.absorbed, "aliases");
    checkId(alias.survivor, "aliases");
    if (entities_.count(alias.absorbed) != 0 || !aliases_.emplace(alias.absorbed, alias.survivor).second) {
      throw ResolverStateError("resolver state: aliases: entity " + std::to_string(alias.absorbed) +
                               " is live or aliased twice");
    }
  }
  for (const ResolverState::Departed& d : state.departed) {
    checkId(d.entity, "departed");
    if (records_.count(d.record) != 0 || !departed_.emplace(d.record, d.entity).second) {
      throw ResolverStateError("resolver state: departed: a departed record is present or listed twice");
    }
  }
}

bool IncrementalResolver::deduplicates(std::uint32_t source) const {
  return std::binary_search(deduplicateSources_.begin(), deduplicateSources_.end(), source);
}

std::vector<Neighbour> IncrementalResolver::sanitise(RecordRef record, std::span<const Neighbour> neighbours,
                                                     std::uint32_t& ignored) const {
  std::vector<Neighbour> links;
  links.reserve(neighbours.size());
  for (const Neighbour& n : neighbours) {
    const bool sameSourceForbidden = n.record.source == record.source && !deduplicates(record.source);
    if (n.record == record || std::isnan(n.score) || sameSourceForbidden || records_.count(n.record) == 0) {
      ++ignored;
      continue;
    }
    if (n.score < options_.threshold) continue;
    links.push_back(n);
  }
  // One link per neighbour, the highest score.
  std::sort(links.begin(), links.end(), [](const Neighbour& x, const Neighbour& y) {
    return x.record != y.record ? x.record < y.record : x.score > y.score;
  });
  links.erase(std::unique(links.begin(), links.end(),
                          [](const Neighbour& x, const Neighbour& y) { return x.record == y.record; }),
              links.end());
  return links;
}

void IncrementalResolver::unlink(RecordRef record) {
  RecordNode& node = records_.at(record);
  for (const Neighbour& link : node.links) {
    std::vector<Neighbour>& back = records_.at(link.record).links;
    const auto it = std::lower_bound(back.begin(), back.end(), Neighbour{record, 0.0}, lessByRecord);
    if (it != back.end() && it->record == record) back.erase(it);
  }
  node.links.clear();
}

Resolution IncrementalResolver::add(RecordRef record, std::span<const Neighbour> neighbours) {
  return upsert(record, neighbours);
}

Resolution IncrementalResolver::update(RecordRef record, std::span<const Neighbour> neighbours) {
  return upsert(record, neighbours);
}

Resolution IncrementalResolver::upsert(RecordRef record, std::span<const Neighbour> neighbours) {
  Resolution result;
  std::vector<Neighbour> links = sanitise(record, neighbours, result.neighboursIgnored);
  std::vector<EntityId> scope;
  std::optional<RecordRef> added;
  auto existing = records_.find(record);
  if (existing != records_.end()) {
    if (existing->second.links == links) {  // the same evidence: nothing to decide
      result.entity = existing->second.entity;
      return result;
    }
    scope.push_back(existing->second.entity);
    for (const Neighbour& old : existing->second.links) scope.push_back(records_.at(old.record).entity);
    unlink(record);
  } else {
    records_.emplace(record, RecordNode{});
    added = record;
  }
  for (const Neighbour& link : links) {
    scope.push_back(records_.at(link.record).entity);
    std::vector<Neighbour>& back = records_.at(link.record).links;
    back.insert(std::lower_bound(back.begin(), back.end(), Neighbour{record, 0.0}, lessByRecord),
                Neighbour{record, link.score});
  }
  records_.at(record).links = std::move(links);
  result.events = resolveScope(std::move(scope), added, std::nullopt);
  departed_.erase(record);
  result.entity = records_.at(record).entity;
  return result;
}

Resolution IncrementalResolver::remove(RecordRef record) {
  Resolution result;
  auto it = records_.find(record);
  if (it == records_.end()) {
    result.status = ResolutionStatus::UnknownRecord;
    return result;
  }
  const EntityId former = it->second.entity;
  std::vector<EntityId> scope{former};
  for (const Neighbour& link : it->second.links) scope.push_back(records_.at(link.record).entity);
  unlink(record);
  records_.erase(record);
  result.events = resolveScope(std::move(scope), std::nullopt, record);
  departed_[record] = former;
  return result;
}

std::vector<ResolutionEvent> IncrementalResolver::resolveScope(std::vector<EntityId> scopeEntities,
                                                               std::optional<RecordRef> added,
                                                               std::optional<RecordRef> removed) {
  std::sort(scopeEntities.begin(), scopeEntities.end());
  scopeEntities.erase(std::unique(scopeEntities.begin(), scopeEntities.end()), scopeEntities.end());
  if (!scopeEntities.empty() && scopeEntities.front() == 0) scopeEntities.erase(scopeEntities.begin());

  // Old membership of every record in scope (including a removed one).
  std::map<RecordRef, EntityId> oldEntityOf;
  for (EntityId id : scopeEntities) {
    for (const RecordRef& member : entities_.at(id)) oldEntityOf[member] = id;
  }
  std::vector<RecordRef> nodes;
  for (const auto& [member, id] : oldEntityOf) {
    if (!removed || member != *removed) nodes.push_back(member);
  }
  if (added) nodes.insert(std::lower_bound(nodes.begin(), nodes.end(), *added), *added);

  // Local dense graph; nodes are in RecordRef order, so ties break as in batch.
  std::vector<std::uint32_t> sources;
  for (const RecordRef& r : nodes) sources.push_back(r.source);
  const std::vector<std::uint32_t> localSources = sortedUnique(sources);
  std::vector<bool> deduplicate(localSources.size());
  for (std::size_t s = 0; s < localSources.size(); ++s) deduplicate[s] = deduplicates(localSources[s]);
  std::vector<std::uint32_t> nodeSource(nodes.size());
  std::vector<DenseEdge> edges;
  const auto indexOf = [&](const RecordRef& r) {
    return static_cast<std::uint32_t>(std::lower_bound(nodes.begin(), nodes.end(), r) - nodes.begin());
  };
  for (std::uint32_t i = 0; i < nodes.size(); ++i) {
    nodeSource[i] = static_cast<std::uint32_t>(
        std::lower_bound(localSources.begin(), localSources.end(), nodes[i].source) - localSources.begin());
    for (const Neighbour& link : records_.at(nodes[i]).links) {
      if (!(nodes[i] < link.record)) continue;  // each link once
      const std::uint32_t j = indexOf(link.record);
      if (j < nodes.size() && nodes[j] == link.record) edges.push_back({i, j, link.score});
    }
  }
  const std::vector<std::uint32_t> label = clusterDenseGraph(nodeSource, std::move(edges), deduplicate, options_.minLinkShare);

  // Clusters numbered in order of their smallest record.
  std::vector<std::uint32_t> clusterOf(nodes.size());
  std::vector<std::vector<RecordRef>> clusters;
  for (std::uint32_t i = 0; i < nodes.size(); ++i) {
    if (label[i] == i) {
      clusterOf[i] = static_cast<std::uint32_t>(clusters.size());
      clusters.emplace_back();
    } else {
      clusterOf[i] = clusterOf[label[i]];
    }
    clusters[clusterOf[i]].push_back(nodes[i]);
  }

  // Each old entity follows its largest part (ties: the part with the smallest record).
  std::map<EntityId, std::set<std::uint32_t>> partsOf;
  std::vector<std::vector<EntityId>> candidates(clusters.size());
  std::vector<EntityId> retired;
  for (EntityId id : scopeEntities) {
    std::map<std::uint32_t, std::size_t> overlap;
    for (const RecordRef& member : entities_.at(id)) {
      if (removed && member == *removed) continue;
      ++overlap[clusterOf[indexOf(member)]];
    }
    if (overlap.empty()) {
      retired.push_back(id);
      continue;
    }
    std::uint32_t largest = overlap.begin()->first;
    for (const auto& [cluster, count] : overlap) {
      if (count > overlap[largest]) largest = cluster;
    }
    candidates[largest].push_back(id);
    for (const auto& [cluster, count] : overlap) partsOf[id].insert(cluster);
  }

  std::vector<ResolutionEvent> events;
  std::vector<EntityId> clusterId(clusters.size());
  std::vector<EntitiesMerged> merges;
  for (std::size_t c = 0; c < clusters.size(); ++c) {
    if (!candidates[c].empty()) {
      clusterId[c] = candidates[c].front();  // ascending: the oldest survives
      for (std::size_t k = 1; k < candidates[c].size(); ++k) {
        merges.push_back({clusterId[c], candidates[c][k]});
        aliases_[candidates[c][k]] = clusterId[c];
      }
      continue;
    }
    EntityId id = 0;
    if (added && std::binary_search(clusters[c].begin(), clusters[c].end(), *added)) {
      const auto former = departed_.find(*added);
      if (former != departed_.end() && entities_.count(former->second) == 0 && aliases_.count(former->second) == 0) {
        id = former->second;  // a re-inserted record gets its retired id back
      }
    }
    clusterId[c] = id != 0 ? id : nextEntityId_++;
    events.push_back(EntityCreated{clusterId[c]});
  }
  std::sort(events.begin(), events.end(), [](const ResolutionEvent& x, const ResolutionEvent& y) {
    return std::get<EntityCreated>(x).entity < std::get<EntityCreated>(y).entity;
  });

  // Record moves, in RecordRef order.
  std::map<RecordRef, std::pair<EntityId, EntityId>> moves;  // record -> (old, new)
  for (const auto& [member, id] : oldEntityOf) moves[member].first = id;
  for (std::uint32_t i = 0; i < nodes.size(); ++i) moves[nodes[i]].second = clusterId[clusterOf[i]];
  for (const auto& [record, change] : moves) {
    if (change.first == change.second) continue;
    if (change.first != 0) events.push_back(RecordLeft{record, change.first});
    if (change.second != 0) events.push_back(RecordJoined{record, change.second});
  }
  for (const auto& [id, parts] : partsOf) {
    if (parts.size() < 2) continue;
    EntitySplit split{id, {}};
    const EntityId keeper = aliases_.count(id) != 0 ? aliases_.at(id) : id;
    for (std::uint32_t c : parts) {
      if (clusterId[c] != keeper) split.parts.push_back(clusterId[c]);
    }
    std::sort(split.parts.begin(), split.parts.end());
    events.push_back(std::move(split));
  }
  std::sort(merges.begin(), merges.end(), [](const EntitiesMerged& x, const EntitiesMerged& y) {
    return x.survivor != y.survivor ? x.survivor < y.survivor : x.absorbed < y.absorbed;
  });
  for (const EntitiesMerged& merge : merges) events.push_back(merge);
  for (EntityId id : retired) events.push_back(EntityRetired{id});

  // Commit the new membership.
  for (EntityId id : scopeEntities) entities_.erase(id);
  for (std::size_t c = 0; c < clusters.size(); ++c) {
    for (const RecordRef& member : clusters[c]) records_.at(member).entity = clusterId[c];
    entities_[clusterId[c]] = std::move(clusters[c]);
  }
  return events;
}

std::optional<EntityId> IncrementalResolver::entityOf(RecordRef record) const {
  const auto it = records_.find(record);
  if (it == records_.end()) return std::nullopt;
  return it->second.entity;
}

std::vector<RecordRef> IncrementalResolver::members(EntityId entity) const {
  const auto it = entities_.find(entity);
  return it == entities_.end() ? std::vector<RecordRef>{} : it->second;
}

std::optional<EntityId> IncrementalResolver::liveEntity(EntityId entity) const {
  // An alias chain is acyclic (an alias always points to an older live id at
  // the time), so it ends within aliases_.size() steps.
  for (std::size_t step = 0; step <= aliases_.size(); ++step) {
    if (entities_.count(entity) != 0) return entity;
    const auto it = aliases_.find(entity);
    if (it == aliases_.end()) return std::nullopt;
    entity = it->second;
  }
  return std::nullopt;
}

ResolverState IncrementalResolver::snapshot() const {
  ResolverState state;
  state.nextEntityId = nextEntityId_;
  for (const auto& [record, node] : records_) {
    state.records.push_back({record, node.entity});
    for (const Neighbour& link : node.links) {
      if (record < link.record) state.links.push_back({record, link.record, link.score});
    }
  }
  std::sort(state.records.begin(), state.records.end(),
            [](const ResolverState::Record& x, const ResolverState::Record& y) { return x.record < y.record; });
  std::sort(state.links.begin(), state.links.end(), [](const ResolverState::Link& x, const ResolverState::Link& y) {
    return x.a != y.a ? x.a < y.a : x.b < y.b;
  });
  for (const auto& [absorbed, survivor] : aliases_) state.aliases.push_back({absorbed, survivor});
  std::sort(state.aliases.begin(), state.aliases.end(),
            [](const ResolverState::Alias& x, const ResolverState::Alias& y) { return x.absorbed < y.absorbed; });
  for (const auto& [record, entity] : departed_) state.departed.push_back({record, entity});
  std::sort(state.departed.begin(), state.departed.end(),
            [](const ResolverState::Departed& x, const ResolverState::Departed& y) { return x.record < y.record; });
  return state;
}

std::span<const Neighbour> IncrementalResolver::links(RecordRef record) const {
  const auto it = records_.find(record);
  if (it == records_.end()) return {};
  return it->second.links;
}

std::optional<EntityId> IncrementalResolver::departedEntity(RecordRef record) const {
  const auto it = departed_.find(record);
  if (it == departed_.end()) return std::nullopt;
  return it->second;
}

}  // namespace nser::linkage
