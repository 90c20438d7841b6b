#include "linkage/blocking_index.h"

#include <algorithm>

namespace nser::linkage {

BlockingIndex::BlockingIndex(BlockingConfig config, std::size_t clkBits) : keyer_(std::move(config), clkBits) {
  for (const auto& strategy : keyer_.config().strategies) strategyStats_.push_back({strategy.name, 0, 0, 0, 0});
}

void BlockingIndex::reserve(std::size_t records, std::size_t keysPerRecord) {
  table_.reserve(table_.blocks() + records * keysPerRecord);
  present_.reserve(present_.size() + records);
}

bool BlockingIndex::add(std::uint32_t id, const EncodedRecord& record) {
  if (id == UINT32_MAX || contains(id)) return false;
  if (id >= present_.size()) present_.resize(static_cast<std::size_t>(id) + 1, false);
  present_[id] = true;
  ++records_;

  auto issues = keyer_.keysOf(record, scratch_);
  if (issues.clkUnusable) ++recordsWithUnusableClk_;
  for (std::uint32_t s = 0; s < strategyStats_.size(); ++s) {
    if (issues.truncatedStrategies & (1u << s)) ++strategyStats_[s].truncatedRecords;
  }
  const auto& config = keyer_.config();
  for (const auto& key : scratch_) table_.prefetch(key.hash);
  for (const auto& key : scratch_) {
    auto& stats = strategyStats_[key.strategy];
    ++stats.memberships;
    auto result = table_.add(key.hash, id, config.blockSizeCap(key.strategy));
    if (result.outcome == BlockPostingTable::AddOutcome::BecameOversize) {
      ++stats.oversizeBlocks;
      stats.droppedMemberships += result.blockSize;
    } else if (result.outcome == BlockPostingTable::AddOutcome::CountedInOversize) {
      ++stats.droppedMemberships;
    }
  }
  return true;
}

bool BlockingIndex::remove(std::uint32_t id, const EncodedRecord& record) {
  if (!contains(id)) return false;
  present_[id] = false;
  --records_;

  auto issues = keyer_.keysOf(record, scratch_);
  if (issues.clkUnusable) --recordsWithUnusableClk_;
  for (std::uint32_t s = 0; s < strategyStats_.size(); ++s) {
    if (issues.truncatedStrategies & (1u << s)) --strategyStats_[s].truncatedRecords;
  }
  for (const auto& key : scratch_) {
    auto result = table_.remove(key.hash, id);
    if (result.outcome == BlockPostingTable::RemoveOutcome::NotFound) continue;  // not this record's key
    auto& stats = strategyStats_[key.strategy];
    --stats.memberships;
    if (result.outcome == BlockPostingTable::RemoveOutcome::RemovedFromOversize) {
      --stats.droppedMemberships;
      if (result.blockDeleted) --stats.oversizeBlocks;
    }
  }
  return true;
}

BlockingIndexStats BlockingIndex::stats() const {
  BlockingIndexStats stats;
  stats.records = records_;
  stats.blocks = table_.blocks();
  stats.recordsWithUnusableClk = recordsWithUnusableClk_;
  stats.strategies = strategyStats_;
  for (const auto& s : strategyStats_) {
    stats.memberships += s.memberships;
    stats.oversizeBlocks += s.oversizeBlocks;
    stats.droppedMemberships += s.droppedMemberships;
  }
  stats.memoryBytes = table_.memoryBytes() + present_.capacity() / 8;
  return stats;
}

CandidateSearchCounters& CandidateSearchCounters::operator+=(const CandidateSearchCounters& other) {
  queries += other.queries;
  lookups += other.lookups;
  oversizeLookups += other.oversizeLookups;
  skippedMemberships += other.skippedMemberships;
  candidates += other.candidates;
  queriesWithUnusableClk += other.queriesWithUnusableClk;
  return *this;
}

CandidateSearch::CandidateSearch(const BlockingIndex& index) : index_(&index) {}

std::span<const std::uint32_t> CandidateSearch::find(const EncodedRecord& record, std::uint32_t minId) {
  candidates_.clear();
  ++counters_.queries;
  if (stamps_.size() < index_->idBound()) stamps_.resize(index_->idBound(), 0);
  if (++epoch_ == 0) {  // wrapped after 2^32 queries: forget every old stamp
    std::fill(stamps_.begin(), stamps_.end(), 0);
    epoch_ = 1;
  }

  auto issues = index_->keyer().keysOf(record, keys_);
  if (issues.clkUnusable) ++counters_.queriesWithUnusableClk;
  // Three passes so the cache misses of a record's ~30 keys overlap: prefetch
  // every home slot, then resolve the blocks (prefetching member lists), then
  // walk the members.
  for (const auto& key : keys_) index_->prefetchBlock(key.hash);
  blocks_.clear();
  for (const auto& key : keys_) {
    ++counters_.lookups;
    auto block = index_->block(key.hash);
    if (block.oversize) {
      ++counters_.oversizeLookups;
      counters_.skippedMemberships += block.size;
      continue;
    }
    if (block.members.size() > 1) __builtin_prefetch(block.members.data());
    if (!block.members.empty()) blocks_.push_back(block);
  }
  for (const auto& block : blocks_) {
    for (std::uint32_t id : block.members) {
      if (id < minId || stamps_[id] == epoch_) continue;
      stamps_[id] = epoch_;
      candidates_.push_back(id);
    }
  }
  std::sort(candidates_.begin(), candidates_.end());
  counters_.candidates += candidates_.size();
  return candidates_;
}

}  // namespace nser::linkage
