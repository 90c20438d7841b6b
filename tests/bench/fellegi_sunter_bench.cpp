// Google Benchmark for Fellegi-Sunter scoring (docs/fellegi-sunter.md, "Speed").
//
//   BM_ComparePair/<field bits>        comparison vector of one pair (5 field
//                                      Dice comparisons + CNIC + phonetic token)
//   BM_ScorePair/<field bits>/<tf>     compare + match weight, with or without
//                                      the term-frequency adjustment
//   BM_ScoreVector                     match weight of a ready comparison vector
//   BM_EstimateByEm/<pairs>            a whole EM run on simulated vectors
//
// Items per second = pairs per second. Records are synthetic: random field
// filters at about 25% density, 16 CNIC tokens (CNIC + deletion neighbourhood)
// and two phonetic tokens each; half the pairs are noisy copies (matches).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "linkage/comparison_vector.h"
#include "linkage/fellegi_sunter.h"
#include "linkage/token_frequency.h"

namespace {

using namespace nser::linkage;

constexpr std::size_t kFields = 5;
constexpr std::size_t kRecords = 1024;

KeyedToken randomToken(std::mt19937_64& random, TokenKind kind) {
  KeyedToken token;
  token.kind = kind;
  for (auto& byte : token.digest) byte = static_cast<std::uint8_t>(random());
  return token;
}

FilterWords randomFilter(std::mt19937_64& random, std::size_t bits) {
  FilterWords words(bits / 64);
  for (auto& word : words) word = random() & random();  // about 25% of bits set
  return words;
}

EncodedRecord randomRecord(std::mt19937_64& random, std::size_t fieldBits, std::uint32_t id) {
  EncodedRecord r;
  r.id = std::to_string(id);
  for (std::size_t f = 0; f < kFields; ++f) r.fieldFilters.push_back(randomFilter(random, fieldBits));
  r.tokens.push_back(randomToken(random, TokenKind::Cnic));
  for (int d = 0; d < 13; ++d) r.tokens.push_back(randomToken(random, TokenKind::CnicDeletion));
  // Phonetic keys from a small vocabulary, so some are common.
  for (int p = 0; p < 2; ++p) {
    KeyedToken token;
    token.kind = TokenKind::NamePhonetic;
    token.digest.fill(static_cast<std::uint8_t>(random() % 64));
    r.tokens.push_back(token);
  }
  r.tokens.push_back(randomToken(random, TokenKind::BirthYear));
  return r;
}

// A noisy copy: a few filter bits flipped, one CNIC deletion token kept.
EncodedRecord noisyCopy(std::mt19937_64& random, const EncodedRecord& original) {
  EncodedRecord r = original;
  for (auto& filter : r.fieldFilters) {
    for (int flip = 0; flip < 8; ++flip) filter[random() % filter.size()] ^= std::uint64_t{1} << (random() % 64);
  }
  if (random() % 10 == 0) r.tokens[0] = randomToken(random, TokenKind::Cnic);
  return r;
}

ComparisonSettings benchSettings() {
  std::vector<ComparisonDefinition> definitions;
  for (std::size_t f = 0; f < kFields; ++f) {
    ComparisonDefinition d;
    d.name = "field" + std::to_string(f);
    d.method = ComparisonMethod::FieldDice;
    d.field = d.name;
    d.levels = {{"exact", 0.95, {}, false}, {"close", 0.8, {}, false}, {"weak", 0.6, {}, false}, {"disagree", 0, {}, false}};
    definitions.push_back(d);
  }
  ComparisonDefinition cnic;
  cnic.name = "cnic";
  cnic.method = ComparisonMethod::TokenAgreement;
  cnic.levels = {{"exact", 0, {TokenKind::Cnic}, false},
                 {"one_digit", 0, {TokenKind::CnicDeletion}, false},
                 {"disagree", 0, {}, false}};
  definitions.push_back(cnic);
  ComparisonDefinition phonetic;
  phonetic.name = "name_phonetic";
  phonetic.method = ComparisonMethod::TokenAgreement;
  phonetic.levels = {{"agree", 0, {TokenKind::NamePhonetic}, true}, {"disagree", 0, {}, false}};
  definitions.push_back(phonetic);
  ComparisonSettings settings(std::move(definitions));
  std::vector<std::string> fields;
  for (std::size_t f = 0; f < kFields; ++f) fields.push_back("field" + std::to_string(f));
  settings.bindFields(fields);
  return settings;
}

FellegiSunterModel benchModel() {
  auto settings = benchSettings();
  FellegiSunterParameters p;
  p.lambda = 0.05;
  for (std::size_t c = 0; c < settings.size(); ++c) {
    const std::size_t levels = settings.comparisons()[c].levelCount();
    std::vector<double> m(levels, 1.0), u(levels, 1.0);
    for (std::size_t l = 1; l < levels; ++l) {
      m[l] = l == 1 ? 0.8 : 0.2 / static_cast<double>(levels - 2);
      u[l] = l + 1 == levels ? 0.9 : 0.1 / static_cast<double>(levels - 2);
    }
    p.m.push_back(m);
    p.u.push_back(u);
  }
  return FellegiSunterModel(std::move(settings), p);
}

struct PairData {
  std::vector<EncodedRecord> left, right;
};

PairData makePairs(std::size_t fieldBits) {
  std::mt19937_64 random(42);
  PairData data;
  for (std::uint32_t i = 0; i < kRecords; ++i) data.left.push_back(randomRecord(random, fieldBits, i));
  for (std::uint32_t i = 0; i < kRecords; ++i) {
    data.right.push_back(i % 2 == 0 ? noisyCopy(random, data.left[i]) : randomRecord(random, fieldBits, i + kRecords));
  }
  return data;
}

void BM_ComparePair(benchmark::State& state) {
  const auto fieldBits = static_cast<std::size_t>(state.range(0));
  const PairData data = makePairs(fieldBits);
  const auto settings = benchSettings();
  std::vector<std::uint8_t> levels(settings.size());
  std::size_t i = 0;
  for (auto _ : state) {
    settings.compare(data.left[i], data.right[i], levels);
    benchmark::DoNotOptimize(levels.data());
    i = (i + 1) % kRecords;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ComparePair)->Arg(256)->Arg(512)->Arg(1024);

void BM_ScorePair(benchmark::State& state) {
  const auto fieldBits = static_cast<std::size_t>(state.range(0));
  const bool useTf = state.range(1) != 0;
  const PairData data = makePairs(fieldBits);
  const auto model = benchModel();
  TokenFrequencyTable table(model.termFrequencyKinds());
  for (const auto& r : data.left) table.add(r);
  for (const auto& r : data.right) table.add(r);
  table.finish();
  const TokenFrequencyTable* frequencies = useTf ? &table : nullptr;
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(model.matchWeight(data.left[i], data.right[i], frequencies));
    i = (i + 1) % kRecords;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ScorePair)->Args({512, 0})->Args({512, 1})->Args({1024, 0})->Args({1024, 1});

void BM_ScoreVector(benchmark::State& state) {
  const auto model = benchModel();
  const PairData data = makePairs(512);
  ComparisonVectorSet vectors(model.comparisons().size());
  for (std::size_t i = 0; i < kRecords; ++i) vectors.appendPair(model.comparisons(), data.left[i], data.right[i]);
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(model.matchWeight(vectors[i]));
    i = (i + 1) % kRecords;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ScoreVector);

void BM_EstimateByEm(benchmark::State& state) {
  const auto pairs = static_cast<std::size_t>(state.range(0));
  const auto model = benchModel();
  const PairData data = makePairs(512);
  ComparisonVectorSet vectors(model.comparisons().size());
  vectors.reserve(pairs);
  std::mt19937_64 random(7);
  for (std::size_t k = 0; k < pairs; ++k) {
    const std::size_t i = random() % kRecords;
    const std::size_t j = random() % 4 == 0 ? i : random() % kRecords;
    vectors.appendPair(model.comparisons(), data.left[i], data.right[j]);
  }
  const auto start = initialParameters(model.comparisons().levelCounts(), model.parameters().u, 0.1);
  int iterations = 0;
  for (auto _ : state) {
    const EmResult result = estimateByEm(vectors, start, EmOptions{});
    iterations = result.report.iterations;
    benchmark::DoNotOptimize(result.parameters.lambda);
  }
  state.counters["em_iterations"] = iterations;
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(pairs));
}
BENCHMARK(BM_EstimateByEm)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
