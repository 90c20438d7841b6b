// Google Benchmark for clkhash-compatible CLK encoding
// (docs/clkhash-compatibility.md, "Speed"). One thread: the numbers are
// records per second per core.
//
//   BM_ClkEncodeNcvr/blakeHash    the published vectors' schema (novt_schema:
//                                 4 bigram features, bitsPerFeature 100,
//                                 blakeHash, 1024 bits) over the 5,000 NCVR
//                                 records of party 0, round robin
//   BM_ClkEncodeNcvr/doubleHash   the same schema with doubleHash
//                                 (HMAC-SHA1 + HMAC-MD5 per token)
//   BM_ClkEncodeNcvr/xorFold      blakeHash hashed into 2048 bits, folded once
//   BM_ClkEncodeNcvr/blakeHash-nocache, /doubleHash-nocache
//                                 the token cache disabled: every token hashed
//
// Run: build/<dir>/tests/bench/clk_encoder_bench --benchmark_min_time=2
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "linkage/clk_encoder.h"
#include "schemas/json_document.h"

namespace {

using namespace nser::linkage;

const std::string kVectors = std::string(NSER_SHARED_DIR) + "/testvectors/clkhash/";

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::vector<std::string>> readRows() {
  std::ifstream in(kVectors + "ncvr_numrec_5000_modrec_2_ocp_20_myp_0_nump_10.csv");
  std::vector<std::vector<std::string>> rows;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::stringstream stream(line);
    std::string cell;
    while (std::getline(stream, cell, ',')) cells.push_back(cell);
    rows.push_back(cells);
  }
  return rows;
}

std::string replaceAll(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size())) {
    text.replace(pos, from.size(), to);
  }
  return text;
}

void BM_ClkEncodeNcvr(benchmark::State& state) {
  std::string schemaText = readFile(kVectors + "novt_schema.json");
  const int variant = static_cast<int>(state.range(0));
  const bool cacheTokens = state.range(1) != 0;
  if (variant == 1) schemaText = replaceAll(schemaText, "\"blakeHash\"", "\"doubleHash\"");
  if (variant == 2) schemaText = replaceAll(schemaText, "\"l\": 1024,", "\"l\": 1024, \"xorFolds\": 1,");
  state.SetLabel(std::string(variant == 0 ? "blakeHash" : variant == 1 ? "doubleHash" : "xorFold") +
                 (cacheTokens ? "" : "-nocache"));
  const ClkSchema schema = parseClkSchema(nser::schemas::JsonNode::parseText(schemaText, "novt_schema.json"));
  const std::vector<std::uint8_t> secret = {'s', 'e', 'c', 'r', 'e', 't'};
  const ClkEncoder encoder(schema, secret);
  const auto rows = readRows();
  std::vector<std::vector<std::string_view>> records;
  for (const auto& row : rows) records.emplace_back(row.begin(), row.end());

  ClkWorkspace workspace = encoder.makeWorkspace(cacheTokens);
  BloomFilter clk(encoder.clkBits());
  std::size_t next = 0;
  std::size_t failures = 0;
  for (auto _ : state) {
    const ClkEncodeResult result = encoder.encode(records[next], workspace, clk);
    failures += result.ok ? 0 : 1;
    benchmark::DoNotOptimize(clk.words().data());
    next = next + 1 == records.size() ? 0 : next + 1;
  }
  if (failures > 0) state.SkipWithError("records failed to encode");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["records_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ClkEncodeNcvr)->Args({0, 1})->Args({1, 1})->Args({2, 1})->Args({0, 0})->Args({1, 0});

}  // namespace

BENCHMARK_MAIN();
