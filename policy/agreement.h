// Agreement: a data-sharing agreement between a programme and one or more
// custodians (docs/policy.md, "Agreements"; JSON Schema in
// schemas/agreement-v1.schema.json).
//
// An agreement says which attributes (scopes) a programme may receive from
// which custodians, for which purposes, on which legal basis, between which
// times, and how many requests a day. Under a `consent` basis each release
// additionally needs the data subject's active consent (consent_artefact.h).
// Agreements are versioned: an amendment keeps the id and raises `version`.
//
// Times are unix seconds (UTC); the validity window is [validFrom, validUntil).
//
// parseAgreement validates the whole document; every error is a
// schemas::DocumentError "<source>: <key path>: <what is wrong>".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nser::policy {

inline constexpr std::string_view kAgreementSchema = "nser-agreement-v1";

enum class LegalBasis { Statutory, Consent };
enum class AgreementStatus { Active, Suspended, Ended };

std::string_view legalBasisName(LegalBasis basis);            // "statutory", "consent"
std::string_view agreementStatusName(AgreementStatus status);  // "active", "suspended", "ended"
std::optional<LegalBasis> parseLegalBasis(std::string_view name);
std::optional<AgreementStatus> parseAgreementStatus(std::string_view name);

struct Purpose {
  std::string code;  // identifier, e.g. "eligibility-assessment"
  std::string text;  // what the purpose is, for people (notices, audit views)
  bool operator==(const Purpose&) const = default;
};

struct Agreement {
  std::string id;                        // identifier ([a-z0-9._-], 1-64)
  std::uint32_t version = 1;             // raised by every amendment
  std::string programme;                 // the grantee programme's party id
  std::vector<std::string> custodians;   // custodian party ids (at least one)
  std::vector<Purpose> purposes;         // at least one; codes distinct
  std::vector<std::string> attributes;   // attribute scopes (names; at least one)
  LegalBasis basis = LegalBasis::Consent;
  std::int64_t validFrom = 0;            // unix seconds, inclusive
  std::int64_t validUntil = 0;           // unix seconds, exclusive; > validFrom
  std::uint32_t requestsPerDay = 0;      // 0 = no quota
  AgreementStatus status = AgreementStatus::Active;

  bool coversCustodian(std::string_view custodian) const;
  bool coversPurpose(std::string_view purposeCode) const;
  bool coversAttribute(std::string_view attribute) const;
  bool operator==(const Agreement&) const = default;
};

// Parses and validates an agreement document; `source` names it in errors
// (a file name, "request body", ...).
Agreement parseAgreement(const std::string& json, const std::string& source);
// The canonical JSON form (keys sorted, compact); parseAgreement reads it back.
std::string agreementToJson(const Agreement& agreement);

}  // namespace nser::policy
