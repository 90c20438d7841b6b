// The policy decision: may `request.programme` receive each requested
// attribute of one subject from `request.custodian`, for `request.purpose`,
// at `request.time`? (docs/policy.md, "The decision".)
//
// A pure function of (agreements, consents, request, quota state): no I/O, no
// clock, no globals; the same inputs give the same answer, whatever order the
// spans list their elements in. Default deny: an attribute is permitted only
// when some agreement and, under a consent basis, some consent say so.
//
// An attribute is permitted by an agreement that
//   names the programme, covers the purpose, the custodian and the attribute,
//   is Active, has validFrom <= time < validUntil,
//   (basis Consent) is backed by a consent that is ACTIVE, matches the subject
//     (entity id, or custodian + reference), names the programme and purpose,
//     covers the attribute, and has start <= time < expiry,
//   and is under its quota (requestsPerDay == 0, or used today < requestsPerDay).
//
// A denial carries the most specific reason: every candidate agreement is
// taken as far down that list as it gets, and the reason of the one that got
// furthest is reported (Reason order below, later = further; ties go to the
// lowest agreement id, then consent id). So "an agreement covers everything
// but the consent is revoked" reports ConsentRevoked, and "agreements exist
// for the programme but none covers the purpose" reports PurposeNotAllowed.
//
// decide() trusts its inputs: consents must have been signature-checked and
// status changes applied by the caller (the registry). It does not count
// usage: the caller charges a permitted request to the reported agreement.
// Thread safety: pure; call it from any number of threads.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "policy/agreement.h"
#include "policy/consent_artefact.h"

namespace nser::policy {

// In precedence order: a denial reports the latest reason any candidate
// agreement reached. Permit is last.
enum class Reason {
  NoAgreement,           // no agreement names the programme
  PurposeNotAllowed,     // none of them covers the purpose
  CustodianNotCovered,   // ... the custodian
  ScopeNotAllowed,       // ... the attribute
  AgreementEnded,        // the covering agreement has ended
  AgreementSuspended,    // ... is suspended
  AgreementExpired,      // ... its validity window is over (time >= validUntil)
  AgreementNotYetValid,  // ... has not started (time < validFrom)
  ConsentMissing,        // consent basis, and no consent covers subject, programme, purpose and attribute
  ConsentRevoked,        // the covering consent was revoked
  ConsentExpired,        // ... is EXPIRED or time >= expiry
  ConsentPaused,         // ... is paused
  ConsentNotYetValid,    // ... has not started (time < start)
  QuotaExceeded,         // everything else holds, but today's requests are used up
  Permit,
};

// The wire code: exactly the enumerator's name ("Permit", "NoAgreement", ...).
std::string_view reasonCode(Reason reason);
std::optional<Reason> parseReasonCode(std::string_view code);

struct AccessRequest {
  std::string programme;                // the requesting programme's party id
  std::string purpose;                  // purpose code
  std::string custodian;                // the custodian asked to release
  std::string entityId;                 // the subject's entity id ("" if unknown)
  std::string reference;                // the subject's reference at `custodian` ("" if unknown)
  std::vector<std::string> attributes;  // attributes wanted, decided one by one
  std::int64_t time = 0;                // unix seconds
};

// Requests already charged today, per agreement id. An empty function means
// nothing has been used yet.
struct QuotaState {
  std::function<std::uint32_t(const std::string& agreementId)> usedToday;

  std::uint32_t used(const std::string& agreementId) const { return usedToday ? usedToday(agreementId) : 0; }
  static QuotaState fromMap(std::map<std::string, std::uint32_t> used);
};

struct AttributeDecision {
  std::string attribute;
  bool permit = false;
  Reason reason = Reason::NoAgreement;
  std::string agreementId;  // the agreement that permitted, or that came closest ("" for NoAgreement)
  std::string consentId;    // the consent that permitted or decided the consent reason ("" otherwise)
};

struct AccessDecision {
  std::vector<AttributeDecision> attributes;  // one per requested attribute, in request order

  bool anyPermit() const;
  std::vector<std::string> permittedAttributes() const;
};

AccessDecision decide(std::span<const Agreement> agreements, std::span<const ConsentArtefact> consents,
                      const AccessRequest& request, const QuotaState& quota);

// Whether `consent` is about the request's subject: the same non-empty entity
// id, or the same custodian and non-empty reference.
bool consentMatchesSubject(const ConsentArtefact& consent, const AccessRequest& request);

}  // namespace nser::policy
