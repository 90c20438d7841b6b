// ConsentArtefact: a data subject's consent to release named attributes to
// one programme for one purpose, captured and signed (Ed25519) by a
// custodian (docs/policy.md, "Consent artefacts"; JSON Schema in
// schemas/consent-artefact-v1.schema.json).
//
// Modelled on the ReBIT consent artefact (India's account aggregator), the
// Kantara consent receipt and ISO/IEC TS 27560: id, subject, grantee
// programme, purpose, attribute scopes, validity [start, expiry), status,
// provenance (who captured it, when, how) and the capturing custodian's
// signature over consentSigningBytes().
//
// The signature covers everything except `status`, `statusChangedAt` and
// `signature`: status changes later (pause, resume, revoke) and each change
// is its own statement signed by the same custodian (ConsentStatusChange).
// A registry applies verified changes with applyStatusChange(), which refuses
// a change not later than the last applied one, so a replayed old "resume"
// cannot undo a later "revoke".
//
// Parse errors are schemas::DocumentError naming the key path. Times are
// unix seconds (UTC). Signatures travel as standard base64; in memory they
// are the raw 64 bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pki/signing_key.h"

namespace nser::policy {

inline constexpr std::string_view kConsentSchema = "nser-consent-artefact-v1";
inline constexpr std::string_view kConsentStatusChangeSchema = "nser-consent-status-v1";

enum class ConsentStatus { Active, Paused, Revoked, Expired };

std::string_view consentStatusName(ConsentStatus status);  // "ACTIVE", "PAUSED", "REVOKED", "EXPIRED"
std::optional<ConsentStatus> parseConsentStatus(std::string_view name);

// Revoked and Expired are final; Active <-> Paused; Active or Paused -> Revoked.
// Expired is reached by time (or bookkeeping), never by a status change.
bool statusChangeAllowed(ConsentStatus from, ConsentStatus to);

// Who the consent is about: an entity id (the hub's), or a custodian plus
// its own pseudonymous reference for the person, or both. A request's
// subject matches on either form.
struct ConsentSubject {
  std::string entityId;
  std::string custodian;
  std::string reference;
  bool operator==(const ConsentSubject&) const = default;
};

struct ConsentProvenance {
  std::string custodian;      // the capturing custodian, whose key signs the artefact
  std::int64_t capturedAt = 0;
  std::string method;         // identifier, e.g. "registration-desk", "bulk-import"
  bool operator==(const ConsentProvenance&) const = default;
};

struct ConsentArtefact {
  std::string id;
  ConsentSubject subject;
  std::string programme;                 // grantee programme party id
  std::string purpose;                   // purpose code
  std::vector<std::string> attributes;   // attribute scopes (at least one)
  std::int64_t start = 0;                // inclusive
  std::int64_t expiry = 0;               // exclusive; > start
  ConsentStatus status = ConsentStatus::Active;
  ConsentProvenance provenance;
  std::string signature;                 // raw 64 bytes; empty when unsigned
  // Not signed: registry bookkeeping, the `at` of the last applied status
  // change (0 = none), so that an older change replayed later is refused.
  std::int64_t statusChangedAt = 0;

  bool coversAttribute(std::string_view attribute) const;
  bool operator==(const ConsentArtefact&) const = default;
};

// The canonical bytes the custodian signs (pki/signing_bytes.h, tag
// "nser-consent-artefact-v1"): id, subject.entity_id, subject.custodian,
// subject.reference, programme, purpose, attributes (sorted list), start,
// expiry, provenance.custodian, provenance.captured_at, provenance.method.
// Excludes status and signature.
std::string consentSigningBytes(const ConsentArtefact& consent);
void signConsent(ConsentArtefact& consent, const pki::SigningKey& custodianKey);
// True when the signature is the given custodian key's over consentSigningBytes().
bool verifyConsent(const ConsentArtefact& consent, const pki::PublicKey& custodianKey);

// Parses and validates a consent artefact document (signature optional:
// absent means unsigned). `source` names the document in errors.
ConsentArtefact parseConsent(const std::string& json, const std::string& source);
// Canonical JSON (keys sorted, compact; signature omitted when empty).
std::string consentToJson(const ConsentArtefact& consent);

// A signed status change (pause, resume = ACTIVE, revoke) by the capturing
// custodian. The registry verifies it with the key of the consent's
// provenance custodian and checks statusChangeAllowed().
struct ConsentStatusChange {
  std::string consentId;
  ConsentStatus status = ConsentStatus::Revoked;  // Active, Paused or Revoked
  std::int64_t at = 0;                            // when the subject asked (unix seconds)
  std::string signature;                          // raw 64 bytes; empty when unsigned
  bool operator==(const ConsentStatusChange&) const = default;
};

// Tag "nser-consent-status-v1": consent_id, status (its name), at.
std::string statusChangeSigningBytes(const ConsentStatusChange& change);
void signStatusChange(ConsentStatusChange& change, const pki::SigningKey& custodianKey);
bool verifyStatusChange(const ConsentStatusChange& change, const pki::PublicKey& custodianKey);
enum class StatusChangeOutcome {
  Applied,          // status and statusChangedAt updated
  AlreadyInStatus,  // the consent already has that status (an idempotent retry): nothing changed
  NotAllowed,       // statusChangeAllowed() says no (revoked and expired are final)
  Stale,            // change.at is not later than the last applied change: a replay or out of order
  WrongConsent,     // the change names another consent
};
std::string_view statusChangeOutcomeName(StatusChangeOutcome outcome);

// Applies a status change whose signature the caller has verified against
// the consent's provenance custodian. Checks, in order: WrongConsent,
// AlreadyInStatus, Stale, NotAllowed; only Applied modifies `consent`.
StatusChangeOutcome applyStatusChange(ConsentArtefact& consent, const ConsentStatusChange& change);

// Rejects EXPIRED (not a change a custodian makes).
ConsentStatusChange parseStatusChange(const std::string& json, const std::string& source);
std::string statusChangeToJson(const ConsentStatusChange& change);

}  // namespace nser::policy
