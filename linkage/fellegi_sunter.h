// Fellegi-Sunter scoring of candidate pairs over the comparison levels of
// comparison_vector.h: the model, its training (u from random pairs, m and
// lambda by EM), term-frequency adjustment, per-pair explanation, the JSON
// document (schemas/linkage-model.md) and threshold guidance.
// docs/fellegi-sunter.md explains the method and every choice made here.
//
//   match weight = log2(lambda / (1 - lambda)) + sum_c log2(m_c[l_c] / u_c[l_c])
//   match probability = 2^w / (1 + 2^w)
//
// The null level of a comparison (a missing value) contributes 0. Every m, u
// and lambda is kept in [kMinProbability, kMaxProbability] so no weight is
// infinite and EM cannot collapse a level to probability 0 or 1.
//
// Errors: bad parameters or training input throw FellegiSunterError; a bad
// model document throws schemas::DocumentError naming the key path. Scoring
// (matchWeight) allocates nothing and never throws. A model is immutable once
// its fields are bound and safe to share between threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "linkage/comparison_vector.h"
#include "linkage/encoded_record.h"
#include "linkage/token_frequency.h"
#include "schemas/json_document.h"

namespace nser::linkage {

class FellegiSunterError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The clamp range of every probability (m, u, lambda).
inline constexpr double kMinProbability = 1e-6;
inline constexpr double kMaxProbability = 1.0 - 1e-6;

inline constexpr const char* kLinkageModelFormat = "nser-linkage-model";
inline constexpr int kLinkageModelVersion = 1;

// m and u of every level of every comparison, indexed [comparison][level]
// with ComparisonSettings' level indices. Index 0 (the null level) is
// neutral, m = u = 1: it adds 0 to a weight and a factor 1 to a likelihood.
struct FellegiSunterParameters {
  double lambda = 0.5;  // prior proportion of matches among candidate pairs
  std::vector<std::vector<double>> m;
  std::vector<std::vector<double>> u;
};

// Term-frequency adjustment (Splink-style): when a comparison agrees at a
// level marked term_frequency, the level's u is replaced by the frequency of
// the agreeing token among the records (the rarest one when several agree),
// clamped to [minU, maxU]. The floor stops a value seen once in a small set
// from giving an outsized weight; the cap stops a value most records share
// from turning agreement into evidence against a match. A token the table has
// never seen keeps the level's u.
struct TermFrequencyBounds {
  double minU = 1e-6;
  double maxU = 0.5;
};

struct USampleReport {
  std::uint64_t seed = 0;
  std::uint64_t pairs = 0;  // random pairs compared
  // false: every u from the random pairs ("random_pairs"). true: the anchor
  // comparison's u from the random pairs, every other comparison's u from
  // the candidate pairs whose anchor is at its else level
  // ("candidates_anchor_disagree"; TrainingOptions::uFromCandidates).
  bool fromCandidates = false;
  std::uint64_t candidatePairs = 0;  // candidate pairs that u came from (fromCandidates)
};

// Honest EM convergence: `converged` is true only when the change of the mean
// per-pair log-likelihood over an iteration fell below `tolerance` within
// `maxIterations`; otherwise the parameters are those of the last iteration.
struct EmReport {
  int iterations = 0;                    // M-steps performed
  int maxIterations = 0;
  double tolerance = 0.0;                // on the mean per-pair log-likelihood change
  double finalLogLikelihood = 0.0;       // total over the pairs, natural log, of the final parameters
  double finalLogLikelihoodChange = 0.0; // mean per pair, over the last iteration (NaN if none ran)
  bool converged = false;
  std::uint64_t pairs = 0;               // candidate pairs (comparison vectors) trained on
  bool updateU = false;
};

struct TrainingReport {
  std::optional<USampleReport> u;
  std::optional<EmReport> em;
};

// One comparison's part of a pair's weight.
struct WeightContribution {
  std::string comparison;
  std::string level;
  std::uint8_t levelIndex = 0;
  double m = 1.0;
  double u = 1.0;  // the term-frequency u when adjusted
  double weight = 0.0;
  bool termFrequencyAdjusted = false;
};

// A pair's weight as a waterfall: prior, then each comparison in order.
// matchWeight is prior + contributions summed in that order, the same sum
// (bit for bit) as FellegiSunterModel::matchWeight.
struct MatchExplanation {
  double lambda = 0.0;
  double priorWeight = 0.0;
  std::vector<WeightContribution> contributions;
  double matchWeight = 0.0;
  double matchProbability = 0.0;

  // A fixed-width table: one line per step with the running total.
  std::string format() const;
};

class FellegiSunterModel {
 public:
  // Checks shapes (one m and u per level of each comparison) and ranges
  // (every probability in the clamp range); throws FellegiSunterError.
  FellegiSunterModel(ComparisonSettings comparisons, FellegiSunterParameters parameters,
                     TermFrequencyBounds termFrequency = {}, TrainingReport training = {});

  // Reads a model document (schemas/linkage-model.md); DocumentError names
  // the key path. Fields are not bound yet.
  static FellegiSunterModel fromJson(const schemas::JsonNode& root);
  static FellegiSunterModel loadFile(const std::string& path);
  // The model document; doubles are written so they parse back bit-identical.
  std::string toJson() const;

  // Binds the field_dice comparisons to an encoding's fields (see
  // ComparisonSettings::bindFields). Call before scoring records.
  void bindFields(std::span<const std::string> fieldNames) { comparisons_.bindFields(fieldNames); }

  const ComparisonSettings& comparisons() const { return comparisons_; }
  const FellegiSunterParameters& parameters() const { return parameters_; }
  const TermFrequencyBounds& termFrequency() const { return termFrequency_; }
  const TrainingReport& training() const { return training_; }
  // Token kinds used by levels with term-frequency adjustment (what a
  // TokenFrequencyTable for this model must count).
  std::vector<TokenKind> termFrequencyKinds() const;

  double priorWeight() const { return priorWeight_; }
  // log2(m/u) of a level; 0 for the null level.
  double levelWeight(std::size_t comparison, std::uint8_t level) const { return weights_[comparison][level]; }

  // Weight of a comparison vector, without term-frequency adjustment.
  double matchWeight(std::span<const std::uint8_t> levels) const;
  // Weight of a pair; adjusted for term frequency when `frequencies` is given.
  double matchWeight(const EncodedRecord& a, const EncodedRecord& b,
                     const TokenFrequencyTable* frequencies = nullptr) const;
  MatchExplanation explain(const EncodedRecord& a, const EncodedRecord& b,
                           const TokenFrequencyTable* frequencies = nullptr) const;

  static double probability(double matchWeight);

 private:
  // The weight of comparison c at `level` for this pair (TF-adjusted when
  // applicable); `u` receives the u used.
  double contribution(std::size_t c, std::uint8_t level, const EncodedRecord& a, const EncodedRecord& b,
                      const TokenFrequencyTable* frequencies, double& u, bool& adjusted) const;

  ComparisonSettings comparisons_;
  FellegiSunterParameters parameters_;
  TermFrequencyBounds termFrequency_;
  TrainingReport training_;
  double priorWeight_ = 0.0;
  std::vector<std::vector<double>> weights_;  // log2(m/u) per level
  std::vector<std::vector<double>> log2M_;    // log2(m) per level, for TF adjustment
};

// ---- Training --------------------------------------------------------------

struct USampleOptions {
  std::uint64_t pairs = 1'000'000;
  std::uint64_t seed = 1;
};

// u[c][level] = share of random pairs at `level` among the sampled pairs where
// comparison c is not null, clamped; u[c][0] = 1. Pairs (left[i], right[j])
// are drawn uniformly with a splitmix64 stream from `seed` (deterministic on
// every platform); when `left` and `right` are the same span (de-duplication),
// i != j. Throws FellegiSunterError when no pair can be drawn.
std::vector<std::vector<double>> estimateUFromRandomPairs(const ComparisonSettings& comparisons,
                                                          std::span<const EncodedRecord> left,
                                                          std::span<const EncodedRecord> right,
                                                          const USampleOptions& options,
                                                          USampleReport* report = nullptr);

// EM's starting point: the given u and lambda; m of declared level k (1-based)
// proportional to 4^-(k-1), i.e. most mass on the first (strongest) level.
FellegiSunterParameters initialParameters(std::span<const std::size_t> levelCounts,
                                          std::vector<std::vector<double>> u, double lambda);

struct EmOptions {
  int maxIterations = 200;
  double tolerance = 1e-9;  // on the mean per-pair log-likelihood change
  // false: u stays as given (from random pairs; the usual choice, it also
  // anchors which mixture component is "match"). true: u is re-estimated from
  // the non-match posteriors too.
  bool updateU = false;
};

struct EmResult {
  FellegiSunterParameters parameters;
  EmReport report;
};

// EM for the two-class conditional-independence mixture over the vectors
// (null levels are treated as missing). Identical vectors are grouped first,
// so the cost per iteration is in distinct vectors, not pairs. Throws
// FellegiSunterError when `vectors` is empty or does not fit `start`.
EmResult estimateByEm(const ComparisonVectorSet& vectors, const FellegiSunterParameters& start,
                      const EmOptions& options);

struct TrainingOptions {
  USampleOptions u;
  EmOptions em;
  double initialLambda = 0.1;
  // Anchored training (anchoredEstimate): the comparison whose first declared
  // level marks near-certain matches, e.g. an exact CNIC token. Without an
  // anchor, m and lambda (and u when asked) come from plain EM, which on
  // blocked candidates can settle on another mode than "same person", such
  // as "same household" (members share phone, district, relation name).
  std::optional<std::size_t> anchorComparison;
  // With an anchor: estimate u of every comparison but the anchor on the
  // candidate pairs whose anchor disagrees (its else level: different CNICs,
  // nearly all non-matches) instead of on random pairs. Blocking selects
  // pairs that agree on names, districts and dates far more often than random
  // pairs do, so random-pair u makes every candidate look like a match and
  // pushes lambda towards 1; u measured on the candidates themselves is the
  // u the scored pairs actually face. Falls back to random-pair u for a
  // comparison with no such candidate pair.
  bool uFromCandidates = false;
  TermFrequencyBounds termFrequency;
};

// u from random pairs of left x right (then, with an anchor and
// uFromCandidates, from the candidates as described there), then EM on the
// candidate pairs' vectors (which must come from `comparisons`); the reports
// go in the model.
// Anchored estimation, in place of full EM: with u fixed (from random pairs),
//   1. m of every comparison but the anchor = smoothed level frequencies
//      among candidate pairs at the anchor's first level;
//   2. m of the anchor = its level frequencies among pairs the other
//      comparisons alone put at 2^10 : 1 or more;
//   3. lambda by EM with m and u held (lambda <- mean posterior), with the
//      same honest convergence report as full EM.
// u of every comparison but `anchor` = smoothed level frequencies among the
// candidate pairs whose anchor is at its else level (u[anchor] and the u of a
// comparison null in all of them are left as they are). Returns how many
// candidate pairs that was.
std::uint64_t candidateU(const ComparisonVectorSet& candidates, std::size_t anchor,
                         std::vector<std::vector<double>>& u);

EmReport anchoredEstimate(const ComparisonVectorSet& candidates, std::size_t anchor, const EmOptions& options,
                          FellegiSunterParameters& parameters);

FellegiSunterModel trainModel(ComparisonSettings comparisons, std::span<const EncodedRecord> left,
                              std::span<const EncodedRecord> right, const ComparisonVectorSet& candidates,
                              const TrainingOptions& options);

// ---- Threshold guidance ------------------------------------------------------

// Expected confusion counts at one match-weight threshold (pairs with weight
// >= threshold are called matches), from the model's own mixture: each pair
// counts as a match with its posterior probability.
struct ThresholdRow {
  double threshold = 0.0;          // match weight
  double probability = 0.0;        // the match probability at that weight
  std::uint64_t pairsAbove = 0;
  double expectedTruePositives = 0.0;
  double expectedFalsePositives = 0.0;
  double expectedFalseNegatives = 0.0;
  double precision = 0.0;          // NaN when no pair is above the threshold
  double recall = 0.0;             // of the matches among the candidate pairs
  double f1 = 0.0;                 // NaN when precision is
};

struct ThresholdGuidance {
  std::uint64_t pairs = 0;
  double expectedMatches = 0.0;    // sum of posteriors over all pairs
  std::vector<ThresholdRow> rows;  // ascending thresholds

  std::string format() const;
};

// Evaluates the given thresholds (sorted ascending in the result), or when
// `thresholds` is empty, whole-number weights spanning the observed range
// in at most 31 rows. Weights carry no term-frequency adjustment (vectors
// hold levels only). Recall is relative to the matches among the candidate
// pairs: pairs lost by blocking are not counted.
ThresholdGuidance thresholdGuidance(const FellegiSunterModel& model, const ComparisonVectorSet& vectors,
                                    std::span<const double> thresholds = {});

}  // namespace nser::linkage
