#include "cli/bench_hub.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <iomanip>
#include <mutex>
#include <ostream>
#include <thread>

#include "cli/arguments.h"
#include "cli/latency_percentile.h"
#include "cli/hub_connection.h"
#include "linkage/encoding_file.h"
#include "protocol/ingest_batch.h"
#include "protocol/search_envelope.h"

namespace nser::cli {
namespace {

using Clock = std::chrono::steady_clock;

std::vector<OptionSpec> withConnection(std::vector<OptionSpec> specs) {
  for (auto& spec : hubConnectionOptions()) specs.push_back(spec);
  return specs;
}

}  // namespace

int runBenchHubIngest(const std::vector<std::string>& args, CommandIo io) {
  const auto parsed = Arguments::parse(
      args, withConnection({{"custodian"}, {"encodings"}, {"batch"}, {"first-sequence"}, {"limit"}, {"key-prefix"}}));
  const std::string custodian = parsed.required("custodian");
  const auto batchSize = static_cast<std::size_t>(parsed.integerOr("batch", 1000, 1, 100000));
  std::uint64_t sequence = static_cast<std::uint64_t>(parsed.integerOr("first-sequence", 1, 1, INT64_MAX));
  const auto limit = static_cast<std::uint64_t>(parsed.integerOr("limit", INT64_MAX, 1, INT64_MAX));
  const std::string keyPrefix = parsed.valueOr("key-prefix", custodian + "-bench");
  auto client = connectToHub(parsed);
  linkage::EncodingFileReader reader(parsed.required("encodings"));

  std::vector<double> latencies;
  std::uint64_t records = 0;
  std::uint64_t batches = 0;
  std::uint64_t read = 0;
  // The next batch is read and serialised while the current one is in
  // flight (as a connector encodes ahead), so the figure is the hub's rate.
  auto prepare = [&](std::uint64_t batchSequence) -> std::pair<std::string, std::size_t> {
    protocol::IngestBatch batch;
    batch.custodian = custodian;
    batch.sequence = batchSequence;
    batch.idempotencyKey = keyPrefix + "-" + std::to_string(batchSequence);
    batch.encoding = reader.header();
    while (batch.operations.size() < batchSize && read < limit) {
      auto record = reader.next();
      if (!record) break;
      ++read;
      protocol::IngestOperation operation;
      operation.record = std::move(*record);
      batch.operations.push_back(std::move(operation));
    }
    if (batch.operations.empty()) return {"", 0};
    return {protocol::serialiseIngestBatch(batch), batch.operations.size()};
  };
  const auto started = Clock::now();
  auto next = std::async(std::launch::async, prepare, sequence);
  for (;;) {
    auto [bytes, count] = next.get();
    if (count == 0) break;
    next = std::async(std::launch::async, prepare, sequence + 1);
    const auto sent = Clock::now();
    auto response = client->post("/ingest/batches", std::string(protocol::kIngestBatchContentType), bytes);
    while (response.status == 429) {  // back-pressure: wait as told
      const int wait = std::max(1, std::atoi(response.header("retry-after").c_str()));
      std::this_thread::sleep_for(std::chrono::seconds(wait));
      response = client->post("/ingest/batches", std::string(protocol::kIngestBatchContentType), bytes);
    }
    if (response.status != 200) {
      next.wait();
      io.err << "nser bench hub-ingest: batch " << sequence << ": " << describeHubError(response) << "\n";
      return kExitFailure;
    }
    latencies.push_back(std::chrono::duration<double>(Clock::now() - sent).count());
    records += count;
    ++batches;
    ++sequence;
    if (batches % 50 == 0) {
      const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
      io.err << "hub-ingest: " << records << " records, " << std::fixed << std::setprecision(0)
             << static_cast<double>(records) / seconds << " records/s\n";
    }
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  io.out << std::fixed << std::setprecision(3) << "records=" << records << "\nbatches=" << batches
         << "\nseconds=" << seconds << "\nrecords_per_second=" << std::setprecision(0)
         << static_cast<double>(records) / seconds << std::setprecision(2)
         << "\nbatch_latency_p50_ms=" << percentile(latencies, 0.50) * 1000
         << "\nbatch_latency_p99_ms=" << percentile(latencies, 0.99) * 1000
         << "\nnext_sequence=" << sequence << "\n";
  return kExitOk;
}

int runBenchHubSearch(const std::vector<std::string>& args, CommandIo io) {
  const auto parsed = Arguments::parse(
      args, withConnection({{"encodings"}, {"connections"}, {"seconds"}, {"requests"}, {"sender"}, {"queries"}}));
  const auto connections = static_cast<unsigned>(parsed.integerOr("connections", 8, 1, 512));
  const double duration = parsed.realOr("seconds", 10.0, 0.1, 3600.0);
  const auto maxRequests = static_cast<std::uint64_t>(parsed.integerOr("requests", INT64_MAX, 1, INT64_MAX));
  const auto queryCount = static_cast<std::size_t>(parsed.integerOr("queries", 10000, 1, 10'000'000));
  const std::string sender = parsed.valueOr("sender", "bench");

  // Pre-build the request bodies so the generator measures the hub, not itself.
  linkage::EncodingFileReader reader(parsed.required("encodings"));
  std::vector<std::string> bodies;
  while (bodies.size() < queryCount) {
    auto record = reader.next();
    if (!record) break;
    protocol::SearchEnvelope envelope;
    envelope.senderId = sender;
    envelope.receiverId = "hub";
    envelope.schemaId = reader.header().schemaId;
    envelope.schemaDigest = reader.header().schemaDigest;
    envelope.keyEpoch = reader.header().keyEpoch;
    envelope.queries.push_back(protocol::encodedRecordQuery("q" + std::to_string(bodies.size()), *record));
    bodies.push_back(protocol::buildSearchRequest(envelope));
  }
  if (bodies.empty()) {
    io.err << "nser bench hub-search: the encoding file holds no records\n";
    return kExitFailure;
  }

  std::atomic<std::uint64_t> issued{0};
  std::atomic<std::uint64_t> failures{0};
  std::atomic<std::uint64_t> matched{0};
  std::mutex merge;
  std::vector<double> latencies;
  std::string firstError;
  const auto started = Clock::now();
  const auto deadline = started + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(duration));
  std::vector<std::thread> workers;
  for (unsigned w = 0; w < connections; ++w) {
    workers.emplace_back([&, w] {
      std::vector<double> mine;
      try {
        auto client = connectToHub(parsed);
        client->get("/health");  // handshake outside the measurement
        for (;;) {
          const std::uint64_t n = issued.fetch_add(1);
          if (n >= maxRequests || Clock::now() >= deadline) break;
          const auto sent = Clock::now();
          const auto response = client->postJson("/registry/sync/search", bodies[(n + w) % bodies.size()]);
          mine.push_back(std::chrono::duration<double>(Clock::now() - sent).count());
          if (response.status != 200) {
            failures++;
            std::lock_guard lock(merge);
            if (firstError.empty()) firstError = describeHubError(response);
          } else if (response.body.find("\"entity_id\"") != std::string::npos) {
            matched++;
          }
        }
      } catch (const std::exception& e) {
        failures++;
        std::lock_guard lock(merge);
        if (firstError.empty()) firstError = e.what();
      }
      std::lock_guard lock(merge);
      latencies.insert(latencies.end(), mine.begin(), mine.end());
    });
  }
  for (auto& worker : workers) worker.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  io.out << std::fixed << std::setprecision(3) << "requests=" << latencies.size() << "\nfailures=" << failures.load()
         << "\nwith_match=" << matched.load() << "\nconnections=" << connections << "\nseconds=" << seconds
         << std::setprecision(0) << "\nrequests_per_second=" << static_cast<double>(latencies.size()) / seconds
         << std::setprecision(3) << "\nlatency_p50_ms=" << percentile(latencies, 0.50) * 1000
         << "\nlatency_p90_ms=" << percentile(latencies, 0.90) * 1000
         << "\nlatency_p99_ms=" << percentile(latencies, 0.99) * 1000
         << "\nlatency_max_ms=" << percentile(latencies, 1.0) * 1000 << "\n";
  if (!firstError.empty()) io.err << "nser bench hub-search: first error: " << firstError << "\n";
  return failures.load() == 0 ? kExitOk : kExitFailure;
}

}  // namespace nser::cli
