#include "linkage/blocking_metrics.h"

#include <cstdio>
#include <unordered_map>

#include "linkage/blocking_candidates.h"

namespace nser::linkage {
namespace {

std::unordered_map<EntityId, std::uint64_t> entitySizes(std::span<const EntityId> truth) {
  std::unordered_map<EntityId, std::uint64_t> sizes;
  for (auto entity : truth) {
    if (entity != kNoEntity) ++sizes[entity];
  }
  return sizes;
}

}  // namespace

BlockingQualityCounter::BlockingQualityCounter(std::span<const EntityId> queries, std::span<const EntityId> indexed,
                                               bool dedup)
    : queries_(queries), indexed_(indexed), dedup_(dedup) {
  if (dedup) {
    const std::uint64_t n = indexed.size();
    allPairs_ = n < 2 ? 0 : n * (n - 1) / 2;
    for (const auto& [entity, size] : entitySizes(indexed)) truePairs_ += size * (size - 1) / 2;
  } else {
    allPairs_ = static_cast<std::uint64_t>(queries.size()) * indexed.size();
    auto sizesB = entitySizes(indexed);
    for (auto entity : queries) {
      if (entity == kNoEntity) continue;
      auto it = sizesB.find(entity);
      if (it != sizesB.end()) truePairs_ += it->second;
    }
  }
}

BlockingQualityCounter BlockingQualityCounter::forLinkage(std::span<const EntityId> truthA,
                                                          std::span<const EntityId> truthB) {
  return BlockingQualityCounter(truthA, truthB, false);
}

BlockingQualityCounter BlockingQualityCounter::forDeduplication(std::span<const EntityId> truth) {
  return BlockingQualityCounter(truth, truth, true);
}

void BlockingQualityCounter::observe(std::uint32_t queryIndex, std::span<const std::uint32_t> candidates) {
  candidates_ += candidates.size();
  if (queryIndex >= queries_.size()) return;
  const EntityId entity = queries_[queryIndex];
  if (entity == kNoEntity) return;
  for (auto id : candidates) {
    if (id < indexed_.size() && indexed_[id] == entity && !(dedup_ && id == queryIndex)) ++found_;
  }
}

BlockingQuality BlockingQualityCounter::result(const BlockingIndexStats& index,
                                               const CandidateSearchCounters& search) const {
  BlockingQuality q;
  q.allPairs = allPairs_;
  q.candidatePairs = candidates_;
  q.truePairs = truePairs_;
  q.truePairsFound = found_;
  q.reductionRatio = allPairs_ == 0 ? 0.0 : 1.0 - static_cast<double>(candidates_) / static_cast<double>(allPairs_);
  q.pairsCompleteness = truePairs_ == 0 ? 1.0 : static_cast<double>(found_) / static_cast<double>(truePairs_);
  q.pairsQuality = candidates_ == 0 ? 0.0 : static_cast<double>(found_) / static_cast<double>(candidates_);
  q.oversizeBlocks = index.oversizeBlocks;
  q.droppedMemberships = index.droppedMemberships;
  q.oversizeLookups = search.oversizeLookups;
  q.skippedMemberships = search.skippedMemberships;
  return q;
}

std::string describeBlockingQuality(const BlockingQuality& q) {
  char buffer[512];
  std::snprintf(buffer, sizeof buffer,
                "candidate_pairs=%llu all_pairs=%llu reduction_ratio=%.6f true_pairs=%llu found=%llu "
                "pairs_completeness=%.6f pairs_quality=%.6f oversize_blocks=%llu dropped_memberships=%llu "
                "oversize_lookups=%llu skipped_memberships=%llu",
                static_cast<unsigned long long>(q.candidatePairs), static_cast<unsigned long long>(q.allPairs),
                q.reductionRatio, static_cast<unsigned long long>(q.truePairs),
                static_cast<unsigned long long>(q.truePairsFound), q.pairsCompleteness, q.pairsQuality,
                static_cast<unsigned long long>(q.oversizeBlocks),
                static_cast<unsigned long long>(q.droppedMemberships),
                static_cast<unsigned long long>(q.oversizeLookups),
                static_cast<unsigned long long>(q.skippedMemberships));
  return buffer;
}

BlockingQuality evaluateLinkageBlocking(const BlockingIndex& indexOfB, std::span<const EncodedRecord> a,
                                        std::span<const EntityId> truthA, std::span<const EntityId> truthB) {
  auto counter = BlockingQualityCounter::forLinkage(truthA, truthB);
  auto search = forEachCandidate(indexOfB, a, [&](std::uint32_t i, std::span<const std::uint32_t> candidates) {
    counter.observe(i, candidates);
  });
  return counter.result(indexOfB.stats(), search);
}

BlockingQuality evaluateDeduplicationBlocking(const BlockingIndex& index, std::span<const EncodedRecord> records,
                                              std::span<const EntityId> truth) {
  auto counter = BlockingQualityCounter::forDeduplication(truth);
  auto search = forEachCandidateWithin(index, records, [&](std::uint32_t i, std::span<const std::uint32_t> candidates) {
    counter.observe(i, candidates);
  });
  return counter.result(index.stats(), search);
}

}  // namespace nser::linkage
