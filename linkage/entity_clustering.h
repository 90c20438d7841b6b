// Batch clustering of linked records into entities (docs/clustering.md).
//
// Input: records named by (source index, record index) and scored candidate
// pairs (a match weight or a match probability: any score where higher means
// "more likely the same person"). Output: one entity per record.
//
// The algorithm is a greedy best-link agglomeration that is stricter than
// connected components. Pairs below the threshold are dropped; the rest are
// processed in descending score (ties by record ids) and the clusters of the
// two records are merged only when
//   (a) the merged entity still holds at most one record of each source,
//       except for sources listed in `deduplicateSources`, and
//   (b) the merge is supported: the number of distinct linking pairs between
//       the two clusters is at least ceil(minLinkShare * |A| * |B|), so one
//       weak bridge between two strong clusters does not join them.
// Guarantees (proved in docs/clustering.md): every entity lies inside one
// connected component of the above-threshold graph; constraint (a) holds for
// every entity; the result depends only on the set of pairs, not on their
// order (duplicates keep their highest score); entity ids are dense and
// numbered in order of each entity's smallest record.
//
// Memory is linear in records and kept pairs (about 28 bytes per record and
// 24 per pair); time is O(P log P) for the sort plus the support checks,
// which scan the adjacency of the smaller cluster once per distinct pair of
// cluster states. No all-pairs structure is ever built.
//
// Error model: invalid options throw ClusteringConfigError; bad pairs (a
// record out of range, a pair of a record with itself, a score that is not a
// number) are reported as values by EntityClusterer::addPair and counted.
// Not thread-safe.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <stdexcept>
#include <vector>

namespace nser::linkage {

// A record of one source: `record` is its index within that source.
struct RecordRef {
  std::uint32_t source = 0;
  std::uint64_t record = 0;
  auto operator<=>(const RecordRef&) const = default;
};

struct RecordRefHash {
  std::size_t operator()(const RecordRef& ref) const noexcept {
    return std::hash<std::uint64_t>{}(ref.record * 0x9E3779B97F4A7C15ull ^ ref.source);
  }
};

struct ScoredPair {
  RecordRef a;
  RecordRef b;
  double score = 0.0;
};

class ClusteringConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ClusteringOptions {
  // Pairs scoring below this are ignored (a match weight or probability,
  // on the same scale as the scores).
  double threshold = 0.0;
  // Share of the |A|*|B| record pairs across two clusters that must be
  // linking pairs for the clusters to merge, in [0, 1]. At least one linking
  // pair is always needed. 0.5 keeps a lone bridge between two clusters of
  // two or more records from merging them, while three records linked by two
  // of their three pairs still form one entity.
  double minLinkShare = 0.5;
  // Sources whose records may share an entity (de-duplication within the
  // source). Every other source contributes at most one record per entity.
  std::vector<std::uint32_t> deduplicateSources;

  // Throws ClusteringConfigError naming the option when a value is invalid
  // for `sourceCount` sources.
  void validate(std::size_t sourceCount) const;
};

struct ClusteringStats {
  std::uint64_t pairsOffered = 0;
  std::uint64_t pairsBelowThreshold = 0;
  std::uint64_t pairsInvalid = 0;            // out of range, self pair, NaN
  std::uint64_t pairsWithinSource = 0;       // same source without de-duplication
  std::uint64_t pairsDuplicate = 0;          // the same two records again
  std::uint64_t pairsKept = 0;               // the graph that was clustered
  std::uint64_t mergesAccepted = 0;
  std::uint64_t mergesRejectedBySource = 0;  // would put two records of a source together
  std::uint64_t mergesRejectedBySupport = 0; // too few linking pairs (weak bridge)
};

// ---- Core algorithm on a dense graph (also used by IncrementalResolver). ----

struct DenseEdge {
  std::uint32_t u = 0;
  std::uint32_t v = 0;
  double score = 0.0;
};

// Clusters nodes 0..nodeSource.size()-1 (node i belongs to source
// nodeSource[i]) using `edges`, all of which must be at or above the
// threshold, valid, and not within a non-de-duplicated source; duplicates
// are allowed (the highest score is kept). `deduplicate[s]` is true when
// source s may repeat within an entity; sources beyond its size may not.
// Returns, for every node, the smallest node id of its cluster. Ties in score
// are broken by node ids, so callers that number nodes in RecordRef order get
// the same tie-breaking as the batch clusterer.
std::vector<std::uint32_t> clusterDenseGraph(std::span<const std::uint32_t> nodeSource, std::vector<DenseEdge> edges,
                                             const std::vector<bool>& deduplicate, double minLinkShare,
                                             ClusteringStats* stats = nullptr);

// ---- Batch front end. ----

struct Clustering {
  // entityOf[sourceOffsets[s] + r] is the entity of record r of source s;
  // entities are numbered 0..entityCount-1 in order of their smallest record.
  std::vector<std::uint64_t> sourceOffsets;  // size = sources + 1
  std::vector<std::uint32_t> entityOf;
  std::uint32_t entityCount = 0;
  ClusteringStats stats;

  std::uint32_t entityOfRecord(RecordRef record) const { return entityOf[sourceOffsets[record.source] + record.record]; }
  // The records of every entity, each list in RecordRef order.
  std::vector<std::vector<RecordRef>> members() const;
};

enum class PairStatus { Kept, BelowThreshold, WithinSource, Invalid };

class EntityClusterer {
 public:
  // recordsPerSource[s] = number of records of source s (indices 0..n-1).
  // Throws ClusteringConfigError on invalid options or more than 2^32-1
  // records in total.
  EntityClusterer(std::vector<std::uint64_t> recordsPerSource, ClusteringOptions options);

  // Streams one scored pair in; only kept pairs are stored.
  PairStatus addPair(RecordRef a, RecordRef b, double score);

  // Clusters every record (records without pairs become single-record
  // entities). The clusterer is spent afterwards.
  Clustering cluster();

 private:
  std::vector<std::uint64_t> offsets_;
  std::vector<std::uint32_t> nodeSource_;
  std::vector<bool> deduplicate_;
  ClusteringOptions options_;
  std::vector<DenseEdge> edges_;
  ClusteringStats stats_;
};

// Convenience: clusters `pairs` in one call.
Clustering clusterEntities(std::vector<std::uint64_t> recordsPerSource, std::span<const ScoredPair> pairs,
                           const ClusteringOptions& options);

}  // namespace nser::linkage
