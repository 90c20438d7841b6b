// HubMetrics: what the hub exposes on GET /metrics (Prometheus text format
// 0.0.4): request counts and latency histograms by route pattern and status,
// ingest counters, record/entity/party counts, brokering decisions by reason
// and fetch round trips, and RocksDB statistics. Labels carry route patterns,
// status and reason codes only, never ids.
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
  // Brokering: one (attribute, custodian) decision by reason code, and one
  // fetch order's round trip to a custodian by outcome (delivered,
  // refused, unavailable).
  void observeDecision(const std::string& reason);
  void observeFetch(const std::string& outcome, double seconds);
  std::string render() const;

 private:
  service::MetricsRegistry registry_;
};

}  // namespace nser::hub
