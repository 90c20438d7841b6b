#include "hub/hub_metrics.h"

namespace nser::hub {

HubMetrics::HubMetrics(const HubStore& store, const IngestService& ingest, const PartyRegistry& parties) {
  const IngestCounters& c = ingest.counters();
  auto counter = [&](const std::string& name, const std::string& help, const std::atomic<std::uint64_t>& value,
                     const service::MetricLabels& labels = {}) {
    registry_.callbackCounter(name, help, labels, [&value] { return static_cast<double>(value.load()); });
  };
  const std::string batches = "Ingest batches by outcome.";
  counter("nser_hub_ingest_batches_total", batches, c.batchesApplied, {{"outcome", "applied"}});
  counter("nser_hub_ingest_batches_total", batches, c.batchesDuplicate, {{"outcome", "duplicate"}});
  counter("nser_hub_ingest_batches_total", batches, c.batchesRejected, {{"outcome", "rejected"}});
  counter("nser_hub_ingest_batches_total", batches, c.batchesThrottled, {{"outcome", "throttled"}});
  const std::string records = "Ingested record operations by outcome.";
  counter("nser_hub_ingest_records_total", records, c.recordsUpserted, {{"outcome", "upserted"}});
  counter("nser_hub_ingest_records_total", records, c.recordsUnchanged, {{"outcome", "unchanged"}});
  counter("nser_hub_ingest_records_total", records, c.recordsDeleted, {{"outcome", "deleted"}});
  counter("nser_hub_candidates_scored_total", "Candidate pairs scored during ingest.", c.candidatesScored);
  const std::string events = "Entity resolution events.";
  counter("nser_hub_resolution_events_total", events, c.entitiesCreated, {{"type", "entity_created"}});
  counter("nser_hub_resolution_events_total", events, c.merges, {{"type", "entities_merged"}});
  counter("nser_hub_resolution_events_total", events, c.splits, {{"type", "entity_split"}});
  registry_.callbackGauge("nser_hub_records", "Source records held (encodings).", {}, [&ingest] {
    const EntityIndex* index = ingest.index();
    return index == nullptr ? 0.0 : static_cast<double>(index->recordCount());
  });
  registry_.callbackGauge("nser_hub_entities", "Live entities.", {}, [&ingest] {
    const EntityIndex* index = ingest.index();
    return index == nullptr ? 0.0 : static_cast<double>(index->entityCount());
  });
  registry_.callbackGauge("nser_hub_parties", "Registered parties.", {},
                          [&parties] { return static_cast<double>(parties.list().size()); });
  // RocksDB: a fixed list of properties and tickers (hub_store.cpp), read at scrape time.
  for (const auto& [name, value] : store.statistics()) {
    (void)value;
    const std::string statistic = name;
    registry_.callbackGauge("nser_hub_rocksdb", "RocksDB statistics and properties of the hub store.",
                            {{"statistic", statistic}}, [&store, statistic] {
                              for (const auto& [n, v] : store.statistics()) {
                                if (n == statistic) return static_cast<double>(v);
                              }
                              return 0.0;
                            });
  }
}

template <typename Key, typename Value, typename Make>
Value HubMetrics::cached(std::map<Key, Value>& cache, const Key& key, Make make) {
  {
    std::shared_lock lock(cacheMutex_);
    if (const auto it = cache.find(key); it != cache.end()) return it->second;
  }
  Value value = make();  // the registry returns the same series for the same labels
  std::unique_lock lock(cacheMutex_);
  return cache.emplace(key, value).first->second;
}

void HubMetrics::observeRequest(const std::string& route, const std::string& method, int status, double seconds) {
  const RequestSeries series = cached(requestSeries_, std::make_tuple(route, method, status), [&] {
    const service::MetricLabels labels = {{"route", route}, {"method", method}, {"status", std::to_string(status)}};
    return RequestSeries{
        &registry_.counter("nser_http_requests_total", "HTTP requests served, by route pattern, method and status.",
                           labels),
        &registry_.histogram("nser_http_request_duration_seconds",
                             "HTTP request latency by route pattern, method and status.",
                             service::MetricsRegistry::defaultLatencyBuckets(), labels)};
  });
  series.total->inc();
  series.duration->observe(seconds);
}

std::string HubMetrics::render() const { return registry_.render(); }

void HubMetrics::observeDecision(const std::string& reason) {
  cached(decisionSeries_, reason, [&] {
    return &registry_.counter("nser_hub_brokering_decisions_total", "Brokered attribute decisions by reason code.",
                              {{"reason", reason}});
  })->inc();
}

void HubMetrics::observeFetch(const std::string& outcome, double seconds) {
  cached(fetchSeries_, outcome, [&] {
    return &registry_.histogram("nser_hub_brokering_fetch_duration_seconds",
                                "Fetch orders sent to custodians' attribute servers, by outcome.",
                                service::MetricsRegistry::defaultLatencyBuckets(), {{"outcome", outcome}});
  })->observe(seconds);
}

}  // namespace nser::hub
