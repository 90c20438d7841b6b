// Linkage quality against a truth mapping (record -> true person).
//
// Two measures:
//   - pairwise: a pair of records counts as predicted when the linkage put
//     them together (a listed pair, or the same entity) and as true when the
//     truth gives them the same person. TP, FP, FN over distinct unordered
//     pairs; precision = TP/(TP+FP), recall = TP/(TP+FN), F1 their harmonic
//     mean.
//   - B-cubed (partitions only): per record r, precision = |E(r) ∩ T(r)| /
//     |E(r)| and recall = |E(r) ∩ T(r)| / |T(r)|, averaged over records, where
//     E(r) is r's predicted entity and T(r) its true person.
// A ratio with a zero denominator is reported as 1 (nothing was claimed, or
// there was nothing to find); F1 is 0 when precision + recall is 0.
//
// Pair lists between two sources A and B are scored against the true
// cross-source pairs: sum over people of (#records in A) x (#records in B),
// or (#records choose 2) when A and B are the same source.
//
// Partitions (clusters.csv) are scored over every truth record of the sources
// that appear in the clusters: a record of such a source that the clusters
// do not mention is a single-record entity.
//
// Files (formats of `nser synth` and `nser link`, RFC 4180, columns found by
// header name, extra columns ignored):
//   truth.csv     source,rec_id,person_id[,household_id]
//   pairs.csv     a_id,b_id,score      (a_id in source A, b_id in source B)
//   clusters.csv  source,rec_id,entity_id
// The readers stream their input; memory grows with the number of truth
// records and of predicted pairs, nothing quadratic. A malformed row, an
// unknown record or a duplicate throws EvaluationInputError
// "<file>:<line>: <reason>" (no identifier value in the message).
// The in-memory evaluators report such rows as values instead.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace nser::linkage {

class EvaluationInputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct PairwiseMetrics {
  std::uint64_t truePositives = 0;
  std::uint64_t falsePositives = 0;
  std::uint64_t falseNegatives = 0;
  double precision() const;
  double recall() const;
  double f1() const;
};

struct BCubedMetrics {
  double precision = 1.0;
  double recall = 1.0;
  double f1() const;
};

struct PartitionEvaluation {
  PairwiseMetrics pairwise;
  BCubedMetrics bcubed;
  std::uint64_t records = 0;
  std::uint64_t predictedEntities = 0;
  std::uint64_t trueEntities = 0;
};

// Scores a predicted partition against the true one; predicted[i] and
// truth[i] are arbitrary labels of record i. The spans must be equally long.
PartitionEvaluation evaluatePartition(std::span<const std::uint64_t> predicted, std::span<const std::uint64_t> truth);

// Transparent hashing so lookups by string_view do not allocate.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};
using StringIndex = std::unordered_map<std::string, std::uint64_t, StringHash, std::equal_to<>>;

// The truth mapping: every record (source name, record id) -> person. Records
// are numbered densely in insertion order.
class TruthIndex {
 public:
  // Loads truth.csv; throws EvaluationInputError naming file and line.
  static TruthIndex load(const std::string& path);

  // False when the record is already present (the mapping is left unchanged).
  bool add(std::string_view source, std::string_view recordId, std::string_view personId);

  std::optional<std::uint32_t> sourceIndex(std::string_view source) const;
  // Dense index of a record, or empty when unknown.
  std::optional<std::uint64_t> find(std::uint32_t source, std::string_view recordId) const;
  std::uint64_t size() const { return personOf_.size(); }
  std::uint64_t personOf(std::uint64_t record) const { return personOf_[record]; }
  std::uint32_t sourceOf(std::uint64_t record) const { return sourceOf_[record]; }
  std::uint64_t personCount() const { return persons_.size(); }
  std::uint32_t sourceCount() const { return static_cast<std::uint32_t>(sources_.size()); }

 private:
  StringIndex sources_;
  StringIndex persons_;
  std::vector<StringIndex> recordsBySource_;
  std::vector<std::uint64_t> personOf_;
  std::vector<std::uint32_t> sourceOf_;
};

enum class PairOutcome { Counted, UnknownA, UnknownB, SelfPair };

// Scores a list of predicted pairs between source A and source B (they may
// be the same source: de-duplication). Duplicate pairs count once.
class PairListEvaluator {
 public:
  // Throws EvaluationInputError when a source has no record in the truth.
  PairListEvaluator(const TruthIndex& truth, std::string_view sourceA, std::string_view sourceB);
  PairOutcome add(std::string_view aId, std::string_view bId);
  // Distinct predicted pairs so far are scored; may be called again after more add()s.
  PairwiseMetrics finish();
  std::uint64_t truePairs() const { return truePairs_; }
  std::uint64_t distinctPredictedPairs() const { return pairs_.size(); }

 private:
  const TruthIndex& truth_;
  std::uint32_t sourceA_ = 0;
  std::uint32_t sourceB_ = 0;
  std::uint64_t truePairs_ = 0;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> pairs_;
};

enum class AssignmentOutcome { Counted, UnknownSource, UnknownRecord, Duplicate };

// Scores a partition given as (source, record id, entity id) rows.
class ClusterEvaluator {
 public:
  explicit ClusterEvaluator(const TruthIndex& truth);
  AssignmentOutcome add(std::string_view source, std::string_view recordId, std::string_view entityId);
  PartitionEvaluation finish() const;
  // Truth records of the clustered sources that no row named (scored as single-record entities).
  std::uint64_t recordsNotAssigned() const;

 private:
  static constexpr std::uint64_t kUnassigned = ~std::uint64_t{0};
  const TruthIndex& truth_;
  StringIndex entities_;
  std::vector<std::uint64_t> entityOf_;  // per truth record
  std::vector<bool> sourceSeen_;
};

struct PairFileEvaluation {
  PairwiseMetrics metrics;
  std::uint64_t rows = 0;
  std::uint64_t rowsBelowThreshold = 0;
  std::uint64_t distinctPredictedPairs = 0;
  std::uint64_t truePairs = 0;
};

// Reads pairs.csv; rows with a score below `minScore` (when given) are skipped.
PairFileEvaluation evaluatePairsFile(const TruthIndex& truth, const std::string& path, std::string_view sourceA,
                                     std::string_view sourceB, std::optional<double> minScore);

struct ClusterFileEvaluation {
  PartitionEvaluation evaluation;
  std::uint64_t rows = 0;
  std::uint64_t recordsNotAssigned = 0;
};

ClusterFileEvaluation evaluateClustersFile(const TruthIndex& truth, const std::string& path);

}  // namespace nser::linkage
