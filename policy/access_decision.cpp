#include "policy/access_decision.h"

#include <array>

namespace nser::policy {

namespace {

constexpr std::array<std::string_view, 15> kReasonCodes = {
    "NoAgreement",        "PurposeNotAllowed", "CustodianNotCovered", "ScopeNotAllowed",  "AgreementEnded",
    "AgreementSuspended", "AgreementExpired",  "AgreementNotYetValid", "ConsentMissing",  "ConsentRevoked",
    "ConsentExpired",     "ConsentPaused",     "ConsentNotYetValid",  "QuotaExceeded",    "Permit",
};
static_assert(static_cast<std::size_t>(Reason::Permit) + 1 == kReasonCodes.size());

// How far one candidate got; compared by reason (the enum is in precedence
// order), then by the lower agreement id, then the lower consent id.
struct Outcome {
  Reason reason = Reason::NoAgreement;
  const std::string* agreementId = nullptr;
  const std::string* consentId = nullptr;
};

std::string_view idOf(const std::string* id) { return id != nullptr ? std::string_view(*id) : std::string_view(); }

bool better(const Outcome& candidate, const Outcome& best) {
  if (candidate.reason != best.reason) return candidate.reason > best.reason;
  if (idOf(candidate.agreementId) != idOf(best.agreementId)) return idOf(candidate.agreementId) < idOf(best.agreementId);
  return idOf(candidate.consentId) < idOf(best.consentId);
}

// The one consent's verdict at `time` (ok = it permits).
Reason consentVerdict(const ConsentArtefact& consent, std::int64_t time) {
  switch (consent.status) {
    case ConsentStatus::Revoked: return Reason::ConsentRevoked;
    case ConsentStatus::Expired: return Reason::ConsentExpired;
    case ConsentStatus::Paused:
    case ConsentStatus::Active: break;
  }
  // Expiry is final, so it outranks a pause that could otherwise be lifted.
  if (time >= consent.expiry) return Reason::ConsentExpired;
  if (consent.status == ConsentStatus::Paused) return Reason::ConsentPaused;
  if (time < consent.start) return Reason::ConsentNotYetValid;
  return Reason::Permit;
}

// The best consent for one attribute: Permit with its id, or the most
// specific consent reason (ConsentMissing when none covers it).
struct ConsentOutcome {
  Reason reason = Reason::ConsentMissing;
  const std::string* consentId = nullptr;
};

ConsentOutcome bestConsent(std::span<const ConsentArtefact> consents, const AccessRequest& request,
                           const std::string& attribute) {
  ConsentOutcome best;
  for (const ConsentArtefact& consent : consents) {
    if (consent.programme != request.programme || consent.purpose != request.purpose ||
        !consent.coversAttribute(attribute) || !consentMatchesSubject(consent, request)) {
      continue;
    }
    const Reason verdict = consentVerdict(consent, request.time);
    if (verdict > best.reason || (verdict == best.reason && (best.consentId == nullptr || consent.id < *best.consentId))) {
      best = {verdict, &consent.id};
    }
  }
  return best;
}

// How far one agreement gets for one attribute (the pipeline of the header,
// in Reason order). `consent` is computed at most once per attribute.
Outcome evaluate(const Agreement& agreement, const AccessRequest& request, const std::string& attribute,
                 std::span<const ConsentArtefact> consents, std::optional<ConsentOutcome>& consent,
                 const QuotaState& quota) {
  Outcome outcome{Reason::NoAgreement, &agreement.id, nullptr};
  if (!agreement.coversPurpose(request.purpose)) return {Reason::PurposeNotAllowed, &agreement.id, nullptr};
  if (!agreement.coversCustodian(request.custodian)) return {Reason::CustodianNotCovered, &agreement.id, nullptr};
  if (!agreement.coversAttribute(attribute)) return {Reason::ScopeNotAllowed, &agreement.id, nullptr};
  if (agreement.status == AgreementStatus::Ended) return {Reason::AgreementEnded, &agreement.id, nullptr};
  if (agreement.status == AgreementStatus::Suspended) return {Reason::AgreementSuspended, &agreement.id, nullptr};
  if (request.time >= agreement.validUntil) return {Reason::AgreementExpired, &agreement.id, nullptr};
  if (request.time < agreement.validFrom) return {Reason::AgreementNotYetValid, &agreement.id, nullptr};
  if (agreement.basis == LegalBasis::Consent) {
    if (!consent) consent = bestConsent(consents, request, attribute);
    outcome.consentId = consent->consentId;
    if (consent->reason != Reason::Permit) {
      outcome.reason = consent->reason;
      return outcome;
    }
  }
  if (agreement.requestsPerDay != 0 && quota.used(agreement.id) >= agreement.requestsPerDay) {
    outcome.reason = Reason::QuotaExceeded;
    return outcome;
  }
  outcome.reason = Reason::Permit;
  return outcome;
}

}  // namespace

std::string_view reasonCode(Reason reason) { return kReasonCodes[static_cast<std::size_t>(reason)]; }

std::optional<Reason> parseReasonCode(std::string_view code) {
  for (std::size_t i = 0; i < kReasonCodes.size(); ++i) {
    if (kReasonCodes[i] == code) return static_cast<Reason>(i);
  }
  return std::nullopt;
}

QuotaState QuotaState::fromMap(std::map<std::string, std::uint32_t> used) {
  return QuotaState{[used = std::move(used)](const std::string& agreementId) -> std::uint32_t {
    const auto it = used.find(agreementId);
    return it == used.end() ? 0 : it->second;
  }};
}

bool AccessDecision::anyPermit() const {
  for (const AttributeDecision& decision : attributes) {
    if (decision.permit) return true;
  }
  return false;
}

std::vector<std::string> AccessDecision::permittedAttributes() const {
  std::vector<std::string> names;
  for (const AttributeDecision& decision : attributes) {
    if (decision.permit) names.push_back(decision.attribute);
  }
  return names;
}

bool consentMatchesSubject(const ConsentArtefact& consent, const AccessRequest& request) {
  if (!consent.subject.entityId.empty() && consent.subject.entityId == request.entityId) return true;
  return !consent.subject.reference.empty() && consent.subject.reference == request.reference &&
         consent.subject.custodian == request.custodian;
}

AccessDecision decide(std::span<const Agreement> agreements, std::span<const ConsentArtefact> consents,
                      const AccessRequest& request, const QuotaState& quota) {
  AccessDecision decision;
  decision.attributes.reserve(request.attributes.size());
  for (const std::string& attribute : request.attributes) {
    Outcome best;  // NoAgreement until an agreement names the programme
    std::optional<ConsentOutcome> consent;
    for (const Agreement& agreement : agreements) {
      if (agreement.programme != request.programme) continue;
      const Outcome outcome = evaluate(agreement, request, attribute, consents, consent, quota);
      if (best.agreementId == nullptr || better(outcome, best)) best = outcome;
    }
    AttributeDecision& out = decision.attributes.emplace_back();
    out.attribute = attribute;
    out.reason = best.reason;
    out.permit = best.reason == Reason::Permit;
    if (best.agreementId != nullptr) out.agreementId = *best.agreementId;
    if (best.consentId != nullptr) out.consentId = *best.consentId;
  }
  return decision;
}

}  // namespace nser::policy
