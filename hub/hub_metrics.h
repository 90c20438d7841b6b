// HubMetrics: what the hub exposes on GET /metrics (Prometheus text format
// 0.0.4): request counts and latency histograms by route pattern and status,
// ingest counters, record/entity/party counts, brokering decisions by reason
// and fetch round trips, and RocksDB statistics. Labels carry route patterns,
// status and reason codes only, never ids.
//
// The series an observation lands in are looked up in the registry once per
// label combination and kept (the registry's lookup validates names and
// labels under its lock); observing is then an atomic increment.
//
// Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <tuple>

#include "hub/hub_store.h"
#include "hub/ingest_service.h"
#include "hub/party_registry.h"
#include "service/metrics_registry.h"

namespace nser::hub {

class HubMetrics {
 public:
  HubMetrics(const HubStore& store, const IngestService& ingest, const PartyRegistry& parties);

  // One served request: its route pattern ("unmatched" when none), method and status.
  void observeRequest(const std::string& route, const std::string& method, int status, double seconds);
  // Brokering: one (attribute, custodian) decision by reason code, and one
  // fetch order's round trip to a custodian by outcome (delivered,
  // refused, unavailable).
  void observeDecision(const std::string& reason);
  void observeFetch(const std::string& outcome, double seconds);
  std::string render() const;

 private:
  struct RequestSeries {
    service::Counter* total;
    service::Histogram* duration;
  };
  // Finds `key` in `cache`, or registers it with `make` (under the write lock).
  template <typename Key, typename Value, typename Make>
  Value cached(std::map<Key, Value>& cache, const Key& key, Make make);

  service::MetricsRegistry registry_;
  std::shared_mutex cacheMutex_;
  std::map<std::tuple<std::string, std::string, int>, RequestSeries> requestSeries_;
  std::map<std::string, service::Counter*> decisionSeries_;
  std::map<std::string, service::Histogram*> fetchSeries_;
};

}  // namespace nser::hub
