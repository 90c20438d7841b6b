#include "policy/agreement.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <algorithm>
#include <set>
#include <sstream>

#include "policy/policy_identifier.h"
#include "schemas/json_document.h"

namespace nser::policy {

namespace {

// 9999-12-31T23:59:59Z: far enough for any agreement, small enough for any clock.
constexpr std::int64_t kLatestInstant = 253402300799;
constexpr std::size_t kMaxPurposeText = 2000;

bool contains(const std::vector<std::string>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

std::vector<Purpose> purposesFrom(const schemas::JsonNode& node) {
  std::vector<Purpose> purposes;
  std::set<std::string> seen;
  for (const schemas::JsonNode& item : node.asArray()) {
    item.rejectUnknownKeys({"code", "text"});
    Purpose purpose;
    purpose.code = identifierFrom(item.field("code"));
    const schemas::JsonNode text = item.field("text");
    purpose.text = text.asString();
    if (purpose.text.empty() || purpose.text.size() > kMaxPurposeText) {
      text.fail("must be 1-" + std::to_string(kMaxPurposeText) + " characters");
    }
    if (!seen.insert(purpose.code).second) item.field("code").fail("duplicate purpose '" + purpose.code + "'");
    purposes.push_back(std::move(purpose));
  }
  if (purposes.empty()) node.fail("must list at least one purpose");
  return purposes;
}

Poco::JSON::Array::Ptr stringArray(const std::vector<std::string>& values) {
  Poco::JSON::Array::Ptr array = new Poco::JSON::Array;
  for (const auto& value : values) array->add(value);
  return array;
}

}  // namespace

std::string_view legalBasisName(LegalBasis basis) {
  return basis == LegalBasis::Statutory ? "statutory" : "consent";
}

std::string_view agreementStatusName(AgreementStatus status) {
  switch (status) {
    case AgreementStatus::Active: return "active";
    case AgreementStatus::Suspended: return "suspended";
    case AgreementStatus::Ended: return "ended";
  }
  return "ended";
}

std::optional<LegalBasis> parseLegalBasis(std::string_view name) {
  if (name == "statutory") return LegalBasis::Statutory;
  if (name == "consent") return LegalBasis::Consent;
  return std::nullopt;
}

std::optional<AgreementStatus> parseAgreementStatus(std::string_view name) {
  for (AgreementStatus status : {AgreementStatus::Active, AgreementStatus::Suspended, AgreementStatus::Ended}) {
    if (agreementStatusName(status) == name) return status;
  }
  return std::nullopt;
}

bool Agreement::coversCustodian(std::string_view custodian) const { return contains(custodians, custodian); }

bool Agreement::coversAttribute(std::string_view attribute) const { return contains(attributes, attribute); }

bool Agreement::coversPurpose(std::string_view purposeCode) const {
  return std::any_of(purposes.begin(), purposes.end(), [&](const Purpose& p) { return p.code == purposeCode; });
}

Agreement parseAgreement(const std::string& json, const std::string& source) {
  const schemas::JsonNode root = schemas::JsonNode::parseText(json, source);
  root.rejectUnknownKeys({"schema", "id", "version", "programme", "custodians", "purposes", "attributes", "legal_basis",
                          "valid_from", "valid_until", "requests_per_day", "status"});
  const schemas::JsonNode schema = root.field("schema");
  if (schema.asString() != kAgreementSchema) schema.fail("must be \"" + std::string(kAgreementSchema) + "\"");

  Agreement agreement;
  agreement.id = identifierFrom(root.field("id"));
  agreement.version = static_cast<std::uint32_t>(root.field("version").asInt(1, UINT32_MAX));
  agreement.programme = identifierFrom(root.field("programme"));
  agreement.custodians = identifierListFrom(root.field("custodians"));
  agreement.purposes = purposesFrom(root.field("purposes"));
  agreement.attributes = identifierListFrom(root.field("attributes"));
  agreement.basis = *parseLegalBasis(root.field("legal_basis").asEnum({"statutory", "consent"}));
  agreement.validFrom = root.field("valid_from").asInt(0, kLatestInstant);
  const schemas::JsonNode until = root.field("valid_until");
  agreement.validUntil = until.asInt(0, kLatestInstant);
  if (agreement.validUntil <= agreement.validFrom) until.fail("must be later than valid_from");
  agreement.requestsPerDay = static_cast<std::uint32_t>(root.intOr("requests_per_day", 0, 0, UINT32_MAX));
  agreement.status = *parseAgreementStatus(root.field("status").asEnum({"active", "suspended", "ended"}));
  return agreement;
}

std::string agreementToJson(const Agreement& agreement) {
  Poco::JSON::Object root;
  root.set("schema", std::string(kAgreementSchema));
  root.set("id", agreement.id);
  root.set("version", static_cast<std::int64_t>(agreement.version));
  root.set("programme", agreement.programme);
  root.set("custodians", stringArray(agreement.custodians));
  Poco::JSON::Array::Ptr purposes = new Poco::JSON::Array;
  for (const Purpose& purpose : agreement.purposes) {
    Poco::JSON::Object::Ptr item = new Poco::JSON::Object;
    item->set("code", purpose.code);
    item->set("text", purpose.text);
    purposes->add(item);
  }
  root.set("purposes", purposes);
  root.set("attributes", stringArray(agreement.attributes));
  root.set("legal_basis", std::string(legalBasisName(agreement.basis)));
  root.set("valid_from", agreement.validFrom);
  root.set("valid_until", agreement.validUntil);
  root.set("requests_per_day", static_cast<std::int64_t>(agreement.requestsPerDay));
  root.set("status", std::string(agreementStatusName(agreement.status)));
  std::ostringstream out;
  root.stringify(out);
  return out.str();
}

}  // namespace nser::policy
