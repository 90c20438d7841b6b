// Google Benchmark for the audit log (docs/performance.md, "Audit log").
//
//   BM_DurableAppends/<appenders>   append() from that many threads at once:
//                                   every call returns after its synced group
//                                   write (group commit), timed until the index has
//                                   stored every full block; items/s = durable appends/s,
//                                   with the process's CPU per append and the
//                                   machine's steal (CPU the hypervisor took) in the run
//   BM_PipelinedAppends/<producers>/<window>
//                                   appendAsync() from that many threads, each with up
//                                   to <window> appends unacknowledged; an append counts
//                                   once acknowledged after its synced group write
//   BM_InclusionProof               inclusion proof of a random entry in a log of
//                                   10,000,000 entries (built once, by appendAll, in
//                                   $NSER_AUDIT_BENCH_DIR or /tmp/nser-audit-bench-10m,
//                                   and kept for the next run)
//   BM_LookupByLeafHash             an entry of the 10M log by its leaf hash
//   BM_SearchByEntity               a search by entity in the 10M log
//   BM_VerifyLog                    the auditor's check of 1,000,000 entries:
//                                   decode, leaf hashes, root, signature (log_verifier.h)
//   BM_VerifyFromStore              the same after reading the entries back from the
//                                   10M log's store (what the entries route reads)
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <thread>

#include "audit/audit_log.h"
#include "audit/checkpoint.h"
#include "audit/log_verifier.h"
#include "audit/merkle_proof.h"
#include "pki/signing_key.h"
#include "service/machine_ticks.h"

namespace {

using namespace nser::audit;

// User + system CPU seconds of the whole process so far.
double processCpuTime() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

AuditEntry decision(std::uint64_t i) {
  AuditEntry entry;
  entry.kind = "decision";
  entry.timeMillis = 1'760'000'000'000 + static_cast<std::int64_t>(i);
  entry.actor = "programme-" + std::to_string(i % 16);
  entry.programme = entry.actor;
  entry.custodian = "custodian-" + std::to_string(i % 4);
  entry.entity = std::to_string(1'000'000 + i % 5'000'000);
  entry.purpose = "eligibility";
  entry.decision = i % 7 == 0 ? "deny" : "permit";
  entry.details = R"({"request_id":"r-)" + std::to_string(i) +
                  R"(","attributes":[{"attribute":"household_size","decision":"permit","reason":"agreement","agreement_id":"agr-1"}]})";
  return entry;
}

// Runs `threads` threads that each call `work(log, thread)` on a new log,
// timed until they return and the index has stored every full block (the
// rate is then one the indexer keeps up with); `appends` per iteration.
template <typename Work>
void measureAppends(benchmark::State& state, std::size_t threads, std::uint64_t appends, Work work) {
  const auto directory = std::filesystem::temp_directory_path() / ("nser-audit-append-" + std::to_string(::getpid()));
  std::uint64_t total = 0;
  double processCpuSeconds = 0, machineTotal = 0, machineSteal = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::filesystem::remove_all(directory);
    auto log = std::make_unique<AuditLog>(directory);
    std::atomic<bool> go{false};
    std::atomic<std::size_t> ready{0};
    std::vector<std::thread> running;
    for (std::size_t t = 0; t < threads; ++t) {
      running.emplace_back([&, t] {
        ++ready;
        while (!go.load()) std::this_thread::yield();
        work(*log, t);
      });
    }
    while (ready.load() < threads) std::this_thread::yield();
    const double cpuBefore = processCpuTime();
    const auto machineBefore = nser::service::readMachineTicks();
    state.ResumeTiming();
    go = true;
    for (auto& thread : running) thread.join();
    log->flushIndex();
    state.PauseTiming();
    processCpuSeconds += processCpuTime() - cpuBefore;
    const auto machineAfter = nser::service::readMachineTicks();
    machineTotal += machineAfter.total - machineBefore.total;
    machineSteal += machineAfter.steal - machineBefore.steal;
    if (log->size() != appends) state.SkipWithError("the log does not hold every acknowledged append");
    total += appends;
    log.reset();
    std::filesystem::remove_all(directory);
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(total));
  // What each durable append costs the whole process (appenders, committer,
  // RocksDB's flushes): steadier than the rate on a shared machine.
  state.counters["process_cpu_us_per_append"] = processCpuSeconds * 1e6 / static_cast<double>(total);
  // A run with much steal did not have the machine's cores to itself.
  state.counters["steal_percent"] = machineTotal > 0 ? 100 * machineSteal / machineTotal : 0;
}

void BM_DurableAppends(benchmark::State& state) {
  const auto appenders = static_cast<std::size_t>(state.range(0));
  // About 100,000 appends per run, so the index ingests three blocks of
  // 32,768 while the appenders run (500 for a lone appender: each waits for
  // its own fsync).
  const std::size_t perAppender = appenders == 1 ? 500 : 100'000 / appenders + 50;
  measureAppends(state, appenders, appenders * perAppender, [&](AuditLog& log, std::size_t t) {
    for (std::size_t i = 0; i < perAppender; ++i) log.append(decision(t * perAppender + i));
  });
}
BENCHMARK(BM_DurableAppends)->Arg(1)->Arg(64)->Arg(256)->Arg(1024)->UseRealTime()->Unit(benchmark::kMillisecond);

// BM_PipelinedAppends/<producers>/<window>: each producer keeps up to
// `window` appendAsync() calls unacknowledged, so a thread sleeps once per
// window instead of once per append; an append counts once its
// acknowledgement (after the synced group write) has arrived.
void BM_PipelinedAppends(benchmark::State& state) {
  const auto producers = static_cast<std::size_t>(state.range(0));
  const auto window = static_cast<std::uint32_t>(state.range(1));
  const std::size_t perProducer = 100'000 / producers + 50;
  std::atomic<bool> failed{false};
  // Outside the producers: an acknowledgement may still notify after its
  // producer has seen the count reach zero and returned.
  std::vector<std::atomic<std::uint32_t>> inFlightOf(producers);
  measureAppends(state, producers, producers * perProducer, [&](AuditLog& log, std::size_t t) {
    std::atomic<std::uint32_t>& inFlight = inFlightOf[t];
    const AuditLog::Acknowledgement acknowledged = [&inFlight, &failed, window](std::uint64_t, const std::string& error) {
      if (!error.empty()) failed = true;
      const std::uint32_t before = inFlight.fetch_sub(1);
      // The producer waits for a full window to shrink, and at the end for none.
      if (before == window || before == 1) inFlight.notify_one();
    };
    for (std::size_t i = 0; i < perProducer; ++i) {
      for (std::uint32_t now = inFlight.load(); now >= window; now = inFlight.load()) inFlight.wait(now);
      ++inFlight;
      log.appendAsync(decision(t * perProducer + i), acknowledged);
    }
    for (std::uint32_t now = inFlight.load(); now != 0; now = inFlight.load()) inFlight.wait(now);
  });
  if (failed) state.SkipWithError("an append failed");
}
BENCHMARK(BM_PipelinedAppends)->Args({1, 1024})->Args({4, 256})->Args({16, 256})->UseRealTime()->Unit(benchmark::kMillisecond);

constexpr std::uint64_t kLargeLog = 10'000'000;

// A lean entry for the large log: proof cost depends on the tree, not on entry size.
AuditEntry leanDecision(std::uint64_t i) {
  AuditEntry entry;
  entry.kind = "decision";
  entry.timeMillis = 1'760'000'000'000 + static_cast<std::int64_t>(i);
  entry.actor = "programme-1";
  entry.entity = std::to_string(1'000'000 + i);
  entry.details = R"({"n":)" + std::to_string(i) + "}";
  return entry;
}

AuditLog& largeLog() {
  static std::unique_ptr<AuditLog> log = [] {
    const char* configured = std::getenv("NSER_AUDIT_BENCH_DIR");
    const std::filesystem::path directory = configured != nullptr ? configured : "/tmp/nser-audit-bench-10m";
    auto opened = std::make_unique<AuditLog>(directory);
    std::vector<AuditEntry> batch;
    while (opened->size() < kLargeLog) {
      batch.clear();
      const std::uint64_t first = opened->size();
      for (std::uint64_t i = first; i < std::min(kLargeLog, first + 20'000); ++i) batch.push_back(leanDecision(i));
      opened->appendAll(batch);
    }
    return opened;
  }();
  return *log;
}

void warmUp(AuditLog& log) {
  // Untimed: the first reads of each table file page its blocks in.
  static const bool warmed = [&log] {
    std::mt19937_64 random(3);
    for (int i = 0; i < 50'000; ++i) benchmark::DoNotOptimize(log.inclusionProof(random() % log.size(), log.size()));
    return true;
  }();
  benchmark::DoNotOptimize(warmed);
}

void BM_InclusionProof(benchmark::State& state) {
  AuditLog& log = largeLog();
  warmUp(log);
  const std::uint64_t size = log.size();
  std::mt19937_64 random(7);
  std::size_t hashes = 0;
  for (auto _ : state) {
    const auto proof = log.inclusionProof(random() % size, size);
    hashes += proof.size();
    benchmark::DoNotOptimize(proof.data());
  }
  state.counters["tree_size"] = static_cast<double>(size);
  state.counters["hashes_per_proof"] = static_cast<double>(hashes) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_InclusionProof)->Unit(benchmark::kMicrosecond);

void BM_InclusionProofVerified(benchmark::State& state) {
  AuditLog& log = largeLog();
  warmUp(log);
  const std::uint64_t size = log.size();
  const Hash root = log.root();
  std::mt19937_64 random(11);
  for (auto _ : state) {
    const std::uint64_t index = random() % size;
    const auto proof = log.inclusionProof(index, size);
    verifyInclusion(index, size, leafHash(encodeAuditEntry(leanDecision(index))), proof, root);
  }
}
BENCHMARK(BM_InclusionProofVerified)->Unit(benchmark::kMicrosecond);

// The indexes at 10M entries (audit_index.h): an entry by its leaf hash, and
// a search by entity (one entry each in the large log), both served by the
// index column family for all but the newest entries.
void BM_LookupByLeafHash(benchmark::State& state) {
  AuditLog& log = largeLog();
  log.flushIndex();
  std::mt19937_64 random(13);
  for (auto _ : state) {
    const std::uint64_t index = random() % log.size();
    const auto found = log.findByLeafHash(leafHash(encodeAuditEntry(leanDecision(index))));
    if (found != index) state.SkipWithError("lookup missed");
  }
}
BENCHMARK(BM_LookupByLeafHash)->Unit(benchmark::kMicrosecond);

void BM_SearchByEntity(benchmark::State& state) {
  AuditLog& log = largeLog();
  log.flushIndex();
  std::mt19937_64 random(17);
  AuditQuery query;
  for (auto _ : state) {
    const std::uint64_t index = random() % log.size();
    query.entity = leanDecision(index).entity;
    const auto hits = log.search(query);
    if (hits.size() != 1 || hits[0].index != index) state.SkipWithError("search missed");
  }
}
BENCHMARK(BM_SearchByEntity)->Unit(benchmark::kMicrosecond);

void BM_VerifyLog(benchmark::State& state) {
  const auto count = static_cast<std::uint64_t>(state.range(0));
  const auto key = nser::pki::SigningKey::generate();
  LogVerifyInput input;
  input.logKey = makeVerifierKey("bench-hub", kEd25519NoteType, key.publicKey());
  CompactRange tree;
  input.entries.reserve(count);
  for (std::uint64_t i = 0; i < count; ++i) {
    FetchedEntry entry{i, encodeAuditEntry(decision(i)), std::nullopt};
    entry.claimedLeafHash = leafHash(entry.bytes);
    tree.append(*entry.claimedLeafHash);
    input.entries.push_back(std::move(entry));
  }
  input.checkpointNote = signCheckpoint(Checkpoint{"bench-hub", tree.size(), tree.root(), {}}, key);
  for (auto _ : state) {
    const auto result = verifyLog(input);
    if (!result.ok) state.SkipWithError(result.problem.c_str());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * count));
}
BENCHMARK(BM_VerifyLog)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->Iterations(3);

// Reading the first 1,000,000 entries back from the store as the hub's entries route does, then verifying.
void BM_VerifyFromStore(benchmark::State& state) {
  AuditLog& log = largeLog();
  const std::uint64_t count = 1'000'000;
  const auto key = nser::pki::SigningKey::generate();
  const std::string note = signCheckpoint(Checkpoint{"bench-hub", count, log.root(count), {}}, key);
  for (auto _ : state) {
    LogVerifyInput input;
    input.logKey = makeVerifierKey("bench-hub", kEd25519NoteType, key.publicKey());
    input.checkpointNote = note;
    for (auto& stored : log.entries(0, count)) {
      input.entries.push_back(FetchedEntry{stored.index, std::move(stored.bytes), stored.leafHash});
    }
    const auto result = verifyLog(input);
    if (!result.ok) state.SkipWithError(result.problem.c_str());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * count));
}
BENCHMARK(BM_VerifyFromStore)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace

// `audit_log_bench --fill DIR COUNT`: appends COUNT decision entries to the
// log in DIR, compacts it and exits (tests/bench/audit_verify_benchmark.sh pre-fills a
// hub's audit log with it). Anything else runs the benchmarks.
int main(int argc, char** argv) {
  if (argc == 4 && std::string(argv[1]) == "--fill") {
    AuditLog log(argv[2]);
    const std::uint64_t target = log.size() + std::stoull(argv[3]);
    std::vector<AuditEntry> batch;
    while (log.size() < target) {
      batch.clear();
      for (std::uint64_t i = log.size(); i < std::min(target, log.size() + 20'000); ++i) batch.push_back(decision(i));
      log.appendAll(batch);
    }
    // Settle the store (as a log in service has had time to): otherwise the
    // next opener, the hub under test, spends its first seconds compacting.
    log.flushIndex();
    const auto compacted = log.database().CompactRange(rocksdb::CompactRangeOptions(), nullptr, nullptr);
    if (!compacted.ok()) {
      std::fprintf(stderr, "compaction failed: %s\n", compacted.ToString().c_str());
      return 1;
    }
    std::printf("%llu entries in %s\n", static_cast<unsigned long long>(log.size()), argv[2]);
    return 0;
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
