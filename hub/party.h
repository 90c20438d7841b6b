// A registered party of the deployment and its role. Roles decide which hub
// routes a party may call (route_table.h); nothing is allowed by default.
//
//   custodian  a data custodian, served by its connector: pushes its own
//              records, searches on behalf of its programme systems
//   programme  a social-protection programme (queries through a connector;
//              named in agreements and consent)
//   admin      data-governance administrators: parties, agreements, models
//   auditor    reads the audit log and statistics
#pragma once

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nser::hub {

enum class Role { Custodian, Programme, Admin, Auditor };

std::string_view roleName(Role role);
std::optional<Role> parseRole(std::string_view name);

enum class PartyStatus { Active, Disabled };

struct Party {
  std::string id;                         // lowercase [a-z0-9.-], 1..64
  Role role = Role::Programme;
  std::string displayName;
  PartyStatus status = PartyStatus::Active;
  std::vector<std::string> certificates;  // bound SHA-256 fingerprints (lowercase hex)
  std::uint32_t custodianNumber = 0;      // custodians only: the source number of its records (from 1)
  std::string createdAt;                  // ISO 8601 UTC

  // Custodians: what its connector registered (PUT /parties/self/profile),
  // over its own mutual-TLS identity.
  std::string signingKey;          // Ed25519 public key (base64): verifies its consent artefacts
  std::string boxKey;              // X25519 public key (base64): attributes for its programmes are sealed to it
  std::string attributeEndpoint;   // "host:port" of its attribute server
  std::vector<std::string> attributes;  // the attribute names it serves
  // Programmes: the custodian whose connector queries on its behalf.
  std::string via;

  bool active() const { return status == PartyStatus::Active; }
};

bool validPartyId(std::string_view id);
bool validFingerprint(std::string_view fingerprint);

Poco::JSON::Object::Ptr partyToJson(const Party& party);
// Throws std::invalid_argument naming the bad member (the stored form is ours).
Party partyFromJson(const std::string& json);

}  // namespace nser::hub
