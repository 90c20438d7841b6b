// HubMetrics: what the hub exposes on GET /metrics (Prometheus text format
// 0.0.4): request counts and latency histograms by route pattern and status,
// ingest counters, record/entity/party counts and RocksDB statistics. Labels
// carry route patterns and status codes only, never ids.
#pragma once

#include <memory>
#include <string>

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
  std::string render() const;

 private:
  service::MetricsRegistry registry_;
};

}  // namespace nser::hub
