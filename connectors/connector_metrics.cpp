#include "connectors/connector_metrics.h"

#include <chrono>
#include <cmath>
#include <sstream>

#include "connectors/sync_state.h"

namespace nser::connectors {
namespace {

constexpr const char* kMetaKey = "metrics";

std::int64_t now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::uint64_t whole(const service::Counter& counter) { return static_cast<std::uint64_t>(std::llround(counter.value())); }

// A line holds one value: newlines in a reason would break the format.
std::string oneLine(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return text;
}

}  // namespace

std::string ConnectorTotals::serialise() const {
  std::ostringstream out;
  out << "records_seen=" << recordsSeen << "\nrecords_encoded=" << recordsEncoded << "\nrecords_pushed=" << recordsPushed
      << "\ntombstones_pushed=" << tombstonesPushed << "\nquarantined=" << quarantined << "\nbatches_sent=" << batchesSent
      << "\nbatch_retries=" << batchRetries << "\nhub_refusals=" << hubRefusals << "\nsyncs_ok=" << syncsOk
      << "\nsyncs_failed=" << syncsFailed << "\nlast_sync_start=" << lastSyncStart << "\nlast_sync_end=" << lastSyncEnd
      << "\nlast_outcome=" << oneLine(lastOutcome) << "\nlast_success=" << lastSuccess
      << "\nwatermark=" << oneLine(watermark) << "\n";
  return out.str();
}

ConnectorTotals ConnectorTotals::parse(const std::string& text) {
  ConnectorTotals totals;
  std::istringstream in(text);
  std::string line;
  const std::map<std::string, std::uint64_t*> counts = {
      {"records_seen", &totals.recordsSeen},   {"records_encoded", &totals.recordsEncoded},
      {"records_pushed", &totals.recordsPushed}, {"tombstones_pushed", &totals.tombstonesPushed},
      {"quarantined", &totals.quarantined},     {"batches_sent", &totals.batchesSent},
      {"batch_retries", &totals.batchRetries},  {"hub_refusals", &totals.hubRefusals},
      {"syncs_ok", &totals.syncsOk},            {"syncs_failed", &totals.syncsFailed}};
  const std::map<std::string, std::int64_t*> times = {{"last_sync_start", &totals.lastSyncStart},
                                                      {"last_sync_end", &totals.lastSyncEnd},
                                                      {"last_success", &totals.lastSuccess}};
  while (std::getline(in, line)) {
    const auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    const std::string key = line.substr(0, eq), value = line.substr(eq + 1);
    try {
      if (auto c = counts.find(key); c != counts.end()) *c->second = std::stoull(value);
      if (auto t = times.find(key); t != times.end()) *t->second = std::stoll(value);
    } catch (const std::exception&) {
      // A damaged value keeps its default: metrics must never stop a sync.
    }
    if (key == "last_outcome") totals.lastOutcome = value;
    if (key == "watermark") totals.watermark = value;
  }
  return totals;
}

ConnectorMetrics::ConnectorMetrics()
    : recordsSeen_(registry_.counter("nser_connector_records_seen_total", "Rows read from the source.")),
      recordsEncoded_(registry_.counter("nser_connector_records_encoded_total",
                                        "Rows normalised and encoded (new or changed).")),
      recordsPushed_(registry_.counter("nser_connector_records_pushed_total", "Upserts acknowledged by the hub.")),
      tombstonesPushed_(
          registry_.counter("nser_connector_tombstones_pushed_total", "Deletions acknowledged by the hub.")),
      quarantined_(registry_.counter("nser_connector_records_quarantined_total", "Rows sent to quarantine.")),
      batchesSent_(registry_.counter("nser_connector_batches_sent_total", "Batches acknowledged by the hub.")),
      batchRetries_(registry_.counter("nser_connector_batch_retries_total",
                                      "Batch re-sends after a transport error, 429 or 5xx.")),
      hubRefusals_(registry_.counter("nser_connector_hub_refusals_total", "Batches the hub refused (4xx but 429).")),
      syncsOk_(registry_.counter("nser_connector_syncs_total", "Finished syncs by outcome.", {{"outcome", "ok"}})),
      syncsFailed_(
          registry_.counter("nser_connector_syncs_total", "Finished syncs by outcome.", {{"outcome", "failed"}})),
      quarantineRows_(registry_.gauge("nser_connector_quarantine_rows", "Rows in quarantine after the last sync.")) {
  registry_.callbackGauge("nser_connector_last_sync_start_timestamp_seconds", "Start of the last sync (unix time).",
                          {}, [this] { return static_cast<double>(lastSyncStart_.load()); });
  registry_.callbackGauge("nser_connector_last_sync_end_timestamp_seconds", "End of the last sync (unix time).", {},
                          [this] { return static_cast<double>(lastSyncEnd_.load()); });
  registry_.callbackGauge("nser_connector_last_success_timestamp_seconds",
                          "End of the last successful sync (unix time).", {},
                          [this] { return static_cast<double>(lastSuccess_.load()); });
  registry_.callbackGauge("nser_connector_last_sync_success", "1 if the last finished sync succeeded, else 0.", {},
                          [this] {
                            std::lock_guard lock(mutex_);
                            return lastOutcome_ == "ok" ? 1.0 : 0.0;
                          });
  registry_.callbackGauge("nser_connector_sync_in_progress", "1 while a sync runs.", {},
                          [this] { return inProgress_.load() ? 1.0 : 0.0; });
  // No successful sync yet: the series is left out (the callback throws).
  registry_.callbackGauge("nser_connector_sync_lag_seconds", "Seconds since the last successful sync ended.", {},
                          [this] {
                            const auto seconds = lag(now());
                            if (!seconds) throw std::runtime_error("no successful sync");
                            return static_cast<double>(*seconds);
                          });
  registry_.callbackGauge("nser_connector_source_watermark_lag_seconds",
                          "Seconds since the stored source watermark, when it is a timestamp.", {}, [this] {
                            std::string watermark;
                            {
                              std::lock_guard lock(mutex_);
                              watermark = watermark_;
                            }
                            const auto seconds = watermarkLag(watermark, now());
                            if (!seconds) throw std::runtime_error("no timestamp watermark");
                            return static_cast<double>(*seconds);
                          });
}

void ConnectorMetrics::restore(const SyncState& state) {
  std::lock_guard lock(mutex_);
  if (restored_) return;
  restored_ = true;
  const auto text = state.meta(kMetaKey);
  if (!text) return;
  const ConnectorTotals t = ConnectorTotals::parse(*text);
  recordsSeen_.inc(t.recordsSeen);
  recordsEncoded_.inc(t.recordsEncoded);
  recordsPushed_.inc(t.recordsPushed);
  tombstonesPushed_.inc(t.tombstonesPushed);
  quarantined_.inc(t.quarantined);
  batchesSent_.inc(t.batchesSent);
  batchRetries_.inc(t.batchRetries);
  hubRefusals_.inc(t.hubRefusals);
  syncsOk_.inc(t.syncsOk);
  syncsFailed_.inc(t.syncsFailed);
  lastSyncStart_ = t.lastSyncStart;
  lastSyncEnd_ = t.lastSyncEnd;
  lastSuccess_ = t.lastSuccess;
  // A sync that was "running" when the process died did not finish.
  lastOutcome_ = t.lastOutcome == "running" ? "failed: interrupted" : t.lastOutcome;
  watermark_ = t.watermark;
  quarantineRows_.set(static_cast<double>(state.quarantined().size()));
}

void ConnectorMetrics::persist(SyncState& state) { state.setMeta(kMetaKey, snapshot().serialise()); }

void ConnectorMetrics::syncStarted() {
  lastSyncStart_ = now();
  inProgress_ = true;
  std::lock_guard lock(mutex_);
  lastOutcome_ = "running";
}

void ConnectorMetrics::syncFinished(const std::string& failure) {
  const auto end = now();
  lastSyncEnd_ = end;
  inProgress_ = false;
  if (failure.empty()) {
    lastSuccess_ = end;
    syncsOk_.inc();
  } else {
    syncsFailed_.inc();
  }
  std::lock_guard lock(mutex_);
  lastOutcome_ = failure.empty() ? "ok" : "failed: " + failure;
}

void ConnectorMetrics::batchAcknowledged(std::uint64_t upserts, std::uint64_t tombstones) {
  batchesSent_.inc();
  recordsPushed_.inc(upserts);
  tombstonesPushed_.inc(tombstones);
}

void ConnectorMetrics::setWatermark(const std::string& watermark) {
  std::lock_guard lock(mutex_);
  watermark_ = watermark;
}

ConnectorTotals ConnectorMetrics::snapshot() const {
  ConnectorTotals t;
  t.recordsSeen = whole(recordsSeen_);
  t.recordsEncoded = whole(recordsEncoded_);
  t.recordsPushed = whole(recordsPushed_);
  t.tombstonesPushed = whole(tombstonesPushed_);
  t.quarantined = whole(quarantined_);
  t.batchesSent = whole(batchesSent_);
  t.batchRetries = whole(batchRetries_);
  t.hubRefusals = whole(hubRefusals_);
  t.syncsOk = whole(syncsOk_);
  t.syncsFailed = whole(syncsFailed_);
  t.lastSyncStart = lastSyncStart_;
  t.lastSyncEnd = lastSyncEnd_;
  t.lastSuccess = lastSuccess_;
  std::lock_guard lock(mutex_);
  t.lastOutcome = lastOutcome_;
  t.watermark = watermark_;
  return t;
}

std::string ConnectorMetrics::render() const { return registry_.render(); }

std::optional<std::int64_t> ConnectorMetrics::lag(std::int64_t at) const {
  const auto success = lastSuccess_.load();
  if (success == 0) return std::nullopt;
  return at - success;
}

std::optional<std::int64_t> ConnectorMetrics::watermarkLag(const std::string& watermark, std::int64_t at) {
  // PostgreSQL's ISO output (the source sets DateStyle ISO and TimeZone UTC):
  // "YYYY-MM-DD[ HH:MM:SS[.ffffff][+00]]"; also ISO 8601 with a "T".
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  char separator = 0;
  const int fields = std::sscanf(watermark.c_str(), "%4d-%2d-%2d%c%2d:%2d:%2d", &year, &month, &day, &separator, &hour,
                                 &minute, &second);
  const bool dateOnly = fields == 3 && watermark.size() == 10;
  const bool dateTime = fields == 7 && (separator == ' ' || separator == 'T');
  if (!dateOnly && !dateTime) return std::nullopt;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  return at - static_cast<std::int64_t>(timegm(&tm));
}

ConnectorMetrics& connectorMetrics() {
  static ConnectorMetrics metrics;
  return metrics;
}

void sendConnectorMetrics(Poco::Net::HTTPServerResponse& response) {
  const std::string body = connectorMetrics().render();
  response.setStatus(Poco::Net::HTTPResponse::HTTP_OK);
  response.setContentType("text/plain; version=0.0.4; charset=utf-8");
  response.setContentLength64(static_cast<Poco::Int64>(body.size()));
  response.send() << body;
}

}  // namespace nser::connectors
