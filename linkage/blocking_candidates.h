// Streaming candidate generation, in bounded memory: the candidate pairs of a
// whole run are never held at once. Memory is the index (built over one
// dataset) plus one CandidateSearch's scratch (4 bytes per indexed id plus
// the current record's candidates).
//
//  - Record linkage (A x B): index B with ids = positions in B, then each
//    record of A is looked up; the callback receives (index in A, candidate
//    ids in B).
//  - Deduplication within one dataset: index it with ids = positions, then
//    each record i is looked up among ids > i, so every unordered pair is
//    emitted once, as (i, j) with i < j.
//
// Callbacks are invoked in query order, only for queries with at least one
// candidate; candidate spans are ascending and valid only during the call.
// The callback may not change the index.
//
// Parallel runs: pass each thread a slice of the queries and the position of
// the slice's first record (`firstQueryIndex`); the callback then receives
// positions in the whole dataset, and the slices' outputs together equal one
// call over everything. Each call uses its own CandidateSearch.
#pragma once

#include <cstdint>
#include <functional>
#include <span>

#include "linkage/blocking_config.h"
#include "linkage/blocking_index.h"
#include "linkage/encoded_record.h"

namespace nser::linkage {

using CandidateCallback = std::function<void(std::uint32_t queryIndex, std::span<const std::uint32_t> candidates)>;

// An index of `records` with ids 0..n-1. Throws BlockingConfigError for a bad
// configuration or more than 2^32 - 1 records.
BlockingIndex buildBlockingIndex(const BlockingConfig& config, std::size_t clkBits,
                                 std::span<const EncodedRecord> records);

// Record-linkage mode: candidates in `index` (dataset B) of every query
// (dataset A). Returns the summed search counters.
CandidateSearchCounters forEachCandidate(const BlockingIndex& index, std::span<const EncodedRecord> queries,
                                         const CandidateCallback& callback, std::uint32_t firstQueryIndex = 0);

// Deduplication mode: `index` must hold the whole dataset under ids
// 0..n-1 (buildBlockingIndex) and `records` is the dataset or a slice of it
// starting at `firstRecordIndex`; emits candidates j > i of each record i.
CandidateSearchCounters forEachCandidateWithin(const BlockingIndex& index, std::span<const EncodedRecord> records,
                                               const CandidateCallback& callback, std::uint32_t firstRecordIndex = 0);

}  // namespace nser::linkage
