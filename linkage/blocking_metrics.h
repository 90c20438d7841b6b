// Blocking quality against a truth mapping (record position -> entity id):
//
//   reduction ratio     RR = 1 - candidate pairs / all pairs
//   pairs completeness  PC = true pairs among candidates / all true pairs
//   pairs quality       PQ = true pairs among candidates / candidate pairs
//
// All pairs are |A| x |B| for record linkage and n(n-1)/2 for deduplication;
// a true pair is two records with the same entity id (kNoEntity never
// matches). PC is 1 when there is no true pair, PQ is 0 when there is no
// candidate. The oversize counters come from the index and the search, so a
// report shows what the caps cost.
//
// BlockingQualityCounter observes a candidate stream (the callback of
// blocking_candidates.h) and so can ride along with the real comparison
// pass; evaluate*Blocking run a pass of their own.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "linkage/blocking_index.h"
#include "linkage/encoded_record.h"

namespace nser::linkage {

using EntityId = std::uint64_t;
inline constexpr EntityId kNoEntity = UINT64_MAX;

struct BlockingQuality {
  std::uint64_t allPairs = 0;
  std::uint64_t candidatePairs = 0;
  std::uint64_t truePairs = 0;
  std::uint64_t truePairsFound = 0;
  double reductionRatio = 0;
  double pairsCompleteness = 0;
  double pairsQuality = 0;
  // From the index: blocks skipped as oversize and the memberships in them.
  std::uint64_t oversizeBlocks = 0;
  std::uint64_t droppedMemberships = 0;
  // From the search: lookups that hit a skipped block, and those blocks' sizes summed.
  std::uint64_t oversizeLookups = 0;
  std::uint64_t skippedMemberships = 0;
};

// One line, key=value, for logs and command summaries.
std::string describeBlockingQuality(const BlockingQuality& quality);

class BlockingQualityCounter {
 public:
  // The spans must outlive the counter. Record linkage: queries are A.
  static BlockingQualityCounter forLinkage(std::span<const EntityId> truthA, std::span<const EntityId> truthB);
  static BlockingQualityCounter forDeduplication(std::span<const EntityId> truth);

  // One callback's worth of candidates; ids out of range are ignored as non-matches.
  void observe(std::uint32_t queryIndex, std::span<const std::uint32_t> candidates);

  BlockingQuality result(const BlockingIndexStats& index, const CandidateSearchCounters& search) const;

 private:
  BlockingQualityCounter(std::span<const EntityId> queries, std::span<const EntityId> indexed, bool dedup);

  std::span<const EntityId> queries_;
  std::span<const EntityId> indexed_;
  bool dedup_;
  std::uint64_t allPairs_ = 0;
  std::uint64_t truePairs_ = 0;
  std::uint64_t candidates_ = 0;
  std::uint64_t found_ = 0;
};

// `indexOfB` holds B under ids = positions in B.
BlockingQuality evaluateLinkageBlocking(const BlockingIndex& indexOfB, std::span<const EncodedRecord> a,
                                        std::span<const EntityId> truthA, std::span<const EntityId> truthB);
// `index` holds `records` under ids = positions (buildBlockingIndex).
BlockingQuality evaluateDeduplicationBlocking(const BlockingIndex& index, std::span<const EncodedRecord> records,
                                              std::span<const EntityId> truth);

}  // namespace nser::linkage
