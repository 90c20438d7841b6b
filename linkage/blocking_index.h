// BlockingIndex: block key -> indexed record ids, for every strategy of a
// BlockingConfig, maintained incrementally (add / remove one record) so the
// hub can keep it current on ingest, and queried one record at a time
// through a CandidateSearch.
//
// Records are named by caller-chosen 32-bit ids (offline: the record's
// position in its dataset). The index stores only 64-bit key hashes and ids,
// never record data: about 20-35 bytes per (record, key) membership for
// mostly unique keys (docs/blocking.md, "Memory"). Oversize blocks
// (BlockPostingTable) are skipped and counted per strategy in stats().
//
// Threading: add/remove need exclusive access; const methods, and queries
// through CandidateSearch objects (one per thread), may run concurrently
// with each other.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "linkage/blocking_config.h"
#include "linkage/blocking_keyer.h"
#include "linkage/blocking_posting_table.h"
#include "linkage/encoded_record.h"

namespace nser::linkage {

struct StrategyBlockStats {
  std::string name;
  std::uint64_t memberships = 0;         // (record, key) pairs of this strategy, stored or counted
  std::uint64_t oversizeBlocks = 0;      // blocks currently skipped as oversize
  std::uint64_t droppedMemberships = 0;  // memberships inside those blocks (not stored)
  std::uint64_t truncatedRecords = 0;    // records that hit max_keys_per_record
};

struct BlockingIndexStats {
  std::uint64_t records = 0;
  std::uint64_t blocks = 0;               // distinct keys, oversize ones included
  std::uint64_t memberships = 0;          // all strategies
  std::uint64_t oversizeBlocks = 0;
  std::uint64_t droppedMemberships = 0;
  std::uint64_t recordsWithUnusableClk = 0;  // no LSH keys: CLK missing or of another length
  std::size_t memoryBytes = 0;            // the posting table and bookkeeping
  std::vector<StrategyBlockStats> strategies;
};

class BlockingIndex {
 public:
  // Throws BlockingConfigError (see BlockingKeyer).
  BlockingIndex(BlockingConfig config, std::size_t clkBits);

  const BlockingKeyer& keyer() const { return keyer_; }
  const BlockingConfig& config() const { return keyer_.config(); }

  // Sizes the table for `records` more records with about `keysPerRecord`
  // keys each (a hint; growth is automatic otherwise).
  void reserve(std::size_t records, std::size_t keysPerRecord);

  // Indexes `record` under `id`. Returns false (and changes nothing) when
  // `id` is already indexed or is 0xFFFFFFFF.
  bool add(std::uint32_t id, const EncodedRecord& record);
  // Removes `id`, which must have been added with this same `record` (the
  // index keeps no copy of its keys, to stay small). Returns false when `id`
  // is not indexed.
  bool remove(std::uint32_t id, const EncodedRecord& record);
  bool contains(std::uint32_t id) const { return id < present_.size() && present_[id]; }

  // One more than the largest id ever added (sizes per-query scratch).
  std::uint32_t idBound() const { return static_cast<std::uint32_t>(present_.size()); }

  BlockingIndexStats stats() const;

  // The block of one key (for CandidateSearch and tests).
  BlockPostingTable::Block block(std::uint64_t keyHash) const { return table_.find(keyHash); }
  void prefetchBlock(std::uint64_t keyHash) const { table_.prefetch(keyHash); }

 private:
  BlockingKeyer keyer_;
  BlockPostingTable table_;
  std::vector<bool> present_;
  std::vector<BlockingKey> scratch_;
  std::uint64_t records_ = 0;
  std::uint64_t recordsWithUnusableClk_ = 0;
  std::vector<StrategyBlockStats> strategyStats_;
};

// Per-query counters, summed over the queries of one CandidateSearch.
struct CandidateSearchCounters {
  std::uint64_t queries = 0;
  std::uint64_t lookups = 0;             // keys looked up
  std::uint64_t oversizeLookups = 0;     // keys whose block was skipped as oversize
  std::uint64_t skippedMemberships = 0;  // members of those skipped blocks (an upper bound on pairs lost)
  std::uint64_t candidates = 0;          // distinct candidates returned
  std::uint64_t queriesWithUnusableClk = 0;

  CandidateSearchCounters& operator+=(const CandidateSearchCounters& other);
};

// Finds the candidates of one record at a time. Holds the per-query scratch
// (a stamp per indexed id, 4 bytes each, so deduplication is O(1) per hit
// with no clearing between queries); one object per thread.
class CandidateSearch {
 public:
  explicit CandidateSearch(const BlockingIndex& index);

  // The distinct ids >= `minId` sharing at least one non-oversize block with
  // `record`, ascending. Valid until the next call or a change to the index.
  std::span<const std::uint32_t> find(const EncodedRecord& record, std::uint32_t minId = 0);

  const CandidateSearchCounters& counters() const { return counters_; }

 private:
  const BlockingIndex* index_;
  std::vector<std::uint32_t> stamps_;
  std::uint32_t epoch_ = 0;
  std::vector<BlockingKey> keys_;
  std::vector<BlockPostingTable::Block> blocks_;
  std::vector<std::uint32_t> candidates_;
  CandidateSearchCounters counters_;
};

}  // namespace nser::linkage
