#include "hub/agreement_registry.h"

#include <gtest/gtest.h>

#include <functional>

#include "tests/support/temp_dir.h"

using namespace nser;
using namespace nser::hub;

namespace {

Party party(const std::string& id, Role role) {
  Party p;
  p.id = id;
  p.role = role;
  return p;
}

// An agreement document; `extra` replaces the tail (status and quota).
std::string agreementJson(const std::string& id, const std::string& programme = "bisp-kafaalat",
                          const std::string& custodians = R"(["punjab-health"])",
                          const std::string& attributes = R"(["disability_status"])",
                          const std::string& status = "active") {
  return R"({"schema":"nser-agreement-v1","id":")" + id + R"(","version":1,"programme":")" + programme +
         R"(","custodians":)" + custodians +
         R"(,"purposes":[{"code":"eligibility","text":"Assess eligibility"}],"attributes":)" + attributes +
         R"(,"legal_basis":"consent","valid_from":1767225600,"valid_until":1798761600,"requests_per_day":50,)"
         R"("status":")" + status + R"("})";
}

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

struct Registries {
  explicit Registries(const std::filesystem::path& directory) : store(directory.string()), parties(store) {}
  void addParties() {
    parties.add(party("bisp-kafaalat", Role::Programme));
    parties.add(party("ehsaas-nashonuma", Role::Programme));
    parties.add(party("punjab-health", Role::Custodian));
    parties.add(party("sindh-health", Role::Custodian));
    parties.add(party("bisp-admin", Role::Admin));
  }
  HubStore store;
  PartyRegistry parties;
};

}  // namespace

TEST(AgreementRegistry, CreatesAgreementsAtVersionOneAndFindsThem) {
  nser::testing::TempDir dir;
  Registries hub(dir / "db");
  hub.addParties();
  AgreementRegistry registry(hub.store, hub.parties);
  // The document's version is ignored on create: a new agreement is version 1.
  std::string json = agreementJson("kafaalat.health-2026");
  json.replace(json.find("\"version\":1"), 11, "\"version\":7");
  const auto created = registry.create(json);
  EXPECT_EQ(created.version, 1u);
  EXPECT_EQ(created.programme, "bisp-kafaalat");
  EXPECT_EQ(created.requestsPerDay, 50u);
  ASSERT_TRUE(registry.find("kafaalat.health-2026"));
  EXPECT_EQ(*registry.find("kafaalat.health-2026"), created);
  EXPECT_FALSE(registry.find("nothing"));
  EXPECT_EQ(registry.list().size(), 1u);
  EXPECT_EQ(refusalOf([&] { registry.create(agreementJson("kafaalat.health-2026")); }).code, "conflict");
}

TEST(AgreementRegistry, RefusesUnknownPartiesNamingTheField) {
  nser::testing::TempDir dir;
  Registries hub(dir / "db");
  hub.addParties();
  AgreementRegistry registry(hub.store, hub.parties);

  auto refusal = refusalOf([&] { registry.create(agreementJson("a1", "no-such-programme")); });
  EXPECT_EQ(refusal.code, "invalid");
  EXPECT_NE(refusal.message.find("$.programme"), std::string::npos) << refusal.message;
  // A registered party with another role is no programme either.
  refusal = refusalOf([&] { registry.create(agreementJson("a1", "punjab-health")); });
  EXPECT_EQ(refusal.code, "invalid");
  EXPECT_NE(refusal.message.find("$.programme"), std::string::npos) << refusal.message;

  refusal = refusalOf([&] { registry.create(agreementJson("a1", "bisp-kafaalat", R"(["punjab-health","kp-health"])")); });
  EXPECT_EQ(refusal.code, "invalid");
  EXPECT_NE(refusal.message.find("$.custodians[1]"), std::string::npos) << refusal.message;
  refusal = refusalOf([&] { registry.create(agreementJson("a1", "bisp-kafaalat", R"(["bisp-admin"])")); });
  EXPECT_EQ(refusal.code, "invalid");
  EXPECT_NE(refusal.message.find("$.custodians[0]"), std::string::npos) << refusal.message;

  // A document error names its key path too.
  refusal = refusalOf([&] { registry.create(agreementJson("a1", "bisp-kafaalat", R"(["punjab-health"])", "[]")); });
  EXPECT_EQ(refusal.code, "invalid");
  EXPECT_NE(refusal.message.find("attributes"), std::string::npos) << refusal.message;
  EXPECT_EQ(refusalOf([&] { registry.create("{not json"); }).code, "invalid");
  EXPECT_TRUE(registry.list().empty());
}

TEST(AgreementRegistry, AmendBumpsTheVersionAndKeepsEveryVersionInHistory) {
  nser::testing::TempDir dir;
  Registries hub(dir / "db");
  hub.addParties();
  AgreementRegistry registry(hub.store, hub.parties);
  registry.create(agreementJson("k1"));
  const auto amended =
      registry.amend("k1", agreementJson("k1", "bisp-kafaalat", R"(["punjab-health","sindh-health"])",
                                         R"(["disability_status","district"])"));
  EXPECT_EQ(amended.version, 2u);
  EXPECT_EQ(amended.custodians, (std::vector<std::string>{"punjab-health", "sindh-health"}));
  EXPECT_TRUE(registry.find("k1")->coversAttribute("district"));

  const auto ended = registry.end("k1");
  EXPECT_EQ(ended.version, 3u);
  EXPECT_EQ(ended.status, policy::AgreementStatus::Ended);
  EXPECT_EQ(ended.custodians, amended.custodians);  // ending keeps the terms
  EXPECT_EQ(registry.end("k1").version, 3u);       // ending again changes nothing

  const auto history = registry.history("k1");
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[0].version, 1u);
  EXPECT_EQ(history[0].custodians, (std::vector<std::string>{"punjab-health"}));
  EXPECT_EQ(history[0].status, policy::AgreementStatus::Active);
  EXPECT_EQ(history[1], amended);
  EXPECT_EQ(history[2], ended);
  EXPECT_TRUE(registry.history("k").empty());  // a prefix of an id is not that id
}

TEST(AgreementRegistry, AmendRefusesEndedUnknownAndMismatchedAgreements) {
  nser::testing::TempDir dir;
  Registries hub(dir / "db");
  hub.addParties();
  AgreementRegistry registry(hub.store, hub.parties);
  registry.create(agreementJson("k1"));
  registry.create(agreementJson("k2"));
  EXPECT_EQ(refusalOf([&] { registry.amend("nothing", agreementJson("nothing")); }).code, "not_found");
  const auto mismatch = refusalOf([&] { registry.amend("k1", agreementJson("k2")); });
  EXPECT_EQ(mismatch.code, "invalid");
  EXPECT_NE(mismatch.message.find("$.id"), std::string::npos) << mismatch.message;
  EXPECT_EQ(refusalOf([&] { registry.amend("k1", agreementJson("k1", "nobody")); }).code, "invalid");
  EXPECT_EQ(registry.find("k1")->version, 1u);  // refused amendments change nothing

  registry.end("k1");
  EXPECT_EQ(refusalOf([&] { registry.amend("k1", agreementJson("k1")); }).code, "conflict");
  EXPECT_EQ(refusalOf([&] { registry.end("nothing"); }).code, "not_found");
  EXPECT_EQ(registry.history("k1").size(), 2u);
  EXPECT_EQ(registry.find("k2")->status, policy::AgreementStatus::Active);
}

TEST(AgreementRegistry, ForProgrammeListsCurrentAgreementsOfAnyStatus) {
  nser::testing::TempDir dir;
  Registries hub(dir / "db");
  hub.addParties();
  AgreementRegistry registry(hub.store, hub.parties);
  registry.create(agreementJson("k1"));
  registry.create(agreementJson("k2"));
  registry.create(agreementJson("n1", "ehsaas-nashonuma"));
  registry.amend("k2", agreementJson("k2", "bisp-kafaalat", R"(["sindh-health"])"));
  registry.end("k1");
  const auto kafaalat = registry.forProgramme("bisp-kafaalat");
  ASSERT_EQ(kafaalat.size(), 2u);
  EXPECT_EQ(kafaalat[0].id, "k1");
  EXPECT_EQ(kafaalat[0].status, policy::AgreementStatus::Ended);
  EXPECT_EQ(kafaalat[1].id, "k2");
  EXPECT_EQ(kafaalat[1].version, 2u);  // the current version only
  ASSERT_EQ(registry.forProgramme("ehsaas-nashonuma").size(), 1u);
  EXPECT_EQ(registry.forProgramme("ehsaas-nashonuma")[0].id, "n1");
  EXPECT_TRUE(registry.forProgramme("punjab-health").empty());
}

TEST(AgreementRegistry, CurrentVersionsAndHistorySurviveReopeningTheStore) {
  nser::testing::TempDir dir;
  policy::Agreement amended;
  {
    Registries hub(dir / "db");
    hub.addParties();
    AgreementRegistry registry(hub.store, hub.parties);
    registry.create(agreementJson("k1"));
    registry.create(agreementJson("k2"));
    amended = registry.amend("k1", agreementJson("k1", "bisp-kafaalat", R"(["sindh-health"])"));
    registry.end("k2");
  }
  Registries hub(dir / "db");
  AgreementRegistry registry(hub.store, hub.parties);
  ASSERT_EQ(registry.list().size(), 2u);
  EXPECT_EQ(*registry.find("k1"), amended);
  EXPECT_EQ(registry.find("k2")->version, 2u);
  EXPECT_EQ(registry.find("k2")->status, policy::AgreementStatus::Ended);
  EXPECT_EQ(registry.history("k1").size(), 2u);
  // The reopened registry continues the version sequence and keeps the rules.
  EXPECT_EQ(registry.amend("k1", agreementJson("k1")).version, 3u);
  EXPECT_EQ(refusalOf([&] { registry.amend("k2", agreementJson("k2")); }).code, "conflict");
}
