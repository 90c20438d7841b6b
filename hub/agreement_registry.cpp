#include "hub/agreement_registry.h"

#include <mutex>

namespace nser::hub {
namespace {

std::string versionKey(const std::string& id, std::uint32_t version) {
  return id + std::string(1, '\0') + bigEndian32(version);
}

}  // namespace

AgreementRegistry::AgreementRegistry(HubStore& store, const PartyRegistry& parties) : store_(store), parties_(parties) {
  // Versions sort after their id, so the last one seen per id is current.
  store_.scan(Family::Agreements, "", [&](std::string_view, std::string_view value) {
    policy::Agreement agreement = policy::parseAgreement(std::string(value), "stored agreement");
    current_[agreement.id] = std::move(agreement);
    return true;
  });
}

policy::Agreement AgreementRegistry::parse(const std::string& json) const {
  policy::Agreement agreement;
  try {
    agreement = policy::parseAgreement(json, "agreement");
  } catch (const std::exception& e) {
    throw RegistryError("invalid", e.what());
  }
  const auto programme = parties_.find(agreement.programme);
  if (!programme || programme->role != Role::Programme) {
    throw RegistryError("invalid", "$.programme: '" + agreement.programme + "' is not a registered programme");
  }
  for (std::size_t i = 0; i < agreement.custodians.size(); ++i) {
    const auto custodian = parties_.find(agreement.custodians[i]);
    if (!custodian || custodian->role != Role::Custodian) {
      throw RegistryError("invalid", "$.custodians[" + std::to_string(i) + "]: '" + agreement.custodians[i] +
                                         "' is not a registered custodian");
    }
  }
  return agreement;
}

void AgreementRegistry::persist(const policy::Agreement& agreement) {
  auto batch = store_.batch();
  batch.put(Family::Agreements, versionKey(agreement.id, agreement.version), policy::agreementToJson(agreement));
  store_.commit(batch, true);
}

policy::Agreement AgreementRegistry::create(const std::string& json) {
  policy::Agreement agreement = parse(json);
  if (agreement.status == policy::AgreementStatus::Ended) {
    throw RegistryError("invalid", "$.status: a new agreement cannot start as ended");
  }
  agreement.version = 1;
  std::unique_lock lock(mutex_);
  if (current_.count(agreement.id) != 0) {
    throw RegistryError("conflict", "agreement '" + agreement.id + "' exists; amend it instead");
  }
  persist(agreement);
  return current_[agreement.id] = agreement;
}

policy::Agreement AgreementRegistry::amend(const std::string& id, const std::string& json) {
  policy::Agreement agreement = parse(json);
  if (agreement.id != id) {
    throw RegistryError("invalid", "$.id: the document is agreement '" + agreement.id + "', not '" + id + "'");
  }
  std::unique_lock lock(mutex_);
  const auto it = current_.find(id);
  if (it == current_.end()) throw RegistryError("not_found", "no agreement '" + id + "'");
  if (it->second.status == policy::AgreementStatus::Ended) {
    throw RegistryError("conflict", "agreement '" + id + "' has ended; create a new one");
  }
  agreement.version = it->second.version + 1;
  persist(agreement);
  return it->second = agreement;
}

policy::Agreement AgreementRegistry::end(const std::string& id) {
  std::unique_lock lock(mutex_);
  const auto it = current_.find(id);
  if (it == current_.end()) throw RegistryError("not_found", "no agreement '" + id + "'");
  if (it->second.status == policy::AgreementStatus::Ended) return it->second;
  policy::Agreement ended = it->second;
  ended.status = policy::AgreementStatus::Ended;
  ended.version += 1;
  persist(ended);
  return it->second = ended;
}

std::optional<policy::Agreement> AgreementRegistry::find(const std::string& id) const {
  std::shared_lock lock(mutex_);
  const auto it = current_.find(id);
  if (it == current_.end()) return std::nullopt;
  return it->second;
}

std::vector<policy::Agreement> AgreementRegistry::list() const {
  std::shared_lock lock(mutex_);
  std::vector<policy::Agreement> out;
  for (const auto& [id, agreement] : current_) out.push_back(agreement);
  return out;
}

std::vector<policy::Agreement> AgreementRegistry::history(const std::string& id) const {
  std::vector<policy::Agreement> out;
  store_.scan(Family::Agreements, id + std::string(1, '\0'), [&](std::string_view key, std::string_view value) {
    if (key.size() != id.size() + 5 || key.substr(0, id.size()) != id) return false;
    out.push_back(policy::parseAgreement(std::string(value), "stored agreement"));
    return true;
  });
  return out;
}

std::vector<policy::Agreement> AgreementRegistry::forProgramme(const std::string& programme) const {
  std::shared_lock lock(mutex_);
  std::vector<policy::Agreement> out;
  for (const auto& [id, agreement] : current_) {
    if (agreement.programme == programme) out.push_back(agreement);
  }
  return out;
}

}  // namespace nser::hub
