#include "linkage/fellegi_sunter.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <algorithm>
#include <functional>
#include <cassert>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>
#include <string_view>
#include <unordered_map>

namespace nser::linkage {

namespace {

double clampProbability(double p) { return std::clamp(p, kMinProbability, kMaxProbability); }

bool inClampRange(double p) { return p >= kMinProbability && p <= kMaxProbability; }

// splitmix64: a tiny, well-mixed generator whose output is the same on every
// platform (std::uniform_int_distribution is not).
struct SplitMix64 {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n) up to a bias below n / 2^64 (negligible for record counts).
  std::uint64_t below(std::uint64_t n) { return next() % n; }
};

// Distinct comparison vectors with how many pairs have each: EM and the
// threshold table work per distinct vector, which is far fewer than pairs
// (a few levels per comparison, a handful of comparisons).
struct VectorPatterns {
  std::size_t width = 0;
  std::vector<std::uint8_t> levels;  // flat, width per pattern
  std::vector<std::uint64_t> counts;
  std::uint64_t total = 0;

  std::size_t size() const { return counts.size(); }
  const std::uint8_t* at(std::size_t i) const { return levels.data() + i * width; }
};

VectorPatterns groupVectors(const ComparisonVectorSet& vectors) {
  VectorPatterns patterns;
  patterns.width = vectors.width();
  std::unordered_map<std::string_view, std::size_t> index;
  const auto* data = reinterpret_cast<const char*>(vectors.levels().data());
  for (std::size_t i = 0; i < vectors.size(); ++i) {
    std::string_view key(data + i * patterns.width, patterns.width);
    auto [it, inserted] = index.try_emplace(key, patterns.counts.size());
    if (inserted) {
      auto vector = vectors[i];
      patterns.levels.insert(patterns.levels.end(), vector.begin(), vector.end());
      patterns.counts.push_back(0);
    }
    ++patterns.counts[it->second];
  }
  patterns.total = vectors.size();
  return patterns;
}

void checkShape(const FellegiSunterParameters& parameters, std::span<const std::size_t> levelCounts,
                const std::string& what) {
  if (parameters.m.size() != levelCounts.size() || parameters.u.size() != levelCounts.size()) {
    throw FellegiSunterError(what + ": m and u need one entry per comparison (" + std::to_string(levelCounts.size()) +
                             ")");
  }
  for (std::size_t c = 0; c < levelCounts.size(); ++c) {
    if (parameters.m[c].size() != levelCounts[c] || parameters.u[c].size() != levelCounts[c]) {
      throw FellegiSunterError(what + ": comparison " + std::to_string(c) + " needs " +
                               std::to_string(levelCounts[c]) + " m and u values (the null level included)");
    }
  }
}

// Four significant digits ("0.95", "1e-06").
std::string shortNumber(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.4g", value);
  return buffer;
}

// A ratio with four decimals; "-" when undefined (NaN).
std::string ratioText(double value) {
  if (std::isnan(value)) return "-";
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.4f", value);
  return buffer;
}

Poco::JSON::Object::Ptr newObject() { return new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER); }

}  // namespace

// ---- Model -------------------------------------------------------------------

FellegiSunterModel::FellegiSunterModel(ComparisonSettings comparisons, FellegiSunterParameters parameters,
                                       TermFrequencyBounds termFrequency, TrainingReport training)
    : comparisons_(std::move(comparisons)),
      parameters_(std::move(parameters)),
      termFrequency_(termFrequency),
      training_(std::move(training)) {
  const auto levelCounts = comparisons_.levelCounts();
  checkShape(parameters_, levelCounts, "model parameters");
  if (!inClampRange(parameters_.lambda)) {
    throw FellegiSunterError("model parameters: lambda must be in [1e-6, 1 - 1e-6]");
  }
  if (!(termFrequency_.minU > 0.0 && termFrequency_.minU <= termFrequency_.maxU && termFrequency_.maxU < 1.0)) {
    throw FellegiSunterError("term-frequency bounds: need 0 < min_u <= max_u < 1");
  }
  priorWeight_ = std::log2(parameters_.lambda) - std::log2(1.0 - parameters_.lambda);
  weights_.resize(levelCounts.size());
  log2M_.resize(levelCounts.size());
  for (std::size_t c = 0; c < levelCounts.size(); ++c) {
    const auto& name = comparisons_.comparisons()[c].name;
    parameters_.m[c][kNullLevel] = 1.0;
    parameters_.u[c][kNullLevel] = 1.0;
    weights_[c].assign(levelCounts[c], 0.0);
    log2M_[c].assign(levelCounts[c], 0.0);
    for (std::size_t l = 1; l < levelCounts[c]; ++l) {
      const double m = parameters_.m[c][l];
      const double u = parameters_.u[c][l];
      if (!inClampRange(m) || !inClampRange(u)) {
        throw FellegiSunterError("model parameters: comparison '" + name + "' level '" +
                                 comparisons_.comparisons()[c].levels[l - 1].label +
                                 "': m and u must be in [1e-6, 1 - 1e-6]");
      }
      log2M_[c][l] = std::log2(m);
      weights_[c][l] = log2M_[c][l] - std::log2(u);
    }
  }
}

std::vector<TokenKind> FellegiSunterModel::termFrequencyKinds() const {
  std::vector<TokenKind> kinds;
  for (const auto& comparison : comparisons_.comparisons()) {
    for (const auto& level : comparison.levels) {
      if (!level.termFrequency) continue;
      for (TokenKind kind : level.tokenKinds) {
        if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) kinds.push_back(kind);
      }
    }
  }
  return kinds;
}

double FellegiSunterModel::contribution(std::size_t c, std::uint8_t level, const EncodedRecord& a,
                                        const EncodedRecord& b, const TokenFrequencyTable* frequencies, double& u,
                                        bool& adjusted) const {
  adjusted = false;
  u = parameters_.u[c][level];
  if (frequencies == nullptr || level == kNullLevel) return weights_[c][level];
  const ComparisonLevel& declared = comparisons_.comparisons()[c].levels[level - 1];
  if (!declared.termFrequency) return weights_[c][level];
  // The rarest agreeing value is the evidence the pair actually shares.
  double rarest = 0.0;
  forEachSharedToken(a, b, declared.tokenKinds, [&](const KeyedToken& token) {
    const double f = frequencies->frequency(token);
    if (f > 0.0 && (rarest == 0.0 || f < rarest)) rarest = f;
  });
  if (rarest == 0.0) return weights_[c][level];
  adjusted = true;
  u = std::clamp(rarest, termFrequency_.minU, termFrequency_.maxU);
  return log2M_[c][level] - std::log2(u);
}

double FellegiSunterModel::matchWeight(std::span<const std::uint8_t> levels) const {
  assert(levels.size() >= weights_.size());
  double weight = priorWeight_;
  for (std::size_t c = 0; c < weights_.size(); ++c) weight += weights_[c][levels[c]];
  return weight;
}

double FellegiSunterModel::matchWeight(const EncodedRecord& a, const EncodedRecord& b,
                                       const TokenFrequencyTable* frequencies) const {
  double weight = priorWeight_;
  for (std::size_t c = 0; c < weights_.size(); ++c) {
    const std::uint8_t level = comparisons_.compareOne(c, a, b);
    double u = 0.0;
    bool adjusted = false;
    weight += contribution(c, level, a, b, frequencies, u, adjusted);
  }
  return weight;
}

MatchExplanation FellegiSunterModel::explain(const EncodedRecord& a, const EncodedRecord& b,
                                             const TokenFrequencyTable* frequencies) const {
  MatchExplanation explanation;
  explanation.lambda = parameters_.lambda;
  explanation.priorWeight = priorWeight_;
  double weight = priorWeight_;
  for (std::size_t c = 0; c < weights_.size(); ++c) {
    const auto& comparison = comparisons_.comparisons()[c];
    WeightContribution part;
    part.comparison = comparison.name;
    part.levelIndex = comparisons_.compareOne(c, a, b);
    part.level = comparison.levelLabel(part.levelIndex);
    part.m = parameters_.m[c][part.levelIndex];
    part.weight = contribution(c, part.levelIndex, a, b, frequencies, part.u, part.termFrequencyAdjusted);
    weight += part.weight;
    explanation.contributions.push_back(std::move(part));
  }
  explanation.matchWeight = weight;
  explanation.matchProbability = probability(weight);
  return explanation;
}

double FellegiSunterModel::probability(double matchWeight) {
  // 2^w / (1 + 2^w), written to stay finite for large |w|.
  return 1.0 / (1.0 + std::exp2(-matchWeight));
}

std::string MatchExplanation::format() const {
  std::ostringstream out;
  char line[200];
  std::snprintf(line, sizeof(line), "%-22s %-16s %10s %10s %9s %10s\n", "comparison", "level", "m", "u", "weight",
                "running");
  out << line;
  std::snprintf(line, sizeof(line), "%-22s %-16s %10s %10s %+9.3f %10.3f\n", "prior",
                ("lambda=" + shortNumber(lambda)).c_str(), "", "", priorWeight, priorWeight);
  out << line;
  double running = priorWeight;
  for (const auto& part : contributions) {
    running += part.weight;
    const bool isNull = part.levelIndex == kNullLevel;
    std::string level = part.level + (part.termFrequencyAdjusted ? " (tf)" : "");
    std::snprintf(line, sizeof(line), "%-22s %-16s %10s %10s %+9.3f %10.3f\n", part.comparison.c_str(),
                  level.c_str(), isNull ? "-" : shortNumber(part.m).c_str(),
                  isNull ? "-" : shortNumber(part.u).c_str(), part.weight, running);
    out << line;
  }
  std::snprintf(line, sizeof(line), "match weight %.3f, match probability %.6f\n", matchWeight, matchProbability);
  out << line;
  return out.str();
}

// ---- JSON document -------------------------------------------------------------

std::string FellegiSunterModel::toJson() const {
  auto root = newObject();
  root->set("format", std::string(kLinkageModelFormat));
  root->set("version", kLinkageModelVersion);
  root->set("lambda", parameters_.lambda);
  auto tf = newObject();
  tf->set("min_u", termFrequency_.minU);
  tf->set("max_u", termFrequency_.maxU);
  root->set("term_frequency", tf);
  // The settings' own form, with each level's m and u added.
  auto comparisons = comparisons_.toJson();
  for (std::size_t c = 0; c < comparisons->size(); ++c) {
    auto levels = comparisons->getObject(static_cast<unsigned>(c))->getArray("levels");
    for (std::size_t l = 0; l < levels->size(); ++l) {
      auto level = levels->getObject(static_cast<unsigned>(l));
      level->set("m", parameters_.m[c][l + 1]);
      level->set("u", parameters_.u[c][l + 1]);
    }
  }
  root->set("comparisons", comparisons);
  if (training_.u || training_.em) {
    auto training = newObject();
    if (training_.u) {
      auto u = newObject();
      u->set("method", std::string(training_.u->fromCandidates ? "candidates_anchor_disagree" : "random_pairs"));
      u->set("pairs", training_.u->pairs);
      u->set("seed", std::to_string(training_.u->seed));
      if (training_.u->fromCandidates) u->set("candidate_pairs", training_.u->candidatePairs);
      training->set("u", u);
    }
    if (training_.em) {
      const EmReport& report = *training_.em;
      auto em = newObject();
      em->set("iterations", report.iterations);
      em->set("max_iterations", report.maxIterations);
      em->set("tolerance", report.tolerance);
      em->set("final_log_likelihood", report.finalLogLikelihood);
      if (std::isfinite(report.finalLogLikelihoodChange)) {
        em->set("final_log_likelihood_change", report.finalLogLikelihoodChange);
      } else {
        em->set("final_log_likelihood_change", Poco::Dynamic::Var());
      }
      em->set("converged", report.converged);
      em->set("pairs", report.pairs);
      em->set("update_u", report.updateU);
      training->set("em", em);
    }
    root->set("training", training);
  }
  std::ostringstream out;
  root->stringify(out, 2);
  out << '\n';
  return out.str();
}

FellegiSunterModel FellegiSunterModel::fromJson(const schemas::JsonNode& root) {
  root.rejectUnknownKeys({"format", "version", "lambda", "term_frequency", "comparisons", "training"});
  const auto formatNode = root.field("format");
  if (formatNode.asString() != kLinkageModelFormat) {
    formatNode.fail(std::string("expected \"") + kLinkageModelFormat + "\"");
  }
  const auto versionNode = root.field("version");
  const auto version = versionNode.asInt(1);
  if (version != kLinkageModelVersion) {
    versionNode.fail("unsupported version " + std::to_string(version) + " (this build reads version " +
                     std::to_string(kLinkageModelVersion) + ")");
  }
  FellegiSunterParameters parameters;
  parameters.lambda = root.field("lambda").asNumber(kMinProbability, kMaxProbability);

  TermFrequencyBounds tf;
  if (auto tfNode = root.optionalField("term_frequency")) {
    tfNode->rejectUnknownKeys({"min_u", "max_u"});
    tf.minU = tfNode->field("min_u").asNumber(std::numeric_limits<double>::min(), kMaxProbability);
    tf.maxU = tfNode->field("max_u").asNumber(tf.minU, kMaxProbability);
  }

  static constexpr std::string_view kParameterKeys[] = {"m", "u"};
  const auto comparisonsNode = root.field("comparisons");
  ComparisonSettings settings = ComparisonSettings::fromJson(comparisonsNode, kParameterKeys);
  for (const auto& comparisonNode : comparisonsNode.asArray()) {
    std::vector<double> m{1.0}, u{1.0};
    for (const auto& levelNode : comparisonNode.field("levels").asArray()) {
      m.push_back(levelNode.field("m").asNumber(kMinProbability, kMaxProbability));
      u.push_back(levelNode.field("u").asNumber(kMinProbability, kMaxProbability));
    }
    parameters.m.push_back(std::move(m));
    parameters.u.push_back(std::move(u));
  }

  TrainingReport training;
  if (auto trainingNode = root.optionalField("training")) {
    trainingNode->rejectUnknownKeys({"u", "em"});
    if (auto uNode = trainingNode->optionalField("u")) {
      uNode->rejectUnknownKeys({"method", "pairs", "seed", "candidate_pairs"});
      USampleReport report;
      report.fromCandidates =
          uNode->field("method").asEnum({"random_pairs", "candidates_anchor_disagree"}) == "candidates_anchor_disagree";
      if (report.fromCandidates) {
        report.candidatePairs = static_cast<std::uint64_t>(uNode->field("candidate_pairs").asInt(0));
      } else if (uNode->has("candidate_pairs")) {
        uNode->field("candidate_pairs").fail("only with method candidates_anchor_disagree");
      }
      report.pairs = static_cast<std::uint64_t>(uNode->field("pairs").asInt(0));
      const auto seedNode = uNode->field("seed");
      const std::string seed = seedNode.asString();
      std::size_t used = 0;
      try {
        report.seed = std::stoull(seed, &used, 10);
      } catch (const std::exception&) {
        used = 0;
      }
      if (seed.empty() || used != seed.size() || seed[0] == '-' || seed[0] == '+') {
        seedNode.fail("expected an unsigned 64-bit decimal string");
      }
      training.u = report;
    }
    if (auto emNode = trainingNode->optionalField("em")) {
      emNode->rejectUnknownKeys({"iterations", "max_iterations", "tolerance", "final_log_likelihood",
                                 "final_log_likelihood_change", "converged", "pairs", "update_u"});
      EmReport report;
      report.iterations = static_cast<int>(emNode->field("iterations").asInt(0, INT32_MAX));
      report.maxIterations = static_cast<int>(emNode->field("max_iterations").asInt(0, INT32_MAX));
      report.tolerance = emNode->field("tolerance").asNumber(0.0, std::numeric_limits<double>::max());
      report.finalLogLikelihood =
          emNode->field("final_log_likelihood").asNumber(-std::numeric_limits<double>::max(), 0.0);
      const auto changeNode = emNode->field("final_log_likelihood_change");
      report.finalLogLikelihoodChange =
          changeNode.isNull() ? std::numeric_limits<double>::quiet_NaN()
                              : changeNode.asNumber(-std::numeric_limits<double>::max(),
                                                    std::numeric_limits<double>::max());
      report.converged = emNode->field("converged").asBool();
      report.pairs = static_cast<std::uint64_t>(emNode->field("pairs").asInt(0));
      report.updateU = emNode->field("update_u").asBool();
      if (report.iterations > report.maxIterations) emNode->field("iterations").fail("exceeds max_iterations");
      training.em = report;
    }
  }
  try {
    return FellegiSunterModel(std::move(settings), std::move(parameters), tf, training);
  } catch (const FellegiSunterError& error) {
    root.fail(error.what());
  }
}

FellegiSunterModel FellegiSunterModel::loadFile(const std::string& path) {
  return fromJson(schemas::JsonNode::parseFile(path));
}

// ---- Training ------------------------------------------------------------------

std::vector<std::vector<double>> estimateUFromRandomPairs(const ComparisonSettings& comparisons,
                                                          std::span<const EncodedRecord> left,
                                                          std::span<const EncodedRecord> right,
                                                          const USampleOptions& options, USampleReport* report) {
  const bool sameSet = left.data() == right.data() && left.size() == right.size();
  if (left.empty() || right.empty() || (sameSet && left.size() < 2)) {
    throw FellegiSunterError("u sampling: need two records to form a random pair");
  }
  if (options.pairs == 0) throw FellegiSunterError("u sampling: the number of pairs must be positive");
  if (!comparisons.bound()) {
    for (const auto& comparison : comparisons.comparisons()) {
      if (comparison.method == ComparisonMethod::FieldDice) {
        throw FellegiSunterError("u sampling: comparison '" + comparison.name +
                                 "' is not bound to the encoding's fields (call bindFields first)");
      }
    }
  }
  const auto levelCounts = comparisons.levelCounts();
  std::vector<std::vector<std::uint64_t>> counts(levelCounts.size());
  for (std::size_t c = 0; c < levelCounts.size(); ++c) counts[c].assign(levelCounts[c], 0);

  SplitMix64 random{options.seed};
  for (std::uint64_t p = 0; p < options.pairs; ++p) {
    const std::uint64_t i = random.below(left.size());
    std::uint64_t j = 0;
    if (sameSet) {
      j = random.below(right.size() - 1);
      if (j >= i) ++j;  // skip the record itself
    } else {
      j = random.below(right.size());
    }
    for (std::size_t c = 0; c < levelCounts.size(); ++c) ++counts[c][comparisons.compareOne(c, left[i], right[j])];
  }

  std::vector<std::vector<double>> u(levelCounts.size());
  for (std::size_t c = 0; c < levelCounts.size(); ++c) {
    u[c].assign(levelCounts[c], 1.0);
    std::uint64_t nonNull = 0;
    for (std::size_t l = 1; l < levelCounts[c]; ++l) nonNull += counts[c][l];
    for (std::size_t l = 1; l < levelCounts[c]; ++l) {
      // A comparison null in every sampled pair carries no information on u:
      // spread it evenly rather than invent a shape.
      const double share = nonNull == 0 ? 1.0 / static_cast<double>(levelCounts[c] - 1)
                                        : static_cast<double>(counts[c][l]) / static_cast<double>(nonNull);
      u[c][l] = clampProbability(share);
    }
  }
  if (report != nullptr) *report = USampleReport{options.seed, options.pairs};
  return u;
}

FellegiSunterParameters initialParameters(std::span<const std::size_t> levelCounts,
                                          std::vector<std::vector<double>> u, double lambda) {
  FellegiSunterParameters start;
  start.lambda = clampProbability(lambda);
  start.u = std::move(u);
  start.m.resize(levelCounts.size());
  for (std::size_t c = 0; c < levelCounts.size(); ++c) {
    start.m[c].assign(levelCounts[c], 1.0);
    double total = 0.0;
    for (std::size_t l = 1; l < levelCounts[c]; ++l) total += std::pow(4.0, -static_cast<double>(l - 1));
    for (std::size_t l = 1; l < levelCounts[c]; ++l) {
      start.m[c][l] = clampProbability(std::pow(4.0, -static_cast<double>(l - 1)) / total);
    }
  }
  return start;
}

namespace {

// Sufficient statistics of one E-step, and the log-likelihood of the
// parameters it ran with.
struct EStep {
  double logLikelihood = 0.0;
  double matchMass = 0.0;
  std::vector<std::vector<double>> mMass, uMass;  // [c][level], non-null levels only
  std::vector<double> mTotal, uTotal;              // [c]
};

void runEStep(const VectorPatterns& patterns, const FellegiSunterParameters& p, EStep& s) {
  const std::size_t width = patterns.width;
  std::vector<std::vector<double>> logM(width), logU(width);
  for (std::size_t c = 0; c < width; ++c) {
    for (std::size_t l = 0; l < p.m[c].size(); ++l) {
      logM[c].push_back(l == kNullLevel ? 0.0 : std::log(p.m[c][l]));
      logU[c].push_back(l == kNullLevel ? 0.0 : std::log(p.u[c][l]));
    }
  }
  s.logLikelihood = 0.0;
  s.matchMass = 0.0;
  s.mMass.assign(width, {});
  s.uMass.assign(width, {});
  for (std::size_t c = 0; c < width; ++c) {
    s.mMass[c].assign(p.m[c].size(), 0.0);
    s.uMass[c].assign(p.m[c].size(), 0.0);
  }
  s.mTotal.assign(width, 0.0);
  s.uTotal.assign(width, 0.0);
  const double logLambda = std::log(p.lambda);
  const double logNotLambda = std::log1p(-p.lambda);
  for (std::size_t i = 0; i < patterns.size(); ++i) {
    const std::uint8_t* levels = patterns.at(i);
    double matchLog = logLambda;
    double nonMatchLog = logNotLambda;
    for (std::size_t c = 0; c < width; ++c) {
      matchLog += logM[c][levels[c]];
      nonMatchLog += logU[c][levels[c]];
    }
    // log(e^a + e^b) without overflow; the posterior follows from it.
    const double top = std::max(matchLog, nonMatchLog);
    const double logTotal = top + std::log(std::exp(matchLog - top) + std::exp(nonMatchLog - top));
    const double posterior = std::exp(matchLog - logTotal);
    const auto count = static_cast<double>(patterns.counts[i]);
    s.logLikelihood += count * logTotal;
    s.matchMass += count * posterior;
    for (std::size_t c = 0; c < width; ++c) {
      const std::uint8_t level = levels[c];
      if (level == kNullLevel) continue;  // missing: no information on this comparison
      s.mMass[c][level] += count * posterior;
      s.mTotal[c] += count * posterior;
      s.uMass[c][level] += count * (1.0 - posterior);
      s.uTotal[c] += count * (1.0 - posterior);
    }
  }
}

void runMStep(const EStep& s, std::uint64_t pairs, bool updateU, FellegiSunterParameters& p) {
  p.lambda = clampProbability(s.matchMass / static_cast<double>(pairs));
  for (std::size_t c = 0; c < p.m.size(); ++c) {
    // A comparison with no (posterior) mass keeps its values: no evidence.
    if (s.mTotal[c] > 0.0) {
      for (std::size_t l = 1; l < p.m[c].size(); ++l) p.m[c][l] = clampProbability(s.mMass[c][l] / s.mTotal[c]);
    }
    if (updateU && s.uTotal[c] > 0.0) {
      for (std::size_t l = 1; l < p.u[c].size(); ++l) p.u[c][l] = clampProbability(s.uMass[c][l] / s.uTotal[c]);
    }
  }
}

}  // namespace

EmResult estimateByEm(const ComparisonVectorSet& vectors, const FellegiSunterParameters& start,
                      const EmOptions& options) {
  if (vectors.empty()) throw FellegiSunterError("EM: no candidate pairs to train on");
  if (options.maxIterations < 0) throw FellegiSunterError("EM: max iterations must not be negative");
  if (!(options.tolerance >= 0.0)) throw FellegiSunterError("EM: tolerance must not be negative");
  std::vector<std::size_t> levelCounts;
  for (const auto& m : start.m) levelCounts.push_back(m.size());
  checkShape(start, levelCounts, "EM start");
  if (vectors.width() != levelCounts.size()) {
    throw FellegiSunterError("EM: comparison vectors have " + std::to_string(vectors.width()) +
                             " entries, the parameters " + std::to_string(levelCounts.size()) + " comparisons");
  }
  const VectorPatterns patterns = groupVectors(vectors);
  for (std::size_t i = 0; i < patterns.size(); ++i) {
    for (std::size_t c = 0; c < patterns.width; ++c) {
      if (patterns.at(i)[c] >= levelCounts[c]) {
        throw FellegiSunterError("EM: a comparison vector has level " + std::to_string(patterns.at(i)[c]) +
                                 " for comparison " + std::to_string(c) + ", which has " +
                                 std::to_string(levelCounts[c]) + " levels");
      }
    }
  }

  EmResult result;
  FellegiSunterParameters& p = result.parameters;
  p = start;
  p.lambda = clampProbability(p.lambda);
  for (std::size_t c = 0; c < levelCounts.size(); ++c) {
    p.m[c][kNullLevel] = p.u[c][kNullLevel] = 1.0;
    for (std::size_t l = 1; l < levelCounts[c]; ++l) {
      p.m[c][l] = clampProbability(p.m[c][l]);
      p.u[c][l] = clampProbability(p.u[c][l]);
    }
  }

  EmReport& report = result.report;
  report.maxIterations = options.maxIterations;
  report.tolerance = options.tolerance;
  report.pairs = patterns.total;
  report.updateU = options.updateU;
  report.finalLogLikelihoodChange = std::numeric_limits<double>::quiet_NaN();

  EStep stats;
  runEStep(patterns, p, stats);
  const auto pairs = static_cast<double>(patterns.total);
  while (report.iterations < options.maxIterations) {
    const double previous = stats.logLikelihood;
    runMStep(stats, patterns.total, options.updateU, p);
    ++report.iterations;
    runEStep(patterns, p, stats);  // the log-likelihood of the new parameters
    report.finalLogLikelihoodChange = (stats.logLikelihood - previous) / pairs;
    if (std::abs(report.finalLogLikelihoodChange) < options.tolerance) {
      report.converged = true;
      break;
    }
  }
  report.finalLogLikelihood = stats.logLikelihood;
  return result;
}

namespace {

// Smoothed level frequencies of comparison `c` among the patterns `select`
// accepts; false when none is selected.
bool levelFrequencies(const VectorPatterns& patterns, std::size_t c, std::size_t levelCount,
                      const std::function<bool(const std::uint8_t*)>& select, std::vector<double>& m) {
  std::vector<double> counts(levelCount, 0.5);
  std::uint64_t selected = 0;
  for (std::size_t p = 0; p < patterns.size(); ++p) {
    const std::uint8_t* vector = patterns.at(p);
    if (!select(vector) || vector[c] == kNullLevel) continue;
    counts[vector[c]] += static_cast<double>(patterns.counts[p]);
    selected += patterns.counts[p];
  }
  if (selected == 0) return false;
  double total = 0.0;
  for (std::size_t l = 1; l < levelCount; ++l) total += counts[l];
  for (std::size_t l = 1; l < levelCount; ++l) m[l] = clampProbability(counts[l] / total);
  return true;
}

}  // namespace

std::uint64_t candidateU(const ComparisonVectorSet& candidates, std::size_t anchor,
                         std::vector<std::vector<double>>& u) {
  if (anchor >= candidates.width()) throw FellegiSunterError("training: anchor comparison out of range");
  const VectorPatterns patterns = groupVectors(candidates);
  const auto elseLevel = static_cast<std::uint8_t>(u[anchor].size() - 1);
  std::uint64_t selected = 0;
  for (std::size_t p = 0; p < patterns.size(); ++p) {
    if (patterns.at(p)[anchor] == elseLevel) selected += patterns.counts[p];
  }
  for (std::size_t c = 0; c < candidates.width(); ++c) {
    if (c == anchor) continue;
    levelFrequencies(patterns, c, u[c].size(),
                     [anchor, elseLevel](const std::uint8_t* v) { return v[anchor] == elseLevel; }, u[c]);
  }
  return selected;
}

EmReport anchoredEstimate(const ComparisonVectorSet& candidates, std::size_t anchor, const EmOptions& options,
                          FellegiSunterParameters& parameters) {
  if (anchor >= candidates.width()) throw FellegiSunterError("training: anchor comparison out of range");
  const VectorPatterns patterns = groupVectors(candidates);
  const std::size_t width = candidates.width();
  // 1. m of every other comparison: pairs at the anchor's first level.
  for (std::size_t c = 0; c < width; ++c) {
    if (c == anchor) continue;
    levelFrequencies(patterns, c, parameters.m[c].size(),
                     [anchor](const std::uint8_t* v) { return v[anchor] == 1; }, parameters.m[c]);
  }
  // 2. m of the anchor: pairs the other comparisons alone call certain
  //    (at least 2^10 : 1 in favour, prior aside).
  auto otherWeight = [&](const std::uint8_t* v) {
    double w = 0.0;
    for (std::size_t c = 0; c < width; ++c) {
      if (c != anchor && v[c] != kNullLevel) w += std::log2(parameters.m[c][v[c]] / parameters.u[c][v[c]]);
    }
    return w;
  };
  levelFrequencies(patterns, anchor, parameters.m[anchor].size(),
                   [&](const std::uint8_t* v) { return otherWeight(v) >= 10.0; }, parameters.m[anchor]);
  // 3. The prior, by EM with m and u held: lambda <- mean posterior.
  std::vector<double> likelihoodRatio(patterns.size());
  std::vector<double> logU(patterns.size());  // log P(vector | non-match), for the log-likelihood
  for (std::size_t p = 0; p < patterns.size(); ++p) {
    const std::uint8_t* v = patterns.at(p);
    double w = 0.0;
    for (std::size_t c = 0; c < width; ++c) {
      if (v[c] == kNullLevel) continue;
      w += std::log(parameters.m[c][v[c]] / parameters.u[c][v[c]]);
      logU[p] += std::log(parameters.u[c][v[c]]);
    }
    likelihoodRatio[p] = std::exp(std::min(w, 700.0));
  }
  EmReport report;
  report.maxIterations = options.maxIterations;
  report.tolerance = options.tolerance;
  report.pairs = patterns.total;
  report.updateU = false;
  report.finalLogLikelihoodChange = std::numeric_limits<double>::quiet_NaN();
  double lambda = parameters.lambda;
  double previous = -std::numeric_limits<double>::infinity();
  for (int iteration = 1; iteration <= options.maxIterations; ++iteration) {
    double posteriorSum = 0.0;
    double logLikelihood = 0.0;
    for (std::size_t p = 0; p < patterns.size(); ++p) {
      const double match = lambda * likelihoodRatio[p];
      const double mixture = match + (1.0 - lambda);
      posteriorSum += static_cast<double>(patterns.counts[p]) * match / mixture;
      logLikelihood += static_cast<double>(patterns.counts[p]) * (logU[p] + std::log(mixture));
    }
    lambda = clampProbability(posteriorSum / static_cast<double>(patterns.total));
    report.iterations = iteration;
    report.finalLogLikelihood = logLikelihood;
    if (iteration > 1) {
      report.finalLogLikelihoodChange = (logLikelihood - previous) / static_cast<double>(patterns.total);
      if (std::fabs(report.finalLogLikelihoodChange) < options.tolerance) {
        report.converged = true;
        break;
      }
    }
    previous = logLikelihood;
  }
  parameters.lambda = lambda;
  return report;
}

FellegiSunterModel trainModel(ComparisonSettings comparisons, std::span<const EncodedRecord> left,
                              std::span<const EncodedRecord> right, const ComparisonVectorSet& candidates,
                              const TrainingOptions& options) {
  if (candidates.width() != comparisons.size()) {
    throw FellegiSunterError("training: candidate vectors do not come from these comparisons");
  }
  TrainingReport report;
  USampleReport uReport;
  auto u = estimateUFromRandomPairs(comparisons, left, right, options.u, &uReport);
  report.u = uReport;
  const auto levelCounts = comparisons.levelCounts();
  auto start = initialParameters(levelCounts, std::move(u), options.initialLambda);
  if (options.anchorComparison && options.uFromCandidates) {
    report.u->fromCandidates = true;
    report.u->candidatePairs = candidateU(candidates, *options.anchorComparison, start.u);
  }
  if (options.anchorComparison) {
    report.em = anchoredEstimate(candidates, *options.anchorComparison, options.em, start);
    return FellegiSunterModel(std::move(comparisons), std::move(start), options.termFrequency, report);
  }
  EmResult em = estimateByEm(candidates, start, options.em);
  report.em = em.report;
  return FellegiSunterModel(std::move(comparisons), std::move(em.parameters), options.termFrequency, report);
}

// ---- Threshold guidance ------------------------------------------------------

ThresholdGuidance thresholdGuidance(const FellegiSunterModel& model, const ComparisonVectorSet& vectors,
                                    std::span<const double> thresholds) {
  if (vectors.width() != model.comparisons().size()) {
    throw FellegiSunterError("threshold guidance: comparison vectors do not come from this model");
  }
  const VectorPatterns patterns = groupVectors(vectors);
  const auto levelCounts = model.comparisons().levelCounts();
  std::vector<double> weights(patterns.size());
  std::vector<double> posteriors(patterns.size());
  ThresholdGuidance guidance;
  guidance.pairs = patterns.total;
  double lowest = std::numeric_limits<double>::infinity();
  double highest = -lowest;
  for (std::size_t i = 0; i < patterns.size(); ++i) {
    for (std::size_t c = 0; c < patterns.width; ++c) {
      if (patterns.at(i)[c] >= levelCounts[c]) {
        throw FellegiSunterError("threshold guidance: a comparison vector has a level out of range");
      }
    }
    weights[i] = model.matchWeight(std::span<const std::uint8_t>(patterns.at(i), patterns.width));
    posteriors[i] = FellegiSunterModel::probability(weights[i]);
    guidance.expectedMatches += static_cast<double>(patterns.counts[i]) * posteriors[i];
    lowest = std::min(lowest, weights[i]);
    highest = std::max(highest, weights[i]);
  }

  std::vector<double> cuts(thresholds.begin(), thresholds.end());
  if (cuts.empty() && patterns.size() > 0) {
    const double from = std::floor(lowest);
    const double to = std::ceil(highest);
    const double step = std::max(1.0, std::ceil((to - from) / 30.0));
    for (double t = from; t <= to; t += step) cuts.push_back(t);
  }
  std::sort(cuts.begin(), cuts.end());

  for (double threshold : cuts) {
    ThresholdRow row;
    row.threshold = threshold;
    row.probability = FellegiSunterModel::probability(threshold);
    for (std::size_t i = 0; i < patterns.size(); ++i) {
      if (weights[i] < threshold) continue;
      const auto count = static_cast<double>(patterns.counts[i]);
      row.pairsAbove += patterns.counts[i];
      row.expectedTruePositives += count * posteriors[i];
      row.expectedFalsePositives += count * (1.0 - posteriors[i]);
    }
    row.expectedFalseNegatives = std::max(0.0, guidance.expectedMatches - row.expectedTruePositives);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    row.precision = row.pairsAbove == 0 ? nan
                                        : row.expectedTruePositives /
                                              (row.expectedTruePositives + row.expectedFalsePositives);
    row.recall = guidance.expectedMatches > 0.0 ? row.expectedTruePositives / guidance.expectedMatches : 0.0;
    row.f1 = row.pairsAbove == 0 ? nan
             : row.precision + row.recall > 0.0 ? 2.0 * row.precision * row.recall / (row.precision + row.recall)
                                                : 0.0;
    guidance.rows.push_back(row);
  }
  return guidance;
}

std::string ThresholdGuidance::format() const {
  std::ostringstream out;
  char line[200];
  std::snprintf(line, sizeof(line), "candidate pairs %llu, expected matches %.1f\n",
                static_cast<unsigned long long>(pairs), expectedMatches);
  out << line;
  std::snprintf(line, sizeof(line), "%9s %10s %12s %12s %12s %12s %9s %9s %9s\n", "weight>=", "prob", "pairs",
                "exp_tp", "exp_fp", "exp_fn", "precision", "recall", "f1");
  out << line;
  for (const auto& row : rows) {
    std::snprintf(line, sizeof(line), "%9.2f %10.6f %12llu %12.1f %12.1f %12.1f %9s %9s %9s\n", row.threshold,
                  row.probability, static_cast<unsigned long long>(row.pairsAbove), row.expectedTruePositives,
                  row.expectedFalsePositives, row.expectedFalseNegatives, ratioText(row.precision).c_str(),
                  ratioText(row.recall).c_str(), ratioText(row.f1).c_str());
    out << line;
  }
  return out.str();
}

}  // namespace nser::linkage
