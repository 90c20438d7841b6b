// BatchLinker: offline linkage of whole sources (the engine behind `nser
// link`). Given the encodings of two or more sources it
//   1. generates candidate pairs by blocking, one source pair at a time
//      (the later source is indexed, the earlier ones query it), streaming:
//      candidate pairs are never all held in memory;
//   2. trains the Fellegi-Sunter model when none is given: u from random
//      record pairs, m and the prior by EM on the candidate pairs of a
//      deterministic sample of query records, token frequencies from all
//      records;
//   3. scores every candidate pair as blocking streams it out and keeps, of
//      the pairs whose match probability reaches the threshold, only each
//      record's best `max_links_per_record` links towards each other source
//      (from both sides of the pair): memory is bounded by records, not by
//      candidate pairs;
//   4. clusters the kept pairs into entities (at most one record per source
//      per entity; entity_clustering.h).
// The blocking index of a source is built once and shared by training and
// the following link() when both get the same records (same vector, not
// modified in between); link() releases it.
// Work is split over `threads` threads by query slices; results do not
// depend on the thread count.
//
// Not thread-safe itself; one run at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "linkage/blocking_index.h"
#include "linkage/encoded_record.h"
#include "linkage/entity_clustering.h"
#include "linkage/fellegi_sunter.h"
#include "linkage/link_settings.h"
#include "linkage/token_frequency.h"

namespace nser::linkage {

struct LinkSource {
  std::string name;
  std::vector<EncodedRecord> records;
};

struct LinkCounters {
  std::uint64_t records = 0;
  std::uint64_t candidatePairs = 0;   // distinct candidates over all source pairs (scoring pass)
  std::uint64_t comparisons = 0;      // pairs compared and scored (both passes)
  std::uint64_t trainingPairs = 0;
  std::uint64_t pairsAboveThreshold = 0;  // candidate pairs whose probability reached the threshold
  std::uint64_t pairsKept = 0;            // of those, the best links kept for clustering
  std::uint64_t oversizeLookups = 0;  // block lookups skipped because the block was oversize
  std::uint64_t skippedMemberships = 0;
};

struct LinkResult {
  std::vector<ScoredPair> pairs;  // kept best links, sorted by (a, b), unique; score = match probability
  Clustering clustering;
  LinkCounters counters;
};

class BatchLinker {
 public:
  using Progress = std::function<void(const std::string& stage, std::uint64_t done, std::uint64_t total)>;

  BatchLinker(LinkSettings settings, std::size_t clkBits, std::vector<std::string> fieldNames, unsigned threads,
              Progress progress = {});

  // Trains a model on `sources` (at least two) as described above.
  FellegiSunterModel train(std::span<const LinkSource> sources, ThresholdGuidance* guidance = nullptr);

  // Scores and clusters with `model` (bound to this linker's field names).
  LinkResult link(std::span<const LinkSource> sources, const FellegiSunterModel& model);

  const TokenFrequencyTable& frequencies() const { return frequencies_; }
  const LinkSettings& settings() const { return settings_; }

 private:
  // The blocking index of `source` (ids = positions), built on first use and
  // kept for the next call with the same records.
  const BlockingIndex& indexFor(const LinkSource& source);
  void buildFrequencies(std::span<const LinkSource> sources, const FellegiSunterModel* model);
  // Calls `visit(thread, queryRecordIndex, candidates)` for every candidate
  // of every query of `query` in `indexed`, over the worker threads.
  using Visit = std::function<void(unsigned thread, std::uint32_t query, std::span<const std::uint32_t> candidates)>;
  CandidateSearchCounters forEachCandidatePair(const BlockingIndex& indexed, const LinkSource& query,
                                               const std::function<bool(std::uint32_t)>& includeQuery,
                                               const Visit& visit) const;

  LinkSettings settings_;
  std::size_t clkBits_;
  std::vector<std::string> fieldNames_;
  unsigned threads_;
  Progress progress_;
  TokenFrequencyTable frequencies_;
  bool frequenciesBuilt_ = false;
  std::optional<BlockingIndex> cachedIndex_;
  const EncodedRecord* cachedIndexRecords_ = nullptr;
  std::size_t cachedIndexSize_ = 0;
};

}  // namespace nser::linkage
