#include "linkage/fellegi_sunter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace nser::linkage {
namespace {

// ---- Simulation of comparison vectors with known parameters --------------------

// Uniform in [0, 1) from 53 random bits (same on every platform).
double uniform01(std::mt19937_64& random) { return static_cast<double>(random() >> 11) * 0x1.0p-53; }

// Draws a declared level (1-based) from probabilities over declared levels.
std::uint8_t drawLevel(std::mt19937_64& random, const std::vector<double>& probabilities) {
  double x = uniform01(random);
  for (std::size_t l = 0; l + 1 < probabilities.size(); ++l) {
    if (x < probabilities[l]) return static_cast<std::uint8_t>(l + 1);
    x -= probabilities[l];
  }
  return static_cast<std::uint8_t>(probabilities.size());
}

struct Truth {
  double lambda = 0.2;
  double nullRate = 0.05;
  // Over declared levels only (index 0 = first declared level).
  std::vector<std::vector<double>> m{{0.70, 0.15, 0.10, 0.05},
                                     {0.85, 0.10, 0.05},
                                     {0.60, 0.30, 0.10},
                                     {0.50, 0.30, 0.15, 0.05}};
  std::vector<std::vector<double>> u{{0.01, 0.04, 0.15, 0.80},
                                     {0.001, 0.02, 0.979},
                                     {0.05, 0.25, 0.70},
                                     {0.02, 0.08, 0.30, 0.60}};
  std::vector<std::size_t> levelCounts() const {
    std::vector<std::size_t> counts;
    for (const auto& levels : m) counts.push_back(levels.size() + 1);
    return counts;
  }
};

struct Simulation {
  ComparisonVectorSet vectors{4};
  std::vector<bool> isMatch;
};

Simulation simulate(const Truth& truth, std::size_t pairs, std::uint64_t seed, bool forceNonMatch = false) {
  std::mt19937_64 random(seed);
  Simulation sim;
  sim.vectors = ComparisonVectorSet(truth.m.size());
  std::vector<std::uint8_t> levels(truth.m.size());
  for (std::size_t i = 0; i < pairs; ++i) {
    const bool match = !forceNonMatch && uniform01(random) < truth.lambda;
    for (std::size_t c = 0; c < truth.m.size(); ++c) {
      const bool missing = uniform01(random) < truth.nullRate;
      const std::uint8_t level = drawLevel(random, match ? truth.m[c] : truth.u[c]);
      levels[c] = missing ? kNullLevel : level;
    }
    sim.vectors.append(levels);
    sim.isMatch.push_back(match);
  }
  return sim;
}

// u estimated from simulated non-matching pairs, the analogue of random pairs.
std::vector<std::vector<double>> empiricalU(const Truth& truth, std::size_t pairs, std::uint64_t seed) {
  const Simulation randomPairs = simulate(truth, pairs, seed, true);
  auto counts = truth.levelCounts();
  std::vector<std::vector<double>> u(counts.size());
  for (std::size_t c = 0; c < counts.size(); ++c) {
    std::vector<double> n(counts[c], 0.0);
    double total = 0.0;
    for (std::size_t i = 0; i < randomPairs.vectors.size(); ++i) {
      const auto level = randomPairs.vectors[i][c];
      if (level == kNullLevel) continue;
      n[level] += 1.0;
      total += 1.0;
    }
    u[c].assign(counts[c], 1.0);
    for (std::size_t l = 1; l < counts[c]; ++l) u[c][l] = std::max(n[l] / total, kMinProbability);
  }
  return u;
}

// Token-agreement comparisons with the given numbers of declared levels (the
// conditions do not matter for vector-level tests).
ComparisonSettings settingsFor(const std::vector<std::size_t>& levelCounts) {
  std::vector<ComparisonDefinition> definitions;
  for (std::size_t c = 0; c < levelCounts.size(); ++c) {
    ComparisonDefinition d;
    d.name = "c" + std::to_string(c);
    d.method = ComparisonMethod::TokenAgreement;
    for (std::size_t l = 1; l < levelCounts[c]; ++l) {
      ComparisonLevel level;
      level.label = "level" + std::to_string(l);
      if (l + 1 < levelCounts[c]) level.tokenKinds = {static_cast<TokenKind>(l)};
      d.levels.push_back(level);
    }
    definitions.push_back(d);
  }
  return ComparisonSettings(std::move(definitions));
}

TEST(FellegiSunterEm, RecoversKnownParametersFromSimulatedVectors) {
  const Truth truth;
  const Simulation sim = simulate(truth, 50'000, 7);
  const auto start = initialParameters(truth.levelCounts(), empiricalU(truth, 200'000, 8), 0.1);
  const EmResult result = estimateByEm(sim.vectors, start, EmOptions{});

  EXPECT_TRUE(result.report.converged);
  EXPECT_LT(result.report.iterations, result.report.maxIterations);
  EXPECT_LT(std::abs(result.report.finalLogLikelihoodChange), result.report.tolerance);
  EXPECT_EQ(result.report.pairs, 50'000u);
  EXPECT_NEAR(result.parameters.lambda, truth.lambda, 0.01);
  for (std::size_t c = 0; c < truth.m.size(); ++c) {
    EXPECT_EQ(result.parameters.m[c][kNullLevel], 1.0);
    for (std::size_t l = 0; l < truth.m[c].size(); ++l) {
      EXPECT_NEAR(result.parameters.m[c][l + 1], truth.m[c][l], 0.02) << "comparison " << c << " level " << l + 1;
    }
  }
}

TEST(FellegiSunterEm, CanAlsoReestimateU) {
  const Truth truth;
  const Simulation sim = simulate(truth, 50'000, 11);
  // Start u away from the truth: u is learnt from the non-match posteriors.
  auto roughU = empiricalU(truth, 2'000, 12);
  const auto start = initialParameters(truth.levelCounts(), roughU, 0.1);
  EmOptions options;
  options.updateU = true;
  const EmResult result = estimateByEm(sim.vectors, start, options);
  EXPECT_TRUE(result.report.updateU);
  EXPECT_NEAR(result.parameters.lambda, truth.lambda, 0.01);
  for (std::size_t c = 0; c < truth.m.size(); ++c) {
    for (std::size_t l = 0; l < truth.m[c].size(); ++l) {
      EXPECT_NEAR(result.parameters.m[c][l + 1], truth.m[c][l], 0.02) << "m, comparison " << c << " level " << l + 1;
      EXPECT_NEAR(result.parameters.u[c][l + 1], truth.u[c][l], 0.02) << "u, comparison " << c << " level " << l + 1;
    }
  }
}

TEST(FellegiSunterEm, ConvergenceReportIsHonest) {
  const Truth truth;
  const Simulation sim = simulate(truth, 20'000, 21);
  const auto start = initialParameters(truth.levelCounts(), empiricalU(truth, 50'000, 22), 0.1);

  EmOptions one;
  one.maxIterations = 1;
  const EmResult cut = estimateByEm(sim.vectors, start, one);
  EXPECT_FALSE(cut.report.converged);
  EXPECT_EQ(cut.report.iterations, 1);
  EXPECT_GT(cut.report.finalLogLikelihoodChange, one.tolerance) << "EM moved a lot in its first step";

  EmOptions none;
  none.maxIterations = 0;
  const EmResult idle = estimateByEm(sim.vectors, start, none);
  EXPECT_FALSE(idle.report.converged);
  EXPECT_EQ(idle.report.iterations, 0);
  EXPECT_TRUE(std::isnan(idle.report.finalLogLikelihoodChange));
  EXPECT_EQ(idle.parameters.m, start.m) << "no iteration, no change";

  // A loose tolerance converges early, and the full run ends at a higher
  // likelihood (EM never decreases it).
  EmOptions loose;
  loose.tolerance = 1e-2;
  const EmResult early = estimateByEm(sim.vectors, start, loose);
  const EmResult full = estimateByEm(sim.vectors, start, EmOptions{});
  EXPECT_TRUE(early.report.converged);
  EXPECT_TRUE(full.report.converged);
  EXPECT_LT(early.report.iterations, full.report.iterations);
  EXPECT_GE(full.report.finalLogLikelihood, early.report.finalLogLikelihood);
  EXPECT_GE(early.report.finalLogLikelihood, cut.report.finalLogLikelihood);
}

TEST(FellegiSunterEm, RejectsInputThatDoesNotFit) {
  const Truth truth;
  const auto start = initialParameters(truth.levelCounts(), empiricalU(truth, 1'000, 1), 0.1);
  EXPECT_THROW(estimateByEm(ComparisonVectorSet(4), start, EmOptions{}), FellegiSunterError) << "no pairs";
  ComparisonVectorSet wrongWidth(3);
  const std::uint8_t three[3] = {1, 1, 1};
  wrongWidth.append(three);
  EXPECT_THROW(estimateByEm(wrongWidth, start, EmOptions{}), FellegiSunterError);
  ComparisonVectorSet outOfRange(4);
  const std::uint8_t bad[4] = {1, 9, 1, 1};
  outOfRange.append(bad);
  EXPECT_THROW(estimateByEm(outOfRange, start, EmOptions{}), FellegiSunterError);
}

TEST(FellegiSunterEm, ProbabilitiesStayInTheClampRange) {
  // Level 2 of comparison 0 never occurs: EM would drive its m to 0.
  ComparisonVectorSet vectors(1);
  for (int i = 0; i < 1000; ++i) {
    const std::uint8_t v[1] = {static_cast<std::uint8_t>(i % 10 == 0 ? 1 : 3)};
    vectors.append(v);
  }
  FellegiSunterParameters start;
  start.lambda = 0.3;
  start.m = {{1.0, 0.8, 0.15, 0.05}};
  start.u = {{1.0, 0.01, 0.09, 0.9}};
  const EmResult result = estimateByEm(vectors, start, EmOptions{});
  for (std::size_t l = 1; l < 4; ++l) {
    EXPECT_GE(result.parameters.m[0][l], kMinProbability);
    EXPECT_LE(result.parameters.m[0][l], kMaxProbability);
  }
  EXPECT_EQ(result.parameters.m[0][2], kMinProbability);
  EXPECT_GE(result.parameters.lambda, kMinProbability);
  EXPECT_LE(result.parameters.lambda, kMaxProbability);
}

// ---- Weights and explanations ---------------------------------------------------

KeyedToken tokenOf(TokenKind kind, std::uint8_t value) {
  KeyedToken token;
  token.kind = kind;
  token.digest.fill(value);
  return token;
}

ComparisonSettings cnicAndPhonetic() {
  ComparisonDefinition cnic;
  cnic.name = "cnic";
  cnic.method = ComparisonMethod::TokenAgreement;
  cnic.levels = {{"exact", 0, {TokenKind::Cnic}, false},
                 {"one_digit", 0, {TokenKind::CnicDeletion}, false},
                 {"disagree", 0, {}, false}};
  ComparisonDefinition phonetic;
  phonetic.name = "name_phonetic";
  phonetic.method = ComparisonMethod::TokenAgreement;
  phonetic.levels = {{"agree", 0, {TokenKind::NamePhonetic}, true}, {"disagree", 0, {}, false}};
  return ComparisonSettings({cnic, phonetic});
}

FellegiSunterModel handModel(TermFrequencyBounds bounds = {}) {
  FellegiSunterParameters p;
  p.lambda = 0.01;
  p.m = {{1, 0.9, 0.06, 0.04}, {1, 0.9, 0.1}};
  p.u = {{1, 1e-6, 1e-5, 0.999989}, {1, 0.01, 0.99}};
  return FellegiSunterModel(cnicAndPhonetic(), p, bounds);
}

TEST(FellegiSunterModel, WeightIsPriorPlusLevelWeights) {
  const auto model = handModel();
  EXPECT_DOUBLE_EQ(model.priorWeight(), std::log2(0.01 / 0.99));
  EXPECT_DOUBLE_EQ(model.levelWeight(0, 1), std::log2(0.9 / 1e-6));
  EXPECT_DOUBLE_EQ(model.levelWeight(1, 2), std::log2(0.1 / 0.99));
  EXPECT_EQ(model.levelWeight(0, kNullLevel), 0.0);
  const std::uint8_t levels[2] = {2, 1};
  EXPECT_DOUBLE_EQ(model.matchWeight(levels), model.priorWeight() + std::log2(0.06 / 1e-5) + std::log2(0.9 / 0.01));
  const std::uint8_t missing[2] = {kNullLevel, kNullLevel};
  EXPECT_EQ(model.matchWeight(missing), model.priorWeight()) << "null levels contribute nothing";
  EXPECT_DOUBLE_EQ(FellegiSunterModel::probability(0.0), 0.5);
  EXPECT_DOUBLE_EQ(FellegiSunterModel::probability(3.0), 8.0 / 9.0);
  EXPECT_DOUBLE_EQ(FellegiSunterModel::probability(-3.0), 1.0 / 9.0);
  EXPECT_EQ(FellegiSunterModel::probability(-5000.0), 0.0);
  EXPECT_EQ(FellegiSunterModel::probability(5000.0), 1.0);
}

TEST(FellegiSunterModel, ExplanationSumsToTheWeight) {
  const auto model = handModel();
  EncodedRecord a, b;
  a.tokens = {tokenOf(TokenKind::Cnic, 1), tokenOf(TokenKind::CnicDeletion, 2), tokenOf(TokenKind::NamePhonetic, 3)};
  b.tokens = {tokenOf(TokenKind::Cnic, 4), tokenOf(TokenKind::CnicDeletion, 2), tokenOf(TokenKind::NamePhonetic, 5)};
  const MatchExplanation explanation = model.explain(a, b);
  ASSERT_EQ(explanation.contributions.size(), 2u);
  EXPECT_EQ(explanation.contributions[0].comparison, "cnic");
  EXPECT_EQ(explanation.contributions[0].level, "one_digit");
  EXPECT_EQ(explanation.contributions[0].levelIndex, 2);
  EXPECT_EQ(explanation.contributions[0].m, 0.06);
  EXPECT_EQ(explanation.contributions[0].u, 1e-5);
  EXPECT_EQ(explanation.contributions[1].level, "disagree");
  double sum = explanation.priorWeight;
  for (const auto& part : explanation.contributions) sum += part.weight;
  EXPECT_EQ(sum, explanation.matchWeight);
  EXPECT_EQ(explanation.matchWeight, model.matchWeight(a, b)) << "same sum, same order, bit for bit";
  const std::uint8_t levels[2] = {2, 2};
  EXPECT_EQ(explanation.matchWeight, model.matchWeight(levels));
  EXPECT_EQ(explanation.matchProbability, FellegiSunterModel::probability(explanation.matchWeight));
  const std::string text = explanation.format();
  EXPECT_NE(text.find("prior"), std::string::npos) << text;
  EXPECT_NE(text.find("one_digit"), std::string::npos) << text;
  EXPECT_NE(text.find("match weight"), std::string::npos) << text;
}

TEST(FellegiSunterModel, RejectsBadParameters) {
  FellegiSunterParameters p;
  p.lambda = 0.01;
  p.m = {{1, 0.9, 0.06, 0.04}};
  p.u = {{1, 1e-6, 1e-5, 0.999989}};
  EXPECT_THROW(FellegiSunterModel(cnicAndPhonetic(), p), FellegiSunterError) << "one comparison missing";
  p.m.push_back({1, 0.9, 0.1});
  p.u.push_back({1, 0.0, 0.99});
  EXPECT_THROW(FellegiSunterModel(cnicAndPhonetic(), p), FellegiSunterError) << "u = 0 is outside the clamp range";
  p.u[1][1] = 0.01;
  EXPECT_NO_THROW(FellegiSunterModel(cnicAndPhonetic(), p));
  p.lambda = 0.0;
  EXPECT_THROW(FellegiSunterModel(cnicAndPhonetic(), p), FellegiSunterError);
}

// ---- Term-frequency adjustment --------------------------------------------------

TEST(FellegiSunterModel, TermFrequencyLowersTheWeightOfACommonValue) {
  // 100 records: 40 share phonetic key 1 (common), 2 share key 2 (rare), the
  // rest carry unique keys.
  std::vector<EncodedRecord> records(100);
  for (std::size_t i = 0; i < records.size(); ++i) {
    const std::uint8_t key = i < 40 ? 1 : i < 42 ? 2 : static_cast<std::uint8_t>(i + 100);
    records[i].tokens = {tokenOf(TokenKind::NamePhonetic, key), tokenOf(TokenKind::Cnic, static_cast<std::uint8_t>(i))};
  }
  const auto model = handModel();
  EXPECT_EQ(model.termFrequencyKinds(), std::vector<TokenKind>{TokenKind::NamePhonetic});
  TokenFrequencyTable table(model.termFrequencyKinds());
  for (const auto& r : records) table.add(r);
  table.finish();
  EXPECT_DOUBLE_EQ(table.frequency(tokenOf(TokenKind::NamePhonetic, 1)), 0.40);
  EXPECT_DOUBLE_EQ(table.frequency(tokenOf(TokenKind::NamePhonetic, 2)), 0.02);

  const double common = model.matchWeight(records[0], records[1], &table);
  const double rare = model.matchWeight(records[40], records[41], &table);
  const double unadjusted = model.matchWeight(records[40], records[41]);
  EXPECT_GT(rare, common);
  const auto commonExplained = model.explain(records[0], records[1], &table);
  EXPECT_TRUE(commonExplained.contributions[1].termFrequencyAdjusted);
  EXPECT_DOUBLE_EQ(commonExplained.contributions[1].u, 0.40);
  EXPECT_DOUBLE_EQ(commonExplained.contributions[1].weight, std::log2(0.9 / 0.40));
  EXPECT_EQ(commonExplained.matchWeight, common);
  // Unadjusted, agreement uses the level's u (0.01) whatever the value.
  EXPECT_DOUBLE_EQ(unadjusted, model.matchWeight(records[0], records[1]));
  EXPECT_FALSE(model.explain(records[0], records[1]).contributions[1].termFrequencyAdjusted);
  // Disagreement is not adjusted.
  EXPECT_EQ(model.matchWeight(records[0], records[50], &table), model.matchWeight(records[0], records[50]));
  // A value the table never saw keeps the level's u.
  EncodedRecord unseenA, unseenB;
  unseenA.tokens = unseenB.tokens = {tokenOf(TokenKind::NamePhonetic, 77)};
  EXPECT_EQ(model.matchWeight(unseenA, unseenB, &table), model.matchWeight(unseenA, unseenB));
}

TEST(FellegiSunterModel, TermFrequencyUIsClampedToTheBounds) {
  std::vector<EncodedRecord> records(100);
  for (std::size_t i = 0; i < records.size(); ++i) {
    const std::uint8_t key = i < 80 ? 1 : i < 82 ? 2 : static_cast<std::uint8_t>(i + 100);
    records[i].tokens = {tokenOf(TokenKind::NamePhonetic, key)};
  }
  const auto model = handModel(TermFrequencyBounds{0.05, 0.5});
  TokenFrequencyTable table(model.termFrequencyKinds());
  for (const auto& r : records) table.add(r);
  table.finish();
  const auto common = model.explain(records[0], records[1], &table).contributions[1];
  EXPECT_EQ(common.u, 0.5) << "frequency 0.8 capped";
  const auto rare = model.explain(records[80], records[81], &table).contributions[1];
  EXPECT_EQ(rare.u, 0.05) << "frequency 0.02 floored";
  EXPECT_THROW(handModel(TermFrequencyBounds{0.5, 0.05}), FellegiSunterError);
}

TEST(FellegiSunterModel, TermFrequencyUsesTheRarestSharedValue) {
  std::vector<EncodedRecord> records(50);
  for (std::size_t i = 0; i < records.size(); ++i) {
    records[i].tokens = {tokenOf(TokenKind::NamePhonetic, 1)};  // everyone: frequency 1
  }
  records[0].tokens.push_back(tokenOf(TokenKind::NamePhonetic, 2));
  records[1].tokens.push_back(tokenOf(TokenKind::NamePhonetic, 2));  // frequency 0.04
  const auto model = handModel(TermFrequencyBounds{1e-6, 0.999});
  TokenFrequencyTable table(model.termFrequencyKinds());
  for (const auto& r : records) table.add(r);
  table.finish();
  EXPECT_DOUBLE_EQ(model.explain(records[0], records[1], &table).contributions[1].u, 0.04);
  EXPECT_DOUBLE_EQ(model.explain(records[2], records[3], &table).contributions[1].u, 0.999);
}

// ---- JSON document ------------------------------------------------------------------

FellegiSunterModel trainedModel() {
  const Truth truth;
  const Simulation sim = simulate(truth, 20'000, 31);
  auto start = initialParameters(truth.levelCounts(), empiricalU(truth, 50'000, 32), 0.1);
  EmResult em = estimateByEm(sim.vectors, start, EmOptions{});
  TrainingReport report;
  report.u = USampleReport{0xFEDCBA9876543210ULL, 50'000};
  report.em = em.report;
  return FellegiSunterModel(settingsFor(truth.levelCounts()), em.parameters, TermFrequencyBounds{1.5e-5, 0.25}, report);
}

TEST(FellegiSunterModelJson, RoundTripGivesIdenticalScores) {
  const auto model = trainedModel();
  const std::string text = model.toJson();
  const auto loaded = FellegiSunterModel::fromJson(schemas::JsonNode::parseText(text, "model.json"));

  EXPECT_EQ(loaded.parameters().lambda, model.parameters().lambda);
  EXPECT_EQ(loaded.parameters().m, model.parameters().m);
  EXPECT_EQ(loaded.parameters().u, model.parameters().u);
  EXPECT_EQ(std::memcmp(&loaded.parameters().lambda, &model.parameters().lambda, sizeof(double)), 0);
  EXPECT_EQ(loaded.priorWeight(), model.priorWeight());
  const auto counts = model.comparisons().levelCounts();
  ASSERT_EQ(loaded.comparisons().levelCounts(), counts);
  for (std::size_t c = 0; c < counts.size(); ++c) {
    for (std::size_t l = 0; l < counts[c]; ++l) {
      EXPECT_EQ(loaded.levelWeight(c, static_cast<std::uint8_t>(l)), model.levelWeight(c, static_cast<std::uint8_t>(l)));
    }
  }
  // Every vector the simulation produces scores the same, bit for bit.
  const Simulation sim = simulate(Truth{}, 2'000, 33);
  for (std::size_t i = 0; i < sim.vectors.size(); ++i) {
    ASSERT_EQ(loaded.matchWeight(sim.vectors[i]), model.matchWeight(sim.vectors[i]));
  }
  EXPECT_EQ(loaded.termFrequency().minU, 1.5e-5);
  EXPECT_EQ(loaded.termFrequency().maxU, 0.25);
  ASSERT_TRUE(loaded.training().u && loaded.training().em);
  EXPECT_EQ(loaded.training().u->seed, 0xFEDCBA9876543210ULL);
  EXPECT_EQ(loaded.training().u->pairs, 50'000u);
  const EmReport& a = *model.training().em;
  const EmReport& b = *loaded.training().em;
  EXPECT_EQ(b.iterations, a.iterations);
  EXPECT_EQ(b.converged, a.converged);
  EXPECT_EQ(b.finalLogLikelihood, a.finalLogLikelihood);
  EXPECT_EQ(b.finalLogLikelihoodChange, a.finalLogLikelihoodChange);
  EXPECT_EQ(b.tolerance, a.tolerance);
  EXPECT_EQ(b.pairs, a.pairs);
  EXPECT_EQ(loaded.toJson(), text) << "writing is deterministic";
}

TEST(FellegiSunterModelJson, CandidateUMethodRoundTrips) {
  FellegiSunterModel model = handModel();
  TrainingReport report;
  report.u = USampleReport{7, 1000, true, 4321};
  FellegiSunterModel withReport(model.comparisons(), model.parameters(), {}, report);
  const std::string text = withReport.toJson();
  EXPECT_NE(text.find("\"candidates_anchor_disagree\""), std::string::npos) << text;
  const auto loaded = FellegiSunterModel::fromJson(schemas::JsonNode::parseText(text, "model.json"));
  ASSERT_TRUE(loaded.training().u);
  EXPECT_TRUE(loaded.training().u->fromCandidates);
  EXPECT_EQ(loaded.training().u->candidatePairs, 4321u);
  EXPECT_EQ(loaded.toJson(), text);

  report.u = USampleReport{7, 1000, false, 0};
  const std::string plain = FellegiSunterModel(model.comparisons(), model.parameters(), {}, report).toJson();
  EXPECT_EQ(plain.find("candidate_pairs"), std::string::npos) << plain;
  EXPECT_FALSE(FellegiSunterModel::fromJson(schemas::JsonNode::parseText(plain, "model.json")).training().u->fromCandidates);
}

TEST(FellegiSunterModelJson, NotRunEmChangeIsWrittenAsNull) {
  FellegiSunterModel model = handModel();
  TrainingReport report;
  report.em = EmReport{};
  report.em->finalLogLikelihoodChange = std::nan("");
  FellegiSunterModel withReport(model.comparisons(), model.parameters(), {}, report);
  const std::string text = withReport.toJson();
  EXPECT_NE(text.find("\"final_log_likelihood_change\": null"), std::string::npos) << text;
  const auto loaded = FellegiSunterModel::fromJson(schemas::JsonNode::parseText(text, "model.json"));
  EXPECT_TRUE(std::isnan(loaded.training().em->finalLogLikelihoodChange));
}

std::string loadError(const std::string& text) {
  try {
    FellegiSunterModel::fromJson(schemas::JsonNode::parseText(text, "model.json"));
  } catch (const schemas::DocumentError& error) {
    return error.what();
  }
  return "no error";
}

TEST(FellegiSunterModelJson, ErrorsNameTheKeyPath) {
  const std::string good = handModel().toJson();
  EXPECT_EQ(loadError(good), "no error");
  auto replaced = [&](const std::string& from, const std::string& to) {
    std::string text = good;
    const auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return text.replace(at, from.size(), to);
  };
  EXPECT_NE(loadError(replaced("\"version\": 1", "\"version\": 2")).find("model.json: version: unsupported version 2"),
            std::string::npos);
  EXPECT_NE(loadError(replaced("nser-linkage-model", "splink")).find("model.json: format:"), std::string::npos);
  EXPECT_NE(loadError(replaced("\"m\": 0.06", "\"m\": 0")).find("model.json: comparisons[0].levels[1].m: must be between"),
            std::string::npos);
  EXPECT_NE(loadError(replaced("\"u\": 0.999989", "\"uu\": 0.999989")).find("comparisons[0].levels[2]: unknown key 'uu'"),
            std::string::npos);
  EXPECT_NE(loadError(replaced("\"lambda\"", "\"prior\"")).find("unknown key 'prior'"), std::string::npos);
}

TEST(FellegiSunterModelJson, DocumentedExampleLoads) {
  std::FILE* file = std::fopen(NSER_SOURCE_DIR "/schemas/linkage-model.md", "rb");
  ASSERT_NE(file, nullptr);
  std::string doc;
  char buffer[4096];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof(buffer), file)) > 0;) doc.append(buffer, n);
  std::fclose(file);
  const auto begin = doc.find("```json\n");
  ASSERT_NE(begin, std::string::npos);
  const auto end = doc.find("```", begin + 8);
  ASSERT_NE(end, std::string::npos);
  const auto model =
      FellegiSunterModel::fromJson(schemas::JsonNode::parseText(doc.substr(begin + 8, end - begin - 8), "example"));
  EXPECT_EQ(model.comparisons().size(), 3u);
  EXPECT_EQ(model.parameters().lambda, 0.0213);
  EXPECT_TRUE(model.training().em->converged);
  EXPECT_EQ(model.termFrequencyKinds(), std::vector<TokenKind>{TokenKind::NamePhonetic});
}

TEST(FellegiSunterModelJson, FilesLoad) {
  const auto model = handModel();
  const std::string path = ::testing::TempDir() + "fellegi_sunter_model_test.json";
  {
    std::FILE* file = std::fopen(path.c_str(), "wb");
    ASSERT_NE(file, nullptr);
    const std::string text = model.toJson();
    std::fwrite(text.data(), 1, text.size(), file);
    std::fclose(file);
  }
  const auto loaded = FellegiSunterModel::loadFile(path);
  EXPECT_EQ(loaded.parameters().m, model.parameters().m);
  std::remove(path.c_str());
  EXPECT_THROW(FellegiSunterModel::loadFile(path), schemas::DocumentError);
}

// ---- u sampling and end-to-end training -------------------------------------------

// A synthetic population: each person has a CNIC (token + two "deletion"
// tokens) and a phonetic key; the right side has typos in some CNICs.
struct Population {
  std::vector<EncodedRecord> left, right;
};

Population population(std::size_t people, std::uint64_t seed) {
  std::mt19937_64 random(seed);
  Population pop;
  auto cnicTokens = [](std::uint32_t person, bool typo) {
    auto token = [](TokenKind kind, std::uint32_t value, std::uint8_t salt) {
      KeyedToken t;
      t.kind = kind;
      std::memcpy(t.digest.data(), &value, sizeof(value));
      t.digest[15] = salt;
      return t;
    };
    // A typo changes the CNIC and one deletion token but keeps the other.
    return std::vector<KeyedToken>{token(TokenKind::Cnic, person, typo ? 1 : 0),
                                   token(TokenKind::CnicDeletion, person, 2),
                                   token(TokenKind::CnicDeletion, person, typo ? 4 : 3)};
  };
  for (std::uint32_t p = 0; p < people; ++p) {
    EncodedRecord l, r;
    l.id = r.id = std::to_string(p);
    l.tokens = cnicTokens(p, false);
    r.tokens = cnicTokens(p, uniform01(random) < 0.1);
    const std::uint8_t phonetic = static_cast<std::uint8_t>(random() % 200);
    l.tokens.push_back(tokenOf(TokenKind::NamePhonetic, phonetic));
    r.tokens.push_back(tokenOf(TokenKind::NamePhonetic, uniform01(random) < 0.9 ? phonetic : static_cast<std::uint8_t>(random() % 200)));
    pop.left.push_back(l);
    pop.right.push_back(r);
  }
  return pop;
}

TEST(FellegiSunterTraining, USamplingIsDeterministicPerSeed) {
  const auto pop = population(500, 3);
  const auto settings = cnicAndPhonetic();
  USampleReport report;
  const auto u1 = estimateUFromRandomPairs(settings, pop.left, pop.right, {20'000, 5}, &report);
  const auto u2 = estimateUFromRandomPairs(settings, pop.left, pop.right, {20'000, 5});
  const auto u3 = estimateUFromRandomPairs(settings, pop.left, pop.right, {20'000, 6});
  EXPECT_EQ(u1, u2);
  EXPECT_NE(u1, u3);
  EXPECT_EQ(report.seed, 5u);
  EXPECT_EQ(report.pairs, 20'000u);
  // Random pairs almost never share a CNIC; phonetic keys agree about 1/200.
  EXPECT_LT(u1[0][1], 0.01);
  EXPECT_NEAR(u1[1][1], 1.0 / 200, 0.004);
  EXPECT_EQ(u1[0][kNullLevel], 1.0);
}

TEST(FellegiSunterTraining, DeduplicationSamplingNeverPairsARecordWithItself) {
  std::vector<EncodedRecord> two(2);
  two[0].tokens = {tokenOf(TokenKind::Cnic, 1), tokenOf(TokenKind::NamePhonetic, 1)};
  two[1].tokens = {tokenOf(TokenKind::Cnic, 2), tokenOf(TokenKind::NamePhonetic, 2)};
  const auto u = estimateUFromRandomPairs(cnicAndPhonetic(), two, two, {1'000, 9});
  EXPECT_EQ(u[0][1], kMinProbability) << "a self-pair would agree on the CNIC";
  EXPECT_EQ(u[0][3], kMaxProbability);
  std::vector<EncodedRecord> one(1);
  EXPECT_THROW(estimateUFromRandomPairs(cnicAndPhonetic(), one, one, {10, 1}), FellegiSunterError);
}

TEST(FellegiSunterTraining, TrainsAModelThatSeparatesMatches) {
  const auto pop = population(3'000, 17);
  auto settings = cnicAndPhonetic();
  // Candidates: every true pair and three random non-pairs per record.
  ComparisonVectorSet candidates(settings.size());
  std::mt19937_64 random(4);
  std::size_t matches = 0;
  for (std::size_t i = 0; i < pop.left.size(); ++i) {
    candidates.appendPair(settings, pop.left[i], pop.right[i]);
    ++matches;
    for (int k = 0; k < 3; ++k) {
      const std::size_t j = (i + 1 + random() % (pop.right.size() - 1)) % pop.right.size();
      candidates.appendPair(settings, pop.left[i], pop.right[j]);
    }
  }
  TrainingOptions options;
  options.u = {200'000, 99};
  const auto model = trainModel(settings, pop.left, pop.right, candidates, options);
  ASSERT_TRUE(model.training().em && model.training().u);
  EXPECT_TRUE(model.training().em->converged);
  EXPECT_EQ(model.training().u->seed, 99u);
  EXPECT_NEAR(model.parameters().lambda, static_cast<double>(matches) / static_cast<double>(candidates.size()), 0.01);
  EXPECT_NEAR(model.parameters().m[0][1], 0.9, 0.03) << "10% CNIC typos";
  EXPECT_NEAR(model.parameters().m[0][2], 0.1, 0.03);
  EXPECT_GT(model.matchWeight(pop.left[5], pop.right[5]), 0.0);
  EXPECT_LT(model.matchWeight(pop.left[5], pop.right[6]), 0.0);
}

// ---- Threshold guidance ----------------------------------------------------------------

TEST(ThresholdGuidance, TableIsMonotoneAndAgreesWithTheTruth) {
  const Truth truth;
  const Simulation sim = simulate(truth, 50'000, 41);
  const auto start = initialParameters(truth.levelCounts(), empiricalU(truth, 200'000, 42), 0.1);
  const EmResult em = estimateByEm(sim.vectors, start, EmOptions{});
  const FellegiSunterModel model(settingsFor(truth.levelCounts()), em.parameters);

  const ThresholdGuidance guidance = thresholdGuidance(model, sim.vectors);
  ASSERT_GE(guidance.rows.size(), 5u);
  EXPECT_LE(guidance.rows.size(), 31u);
  EXPECT_EQ(guidance.pairs, 50'000u);
  for (std::size_t i = 1; i < guidance.rows.size(); ++i) {
    const auto& prev = guidance.rows[i - 1];
    const auto& row = guidance.rows[i];
    EXPECT_GT(row.threshold, prev.threshold);
    EXPECT_LE(row.recall, prev.recall);
    EXPECT_LE(row.pairsAbove, prev.pairsAbove);
    EXPECT_LE(row.expectedTruePositives, prev.expectedTruePositives);
  }
  EXPECT_NEAR(guidance.rows.front().recall, 1.0, 1e-12) << "the lowest threshold takes every pair";
  for (const auto& row : guidance.rows) {
    EXPECT_NEAR(row.expectedTruePositives + row.expectedFalseNegatives, guidance.expectedMatches, 1e-6);
    if (row.pairsAbove > 0) {
      EXPECT_GE(row.precision, 0.0);
      EXPECT_LE(row.precision, 1.0);
    } else {
      EXPECT_TRUE(std::isnan(row.precision));
    }
  }

  // The model is well specified here, so its estimates match the simulated truth.
  const double thresholds[] = {4.0, 0.0, -4.0};
  const ThresholdGuidance chosen = thresholdGuidance(model, sim.vectors, thresholds);
  ASSERT_EQ(chosen.rows.size(), 3u);
  EXPECT_EQ(chosen.rows[0].threshold, -4.0) << "rows come out ascending";
  const double trueMatches = static_cast<double>(std::count(sim.isMatch.begin(), sim.isMatch.end(), true));
  EXPECT_NEAR(chosen.expectedMatches / trueMatches, 1.0, 0.03);
  for (const auto& row : chosen.rows) {
    double tp = 0, above = 0;
    for (std::size_t i = 0; i < sim.vectors.size(); ++i) {
      if (model.matchWeight(sim.vectors[i]) < row.threshold) continue;
      above += 1;
      tp += sim.isMatch[i] ? 1 : 0;
    }
    EXPECT_EQ(static_cast<double>(row.pairsAbove), above);
    EXPECT_NEAR(row.precision, tp / above, 0.02) << "threshold " << row.threshold;
    EXPECT_NEAR(row.recall, tp / trueMatches, 0.02) << "threshold " << row.threshold;
  }
  const std::string text = chosen.format();
  EXPECT_NE(text.find("precision"), std::string::npos) << text;
  EXPECT_NE(text.find("-4.00"), std::string::npos) << text;
}

}  // namespace
}  // namespace nser::linkage

namespace nser::linkage {
namespace {

// Two comparisons: 0 = anchor (levels: 1 agree, 2 disagree), 1 = a field
// (levels: 1 agree, 2 disagree). Hand-made candidates.
ComparisonVectorSet anchoredCandidates() {
  ComparisonVectorSet set(2);
  auto add = [&](std::uint8_t a, std::uint8_t b, int times) {
    for (int i = 0; i < times; ++i) set.append(std::vector<std::uint8_t>{a, b});
  };
  add(1, 1, 90);   // anchor agrees, field agrees
  add(1, 2, 10);   // anchor agrees, field disagrees
  add(2, 1, 5);    // anchor disagrees, field agrees
  add(2, 2, 895);  // both disagree
  return set;
}

TEST(AnchoredEstimate, MOfOtherComparisonsComesFromAnchoredPairs) {
  FellegiSunterParameters p;
  p.lambda = 0.1;
  p.u = {{1.0, 0.001, 0.999}, {1.0, 0.01, 0.99}};
  p.m = {{1.0, 0.9, 0.1}, {1.0, 0.5, 0.5}};
  EmOptions options;
  EmReport report = anchoredEstimate(anchoredCandidates(), 0, options, p);
  // Field m among the 100 anchored pairs, half a pair of smoothing per level.
  EXPECT_NEAR(p.m[1][1], 90.5 / 101.0, 1e-12);
  EXPECT_NEAR(p.m[1][2], 10.5 / 101.0, 1e-12);
  EXPECT_TRUE(report.converged);
  EXPECT_GT(report.iterations, 1);
  EXPECT_EQ(report.pairs, 1000u);
  // About the 100 anchored pairs plus a few of the field-only agreements are matches.
  EXPECT_GT(p.lambda, 0.09);
  EXPECT_LT(p.lambda, 0.12);
}

TEST(CandidateU, ComesFromCandidatesWhoseAnchorDisagrees) {
  std::vector<std::vector<double>> u = {{1.0, 0.001, 0.999}, {1.0, 0.01, 0.99}};
  EXPECT_EQ(candidateU(anchoredCandidates(), 0, u), 900u);
  // The field's u among the 900 pairs at the anchor's else level, half a
  // pair of smoothing per level; the anchor's own u is left alone.
  EXPECT_NEAR(u[1][1], 5.5 / 901.0, 1e-12);
  EXPECT_NEAR(u[1][2], 895.5 / 901.0, 1e-12);
  EXPECT_EQ(u[0], (std::vector<double>{1.0, 0.001, 0.999}));
  EXPECT_THROW(candidateU(anchoredCandidates(), 2, u), FellegiSunterError);
}

TEST(CandidateU, RecoversUOfSimulatedCandidatesAndThePrior) {
  // Candidates where the anchor (comparison 0) is exact for 95% of matches
  // and almost never for non-matches; the other comparisons' u among
  // candidates is far from what random pairs would show.
  Truth truth;
  truth.lambda = 0.2;
  truth.m = {{0.95, 0.04, 0.01}, {0.85, 0.1, 0.05}, {0.7, 0.2, 0.1}};
  truth.u = {{0.0005, 0.01, 0.9895}, {0.3, 0.3, 0.4}, {0.25, 0.25, 0.5}};
  const Simulation sim = simulate(truth, 100'000, 21);
  std::vector<std::vector<double>> u = {{1.0, 0.0005, 0.01, 0.9895}, {1.0, 0.01, 0.01, 0.98}, {1.0, 0.01, 0.01, 0.98}};
  candidateU(sim.vectors, 0, u);
  for (std::size_t c = 1; c < 3; ++c) {
    for (std::size_t l = 0; l < 3; ++l) EXPECT_NEAR(u[c][l + 1], truth.u[c][l], 0.02) << c << " " << l;
  }
  FellegiSunterParameters p = initialParameters(truth.levelCounts(), u, 0.5);
  anchoredEstimate(sim.vectors, 0, EmOptions{}, p);
  EXPECT_NEAR(p.lambda, truth.lambda, 0.02);
}

TEST(AnchoredEstimate, ReportsNonConvergenceHonestly) {
  FellegiSunterParameters p;
  p.lambda = 0.5;
  p.u = {{1.0, 0.001, 0.999}, {1.0, 0.01, 0.99}};
  p.m = {{1.0, 0.9, 0.1}, {1.0, 0.5, 0.5}};
  EmOptions options;
  options.maxIterations = 1;
  EmReport report = anchoredEstimate(anchoredCandidates(), 0, options, p);
  EXPECT_FALSE(report.converged);
  EXPECT_EQ(report.iterations, 1);
  EXPECT_THROW(anchoredEstimate(anchoredCandidates(), 5, options, p), FellegiSunterError);
}

}  // namespace
}  // namespace nser::linkage
