#include "hub/entity_index.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <algorithm>
#include <mutex>
#include <map>
#include <set>
#include <sstream>
#include <thread>
#include <type_traits>

#include "schemas/binary_codec.h"

namespace nser::hub {
namespace {

constexpr std::string_view kNextRecordKey = "next_record_id";
constexpr std::string_view kNextEntityKey = "next_entity_id";
constexpr std::string_view kNextEventKey = "next_event";

std::string referenceKey(std::uint32_t custodian, std::string_view reference) {
  std::string key = bigEndian32(custodian);
  key.append(reference);
  return key;
}

bool sameEncoding(const linkage::EncodedRecord& a, const linkage::EncodedRecord& b) {
  return a.clk == b.clk && a.fieldFilters == b.fieldFilters && a.tokens == b.tokens && a.flags == b.flags;
}

linkage::ClusteringOptions clusteringOptions(const linkage::LinkSettings& settings) {
  linkage::ClusteringOptions options;
  options.threshold = settings.threshold;
  options.minLinkShare = settings.minLinkShare;
  return options;
}

std::vector<linkage::TokenKind> frequencyKinds(const linkage::FellegiSunterModel& model) {
  return model.termFrequencyKinds();
}

// One resolution event as a JSON document (family Events): pseudonymous ids only.
std::string eventJson(std::uint64_t number, std::uint32_t custodian, std::uint64_t sequence,
                      const linkage::ResolutionEvent& event) {
  Poco::JSON::Object object;
  object.set("event", number);
  object.set("custodian_number", custodian);
  object.set("batch_sequence", sequence);
  std::visit(
      [&](const auto& e) {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, linkage::EntityCreated>) {
          object.set("type", "entity_created");
          object.set("entity", e.entity);
        } else if constexpr (std::is_same_v<T, linkage::EntityRetired>) {
          object.set("type", "entity_retired");
          object.set("entity", e.entity);
        } else if constexpr (std::is_same_v<T, linkage::RecordJoined>) {
          object.set("type", "record_joined");
          object.set("record", e.record.record);
          object.set("entity", e.entity);
        } else if constexpr (std::is_same_v<T, linkage::RecordLeft>) {
          object.set("type", "record_left");
          object.set("record", e.record.record);
          object.set("entity", e.entity);
        } else if constexpr (std::is_same_v<T, linkage::EntitiesMerged>) {
          object.set("type", "entities_merged");
          object.set("survivor", e.survivor);
          object.set("absorbed", e.absorbed);
        } else if constexpr (std::is_same_v<T, linkage::EntitySplit>) {
          object.set("type", "entity_split");
          object.set("entity", e.original);
          Poco::JSON::Array parts;
          for (auto part : e.parts) parts.add(part);
          object.set("parts", parts);
        }
      },
      event);
  std::ostringstream out;
  object.stringify(out);
  return out.str();
}

}  // namespace

EntityIndex::EntityIndex(HubStore& store, linkage::LinkSettings settings, linkage::FellegiSunterModel model,
                         linkage::EncodingHeader shape)
    : store_(store),
      settings_(std::move(settings)),
      model_(std::move(model)),
      shape_(std::move(shape)),
      blocking_(settings_.blocking, shape_.clkBits),
      writerSearch_(std::make_unique<linkage::CandidateSearch>(blocking_)) {
  keyEpoch_ = shape_.keyEpoch;  // the owner sets the hub's current epoch (setKeyEpoch)
  std::uint32_t nextRecord = 0;
  if (auto value = store_.get(Family::Meta, kNextRecordKey)) nextRecord = readBigEndian32(*value);
  records_.resize(nextRecord);
  store_.scan(Family::References, "", [&](std::string_view key, std::string_view value) {
    const auto [it, added] = ids_.emplace(std::string(key), readBigEndian32(value));
    rememberKey(it->second, it->first);
    return true;
  });
  store_.scan(Family::Records, "", [&](std::string_view key, std::string_view value) {
    const std::uint32_t id = readBigEndian32(key);
    if (id >= records_.size()) records_.resize(id + 1);
    records_[id].stored = decodeStoredRecord(value);
    records_[id].present = true;
    blocking_.add(id, records_[id].stored.encoding);
    indexCnic(id, records_[id].stored.encoding, true);
    return true;
  });
  store_.scan(Family::NextEncodings, "", [&](std::string_view key, std::string_view value) {
    const std::uint32_t id = readBigEndian32(key);
    if (id < records_.size()) staged_[id] = schemas::decodeBinary<StagedEncoding>(value);
    return true;
  });

  linkage::ResolverState state;
  if (auto value = store_.get(Family::Meta, kNextEntityKey)) state.nextEntityId = readBigEndian64(*value);
  store_.scan(Family::Resolution, "", [&](std::string_view key, std::string_view value) {
    const std::uint32_t id = readBigEndian32(key);
    const StoredResolution resolution = decodeStoredResolution(value);
    if (id >= records_.size() || !records_[id].present) {
      throw StoreError("hub store: resolution state for record " + std::to_string(id) + " which is not stored");
    }
    state.records.push_back({ref(id), resolution.entity});
    for (const auto& [other, score] : resolution.links) {
      if (other > id && other < records_.size() && records_[other].present) {
        state.links.push_back({ref(id), ref(other), score});
      }
    }
    return true;
  });
  store_.scan(Family::Aliases, "", [&](std::string_view key, std::string_view value) {
    state.aliases.push_back({readBigEndian64(key), readBigEndian64(value)});
    return true;
  });
  store_.scan(Family::Departed, "", [&](std::string_view key, std::string_view value) {
    const std::uint32_t id = readBigEndian32(key);
    if (id < records_.size()) state.departed.push_back({ref(id), readBigEndian64(value)});
    return true;
  });
  auto byRef = [](const auto& x, const auto& y) { return x.record < y.record; };
  std::sort(state.records.begin(), state.records.end(), byRef);
  std::sort(state.links.begin(), state.links.end(),
            [](const auto& x, const auto& y) { return std::tie(x.a, x.b) < std::tie(y.a, y.b); });
  std::sort(state.aliases.begin(), state.aliases.end(),
            [](const auto& x, const auto& y) { return x.absorbed < y.absorbed; });
  std::sort(state.departed.begin(), state.departed.end(), byRef);
  resolver_ = std::make_unique<linkage::IncrementalResolver>(clusteringOptions(settings_), state);
  if (auto value = store_.get(Family::Meta, kNextEventKey)) nextEvent_ = readBigEndian64(*value);
  rebuildFrequencies();
}

void EntityIndex::rebuildFrequencies() {
  linkage::TokenFrequencyTable table(frequencyKinds(model_));
  std::size_t counted = 0;
  for (const auto& live : records_) {
    if (!live.present) continue;
    table.add(live.stored.encoding);
    ++counted;
  }
  table.finish();
  frequencies_ = std::move(table);
  frequenciesCountedAt_ = counted;
}

std::uint32_t EntityIndex::recordIdFor(std::uint32_t custodian, const std::string& reference, HubStore::Batch& batch,
                                       bool create) {
  const std::string key = referenceKey(custodian, reference);
  if (auto it = ids_.find(key); it != ids_.end()) return it->second;
  if (!create) return UINT32_MAX;
  if (records_.size() >= UINT32_MAX - 1) throw StoreError("hub store: record id space exhausted");
  const auto id = static_cast<std::uint32_t>(records_.size());
  records_.emplace_back();
  const auto [it, added] = ids_.emplace(key, id);
  rememberKey(id, it->first);
  batch.put(Family::References, key, bigEndian32(id));
  return id;
}

void EntityIndex::rememberKey(std::uint32_t id, const std::string& key) {
  if (keyOf_.size() <= id) keyOf_.resize(id + 1, nullptr);
  keyOf_[id] = &key;
}

std::unique_ptr<linkage::CandidateSearch> EntityIndex::acquireSearch() const {
  {
    std::lock_guard lock(searchPoolMutex_);
    if (!searchPool_.empty()) {
      auto search = std::move(searchPool_.back());
      searchPool_.pop_back();
      return search;
    }
  }
  return std::make_unique<linkage::CandidateSearch>(blocking_);
}

void EntityIndex::releaseSearch(std::unique_ptr<linkage::CandidateSearch> search) const {
  std::lock_guard lock(searchPoolMutex_);
  searchPool_.push_back(std::move(search));
}

std::vector<linkage::Neighbour> EntityIndex::score(std::uint32_t id, std::uint32_t custodian,
                                                   const linkage::EncodedRecord& record,
                                                   const linkage::FellegiSunterModel& model,
                                                   const linkage::TokenFrequencyTable& frequencies,
                                                   linkage::CandidateSearch& search, std::uint64_t& scored) const {
  std::vector<linkage::Neighbour> neighbours;
  for (std::uint32_t candidate : search.find(record)) {
    if (candidate == id || candidate >= records_.size() || !records_[candidate].present) continue;
    const auto& other = records_[candidate].stored;
    if (other.custodian == custodian) continue;  // one record per custodian per entity
    ++scored;
    const double probability =
        linkage::FellegiSunterModel::probability(model.matchWeight(record, other.encoding, &frequencies));
    if (probability >= settings_.threshold) neighbours.push_back({ref(candidate), probability});
  }
  return neighbours;
}

ApplyOutcome EntityIndex::apply(std::uint32_t custodian, std::uint64_t sequence,
                                std::span<const protocol::IngestOperation> operations, HubStore::Batch& batch) {
  std::unique_lock lock(mutex_);
  ApplyOutcome outcome;
  std::set<std::uint32_t> touched;  // records whose stored resolution state must be rewritten
  std::vector<linkage::ResolutionEvent> events;
  auto noteLinks = [&](std::uint32_t id) {
    for (const auto& link : resolver_->links(ref(id))) touched.insert(static_cast<std::uint32_t>(link.record.record));
  };
  auto absorb = [&](linkage::Resolution resolution) {
    for (auto& event : resolution.events) {
      if (auto* joined = std::get_if<linkage::RecordJoined>(&event)) {
        touched.insert(static_cast<std::uint32_t>(joined->record.record));
      } else if (std::holds_alternative<linkage::EntityCreated>(event)) {
        ++outcome.entitiesCreated;
      } else if (auto* merged = std::get_if<linkage::EntitiesMerged>(&event)) {
        ++outcome.merges;
        batch.put(Family::Aliases, bigEndian64(merged->absorbed), bigEndian64(merged->survivor));
      } else if (std::holds_alternative<linkage::EntitySplit>(event)) {
        ++outcome.splits;
      }
      events.push_back(std::move(event));
    }
  };

  // Pass 1: record ids, and which upserts change anything.
  const std::size_t n = operations.size();
  std::vector<std::uint32_t> ids(n, UINT32_MAX);
  std::vector<char> changed(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    const auto& record = operations[i].record;
    if (operations[i].kind == protocol::OperationKind::Delete) {
      ids[i] = recordIdFor(custodian, record.id, batch, false);
      continue;
    }
    ids[i] = recordIdFor(custodian, record.id, batch, true);
    const Live& live = records_[ids[i]];
    changed[i] = !(live.present && sameEncoding(live.stored.encoding, record));
  }

  // Pass 2: score the changed upserts, on two threads. A record's candidates
  // are other custodians' records, which this batch (one custodian's) does
  // not change, so scoring before applying gives the same neighbours.
  std::vector<std::vector<linkage::Neighbour>> neighbours(n);
  std::uint64_t scoredByHelper = 0;
  auto scoreShare = [&](std::size_t first, linkage::CandidateSearch& search, std::uint64_t& scored) {
    for (std::size_t i = first; i < n; i += 2) {
      if (changed[i]) neighbours[i] = score(ids[i], custodian, operations[i].record, model_, frequencies_, search, scored);
    }
  };
  if (n >= 64) {
    auto helperSearch = acquireSearch();
    std::thread helper([&] { scoreShare(1, *helperSearch, scoredByHelper); });
    scoreShare(0, *writerSearch_, outcome.candidatesScored);
    helper.join();
    releaseSearch(std::move(helperSearch));
  } else {
    for (std::size_t i = 0; i < n; ++i) {
      if (changed[i]) {
        neighbours[i] = score(ids[i], custodian, operations[i].record, model_, frequencies_, *writerSearch_,
                              outcome.candidatesScored);
      }
    }
  }
  outcome.candidatesScored += scoredByHelper;

  // Pass 3: apply in batch order.
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t id = ids[i];
    if (operations[i].kind == protocol::OperationKind::Delete) {
      if (id == UINT32_MAX || !records_[id].present) {
        ++outcome.deleteUnknown;
        continue;
      }
      touched.insert(id);
      noteLinks(id);
      unstage(id, batch);
      blocking_.remove(id, records_[id].stored.encoding);
      indexCnic(id, records_[id].stored.encoding, false);
      absorb(resolver_->remove(ref(id)));
      records_[id].present = false;
      records_[id].stored.encoding = {};
      batch.erase(Family::Records, bigEndian32(id));
      ++outcome.deleted;
      continue;
    }
    if (!changed[i]) {
      ++outcome.unchanged;
      continue;
    }
    Live& live = records_[id];
    unstage(id, batch);  // a next-epoch encoding of the old data is stale
    if (live.present) {
      noteLinks(id);
      blocking_.remove(id, live.stored.encoding);
      indexCnic(id, live.stored.encoding, false);
    }
    live.stored.custodian = custodian;
    live.stored.version = sequence;
    live.stored.encoding = operations[i].record;
    live.present = true;
    blocking_.add(id, live.stored.encoding);
    indexCnic(id, live.stored.encoding, true);
    touched.insert(id);
    for (const auto& neighbour : neighbours[i]) touched.insert(static_cast<std::uint32_t>(neighbour.record.record));
    absorb(resolver_->add(ref(id), neighbours[i]));
    batch.put(Family::Records, bigEndian32(id), encodeStored(live.stored));
    ++outcome.upserted;
  }

  persistResolution(touched, batch);
  for (const auto& event : events) {
    batch.put(Family::Events, bigEndian64(nextEvent_), eventJson(nextEvent_, custodian, sequence, event));
    ++nextEvent_;
  }
  batch.put(Family::Meta, kNextRecordKey, bigEndian32(static_cast<std::uint32_t>(records_.size())));
  batch.put(Family::Meta, kNextEntityKey, bigEndian64(resolver_->nextEntityId()));
  batch.put(Family::Meta, kNextEventKey, bigEndian64(nextEvent_));

  const std::size_t present = resolver_->recordCount();
  // Recount when the records grew by a quarter: frequencies move slowly, and
  // a recount scans every record under the writer lock.
  if (present > frequenciesCountedAt_ + std::max<std::size_t>(1000, frequenciesCountedAt_ / 4)) rebuildFrequencies();
  return outcome;
}

void EntityIndex::persistResolution(const std::set<std::uint32_t>& touched, HubStore::Batch& batch) const {
  for (std::uint32_t id : touched) {
    const auto entity = records_[id].present ? resolver_->entityOf(ref(id)) : std::nullopt;
    if (entity) {
      StoredResolution resolution;
      resolution.entity = *entity;
      for (const auto& link : resolver_->links(ref(id))) {
        resolution.links.emplace_back(static_cast<std::uint32_t>(link.record.record), link.score);
      }
      batch.put(Family::Resolution, bigEndian32(id), encodeStored(resolution));
      batch.erase(Family::Departed, bigEndian32(id));
    } else {
      batch.erase(Family::Resolution, bigEndian32(id));
      if (auto former = resolver_->departedEntity(ref(id))) {
        batch.put(Family::Departed, bigEndian32(id), bigEndian64(*former));
      }
    }
  }
}

std::vector<std::pair<std::uint32_t, std::vector<linkage::EncodedRecord>>> EntityIndex::recordsByCustodian() const {
  std::shared_lock lock(mutex_);
  std::map<std::uint32_t, std::vector<linkage::EncodedRecord>> grouped;
  for (const auto& live : records_) {
    if (live.present) grouped[live.stored.custodian].push_back(live.stored.encoding);
  }
  return {std::make_move_iterator(grouped.begin()), std::make_move_iterator(grouped.end())};
}

ReresolutionReport EntityIndex::reresolve(const linkage::FellegiSunterModel& model, HubStore::Batch* batch) {
  // A dry run reads under the shared lock and works on a copy of the
  // resolver; a switch holds the index exclusively.
  std::shared_lock readLock(mutex_, std::defer_lock);
  std::unique_lock writeLock(mutex_, std::defer_lock);
  if (batch != nullptr) writeLock.lock(); else readLock.lock();

  ReresolutionReport report;
  report.entitiesBefore = resolver_->entityCount();
  std::unique_ptr<linkage::IncrementalResolver> copy;
  linkage::IncrementalResolver* resolver = resolver_.get();
  if (batch == nullptr) {
    copy = std::make_unique<linkage::IncrementalResolver>(clusteringOptions(settings_), resolver_->snapshot());
    resolver = copy.get();
  }
  linkage::TokenFrequencyTable frequencies(frequencyKinds(model));
  for (const auto& live : records_) {
    if (live.present) frequencies.add(live.stored.encoding);
  }
  frequencies.finish();
  auto search = acquireSearch();
  std::set<std::uint32_t> touched;
  std::vector<linkage::ResolutionEvent> events;
  for (std::uint32_t id = 0; id < records_.size(); ++id) {
    if (!records_[id].present) continue;
    ++report.records;
    report.linksBefore += resolver->links(ref(id)).size();
    const auto neighbours = score(id, records_[id].stored.custodian, records_[id].stored.encoding, model, frequencies,
                                  *search, report.candidatesScored);
    auto resolution = resolver->update(ref(id), neighbours);
    for (auto& event : resolution.events) {
      if (std::holds_alternative<linkage::EntityCreated>(event)) ++report.entitiesCreated;
      if (std::holds_alternative<linkage::EntitiesMerged>(event)) ++report.merges;
      if (std::holds_alternative<linkage::EntitySplit>(event)) ++report.splits;
      if (std::holds_alternative<linkage::EntityRetired>(event)) ++report.retired;
      if (batch != nullptr) events.push_back(std::move(event));
    }
  }
  releaseSearch(std::move(search));
  std::uint64_t moved = 0;
  for (std::uint32_t id = 0; id < records_.size(); ++id) {
    if (!records_[id].present) continue;
    report.linksAfter += resolver->links(ref(id)).size();
    const auto before = resolver_->entityOf(ref(id));
    if (batch == nullptr && before != resolver->entityOf(ref(id))) ++moved;
    touched.insert(id);
  }
  report.linksBefore /= 2;  // each link is counted from both ends
  report.linksAfter /= 2;
  report.entitiesAfter = resolver->entityCount();
  if (batch == nullptr) {
    report.recordsMoved = moved;
    return report;
  }
  for (const auto& event : events) {
    if (const auto* joined = std::get_if<linkage::RecordJoined>(&event); joined && joined->entity != 0) ++moved;
    batch->put(Family::Events, bigEndian64(nextEvent_), eventJson(nextEvent_, 0, 0, event));
    ++nextEvent_;
  }
  report.recordsMoved = moved;
  persistResolution(touched, *batch);
  batch->put(Family::Meta, kNextEntityKey, bigEndian64(resolver_->nextEntityId()));
  batch->put(Family::Meta, kNextEventKey, bigEndian64(nextEvent_));
  model_ = model;
  frequencies_ = std::move(frequencies);
  return report;
}

SearchHit EntityIndex::describeEntity(linkage::EntityId entity, double probability) const {
  SearchHit hit;
  hit.entity = entity;
  hit.probability = probability;
  const auto members = resolver_->members(entity);
  hit.records = members.size();
  for (const auto& member : members) hit.custodians.push_back(member.source);
  std::sort(hit.custodians.begin(), hit.custodians.end());
  hit.custodians.erase(std::unique(hit.custodians.begin(), hit.custodians.end()), hit.custodians.end());
  return hit;
}

std::vector<SearchHit> EntityIndex::rank(std::unordered_map<linkage::EntityId, double> best, std::size_t limit) const {
  std::vector<SearchHit> hits;
  hits.reserve(best.size());
  for (const auto& [entity, probability] : best) hits.push_back(describeEntity(entity, probability));
  std::sort(hits.begin(), hits.end(), [](const SearchHit& a, const SearchHit& b) {
    return a.probability != b.probability ? a.probability > b.probability : a.entity < b.entity;
  });
  if (hits.size() > limit) hits.resize(limit);
  return hits;
}

std::vector<SearchHit> EntityIndex::search(const linkage::EncodedRecord& query, std::size_t limit,
                                           double minProbability) const {
  std::shared_lock lock(mutex_);
  auto search = acquireSearch();
  std::unordered_map<linkage::EntityId, double> best;
  for (std::uint32_t candidate : search->find(query)) {
    if (candidate >= records_.size() || !records_[candidate].present) continue;
    const double probability = linkage::FellegiSunterModel::probability(
        model_.matchWeight(query, records_[candidate].stored.encoding, &frequencies_));
    if (probability < minProbability) continue;
    const auto entity = resolver_->entityOf(ref(candidate));
    if (!entity) continue;
    double& slot = best[*entity];
    slot = std::max(slot, probability);
  }
  releaseSearch(std::move(search));
  return rank(std::move(best), limit);
}

void EntityIndex::indexCnic(std::uint32_t id, const linkage::EncodedRecord& record, bool add) {
  for (const auto& token : record.tokens) {
    if (token.kind != linkage::TokenKind::Cnic) continue;
    auto& ids = cnicIndex_[token.digest];
    if (add) {
      ids.push_back(id);
    } else {
      ids.erase(std::remove(ids.begin(), ids.end(), id), ids.end());
      if (ids.empty()) cnicIndex_.erase(token.digest);
      return;
    }
  }
}

std::vector<SearchHit> EntityIndex::searchToken(const linkage::KeyedToken& token, std::size_t limit) const {
  std::shared_lock lock(mutex_);
  std::unordered_map<linkage::EntityId, double> best;
  if (token.kind == linkage::TokenKind::Cnic) {
    if (const auto it = cnicIndex_.find(token.digest); it != cnicIndex_.end()) {
      for (std::uint32_t id : it->second) {
        if (const auto entity = resolver_->entityOf(ref(id))) best[*entity] = 1.0;
      }
    }
  }
  return rank(std::move(best), limit);
}

std::optional<SearchHit> EntityIndex::entity(linkage::EntityId id) const {
  std::shared_lock lock(mutex_);
  const auto live = resolver_->liveEntity(id);
  if (!live) return std::nullopt;
  return describeEntity(*live, 1.0);
}

std::vector<EntityIndex::MemberReference> EntityIndex::memberReferences(linkage::EntityId id) const {
  std::shared_lock lock(mutex_);
  std::vector<MemberReference> out;
  const auto live = resolver_->liveEntity(id);
  if (!live) return out;
  for (const auto& member : resolver_->members(*live)) {
    if (member.record >= keyOf_.size() || keyOf_[member.record] == nullptr) continue;
    out.push_back({member.source, keyOf_[member.record]->substr(4)});
  }
  std::stable_sort(out.begin(), out.end(), [](const MemberReference& a, const MemberReference& b) {
    return a.custodian < b.custodian;
  });
  return out;
}

std::optional<linkage::EntityId> EntityIndex::entityOfReference(std::uint32_t custodian,
                                                                const std::string& reference) const {
  std::shared_lock lock(mutex_);
  const auto it = ids_.find(referenceKey(custodian, reference));
  if (it == ids_.end() || it->second >= records_.size() || !records_[it->second].present) return std::nullopt;
  return resolver_->entityOf(ref(it->second));
}

void EntityIndex::forEachMembership(
    const std::function<void(std::uint32_t custodian, std::string_view reference, linkage::EntityId entity)>& visit)
    const {
  std::shared_lock lock(mutex_);
  for (std::uint32_t id = 0; id < records_.size(); ++id) {
    if (!records_[id].present || id >= keyOf_.size() || keyOf_[id] == nullptr) continue;
    const auto entity = resolver_->entityOf(ref(id));
    if (!entity) continue;
    visit(records_[id].stored.custodian, std::string_view(*keyOf_[id]).substr(4), *entity);
  }
}

std::size_t EntityIndex::recordCount() const {
  std::shared_lock lock(mutex_);
  return resolver_->recordCount();
}

std::size_t EntityIndex::entityCount() const {
  std::shared_lock lock(mutex_);
  return resolver_->entityCount();
}

// --- Linkage-key rotation (docs/key-rotation.md) ---

std::uint32_t EntityIndex::keyEpoch() const {
  std::shared_lock lock(mutex_);
  return keyEpoch_;
}

void EntityIndex::setKeyEpoch(std::uint32_t epoch) {
  std::unique_lock lock(mutex_);
  keyEpoch_ = epoch;
  shape_.keyEpoch = epoch;
}

std::optional<std::vector<SearchHit>> EntityIndex::searchAtEpoch(const linkage::EncodedRecord& query,
                                                                 std::uint32_t epoch, std::size_t limit,
                                                                 double minProbability) const {
  std::shared_lock lock(mutex_);
  if (epoch != keyEpoch_) return std::nullopt;
  auto search = acquireSearch();
  std::unordered_map<linkage::EntityId, double> best;
  for (std::uint32_t candidate : search->find(query)) {
    if (candidate >= records_.size() || !records_[candidate].present) continue;
    const double probability = linkage::FellegiSunterModel::probability(
        model_.matchWeight(query, records_[candidate].stored.encoding, &frequencies_));
    if (probability < minProbability) continue;
    const auto entity = resolver_->entityOf(ref(candidate));
    if (!entity) continue;
    double& slot = best[*entity];
    slot = std::max(slot, probability);
  }
  releaseSearch(std::move(search));
  return rank(std::move(best), limit);
}

void EntityIndex::unstage(std::uint32_t id, HubStore::Batch& batch) {
  if (staged_.erase(id) > 0) batch.erase(Family::NextEncodings, bigEndian32(id));
}

ApplyOutcome EntityIndex::stageNextEpoch(std::uint32_t custodian, std::uint64_t sequence,
                                         std::span<const protocol::IngestOperation> operations,
                                         HubStore::Batch& batch) {
  ApplyOutcome outcome;
  auto addUp = [&outcome](const ApplyOutcome& part) {
    outcome.deleted += part.deleted;
    outcome.deleteUnknown += part.deleteUnknown;
    outcome.merges += part.merges;
    outcome.splits += part.splits;
    outcome.entitiesCreated += part.entitiesCreated;
  };
  std::size_t i = 0;
  while (i < operations.size()) {
    if (operations[i].kind == protocol::OperationKind::Delete) {
      // A run of deletions: removing a record does not depend on the key.
      std::size_t end = i;
      while (end < operations.size() && operations[end].kind == protocol::OperationKind::Delete) ++end;
      ApplyOutcome part = apply(custodian, sequence, operations.subspan(i, end - i), batch);
      // apply() dropped the staged encodings of the records it deleted; the
      // ones left belong to records known only at the next epoch, which
      // apply() counted as unknown: forgetting them is their deletion.
      std::unique_lock lock(mutex_);
      for (std::size_t d = i; d < end; ++d) {
        const std::uint32_t id = recordIdFor(custodian, operations[d].record.id, batch, false);
        if (id == UINT32_MAX || staged_.count(id) == 0) continue;
        unstage(id, batch);
        --part.deleteUnknown;
        ++part.deleted;
      }
      lock.unlock();
      addUp(part);
      i = end;
      continue;
    }
    std::unique_lock lock(mutex_);
    const auto& record = operations[i].record;
    const std::uint32_t id = recordIdFor(custodian, record.id, batch, true);
    StagedEncoding next{custodian, !records_[id].present, record};
    if (const auto it = staged_.find(id); it != staged_.end()) {
      if (sameEncoding(it->second.encoding, record)) {
        ++outcome.unchanged;
        ++i;
        continue;
      }
      next.dirty = true;  // the data changed since its first next-epoch encoding
    }
    batch.put(Family::NextEncodings, bigEndian32(id), schemas::encodeBinary(next));
    staged_[id] = std::move(next);
    ++outcome.upserted;
    ++i;
  }
  std::unique_lock lock(mutex_);
  batch.put(Family::Meta, kNextRecordKey, bigEndian32(static_cast<std::uint32_t>(records_.size())));
  return outcome;
}

std::vector<EntityIndex::RotationProgress> EntityIndex::rotationProgress() const {
  std::shared_lock lock(mutex_);
  std::map<std::uint32_t, RotationProgress> byCustodian;
  for (std::uint32_t id = 0; id < records_.size(); ++id) {
    if (!records_[id].present) continue;
    auto& row = byCustodian[records_[id].stored.custodian];
    row.custodian = records_[id].stored.custodian;
    ++row.records;
    if (staged_.count(id)) ++row.reEncoded;
  }
  for (const auto& [id, staged] : staged_) {
    if (id < records_.size() && records_[id].present) continue;
    auto& row = byCustodian[staged.custodian];
    row.custodian = staged.custodian;
    ++row.newAtNext;
  }
  std::vector<RotationProgress> out;
  for (const auto& [number, row] : byCustodian) out.push_back(row);
  return out;
}

std::uint64_t EntityIndex::discardNextEpoch(HubStore::Batch& batch) {
  std::unique_lock lock(mutex_);
  const std::uint64_t count = staged_.size();
  for (const auto& [id, staged] : staged_) batch.erase(Family::NextEncodings, bigEndian32(id));
  staged_.clear();
  return count;
}

EntityIndex::SwitchOutcome EntityIndex::switchEpoch(std::uint32_t epoch, bool force, HubStore::Batch& batch) {
  std::unique_lock lock(mutex_);
  SwitchOutcome outcome;
  std::vector<std::uint32_t> missing;
  for (std::uint32_t id = 0; id < records_.size(); ++id) {
    if (records_[id].present && staged_.count(id) == 0) missing.push_back(id);
  }
  outcome.missing = missing.size();
  if (!missing.empty() && !force) return outcome;

  std::set<std::uint32_t> touched;
  std::vector<linkage::ResolutionEvent> events;
  auto absorb = [&](linkage::Resolution resolution) {
    for (auto& event : resolution.events) {
      if (auto* joined = std::get_if<linkage::RecordJoined>(&event)) {
        touched.insert(static_cast<std::uint32_t>(joined->record.record));
      } else if (std::holds_alternative<linkage::EntityCreated>(event)) {
        ++outcome.entitiesCreated;
      } else if (auto* merged = std::get_if<linkage::EntitiesMerged>(&event)) {
        ++outcome.merges;
        batch.put(Family::Aliases, bigEndian64(merged->absorbed), bigEndian64(merged->survivor));
      } else if (std::holds_alternative<linkage::EntitySplit>(event)) {
        ++outcome.splits;
      }
      events.push_back(std::move(event));
    }
  };
  auto noteLinks = [&](std::uint32_t id) {
    for (const auto& link : resolver_->links(ref(id))) touched.insert(static_cast<std::uint32_t>(link.record.record));
  };

  // Forced: records never re-encoded leave (their old encodings cannot be
  // compared with anything after the switch).
  for (std::uint32_t id : missing) {
    touched.insert(id);
    noteLinks(id);
    blocking_.remove(id, records_[id].stored.encoding);
    indexCnic(id, records_[id].stored.encoding, false);
    absorb(resolver_->remove(ref(id)));
    records_[id].present = false;
    records_[id].stored.encoding = {};
    batch.erase(Family::Records, bigEndian32(id));
    ++outcome.dropped;
  }
  // Every re-encoded record swaps its encoding in the blocking and CNIC
  // indexes; its entity and links stay (same person, same data, new key).
  std::vector<std::uint32_t> dirty;
  for (auto& [id, staged] : staged_) {
    Live& live = records_[id];
    if (!live.present) {
      dirty.push_back(id);
      continue;
    }
    blocking_.remove(id, live.stored.encoding);
    indexCnic(id, live.stored.encoding, false);
    live.stored.encoding = std::move(staged.encoding);
    blocking_.add(id, live.stored.encoding);
    indexCnic(id, live.stored.encoding, true);
    batch.put(Family::Records, bigEndian32(id), encodeStored(live.stored));
    ++outcome.reEncoded;
    if (staged.dirty) dirty.push_back(id);
  }
  keyEpoch_ = epoch;
  shape_.keyEpoch = epoch;
  rebuildFrequencies();
  // Records new or changed at the new epoch are scored against it and placed
  // by the resolver, like an ingest upsert.
  std::sort(dirty.begin(), dirty.end());
  std::uint64_t scored = 0;
  for (std::uint32_t id : dirty) {
    Live& live = records_[id];
    const bool known = live.present;
    if (!known) {
      auto& staged = staged_[id];
      live.stored.custodian = staged.custodian;
      live.stored.encoding = std::move(staged.encoding);
      live.present = true;
      blocking_.add(id, live.stored.encoding);
      indexCnic(id, live.stored.encoding, true);
      batch.put(Family::Records, bigEndian32(id), encodeStored(live.stored));
    } else {
      noteLinks(id);
    }
    const auto neighbours =
        score(id, live.stored.custodian, live.stored.encoding, model_, frequencies_, *writerSearch_, scored);
    touched.insert(id);
    for (const auto& neighbour : neighbours) touched.insert(static_cast<std::uint32_t>(neighbour.record.record));
    absorb(known ? resolver_->update(ref(id), neighbours) : resolver_->add(ref(id), neighbours));
    ++outcome.rescored;
  }
  for (const auto& [id, staged] : staged_) batch.erase(Family::NextEncodings, bigEndian32(id));
  staged_.clear();

  persistResolution(touched, batch);
  for (const auto& event : events) {
    batch.put(Family::Events, bigEndian64(nextEvent_), eventJson(nextEvent_, 0, 0, event));
    ++nextEvent_;
  }
  batch.put(Family::Meta, kNextEntityKey, bigEndian64(resolver_->nextEntityId()));
  batch.put(Family::Meta, kNextEventKey, bigEndian64(nextEvent_));
  if (outcome.rescored > 0) rebuildFrequencies();
  outcome.switched = true;
  return outcome;
}

}  // namespace nser::hub
