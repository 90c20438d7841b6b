// ConsentRegistry: per-person consent artefacts (policy/consent_artefact.h)
// as custodians capture them at their registration desks, and their signed
// status changes (pause, resume, revoke).
//
// An artefact is accepted only when its signature verifies against the
// signing key the capturing custodian's connector registered (Party::
// signingKey) and, when a custodian submits it, when that custodian is the
// one named in its provenance. The subject is an entity id or a custodian's
// pseudonymous reference; decisions collect the consents of every record of
// the entity (subjectsOf). A status change applies to the very next decision:
// the in-memory view is updated before the call returns, after the synced
// write.
//
// Thread-safe.
#pragma once

#include <map>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "hub/hub_store.h"
#include "hub/party_registry.h"
#include "policy/consent_artefact.h"

namespace nser::hub {

class ConsentRegistry {
 public:
  ConsentRegistry(HubStore& store, const PartyRegistry& parties);

  // Throw RegistryError: "invalid" (document, unknown custodian, bad
  // signature: the message says which), "forbidden" (another custodian's
  // artefact), "conflict" (id exists with other terms), "not_found".
  // `submitter` is null for an admin import (any registered custodian's
  // signed artefacts).
  policy::ConsentArtefact add(const std::string& json, const Party* submitter);
  policy::ConsentArtefact changeStatus(const std::string& id, const std::string& json, const Party* submitter);

  std::optional<policy::ConsentArtefact> find(const std::string& id) const;
  // Consents whose subject is `entityId` or one of `references`
  // ((custodian id, pseudonymous reference) pairs).
  std::vector<policy::ConsentArtefact> forSubject(
      const std::string& entityId, const std::vector<std::pair<std::string, std::string>>& references) const;
  std::size_t size() const;

 private:
  static std::string subjectKey(const policy::ConsentSubject& subject);
  pki::PublicKey signerKey(const std::string& custodian) const;

  HubStore& store_;
  const PartyRegistry& parties_;
  mutable std::shared_mutex mutex_;
  std::map<std::string, policy::ConsentArtefact> byId_;
  std::multimap<std::string, std::string> bySubject_;  // subject key -> consent id
};

}  // namespace nser::hub
