#include "linkage/entity_clustering.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <unordered_set>
#include <utility>

namespace nser::linkage {

void ClusteringOptions::validate(std::size_t sourceCount) const {
  if (!std::isfinite(threshold)) throw ClusteringConfigError("clustering options: threshold: must be a finite number");
  if (!(minLinkShare >= 0.0 && minLinkShare <= 1.0)) {
    throw ClusteringConfigError("clustering options: minLinkShare: must be between 0 and 1, got " +
                                std::to_string(minLinkShare));
  }
  for (std::uint32_t source : deduplicateSources) {
    if (source >= sourceCount) {
      throw ClusteringConfigError("clustering options: deduplicateSources: source " + std::to_string(source) +
                                  " out of range (" + std::to_string(sourceCount) + " sources)");
    }
  }
}

namespace {

// Union-find over clusters with, per root, its size, a circular list of its
// members (to scan them without a per-cluster container) and the set of
// non-de-duplicated sources it holds as a bit set.
class ClusterForest {
 public:
  ClusterForest(std::span<const std::uint32_t> nodeSource, const std::vector<bool>& deduplicate)
      : parent_(nodeSource.size()), size_(nodeSource.size(), 1), next_(nodeSource.size()) {
    std::uint32_t maxSource = 0;
    for (std::uint32_t s : nodeSource) maxSource = std::max(maxSource, s);
    words_ = nodeSource.empty() ? 1 : maxSource / 64 + 1;
    sourceBits_.assign(nodeSource.size() * words_, 0);
    for (std::uint32_t i = 0; i < nodeSource.size(); ++i) {
      parent_[i] = i;
      next_[i] = i;
      const std::uint32_t s = nodeSource[i];
      const bool repeats = s < deduplicate.size() && deduplicate[s];
      if (!repeats) sourceBits_[std::size_t{i} * words_ + s / 64] |= std::uint64_t{1} << (s % 64);
    }
  }

  std::uint32_t find(std::uint32_t x) {
    while (parent_[x] != x) {
      parent_[x] = parent_[parent_[x]];  // path halving
      x = parent_[x];
    }
    return x;
  }

  std::uint32_t size(std::uint32_t root) const { return size_[root]; }
  std::uint32_t next(std::uint32_t node) const { return next_[node]; }

  bool sharesSource(std::uint32_t a, std::uint32_t b) const {
    const std::uint64_t* wa = &sourceBits_[std::size_t{a} * words_];
    const std::uint64_t* wb = &sourceBits_[std::size_t{b} * words_];
    for (std::size_t w = 0; w < words_; ++w) {
      if ((wa[w] & wb[w]) != 0) return true;
    }
    return false;
  }

  // Merges two roots; the larger cluster's root survives (ties: smaller id).
  void merge(std::uint32_t a, std::uint32_t b) {
    if (size_[a] < size_[b] || (size_[a] == size_[b] && b < a)) std::swap(a, b);
    parent_[b] = a;
    size_[a] += size_[b];
    std::swap(next_[a], next_[b]);  // splices the two circular member lists
    for (std::size_t w = 0; w < words_; ++w) sourceBits_[std::size_t{a} * words_ + w] |= sourceBits_[std::size_t{b} * words_ + w];
  }

 private:
  std::vector<std::uint32_t> parent_;
  std::vector<std::uint32_t> size_;
  std::vector<std::uint32_t> next_;
  std::size_t words_ = 1;
  std::vector<std::uint64_t> sourceBits_;
};

// A rejected pair of cluster states. A root only changes by growing, so
// (root, size) names a cluster state exactly; the same pair of states always
// gets the same answer and need not be counted twice.
struct RejectedPair {
  std::uint32_t rootA, sizeA, rootB, sizeB;
  bool operator==(const RejectedPair&) const = default;
};
struct RejectedPairHash {
  std::size_t operator()(const RejectedPair& p) const noexcept {
    std::uint64_t h = (std::uint64_t{p.rootA} << 32 | p.sizeA) * 0x9E3779B97F4A7C15ull;
    h ^= (std::uint64_t{p.rootB} << 32 | p.sizeB) + 0x7F4A7C159E3779B9ull + (h << 6) + (h >> 2);
    return static_cast<std::size_t>(h);
  }
};

std::uint64_t linksNeeded(double minLinkShare, std::uint64_t sizeA, std::uint64_t sizeB) {
  const double product = minLinkShare * static_cast<double>(sizeA) * static_cast<double>(sizeB);
  // The small tolerance keeps 0.3 * 10 (= 3.0000000000000004) at 3.
  const double needed = std::ceil(product - 1e-9 * std::max(1.0, product));
  return std::max<std::uint64_t>(1, static_cast<std::uint64_t>(needed));
}

}  // namespace

std::vector<std::uint32_t> clusterDenseGraph(std::span<const std::uint32_t> nodeSource, std::vector<DenseEdge> edges,
                                             const std::vector<bool>& deduplicate, double minLinkShare,
                                             ClusteringStats* stats) {
  const std::size_t n = nodeSource.size();
  ClusteringStats local;
  ClusteringStats& st = stats != nullptr ? *stats : local;

  // Canonical orientation, then drop duplicates keeping the highest score.
  for (DenseEdge& e : edges) {
    if (e.v < e.u) std::swap(e.u, e.v);
  }
  std::sort(edges.begin(), edges.end(), [](const DenseEdge& x, const DenseEdge& y) {
    if (x.u != y.u) return x.u < y.u;
    if (x.v != y.v) return x.v < y.v;
    return x.score > y.score;
  });
  const auto last = std::unique(edges.begin(), edges.end(),
                                [](const DenseEdge& x, const DenseEdge& y) { return x.u == y.u && x.v == y.v; });
  st.pairsDuplicate += static_cast<std::uint64_t>(edges.end() - last);
  edges.erase(last, edges.end());
  edges.shrink_to_fit();

  // Adjacency in compressed rows: the support check scans a cluster's members' neighbours.
  std::vector<std::uint64_t> rowStart(n + 1, 0);
  for (const DenseEdge& e : edges) {
    ++rowStart[e.u + 1];
    ++rowStart[e.v + 1];
  }
  for (std::size_t i = 0; i < n; ++i) rowStart[i + 1] += rowStart[i];
  std::vector<std::uint32_t> neighbours(rowStart[n]);
  {
    std::vector<std::uint64_t> fill(rowStart.begin(), rowStart.end() - 1);
    for (const DenseEdge& e : edges) {
      neighbours[fill[e.u]++] = e.v;
      neighbours[fill[e.v]++] = e.u;
    }
  }

  // Strongest evidence first; ties by node ids for determinism.
  std::sort(edges.begin(), edges.end(), [](const DenseEdge& x, const DenseEdge& y) {
    if (x.score != y.score) return x.score > y.score;
    if (x.u != y.u) return x.u < y.u;
    return x.v < y.v;
  });

  ClusterForest forest(nodeSource, deduplicate);
  std::unordered_set<RejectedPair, RejectedPairHash> rejected;

  for (const DenseEdge& e : edges) {
    std::uint32_t ra = forest.find(e.u);
    std::uint32_t rb = forest.find(e.v);
    if (ra == rb) continue;
    if (forest.sharesSource(ra, rb)) {
      ++st.mergesRejectedBySource;
      continue;
    }
    const std::uint64_t needed = linksNeeded(minLinkShare, forest.size(ra), forest.size(rb));
    if (needed > 1) {
      if (rb < ra) std::swap(ra, rb);
      const RejectedPair key{ra, forest.size(ra), rb, forest.size(rb)};
      if (rejected.count(key) != 0) {
        ++st.mergesRejectedBySupport;
        continue;
      }
      // Count distinct linking pairs by scanning the smaller cluster's members.
      const std::uint32_t small = forest.size(ra) <= forest.size(rb) ? ra : rb;
      const std::uint32_t other = small == ra ? rb : ra;
      std::uint64_t links = 0;
      std::uint32_t member = small;
      do {
        for (std::uint64_t k = rowStart[member]; k < rowStart[member + 1] && links < needed; ++k) {
          if (forest.find(neighbours[k]) == other) ++links;
        }
        member = forest.next(member);
      } while (member != small && links < needed);
      if (links < needed) {
        rejected.insert(key);
        ++st.mergesRejectedBySupport;
        continue;
      }
    }
    forest.merge(ra, rb);
    ++st.mergesAccepted;
  }

  // Label each node with the smallest node of its cluster.
  std::vector<std::uint32_t> label(n);
  std::vector<std::uint32_t> smallestOfRoot(n, std::numeric_limits<std::uint32_t>::max());
  for (std::uint32_t i = 0; i < n; ++i) {
    const std::uint32_t root = forest.find(i);
    if (smallestOfRoot[root] == std::numeric_limits<std::uint32_t>::max()) smallestOfRoot[root] = i;
    label[i] = smallestOfRoot[root];
  }
  return label;
}

EntityClusterer::EntityClusterer(std::vector<std::uint64_t> recordsPerSource, ClusteringOptions options)
    : options_(std::move(options)) {
  options_.validate(recordsPerSource.size());
  offsets_.assign(recordsPerSource.size() + 1, 0);
  for (std::size_t s = 0; s < recordsPerSource.size(); ++s) {
    offsets_[s + 1] = offsets_[s] + recordsPerSource[s];
    if (offsets_[s + 1] >= std::numeric_limits<std::uint32_t>::max()) {
      throw ClusteringConfigError("clustering: more than 4294967294 records in total are not supported");
    }
  }
  nodeSource_.resize(offsets_.back());
  for (std::size_t s = 0; s < recordsPerSource.size(); ++s) {
    std::fill(nodeSource_.begin() + static_cast<std::ptrdiff_t>(offsets_[s]),
              nodeSource_.begin() + static_cast<std::ptrdiff_t>(offsets_[s + 1]), static_cast<std::uint32_t>(s));
  }
  deduplicate_.assign(recordsPerSource.size(), false);
  for (std::uint32_t s : options_.deduplicateSources) deduplicate_[s] = true;
}

PairStatus EntityClusterer::addPair(RecordRef a, RecordRef b, double score) {
  ++stats_.pairsOffered;
  const std::size_t sources = offsets_.size() - 1;
  const auto inRange = [&](RecordRef r) {
    return r.source < sources && r.record < offsets_[r.source + 1] - offsets_[r.source];
  };
  if (!inRange(a) || !inRange(b) || a == b || std::isnan(score)) {
    ++stats_.pairsInvalid;
    return PairStatus::Invalid;
  }
  if (score < options_.threshold) {
    ++stats_.pairsBelowThreshold;
    return PairStatus::BelowThreshold;
  }
  if (a.source == b.source && !deduplicate_[a.source]) {
    ++stats_.pairsWithinSource;
    return PairStatus::WithinSource;
  }
  edges_.push_back({static_cast<std::uint32_t>(offsets_[a.source] + a.record),
                    static_cast<std::uint32_t>(offsets_[b.source] + b.record), score});
  return PairStatus::Kept;
}

Clustering EntityClusterer::cluster() {
  Clustering result;
  result.stats = stats_;
  const std::size_t offered = edges_.size();
  const std::vector<std::uint32_t> label =
      clusterDenseGraph(nodeSource_, std::move(edges_), deduplicate_, options_.minLinkShare, &result.stats);
  edges_ = {};
  result.stats.pairsKept = offered - result.stats.pairsDuplicate;
  result.sourceOffsets = offsets_;
  result.entityOf.resize(label.size());
  // label[i] <= i, so the entity of a cluster's smallest node is known first.
  for (std::size_t i = 0; i < label.size(); ++i) {
    result.entityOf[i] = label[i] == i ? result.entityCount++ : result.entityOf[label[i]];
  }
  return result;
}

std::vector<std::vector<RecordRef>> Clustering::members() const {
  std::vector<std::vector<RecordRef>> out(entityCount);
  for (std::uint32_t s = 0; s + 1 < sourceOffsets.size(); ++s) {
    for (std::uint64_t r = 0; r < sourceOffsets[s + 1] - sourceOffsets[s]; ++r) {
      out[entityOf[sourceOffsets[s] + r]].push_back({s, r});
    }
  }
  return out;
}

Clustering clusterEntities(std::vector<std::uint64_t> recordsPerSource, std::span<const ScoredPair> pairs,
                           const ClusteringOptions& options) {
  EntityClusterer clusterer(std::move(recordsPerSource), options);
  for (const ScoredPair& pair : pairs) clusterer.addPair(pair.a, pair.b, pair.score);
  return clusterer.cluster();
}

}  // namespace nser::linkage
