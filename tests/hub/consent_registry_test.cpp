#include "hub/consent_registry.h"

#include <gtest/gtest.h>

#include <functional>

#include "pki/signing_key.h"
#include "tests/support/temp_dir.h"

using namespace nser;
using namespace nser::hub;
using policy::ConsentStatus;

namespace {

struct Refusal {
  std::string code;
  std::string message;
};

Refusal refusalOf(const std::function<void()>& action) {
  try {
    action();
  } catch (const RegistryError& e) {
    return {e.code(), e.what()};
  }
  return {};
}

// A consent by `custodian` for person `reference` (or an entity id).
policy::ConsentArtefact consent(const std::string& id, const std::string& custodian, const std::string& reference,
                                const std::string& entityId = "") {
  policy::ConsentArtefact c;
  c.id = id;
  if (entityId.empty()) {
    c.subject.custodian = custodian;
    c.subject.reference = reference;
  } else {
    c.subject.entityId = entityId;
  }
  c.programme = "bisp-kafaalat";
  c.purpose = "eligibility";
  c.attributes = {"disability_status", "district"};
  c.start = 1767225600;
  c.expiry = 1798761600;
  c.provenance = {custodian, 1767225700, "registration-desk"};
  return c;
}

std::string signedJson(policy::ConsentArtefact c, const pki::SigningKey& key) {
  policy::signConsent(c, key);
  return policy::consentToJson(c);
}

std::string change(const std::string& id, ConsentStatus status, std::int64_t at, const pki::SigningKey& key) {
  policy::ConsentStatusChange c{id, status, at, ""};
  policy::signStatusChange(c, key);
  return policy::statusChangeToJson(c);
}

struct Hub {
  explicit Hub(const std::filesystem::path& directory) : store(directory.string()), parties(store) {}
  HubStore store;
  PartyRegistry parties;
};

// Registers the programme, two custodians with their signing keys and one
// custodian that has not registered a key.
struct Deployment {
  pki::SigningKey punjabKey = pki::SigningKey::generate();
  pki::SigningKey sindhKey = pki::SigningKey::generate();
  Party punjab;
  Party sindh;

  void registerParties(PartyRegistry& parties) {
    Party programme;
    programme.id = "bisp-kafaalat";
    programme.role = Role::Programme;
    parties.add(programme);
    punjab = addCustodian(parties, "punjab-health", &punjabKey);
    sindh = addCustodian(parties, "sindh-health", &sindhKey);
    addCustodian(parties, "kp-health", nullptr);
  }

  static Party addCustodian(PartyRegistry& parties, const std::string& id, const pki::SigningKey* key) {
    Party custodian;
    custodian.id = id;
    custodian.role = Role::Custodian;
    parties.add(custodian);
    if (key == nullptr) return *parties.find(id);
    Party profile;
    profile.signingKey = pki::encodePublicKey(key->publicKey());
    return parties.setProfile(id, profile);
  }
};

}  // namespace

TEST(ConsentRegistry, AcceptsAnArtefactSignedByItsCustodiansRegisteredKey) {
  nser::testing::TempDir dir;
  Hub hub(dir / "db");
  Deployment d;
  d.registerParties(hub.parties);
  ConsentRegistry registry(hub.store, hub.parties);
  const auto added = registry.add(signedJson(consent("c-1", "punjab-health", "ref-1"), d.punjabKey), &d.punjab);
  EXPECT_EQ(added.id, "c-1");
  EXPECT_EQ(added.status, ConsentStatus::Active);
  ASSERT_TRUE(registry.find("c-1"));
  EXPECT_EQ(*registry.find("c-1"), added);
  EXPECT_EQ(registry.size(), 1u);
  // An admin import (no submitter) is verified the same way.
  registry.add(signedJson(consent("c-2", "sindh-health", "ref-9"), d.sindhKey), nullptr);
  EXPECT_EQ(registry.size(), 2u);
  // The same artefact again is an idempotent retry; other terms under its id are not.
  EXPECT_EQ(registry.add(signedJson(consent("c-1", "punjab-health", "ref-1"), d.punjabKey), &d.punjab), added);
  EXPECT_EQ(refusalOf([&] {
              registry.add(signedJson(consent("c-1", "punjab-health", "ref-2"), d.punjabKey), &d.punjab);
            }).code,
            "conflict");
  EXPECT_EQ(registry.find("c-1")->subject.reference, "ref-1");
}

TEST(ConsentRegistry, RefusesBadSignaturesAndUnknownOrKeylessCustodians) {
  nser::testing::TempDir dir;
  Hub hub(dir / "db");
  Deployment d;
  d.registerParties(hub.parties);
  ConsentRegistry registry(hub.store, hub.parties);

  // Signed with another custodian's key.
  auto refusal = refusalOf([&] { registry.add(signedJson(consent("c-1", "punjab-health", "r"), d.sindhKey), nullptr); });
  EXPECT_EQ(refusal.code, "invalid");
  EXPECT_NE(refusal.message.find("signature"), std::string::npos) << refusal.message;
  // Changed after signing (a wider scope than the person agreed to).
  policy::ConsentArtefact tampered = consent("c-1", "punjab-health", "r");
  policy::signConsent(tampered, d.punjabKey);
  tampered.attributes.push_back("household_income");
  refusal = refusalOf([&] { registry.add(policy::consentToJson(tampered), &d.punjab); });
  EXPECT_EQ(refusal.code, "invalid");
  EXPECT_NE(refusal.message.find("signature"), std::string::npos) << refusal.message;
  // Unsigned.
  EXPECT_EQ(refusalOf([&] { registry.add(policy::consentToJson(consent("c-1", "punjab-health", "r")), nullptr); }).code,
            "invalid");
  // A custodian the hub does not know, and one without a registered key.
  refusal = refusalOf([&] { registry.add(signedJson(consent("c-1", "gb-health", "r"), d.punjabKey), nullptr); });
  EXPECT_EQ(refusal.code, "invalid");
  EXPECT_NE(refusal.message.find("gb-health"), std::string::npos) << refusal.message;
  refusal = refusalOf([&] { registry.add(signedJson(consent("c-1", "kp-health", "r"), d.punjabKey), nullptr); });
  EXPECT_EQ(refusal.code, "invalid");
  EXPECT_NE(refusal.message.find("signing key"), std::string::npos) << refusal.message;
  // A malformed document.
  EXPECT_EQ(refusalOf([&] { registry.add("{\"schema\":1}", nullptr); }).code, "invalid");
  EXPECT_EQ(registry.size(), 0u);
  EXPECT_FALSE(registry.find("c-1"));
}

TEST(ConsentRegistry, ACustodianCannotSubmitOrChangeAnothersArtefact) {
  nser::testing::TempDir dir;
  Hub hub(dir / "db");
  Deployment d;
  d.registerParties(hub.parties);
  ConsentRegistry registry(hub.store, hub.parties);
  // Properly signed by Punjab, but submitted by Sindh.
  const std::string punjabs = signedJson(consent("c-1", "punjab-health", "r"), d.punjabKey);
  EXPECT_EQ(refusalOf([&] { registry.add(punjabs, &d.sindh); }).code, "forbidden");
  EXPECT_EQ(registry.size(), 0u);
  registry.add(punjabs, &d.punjab);
  // Sindh may not pause it, even with a change Punjab signed.
  EXPECT_EQ(refusalOf([&] {
              registry.changeStatus("c-1", change("c-1", ConsentStatus::Paused, 1767300000, d.punjabKey), &d.sindh);
            }).code,
            "forbidden");
  EXPECT_EQ(registry.find("c-1")->status, ConsentStatus::Active);
}

TEST(ConsentRegistry, StatusChangesMustBeSignedByTheCapturingCustodian) {
  nser::testing::TempDir dir;
  Hub hub(dir / "db");
  Deployment d;
  d.registerParties(hub.parties);
  ConsentRegistry registry(hub.store, hub.parties);
  registry.add(signedJson(consent("c-1", "punjab-health", "r"), d.punjabKey), &d.punjab);

  // Signed by the wrong key (an admin relaying it cannot launder it either).
  auto refusal =
      refusalOf([&] { registry.changeStatus("c-1", change("c-1", ConsentStatus::Revoked, 1767300000, d.sindhKey), nullptr); });
  EXPECT_EQ(refusal.code, "invalid");
  EXPECT_NE(refusal.message.find("signature"), std::string::npos) << refusal.message;
  // A signed change for another consent, sent to this one.
  refusal = refusalOf(
      [&] { registry.changeStatus("c-1", change("c-2", ConsentStatus::Revoked, 1767300000, d.punjabKey), &d.punjab); });
  EXPECT_EQ(refusal.code, "invalid");
  EXPECT_NE(refusal.message.find("consent_id"), std::string::npos) << refusal.message;
  EXPECT_EQ(refusalOf([&] {
              registry.changeStatus("c-9", change("c-9", ConsentStatus::Paused, 1767300000, d.punjabKey), &d.punjab);
            }).code,
            "not_found");
  EXPECT_EQ(registry.find("c-1")->status, ConsentStatus::Active);

  EXPECT_EQ(registry.changeStatus("c-1", change("c-1", ConsentStatus::Paused, 1767300000, d.punjabKey), &d.punjab).status,
            ConsentStatus::Paused);
  EXPECT_EQ(registry.find("c-1")->status, ConsentStatus::Paused);  // visible to the very next decision
  EXPECT_EQ(registry.changeStatus("c-1", change("c-1", ConsentStatus::Active, 1767300100, d.punjabKey), nullptr).status,
            ConsentStatus::Active);
}

TEST(ConsentRegistry, RevocationIsFinal) {
  nser::testing::TempDir dir;
  Hub hub(dir / "db");
  Deployment d;
  d.registerParties(hub.parties);
  ConsentRegistry registry(hub.store, hub.parties);
  registry.add(signedJson(consent("c-1", "punjab-health", "r"), d.punjabKey), &d.punjab);
  registry.changeStatus("c-1", change("c-1", ConsentStatus::Revoked, 1767300000, d.punjabKey), &d.punjab);
  EXPECT_EQ(registry.find("c-1")->status, ConsentStatus::Revoked);
  for (const auto status : {ConsentStatus::Active, ConsentStatus::Paused}) {
    EXPECT_EQ(refusalOf([&] {
                registry.changeStatus("c-1", change("c-1", status, 1767400000, d.punjabKey), &d.punjab);
              }).code,
              "conflict");
  }
  // Revoking again is an idempotent retry.
  EXPECT_EQ(registry.changeStatus("c-1", change("c-1", ConsentStatus::Revoked, 1767500000, d.punjabKey), &d.punjab).status,
            ConsentStatus::Revoked);
  EXPECT_EQ(registry.find("c-1")->status, ConsentStatus::Revoked);
}

TEST(ConsentRegistry, AReplayedOlderStatusChangeDoesNotUndoALaterOne) {
  nser::testing::TempDir dir;
  Hub hub(dir / "db");
  Deployment d;
  d.registerParties(hub.parties);
  ConsentRegistry registry(hub.store, hub.parties);
  registry.add(signedJson(consent("c-1", "punjab-health", "r"), d.punjabKey), &d.punjab);
  const std::string pause = change("c-1", ConsentStatus::Paused, 1767300000, d.punjabKey);
  const std::string resume = change("c-1", ConsentStatus::Active, 1767300100, d.punjabKey);
  registry.changeStatus("c-1", pause, &d.punjab);
  registry.changeStatus("c-1", resume, &d.punjab);
  registry.changeStatus("c-1", change("c-1", ConsentStatus::Paused, 1767300200, d.punjabKey), &d.punjab);
  // Someone replays the (validly signed) old resume: the person's later pause stands.
  EXPECT_EQ(refusalOf([&] { registry.changeStatus("c-1", resume, &d.punjab); }).code, "conflict");
  EXPECT_EQ(registry.find("c-1")->status, ConsentStatus::Paused);
}

TEST(ConsentRegistry, ForSubjectFindsConsentsByEntityIdAndByCustodianReference) {
  nser::testing::TempDir dir;
  Hub hub(dir / "db");
  Deployment d;
  d.registerParties(hub.parties);
  ConsentRegistry registry(hub.store, hub.parties);
  registry.add(signedJson(consent("c-entity", "punjab-health", "", "42"), d.punjabKey), &d.punjab);
  registry.add(signedJson(consent("c-punjab", "punjab-health", "ref-7"), d.punjabKey), &d.punjab);
  registry.add(signedJson(consent("c-sindh", "sindh-health", "ref-7"), d.sindhKey), &d.sindh);
  registry.add(signedJson(consent("c-other", "punjab-health", "ref-8"), d.punjabKey), &d.punjab);

  auto ids = [](const std::vector<policy::ConsentArtefact>& consents) {
    std::vector<std::string> out;
    for (const auto& c : consents) out.push_back(c.id);
    std::sort(out.begin(), out.end());
    return out;
  };
  EXPECT_EQ(ids(registry.forSubject("42", {})), (std::vector<std::string>{"c-entity"}));
  EXPECT_EQ(ids(registry.forSubject("43", {})), (std::vector<std::string>{}));
  // The same reference at another custodian is another person.
  EXPECT_EQ(ids(registry.forSubject("43", {{"punjab-health", "ref-7"}})), (std::vector<std::string>{"c-punjab"}));
  EXPECT_EQ(ids(registry.forSubject("42", {{"punjab-health", "ref-7"}, {"sindh-health", "ref-7"}})),
            (std::vector<std::string>{"c-entity", "c-punjab", "c-sindh"}));
  EXPECT_TRUE(registry.forSubject("", {{"kp-health", "ref-7"}}).empty());

  // A subject must be exactly one of the two forms.
  policy::ConsentArtefact both = consent("c-both", "punjab-health", "ref-9");
  both.subject.entityId = "44";
  EXPECT_EQ(refusalOf([&] { registry.add(signedJson(both, d.punjabKey), &d.punjab); }).code, "invalid");
}

TEST(ConsentRegistry, ArtefactsAndStatusChangesSurviveReopeningTheStore) {
  nser::testing::TempDir dir;
  Deployment d;
  {
    Hub hub(dir / "db");
    d.registerParties(hub.parties);
    ConsentRegistry registry(hub.store, hub.parties);
    registry.add(signedJson(consent("c-1", "punjab-health", "ref-1"), d.punjabKey), &d.punjab);
    registry.add(signedJson(consent("c-2", "punjab-health", "", "42"), d.punjabKey), &d.punjab);
    registry.changeStatus("c-1", change("c-1", ConsentStatus::Revoked, 1767300000, d.punjabKey), &d.punjab);
  }
  Hub hub(dir / "db");
  ConsentRegistry registry(hub.store, hub.parties);
  EXPECT_EQ(registry.size(), 2u);
  ASSERT_TRUE(registry.find("c-1"));
  EXPECT_EQ(registry.find("c-1")->status, ConsentStatus::Revoked);
  EXPECT_TRUE(policy::verifyConsent(*registry.find("c-1"), d.punjabKey.publicKey()));
  EXPECT_EQ(registry.forSubject("42", {{"punjab-health", "ref-1"}}).size(), 2u);
  // Still final after the restart.
  EXPECT_EQ(refusalOf([&] {
              registry.changeStatus("c-1", change("c-1", ConsentStatus::Active, 1767400000, d.punjabKey), &d.punjab);
            }).code,
            "conflict");
}
