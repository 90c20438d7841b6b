#include "hub/consent_registry.h"

#include <mutex>

#include "pki/signing_key.h"

namespace nser::hub {

ConsentRegistry::ConsentRegistry(HubStore& store, const PartyRegistry& parties) : store_(store), parties_(parties) {
  store_.scan(Family::Consents, "", [&](std::string_view, std::string_view value) {
    policy::ConsentArtefact consent = policy::parseConsent(std::string(value), "stored consent");
    bySubject_.emplace(subjectKey(consent.subject), consent.id);
    byId_[consent.id] = std::move(consent);
    return true;
  });
}

std::string ConsentRegistry::subjectKey(const policy::ConsentSubject& subject) {
  if (!subject.entityId.empty()) return "e:" + subject.entityId;
  return "r:" + subject.custodian + ":" + subject.reference;
}

pki::PublicKey ConsentRegistry::signerKey(const std::string& custodian) const {
  const auto party = parties_.find(custodian);
  if (!party || party->role != Role::Custodian) {
    throw RegistryError("invalid", "$.provenance.custodian: '" + custodian + "' is not a registered custodian");
  }
  const auto key = pki::decodePublicKey(party->signingKey);
  if (!key) {
    throw RegistryError("invalid", "custodian '" + custodian +
                                       "' has not registered a signing key (its connector registers one at start)");
  }
  return *key;
}

policy::ConsentArtefact ConsentRegistry::add(const std::string& json, const Party* submitter) {
  policy::ConsentArtefact consent;
  try {
    consent = policy::parseConsent(json, "consent");
  } catch (const std::exception& e) {
    throw RegistryError("invalid", e.what());
  }
  if (submitter != nullptr && consent.provenance.custodian != submitter->id) {
    throw RegistryError("forbidden", "$.provenance.custodian: a custodian submits only the consents it captured");
  }
  if (!consent.subject.entityId.empty() == !consent.subject.reference.empty()) {
    throw RegistryError("invalid", "$.subject: give either entity_id or custodian and reference");
  }
  if (!policy::verifyConsent(consent, signerKey(consent.provenance.custodian))) {
    throw RegistryError("invalid", "$.signature: does not verify with custodian '" + consent.provenance.custodian +
                                       "''s registered signing key");
  }
  std::unique_lock lock(mutex_);
  if (const auto it = byId_.find(consent.id); it != byId_.end()) {
    if (policy::consentSigningBytes(it->second) == policy::consentSigningBytes(consent)) return it->second;
    throw RegistryError("conflict", "consent '" + consent.id + "' exists with other terms");
  }
  auto batch = store_.batch();
  batch.put(Family::Consents, consent.id, policy::consentToJson(consent));
  store_.commit(batch, true);
  bySubject_.emplace(subjectKey(consent.subject), consent.id);
  return byId_[consent.id] = consent;
}

policy::ConsentArtefact ConsentRegistry::changeStatus(const std::string& id, const std::string& json,
                                                      const Party* submitter) {
  policy::ConsentStatusChange change;
  try {
    change = policy::parseStatusChange(json, "consent status change");
  } catch (const std::exception& e) {
    throw RegistryError("invalid", e.what());
  }
  if (change.consentId != id) {
    throw RegistryError("invalid", "$.consent_id: the change is for consent '" + change.consentId + "', not '" + id + "'");
  }
  std::unique_lock lock(mutex_);
  const auto it = byId_.find(id);
  if (it == byId_.end()) throw RegistryError("not_found", "no consent '" + id + "'");
  policy::ConsentArtefact updated = it->second;
  if (submitter != nullptr && updated.provenance.custodian != submitter->id) {
    throw RegistryError("forbidden", "only the custodian that captured a consent changes its status");
  }
  if (!policy::verifyStatusChange(change, signerKey(updated.provenance.custodian))) {
    throw RegistryError("invalid", "$.signature: does not verify with custodian '" + updated.provenance.custodian +
                                       "''s registered signing key");
  }
  // applyStatusChange also refuses a replayed older change (its `at` not
  // later than the last applied one), so an old "resume" cannot undo a pause.
  switch (policy::applyStatusChange(updated, change)) {
    case policy::StatusChangeOutcome::Applied: break;
    case policy::StatusChangeOutcome::AlreadyInStatus: return updated;
    case policy::StatusChangeOutcome::Stale:
      throw RegistryError("conflict", "consent '" + id + "': a later status change has been applied already");
    case policy::StatusChangeOutcome::NotAllowed:
      throw RegistryError("conflict", "consent '" + id + "' is " + std::string(policy::consentStatusName(updated.status)) +
                                          "; a revocation or expiry is final");
    case policy::StatusChangeOutcome::WrongConsent:
      throw RegistryError("invalid", "$.consent_id: the change is for another consent");
  }
  auto batch = store_.batch();
  batch.put(Family::Consents, id, policy::consentToJson(updated));
  store_.commit(batch, true);
  return it->second = updated;
}

std::optional<policy::ConsentArtefact> ConsentRegistry::find(const std::string& id) const {
  std::shared_lock lock(mutex_);
  const auto it = byId_.find(id);
  if (it == byId_.end()) return std::nullopt;
  return it->second;
}

std::vector<policy::ConsentArtefact> ConsentRegistry::forSubject(
    const std::string& entityId, const std::vector<std::pair<std::string, std::string>>& references) const {
  std::vector<std::string> keys = {"e:" + entityId};
  for (const auto& [custodian, reference] : references) keys.push_back("r:" + custodian + ":" + reference);
  std::shared_lock lock(mutex_);
  std::vector<policy::ConsentArtefact> out;
  for (const auto& key : keys) {
    const auto [first, last] = bySubject_.equal_range(key);
    for (auto it = first; it != last; ++it) out.push_back(byId_.at(it->second));
  }
  return out;
}

std::size_t ConsentRegistry::size() const {
  std::shared_lock lock(mutex_);
  return byId_.size();
}

}  // namespace nser::hub
