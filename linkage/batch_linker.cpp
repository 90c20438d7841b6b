#include "linkage/batch_linker.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <mutex>
#include <tuple>
#include <thread>

#include "linkage/blocking_candidates.h"

namespace nser::linkage {

namespace {

// SplitMix64: a deterministic, well-mixed hash of an index, used to pick the
// EM sample of query records independently of thread scheduling.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

std::uint64_t totalRecords(std::span<const LinkSource> sources) {
  std::uint64_t total = 0;
  for (const auto& source : sources) total += source.records.size();
  return total;
}

}  // namespace

BatchLinker::BatchLinker(LinkSettings settings, std::size_t clkBits, std::vector<std::string> fieldNames,
                         unsigned threads, Progress progress)
    : settings_(std::move(settings)),
      clkBits_(clkBits),
      fieldNames_(std::move(fieldNames)),
      threads_(std::max(1u, threads)),
      progress_(std::move(progress)) {
  settings_.blocking.validate();
  settings_.comparisons.bindFields(fieldNames_);
}

CandidateSearchCounters BatchLinker::forEachCandidatePair(const BlockingIndex& indexed, const LinkSource& query,
                                                          const std::function<bool(std::uint32_t)>& includeQuery,
                                                          const Visit& visit) const {
  const std::size_t n = query.records.size();
  std::vector<CandidateSearchCounters> counters(threads_);
  std::vector<std::thread> workers;
  // Slices of 4096 queries handed out in order: balances the load without
  // making any result depend on which thread took which slice.
  std::atomic<std::size_t> nextSlice{0};
  constexpr std::size_t kSlice = 4096;
  for (unsigned t = 0; t < threads_; ++t) {
    workers.emplace_back([&, t] {
      CandidateSearch search(indexed);
      for (;;) {
        const std::size_t begin = nextSlice.fetch_add(kSlice);
        if (begin >= n) break;
        const std::size_t end = std::min(n, begin + kSlice);
        for (std::size_t i = begin; i < end; ++i) {
          if (!includeQuery(static_cast<std::uint32_t>(i))) continue;
          auto candidates = search.find(query.records[i]);
          if (!candidates.empty()) visit(t, static_cast<std::uint32_t>(i), candidates);
        }
      }
      counters[t] = search.counters();
    });
  }
  for (auto& worker : workers) worker.join();
  CandidateSearchCounters total;
  for (const auto& c : counters) total += c;
  return total;
}

void BatchLinker::buildFrequencies(std::span<const LinkSource> sources, const FellegiSunterModel* model) {
  if (frequenciesBuilt_) return;
  std::vector<TokenKind> kinds;
  if (model != nullptr) {
    kinds = model->termFrequencyKinds();
  } else {
    for (const auto& comparison : settings_.comparisons.comparisons()) {
      for (const auto& level : comparison.levels) {
        if (!level.termFrequency) continue;
        for (TokenKind kind : level.tokenKinds) {
          if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) kinds.push_back(kind);
        }
      }
    }
  }
  frequencies_ = TokenFrequencyTable(kinds);
  for (const auto& source : sources) {
    for (const auto& record : source.records) frequencies_.add(record);
  }
  frequencies_.finish();
  frequenciesBuilt_ = true;
}

FellegiSunterModel BatchLinker::train(std::span<const LinkSource> sources, ThresholdGuidance* guidance) {
  if (sources.size() < 2) throw FellegiSunterError("training needs at least two sources");
  buildFrequencies(sources, nullptr);

  ComparisonVectorSet vectors(settings_.comparisons.size());
  std::mutex vectorsMutex;
  const std::uint64_t total = totalRecords(sources);
  for (std::size_t t = 1; t < sources.size(); ++t) {
    const BlockingIndex& index = indexFor(sources[t]);
    for (std::size_t s = 0; s < t; ++s) {
      // Sample rate: assume ~20 candidates per query; the EM sample only
      // needs to be large, not exact.
      const double rate =
          std::min(1.0, static_cast<double>(settings_.emSamplePairs) / 20.0 / static_cast<double>(std::max<std::uint64_t>(1, total)));
      const auto cutoff = static_cast<std::uint64_t>(rate * 18446744073709551615.0);
      std::vector<std::vector<std::uint8_t>> local(threads_);
      forEachCandidatePair(
          index, sources[s],
          [&](std::uint32_t q) { return rate >= 1.0 || mix((static_cast<std::uint64_t>(s) << 40) ^ q) <= cutoff; },
          [&](unsigned thread, std::uint32_t q, std::span<const std::uint32_t> candidates) {
            std::vector<std::uint8_t> levels(settings_.comparisons.size());
            for (std::uint32_t c : candidates) {
              settings_.comparisons.compare(sources[s].records[q], sources[t].records[c], levels);
              local[thread].insert(local[thread].end(), levels.begin(), levels.end());
            }
          });
      std::lock_guard<std::mutex> lock(vectorsMutex);
      for (auto& part : local) {
        for (std::size_t i = 0; i < part.size(); i += vectors.width()) {
          vectors.append({part.data() + i, vectors.width()});
        }
      }
    }
    if (progress_) progress_("train", t, sources.size() - 1);
  }
  // u from random pairs between the first (registry) source and each other
  // source in turn would weight sources unevenly; the largest other source
  // stands for them all.
  std::size_t other = 1;
  for (std::size_t t = 2; t < sources.size(); ++t) {
    if (sources[t].records.size() > sources[other].records.size()) other = t;
  }
  FellegiSunterModel model = trainModel(settings_.comparisons, sources[0].records, sources[other].records, vectors,
                                        settings_.training);
  model.bindFields(fieldNames_);
  if (guidance != nullptr) *guidance = thresholdGuidance(model, vectors);
  return model;
}

namespace {

// One kept link of a record: the other record and the pair's match weight.
// Order: higher weight first, ties by the smaller record index, so the
// top-k of a record is a pure function of its candidates' weights.
struct BestLink {
  double weight = -std::numeric_limits<double>::infinity();
  std::uint32_t other = UINT32_MAX;
};

bool better(const BestLink& x, const BestLink& y) {
  return x.weight > y.weight || (x.weight == y.weight && x.other < y.other);
}

// Offers `link` to a record's k slots (sorted best first, empty slots last).
void offer(BestLink* slots, std::size_t k, const BestLink& link) {
  if (!better(link, slots[k - 1])) return;
  std::size_t i = k - 1;
  while (i > 0 && better(link, slots[i - 1])) {
    slots[i] = slots[i - 1];
    --i;
  }
  slots[i] = link;
}

}  // namespace

LinkResult BatchLinker::link(std::span<const LinkSource> sources, const FellegiSunterModel& model) {
  buildFrequencies(sources, &model);
  LinkResult result;
  result.counters.records = totalRecords(sources);
  std::vector<std::uint64_t> recordsPerSource;
  for (const auto& source : sources) recordsPerSource.push_back(source.records.size());

  // Pairs are scored as they stream out of blocking and only each record's
  // best `k` links towards each other source are kept (both directions), so
  // memory is bounded by records, not candidate pairs. The clustering keeps
  // at most one record per source per entity and merges best links first, so
  // a pair ranked below k others on both of its sides could only matter if
  // all k better partners were taken; docs/clustering.md.
  const std::size_t k = settings_.maxLinksPerRecord;
  std::vector<std::uint64_t> compared(threads_, 0);
  std::vector<std::uint64_t> above(threads_, 0);
  for (std::size_t t = 1; t < sources.size(); ++t) {
    const BlockingIndex& index = indexFor(sources[t]);
    const std::size_t nIndexed = sources[t].records.size();
    for (std::size_t s = 0; s < t; ++s) {
      const std::size_t nQuery = sources[s].records.size();
      std::vector<BestLink> bestOfQuery(nQuery * k);
      // Per-thread best links of the indexed records, merged below: the
      // merge of per-thread top-k lists is the top-k of their union.
      std::vector<std::vector<BestLink>> bestOfIndexed(threads_);
      for (auto& slots : bestOfIndexed) slots.assign(nIndexed * k, BestLink{});
      CandidateSearchCounters counters = forEachCandidatePair(
          index, sources[s], [](std::uint32_t) { return true; },
          [&](unsigned thread, std::uint32_t q, std::span<const std::uint32_t> candidates) {
            const EncodedRecord& a = sources[s].records[q];
            BestLink* mine = bestOfQuery.data() + static_cast<std::size_t>(q) * k;
            BestLink* theirs = bestOfIndexed[thread].data();
            for (std::uint32_t c : candidates) {
              const double weight = model.matchWeight(a, sources[t].records[c], &frequencies_);
              if (!(FellegiSunterModel::probability(weight) >= settings_.threshold)) continue;
              ++above[thread];
              offer(mine, k, {weight, c});
              offer(theirs + static_cast<std::size_t>(c) * k, k, {weight, q});
            }
            compared[thread] += candidates.size();
          });
      result.counters.candidatePairs += counters.candidates;
      result.counters.oversizeLookups += counters.oversizeLookups;
      result.counters.skippedMemberships += counters.skippedMemberships;

      auto emit = [&](std::uint32_t q, std::uint32_t c, double weight) {
        result.pairs.push_back({{static_cast<std::uint32_t>(s), q},
                                {static_cast<std::uint32_t>(t), c},
                                FellegiSunterModel::probability(weight)});
      };
      for (std::uint32_t q = 0; q < nQuery; ++q) {
        for (std::size_t i = 0; i < k && bestOfQuery[q * k + i].other != UINT32_MAX; ++i) {
          emit(q, bestOfQuery[q * k + i].other, bestOfQuery[q * k + i].weight);
        }
      }
      std::vector<BestLink>().swap(bestOfQuery);
      std::vector<BestLink> merged(k);
      for (std::uint32_t c = 0; c < nIndexed; ++c) {
        std::fill(merged.begin(), merged.end(), BestLink{});
        for (unsigned th = 0; th < threads_; ++th) {
          const BestLink* slots = bestOfIndexed[th].data() + static_cast<std::size_t>(c) * k;
          for (std::size_t i = 0; i < k && slots[i].other != UINT32_MAX; ++i) offer(merged.data(), k, slots[i]);
        }
        for (std::size_t i = 0; i < k && merged[i].other != UINT32_MAX; ++i) emit(merged[i].other, c, merged[i].weight);
      }
    }
    if (progress_) progress_("link", t, sources.size() - 1);
  }
  cachedIndex_.reset();  // not needed for clustering; frees its memory first
  for (unsigned t = 0; t < threads_; ++t) {
    result.counters.comparisons += compared[t];
    result.counters.pairsAboveThreshold += above[t];
  }
  // A pair in the best links of both its records was emitted twice.
  std::sort(result.pairs.begin(), result.pairs.end(), [](const ScoredPair& x, const ScoredPair& y) {
    return std::tie(x.a, x.b) < std::tie(y.a, y.b);
  });
  result.pairs.erase(std::unique(result.pairs.begin(), result.pairs.end(),
                                 [](const ScoredPair& x, const ScoredPair& y) { return x.a == y.a && x.b == y.b; }),
                     result.pairs.end());
  result.pairs.shrink_to_fit();
  result.counters.pairsKept = result.pairs.size();

  ClusteringOptions options;
  options.threshold = settings_.threshold;
  options.minLinkShare = settings_.minLinkShare;
  result.clustering = clusterEntities(recordsPerSource, result.pairs, options);
  return result;
}

const BlockingIndex& BatchLinker::indexFor(const LinkSource& source) {
  if (!cachedIndex_ || cachedIndexRecords_ != source.records.data() ||
      cachedIndexSize_ != source.records.size()) {
    cachedIndex_.reset();  // free the old index before building the next
    cachedIndex_.emplace(buildBlockingIndex(settings_.blocking, clkBits_, source.records));
    cachedIndexRecords_ = source.records.data();
    cachedIndexSize_ = source.records.size();
  }
  return *cachedIndex_;
}

}  // namespace nser::linkage
