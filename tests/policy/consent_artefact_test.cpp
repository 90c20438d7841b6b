#include "policy/consent_artefact.h"

#include <gtest/gtest.h>

#include <functional>
#include <set>
#include <sstream>
#include <string>

#include "schemas/json_document.h"

namespace nser::policy {
namespace {

ConsentArtefact sample() {
  ConsentArtefact consent;
  consent.id = "c-0001";
  consent.subject = {"E-42", "punjab-health", "ref-9"};
  consent.programme = "bisp-kafaalat";
  consent.purpose = "eligibility";
  consent.attributes = {"district", "disability_status"};
  consent.start = 1767225600;
  consent.expiry = 1798761600;
  consent.status = ConsentStatus::Active;
  consent.provenance = {"punjab-health", 1767225000, "registration-desk"};
  return consent;
}

std::string errorOf(const std::function<void()>& parse) {
  try {
    parse();
  } catch (const schemas::DocumentError& error) {
    return error.what();
  }
  return "";
}

TEST(ConsentArtefact, SigningBytesArePinned) {
  // The documented format (docs/policy.md): a change here breaks every signature in the field.
  const std::string expected =
      "nser-consent-artefact-v1\n"
      "id=6:c-0001\n"
      "subject.entity_id=4:E-42\n"
      "subject.custodian=13:punjab-health\n"
      "subject.reference=5:ref-9\n"
      "programme=13:bisp-kafaalat\n"
      "purpose=11:eligibility\n"
      "attributes.count=1:2\n"
      "attributes[0]=17:disability_status\n"
      "attributes[1]=8:district\n"
      "start=10:1767225600\n"
      "expiry=10:1798761600\n"
      "provenance.custodian=13:punjab-health\n"
      "provenance.captured_at=10:1767225000\n"
      "provenance.method=17:registration-desk\n";
  EXPECT_EQ(consentSigningBytes(sample()), expected);
}

TEST(ConsentArtefact, SignatureCoversEverySignedFieldButNotStatus) {
  const pki::SigningKey custodian = pki::SigningKey::generate();
  ConsentArtefact consent = sample();
  signConsent(consent, custodian);
  ASSERT_EQ(consent.signature.size(), 64u);
  EXPECT_TRUE(verifyConsent(consent, custodian.publicKey()));
  EXPECT_FALSE(verifyConsent(consent, pki::SigningKey::generate().publicKey()));

  const std::vector<std::function<void(ConsentArtefact&)>> changes = {
      [](ConsentArtefact& c) { c.id = "c-0002"; },
      [](ConsentArtefact& c) { c.subject.entityId = "E-43"; },
      [](ConsentArtefact& c) { c.subject.custodian = "sindh-health"; },
      [](ConsentArtefact& c) { c.subject.reference = "ref-8"; },
      [](ConsentArtefact& c) { c.programme = "bisp-nashonuma"; },
      [](ConsentArtefact& c) { c.purpose = "grievance"; },
      [](ConsentArtefact& c) { c.attributes.push_back("income"); },
      [](ConsentArtefact& c) { c.attributes.pop_back(); },
      [](ConsentArtefact& c) { c.start += 1; },
      [](ConsentArtefact& c) { c.expiry += 1; },
      [](ConsentArtefact& c) { c.provenance.custodian = "sindh-health"; },
      [](ConsentArtefact& c) { c.provenance.capturedAt += 1; },
      [](ConsentArtefact& c) { c.provenance.method = "bulk-import"; },
      [](ConsentArtefact& c) { c.signature[10] ^= 1; },
  };
  for (std::size_t i = 0; i < changes.size(); ++i) {
    ConsentArtefact changed = consent;
    changes[i](changed);
    EXPECT_FALSE(verifyConsent(changed, custodian.publicKey())) << "change " << i;
  }
  // Status is not signed (changes are separate statements); attribute order is not significant.
  ConsentArtefact paused = consent;
  paused.status = ConsentStatus::Paused;
  EXPECT_TRUE(verifyConsent(paused, custodian.publicKey()));
  ConsentArtefact reordered = consent;
  std::swap(reordered.attributes[0], reordered.attributes[1]);
  EXPECT_TRUE(verifyConsent(reordered, custodian.publicKey()));
  // Shifting bytes between neighbouring fields changes the signing bytes.
  ConsentArtefact shifted = consent;
  shifted.subject.entityId = "E-42punjab";
  shifted.subject.custodian = "-health";
  EXPECT_NE(consentSigningBytes(shifted), consentSigningBytes(consent));
}

TEST(ConsentArtefact, JsonRoundTripsSignedAndUnsigned) {
  const pki::SigningKey custodian = pki::SigningKey::generate();
  ConsentArtefact consent = sample();
  const ConsentArtefact unsignedBack = parseConsent(consentToJson(consent), "unsigned");
  EXPECT_EQ(unsignedBack, consent);
  EXPECT_TRUE(unsignedBack.signature.empty());
  signConsent(consent, custodian);
  consent.status = ConsentStatus::Revoked;
  const std::string json = consentToJson(consent);
  const ConsentArtefact back = parseConsent(json, "signed");
  EXPECT_EQ(back, consent);
  EXPECT_TRUE(verifyConsent(back, custodian.publicKey()));
  EXPECT_NE(json.find("\"status\":\"REVOKED\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"schema\":\"nser-consent-artefact-v1\""), std::string::npos) << json;

  ConsentArtefact byReference = sample();
  byReference.subject.entityId.clear();
  EXPECT_EQ(parseConsent(consentToJson(byReference), "reference only"), byReference);
  ConsentArtefact byEntity = sample();
  byEntity.subject.custodian.clear();
  byEntity.subject.reference.clear();
  EXPECT_EQ(parseConsent(consentToJson(byEntity), "entity only"), byEntity);
}

TEST(ConsentArtefact, ParseErrorsNameTheKeyPath) {
  const std::string base = consentToJson(sample());
  auto replaced = [&](const std::string& from, const std::string& to) {
    std::string text = base;
    const auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return text.replace(at, from.size(), to);
  };
  struct Case {
    std::string from, to, expected;
  };
  const std::vector<Case> cases = {
      {"\"status\":\"ACTIVE\"", "\"status\":\"active\"", "consent.json: status:"},
      {"\"expiry\":1798761600", "\"expiry\":1767225600", "consent.json: expiry: must be later than start"},
      {"\"method\":\"registration-desk\"", "\"method\":\"Desk 4\"", "consent.json: provenance.method:"},
      {"\"entity_id\":\"E-42\",", "\"entity_id\":\"E 42\",", "consent.json: subject.entity_id:"},
      {"\"custodian\":\"punjab-health\",\"entity_id\":\"E-42\",", "\"entity_id\":\"E-42\",",
       "consent.json: subject: custodian and reference go together"},
      {"\"attributes\":[\"district\",\"disability_status\"]", "\"attributes\":[]", "consent.json: attributes:"},
      {"\"purpose\":\"eligibility\"", "\"purpose\":\"eligibility\",\"signature\":\"AAAA\"", "consent.json: signature:"},
      {"\"programme\":\"bisp-kafaalat\",", "", "missing required key 'programme'"},
  };
  for (const Case& c : cases) {
    const std::string message = errorOf([&] { parseConsent(replaced(c.from, c.to), "consent.json"); });
    EXPECT_NE(message.find(c.expected), std::string::npos) << "expected '" << c.expected << "' in '" << message << "'";
  }
  const std::string noSubject = R"({"schema":"nser-consent-artefact-v1","id":"c-1","subject":{},"programme":"p",
    "purpose":"x","attributes":["a"],"start":0,"expiry":1,"status":"ACTIVE",
    "provenance":{"custodian":"c","captured_at":0,"method":"m"}})";
  EXPECT_NE(errorOf([&] { parseConsent(noSubject, "consent.json"); }).find("consent.json: subject: must name"),
            std::string::npos);
}

TEST(ConsentStatusChange, SignsVerifiesAndRoundTrips) {
  const pki::SigningKey custodian = pki::SigningKey::generate();
  ConsentStatusChange change{"c-0001", ConsentStatus::Revoked, 1770000000, ""};
  EXPECT_EQ(statusChangeSigningBytes(change),
            "nser-consent-status-v1\nconsent_id=6:c-0001\nstatus=7:REVOKED\nat=10:1770000000\n");
  signStatusChange(change, custodian);
  EXPECT_TRUE(verifyStatusChange(change, custodian.publicKey()));
  const ConsentStatusChange back = parseStatusChange(statusChangeToJson(change), "change");
  EXPECT_EQ(back, change);
  EXPECT_TRUE(verifyStatusChange(back, custodian.publicKey()));

  ConsentStatusChange resumed = change;
  resumed.status = ConsentStatus::Active;
  EXPECT_FALSE(verifyStatusChange(resumed, custodian.publicKey()));
  ConsentStatusChange later = change;
  later.at += 1;
  EXPECT_FALSE(verifyStatusChange(later, custodian.publicKey()));
  ConsentStatusChange other = change;
  other.consentId = "c-0002";
  EXPECT_FALSE(verifyStatusChange(other, custodian.publicKey()));
  // A consent artefact's signature never verifies as a status change and vice versa (distinct tags).
  ConsentArtefact consent = sample();
  signConsent(consent, custodian);
  ConsentStatusChange borrowed = change;
  borrowed.signature = consent.signature;
  EXPECT_FALSE(verifyStatusChange(borrowed, custodian.publicKey()));

  const std::string expired = R"({"schema":"nser-consent-status-v1","consent_id":"c-1","status":"EXPIRED","at":5})";
  EXPECT_NE(errorOf([&] { parseStatusChange(expired, "change.json"); }).find("change.json: status:"), std::string::npos);
}

TEST(ConsentStatusChange, ApplyRefusesReplaysOtherConsentsAndFinalStates) {
  ConsentArtefact consent = sample();
  using O = StatusChangeOutcome;
  EXPECT_EQ(applyStatusChange(consent, {"c-0002", ConsentStatus::Paused, 100, ""}), O::WrongConsent);
  EXPECT_EQ(applyStatusChange(consent, {"c-0001", ConsentStatus::Active, 100, ""}), O::AlreadyInStatus);
  EXPECT_EQ(applyStatusChange(consent, {"c-0001", ConsentStatus::Paused, 100, ""}), O::Applied);
  EXPECT_EQ(consent.status, ConsentStatus::Paused);
  EXPECT_EQ(consent.statusChangedAt, 100);
  EXPECT_EQ(applyStatusChange(consent, {"c-0001", ConsentStatus::Active, 200, ""}), O::Applied);
  EXPECT_EQ(applyStatusChange(consent, {"c-0001", ConsentStatus::Revoked, 300, ""}), O::Applied);
  // The old "pause" and "resume" statements replayed after the revocation change nothing.
  EXPECT_EQ(applyStatusChange(consent, {"c-0001", ConsentStatus::Paused, 100, ""}), O::Stale);
  EXPECT_EQ(applyStatusChange(consent, {"c-0001", ConsentStatus::Active, 200, ""}), O::Stale);
  // Even a fresh one cannot undo a revocation.
  EXPECT_EQ(applyStatusChange(consent, {"c-0001", ConsentStatus::Active, 400, ""}), O::NotAllowed);
  EXPECT_EQ(applyStatusChange(consent, {"c-0001", ConsentStatus::Revoked, 500, ""}), O::AlreadyInStatus);
  EXPECT_EQ(consent.status, ConsentStatus::Revoked);
  EXPECT_EQ(consent.statusChangedAt, 300);
  // The bookkeeping survives the JSON form but is not signed.
  const pki::SigningKey custodian = pki::SigningKey::generate();
  signConsent(consent, custodian);
  const ConsentArtefact back = parseConsent(consentToJson(consent), "stored");
  EXPECT_EQ(back.statusChangedAt, 300);
  ConsentArtefact moved = back;
  moved.statusChangedAt = 0;
  EXPECT_TRUE(verifyConsent(moved, custodian.publicKey()));
  EXPECT_EQ(statusChangeOutcomeName(O::Stale), "Stale");
}

TEST(ConsentStatus, TransitionsRevokedAndExpiredAreFinal) {
  using S = ConsentStatus;
  EXPECT_TRUE(statusChangeAllowed(S::Active, S::Paused));
  EXPECT_TRUE(statusChangeAllowed(S::Paused, S::Active));
  EXPECT_TRUE(statusChangeAllowed(S::Active, S::Revoked));
  EXPECT_TRUE(statusChangeAllowed(S::Paused, S::Revoked));
  EXPECT_FALSE(statusChangeAllowed(S::Active, S::Active));
  EXPECT_FALSE(statusChangeAllowed(S::Paused, S::Paused));
  for (S to : {S::Active, S::Paused, S::Revoked, S::Expired}) {
    EXPECT_FALSE(statusChangeAllowed(S::Revoked, to));
    EXPECT_FALSE(statusChangeAllowed(S::Expired, to));
    EXPECT_EQ(parseConsentStatus(consentStatusName(to)), to);
  }
  EXPECT_FALSE(statusChangeAllowed(S::Active, S::Expired));
}

// Helpers to compare schemas/*.schema.json with what the parser reads and the writer emits.
std::set<std::string> keysOf(const schemas::JsonNode& object) {
  const auto keys = object.keys();
  return {keys.begin(), keys.end()};
}

std::set<std::string> stringsOf(const schemas::JsonNode& array) {
  std::set<std::string> values;
  for (const auto& item : array.asArray()) values.insert(item.asString());
  return values;
}

std::string exampleText(const schemas::JsonNode& schema) {
  std::ostringstream out;
  schema.field("examples").asArray().at(0).raw().extract<Poco::JSON::Object::Ptr>()->stringify(out);
  return out.str();
}

TEST(ConsentArtefact, JsonSchemaDocumentMatchesTheParser) {
  const auto schema =
      schemas::JsonNode::parseFile(std::string(NSER_SOURCE_DIR) + "/schemas/consent-artefact-v1.schema.json");
  EXPECT_EQ(schema.field("properties").field("schema").field("const").asString(), kConsentSchema);
  ConsentArtefact example = parseConsent(exampleText(schema), "schema example");
  example.subject.entityId = "E-1";  // so the writer emits every subject key
  example.signature = std::string(64, 'x');
  example.statusChangedAt = 1770000000;
  const auto written = schemas::JsonNode::parseText(consentToJson(example), "written");
  EXPECT_EQ(keysOf(schema.field("properties")), keysOf(written));
  EXPECT_EQ(keysOf(schema.field("properties").field("subject").field("properties")), keysOf(written.field("subject")));
  EXPECT_EQ(keysOf(schema.field("properties").field("provenance").field("properties")),
            keysOf(written.field("provenance")));
  std::set<std::string> required = stringsOf(schema.field("required"));
  required.insert("signature");
  required.insert("status_changed_at");
  EXPECT_EQ(required, keysOf(written));
}

}  // namespace
}  // namespace nser::policy
