// AttributeBroker: blind attribute brokering for one matched person
// (docs/brokering.md).
//
// A programme, through its connector, asks for named attributes of the
// entity its search matched, for a stated purpose. For every custodian that
// holds a record of the entity and serves an asked attribute, the policy
// decision (policy/access_decision.h) runs on the programme's agreements,
// the person's consents and the day's quota; every (attribute, custodian)
// gets permit or deny with a reason code. For each custodian with permitted
// attributes the broker signs a fetch order (protocol/fetch_order.h: who
// asks, for what purpose, which attributes of which pseudonymous reference,
// under which agreement and consent, until when, sealed to which key), sends
// it to the custodian's attribute server over mutual TLS and relays the
// sealed payload it returns. The hub never sees the attribute values: the
// custodian seals them to the requesting connector's public key.
//
// Every decision goes to the audit log (one entry per custodian asked, with
// the attribute names, reasons, agreement and consent ids; never values).
//
// Thread-safe.
#pragma once

#include <Poco/Net/Context.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "hub/agreement_registry.h"
#include "hub/broker_options.h"
#include "hub/consent_registry.h"
#include "hub/hub_audit.h"
#include "hub/hub_metrics.h"
#include "hub/ingest_service.h"
#include "hub/party_registry.h"
#include "hub/quota_ledger.h"
#include "pki/signing_key.h"
#include "policy/access_decision.h"
#include "protocol/fetch_order.h"
#include "service/http_error.h"
#include "service/https_client_pool.h"

namespace nser::hub {

// A request to broker, after the search matched exactly one entity.
struct BrokerRequest {
  std::string requestId;   // the search's transaction + reference id, for the audit trail
  std::string programme;
  std::string purpose;
  std::vector<std::string> attributes;
  linkage::EntityId entity = 0;
};

struct BrokeredAttribute {
  std::string attribute;
  std::string custodian;    // empty when no custodian of the entity serves it
  bool permit = false;
  bool delivered = false;   // permitted and the custodian answered
  std::string reason;       // policy reason code, or AttributeNotHeld / CustodianUnavailable / CustodianRefused
  std::string agreementId;
  std::string consentId;
};

struct SealedPayload {
  std::string custodian;
  std::string orderId;
  std::string sealed;  // base64 sealed box, opened by the requesting connector
};

struct BrokerResult {
  std::vector<BrokeredAttribute> attributes;
  std::vector<SealedPayload> payloads;
  bool anyPermit() const;
  // The reason reported when nothing was permitted: the first attribute's.
  std::string denialReason() const;
};

class AttributeBroker {
 public:
  AttributeBroker(const IngestService& ingest, const PartyRegistry& parties, const AgreementRegistry& agreements,
                  const ConsentRegistry& consents, QuotaLedger& quotas, HubAudit& audit, HubMetrics& metrics,
                  const pki::SigningKey& orderKey, Poco::Net::Context::Ptr clientContext, BrokerOptions options);

  // Throws service::HttpError when the request itself cannot be brokered
  // (403: the caller may not act for the programme; 409: it has no box key).
  BrokerResult broker(const Party& caller, const BrokerRequest& request);

  // Checks that `caller` may act for `programme` (the programme itself, or
  // the custodian it queries through); throws service::HttpError 403 otherwise.
  void checkActingFor(const Party& caller, const std::string& programme) const;

 private:
  SealedPayload fetch(const Party& custodian, const protocol::FetchOrder& order, std::vector<BrokeredAttribute*>& rows);
  service::HttpsClientPool& poolFor(const std::string& endpoint);

  const IngestService& ingest_;
  const PartyRegistry& parties_;
  const AgreementRegistry& agreements_;
  const ConsentRegistry& consents_;
  QuotaLedger& quotas_;
  HubAudit& audit_;
  HubMetrics& metrics_;
  const pki::SigningKey& orderKey_;
  Poco::Net::Context::Ptr clientContext_;
  BrokerOptions options_;
  std::mutex poolsMutex_;
  std::map<std::string, std::unique_ptr<service::HttpsClientPool>> pools_;
};

}  // namespace nser::hub
