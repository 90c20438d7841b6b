// Google Benchmark for the Dice kernel (docs/performance.md, "Dice kernel").
//
//   BM_DiceKernel1024/<path>     one A filter against an L1-resident run of
//                                1024-bit B filters: the raw kernel, no search
//   BM_DiceSearch/<path>/<threads>/<length filter>
//                                the whole many-against-many search on
//                                generated data with planted near-duplicates
//
// Paths the CPU lacks are reported as skipped, not measured.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

#include "linkage/dice_benchmark_data.h"
#include "linkage/dice_kernel.h"
#include "linkage/dice_search.h"

namespace {

using nser::linkage::DicePath;

constexpr DicePath kPaths[] = {DicePath::Portable, DicePath::Avx2, DicePath::Avx512};

bool skipUnsupported(benchmark::State& state, DicePath path) {
  if (nser::linkage::dicePathSupported(path)) return false;
  state.SkipWithError((std::string(nser::linkage::dicePathName(path)) + " not supported by this CPU").c_str());
  return true;
}

nser::linkage::DiceFilterSet makeFilters(std::size_t count, std::uint64_t seed,
                                         const nser::linkage::DiceFilterSet* base) {
  nser::linkage::DiceDataOptions options;
  options.count = count;
  options.seed = seed;
  if (base != nullptr) {
    options.similarFraction = 0.1;
    options.base = base;
  }
  return nser::linkage::generateDiceFilters(options);
}

void BM_DiceKernel1024(benchmark::State& state) {
  const DicePath path = kPaths[state.range(0)];
  state.SetLabel(std::string(nser::linkage::dicePathName(path)));
  if (skipUnsupported(state, path)) return;
  const auto a = makeFilters(1, 1, nullptr);
  const auto b = makeFilters(128, 2, nullptr);  // 16 KiB: stays in L1
  std::vector<std::uint32_t> out(b.size());
  for (auto _ : state) {
    nser::linkage::diceIntersections(path, a.data(), b.data(), b.size(), 16, out.data());
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.counters["comparisons_per_second"] =
      benchmark::Counter(static_cast<double>(state.iterations() * b.size()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_DiceKernel1024)->DenseRange(0, 2);

void BM_DiceSearch(benchmark::State& state) {
  const DicePath path = kPaths[state.range(0)];
  nser::linkage::DiceSearchOptions options;
  options.path = path;
  options.threads = static_cast<unsigned>(state.range(1));
  options.lengthFilter = state.range(2) != 0;
  options.threshold = 0.8;
  options.countOnly = true;
  state.SetLabel(std::string(nser::linkage::dicePathName(path)) + " threads=" + std::to_string(options.threads) +
                 (options.lengthFilter ? " length-filter" : " no-length-filter"));
  if (skipUnsupported(state, path)) return;
  static const auto a = makeFilters(5000, 11, nullptr);
  static const auto b = makeFilters(5000, 12, &a);
  std::uint64_t pairs = 0, popcounted = 0, matches = 0;
  for (auto _ : state) {
    const auto result = nser::linkage::diceSearch(a, b, options);
    pairs += result.stats.pairs;
    popcounted += result.stats.popcountedPairs;
    matches = result.stats.matches;
  }
  state.counters["comparisons_per_second"] =
      benchmark::Counter(static_cast<double>(pairs), benchmark::Counter::kIsRate);
  state.counters["popcounted_per_second"] =
      benchmark::Counter(static_cast<double>(popcounted), benchmark::Counter::kIsRate);
  state.counters["matches"] = static_cast<double>(matches);
}
BENCHMARK(BM_DiceSearch)
    ->ArgsProduct({{0, 1, 2}, {1, 2}, {1, 0}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
