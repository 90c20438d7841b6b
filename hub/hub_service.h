// HubService: the running hub. Opens the store, loads the parties, the model
// and the entity index, registers the bootstrap admins, and serves the routes
// (docs/hub.md lists them with their roles) over HTTPS with mutual TLS 1.3.
//
// Every request: the TLS layer has already verified the client certificate
// against the deployment CA (and CRL); the route table finds the route
// (404/405 otherwise); the certificate's fingerprint names the party, which
// must be registered, active and hold one of the route's roles (403
// otherwise); the handler runs. Errors are JSON (service/http_error.h); an
// unexpected exception is a 500 that is logged and never takes the hub down.
#pragma once

#include <Poco/ThreadPool.h>

#include <atomic>
#include <memory>

#include "hub/agreement_registry.h"
#include "hub/attribute_broker.h"
#include "hub/consent_registry.h"
#include "hub/hub_audit.h"
#include "hub/hub_config.h"
#include "hub/hub_metrics.h"
#include "hub/hub_store.h"
#include "hub/ingest_service.h"
#include "hub/model_lifecycle.h"
#include "hub/notification_feed.h"
#include "hub/party_registry.h"
#include "hub/quota_ledger.h"
#include "hub/registry_search.h"
#include "hub/route_table.h"
#include "service/http_server.h"

namespace nser::hub {

class HubService {
 public:
  explicit HubService(HubConfig config);
  ~HubService();

  void start();
  // Stops accepting, lets in-flight requests finish (up to a few seconds),
  // then closes the store.
  void stop();
  std::uint16_t port() const;

  const HubConfig& config() const { return config_; }

 private:
  void addRoutes();
  void addSharingRoutes();
  void bootstrapAdmins();
  // Hands an admin or consent change to the audit log (durable on return).
  void auditChange(const std::string& kind, const Party& actor, const std::string& action,
                   Poco::JSON::Object details, const std::string& programme = "", const std::string& custodian = "",
                   const std::string& entity = "", const std::string& purpose = "");

  HubConfig config_;
  std::unique_ptr<HubStore> store_;
  std::unique_ptr<HubAudit> audit_;  // the audit log, <data>/audit (before everything that records)
  std::unique_ptr<PartyRegistry> parties_;
  std::unique_ptr<IngestService> ingest_;
  std::unique_ptr<RegistrySearch> search_;
  std::unique_ptr<ModelLifecycle> models_;
  std::unique_ptr<HubMetrics> metrics_;
  std::unique_ptr<AgreementRegistry> agreements_;
  std::unique_ptr<ConsentRegistry> consents_;
  std::unique_ptr<QuotaLedger> quotas_;
  std::unique_ptr<NotificationFeed> notifications_;
  std::unique_ptr<pki::SigningKey> orderKey_;  // signs fetch orders; <data>/keys/fetch-order.key
  std::unique_ptr<AttributeBroker> broker_;
  RouteTable routes_;
  std::unique_ptr<Poco::ThreadPool> threads_;
  std::unique_ptr<service::HttpServer> server_;
  std::atomic<bool> ready_{false};
};

}  // namespace nser::hub
