#include "hub/party_registry.h"

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

using namespace nser::hub;

namespace {

const std::string kFingerprintA(64, 'a');
const std::string kFingerprintB(64, 'b');

Party party(const std::string& id, Role role, std::vector<std::string> certificates = {}) {
  Party p;
  p.id = id;
  p.role = role;
  p.certificates = std::move(certificates);
  return p;
}

std::string codeOf(const std::function<void()>& action) {
  try {
    action();
  } catch (const RegistryError& e) {
    return e.code();
  }
  return "";
}

}  // namespace

TEST(PartyRegistry, RegistersPartiesAndFindsThemByCertificate) {
  nser::testing::TempDir dir;
  HubStore store((dir / "db").string());
  PartyRegistry registry(store);
  const Party punjab = registry.add(party("punjab", Role::Custodian, {kFingerprintA}));
  const Party sindh = registry.add(party("sindh", Role::Custodian));
  const Party bisp = registry.add(party("bisp-admin", Role::Admin));
  EXPECT_EQ(punjab.custodianNumber, 1u);
  EXPECT_EQ(sindh.custodianNumber, 2u);
  EXPECT_EQ(bisp.custodianNumber, 0u);
  EXPECT_FALSE(punjab.createdAt.empty());
  ASSERT_TRUE(registry.findByCertificate(kFingerprintA));
  EXPECT_EQ(registry.findByCertificate(kFingerprintA)->id, "punjab");
  EXPECT_FALSE(registry.findByCertificate(kFingerprintB));
  EXPECT_EQ(registry.findByCustodianNumber(2)->id, "sindh");
}

TEST(PartyRegistry, RefusesDuplicatesBadIdsAndSharedCertificates) {
  nser::testing::TempDir dir;
  HubStore store((dir / "db").string());
  PartyRegistry registry(store);
  registry.add(party("punjab", Role::Custodian, {kFingerprintA}));
  EXPECT_EQ(codeOf([&] { registry.add(party("punjab", Role::Programme)); }), "conflict");
  EXPECT_EQ(codeOf([&] { registry.add(party("Punjab!", Role::Programme)); }), "invalid");
  EXPECT_EQ(codeOf([&] { registry.add(party("bisp", Role::Programme, {kFingerprintA})); }), "conflict");
  EXPECT_EQ(codeOf([&] { registry.add(party("bisp", Role::Programme, {"abc"})); }), "invalid");
  EXPECT_EQ(codeOf([&] { registry.bindCertificate("nobody", kFingerprintB); }), "not_found");
  EXPECT_EQ(codeOf([&] { registry.unbindCertificate("punjab", kFingerprintB); }), "not_found");
}

TEST(PartyRegistry, ChangesSurviveReopeningTheStore) {
  nser::testing::TempDir dir;
  {
    HubStore store((dir / "db").string());
    PartyRegistry registry(store);
    registry.add(party("punjab", Role::Custodian, {kFingerprintA}));
    registry.bindCertificate("punjab", kFingerprintB);
    registry.unbindCertificate("punjab", kFingerprintA);
    registry.setStatus("punjab", PartyStatus::Disabled);
  }
  HubStore store((dir / "db").string());
  PartyRegistry registry(store);
  const auto punjab = registry.find("punjab");
  ASSERT_TRUE(punjab);
  EXPECT_FALSE(punjab->active());
  EXPECT_EQ(punjab->certificates, std::vector<std::string>{kFingerprintB});
  EXPECT_FALSE(registry.findByCertificate(kFingerprintA));
  EXPECT_EQ(registry.findByCertificate(kFingerprintB)->id, "punjab");
  // The custodian counter persisted too: the next custodian gets number 2.
  EXPECT_EQ(registry.add(party("kp", Role::Custodian)).custodianNumber, 2u);
}
