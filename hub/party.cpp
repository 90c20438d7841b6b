#include "hub/party.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include <sstream>
#include <stdexcept>

namespace nser::hub {

std::string_view roleName(Role role) {
  switch (role) {
    case Role::Custodian: return "custodian";
    case Role::Programme: return "programme";
    case Role::Admin: return "admin";
    case Role::Auditor: return "auditor";
  }
  return "unknown";
}

std::optional<Role> parseRole(std::string_view name) {
  for (Role role : {Role::Custodian, Role::Programme, Role::Admin, Role::Auditor}) {
    if (roleName(role) == name) return role;
  }
  return std::nullopt;
}

bool validPartyId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) return false;
  }
  return true;
}

bool validFingerprint(std::string_view fingerprint) {
  if (fingerprint.size() != 64) return false;
  for (char c : fingerprint) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Poco::JSON::Object::Ptr partyToJson(const Party& party) {
  Poco::JSON::Object::Ptr object = new Poco::JSON::Object;
  object->set("id", party.id);
  object->set("role", std::string(roleName(party.role)));
  object->set("name", party.displayName);
  object->set("status", std::string(party.active() ? "active" : "disabled"));
  Poco::JSON::Array::Ptr certificates = new Poco::JSON::Array;
  for (const auto& fingerprint : party.certificates) certificates->add(fingerprint);
  object->set("certificates", certificates);
  if (party.role == Role::Custodian) object->set("custodian_number", party.custodianNumber);
  object->set("created_at", party.createdAt);
  if (!party.signingKey.empty()) object->set("signing_key", party.signingKey);
  if (!party.boxKey.empty()) object->set("box_key", party.boxKey);
  if (!party.attributeEndpoint.empty()) object->set("attribute_endpoint", party.attributeEndpoint);
  if (!party.attributes.empty()) {
    Poco::JSON::Array::Ptr attributes = new Poco::JSON::Array;
    for (const auto& name : party.attributes) attributes->add(name);
    object->set("attributes", attributes);
  }
  if (!party.via.empty()) object->set("via", party.via);
  return object;
}

Party partyFromJson(const std::string& json) {
  Poco::JSON::Parser parser;
  const auto object = parser.parse(json).extract<Poco::JSON::Object::Ptr>();
  Party party;
  party.id = object->getValue<std::string>("id");
  const auto role = parseRole(object->getValue<std::string>("role"));
  if (!role) throw std::invalid_argument("stored party '" + party.id + "': unknown role");
  party.role = *role;
  party.displayName = object->optValue<std::string>("name", "");
  party.status = object->getValue<std::string>("status") == "active" ? PartyStatus::Active : PartyStatus::Disabled;
  if (auto certificates = object->getArray("certificates")) {
    for (std::size_t i = 0; i < certificates->size(); ++i) party.certificates.push_back(certificates->getElement<std::string>(static_cast<unsigned>(i)));
  }
  party.custodianNumber = object->optValue<std::uint32_t>("custodian_number", 0);
  party.createdAt = object->optValue<std::string>("created_at", "");
  party.signingKey = object->optValue<std::string>("signing_key", "");
  party.boxKey = object->optValue<std::string>("box_key", "");
  party.attributeEndpoint = object->optValue<std::string>("attribute_endpoint", "");
  if (auto attributes = object->getArray("attributes")) {
    for (std::size_t i = 0; i < attributes->size(); ++i) party.attributes.push_back(attributes->getElement<std::string>(static_cast<unsigned>(i)));
  }
  party.via = object->optValue<std::string>("via", "");
  return party;
}

}  // namespace nser::hub
