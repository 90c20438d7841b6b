#include "hub/attribute_broker.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <optional>
#include <set>

#include "protocol/fetch_order.h"
#include "protocol/json_reader.h"
#include "protocol/json_writer.h"
#include "protocol/random_uuid.h"

namespace nser::hub {
namespace {

std::int64_t nowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Holder {
  const Party* party;
  std::string reference;
};

}  // namespace

bool BrokerResult::anyPermit() const {
  return std::any_of(attributes.begin(), attributes.end(), [](const BrokeredAttribute& a) { return a.permit; });
}

std::string BrokerResult::denialReason() const {
  return attributes.empty() ? "NoAttributes" : attributes.front().reason;
}

AttributeBroker::AttributeBroker(const IngestService& ingest, const PartyRegistry& parties,
                                 const AgreementRegistry& agreements, const ConsentRegistry& consents,
                                 QuotaLedger& quotas, HubAudit& audit, HubMetrics& metrics,
                                 const pki::SigningKey& orderKey,
                                 Poco::Net::Context::Ptr clientContext, BrokerOptions options)
    : ingest_(ingest),
      parties_(parties),
      agreements_(agreements),
      consents_(consents),
      quotas_(quotas),
      audit_(audit),
      metrics_(metrics),
      orderKey_(orderKey),
      clientContext_(std::move(clientContext)),
      options_(options) {}

void AttributeBroker::checkActingFor(const Party& caller, const std::string& programme) const {
  const auto party = parties_.find(programme);
  if (!party || party->role != Role::Programme) {
    throw service::HttpError(403, "NoAgreement", "'" + programme + "' is not a registered programme");
  }
  if (!party->active()) throw service::HttpError(403, "ProgrammeDisabled", "programme '" + programme + "' is disabled");
  if (caller.id != programme && party->via != caller.id) {
    throw service::HttpError(403, "NotActingForProgramme",
                      "party '" + caller.id + "' does not query on behalf of programme '" + programme + "'");
  }
}

BrokerResult AttributeBroker::broker(const Party& caller, const BrokerRequest& request) {
  checkActingFor(caller, request.programme);
  if (pki::decodePublicKey(caller.boxKey) == std::nullopt) {
    throw service::HttpError(409, "no_box_key",
                      "party '" + caller.id + "' has not registered a box key to receive sealed attributes");
  }
  const std::int64_t now = nowMillis() / 1000;
  const std::string entityText = std::to_string(request.entity);

  // Who holds records of the person, and under which references.
  std::vector<Party> holderParties;
  std::vector<std::pair<std::string, std::string>> references;
  std::map<std::string, std::string> referenceOf;  // custodian id -> its first record's reference
  if (const EntityIndex* index = ingest_.index()) {
    for (const auto& member : index->memberReferences(request.entity)) {
      const auto party = parties_.findByCustodianNumber(member.custodian);
      if (!party) continue;
      references.emplace_back(party->id, member.reference);
      if (referenceOf.emplace(party->id, member.reference).second) holderParties.push_back(*party);
    }
  }
  // A consent is about the person, whichever of their records the desk
  // captured it against: decide on the entity.
  std::vector<policy::ConsentArtefact> consents = consents_.forSubject(entityText, references);
  for (auto& consent : consents) consent.subject = policy::ConsentSubject{entityText, "", ""};
  const std::vector<policy::Agreement> agreements = agreements_.forProgramme(request.programme);
  policy::QuotaState quota;
  quota.usedToday = [&](const std::string& agreementId) { return quotas_.used(agreementId, now); };

  std::vector<std::string> asked;
  for (const auto& name : request.attributes) {
    if (std::find(asked.begin(), asked.end(), name) == asked.end()) asked.push_back(name);
  }
  BrokerResult result;
  std::set<std::string> served;
  for (const Party& holder : holderParties) {
    policy::AccessRequest access;
    access.programme = request.programme;
    access.purpose = request.purpose;
    access.custodian = holder.id;
    access.entityId = entityText;
    access.reference = referenceOf[holder.id];
    access.time = now;
    for (const auto& name : asked) {
      if (std::find(holder.attributes.begin(), holder.attributes.end(), name) != holder.attributes.end()) {
        access.attributes.push_back(name);
        served.insert(name);
      }
    }
    if (access.attributes.empty()) continue;
    const policy::AccessDecision decision = policy::decide(agreements, consents, access, quota);
    for (const auto& d : decision.attributes) {
      result.attributes.push_back({d.attribute, holder.id, d.permit, false, std::string(policy::reasonCode(d.reason)),
                                   d.agreementId, d.consentId});
    }
  }
  for (const auto& name : asked) {
    if (served.count(name) == 0) result.attributes.push_back({name, "", false, false, "AttributeNotHeld", "", ""});
  }

  // One request counts once against each agreement that permits in it.
  std::set<std::string> spent;
  for (auto& row : result.attributes) {
    if (!row.permit || spent.count(row.agreementId) != 0) continue;
    const auto agreement = std::find_if(agreements.begin(), agreements.end(),
                                        [&](const policy::Agreement& a) { return a.id == row.agreementId; });
    const std::uint32_t limit = agreement == agreements.end() ? 0 : agreement->requestsPerDay;
    if (quotas_.consumeIfAvailable(row.agreementId, limit, now)) {
      spent.insert(row.agreementId);
      continue;
    }
    for (auto& other : result.attributes) {
      if (other.permit && other.agreementId == row.agreementId) {
        other.permit = false;
        other.reason = std::string(policy::reasonCode(policy::Reason::QuotaExceeded));
      }
    }
  }

  for (const auto& row : result.attributes) metrics_.observeDecision(row.reason);

  // The decisions are durable in the audit log before anything is released.
  std::map<std::string, std::vector<BrokeredAttribute*>> byCustodian;
  for (auto& row : result.attributes) byCustodian[row.custodian].push_back(&row);
  // One entry per custodian, made durable together in one group.
  std::vector<audit::AuditEntry> entries;
  entries.reserve(byCustodian.size());
  for (const auto& [custodian, rows] : byCustodian) {
    audit::AuditEntry& entry = entries.emplace_back();
    entry.kind = "decision";
    entry.timeMillis = nowMillis();
    entry.actor = caller.id;
    entry.programme = request.programme;
    entry.custodian = custodian;
    entry.entity = entityText;
    entry.purpose = request.purpose;
    const bool all = std::all_of(rows.begin(), rows.end(), [](const BrokeredAttribute* r) { return r->permit; });
    const bool none = std::none_of(rows.begin(), rows.end(), [](const BrokeredAttribute* r) { return r->permit; });
    entry.decision = all ? "permit" : (none ? "deny" : "partial");
    // Members in alphabetical order, as the Poco::JSON::Object this
    // replaced wrote them (docs/audit-format.md).
    protocol::JsonWriter details;
    details.beginObject();
    details.key("attributes").beginArray();
    for (const auto* row : rows) {
      details.beginObject();
      if (!row->agreementId.empty()) details.member("agreement_id", row->agreementId);
      details.member("attribute", row->attribute);
      if (!row->consentId.empty()) details.member("consent_id", row->consentId);
      details.member("decision", row->permit ? "permit" : "deny");
      details.member("reason", row->reason);
      details.endObject();
    }
    details.endArray();
    details.member("request_id", request.requestId);
    details.member("requester_key", caller.boxKey);
    details.endObject();
    entry.details = details.take();
  }
  audit_.recordAll(entries);

  // One signed order per custodian and legal ground.
  std::map<std::tuple<std::string, std::string, std::string>, std::vector<BrokeredAttribute*>> orders;
  for (auto& row : result.attributes) {
    if (row.permit) orders[{row.custodian, row.agreementId, row.consentId}].push_back(&row);
  }
  for (auto& [ground, rows] : orders) {
    const auto& [custodian, agreementId, consentId] = ground;
    const auto holder = std::find_if(holderParties.begin(), holderParties.end(),
                                     [&](const Party& p) { return p.id == custodian; });
    protocol::FetchOrder order;
    order.orderId = protocol::randomUuid();
    order.requester = request.programme;
    order.requesterKey = caller.boxKey;
    order.custodian = custodian;
    order.reference = referenceOf[custodian];
    order.entityId = entityText;
    order.purpose = request.purpose;
    for (const auto* row : rows) order.attributes.push_back(row->attribute);
    order.agreementId = agreementId;
    order.consentId = consentId;
    order.issuedAt = now;
    order.expiresAt = now + options_.orderValiditySeconds;
    protocol::signFetchOrder(order, orderKey_);
    SealedPayload payload = fetch(*holder, order, rows);
    if (!payload.sealed.empty()) result.payloads.push_back(std::move(payload));
  }
  return result;
}

service::HttpsClientPool& AttributeBroker::poolFor(const std::string& endpoint) {
  std::lock_guard lock(poolsMutex_);
  auto& pool = pools_[endpoint];
  if (!pool) {
    const auto colon = endpoint.rfind(':');
    const std::string host = endpoint.substr(0, colon);
    const auto port = static_cast<std::uint16_t>(std::stoul(endpoint.substr(colon + 1)));
    pool = std::make_unique<service::HttpsClientPool>(host, port, clientContext_, options_.fetchTimeout);
  }
  return *pool;
}

SealedPayload AttributeBroker::fetch(const Party& custodian, const protocol::FetchOrder& order,
                                     std::vector<BrokeredAttribute*>& rows) {
  SealedPayload payload;
  payload.custodian = custodian.id;
  payload.orderId = order.orderId;
  auto fail = [&](const std::string& reason) {
    for (auto* row : rows) row->reason = reason;
    payload.sealed.clear();
    return payload;
  };
  if (custodian.attributeEndpoint.empty()) return fail("CustodianUnavailable");
  const auto started = std::chrono::steady_clock::now();
  auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(); };
  try {
    const std::string body = protocol::fetchOrderToJson(order);
    const auto response =
        poolFor(custodian.attributeEndpoint).with([&](service::HttpsClient& c) { return c.postJson("/attributes/fetch", body); });
    // {"order_id", "sealed"}: another status, the wrong order or no payload
    // is a refusal; a body that is not JSON throws (the custodian is
    // unavailable, below).
    std::optional<protocol::JsonDocument> reply;
    if (response.status == 200) reply.emplace(protocol::JsonDocument::parse(response.body));
    const protocol::JsonValue root = reply ? reply->root() : protocol::JsonValue();
    const std::string_view sealed = root.find("sealed").string().value_or("");
    if (root.find("order_id").string() != std::optional<std::string_view>(order.orderId) || sealed.empty()) {
      metrics_.observeFetch("refused", seconds());
      return fail("CustodianRefused");
    }
    payload.sealed = std::string(sealed);
  } catch (const std::exception&) {
    metrics_.observeFetch("unavailable", seconds());
    return fail("CustodianUnavailable");
  }
  metrics_.observeFetch("delivered", seconds());
  for (auto* row : rows) row->delivered = true;
  return payload;
}

}  // namespace nser::hub
