// Google Benchmark for the custodian-side normalisation (docs/roman-urdu-
// normalisation.md, "Throughput"): per-field cost of folding, name parsing,
// the Roman-Urdu key, CNIC and date parsing, on a fixed mix of realistic
// (synthetic) field values so runs are comparable.
//
//   build/release/tests/eval/normalisation_bench
#include <benchmark/benchmark.h>

#include <array>
#include <string_view>

#include "linkage/cnic.h"
#include "linkage/partial_date.h"
#include "linkage/person_name.h"
#include "linkage/roman_urdu_phonetic.h"
#include "linkage/text_folding.h"

namespace {

using namespace nser::linkage;

// Synthetic names in the shapes registry data has: titles, relations,
// particles, women's markers, Urdu script, typos.
constexpr std::array<std::string_view, 16> kNames = {
    "Muhammad Aslam",
    "Zainab Bibi w/o Muhammad Aslam",
    "Syed Muhammad Ali Shah",
    "Mst. Kalsoom Begum D/O Haji Ghulam Rasool",
    "Abdul Rehman Junejo",
    "Ch. Muhammad Sarwar S/O Ch. Fazal Din",
    "Zia-ud-Din Ahmed",
    "Shaista Bb.",
    "Allah Ditta Abro",
    "Malik Riaz Hussain",
    "Nasreen",
    "Habib ur Rehman Khattak",
    "Mohd. Qasim Kan",
    "\u0645\u062D\u0645\u062F \u0627\u0633\u0644\u0645",
    "Fatimah Mai",
    "Rana Tariq Mehmood",
};

constexpr std::array<std::string_view, 6> kCnics = {"35202-1234568-1", "3520212345681",
                                                    "42101 7654322 2", "61101-765432-2",
                                                    "", "5410112345679"};

constexpr std::array<std::string_view, 8> kDates = {"1985-03-13", "13/03/1985", "05/04/1990",
                                                    "Mar 1985",   "1985",       "01/01/1970",
                                                    "",           "13 March 1985"};

void BM_FoldText(benchmark::State& state) {
  std::string out;
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(foldText(kNames[i++ % kNames.size()], out));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FoldText);

void BM_ParsePersonName(benchmark::State& state) {
  std::size_t i = 0;
  for (auto _ : state) {
    PersonName parsed = parsePersonName(kNames[i++ % kNames.size()]);
    benchmark::DoNotOptimize(parsed);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParsePersonName);

void BM_RomanUrduNameKey(benchmark::State& state) {
  std::size_t i = 0;
  for (auto _ : state) {
    std::string key = romanUrduNameKey(kNames[i++ % kNames.size()]);
    benchmark::DoNotOptimize(key);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RomanUrduNameKey);

void BM_CanonicaliseCnic(benchmark::State& state) {
  std::size_t i = 0;
  for (auto _ : state) {
    CnicResult result = canonicaliseCnic(kCnics[i++ % kCnics.size()], Gender::male);
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CanonicaliseCnic);

void BM_ParsePartialDate(benchmark::State& state) {
  const DateParseOptions options{{2026, 11, 26}, 1900, 120};
  std::size_t i = 0;
  for (auto _ : state) {
    PartialDate date = parsePartialDate(kDates[i++ % kDates.size()], options);
    benchmark::DoNotOptimize(date);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParsePartialDate);

}  // namespace

BENCHMARK_MAIN();
