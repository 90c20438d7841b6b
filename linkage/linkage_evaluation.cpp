#include "linkage/linkage_evaluation.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <utility>

#include "linkage/csv_reader.h"

namespace nser::linkage {

namespace {

double ratio(std::uint64_t numerator, std::uint64_t denominator) {
  return denominator == 0 ? 1.0 : static_cast<double>(numerator) / static_cast<double>(denominator);
}

double harmonicMean(double p, double r) { return p + r == 0.0 ? 0.0 : 2.0 * p * r / (p + r); }

std::uint64_t pairsAmong(std::uint64_t n) { return n * (n - (n > 0 ? 1 : 0)) / 2; }

[[noreturn]] void fail(const std::string& path, std::uint64_t line, const std::string& reason) {
  throw EvaluationInputError(path + ":" + std::to_string(line) + ": " + reason);
}

// Opens a CSV file and finds the required columns in its header.
struct CsvFile {
  CsvFile(const std::string& filePath, std::initializer_list<std::string_view> required) : path(filePath), in(filePath) {
    if (!in) throw EvaluationInputError(path + ": cannot open file");
    std::vector<std::string> header;
    const CsvStatus status = reader.next(header);
    if (status == CsvStatus::End) throw EvaluationInputError(path + ": empty file (expected a header row)");
    if (status == CsvStatus::Malformed) fail(path, reader.lineNumber(), reader.reason());
    const CsvHeader columns(std::move(header));
    width = columns.size();
    for (std::string_view name : required) {
      const auto index = columns.find(name);
      if (!index) fail(path, 1, "header has no column '" + std::string(name) + "'");
      column.push_back(*index);
    }
  }

  // Next data row, or false at the end; a malformed or short row throws.
  bool next() {
    const CsvStatus status = reader.next(fields);
    if (status == CsvStatus::End) return false;
    if (status == CsvStatus::Malformed) fail(path, reader.lineNumber(), reader.reason());
    if (fields.size() != width) {
      fail(path, reader.lineNumber(),
           "expected " + std::to_string(width) + " fields, found " + std::to_string(fields.size()));
    }
    return true;
  }
  const std::string& field(std::size_t required) const { return fields[column[required]]; }
  std::uint64_t line() const { return reader.lineNumber(); }

  std::string path;
  std::ifstream in;
  CsvReader reader{in};
  std::size_t width = 0;
  std::vector<std::size_t> column;
  std::vector<std::string> fields;
};

}  // namespace

double PairwiseMetrics::precision() const { return ratio(truePositives, truePositives + falsePositives); }
double PairwiseMetrics::recall() const { return ratio(truePositives, truePositives + falseNegatives); }
double PairwiseMetrics::f1() const { return harmonicMean(precision(), recall()); }
double BCubedMetrics::f1() const { return harmonicMean(precision, recall); }

PartitionEvaluation evaluatePartition(std::span<const std::uint64_t> predicted, std::span<const std::uint64_t> truth) {
  if (predicted.size() != truth.size()) throw std::invalid_argument("evaluatePartition: label spans differ in length");
  PartitionEvaluation result;
  result.records = predicted.size();
  std::unordered_map<std::uint64_t, std::uint64_t> entitySize;
  std::unordered_map<std::uint64_t, std::uint64_t> personSize;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> cells(predicted.size());
  for (std::size_t i = 0; i < predicted.size(); ++i) {
    ++entitySize[predicted[i]];
    ++personSize[truth[i]];
    cells[i] = {predicted[i], truth[i]};
  }
  result.predictedEntities = entitySize.size();
  result.trueEntities = personSize.size();
  std::sort(cells.begin(), cells.end());

  // Each run of equal (entity, person) is one cell of the contingency table.
  std::uint64_t together = 0;
  double bcubedPrecision = 0.0;
  double bcubedRecall = 0.0;
  for (std::size_t i = 0; i < cells.size();) {
    std::size_t j = i;
    while (j < cells.size() && cells[j] == cells[i]) ++j;
    const auto n = static_cast<std::uint64_t>(j - i);
    together += pairsAmong(n);
    const double squared = static_cast<double>(n) * static_cast<double>(n);
    bcubedPrecision += squared / static_cast<double>(entitySize[cells[i].first]);
    bcubedRecall += squared / static_cast<double>(personSize[cells[i].second]);
    i = j;
  }
  std::uint64_t predictedPairs = 0;
  for (const auto& [entity, size] : entitySize) predictedPairs += pairsAmong(size);
  std::uint64_t truePairs = 0;
  for (const auto& [person, size] : personSize) truePairs += pairsAmong(size);
  result.pairwise = {together, predictedPairs - together, truePairs - together};
  if (result.records > 0) {
    result.bcubed.precision = bcubedPrecision / static_cast<double>(result.records);
    result.bcubed.recall = bcubedRecall / static_cast<double>(result.records);
  }
  return result;
}

// ---- TruthIndex ----

bool TruthIndex::add(std::string_view source, std::string_view recordId, std::string_view personId) {
  auto sourceIt = sources_.find(source);
  if (sourceIt == sources_.end()) {
    sourceIt = sources_.emplace(std::string(source), sources_.size()).first;
    recordsBySource_.emplace_back();
  }
  const auto sourceIndex = static_cast<std::uint32_t>(sourceIt->second);
  StringIndex& records = recordsBySource_[sourceIndex];
  if (records.find(recordId) != records.end()) return false;
  records.emplace(std::string(recordId), personOf_.size());
  auto personIt = persons_.find(personId);
  if (personIt == persons_.end()) personIt = persons_.emplace(std::string(personId), persons_.size()).first;
  personOf_.push_back(personIt->second);
  sourceOf_.push_back(sourceIndex);
  return true;
}

std::optional<std::uint32_t> TruthIndex::sourceIndex(std::string_view source) const {
  const auto it = sources_.find(source);
  if (it == sources_.end()) return std::nullopt;
  return static_cast<std::uint32_t>(it->second);
}

std::optional<std::uint64_t> TruthIndex::find(std::uint32_t source, std::string_view recordId) const {
  if (source >= recordsBySource_.size()) return std::nullopt;
  const auto it = recordsBySource_[source].find(recordId);
  if (it == recordsBySource_[source].end()) return std::nullopt;
  return it->second;
}

TruthIndex TruthIndex::load(const std::string& path) {
  CsvFile file(path, {"source", "rec_id", "person_id"});
  TruthIndex truth;
  while (file.next()) {
    if (file.field(0).empty() || file.field(1).empty() || file.field(2).empty()) {
      fail(path, file.line(), "source, rec_id and person_id must not be empty");
    }
    if (!truth.add(file.field(0), file.field(1), file.field(2))) {
      fail(path, file.line(), "duplicate record (the same source and rec_id appear earlier)");
    }
  }
  return truth;
}

// ---- PairListEvaluator ----

PairListEvaluator::PairListEvaluator(const TruthIndex& truth, std::string_view sourceA, std::string_view sourceB)
    : truth_(truth) {
  const auto a = truth.sourceIndex(sourceA);
  const auto b = truth.sourceIndex(sourceB);
  if (!a) throw EvaluationInputError("source '" + std::string(sourceA) + "' has no record in the truth file");
  if (!b) throw EvaluationInputError("source '" + std::string(sourceB) + "' has no record in the truth file");
  sourceA_ = *a;
  sourceB_ = *b;
  // True pairs: per person, records in A times records in B (or pairs within A).
  std::vector<std::uint64_t> inA(truth.personCount(), 0);
  std::vector<std::uint64_t> inB(truth.personCount(), 0);
  for (std::uint64_t r = 0; r < truth.size(); ++r) {
    if (truth.sourceOf(r) == sourceA_) ++inA[truth.personOf(r)];
    if (truth.sourceOf(r) == sourceB_) ++inB[truth.personOf(r)];
  }
  for (std::uint64_t p = 0; p < inA.size(); ++p) truePairs_ += sourceA_ == sourceB_ ? pairsAmong(inA[p]) : inA[p] * inB[p];
}

PairOutcome PairListEvaluator::add(std::string_view aId, std::string_view bId) {
  const auto a = truth_.find(sourceA_, aId);
  if (!a) return PairOutcome::UnknownA;
  const auto b = truth_.find(sourceB_, bId);
  if (!b) return PairOutcome::UnknownB;
  if (*a == *b) return PairOutcome::SelfPair;
  // Unordered when both ids are of one source.
  pairs_.emplace_back(sourceA_ == sourceB_ ? std::min(*a, *b) : *a, sourceA_ == sourceB_ ? std::max(*a, *b) : *b);
  return PairOutcome::Counted;
}

PairwiseMetrics PairListEvaluator::finish() {
  std::sort(pairs_.begin(), pairs_.end());
  pairs_.erase(std::unique(pairs_.begin(), pairs_.end()), pairs_.end());
  PairwiseMetrics metrics;
  for (const auto& [a, b] : pairs_) {
    if (truth_.personOf(a) == truth_.personOf(b)) {
      ++metrics.truePositives;
    } else {
      ++metrics.falsePositives;
    }
  }
  metrics.falseNegatives = truePairs_ - metrics.truePositives;
  return metrics;
}

// ---- ClusterEvaluator ----

ClusterEvaluator::ClusterEvaluator(const TruthIndex& truth)
    : truth_(truth), entityOf_(truth.size(), kUnassigned), sourceSeen_(truth.sourceCount(), false) {}

AssignmentOutcome ClusterEvaluator::add(std::string_view source, std::string_view recordId, std::string_view entityId) {
  const auto s = truth_.sourceIndex(source);
  if (!s) return AssignmentOutcome::UnknownSource;
  const auto record = truth_.find(*s, recordId);
  if (!record) return AssignmentOutcome::UnknownRecord;
  if (entityOf_[*record] != kUnassigned) return AssignmentOutcome::Duplicate;
  auto it = entities_.find(entityId);
  if (it == entities_.end()) it = entities_.emplace(std::string(entityId), entities_.size()).first;
  entityOf_[*record] = it->second;
  sourceSeen_[*s] = true;
  return AssignmentOutcome::Counted;
}

std::uint64_t ClusterEvaluator::recordsNotAssigned() const {
  std::uint64_t count = 0;
  for (std::uint64_t r = 0; r < truth_.size(); ++r) {
    if (sourceSeen_[truth_.sourceOf(r)] && entityOf_[r] == kUnassigned) ++count;
  }
  return count;
}

PartitionEvaluation ClusterEvaluator::finish() const {
  std::vector<std::uint64_t> predicted;
  std::vector<std::uint64_t> truth;
  std::uint64_t singleton = entities_.size();  // fresh labels for unmentioned records
  for (std::uint64_t r = 0; r < truth_.size(); ++r) {
    if (!sourceSeen_[truth_.sourceOf(r)]) continue;
    predicted.push_back(entityOf_[r] != kUnassigned ? entityOf_[r] : singleton++);
    truth.push_back(truth_.personOf(r));
  }
  return evaluatePartition(predicted, truth);
}

// ---- Files ----

PairFileEvaluation evaluatePairsFile(const TruthIndex& truth, const std::string& path, std::string_view sourceA,
                                     std::string_view sourceB, std::optional<double> minScore) {
  CsvFile file(path, {"a_id", "b_id", "score"});
  PairListEvaluator evaluator(truth, sourceA, sourceB);
  PairFileEvaluation result;
  while (file.next()) {
    ++result.rows;
    const std::string& scoreText = file.field(2);
    double score = 0.0;
    const auto [end, error] = std::from_chars(scoreText.data(), scoreText.data() + scoreText.size(), score);
    if (error != std::errc() || end != scoreText.data() + scoreText.size() || std::isnan(score)) {
      fail(path, file.line(), "score is not a number");
    }
    if (minScore && score < *minScore) {
      ++result.rowsBelowThreshold;
      continue;
    }
    switch (evaluator.add(file.field(0), file.field(1))) {
      case PairOutcome::Counted:
        break;
      case PairOutcome::UnknownA:
        fail(path, file.line(), "a_id is not a record of source '" + std::string(sourceA) + "' in the truth file");
      case PairOutcome::UnknownB:
        fail(path, file.line(), "b_id is not a record of source '" + std::string(sourceB) + "' in the truth file");
      case PairOutcome::SelfPair:
        fail(path, file.line(), "a_id and b_id name the same record");
    }
  }
  result.metrics = evaluator.finish();
  result.distinctPredictedPairs = evaluator.distinctPredictedPairs();
  result.truePairs = evaluator.truePairs();
  return result;
}

ClusterFileEvaluation evaluateClustersFile(const TruthIndex& truth, const std::string& path) {
  CsvFile file(path, {"source", "rec_id", "entity_id"});
  ClusterEvaluator evaluator(truth);
  ClusterFileEvaluation result;
  while (file.next()) {
    ++result.rows;
    if (file.field(2).empty()) fail(path, file.line(), "entity_id is empty");
    switch (evaluator.add(file.field(0), file.field(1), file.field(2))) {
      case AssignmentOutcome::Counted:
        break;
      case AssignmentOutcome::UnknownSource:
        fail(path, file.line(), "source has no record in the truth file");
      case AssignmentOutcome::UnknownRecord:
        fail(path, file.line(), "rec_id is not a record of its source in the truth file");
      case AssignmentOutcome::Duplicate:
        fail(path, file.line(), "record listed twice");
    }
  }
  result.evaluation = evaluator.finish();
  result.recordsNotAssigned = evaluator.recordsNotAssigned();
  return result;
}

}  // namespace nser::linkage
