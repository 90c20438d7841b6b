#include "linkage/batch_linker.h"

#include <algorithm>
#include <atomic>
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
    BlockingIndex index = buildBlockingIndex(settings_.blocking, clkBits_, sources[t].records);
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

LinkResult BatchLinker::link(std::span<const LinkSource> sources, const FellegiSunterModel& model) {
  buildFrequencies(sources, &model);
  LinkResult result;
  result.counters.records = totalRecords(sources);
  std::vector<std::uint64_t> recordsPerSource;
  for (const auto& source : sources) recordsPerSource.push_back(source.records.size());

  std::vector<std::vector<ScoredPair>> kept(threads_);
  std::vector<std::uint64_t> compared(threads_, 0);
  for (std::size_t t = 1; t < sources.size(); ++t) {
    BlockingIndex index = buildBlockingIndex(settings_.blocking, clkBits_, sources[t].records);
    for (std::size_t s = 0; s < t; ++s) {
      CandidateSearchCounters counters = forEachCandidatePair(
          index, sources[s], [](std::uint32_t) { return true; },
          [&](unsigned thread, std::uint32_t q, std::span<const std::uint32_t> candidates) {
            const EncodedRecord& a = sources[s].records[q];
            for (std::uint32_t c : candidates) {
              const double probability =
                  FellegiSunterModel::probability(model.matchWeight(a, sources[t].records[c], &frequencies_));
              if (probability >= settings_.threshold) {
                kept[thread].push_back({{static_cast<std::uint32_t>(s), q}, {static_cast<std::uint32_t>(t), c}, probability});
              }
            }
            compared[thread] += candidates.size();
          });
      result.counters.candidatePairs += counters.candidates;
      result.counters.oversizeLookups += counters.oversizeLookups;
      result.counters.skippedMemberships += counters.skippedMemberships;
    }
    if (progress_) progress_("link", t, sources.size() - 1);
  }
  for (unsigned t = 0; t < threads_; ++t) {
    result.pairs.insert(result.pairs.end(), kept[t].begin(), kept[t].end());
    result.counters.comparisons += compared[t];
    std::vector<ScoredPair>().swap(kept[t]);
  }
  std::sort(result.pairs.begin(), result.pairs.end(), [](const ScoredPair& x, const ScoredPair& y) {
    return std::tie(x.a, x.b) < std::tie(y.a, y.b);
  });
  result.counters.pairsAboveThreshold = result.pairs.size();

  ClusteringOptions options;
  options.threshold = settings_.threshold;
  options.minLinkShare = settings_.minLinkShare;
  result.clustering = clusterEntities(recordsPerSource, result.pairs, options);
  return result;
}

}  // namespace nser::linkage
