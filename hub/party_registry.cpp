#include "hub/party_registry.h"

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Timestamp.h>

#include <algorithm>
#include <mutex>
#include <sstream>

namespace nser::hub {
namespace {

constexpr std::string_view kNextCustodianKey = "next_custodian_number";

std::string toText(const Party& party) {
  std::ostringstream out;
  partyToJson(party)->stringify(out);
  return out.str();
}

}  // namespace

std::string currentTimestampUtc() {
  return Poco::DateTimeFormatter::format(Poco::Timestamp(), "%Y-%m-%dT%H:%M:%S.%iZ");
}

PartyRegistry::PartyRegistry(HubStore& store) : store_(store) {
  store_.scan(Family::Parties, "", [&](std::string_view, std::string_view value) {
    Party party = partyFromJson(std::string(value));
    for (const auto& fingerprint : party.certificates) byCertificate_[fingerprint] = party.id;
    if (party.role == Role::Custodian) byCustodianNumber_[party.custodianNumber] = party.id;
    parties_.emplace(party.id, std::move(party));
    return true;
  });
  if (auto next = store_.get(Family::Meta, kNextCustodianKey)) nextCustodianNumber_ = readBigEndian32(*next);
}

void PartyRegistry::persist(const Party& party, const std::vector<std::string>& unbound) {
  auto batch = store_.batch();
  batch.put(Family::Parties, party.id, toText(party));
  for (const auto& fingerprint : party.certificates) batch.put(Family::Certificates, fingerprint, party.id);
  for (const auto& fingerprint : unbound) batch.erase(Family::Certificates, fingerprint);
  batch.put(Family::Meta, kNextCustodianKey, bigEndian32(nextCustodianNumber_));
  store_.commit(batch, true);
}

Party& PartyRegistry::existing(const std::string& id) {
  auto it = parties_.find(id);
  if (it == parties_.end()) throw RegistryError("not_found", "no party '" + id + "' is registered");
  return it->second;
}

Party PartyRegistry::add(Party party) {
  if (!validPartyId(party.id)) {
    throw RegistryError("invalid", "party id must be 1-64 characters of [a-z0-9.-]");
  }
  std::unique_lock lock(mutex_);
  if (parties_.count(party.id) != 0) throw RegistryError("conflict", "party '" + party.id + "' already exists");
  std::sort(party.certificates.begin(), party.certificates.end());
  party.certificates.erase(std::unique(party.certificates.begin(), party.certificates.end()), party.certificates.end());
  for (const auto& fingerprint : party.certificates) {
    if (!validFingerprint(fingerprint)) {
      throw RegistryError("invalid", "certificate fingerprint must be 64 lowercase hex digits (SHA-256 of the DER)");
    }
    if (auto bound = byCertificate_.find(fingerprint); bound != byCertificate_.end()) {
      throw RegistryError("conflict", "certificate " + fingerprint.substr(0, 16) + "... is already bound to party '" +
                                          bound->second + "'");
    }
  }
  party.status = PartyStatus::Active;
  party.createdAt = currentTimestampUtc();
  party.custodianNumber = party.role == Role::Custodian ? nextCustodianNumber_++ : 0;
  persist(party, {});
  for (const auto& fingerprint : party.certificates) byCertificate_[fingerprint] = party.id;
  if (party.role == Role::Custodian) byCustodianNumber_[party.custodianNumber] = party.id;
  parties_[party.id] = party;
  return party;
}

Party PartyRegistry::setStatus(const std::string& id, PartyStatus status) {
  std::unique_lock lock(mutex_);
  Party updated = existing(id);
  updated.status = status;
  persist(updated, {});
  return parties_[id] = updated;
}

Party PartyRegistry::bindCertificate(const std::string& id, const std::string& fingerprint) {
  if (!validFingerprint(fingerprint)) {
    throw RegistryError("invalid", "certificate fingerprint must be 64 lowercase hex digits (SHA-256 of the DER)");
  }
  std::unique_lock lock(mutex_);
  Party updated = existing(id);
  if (auto bound = byCertificate_.find(fingerprint); bound != byCertificate_.end()) {
    if (bound->second == id) return updated;
    throw RegistryError("conflict", "certificate " + fingerprint.substr(0, 16) + "... is already bound to party '" +
                                        bound->second + "'");
  }
  updated.certificates.push_back(fingerprint);
  std::sort(updated.certificates.begin(), updated.certificates.end());
  persist(updated, {});
  byCertificate_[fingerprint] = id;
  return parties_[id] = updated;
}

Party PartyRegistry::unbindCertificate(const std::string& id, const std::string& fingerprint) {
  std::unique_lock lock(mutex_);
  Party updated = existing(id);
  auto it = std::find(updated.certificates.begin(), updated.certificates.end(), fingerprint);
  if (it == updated.certificates.end()) {
    throw RegistryError("not_found", "that certificate is not bound to party '" + id + "'");
  }
  updated.certificates.erase(it);
  persist(updated, {fingerprint});
  byCertificate_.erase(fingerprint);
  return parties_[id] = updated;
}

Party PartyRegistry::setProfile(const std::string& id, const Party& profile) {
  std::unique_lock lock(mutex_);
  Party updated = existing(id);
  updated.signingKey = profile.signingKey;
  updated.boxKey = profile.boxKey;
  updated.attributeEndpoint = profile.attributeEndpoint;
  updated.attributes = profile.attributes;
  persist(updated, {});
  return parties_[id] = updated;
}

std::optional<Party> PartyRegistry::find(const std::string& id) const {
  std::shared_lock lock(mutex_);
  auto it = parties_.find(id);
  if (it == parties_.end()) return std::nullopt;
  return it->second;
}

std::optional<Party> PartyRegistry::findByCertificate(const std::string& fingerprint) const {
  std::shared_lock lock(mutex_);
  auto bound = byCertificate_.find(fingerprint);
  if (bound == byCertificate_.end()) return std::nullopt;
  return parties_.at(bound->second);
}

std::optional<Party> PartyRegistry::findByCustodianNumber(std::uint32_t number) const {
  std::shared_lock lock(mutex_);
  const auto it = byCustodianNumber_.find(number);
  if (it == byCustodianNumber_.end()) return std::nullopt;
  return parties_.at(it->second);
}

std::optional<std::string> PartyRegistry::custodianId(std::uint32_t number) const {
  std::shared_lock lock(mutex_);
  const auto it = byCustodianNumber_.find(number);
  if (it == byCustodianNumber_.end()) return std::nullopt;
  return it->second;
}

std::vector<Party> PartyRegistry::list() const {
  std::shared_lock lock(mutex_);
  std::vector<Party> out;
  for (const auto& [id, party] : parties_) out.push_back(party);
  return out;
}

}  // namespace nser::hub
