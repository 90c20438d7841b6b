// The hub's consent-scoped sharing routes (docs/hub.md, "Sharing"): the
// connectors' profiles and the hub's keys, agreements (admins), consent
// artefacts and their status changes (custodians; bulk import by admins),
// and the notifications parties collect. Every change is handed to the
// audit log before it is acknowledged.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <charconv>
#include <chrono>
#include <sstream>

#include "hub/hub_service.h"
#include "pki/signing_key.h"
#include "service/json_exchange.h"
#include "service/logging.h"

namespace nser::hub {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;
using service::HttpError;

Poco::Logger& log() { return Poco::Logger::get("hub"); }

Object::Ptr parsed(const std::string& json) {
  Poco::JSON::Parser parser;
  return parser.parse(json).extract<Object::Ptr>();
}

std::int64_t nowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "host:port" with a non-empty host and a port 1-65535.
bool validEndpoint(const std::string& endpoint) {
  const auto colon = endpoint.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 >= endpoint.size()) return false;
  for (std::size_t i = colon + 1; i < endpoint.size(); ++i) {
    if (endpoint[i] < '0' || endpoint[i] > '9') return false;
  }
  if (endpoint.size() - colon - 1 > 5) return false;
  const auto port = std::stoul(endpoint.substr(colon + 1));
  return port >= 1 && port <= 65535;
}

std::uint64_t queryNumber(RequestContext& c, const std::string& key, std::uint64_t fallback) {
  if (!c.query.count(key)) return fallback;
  try {
    std::size_t used = 0;
    const auto value = std::stoull(c.query[key], &used);
    if (used != c.query[key].size()) throw std::invalid_argument(key);
    return value;
  } catch (const std::exception&) {
    throw HttpError(400, "invalid_request", key + " must be a non-negative integer");
  }
}

}  // namespace

void HubService::auditChange(const std::string& kind, const Party& actor, const std::string& action,
                             Object details, const std::string& programme, const std::string& custodian,
                             const std::string& entity, const std::string& purpose) {
  audit::AuditEntry entry;
  entry.kind = kind;
  entry.timeMillis = nowMillis();
  entry.actor = actor.id;
  entry.programme = programme;
  entry.custodian = custodian;
  entry.entity = entity;
  entry.purpose = purpose;
  details.set("action", action);
  std::ostringstream text;
  details.stringify(text);
  entry.details = text.str();
  audit_->record(entry);
}

void HubService::addSharingRoutes() {
  const std::set<Role> admin = {Role::Admin};
  const std::set<Role> oversight = {Role::Admin, Role::Auditor};
  const std::set<Role> everyone = {Role::Custodian, Role::Programme, Role::Admin, Role::Auditor};

  // The keys parties need to verify what the hub signs.
  routes_.add({"GET", "/keys", everyone, [this](RequestContext& c) {
                 Object body;
                 body.set("hub_id", config_.hubId);
                 body.set("fetch_order_key", pki::encodePublicKey(orderKey_->publicKey()));
                 service::sendJson(c.response, 200, body);
               }});

  // A connector registers its keys, attribute endpoint and catalogue under
  // its own mutual-TLS identity.
  routes_.add({"PUT", "/parties/self/profile", {Role::Custodian, Role::Programme}, [this](RequestContext& c) {
                 const auto body = service::parseJsonObject(service::readBody(c.request, 65536));
                 Party profile = *c.caller;
                 auto keyMember = [&](const char* key, std::string& slot) {
                   if (!body->has(key)) return;
                   const std::string value = body->optValue<std::string>(key, "");
                   if (!pki::decodePublicKey(value)) {
                     throw HttpError(400, "invalid_request", std::string("$.") + key + " must be a base64 32-byte public key");
                   }
                   slot = value;
                 };
                 keyMember("box_key", profile.boxKey);
                 if (c.caller->role == Role::Custodian) {
                   keyMember("signing_key", profile.signingKey);
                   if (body->has("attribute_endpoint")) {
                     profile.attributeEndpoint = body->optValue<std::string>("attribute_endpoint", "");
                     if (!validEndpoint(profile.attributeEndpoint)) {
                       throw HttpError(400, "invalid_request", "$.attribute_endpoint must be host:port");
                     }
                   }
                   if (body->has("attributes")) {
                     if (body->get("attributes").type() != typeid(Array::Ptr)) {
                       throw HttpError(400, "invalid_request", "$.attributes must be an array of names");
                     }
                     profile.attributes.clear();
                     const auto names = body->getArray("attributes");
                     for (std::size_t i = 0; i < names->size(); ++i) {
                       const auto value = names->get(static_cast<unsigned>(i));
                       if (!value.isString() || value.toString().empty()) {
                         throw HttpError(400, "invalid_request", "$.attributes[" + std::to_string(i) + "] must be a name");
                       }
                       profile.attributes.push_back(value.toString());
                     }
                   }
                 } else if (body->has("signing_key") || body->has("attribute_endpoint") || body->has("attributes")) {
                   throw HttpError(400, "invalid_request", "only custodians register signing keys and attributes");
                 }
                 const Party updated = parties_->setProfile(c.caller->id, profile);
                 Object details;
                 details.set("party", updated.id);
                 details.set("signing_key", updated.signingKey);
                 details.set("box_key", updated.boxKey);
                 details.set("attribute_endpoint", updated.attributeEndpoint);
                 auditChange("admin", *c.caller, "profile", details, "", updated.role == Role::Custodian ? updated.id : "");
                 service::sendJson(c.response, 200, *partyToJson(updated));
               }});

  // Agreements.
  auto sendAgreement = [](RequestContext& c, int status, const policy::Agreement& agreement) {
    service::sendJsonText(c.response, status, policy::agreementToJson(agreement));
  };
  auto auditAgreement = [this](const Party& actor, const std::string& action, const policy::Agreement& agreement) {
    Object details;
    details.set("agreement_id", agreement.id);
    details.set("version", agreement.version);
    details.set("agreement", parsed(policy::agreementToJson(agreement)));
    auditChange("admin", actor, action, details, agreement.programme);
    service::logEvent(log(), Poco::Message::PRIO_NOTICE, "agreement " + action,
                      {{"agreement", agreement.id}, {"version", std::to_string(agreement.version)}, {"by", actor.id}});
  };
  routes_.add({"GET", "/admin/agreements", oversight, [this](RequestContext& c) {
                 Array::Ptr list = new Array;
                 for (const auto& agreement : agreements_->list()) list->add(parsed(policy::agreementToJson(agreement)));
                 Object body;
                 body.set("agreements", list);
                 service::sendJson(c.response, 200, body);
               }});
  routes_.add({"POST", "/admin/agreements", admin, [this, sendAgreement, auditAgreement](RequestContext& c) {
                 try {
                   const auto agreement = agreements_->create(service::readBody(c.request, 1 << 20));
                   auditAgreement(*c.caller, "created", agreement);
                   sendAgreement(c, 201, agreement);
                 } catch (const RegistryError& e) {
                   throw registryHttpError(e);
                 }
               }});
  routes_.add({"GET", "/admin/agreements/{id}", oversight, [this, sendAgreement](RequestContext& c) {
                 const auto agreement = agreements_->find(c.params["id"]);
                 if (!agreement) throw HttpError(404, "not_found", "no agreement '" + c.params["id"] + "'");
                 sendAgreement(c, 200, *agreement);
               }});
  routes_.add({"GET", "/admin/agreements/{id}/history", oversight, [this](RequestContext& c) {
                 const auto versions = agreements_->history(c.params["id"]);
                 if (versions.empty()) throw HttpError(404, "not_found", "no agreement '" + c.params["id"] + "'");
                 Array::Ptr list = new Array;
                 for (const auto& agreement : versions) list->add(parsed(policy::agreementToJson(agreement)));
                 Object body;
                 body.set("versions", list);
                 service::sendJson(c.response, 200, body);
               }});
  routes_.add({"PUT", "/admin/agreements/{id}", admin, [this, sendAgreement, auditAgreement](RequestContext& c) {
                 try {
                   const auto agreement = agreements_->amend(c.params["id"], service::readBody(c.request, 1 << 20));
                   auditAgreement(*c.caller, "amended", agreement);
                   sendAgreement(c, 200, agreement);
                 } catch (const RegistryError& e) {
                   throw registryHttpError(e);
                 }
               }});
  routes_.add({"POST", "/admin/agreements/{id}/end", admin, [this, sendAgreement, auditAgreement](RequestContext& c) {
                 try {
                   const auto agreement = agreements_->end(c.params["id"]);
                   auditAgreement(*c.caller, "ended", agreement);
                   sendAgreement(c, 200, agreement);
                 } catch (const RegistryError& e) {
                   throw registryHttpError(e);
                 }
               }});

  // Consent artefacts.
  auto entityOfSubject = [this](const policy::ConsentSubject& subject) -> std::string {
    if (!subject.entityId.empty()) return subject.entityId;
    const auto custodian = parties_->find(subject.custodian);
    const EntityIndex* index = ingest_->index();
    if (!custodian || index == nullptr) return "";
    const auto entity = index->entityOfReference(custodian->custodianNumber, subject.reference);
    return entity ? std::to_string(*entity) : "";
  };
  auto auditConsent = [this, entityOfSubject](const Party& actor, const std::string& action,
                                              const policy::ConsentArtefact& consent) {
    Object details;
    details.set("consent_id", consent.id);
    details.set("status", parsed(policy::consentToJson(consent))->getValue<std::string>("status"));
    Array::Ptr attributes = new Array;
    for (const auto& name : consent.attributes) attributes->add(name);
    details.set("attributes", attributes);
    details.set("expiry", consent.expiry);
    auditChange("consent", actor, action, details, consent.programme, consent.provenance.custodian,
                entityOfSubject(consent.subject), consent.purpose);
  };
  routes_.add({"POST", "/consents", {Role::Custodian}, [this, auditConsent](RequestContext& c) {
                 try {
                   const auto consent = consents_->add(service::readBody(c.request, 65536), c.caller);
                   auditConsent(*c.caller, "registered", consent);
                   service::sendJsonText(c.response, 201, policy::consentToJson(consent));
                 } catch (const RegistryError& e) {
                   throw registryHttpError(e);
                 }
               }});
  routes_.add({"POST", "/consents/{id}/status", {Role::Custodian},
               [this, auditConsent, entityOfSubject](RequestContext& c) {
                 try {
                   const auto consent = consents_->changeStatus(c.params["id"], service::readBody(c.request, 65536), c.caller);
                   const std::string status = parsed(policy::consentToJson(consent))->getValue<std::string>("status");
                   auditConsent(*c.caller, "status " + status, consent);
                   // The programme holding the consent and every custodian
                   // holding the person's records hear of it.
                   std::vector<std::string> told = {consent.programme};
                   const std::string entity = entityOfSubject(consent.subject);
                   linkage::EntityId entityId = 0;
                   const auto parsedId = std::from_chars(entity.data(), entity.data() + entity.size(), entityId);
                   const bool knownEntity = !entity.empty() && parsedId.ec == std::errc() &&
                                            parsedId.ptr == entity.data() + entity.size();
                   if (const EntityIndex* index = ingest_->index(); index != nullptr && knownEntity) {
                     for (const auto& member : index->memberReferences(entityId)) {
                       if (auto id = parties_->custodianId(member.custodian)) {
                         if (std::find(told.begin(), told.end(), *id) == told.end()) told.push_back(*id);
                       }
                     }
                   }
                   if (std::find(told.begin(), told.end(), consent.provenance.custodian) == told.end()) {
                     told.push_back(consent.provenance.custodian);
                   }
                   Object note;
                   note.set("type", "consent-status");
                   note.set("consent_id", consent.id);
                   note.set("status", status);
                   note.set("programme", consent.programme);
                   note.set("purpose", consent.purpose);
                   if (!entity.empty()) note.set("entity_id", entity);
                   notifications_->notify(told, note);
                   service::sendJsonText(c.response, 200, policy::consentToJson(consent));
                 } catch (const RegistryError& e) {
                   throw registryHttpError(e);
                 }
               }});
  routes_.add({"GET", "/consents/{id}", {Role::Custodian, Role::Admin, Role::Auditor}, [this](RequestContext& c) {
                 const auto consent = consents_->find(c.params["id"]);
                 if (!consent || (c.caller->role == Role::Custodian && consent->provenance.custodian != c.caller->id)) {
                   throw HttpError(404, "not_found", "no consent '" + c.params["id"] + "' captured by this party");
                 }
                 service::sendJsonText(c.response, 200, policy::consentToJson(*consent));
               }});
  // Bulk import of custodian-signed artefacts, one JSON document per line;
  // every line is accounted for (imported, already present, or rejected with
  // its line number and reason).
  routes_.add({"POST", "/admin/consents/import", admin, [this, auditConsent](RequestContext& c) {
                 const std::string body = service::readBody(c.request, 64u << 20);
                 std::istringstream lines(body);
                 std::string line;
                 std::size_t number = 0;
                 std::size_t imported = 0;
                 Array::Ptr rejected = new Array;
                 while (std::getline(lines, line)) {
                   ++number;
                   if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
                   try {
                     const auto consent = consents_->add(line, nullptr);
                     auditConsent(*c.caller, "imported", consent);
                     ++imported;
                   } catch (const RegistryError& e) {
                     Object::Ptr item = new Object;
                     item->set("line", number);
                     item->set("error", std::string(e.what()));
                     rejected->add(item);
                   }
                 }
                 Object reply;
                 reply.set("lines", number);
                 reply.set("imported", imported);
                 reply.set("rejected", rejected);
                 service::sendJson(c.response, rejected->size() == 0 ? 200 : 207, reply);
               }});

  // Notifications: a party reads its own; a custodian also those of the
  // programmes it queries for (?party=).
  routes_.add({"GET", "/notifications", {Role::Custodian, Role::Programme}, [this](RequestContext& c) {
                 std::string party = c.caller->id;
                 if (c.query.count("party") && c.query["party"] != party) {
                   const auto programme = parties_->find(c.query["party"]);
                   if (!programme || programme->via != c.caller->id) {
                     throw HttpError(403, "forbidden", "party '" + c.caller->id + "' does not act for '" +
                                                           c.query["party"] + "'");
                   }
                   party = programme->id;
                 }
                 const auto after = queryNumber(c, "after", 0);
                 const auto limit = std::min<std::uint64_t>(queryNumber(c, "limit", 100), 1000);
                 Array::Ptr list = new Array;
                 for (const auto& text : notifications_->read(party, after, limit)) list->add(parsed(text));
                 Object body;
                 body.set("party", party);
                 body.set("notifications", list);
                 service::sendJson(c.response, 200, body);
               }});
}

}  // namespace nser::hub
