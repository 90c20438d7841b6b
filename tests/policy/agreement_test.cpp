#include "policy/agreement.h"

#include <gtest/gtest.h>

#include <set>
#include <sstream>
#include <string>

#include "schemas/json_document.h"

namespace nser::policy {
namespace {

const std::string kValid = R"({
  "schema": "nser-agreement-v1",
  "id": "bisp-kafaalat.health-2026",
  "version": 3,
  "programme": "bisp-kafaalat",
  "custodians": ["punjab-health", "sindh-health"],
  "purposes": [{"code": "eligibility", "text": "Assess eligibility for cash transfers"},
               {"code": "grievance", "text": "Resolve a beneficiary's complaint"}],
  "attributes": ["disability_status", "district"],
  "legal_basis": "consent",
  "valid_from": 1767225600,
  "valid_until": 1798761600,
  "requests_per_day": 5000,
  "status": "active"
})";

// Replaces the first occurrence of `from` in the valid document.
std::string variant(const std::string& from, const std::string& to) {
  std::string text = kValid;
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

std::string errorOf(const std::string& json) {
  try {
    parseAgreement(json, "agreement.json");
  } catch (const schemas::DocumentError& error) {
    return error.what();
  }
  return "";
}

TEST(Agreement, ParsesEveryField) {
  const Agreement agreement = parseAgreement(kValid, "agreement.json");
  EXPECT_EQ(agreement.id, "bisp-kafaalat.health-2026");
  EXPECT_EQ(agreement.version, 3u);
  EXPECT_EQ(agreement.programme, "bisp-kafaalat");
  EXPECT_EQ(agreement.custodians, (std::vector<std::string>{"punjab-health", "sindh-health"}));
  ASSERT_EQ(agreement.purposes.size(), 2u);
  EXPECT_EQ(agreement.purposes[1].code, "grievance");
  EXPECT_EQ(agreement.purposes[1].text, "Resolve a beneficiary's complaint");
  EXPECT_EQ(agreement.attributes, (std::vector<std::string>{"disability_status", "district"}));
  EXPECT_EQ(agreement.basis, LegalBasis::Consent);
  EXPECT_EQ(agreement.validFrom, 1767225600);
  EXPECT_EQ(agreement.validUntil, 1798761600);
  EXPECT_EQ(agreement.requestsPerDay, 5000u);
  EXPECT_EQ(agreement.status, AgreementStatus::Active);
  EXPECT_TRUE(agreement.coversCustodian("sindh-health"));
  EXPECT_FALSE(agreement.coversCustodian("kp-health"));
  EXPECT_TRUE(agreement.coversPurpose("grievance"));
  EXPECT_FALSE(agreement.coversPurpose("marketing"));
  EXPECT_TRUE(agreement.coversAttribute("district"));
  EXPECT_FALSE(agreement.coversAttribute("income"));
}

TEST(Agreement, JsonRoundTrips) {
  Agreement agreement = parseAgreement(kValid, "agreement.json");
  agreement.basis = LegalBasis::Statutory;
  agreement.status = AgreementStatus::Suspended;
  agreement.requestsPerDay = 0;
  const std::string json = agreementToJson(agreement);
  EXPECT_EQ(parseAgreement(json, "round trip"), agreement);
  EXPECT_NE(json.find("\"schema\":\"nser-agreement-v1\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"legal_basis\":\"statutory\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"status\":\"suspended\""), std::string::npos) << json;
  // Canonical: serialising the parsed form again gives the same text.
  EXPECT_EQ(agreementToJson(parseAgreement(json, "again")), json);
}

TEST(Agreement, QuotaIsOptionalAndDefaultsToNone) {
  const Agreement agreement = parseAgreement(variant("\"requests_per_day\": 5000,", ""), "agreement.json");
  EXPECT_EQ(agreement.requestsPerDay, 0u);
}

TEST(Agreement, ErrorsNameTheSourceAndKeyPath) {
  struct Case {
    std::string from, to, expected;
  };
  const std::vector<Case> cases = {
      {"\"nser-agreement-v1\"", "\"nser-agreement-v2\"", "agreement.json: schema: must be \"nser-agreement-v1\""},
      {"\"bisp-kafaalat.health-2026\"", "\"Bisp Kafaalat\"", "agreement.json: id: must be 1-64 characters"},
      {"\"version\": 3", "\"version\": 0", "agreement.json: version: must be between 1"},
      {"[\"punjab-health\", \"sindh-health\"]", "[\"punjab-health\", \"punjab-health\"]",
       "agreement.json: custodians[1]: duplicate 'punjab-health'"},
      {"[\"punjab-health\", \"sindh-health\"]", "[]", "agreement.json: custodians: must list at least one"},
      {"\"code\": \"grievance\"", "\"code\": \"eligibility\"", "agreement.json: purposes[1].code: duplicate purpose"},
      {"\"text\": \"Assess eligibility for cash transfers\"", "\"text\": \"\"", "agreement.json: purposes[0].text"},
      {"\"text\": \"Resolve", "\"txt\": \"Resolve", "agreement.json: purposes[1]: unknown key 'txt'"},
      {"[\"disability_status\", \"district\"]", "[\"disability_status\", 7]", "agreement.json: attributes[1]: expected a string"},
      {"\"legal_basis\": \"consent\"", "\"legal_basis\": \"contract\"", "agreement.json: legal_basis:"},
      {"\"valid_until\": 1798761600", "\"valid_until\": 1767225600", "agreement.json: valid_until: must be later than valid_from"},
      {"\"valid_from\": 1767225600", "\"valid_from\": -5", "agreement.json: valid_from: must be between 0"},
      {"\"requests_per_day\": 5000", "\"requests_per_day\": -1", "agreement.json: requests_per_day"},
      {"\"status\": \"active\"", "\"status\": \"paused\"", "agreement.json: status:"},
      {"\"programme\": \"bisp-kafaalat\",", "", "agreement.json: (document root): missing required key 'programme'"},
      {"\"status\": \"active\"", "\"status\": \"active\", \"colour\": \"red\"", "unknown key 'colour'"},
  };
  for (const Case& c : cases) {
    const std::string message = errorOf(variant(c.from, c.to));
    EXPECT_NE(message.find(c.expected), std::string::npos) << "expected '" << c.expected << "' in '" << message << "'";
  }
  EXPECT_NE(errorOf("{not json").find("agreement.json: invalid JSON"), std::string::npos);
}

TEST(Agreement, NamesRoundTrip) {
  for (LegalBasis basis : {LegalBasis::Statutory, LegalBasis::Consent}) {
    EXPECT_EQ(parseLegalBasis(legalBasisName(basis)), basis);
  }
  for (AgreementStatus status : {AgreementStatus::Active, AgreementStatus::Suspended, AgreementStatus::Ended}) {
    EXPECT_EQ(parseAgreementStatus(agreementStatusName(status)), status);
  }
  EXPECT_FALSE(parseLegalBasis("Consent").has_value());
  EXPECT_FALSE(parseAgreementStatus("ACTIVE").has_value());
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

TEST(Agreement, JsonSchemaDocumentMatchesTheParser) {
  const auto schema = schemas::JsonNode::parseFile(std::string(NSER_SOURCE_DIR) + "/schemas/agreement-v1.schema.json");
  EXPECT_EQ(schema.field("properties").field("schema").field("const").asString(), kAgreementSchema);
  const Agreement example = parseAgreement(exampleText(schema), "schema example");
  // Every key the writer emits is described, and every described key is emitted.
  const auto written = schemas::JsonNode::parseText(agreementToJson(example), "written");
  EXPECT_EQ(keysOf(schema.field("properties")), keysOf(written));
  const std::set<std::string> required = stringsOf(schema.field("required"));
  for (const std::string& key : keysOf(written)) {
    if (key == "requests_per_day") {
      EXPECT_EQ(required.count(key), 0u);  // optional: defaults to no quota
    } else {
      EXPECT_EQ(required.count(key), 1u) << key;
    }
  }
}

}  // namespace
}  // namespace nser::policy
