// AgreementRegistry: the data-sharing agreements between programmes and
// custodians (policy/agreement.h, schemas/agreement-v1.schema.json), as the
// admins create, amend and end them.
//
// Every version is kept (family Agreements: id + 0x00 + version); the
// current one is what decisions use. Amending replaces the terms and bumps
// the version; ending sets the status to Ended (a new version too), so the
// history of what was in force when stays readable for auditors. The named
// programme and custodians must be registered parties with those roles.
//
// Thread-safe; writes are synced before they return.
#pragma once

#include <map>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "hub/hub_store.h"
#include "hub/party_registry.h"
#include "policy/agreement.h"

namespace nser::hub {

class AgreementRegistry {
 public:
  AgreementRegistry(HubStore& store, const PartyRegistry& parties);

  // Throw RegistryError: "invalid" (bad document or unknown parties, the
  // message names the field), "conflict" (id exists), "not_found".
  policy::Agreement create(const std::string& json);
  policy::Agreement amend(const std::string& id, const std::string& json);
  policy::Agreement end(const std::string& id);

  std::optional<policy::Agreement> find(const std::string& id) const;
  std::vector<policy::Agreement> list() const;
  // Every version of one agreement, oldest first.
  std::vector<policy::Agreement> history(const std::string& id) const;
  // The current agreements naming `programme` (any status: the decision
  // explains why an inactive one does not permit).
  std::vector<policy::Agreement> forProgramme(const std::string& programme) const;

 private:
  policy::Agreement parse(const std::string& json) const;
  void persist(const policy::Agreement& agreement);

  HubStore& store_;
  const PartyRegistry& parties_;
  mutable std::shared_mutex mutex_;
  std::map<std::string, policy::Agreement> current_;
};

}  // namespace nser::hub
