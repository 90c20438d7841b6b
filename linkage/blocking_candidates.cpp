#include "linkage/blocking_candidates.h"

namespace nser::linkage {

BlockingIndex buildBlockingIndex(const BlockingConfig& config, std::size_t clkBits,
                                 std::span<const EncodedRecord> records) {
  if (records.size() >= UINT32_MAX) throw BlockingConfigError("blocking: at most 2^32 - 2 records per index");
  BlockingIndex index(config, clkBits);
  // A rough key count (LSH tables + a few tokens per strategy) avoids most rehashing.
  std::size_t keysPerRecord = 0;
  for (const auto& strategy : config.strategies) {
    keysPerRecord += strategy.isHammingLsh() ? std::get<HammingLshSettings>(strategy.settings).tables : 2;
  }
  index.reserve(records.size(), keysPerRecord);
  for (std::size_t i = 0; i < records.size(); ++i) index.add(static_cast<std::uint32_t>(i), records[i]);
  return index;
}

CandidateSearchCounters forEachCandidate(const BlockingIndex& index, std::span<const EncodedRecord> queries,
                                         const CandidateCallback& callback, std::uint32_t firstQueryIndex) {
  CandidateSearch search(index);
  for (std::size_t i = 0; i < queries.size(); ++i) {
    auto candidates = search.find(queries[i]);
    if (!candidates.empty()) callback(firstQueryIndex + static_cast<std::uint32_t>(i), candidates);
  }
  return search.counters();
}

CandidateSearchCounters forEachCandidateWithin(const BlockingIndex& index, std::span<const EncodedRecord> records,
                                               const CandidateCallback& callback, std::uint32_t firstRecordIndex) {
  CandidateSearch search(index);
  for (std::size_t i = 0; i < records.size(); ++i) {
    const std::uint32_t self = firstRecordIndex + static_cast<std::uint32_t>(i);
    auto candidates = search.find(records[i], self + 1);
    if (!candidates.empty()) callback(self, candidates);
  }
  return search.counters();
}

}  // namespace nser::linkage
