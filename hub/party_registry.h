// PartyRegistry: the registered parties, persisted in the hub store
// (families Parties and Certificates) and cached in memory for the per-request
// certificate -> party lookup. Every change is one synced write.
//
// Rules: party ids are unique and never reused; a certificate fingerprint is
// bound to at most one party; custodians get the next custodian number (their
// records' source number) when added; a disabled party keeps its bindings but
// is refused on every route.
//
// Thread-safe.
#pragma once

#include <map>
#include <optional>
#include <shared_mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "hub/hub_store.h"
#include "hub/party.h"
#include "hub/registry_error.h"

namespace nser::hub {

class PartyRegistry {
 public:
  explicit PartyRegistry(HubStore& store);

  // Registers a new party (status active); returns it with its custodian
  // number and creation time filled in.
  Party add(Party party);
  Party setStatus(const std::string& id, PartyStatus status);
  Party bindCertificate(const std::string& id, const std::string& fingerprint);
  Party unbindCertificate(const std::string& id, const std::string& fingerprint);
  // Replaces a custodian's connector profile (keys, attribute endpoint and
  // catalogue); the caller has validated the values.
  Party setProfile(const std::string& id, const Party& profile);

  std::optional<Party> find(const std::string& id) const;
  std::optional<Party> findByCertificate(const std::string& fingerprint) const;
  std::optional<Party> findByCustodianNumber(std::uint32_t number) const;
  // The custodian's party id alone (cheaper: no copy of the party).
  std::optional<std::string> custodianId(std::uint32_t number) const;
  std::vector<Party> list() const;

 private:
  void persist(const Party& party, const std::vector<std::string>& unbound);
  Party& existing(const std::string& id);

  HubStore& store_;
  mutable std::shared_mutex mutex_;
  std::map<std::string, Party> parties_;
  std::map<std::string, std::string> byCertificate_;
  std::map<std::uint32_t, std::string> byCustodianNumber_;
  std::uint32_t nextCustodianNumber_ = 1;
};

std::string currentTimestampUtc();

}  // namespace nser::hub
