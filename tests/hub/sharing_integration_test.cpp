// Consent-scoped sharing through a real hub process: the connector profile
// route, `nser admin party add --via`, `nser admin agreement ...`,
// `nser admin consent import` (and its exit code), and the brokered search's
// match rules (404 NoMatch, 409 AmbiguousMatch, request validation).
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include "linkage/linkage_schema.h"
#include "linkage/linkage_secret.h"
#include "linkage/record_encoder.h"
#include "pki/signing_key.h"
#include "policy/consent_artefact.h"
#include "protocol/encoded_query.h"
#include "protocol/ingest_batch.h"
#include "protocol/sealed_attributes.h"
#include "protocol/search_envelope.h"
#include "tests/support/hub_process.h"

using namespace nser;
using nser::testing::HubProcess;

namespace {

Poco::JSON::Object::Ptr parse(const std::string& json) {
  Poco::JSON::Parser parser;
  return parser.parse(json).extract<Poco::JSON::Object::Ptr>();
}

std::string agreementJson(const std::string& id, const std::string& programme, const std::string& attributes,
                          int requestsPerDay) {
  return R"({"schema":"nser-agreement-v1","id":")" + id + R"(","version":1,"programme":")" + programme +
         R"(","custodians":["punjab"],"purposes":[{"code":"eligibility","text":"Assess eligibility"}],)"
         R"("attributes":)" + attributes +
         R"(,"legal_basis":"consent","valid_from":1767225600,"valid_until":1798761600,"requests_per_day":)" +
         std::to_string(requestsPerDay) + R"(,"status":"active"})";
}

std::string signedConsent(const std::string& id, const pki::SigningKey& key) {
  policy::ConsentArtefact c;
  c.id = id;
  c.subject.custodian = "punjab";
  c.subject.reference = "ref-" + id;
  c.programme = "bisp-kafaalat";
  c.purpose = "eligibility";
  c.attributes = {"district"};
  c.start = 1767225600;
  c.expiry = 1798761600;
  c.provenance = {"punjab", 1767225700, "bulk-import"};
  policy::signConsent(c, key);
  return policy::consentToJson(c);
}

// Encodes hand-made rows the way a custodian connector would (default
// schema, a fixed test secret).
class RowEncoder {
 public:
  RowEncoder()
      : secret_(linkage::LinkageSecret::fromBytes(
            {reinterpret_cast<const std::uint8_t*>(kSecret.data()), kSecret.size()}, 1)),
        encoder_(linkage::loadLinkageSchema(std::string(NSER_SOURCE_DIR) + "/schemas/linkage/nser-person-v1.json"),
                 secret_, {2026, 11, 26}),
        workspace_(encoder_.makeWorkspace()),
        binding_(encoder_.bind({"rec_id", "cnic", "name", "relation_type", "relation_name", "gender", "dob",
                                "district", "tehsil", "province", "address", "phone"})) {}

  linkage::EncodedRecord encode(const std::vector<std::string>& row) {
    linkage::EncodedRecord record;
    const auto outcome = encoder_.encodeRow(row, binding_, 2, workspace_, record);
    if (!outcome.ok) throw std::runtime_error("test encoding failed: " + outcome.reason);
    return record;
  }
  const linkage::EncodingHeader& header() const { return encoder_.header(); }

 private:
  static constexpr std::string_view kSecret = "sharing test linkage secret, 32b";
  linkage::LinkageSecret secret_;
  linkage::RecordEncoder encoder_;
  linkage::EncoderWorkspace workspace_;
  linkage::ColumnBinding binding_;
};

std::string cnicTokenHex(const linkage::EncodedRecord& record) {
  for (const auto& token : record.tokens) {
    if (token.kind == linkage::TokenKind::Cnic) return token.hex();
  }
  return "";
}

class SharingIntegration : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    hub_ = new HubProcess({"punjab", "sindh", "bisp-kafaalat"});
    hub_->start();
    hub_->registerParty("punjab", "custodian");
    hub_->registerParty("sindh", "custodian");
    const auto added = hub_->admin({"admin", "party", "add", "bisp-kafaalat", "--role", "programme", "--via", "punjab",
                                    "--certificate", hub_->pki().client("bisp-kafaalat").certificatePath.string()});
    ASSERT_EQ(added.exitCode, 0) << added.err;
    punjabKey_ = new pki::SigningKey(pki::SigningKey::generate());
  }
  static void TearDownTestSuite() {
    if (hub_ != nullptr) hub_->stop();
    delete hub_;
    delete punjabKey_;
    hub_ = nullptr;
    punjabKey_ = nullptr;
  }

  // Registers Punjab's connector profile (its consent signing key).
  static service::HttpsResponse registerPunjabProfile() {
    Poco::JSON::Object body;
    body.set("signing_key", pki::encodePublicKey(punjabKey_->publicKey()));
    body.set("box_key", protocol::BoxKeyPair::generate().publicKeyBase64());
    body.set("attribute_endpoint", "127.0.0.1:7443");
    Poco::JSON::Array::Ptr attributes = new Poco::JSON::Array;
    attributes->add("district");
    attributes->add("household_income");
    body.set("attributes", attributes);
    std::ostringstream text;
    body.stringify(text);
    return hub_->client("punjab")->request("PUT", "/parties/self/profile", "application/json", text.str());
  }

  static nser::testing::ProcessResult admin(std::vector<std::string> args) {
    args.insert(args.begin(), "admin");
    return hub_->admin(args);
  }

  static HubProcess* hub_;
  static pki::SigningKey* punjabKey_;
};

HubProcess* SharingIntegration::hub_ = nullptr;
pki::SigningKey* SharingIntegration::punjabKey_ = nullptr;

}  // namespace

TEST_F(SharingIntegration, AProgrammeQueriesViaARegisteredCustodianOnly) {
  const auto shown = admin({"party", "show", "bisp-kafaalat", "--json"});
  ASSERT_EQ(shown.exitCode, 0) << shown.err;
  EXPECT_EQ(parse(shown.out)->getValue<std::string>("via"), "punjab");
  // Not a custodian, not registered, not a programme.
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"party", "add", "ehsaas", "--role", "programme", "--via", "bisp-kafaalat"},
           {"party", "add", "ehsaas", "--role", "programme", "--via", "kp"},
           {"party", "add", "kp", "--role", "custodian", "--via", "punjab"}}) {
    const auto refused = admin(args);
    EXPECT_EQ(refused.exitCode, 1) << args[3] << " " << refused.out;
    EXPECT_NE(refused.err.find("via"), std::string::npos) << refused.err;
  }
  EXPECT_NE(admin({"party", "show", "ehsaas"}).exitCode, 0);
}

TEST_F(SharingIntegration, ConnectorsRegisterTheirProfileUnderTheirOwnIdentity) {
  const auto response = registerPunjabProfile();
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(parse(response.body)->getValue<std::string>("id"), "punjab");
  const auto shown = admin({"party", "show", "punjab", "--json"});
  ASSERT_EQ(shown.exitCode, 0) << shown.err;
  EXPECT_NE(shown.out.find(pki::encodePublicKey(punjabKey_->publicKey())), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find("127.0.0.1:7443"), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find("household_income"), std::string::npos) << shown.out;

  auto put = [](const std::string& party, const std::string& body) {
    return hub_->client(party)->request("PUT", "/parties/self/profile", "application/json", body);
  };
  auto bad = put("sindh", R"({"signing_key":"not a key"})");
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_NE(bad.body.find("signing_key"), std::string::npos) << bad.body;
  bad = put("sindh", R"({"attribute_endpoint":"no port"})");
  EXPECT_EQ(bad.status, 400) << bad.body;
  bad = put("sindh", R"({"attributes":"district"})");
  EXPECT_EQ(bad.status, 400) << bad.body;
  // A programme registers a box key only, never a signing key.
  bad = put("bisp-kafaalat", R"({"signing_key":")" + pki::encodePublicKey(punjabKey_->publicKey()) + R"("})");
  EXPECT_EQ(bad.status, 400) << bad.body;
  const auto programme =
      put("bisp-kafaalat", R"({"box_key":")" + protocol::BoxKeyPair::generate().publicKeyBase64() + R"("})");
  EXPECT_EQ(programme.status, 200) << programme.body;
  // Admins have no connector profile.
  EXPECT_EQ(put("admin", R"({"box_key":")" + protocol::BoxKeyPair::generate().publicKeyBase64() + R"("})").status, 403);
}

TEST_F(SharingIntegration, AdminsManageAgreementsThroughTheCli) {
  const auto file = hub_->dir() / "agreement.json";
  nser::testing::writeFile(file, agreementJson("kafaalat.cli", "bisp-kafaalat", R"(["district"])", 10));
  auto result = admin({"agreement", "add", file.string()});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_NE(result.out.find("kafaalat.cli  version=1  programme=bisp-kafaalat  basis=consent  status=active"),
            std::string::npos)
      << result.out;
  // Adding it again conflicts.
  result = admin({"agreement", "add", file.string()});
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_FALSE(result.err.empty());

  result = admin({"agreement", "list"});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_NE(result.out.find("kafaalat.cli  version=1"), std::string::npos) << result.out;

  nser::testing::writeFile(file, agreementJson("kafaalat.cli", "bisp-kafaalat", R"(["district","household_income"])", 20));
  result = admin({"agreement", "amend", file.string()});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_NE(result.out.find("kafaalat.cli  version=2"), std::string::npos) << result.out;
  result = admin({"agreement", "show", "kafaalat.cli", "--json"});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  const auto shown = parse(result.out);
  EXPECT_EQ(shown->getValue<int>("version"), 2);
  EXPECT_EQ(shown->getValue<int>("requests_per_day"), 20);
  EXPECT_EQ(shown->getArray("attributes")->size(), 2u);

  result = admin({"agreement", "end", "kafaalat.cli"});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_NE(result.out.find("kafaalat.cli  version=3"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("status=ended"), std::string::npos) << result.out;
  // An ended agreement is not amended.
  result = admin({"agreement", "amend", file.string()});
  EXPECT_EQ(result.exitCode, 1) << result.out;

  result = admin({"agreement", "history", "kafaalat.cli"});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  const auto v1 = result.out.find("version=1");
  const auto v2 = result.out.find("version=2");
  const auto v3 = result.out.find("version=3");
  ASSERT_NE(v1, std::string::npos) << result.out;
  ASSERT_NE(v2, std::string::npos) << result.out;
  ASSERT_NE(v3, std::string::npos) << result.out;
  EXPECT_LT(v1, v2);
  EXPECT_LT(v2, v3);

  // Unknown programme: refused, naming the field.
  nser::testing::writeFile(file, agreementJson("other.cli", "no-such-programme", R"(["district"])", 0));
  result = admin({"agreement", "add", file.string()});
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_NE(result.err.find("$.programme"), std::string::npos) << result.err;
  EXPECT_NE(admin({"agreement", "show", "other.cli"}).exitCode, 0);
  EXPECT_EQ(admin({"agreement", "frobnicate"}).exitCode, 2);
}

TEST_F(SharingIntegration, BulkConsentImportNamesTheRejectedLines) {
  ASSERT_EQ(registerPunjabProfile().status, 200);
  const auto forger = pki::SigningKey::generate();
  const std::string good = signedConsent("c-import-1", *punjabKey_);
  const std::string forged = signedConsent("c-import-2", forger);
  const std::string body = good + "\n" + forged + "\n" + "{\"schema\": \"nser-consent-artefact-v1\", \"id\":\n";

  // The route: 207 with the two rejected lines named.
  auto response = hub_->client("admin")->post("/admin/consents/import", "application/x-ndjson", body);
  ASSERT_EQ(response.status, 207) << response.body;
  auto answer = parse(response.body);
  EXPECT_EQ(answer->getValue<int>("lines"), 3);
  EXPECT_EQ(answer->getValue<int>("imported"), 1);
  const auto rejected = answer->getArray("rejected");
  ASSERT_EQ(rejected->size(), 2u);
  EXPECT_EQ(rejected->getObject(0)->getValue<int>("line"), 2);
  EXPECT_NE(rejected->getObject(0)->getValue<std::string>("error").find("signature"), std::string::npos);
  EXPECT_EQ(rejected->getObject(1)->getValue<int>("line"), 3);

  // The CLI: the same file fails (exit 1) and names the lines; the good
  // line's re-import is an idempotent retry.
  const auto file = hub_->dir() / "consents.ndjson";
  nser::testing::writeFile(file, body);
  auto result = admin({"consent", "import", file.string()});
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_NE(result.out.find("lines=3 imported=1 rejected=2"), std::string::npos) << result.out;
  EXPECT_NE(result.err.find("line 2:"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("line 3:"), std::string::npos) << result.err;
  EXPECT_EQ(result.err.find("line 1:"), std::string::npos) << result.err;

  // A file of good lines (blank lines skipped) imports with exit 0.
  nser::testing::writeFile(file, good + "\n\n" + signedConsent("c-import-3", *punjabKey_) + "\n");
  result = admin({"consent", "import", file.string()});
  EXPECT_EQ(result.exitCode, 0) << result.err;
  EXPECT_NE(result.out.find("imported=2 rejected=0"), std::string::npos) << result.out;

  // Only admins import.
  response = hub_->client("punjab")->post("/admin/consents/import", "application/x-ndjson", good + "\n");
  EXPECT_EQ(response.status, 403) << response.body;
  EXPECT_NE(admin({"consent", "import", (hub_->dir() / "missing.ndjson").string()}).exitCode, 0);
}

TEST_F(SharingIntegration, BrokeredSearchNeedsExactlyOneMatchingEntity) {
  // Two different people recorded under one CNIC (a data-entry error): the
  // hub keeps them apart, so the CNIC alone cannot say whose attributes to fetch.
  ASSERT_EQ(registerPunjabProfile().status, 200);  // its box key receives sealed attributes
  RowEncoder encoder;
  const std::string cnic = "35202-7654321-1";
  const auto first = encoder.encode({"amb-1", cnic, "Muhammad Qasim", "s/o", "Ghulam Rasool", "M", "1961-03-04",
                                     "Lahore", "Lahore City", "Punjab", "House 12 Street 4", ""});
  const auto second = encoder.encode({"amb-2", cnic, "Nasreen Akhtar", "d/o", "Shah Nawaz", "F", "1994-11-20",
                                      "Multan", "Multan Saddar", "Punjab", "Mohalla Qasimpur", ""});
  const auto third = encoder.encode({"amb-3", "35202-1112223-3", "Tariq Mehmood", "s/o", "Noor Din", "M",
                                     "1978-06-09", "Okara", "Depalpur", "Punjab", "Chak 41", ""});
  protocol::IngestBatch batch;
  batch.custodian = "punjab";
  batch.sequence = 1;
  batch.idempotencyKey = "punjab-sharing-1";
  batch.encoding = encoder.header();
  for (const auto* record : {&first, &second, &third}) {
    protocol::IngestOperation operation;
    operation.record = *record;
    batch.operations.push_back(operation);
  }
  auto punjab = hub_->client("punjab");
  auto response =
      punjab->post("/ingest/batches", std::string(protocol::kIngestBatchContentType), protocol::serialiseIngestBatch(batch));
  ASSERT_EQ(response.status, 200) << response.body;

  auto search = [&](const std::string& type, const std::string& value, std::vector<std::string> attributes,
                    const std::string& purpose = "eligibility") {
    protocol::SearchEnvelope envelope;
    envelope.senderId = "punjab";
    envelope.receiverId = "test-hub";
    envelope.transactionId = "txn-sharing";
    envelope.schemaId = encoder.header().schemaId;
    envelope.schemaDigest = encoder.header().schemaDigest;
    envelope.keyEpoch = encoder.header().keyEpoch;
    protocol::SearchQuery query;
    query.referenceId = "q-1";
    query.type = type;
    query.value = value;
    query.programme = "bisp-kafaalat";
    query.purpose = purpose;
    query.attributes = std::move(attributes);
    envelope.queries.push_back(query);
    return punjab->postJson("/registry/sync/search", protocol::buildSearchRequest(envelope));
  };
  auto firstResponse = [](const service::HttpsResponse& r) {
    return parse(r.body)->getObject("message")->getArray("search_response")->getObject(0);
  };
  const std::string token = cnicTokenHex(first);
  ASSERT_EQ(token.size(), 32u);
  ASSERT_EQ(token, cnicTokenHex(second));

  // The plain search lists both entities...
  response = search(std::string(protocol::kQueryCnicToken), token, {});
  ASSERT_EQ(response.status, 200) << response.body;
  ASSERT_EQ(firstResponse(response)->getObject("data")->getArray("reg_records")->size(), 2u) << response.body;
  // ...so a brokered one is ambiguous: 409, and nothing is fetched.
  response = search(std::string(protocol::kQueryCnicToken), token, {"district"});
  EXPECT_EQ(response.status, 409) << response.body;
  auto answer = firstResponse(response);
  EXPECT_EQ(answer->getValue<std::string>("status"), "rjct");
  EXPECT_EQ(answer->getValue<std::string>("status_reason_code"), "AmbiguousMatch");
  EXPECT_FALSE(answer->has("data"));

  // No entity: 404 NoMatch.
  response = search(std::string(protocol::kQueryCnicToken), std::string(32, '0'), {"district"});
  EXPECT_EQ(response.status, 404) << response.body;
  EXPECT_EQ(firstResponse(response)->getValue<std::string>("status_reason_code"), "NoMatch");
  response = search(std::string(protocol::kQueryEntityId), "999999999", {"district"});
  EXPECT_EQ(response.status, 404) << response.body;

  // One clear match gets past the match rules to the policy decision.
  response = search(std::string(protocol::kQueryEncodedRecord), protocol::encodeRecordQuery(third), {"district"});
  answer = firstResponse(response);
  // No agreement permits it: a 403 with the policy's reason.
  EXPECT_EQ(response.status, 403) << response.body;
  EXPECT_EQ(answer->getValue<std::string>("status"), "rjct") << response.body;
  EXPECT_TRUE(answer->has("data")) << response.body;  // the per-attribute decisions
  EXPECT_NE(answer->optValue<std::string>("status_reason_code", ""), "AmbiguousMatch") << response.body;
  EXPECT_NE(answer->optValue<std::string>("status_reason_code", ""), "NoMatch") << response.body;

  // Attributes without a purpose are rejected before any matching.
  response = search(std::string(protocol::kQueryCnicToken), token, {"district"}, "");
  answer = firstResponse(response);
  EXPECT_EQ(answer->getValue<std::string>("status"), "rjct") << response.body;
  EXPECT_EQ(answer->getValue<std::string>("status_reason_code"), "rjct.attributes.invalid");
  EXPECT_NE(answer->getValue<std::string>("status_reason_message").find("purpose"), std::string::npos);
}
