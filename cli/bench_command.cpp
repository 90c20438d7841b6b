// `nser bench <subject>`: measurements of one component, printed as
// `key=value` lines so scripts and docs/performance.md can quote them.
// Subjects are rows of kSubjects below; adding one is a function and a row.
//
//   dice       many-against-many Dice search over two files of raw filters
//   dice-data  writes such a file (random filters, optional near-duplicates)
//   encode     the full encoding pipeline of a linkage schema (bench_encode.cpp)
#include <chrono>
#include <cmath>
#include <ctime>
#include <fstream>
#include <iterator>
#include <ostream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "cli/arguments.h"
#include "cli/bench_gateway.h"
#include "cli/bench_hub.h"
#include "cli/bench_encode.h"
#include "cli/commands.h"
#include "linkage/dice_benchmark_data.h"
#include "linkage/dice_kernel.h"
#include "linkage/dice_search.h"

namespace nser::cli {

namespace {

// The file format of `nser bench dice`: raw 1024-bit filters, no header.
constexpr std::size_t kBenchFilterBits = 1024;

struct BenchSubject {
  const char* name;
  int (*run)(const std::vector<std::string>& args, CommandIo io);
};

linkage::DiceFilterSet readFilterFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open for reading");
  const std::vector<std::uint8_t> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) throw std::runtime_error(path + ": read failed");
  try {
    return linkage::DiceFilterSet::fromBytes(bytes, kBenchFilterBits);
  } catch (const linkage::DiceConfigError& error) {
    throw std::runtime_error(path + ": " + error.what() + " (expected raw 128-byte filters back to back)");
  }
}

void writeFilterFile(const std::string& path, const linkage::DiceFilterSet& set) {
  const std::vector<std::uint8_t> bytes = set.toBytes();
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error(path + ": cannot open for writing");
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) throw std::runtime_error(path + ": write failed");
}

void requireNoPositionals(const Arguments& parsed) {
  if (!parsed.positionals().empty()) throw UsageError("unexpected argument '" + parsed.positionals().front() + "'");
}

int runDice(const std::vector<std::string>& args, CommandIo io) {
  const Arguments parsed = Arguments::parse(
      args, {{"a"}, {"b"}, {"threshold"}, {"threads"}, {"path"}, {"top-k"}, {"repeat"}, {"no-length-filter", false}});
  requireNoPositionals(parsed);
  linkage::DiceSearchOptions options;
  if (!parsed.has("threshold")) throw UsageError("missing required option '--threshold'");
  options.threshold = parsed.realOr("threshold", 0.0, 0.0, 1.0);
  options.threads = static_cast<unsigned>(parsed.integerOr("threads", 1, 1, 1024));
  options.topK = static_cast<std::size_t>(parsed.integerOr("top-k", 0, 0, 1'000'000));
  const std::string pathName = parsed.valueOr("path", "auto");
  const auto path = linkage::parseDicePath(pathName);
  if (!path) throw UsageError("option '--path' must be auto, portable, avx2 or avx512, got '" + pathName + "'");
  options.path = *path;
  options.lengthFilter = !parsed.has("no-length-filter");
  options.countOnly = true;  // a benchmark reports how many, not which
  const auto repeat = parsed.integerOr("repeat", 1, 1, 1000);

  const linkage::DiceFilterSet a = readFilterFile(parsed.required("a"));
  const linkage::DiceFilterSet b = readFilterFile(parsed.required("b"));

  // The fastest of `repeat` runs: on a shared machine the minimum is the run
  // least disturbed by other work. Every run gives the same result.
  linkage::DiceSearchResult result;
  double seconds = 0.0, cpuSeconds = 0.0;
  for (std::int64_t run = 0; run < repeat; ++run) {
    const auto start = std::chrono::steady_clock::now();
    const std::clock_t cpuStart = std::clock();
    result = linkage::diceSearch(a, b, options);
    const double cpu = static_cast<double>(std::clock() - cpuStart) / CLOCKS_PER_SEC;
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (run == 0 || wall < seconds) {
      seconds = wall;
      cpuSeconds = cpu;
    }
  }

  const linkage::DiceSearchStats& stats = result.stats;
  auto rate = [seconds](std::uint64_t count) {
    return seconds > 0.0 ? std::llround(static_cast<double>(count) / seconds) : 0LL;
  };
  io.out << "path=" << linkage::dicePathName(stats.path) << "\n"
         << "threads=" << stats.threads << "\n"
         << "filter_bits=" << kBenchFilterBits << "\n"
         << "a_filters=" << a.size() << "\n"
         << "b_filters=" << b.size() << "\n"
         << "threshold=" << options.threshold << "\n"
         << "top_k=" << options.topK << "\n"
         << "length_filter=" << (options.lengthFilter ? "on" : "off") << "\n"
         << "comparisons=" << stats.pairs << "\n"
         << "popcounted=" << stats.popcountedPairs << "\n"
         << "matches=" << stats.matches << "\n"
         << "repeat=" << repeat << "\n"
         << "seconds=" << seconds << "\n"
         << "cpu_seconds=" << cpuSeconds << "\n"
         << "comparisons_per_second=" << rate(stats.pairs) << "\n"
         << "popcounted_per_second=" << rate(stats.popcountedPairs) << "\n";
  return kExitOk;
}

int runDiceData(const std::vector<std::string>& args, CommandIo io) {
  const Arguments parsed = Arguments::parse(args, {{"count"},
                                                   {"out"},
                                                   {"seed"},
                                                   {"density"},
                                                   {"density-spread"},
                                                   {"similar"},
                                                   {"base"},
                                                   {"noise"}});
  requireNoPositionals(parsed);
  linkage::DiceDataOptions options;
  if (!parsed.has("count")) throw UsageError("missing required option '--count'");
  options.count = static_cast<std::size_t>(parsed.integerOr("count", 0, 0, 10'000'000));
  const std::string out = parsed.required("out");
  options.seed = static_cast<std::uint64_t>(parsed.integerOr("seed", 1, 0, INT64_MAX));
  options.density = parsed.realOr("density", 0.4, 0.0, 1.0);
  options.densitySpread = parsed.realOr("density-spread", 0.1, 0.0, 0.5);
  options.similarFraction = parsed.realOr("similar", 0.0, 0.0, 1.0);
  options.noise = parsed.realOr("noise", 0.05, 0.0, 1.0);
  if (options.similarFraction > 0.0 && !parsed.has("base")) throw UsageError("option '--similar' needs '--base'");
  if (parsed.has("base") && !parsed.has("similar")) throw UsageError("option '--base' needs '--similar'");
  linkage::DiceFilterSet base(kBenchFilterBits);
  if (parsed.has("base")) {
    base = readFilterFile(parsed.required("base"));
    options.base = &base;
  }
  try {
    writeFilterFile(out, linkage::generateDiceFilters(options));
  } catch (const linkage::DiceConfigError& error) {
    throw UsageError(error.what());
  }
  io.out << "filters=" << options.count << "\n"
         << "similar=" << linkage::similarFilterCount(options) << "\n"
         << "bytes=" << options.count * kBenchFilterBits / 8 << "\n"
         << "out=" << out << "\n";
  return kExitOk;
}

const BenchSubject kSubjects[] = {{"dice", runDice}, {"dice-data", runDiceData}, {"encode", runBenchEncode},
                                  {"hub-ingest", runBenchHubIngest}, {"hub-search", runBenchHubSearch},
                                  {"gateway", runBenchGateway}};

}  // namespace

Command benchCommand() {
  Command command;
  command.name = "bench";
  command.summary = "Measure a component (the Dice kernel, the encoder) and print key=value results";
  command.help =
      "Usage: nser bench <subject> [options]\n\n"
      "Subjects:\n"
      "  dice       Compare every filter of A with every filter of B (1024-bit filters)\n"
      "  dice-data  Write a file of random 1024-bit filters for `bench dice`\n"
      "  encode     Encode a CSV in memory with a linkage schema's full pipeline\n"
      "  hub-ingest Push an encoding file to a running hub as one custodian's batches\n"
      "  hub-search Send DCI searches to a running hub from N connections\n"
      "  gateway    Brokered searches through a running programme gateway, open loop\n\n"
      "nser bench hub-ingest --custodian ID --encodings FILE.enc [--batch 1000]\n"
      "                      [--first-sequence 1] [--limit N] [--key-prefix P] CONNECTION\n"
      "  One batch in flight; prints records=, batches=, seconds=, records_per_second=,\n"
      "  batch_latency_p50_ms=, batch_latency_p99_ms=, next_sequence=.\n"
      "nser bench hub-search --encodings FILE.enc [--connections 8] [--seconds 10]\n"
      "                      [--requests N] [--queries 10000] CONNECTION\n"
      "  Prints requests=, failures=, with_match=, requests_per_second=,\n"
      "  latency_p50_ms=, latency_p90_ms=, latency_p99_ms=, latency_max_ms=.\n"
      "  CONNECTION: --hub https://HOST:PORT --cert FILE --key FILE --ca FILE (a party\n"
      "  with the custodian role; or $NSER_HUB_URL, $NSER_CERT, $NSER_KEY, $NSER_CA).\n\n"
      "nser bench gateway --url http://127.0.0.1:PORT --csv SOURCE.csv --programme P --purpose X\n"
      "                   --attributes a,b [--cnic-column cnic] [--rate 1000] [--seconds 20]\n"
      "                   [--connections 32] [--warmup 2] [--queries 20000]\n"
      "  Prints requests=, errors=, status_<code>=, with_values=, requests_per_second=,\n"
      "  latency_p50_ms= .. latency_max_ms= (from each request's scheduled send time).\n"
      "nser bench dice --a FILE --b FILE --threshold T [--threads N]\n"
      "                [--path auto|portable|avx2|avx512] [--top-k K] [--no-length-filter]\n"
      "                [--repeat R]\n"
      "  FILE holds raw 128-byte filters back to back, no header. Prints path=,\n"
      "  threads=, comparisons= (|A| x |B|, the logical all-pairs count),\n"
      "  popcounted= (pairs left after the popcount length filter), matches=\n"
      "  (pairs with Dice >= T, at most K per A filter with --top-k), seconds= (wall\n"
      "  time of the search only, not reading the files), cpu_seconds= (CPU time of\n"
      "  all search threads; well below seconds x threads means other work shared the CPUs),\n"
      "  comparisons_per_second= and\n"
      "  popcounted_per_second=. --no-length-filter makes every pair go through\n"
      "  the kernel (same matches) to measure the raw kernel. --repeat R runs the\n"
      "  search R times and reports the fastest run (seconds= and cpu_seconds= of it).\n\n"
      "nser bench dice-data --count N --out FILE [--seed S] [--density P]\n"
      "                     [--density-spread D] [--similar F --base FILE] [--noise Q]\n"
      "  Each filter gets a density drawn from [P-D, P+D] (defaults 0.4, 0.1) and\n"
      "  sets each bit with it. With --similar, that share of the filters are\n"
      "  copies of random filters of --base with each bit flipped with probability\n"
      "  Q (default 0.05; 0 makes exact duplicates). Same options, same bytes.\n\n" +
      std::string(kBenchEncodeHelp);
  command.run = [](const std::vector<std::string>& args, CommandIo io) {
    if (args.empty()) throw UsageError("missing subject: nser bench <dice|dice-data|encode> ...");
    for (const BenchSubject& subject : kSubjects) {
      if (args.front() == subject.name) return subject.run({args.begin() + 1, args.end()}, io);
    }
    throw UsageError("unknown bench subject '" + args.front() + "'");
  };
  return command;
}

}  // namespace nser::cli
