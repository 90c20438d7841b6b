#include "policy/access_decision.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>

namespace nser::policy {
namespace {

constexpr std::int64_t kNow = 1780000000;

Agreement agreement(const std::string& id, LegalBasis basis) {
  Agreement a;
  a.id = id;
  a.programme = "kafaalat";
  a.custodians = {"punjab", "sindh"};
  a.purposes = {{"eligibility", "Eligibility"}, {"grievance", "Grievances"}};
  a.attributes = {"district", "income", "disability"};
  a.basis = basis;
  a.validFrom = kNow - 1000;
  a.validUntil = kNow + 1000;
  a.status = AgreementStatus::Active;
  return a;
}

ConsentArtefact consent(const std::string& id) {
  ConsentArtefact c;
  c.id = id;
  c.subject.entityId = "E-1";
  c.programme = "kafaalat";
  c.purpose = "eligibility";
  c.attributes = {"district", "income", "disability"};
  c.start = kNow - 100;
  c.expiry = kNow + 100;
  c.status = ConsentStatus::Active;
  c.provenance = {"punjab", kNow - 200, "registration-desk"};
  return c;
}

AccessRequest request(std::vector<std::string> attributes = {"income"}) {
  AccessRequest r;
  r.programme = "kafaalat";
  r.purpose = "eligibility";
  r.custodian = "punjab";
  r.entityId = "E-1";
  r.reference = "ref-1";
  r.attributes = std::move(attributes);
  r.time = kNow;
  return r;
}

AttributeDecision only(const std::vector<Agreement>& agreements, const std::vector<ConsentArtefact>& consents,
                       const AccessRequest& r = request(), const QuotaState& quota = {}) {
  const AccessDecision decision = decide(agreements, consents, r, quota);
  EXPECT_EQ(decision.attributes.size(), 1u);
  return decision.attributes.at(0);
}

TEST(AccessDecision, ReasonCodesAreTheWireStrings) {
  const std::vector<std::pair<Reason, std::string>> expected = {
      {Reason::NoAgreement, "NoAgreement"},
      {Reason::PurposeNotAllowed, "PurposeNotAllowed"},
      {Reason::CustodianNotCovered, "CustodianNotCovered"},
      {Reason::ScopeNotAllowed, "ScopeNotAllowed"},
      {Reason::AgreementEnded, "AgreementEnded"},
      {Reason::AgreementSuspended, "AgreementSuspended"},
      {Reason::AgreementExpired, "AgreementExpired"},
      {Reason::AgreementNotYetValid, "AgreementNotYetValid"},
      {Reason::ConsentMissing, "ConsentMissing"},
      {Reason::ConsentRevoked, "ConsentRevoked"},
      {Reason::ConsentExpired, "ConsentExpired"},
      {Reason::ConsentPaused, "ConsentPaused"},
      {Reason::ConsentNotYetValid, "ConsentNotYetValid"},
      {Reason::QuotaExceeded, "QuotaExceeded"},
      {Reason::Permit, "Permit"},
  };
  for (const auto& [reason, code] : expected) EXPECT_EQ(reasonCode(reason), code);
  for (int i = 0; i <= static_cast<int>(Reason::Permit); ++i) {
    const auto reason = static_cast<Reason>(i);
    EXPECT_EQ(parseReasonCode(reasonCode(reason)), reason);
  }
  EXPECT_FALSE(parseReasonCode("permit").has_value());
}

TEST(AccessDecision, DefaultDenyWithoutAgreements) {
  const AttributeDecision d = only({}, {consent("c-1")});
  EXPECT_FALSE(d.permit);
  EXPECT_EQ(d.reason, Reason::NoAgreement);
  EXPECT_EQ(d.agreementId, "");
  Agreement other = agreement("a-1", LegalBasis::Statutory);
  other.programme = "nashonuma";
  EXPECT_EQ(only({other}, {}).reason, Reason::NoAgreement);
  EXPECT_TRUE(decide({}, {}, request({}), {}).attributes.empty());
}

TEST(AccessDecision, StatutoryAgreementPermitsWithoutConsent) {
  const AttributeDecision d = only({agreement("a-1", LegalBasis::Statutory)}, {});
  EXPECT_TRUE(d.permit);
  EXPECT_EQ(d.reason, Reason::Permit);
  EXPECT_EQ(d.agreementId, "a-1");
  EXPECT_EQ(d.consentId, "");
}

TEST(AccessDecision, ConsentAgreementNeedsAnActiveCoveringConsent) {
  const std::vector<Agreement> agreements = {agreement("a-1", LegalBasis::Consent)};
  EXPECT_EQ(only(agreements, {}).reason, Reason::ConsentMissing);
  const AttributeDecision permitted = only(agreements, {consent("c-1")});
  EXPECT_TRUE(permitted.permit);
  EXPECT_EQ(permitted.consentId, "c-1");
  EXPECT_EQ(permitted.agreementId, "a-1");

  ConsentArtefact c = consent("c-1");
  c.status = ConsentStatus::Revoked;
  EXPECT_EQ(only(agreements, {c}).reason, Reason::ConsentRevoked);
  EXPECT_EQ(only(agreements, {c}).consentId, "c-1");
  c.status = ConsentStatus::Paused;
  EXPECT_EQ(only(agreements, {c}).reason, Reason::ConsentPaused);
  c.status = ConsentStatus::Expired;
  EXPECT_EQ(only(agreements, {c}).reason, Reason::ConsentExpired);
  c.status = ConsentStatus::Active;
  c.expiry = kNow;  // expiry is exclusive
  EXPECT_EQ(only(agreements, {c}).reason, Reason::ConsentExpired);
  c = consent("c-1");
  c.start = kNow + 1;
  EXPECT_EQ(only(agreements, {c}).reason, Reason::ConsentNotYetValid);
  c.start = kNow;  // start is inclusive
  EXPECT_TRUE(only(agreements, {c}).permit);
  // A paused consent past its expiry is expired: resuming it would not help.
  c = consent("c-1");
  c.status = ConsentStatus::Paused;
  c.expiry = kNow - 1;
  EXPECT_EQ(only(agreements, {c}).reason, Reason::ConsentExpired);
}

TEST(AccessDecision, ConsentMustMatchSubjectProgrammePurposeAndAttribute) {
  const std::vector<Agreement> agreements = {agreement("a-1", LegalBasis::Consent)};
  ConsentArtefact c = consent("c-1");
  c.subject.entityId = "E-2";
  EXPECT_EQ(only(agreements, {c}).reason, Reason::ConsentMissing);
  c = consent("c-1");
  c.programme = "nashonuma";
  EXPECT_EQ(only(agreements, {c}).reason, Reason::ConsentMissing);
  c = consent("c-1");
  c.purpose = "grievance";
  EXPECT_EQ(only(agreements, {c}).reason, Reason::ConsentMissing);
  c = consent("c-1");
  c.attributes = {"district"};
  EXPECT_EQ(only(agreements, {c}).reason, Reason::ConsentMissing);
  EXPECT_TRUE(only(agreements, {c}, request({"district"})).permit);
}

TEST(AccessDecision, ConsentSubjectMatchesByCustodianAndReference) {
  const std::vector<Agreement> agreements = {agreement("a-1", LegalBasis::Consent)};
  ConsentArtefact c = consent("c-1");
  c.subject = {"", "punjab", "ref-1"};
  EXPECT_TRUE(only(agreements, {c}).permit);
  AccessRequest r = request();
  r.entityId.clear();
  EXPECT_TRUE(only(agreements, {c}, r).permit);
  // The same reference at another custodian is another person.
  r.custodian = "sindh";
  EXPECT_EQ(only(agreements, {c}, r).reason, Reason::ConsentMissing);
  // An empty request reference never matches an artefact without one.
  c.subject = {"E-9", "", ""};
  r = request();
  r.reference.clear();
  EXPECT_EQ(only(agreements, {c}, r).reason, Reason::ConsentMissing);
}

TEST(AccessDecision, AgreementCoverageAndStateReasons) {
  Agreement a = agreement("a-1", LegalBasis::Statutory);
  AccessRequest r = request();
  r.purpose = "marketing";
  EXPECT_EQ(only({a}, {}, r).reason, Reason::PurposeNotAllowed);
  r = request();
  r.custodian = "kp";
  EXPECT_EQ(only({a}, {}, r).reason, Reason::CustodianNotCovered);
  EXPECT_EQ(only({a}, {}, request({"bank_balance"})).reason, Reason::ScopeNotAllowed);
  a.status = AgreementStatus::Suspended;
  EXPECT_EQ(only({a}, {}).reason, Reason::AgreementSuspended);
  a.status = AgreementStatus::Ended;
  EXPECT_EQ(only({a}, {}).reason, Reason::AgreementEnded);
  a = agreement("a-1", LegalBasis::Statutory);
  a.validUntil = kNow;
  EXPECT_EQ(only({a}, {}).reason, Reason::AgreementExpired);
  a = agreement("a-1", LegalBasis::Statutory);
  a.validFrom = kNow + 1;
  EXPECT_EQ(only({a}, {}).reason, Reason::AgreementNotYetValid);
  a.validFrom = kNow;
  EXPECT_TRUE(only({a}, {}).permit);
}

TEST(AccessDecision, QuotaExhaustedDeniesAndPerAgreement) {
  Agreement a = agreement("a-1", LegalBasis::Statutory);
  a.requestsPerDay = 10;
  EXPECT_TRUE(only({a}, {}, request(), QuotaState::fromMap({{"a-1", 9}})).permit);
  EXPECT_EQ(only({a}, {}, request(), QuotaState::fromMap({{"a-1", 10}})).reason, Reason::QuotaExceeded);
  EXPECT_TRUE(only({a}, {}, request(), QuotaState::fromMap({{"other", 10}})).permit);
  // Another agreement with quota left still permits, and is the one reported.
  Agreement b = agreement("b-1", LegalBasis::Statutory);
  b.requestsPerDay = 10;
  const AttributeDecision d = only({a, b}, {}, request(), QuotaState::fromMap({{"a-1", 10}, {"b-1", 3}}));
  EXPECT_TRUE(d.permit);
  EXPECT_EQ(d.agreementId, "b-1");
  // 0 means no quota.
  a.requestsPerDay = 0;
  EXPECT_TRUE(only({a}, {}, request(), QuotaState::fromMap({{"a-1", 1000000}})).permit);
}

TEST(AccessDecision, MostSpecificReasonAcrossAgreements) {
  // One agreement lacks the purpose, another covers everything but consent is revoked.
  Agreement narrow = agreement("a-1", LegalBasis::Statutory);
  narrow.purposes = {{"grievance", "Grievances"}};
  const Agreement consentBased = agreement("a-2", LegalBasis::Consent);
  ConsentArtefact revoked = consent("c-1");
  revoked.status = ConsentStatus::Revoked;
  const AttributeDecision d = only({narrow, consentBased}, {revoked});
  EXPECT_EQ(d.reason, Reason::ConsentRevoked);
  EXPECT_EQ(d.agreementId, "a-2");
  EXPECT_EQ(d.consentId, "c-1");
  // Agreements exist for the programme, but none covers the purpose.
  Agreement alsoNarrow = agreement("a-3", LegalBasis::Consent);
  alsoNarrow.purposes = {{"audit", "Audit"}};
  EXPECT_EQ(only({narrow, alsoNarrow}, {}).reason, Reason::PurposeNotAllowed);
  // Expired agreement covering everything beats an active one lacking the custodian.
  Agreement expired = agreement("a-4", LegalBasis::Statutory);
  expired.validUntil = kNow - 1;
  Agreement otherCustodian = agreement("a-5", LegalBasis::Statutory);
  otherCustodian.custodians = {"kp"};
  EXPECT_EQ(only({otherCustodian, expired}, {}).reason, Reason::AgreementExpired);
  // Among consents, the one closest to permitting decides: paused beats revoked.
  ConsentArtefact paused = consent("c-2");
  paused.status = ConsentStatus::Paused;
  const AttributeDecision two = only({consentBased}, {revoked, paused});
  EXPECT_EQ(two.reason, Reason::ConsentPaused);
  EXPECT_EQ(two.consentId, "c-2");
  // Any active consent permits, whatever else exists.
  EXPECT_TRUE(only({consentBased}, {revoked, consent("c-3"), paused}).permit);
}

TEST(AccessDecision, TiesGoToTheLowestIdWhateverTheInputOrder) {
  std::vector<Agreement> agreements = {agreement("a-3", LegalBasis::Statutory), agreement("a-1", LegalBasis::Consent),
                                       agreement("a-2", LegalBasis::Statutory)};
  std::vector<ConsentArtefact> consents = {consent("c-9"), consent("c-4"), consent("c-7")};
  std::mt19937 random(7);
  for (int round = 0; round < 20; ++round) {
    std::shuffle(agreements.begin(), agreements.end(), random);
    std::shuffle(consents.begin(), consents.end(), random);
    const AttributeDecision d = only(agreements, consents);
    EXPECT_TRUE(d.permit);
    EXPECT_EQ(d.agreementId, "a-1");
    EXPECT_EQ(d.consentId, "c-4");
  }
}

TEST(AccessDecision, DecidesEachAttributeSeparately) {
  Agreement statutory = agreement("a-1", LegalBasis::Statutory);
  statutory.attributes = {"district"};
  const Agreement consentBased = agreement("a-2", LegalBasis::Consent);
  ConsentArtefact c = consent("c-1");
  c.attributes = {"income"};
  const AccessDecision decision =
      decide(std::vector{statutory, consentBased}, std::vector{c}, request({"district", "income", "disability", "pin"}), {});
  ASSERT_EQ(decision.attributes.size(), 4u);
  EXPECT_EQ(decision.attributes[0].attribute, "district");
  EXPECT_EQ(decision.attributes[0].agreementId, "a-1");
  EXPECT_TRUE(decision.attributes[0].permit);
  EXPECT_TRUE(decision.attributes[1].permit);
  EXPECT_EQ(decision.attributes[1].consentId, "c-1");
  EXPECT_EQ(decision.attributes[2].reason, Reason::ConsentMissing);
  EXPECT_EQ(decision.attributes[3].reason, Reason::ScopeNotAllowed);
  EXPECT_TRUE(decision.anyPermit());
  EXPECT_EQ(decision.permittedAttributes(), (std::vector<std::string>{"district", "income"}));
}

}  // namespace
}  // namespace nser::policy
