// Google Benchmark for blocking (docs/blocking.md), with the recommended
// configuration on generated encodings shaped like the real ones: 1024-bit
// CLKs with half the bits set, 13 CNIC deletion tokens, Zipf-distributed
// phonetic names, ~150 districts, birth years 1940-2020, household phones.
//
//   BM_BlockingBuildIndex/<n>    index n records: records_per_second,
//                                index_bytes_per_record
//   BM_BlockingCandidates/<n>    stream n queries (half are perturbed copies
//                                of indexed records) past an index of n:
//                                queries_per_second, candidates_per_query,
//                                pairs_completeness of the planted copies
//
// Tokens are derived from integers (no secret, no personal data).
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "linkage/blocking_candidates.h"
#include "linkage/blocking_config.h"
#include "linkage/blocking_index.h"
#include "tests/linkage/blocking_test_records.h"

namespace {

using nser::linkage::EncodedRecord;
using nser::linkage::FilterWords;
using nser::linkage::KeyedToken;
using nser::linkage::TokenKind;
using nser::linkage::blocking_test::token;

constexpr std::size_t kClkWords = 16;

struct Person {
  std::uint64_t id, name, relation, district, birthYear, birthDay, phone;
};

class Population {
 public:
  explicit Population(std::uint64_t seed) : rng_(seed), zipf_(zipfWeights(5000)) {}

  Person person(std::uint64_t id) {
    return {id, zipf_(rng_), zipf_(rng_), rng_() % 150, 1940 + rng_() % 81, rng_() % 365, id / 5};
  }

  EncodedRecord encode(const Person& p, FilterWords clk) {
    EncodedRecord record;
    record.clk = std::move(clk);
    for (std::uint64_t i = 0; i < 13; ++i) record.tokens.push_back(token(TokenKind::CnicDeletion, p.id * 16 + i));
    record.tokens.push_back(token(TokenKind::NamePhonetic, p.name));
    record.tokens.push_back(token(TokenKind::NamePhoneticDistrict, p.name * 1000 + p.district));
    record.tokens.push_back(token(TokenKind::RelationPhonetic, p.relation));
    record.tokens.push_back(token(TokenKind::BirthYear, p.birthYear));
    record.tokens.push_back(token(TokenKind::BirthDate, p.birthYear * 1000 + p.birthDay));
    record.tokens.push_back(token(TokenKind::Phone, p.phone));
    return record;
  }

  FilterWords randomClk() {
    FilterWords words(kClkWords);
    for (auto& w : words) w = rng_();
    return words;
  }

  // A second source's record of the same person: ~5% of CLK bits flipped,
  // and with probability 1/2 a CNIC typo (the deletion tokens then share 1).
  EncodedRecord perturbedCopy(const Person& p, const FilterWords& clk) {
    FilterWords noisy = clk;
    for (int i = 0; i < 50; ++i) {
      auto bit = rng_() % (kClkWords * 64);
      noisy[bit / 64] ^= std::uint64_t{1} << (bit % 64);
    }
    EncodedRecord copy = encode(p, std::move(noisy));
    if (rng_() % 2 == 0) {
      for (std::size_t i = 1; i < 13; ++i) copy.tokens[i] = token(TokenKind::CnicDeletion, (p.id + (1u << 30)) * 16 + i);
    }
    return copy;
  }

  std::mt19937_64& rng() { return rng_; }

 private:
  static std::discrete_distribution<std::uint64_t> zipfWeights(std::size_t n) {
    std::vector<double> w(n);
    for (std::size_t i = 0; i < n; ++i) w[i] = 1.0 / static_cast<double>(i + 1);
    return {w.begin(), w.end()};
  }

  std::mt19937_64 rng_;
  std::discrete_distribution<std::uint64_t> zipf_;
};

struct Dataset {
  std::vector<EncodedRecord> b;
  std::vector<EncodedRecord> a;
  std::vector<std::int64_t> planted;  // a[i] copies b[planted[i]], or -1
};

Dataset makeDataset(std::size_t n) {
  Population population(12345);
  Dataset data;
  std::vector<Person> people;
  std::vector<FilterWords> clks;
  for (std::size_t i = 0; i < n; ++i) {
    people.push_back(population.person(i));
    clks.push_back(population.randomClk());
    data.b.push_back(population.encode(people.back(), clks.back()));
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (i % 2 == 0) {
      auto j = population.rng()() % n;
      data.a.push_back(population.perturbedCopy(people[j], clks[j]));
      data.planted.push_back(static_cast<std::int64_t>(j));
    } else {
      data.a.push_back(population.encode(population.person(n + i), population.randomClk()));
      data.planted.push_back(-1);
    }
  }
  return data;
}

const Dataset& dataset(std::size_t n) {
  static std::size_t cachedSize = 0;
  static Dataset cached;
  if (cachedSize != n) {
    cached = makeDataset(n);
    cachedSize = n;
  }
  return cached;
}

void BM_BlockingBuildIndex(benchmark::State& state) {
  const auto& data = dataset(static_cast<std::size_t>(state.range(0)));
  auto config = nser::linkage::BlockingConfig::recommended();
  std::size_t bytes = 0;
  for (auto _ : state) {
    auto index = nser::linkage::buildBlockingIndex(config, kClkWords * 64, data.b);
    bytes = index.stats().memoryBytes;
    benchmark::DoNotOptimize(bytes);
  }
  state.counters["records_per_second"] =
      benchmark::Counter(static_cast<double>(state.iterations() * data.b.size()), benchmark::Counter::kIsRate);
  state.counters["index_bytes_per_record"] = static_cast<double>(bytes) / static_cast<double>(data.b.size());
}
BENCHMARK(BM_BlockingBuildIndex)->Arg(100000)->Arg(1000000)->Unit(benchmark::kMillisecond);

void BM_BlockingCandidates(benchmark::State& state) {
  const auto& data = dataset(static_cast<std::size_t>(state.range(0)));
  auto index = nser::linkage::buildBlockingIndex(nser::linkage::BlockingConfig::recommended(), kClkWords * 64, data.b);
  std::uint64_t candidates = 0, plantedFound = 0, planted = 0;
  nser::linkage::CandidateSearchCounters counters;
  for (auto _ : state) {
    candidates = plantedFound = 0;
    counters = nser::linkage::forEachCandidate(index, data.a, [&](std::uint32_t i, std::span<const std::uint32_t> c) {
      candidates += c.size();
      if (data.planted[i] >= 0 &&
          std::binary_search(c.begin(), c.end(), static_cast<std::uint32_t>(data.planted[i]))) {
        ++plantedFound;
      }
    });
  }
  for (auto p : data.planted) planted += p >= 0;
  const auto stats = index.stats();
  state.counters["queries_per_second"] =
      benchmark::Counter(static_cast<double>(state.iterations() * data.a.size()), benchmark::Counter::kIsRate);
  state.counters["candidates_per_query"] = static_cast<double>(candidates) / static_cast<double>(data.a.size());
  state.counters["pairs_completeness"] = static_cast<double>(plantedFound) / static_cast<double>(planted);
  state.counters["oversize_blocks"] = static_cast<double>(stats.oversizeBlocks);
  state.counters["oversize_lookups_per_query"] =
      static_cast<double>(counters.oversizeLookups) / static_cast<double>(data.a.size());
}
BENCHMARK(BM_BlockingCandidates)->Arg(100000)->Arg(1000000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
