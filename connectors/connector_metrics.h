// ConnectorMetrics: what a connector counts (docs/connector.md, "Metrics"),
// for `nser connector status` and GET /metrics (Prometheus text format 0.0.4).
//
//   nser_connector_records_seen_total        rows read from the source
//   nser_connector_records_encoded_total     rows normalised and encoded (changed or new)
//   nser_connector_records_pushed_total      upserts the hub acknowledged
//   nser_connector_tombstones_pushed_total   deletions the hub acknowledged
//   nser_connector_records_quarantined_total rows sent to quarantine
//   nser_connector_batches_sent_total        batches the hub acknowledged
//   nser_connector_batch_retries_total       re-sends after a transport error, 429 or 5xx
//   nser_connector_hub_refusals_total        batches the hub refused (4xx other than 429)
//   nser_connector_syncs_total{outcome}      finished syncs, "ok" or "failed"
//   nser_connector_last_sync_{start,end}_timestamp_seconds, nser_connector_last_sync_success
//   nser_connector_last_success_timestamp_seconds
//   nser_connector_sync_lag_seconds          now minus the end of the last successful sync
//   nser_connector_source_watermark_lag_seconds  now minus the stored watermark, when it is a timestamp
//   nser_connector_sync_in_progress, nser_connector_quarantine_rows
//
// The totals survive restarts: they are kept in the sync state's meta
// (`metrics`, key=value lines) and written after every acknowledged batch and
// at the end of every sync; a crash between an acknowledgement and that write
// can under-count the pushed totals by one batch (the records state itself
// stays exact). Counts only, never ids or values.
//
// One connector per process: connectorMetrics() is the process's instance,
// updated by the sync engine and rendered by the gateway's GET /metrics.
// Updates are atomic; restore/persist/snapshot take a mutex.
#pragma once

#include <Poco/Net/HTTPServerResponse.h>

#include <atomic>
#include <cstdint>
#include <ctime>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "service/metrics_registry.h"

namespace nser::connectors {

class SyncState;

// The persisted part, as `status` shows it.
struct ConnectorTotals {
  std::uint64_t recordsSeen = 0;
  std::uint64_t recordsEncoded = 0;
  std::uint64_t recordsPushed = 0;
  std::uint64_t tombstonesPushed = 0;
  std::uint64_t quarantined = 0;
  std::uint64_t batchesSent = 0;
  std::uint64_t batchRetries = 0;
  std::uint64_t hubRefusals = 0;
  std::uint64_t syncsOk = 0;
  std::uint64_t syncsFailed = 0;
  std::int64_t lastSyncStart = 0;  // unix seconds; 0: never
  std::int64_t lastSyncEnd = 0;
  std::string lastOutcome;         // "", "running", "ok", "failed: <reason>"
  std::int64_t lastSuccess = 0;    // end of the last successful sync
  std::string watermark;           // the stored source watermark (incremental sources)

  // key=value lines; parse() ignores unknown keys and keeps defaults for
  // missing ones (so older states still load).
  std::string serialise() const;
  static ConnectorTotals parse(const std::string& text);
};

class ConnectorMetrics {
 public:
  ConnectorMetrics();

  // Loads the persisted totals from the state once (later calls do nothing),
  // so counters continue across restarts.
  void restore(const SyncState& state);
  void persist(SyncState& state);

  void syncStarted();
  // outcome: empty for success, else the reason.
  void syncFinished(const std::string& failure = "");
  void rowSeen() { recordsSeen_.inc(); }
  void rowEncoded() { recordsEncoded_.inc(); }
  void rowQuarantined() { quarantined_.inc(); }
  void batchAcknowledged(std::uint64_t upserts, std::uint64_t tombstones);
  void batchRetried() { batchRetries_.inc(); }
  void hubRefused() { hubRefusals_.inc(); }
  void setQuarantineSize(std::uint64_t rows) { quarantineRows_.set(static_cast<double>(rows)); }
  void setWatermark(const std::string& watermark);

  ConnectorTotals snapshot() const;
  std::string render() const;

  // Seconds since the last successful sync at `now`; nullopt when none.
  std::optional<std::int64_t> lag(std::int64_t now) const;
  // Seconds from a watermark that is a timestamp ("2026-01-03 00:00:00+00",
  // "2026-01-03T00:00:00Z", "2026-01-03") to `now`; nullopt otherwise.
  static std::optional<std::int64_t> watermarkLag(const std::string& watermark, std::int64_t now);

 private:
  service::MetricsRegistry registry_;
  service::Counter& recordsSeen_;
  service::Counter& recordsEncoded_;
  service::Counter& recordsPushed_;
  service::Counter& tombstonesPushed_;
  service::Counter& quarantined_;
  service::Counter& batchesSent_;
  service::Counter& batchRetries_;
  service::Counter& hubRefusals_;
  service::Counter& syncsOk_;
  service::Counter& syncsFailed_;
  service::Gauge& quarantineRows_;
  std::atomic<std::int64_t> lastSyncStart_{0};
  std::atomic<std::int64_t> lastSyncEnd_{0};
  std::atomic<std::int64_t> lastSuccess_{0};
  std::atomic<bool> inProgress_{false};
  mutable std::mutex mutex_;  // guards the strings and restore
  std::string lastOutcome_;
  std::string watermark_;
  bool restored_ = false;
};

// The process's connector metrics.
ConnectorMetrics& connectorMetrics();

// GET /metrics: the process's metrics in the text format.
void sendConnectorMetrics(Poco::Net::HTTPServerResponse& response);

}  // namespace nser::connectors
