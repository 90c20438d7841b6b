// SyncEngine: one sync of a custodian source to the hub (docs/connector.md).
//
//   1. A batch left pending by an interrupted sync is re-sent first, exactly
//      as it was (same sequence, idempotency key and bytes): the hub applies
//      it once whether or not it had already received it.
//   2. The source is scanned. Each row is checked (a usable, unique key; a
//      parsable row) and its identity values hashed (keyed); rows whose hash
//      is unchanged are skipped; the others are normalised and encoded
//      locally and sent as upserts under the record's pseudonymous reference.
//      Rows that fail go to quarantine with their location and the reason;
//      a quarantined row that reads clean again leaves quarantine.
//   3. Records the state knows but the scan did not see are sent as
//      tombstones.
// After a change of the linkage key epoch (connector configuration) the next
// sync is a full one that pushes every record again, under the same
// pseudonymous references (docs/key-rotation.md).
// An incremental sync (a PostgreSQL source with a watermark column) reads
// only rows whose watermark is above the last one acknowledged, skips step 3
// (deletions are found by the next full sync, the reconcile) and releases
// quarantined rows one by one instead of clearing the quarantine. The
// watermark is stored when the batch holding its row is acknowledged.
// Counters go to connectorMetrics() (connectors/connector_metrics.h) and are
// persisted with the state. `Progress` is called after every batch and every
// few thousand rows (the caller throttles what it shows).
// Batches are persisted before they are sent and applied to the local state
// only after the hub acknowledged them. Transport errors, 429 and 5xx are
// retried with exponential back-off and full jitter; other refusals stop the
// sync with the hub's reason (the pending batch stays for the next run).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "connectors/connector_config.h"
#include "connectors/source_reader.h"
#include "connectors/sync_state.h"

namespace nser::connectors {

class SyncError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct SyncReport {
  std::uint64_t rows = 0;
  std::uint64_t upserts = 0;
  std::uint64_t unchanged = 0;
  std::uint64_t deletions = 0;
  std::uint64_t quarantined = 0;  // rows quarantined by this sync
  std::uint64_t released = 0;     // rows that left quarantine
  std::uint64_t batches = 0;
  std::uint64_t resumedBatches = 0;
  std::uint64_t retries = 0;
  std::uint64_t pushed = 0;  // operations (upserts and tombstones) the hub acknowledged
  bool incremental = false;
  double seconds = 0.0;
  // Share of the source read so far (0..1) when the source knows its size
  // (CSV: bytes of the file); negative when unknown. For progress and ETA.
  double sourceFraction = -1.0;
};

class SyncEngine {
 public:
  // Opens the source; the argument is the watermark to read after (empty:
  // everything).
  using SourceFactory = std::function<std::unique_ptr<SourceReader>(const std::optional<std::string>& watermarkAfter)>;
  using Progress = std::function<void(const SyncReport&)>;

  SyncEngine(ConnectorConfig config, SyncState& state, SourceFactory openSource, Progress progress = {});

  // Throws SyncError (hub refusal, retries exhausted), SourceError, or a
  // configuration error (schema, secret, mapping).
  SyncReport run(bool incremental = false);

 private:
  struct Impl;
  SyncReport runSync(bool incremental);
  ConnectorConfig config_;
  SyncState& state_;
  SourceFactory openSource_;
  Progress progress_;
};

}  // namespace nser::connectors
