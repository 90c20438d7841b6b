#include "policy/consent_artefact.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <algorithm>
#include <sstream>

#include "pki/signing_bytes.h"
#include "policy/policy_identifier.h"
#include "schemas/json_document.h"

namespace nser::policy {

namespace {

constexpr std::int64_t kLatestInstant = 253402300799;  // 9999-12-31T23:59:59Z

std::string signatureFrom(const schemas::JsonNode& node) {
  const std::optional<std::string> raw = pki::fromBase64(node.asString());
  if (!raw || raw->size() != pki::kSignatureBytes) node.fail("must be the base64 of a 64-byte Ed25519 signature");
  return *raw;
}

ConsentSubject subjectFrom(const schemas::JsonNode& node) {
  node.rejectUnknownKeys({"entity_id", "custodian", "reference"});
  ConsentSubject subject;
  if (auto entity = node.optionalField("entity_id")) subject.entityId = subjectIdFrom(*entity);
  if (auto custodian = node.optionalField("custodian")) subject.custodian = identifierFrom(*custodian);
  if (auto reference = node.optionalField("reference")) subject.reference = subjectIdFrom(*reference);
  if (subject.custodian.empty() != subject.reference.empty()) {
    node.fail("custodian and reference go together (a reference means something only to its custodian)");
  }
  if (subject.entityId.empty() && subject.reference.empty()) {
    node.fail("must name an entity_id, or a custodian and its reference");
  }
  return subject;
}

ConsentProvenance provenanceFrom(const schemas::JsonNode& node) {
  node.rejectUnknownKeys({"custodian", "captured_at", "method"});
  ConsentProvenance provenance;
  provenance.custodian = identifierFrom(node.field("custodian"));
  provenance.capturedAt = node.field("captured_at").asInt(0, kLatestInstant);
  provenance.method = identifierFrom(node.field("method"));
  return provenance;
}

ConsentStatus statusFrom(const schemas::JsonNode& node) {
  return *parseConsentStatus(node.asEnum({"ACTIVE", "PAUSED", "REVOKED", "EXPIRED"}));
}

std::string compact(const Poco::JSON::Object& object) {
  std::ostringstream out;
  object.stringify(out);
  return out.str();
}

}  // namespace

std::string_view consentStatusName(ConsentStatus status) {
  switch (status) {
    case ConsentStatus::Active: return "ACTIVE";
    case ConsentStatus::Paused: return "PAUSED";
    case ConsentStatus::Revoked: return "REVOKED";
    case ConsentStatus::Expired: return "EXPIRED";
  }
  return "EXPIRED";
}

std::optional<ConsentStatus> parseConsentStatus(std::string_view name) {
  for (ConsentStatus status :
       {ConsentStatus::Active, ConsentStatus::Paused, ConsentStatus::Revoked, ConsentStatus::Expired}) {
    if (consentStatusName(status) == name) return status;
  }
  return std::nullopt;
}

bool statusChangeAllowed(ConsentStatus from, ConsentStatus to) {
  if (from == ConsentStatus::Revoked || from == ConsentStatus::Expired) return false;
  switch (to) {
    case ConsentStatus::Active: return from == ConsentStatus::Paused;
    case ConsentStatus::Paused: return from == ConsentStatus::Active;
    case ConsentStatus::Revoked: return true;
    case ConsentStatus::Expired: return false;
  }
  return false;
}

bool ConsentArtefact::coversAttribute(std::string_view attribute) const {
  return std::find(attributes.begin(), attributes.end(), attribute) != attributes.end();
}

std::string consentSigningBytes(const ConsentArtefact& consent) {
  pki::SigningBytes bytes(kConsentSchema);
  bytes.field("id", consent.id)
      .field("subject.entity_id", consent.subject.entityId)
      .field("subject.custodian", consent.subject.custodian)
      .field("subject.reference", consent.subject.reference)
      .field("programme", consent.programme)
      .field("purpose", consent.purpose)
      .list("attributes", consent.attributes)
      .field("start", consent.start)
      .field("expiry", consent.expiry)
      .field("provenance.custodian", consent.provenance.custodian)
      .field("provenance.captured_at", consent.provenance.capturedAt)
      .field("provenance.method", consent.provenance.method);
  return bytes.bytes();
}

void signConsent(ConsentArtefact& consent, const pki::SigningKey& custodianKey) {
  consent.signature = custodianKey.sign(consentSigningBytes(consent));
}

bool verifyConsent(const ConsentArtefact& consent, const pki::PublicKey& custodianKey) {
  return pki::verifySignature(consentSigningBytes(consent), consent.signature, custodianKey);
}

ConsentArtefact parseConsent(const std::string& json, const std::string& source) {
  const schemas::JsonNode root = schemas::JsonNode::parseText(json, source);
  root.rejectUnknownKeys({"schema", "id", "subject", "programme", "purpose", "attributes", "start", "expiry", "status",
                          "provenance", "signature", "status_changed_at"});
  const schemas::JsonNode schema = root.field("schema");
  if (schema.asString() != kConsentSchema) schema.fail("must be \"" + std::string(kConsentSchema) + "\"");
  ConsentArtefact consent;
  consent.id = identifierFrom(root.field("id"));
  consent.subject = subjectFrom(root.field("subject"));
  consent.programme = identifierFrom(root.field("programme"));
  consent.purpose = identifierFrom(root.field("purpose"));
  consent.attributes = identifierListFrom(root.field("attributes"));
  consent.start = root.field("start").asInt(0, kLatestInstant);
  const schemas::JsonNode expiry = root.field("expiry");
  consent.expiry = expiry.asInt(0, kLatestInstant);
  if (consent.expiry <= consent.start) expiry.fail("must be later than start");
  consent.status = statusFrom(root.field("status"));
  consent.provenance = provenanceFrom(root.field("provenance"));
  if (auto signature = root.optionalField("signature")) consent.signature = signatureFrom(*signature);
  consent.statusChangedAt = root.intOr("status_changed_at", 0, 0, kLatestInstant);
  return consent;
}

std::string consentToJson(const ConsentArtefact& consent) {
  Poco::JSON::Object root;
  root.set("schema", std::string(kConsentSchema));
  root.set("id", consent.id);
  Poco::JSON::Object::Ptr subject = new Poco::JSON::Object;
  if (!consent.subject.entityId.empty()) subject->set("entity_id", consent.subject.entityId);
  if (!consent.subject.custodian.empty()) subject->set("custodian", consent.subject.custodian);
  if (!consent.subject.reference.empty()) subject->set("reference", consent.subject.reference);
  root.set("subject", subject);
  root.set("programme", consent.programme);
  root.set("purpose", consent.purpose);
  Poco::JSON::Array::Ptr attributes = new Poco::JSON::Array;
  for (const auto& attribute : consent.attributes) attributes->add(attribute);
  root.set("attributes", attributes);
  root.set("start", consent.start);
  root.set("expiry", consent.expiry);
  root.set("status", std::string(consentStatusName(consent.status)));
  Poco::JSON::Object::Ptr provenance = new Poco::JSON::Object;
  provenance->set("custodian", consent.provenance.custodian);
  provenance->set("captured_at", consent.provenance.capturedAt);
  provenance->set("method", consent.provenance.method);
  root.set("provenance", provenance);
  if (!consent.signature.empty()) root.set("signature", pki::toBase64(consent.signature));
  if (consent.statusChangedAt != 0) root.set("status_changed_at", consent.statusChangedAt);
  return compact(root);
}

std::string_view statusChangeOutcomeName(StatusChangeOutcome outcome) {
  switch (outcome) {
    case StatusChangeOutcome::Applied: return "Applied";
    case StatusChangeOutcome::AlreadyInStatus: return "AlreadyInStatus";
    case StatusChangeOutcome::NotAllowed: return "NotAllowed";
    case StatusChangeOutcome::Stale: return "Stale";
    case StatusChangeOutcome::WrongConsent: return "WrongConsent";
  }
  return "NotAllowed";
}

StatusChangeOutcome applyStatusChange(ConsentArtefact& consent, const ConsentStatusChange& change) {
  if (change.consentId != consent.id) return StatusChangeOutcome::WrongConsent;
  if (change.status == consent.status) return StatusChangeOutcome::AlreadyInStatus;
  if (change.at <= consent.statusChangedAt) return StatusChangeOutcome::Stale;
  if (!statusChangeAllowed(consent.status, change.status)) return StatusChangeOutcome::NotAllowed;
  consent.status = change.status;
  consent.statusChangedAt = change.at;
  return StatusChangeOutcome::Applied;
}

std::string statusChangeSigningBytes(const ConsentStatusChange& change) {
  pki::SigningBytes bytes(kConsentStatusChangeSchema);
  bytes.field("consent_id", change.consentId)
      .field("status", consentStatusName(change.status))
      .field("at", change.at);
  return bytes.bytes();
}

void signStatusChange(ConsentStatusChange& change, const pki::SigningKey& custodianKey) {
  change.signature = custodianKey.sign(statusChangeSigningBytes(change));
}

bool verifyStatusChange(const ConsentStatusChange& change, const pki::PublicKey& custodianKey) {
  return pki::verifySignature(statusChangeSigningBytes(change), change.signature, custodianKey);
}

ConsentStatusChange parseStatusChange(const std::string& json, const std::string& source) {
  const schemas::JsonNode root = schemas::JsonNode::parseText(json, source);
  root.rejectUnknownKeys({"schema", "consent_id", "status", "at", "signature"});
  const schemas::JsonNode schema = root.field("schema");
  if (schema.asString() != kConsentStatusChangeSchema) {
    schema.fail("must be \"" + std::string(kConsentStatusChangeSchema) + "\"");
  }
  ConsentStatusChange change;
  change.consentId = identifierFrom(root.field("consent_id"));
  change.status = *parseConsentStatus(root.field("status").asEnum({"ACTIVE", "PAUSED", "REVOKED"}));
  change.at = root.field("at").asInt(0, kLatestInstant);
  if (auto signature = root.optionalField("signature")) change.signature = signatureFrom(*signature);
  return change;
}

std::string statusChangeToJson(const ConsentStatusChange& change) {
  Poco::JSON::Object root;
  root.set("schema", std::string(kConsentStatusChangeSchema));
  root.set("consent_id", change.consentId);
  root.set("status", std::string(consentStatusName(change.status)));
  root.set("at", change.at);
  if (!change.signature.empty()) root.set("signature", pki::toBase64(change.signature));
  return compact(root);
}

}  // namespace nser::policy
