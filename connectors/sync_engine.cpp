#include "connectors/sync_engine.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <memory>
#include <random>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "connectors/connector_metrics.h"
#include "connectors/source_mapping.h"
#include "linkage/linkage_schema.h"
#include "linkage/linkage_secret.h"
#include "linkage/record_encoder.h"
#include "protocol/ingest_batch.h"
#include "service/https_client.h"
#include "service/logging.h"

namespace nser::connectors {
namespace {

Poco::Logger& log() { return Poco::Logger::get("connector.sync"); }

std::string randomReference() {
  unsigned char bytes[16];
  randombytes_buf(bytes, sizeof bytes);
  char hex[sizeof bytes * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
  return std::string("r") + hex;
}

std::string timestamp() {
  const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return text;
}

}  // namespace

struct SyncEngine::Impl {
  const ConnectorConfig& config;
  SyncState& state;
  linkage::LinkageSecret secret;
  linkage::RecordEncoder encoder;
  linkage::EncoderWorkspace workspace;
  std::array<unsigned char, 32> hashKey{};
  service::HttpsClient client;
  std::mt19937_64 jitter{std::random_device{}()};

  Impl(const ConnectorConfig& c, SyncState& s)
      : config(c),
        state(s),
        secret(linkage::LinkageSecret::loadFromFile(c.secretFile, c.keyEpoch)),
        encoder(linkage::loadLinkageSchema(c.schemaPath), secret),
        workspace(encoder.makeWorkspace()),
        client(c.hubHost, c.hubPort, c.tls, std::chrono::seconds(120)) {
    secret.deriveSubkey("nser-connector/content-hash/v1", hashKey);
  }

  std::string contentHash(const std::vector<std::string>& values, const std::vector<std::size_t>& columns) {
    crypto_generichash_state hash;
    crypto_generichash_init(&hash, hashKey.data(), hashKey.size(), 32);
    for (std::size_t column : columns) {
      const std::string& v = values[column];
      const std::uint64_t length = v.size();
      crypto_generichash_update(&hash, reinterpret_cast<const unsigned char*>(&length), sizeof length);
      crypto_generichash_update(&hash, reinterpret_cast<const unsigned char*>(v.data()), v.size());
    }
    unsigned char digest[32];
    crypto_generichash_final(&hash, digest, sizeof digest);
    char hex[65];
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    return hex;
  }

  // Sends the pending batch until the hub acknowledges it; counts batches,
  // records and retries in `tally` (its own, when it runs beside the scan).
  void deliver(const PendingBatch& batch, SyncReport& tally) {
    auto backoff = config.sync.initialBackoff;
    for (int attempt = 1;; ++attempt) {
      std::string problem;
      try {
        const auto response =
            client.post("/ingest/batches", std::string(protocol::kIngestBatchContentType), batch.body);
        if (response.status == 200) {
          state.acknowledge(batch);
          ++tally.batches;
          const auto tombstones = static_cast<std::uint64_t>(std::count_if(
              batch.entries.begin(), batch.entries.end(), [](const PendingEntry& e) { return e.deletion; }));
          tally.pushed += batch.entries.size();
          connectorMetrics().batchAcknowledged(batch.entries.size() - tombstones, tombstones);
          connectorMetrics().persist(state);
          return;
        }
        std::string detail = response.body;
        try {
          Poco::JSON::Parser parser;
          const auto error = parser.parse(response.body).extract<Poco::JSON::Object::Ptr>()->getObject("error");
          if (error) detail = error->getValue<std::string>("code") + ": " + error->getValue<std::string>("message");
        } catch (const std::exception&) {
        }
        if (response.status != 429 && response.status < 500) connectorMetrics().hubRefused();
        if (response.status == 400 || response.status == 413 || response.status == 422) {
          // The hub will never accept these bytes: forget the batch and give
          // its sequence back, so a corrected sync continues without a gap.
          state.abandon(batch);
          throw SyncError("hub refused batch " + std::to_string(batch.sequence) + " (HTTP " +
                          std::to_string(response.status) + " " + detail + "); the batch was discarded");
        }
        if (response.status != 429 && response.status < 500) {
          throw SyncError("hub refused batch " + std::to_string(batch.sequence) + " (HTTP " +
                          std::to_string(response.status) + " " + detail + "); it stays pending");
        }
        problem = "HTTP " + std::to_string(response.status) + " " + detail;
        if (response.status == 429) {
          const int after = std::atoi(response.header("retry-after").c_str());
          if (after > 0) backoff = std::max(backoff, std::chrono::milliseconds(after * 1000));
        }
      } catch (const service::HttpsTransportError& e) {
        problem = e.what();
      }
      if (attempt >= config.sync.maxAttempts) {
        throw SyncError("batch " + std::to_string(batch.sequence) + " not acknowledged after " +
                        std::to_string(attempt) + " attempts (" + problem + "); it stays pending for the next sync");
      }
      ++tally.retries;
      connectorMetrics().batchRetried();
      const auto wait = std::chrono::milliseconds(
          std::uniform_int_distribution<long long>(backoff.count() / 2, backoff.count())(jitter));
      service::logEvent(log(), Poco::Message::PRIO_WARNING, "batch not acknowledged; retrying",
                        {{"sequence", std::to_string(batch.sequence)}, {"attempt", std::to_string(attempt)},
                         {"wait_ms", std::to_string(wait.count())}, {"problem", problem}});
      std::this_thread::sleep_for(wait);
      backoff = std::min(config.sync.maxBackoff, backoff * 2);
    }
  }
};

SyncEngine::SyncEngine(ConnectorConfig config, SyncState& state, SourceFactory openSource, Progress progress)
    : config_(std::move(config)), state_(state), openSource_(std::move(openSource)), progress_(std::move(progress)) {}

SyncReport SyncEngine::run(bool incremental) {
  auto& metrics = connectorMetrics();
  metrics.restore(state_);
  metrics.syncStarted();
  metrics.persist(state_);
  try {
    SyncReport report = runSync(incremental);
    metrics.syncFinished();
    metrics.setQuarantineSize(state_.quarantined().size());
    metrics.persist(state_);
    return report;
  } catch (const std::exception& e) {
    // The reason is the sync's error message: hub status and code, source
    // location, never row values.
    metrics.syncFinished(e.what());
    try {
      metrics.persist(state_);
    } catch (const std::exception&) {
      // The state itself failed; the original error is what matters.
    }
    throw;
  }
}

SyncReport SyncEngine::runSync(bool incremental) {
  auto& metrics = connectorMetrics();
  const auto started = std::chrono::steady_clock::now();
  SyncReport report;
  Impl impl(config_, state_);

  if (auto pending = state_.pending()) {
    impl.deliver(*pending, report);
    ++report.resumedBatches;
  }

  // A new linkage key epoch (docs/key-rotation.md): every record is encoded
  // and pushed again under its own reference, so the scan is full whatever
  // was asked, and no row counts as unchanged. The epoch is recorded once a
  // sync at it completes; a state without it predates the record.
  const std::string epochText = std::to_string(config_.keyEpoch);
  const auto syncedEpoch = state_.meta("key_epoch");
  const bool newEpoch = syncedEpoch.has_value() && *syncedEpoch != epochText;
  if (newEpoch) {
    service::logEvent(log(), Poco::Message::PRIO_NOTICE, "new linkage key epoch: re-encoding every record",
                      {{"previous_epoch", *syncedEpoch}, {"epoch", epochText}});
    incremental = false;
  }

  const SourceMapping mapping = loadSourceMapping(config_.mappingPath);
  const auto& schema = impl.encoder.schema();
  if (!schema.nser) throw SyncError(config_.schemaPath + ": the connector needs an nser linkage schema");
  report.incremental = incremental;
  const std::optional<std::string> watermarkAfter = incremental ? state_.meta("watermark") : std::nullopt;
  auto source = openSource_(watermarkAfter);
  // The source's header, with the mapped columns renamed to the names the
  // linkage schema expects, binds the encoder.
  std::vector<std::string> header = source->columns();
  const auto keyIt = std::find(header.begin(), header.end(), mapping.keyColumn);
  if (keyIt == header.end()) {
    throw SyncError(source->describe() + ": key column '" + mapping.keyColumn + "' (mapping key_column) is missing");
  }
  const auto keyColumn = static_cast<std::size_t>(keyIt - header.begin());
  std::vector<std::size_t> identityColumns;
  for (const auto& [role, column] : mapping.identity) {
    const auto it = std::find(header.begin(), header.end(), column);
    if (it == header.end()) {
      throw SyncError(source->describe() + ": column '" + column + "' (mapping identity." + role + ") is missing");
    }
    const auto wanted = schema.nser->columns.find(role);
    if (wanted != schema.nser->columns.end()) *it = wanted->second;
  }
  if (!schema.nser->idColumn.empty()) header[keyColumn] = schema.nser->idColumn;
  const linkage::ColumnBinding binding = impl.encoder.bind(header);
  for (const auto& role : binding.roles) {
    if (role) identityColumns.push_back(*role);
  }
  std::sort(identityColumns.begin(), identityColumns.end());
  identityColumns.erase(std::unique(identityColumns.begin(), identityColumns.end()), identityColumns.end());

  const std::uint64_t generation = std::stoull(state_.meta("generation").value_or("0")) + 1;
  state_.setMeta("generation", std::to_string(generation));
  std::unordered_set<std::string> seen;
  std::unordered_set<std::string> quarantinedBefore;
  for (const auto& entry : state_.quarantined()) quarantinedBefore.insert(entry.key);
  if (!incremental) state_.clearQuarantine();
  std::optional<std::string> batchWatermark;  // the watermark of the last row queued

  // One batch in flight while the next is read and encoded, so the hub links
  // batch k while this thread encodes batch k+1 (they alternated, each
  // waiting for the other). At most one batch is ever pending in the state:
  // the next is saved only after the one in flight is acknowledged, so a
  // crash resumes exactly as before, and the encoded rows of an unsaved
  // batch are simply read again by the next sync.
  struct InFlight {
    std::future<void> delivery;
    SyncReport tally;                        // the delivery's own counts
    std::optional<std::string> watermark;    // of the batch's last row
  };
  std::unique_ptr<InFlight> inFlight;
  auto awaitDelivery = [&] {
    if (!inFlight) return;
    const auto done = std::move(inFlight);
    done->delivery.get();  // rethrows the delivery's error
    report.batches += done->tally.batches;
    report.pushed += done->tally.pushed;
    report.retries += done->tally.retries;
    if (done->watermark) {
      state_.setMeta("watermark", *done->watermark);
      metrics.setWatermark(*done->watermark);
    }
    if (progress_) {
      report.sourceFraction = source->fractionRead().value_or(-1.0);
      progress_(report);
    }
  };

  protocol::IngestBatch batch;
  std::vector<PendingEntry> entries;
  auto flush = [&] {
    if (batch.operations.empty()) return;
    awaitDelivery();
    PendingBatch pending;
    pending.sequence = state_.nextSequence();
    pending.idempotencyKey = config_.custodian + "-batch-" + std::to_string(pending.sequence);
    batch.custodian = config_.custodian;
    batch.sequence = pending.sequence;
    batch.idempotencyKey = pending.idempotencyKey;
    batch.encoding = impl.encoder.header();
    pending.body = protocol::serialiseIngestBatch(batch);
    pending.entries = std::move(entries);
    state_.savePending(pending);
    auto next = std::make_unique<InFlight>();
    next->watermark = batchWatermark;
    next->delivery = std::async(std::launch::async, [&impl, tally = &next->tally, sent = std::move(pending)] {
      impl.deliver(sent, *tally);
    });
    inFlight = std::move(next);
    batch.operations.clear();
    entries.clear();
  };
  auto quarantine = [&](const std::string& key, const std::string& location, const std::string& reason) {
    state_.quarantine({key, location, reason, timestamp()});
    ++report.quarantined;
    metrics.rowQuarantined();
  };

  constexpr std::uint64_t kProgressRows = 8192;  // rows between progress calls when nothing is sent
  while (auto row = source->next()) {
    ++report.rows;
    metrics.rowSeen();
    if (progress_ && report.rows % kProgressRows == 0) {
      report.sourceFraction = source->fractionRead().value_or(-1.0);
      progress_(report);
    }
    if (auto w = source->watermark()) batchWatermark = w;
    if (!row->malformed.empty()) {
      quarantine(row->location, row->location, "malformed row: " + row->malformed);
      continue;
    }
    const std::string& key = row->values[keyColumn];
    if (key.empty()) {
      quarantine(row->location, row->location, "empty key column '" + mapping.keyColumn + "'");
      continue;
    }
    if (!seen.insert(key).second) {
      quarantine(row->location, row->location, "duplicate key (an earlier row has the same key)");
      continue;
    }
    const std::string hash = impl.contentHash(row->values, identityColumns);
    const auto known = state_.record(key);
    if (known && known->contentHash == hash && !newEpoch) {
      ++report.unchanged;
      continue;
    }
    protocol::IngestOperation operation;
    const auto outcome = impl.encoder.encodeRow(row->values, binding, report.rows, impl.workspace, operation.record);
    if (!outcome.ok) {
      quarantine(key, row->location, outcome.reason);
      continue;
    }
    metrics.rowEncoded();
    if (quarantinedBefore.count(key)) {
      if (incremental) state_.release(key);
      ++report.released;
    }
    const std::string reference = known ? known->reference : randomReference();
    operation.record.id = reference;  // the source key never leaves the custodian
    batch.operations.push_back(std::move(operation));
    entries.push_back({key, false, {hash, reference, generation}});
    ++report.upserts;
    if (batch.operations.size() >= config_.sync.batchSize) flush();
  }
  // Records the source no longer has: tombstones (a full scan only).
  awaitDelivery();
  std::vector<std::pair<std::string, RecordState>> gone;
  if (!incremental) {
    state_.forEachRecord([&](const std::string& key, const RecordState& record) {
      if (!seen.count(key)) gone.emplace_back(key, record);
    });
  }
  for (const auto& [key, record] : gone) {
    protocol::IngestOperation operation;
    operation.kind = protocol::OperationKind::Delete;
    operation.record.id = record.reference;
    batch.operations.push_back(std::move(operation));
    entries.push_back({key, true, record});
    ++report.deletions;
    if (batch.operations.size() >= config_.sync.batchSize) flush();
  }
  flush();
  awaitDelivery();
  if (batchWatermark) {  // rows after the last batch were unchanged
    state_.setMeta("watermark", *batchWatermark);
    metrics.setWatermark(*batchWatermark);
  }
  state_.setMeta("key_epoch", epochText);
  report.sourceFraction = 1.0;
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  state_.setMeta("last_sync", std::to_string(report.rows) + " rows, " + std::to_string(report.upserts) + " upserts, " +
                                  std::to_string(report.deletions) + " deletions, " +
                                  std::to_string(report.quarantined) + " quarantined at " + timestamp());
  return report;
}

}  // namespace nser::connectors
