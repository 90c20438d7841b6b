// The hub's HTTP API against its OpenAPI document
// (schemas/openapi/hub.openapi.json): a real hub process is driven through
// every documented operation - successes and the usual refusals (400, 403,
// 404, 409, ...) - by its parties over mutual TLS, and every answer (status,
// content type, JSON body) and every JSON request the test sends is
// validated against the document. The test ends by checking that no
// documented operation was left unexercised.
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <set>
#include <sstream>

#include "audit/cosignature.h"
#include "audit/signed_note.h"
#include "pki/signing_key.h"
#include "policy/consent_artefact.h"
#include "protocol/encoded_query.h"
#include "protocol/ingest_batch.h"
#include "protocol/sealed_attributes.h"
#include "protocol/search_envelope.h"
#include "schemas/openapi_document.h"
#include "tests/hub/test_encodings.h"
#include "tests/support/hub_process.h"

using namespace nser;
using nser::testing::HubProcess;

namespace {

Poco::JSON::Object::Ptr parse(const std::string& json) {
  Poco::JSON::Parser parser;
  return parser.parse(json).extract<Poco::JSON::Object::Ptr>();
}

std::int64_t unixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

class HubApiConformance : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    document_ = new schemas::OpenApiDocument(
        schemas::OpenApiDocument::loadFile(std::string(NSER_SOURCE_DIR) + "/schemas/openapi/hub.openapi.json"));
    hub_ = new HubProcess({"punjab", "sindh", "bisp-kafaalat", "auditor", "stranger"});
    hub_->start();
  }
  static void TearDownTestSuite() {
    if (hub_ != nullptr) hub_->stop();
    delete hub_;
    delete document_;
    hub_ = nullptr;
    document_ = nullptr;
  }

  // One exchange as `party`, validated against the document; returns it.
  service::HttpsResponse call(const std::string& party, const std::string& method, const std::string& path,
                              const std::string& contentType = "", const std::string& body = "") {
    auto& client = clients_[party];
    if (!client) client = hub_->client(party);
    const auto response = method == "GET" ? client->get(path) : client->request(method, path, contentType, body);
    // What the hub accepted, the document must accept too.
    if (contentType == "application/json" && response.status >= 200 && response.status < 300) {
      for (const auto& problem : document_->validateRequest(method, path, contentType, body)) {
        ADD_FAILURE() << "request " << problem;
      }
    }
    const auto problems =
        document_->validateResponse(method, path, response.status, response.header("content-type"), response.body);
    for (const auto& problem : problems) ADD_FAILURE() << problem << "\n  body: " << response.body.substr(0, 600);
    if (const auto* operation = document_->findOperation(method, path)) {
      exercised_[operation->method + " " + operation->pathTemplate].insert(response.status);
    }
    return response;
  }
  service::HttpsResponse get(const std::string& party, const std::string& path) { return call(party, "GET", path); }
  service::HttpsResponse post(const std::string& party, const std::string& path, const std::string& json) {
    return call(party, "POST", path, "application/json", json);
  }
  service::HttpsResponse put(const std::string& party, const std::string& path, const std::string& json) {
    return call(party, "PUT", path, "application/json", json);
  }
  // The status, or a failure naming the exchange when it is another.
  void expectStatus(const service::HttpsResponse& response, int status, const std::string& what) {
    EXPECT_EQ(response.status, status) << what << ": " << response.body.substr(0, 400);
  }

  std::string partyJson(const std::string& id, const std::string& role, const std::string& via = "") {
    Poco::JSON::Object body;
    body.set("id", id);
    body.set("role", role);
    body.set("name", "conformance " + id);
    body.set("certificate_fingerprint", hub_->pki().client(id).fingerprint);
    if (!via.empty()) body.set("via", via);
    std::ostringstream text;
    body.stringify(text);
    return text.str();
  }

  static std::string agreementJson(const std::string& id, const std::string& attributes, int requestsPerDay) {
    return R"({"schema":"nser-agreement-v1","id":")" + id +
           R"(","version":1,"programme":"bisp-kafaalat","custodians":["punjab"],)"
           R"("purposes":[{"code":"eligibility","text":"Assess eligibility"}],"attributes":)" +
           attributes + R"(,"legal_basis":"consent","valid_from":1767225600,"valid_until":1798761600,)"
           R"("requests_per_day":)" + std::to_string(requestsPerDay) + R"(,"status":"active"})";
  }

  static std::string signedConsent(const std::string& id, const pki::SigningKey& key) {
    policy::ConsentArtefact c;
    c.id = id;
    c.subject.custodian = "punjab";
    c.subject.reference = "ref-" + id;
    c.programme = "bisp-kafaalat";
    c.purpose = "eligibility";
    c.attributes = {"district"};
    c.start = 1767225600;
    c.expiry = 1798761600;
    c.provenance = {"punjab", 1767225700, "registration-desk"};
    policy::signConsent(c, key);
    return policy::consentToJson(c);
  }

  static std::string statusChange(const std::string& id, policy::ConsentStatus status, std::int64_t at,
                                  const pki::SigningKey& key) {
    policy::ConsentStatusChange change;
    change.consentId = id;
    change.status = status;
    change.at = at;
    policy::signStatusChange(change, key);
    return policy::statusChangeToJson(change);
  }

  std::string searchJson(const std::string& type, const std::string& value, std::vector<std::string> attributes = {}) {
    protocol::SearchEnvelope envelope;
    envelope.senderId = "punjab";
    envelope.receiverId = "test-hub";
    envelope.transactionId = "txn-conformance";
    envelope.schemaId = encoder_.encodingHeader().schemaId;
    envelope.schemaDigest = encoder_.encodingHeader().schemaDigest;
    envelope.keyEpoch = encoder_.encodingHeader().keyEpoch;
    protocol::SearchQuery query;
    query.referenceId = "q-1";
    query.type = type;
    query.value = value;
    if (!attributes.empty()) {
      query.programme = "bisp-kafaalat";
      query.purpose = "eligibility";
      query.attributes = std::move(attributes);
    }
    envelope.queries.push_back(query);
    return protocol::buildSearchRequest(envelope);
  }

  static schemas::OpenApiDocument* document_;
  static HubProcess* hub_;
  std::map<std::string, std::unique_ptr<service::HttpsClient>> clients_;
  std::map<std::string, std::set<int>> exercised_;  // "GET /admin/parties/{id}" -> statuses seen
  nser::testing::TestEncoder encoder_;
};

schemas::OpenApiDocument* HubApiConformance::document_ = nullptr;
HubProcess* HubApiConformance::hub_ = nullptr;

}  // namespace

TEST_F(HubApiConformance, EveryDocumentedOperationAnswersAsDocumented) {
  // --- service routes and the caller checks
  expectStatus(get("stranger", "/health"), 200, "health (unregistered certificate)");
  expectStatus(get("stranger", "/ready"), 200, "ready");
  expectStatus(get("stranger", "/keys"), 403, "an unregistered certificate");  // unknown_party
  expectStatus(get("admin", "/metrics"), 200, "metrics");

  // --- parties
  expectStatus(post("admin", "/admin/parties", partyJson("punjab", "custodian")), 201, "register punjab");
  expectStatus(post("admin", "/admin/parties", partyJson("punjab", "custodian")), 409, "register punjab twice");
  expectStatus(post("admin", "/admin/parties", R"({"id":"x","role":"root"})"), 400, "an unknown role");
  expectStatus(post("admin", "/admin/parties", R"({"id":)"), 400, "malformed JSON");
  expectStatus(post("punjab", "/admin/parties", partyJson("sindh", "custodian")), 403, "a custodian registering");
  expectStatus(post("admin", "/admin/parties", partyJson("sindh", "custodian")), 201, "register sindh");
  expectStatus(post("admin", "/admin/parties", partyJson("auditor", "auditor")), 201, "register the auditor");
  expectStatus(post("admin", "/admin/parties", partyJson("bisp-kafaalat", "programme", "punjab")), 201,
               "register the programme via punjab");
  expectStatus(get("admin", "/admin/parties"), 200, "list parties");
  expectStatus(get("admin", "/admin/parties/punjab"), 200, "show punjab");
  expectStatus(get("admin", "/admin/parties/nobody"), 404, "show an unknown party");
  expectStatus(get("auditor", "/admin/parties"), 403, "an auditor listing parties");
  const std::string spare = hub_->pki().client("stranger").fingerprint;
  expectStatus(post("admin", "/admin/parties/sindh/certificates", R"({"certificate_fingerprint":")" + spare + R"("})"),
               200, "bind a second certificate");
  expectStatus(post("admin", "/admin/parties/nobody/certificates", R"({"certificate_fingerprint":")" + spare + R"("})"), 404,
               "bind to an unknown party");
  expectStatus(post("admin", "/admin/parties/sindh/certificates", R"({"certificate":"x"})"), 400,
               "bind without a fingerprint");
  expectStatus(call("admin", "DELETE", "/admin/parties/sindh/certificates/" + spare), 200, "unbind it");
  const auto unbound = call("admin", "DELETE", "/admin/parties/sindh/certificates/" + spare);
  EXPECT_GE(unbound.status, 400) << "unbinding twice: " << unbound.body;
  expectStatus(post("admin", "/admin/parties/sindh/disable", ""), 200, "disable sindh");
  expectStatus(get("sindh", "/keys"), 403, "a disabled party");  // party_disabled
  expectStatus(post("admin", "/admin/parties/sindh/enable", ""), 200, "enable sindh");
  expectStatus(post("admin", "/admin/parties/nobody/disable", ""), 404, "disable an unknown party");
  expectStatus(get("sindh", "/keys"), 200, "keys");

  // --- ingest
  auto ingest = [&](const std::string& party, const protocol::IngestBatch& batch) {
    return call(party, "POST", "/ingest/batches", std::string(protocol::kIngestBatchContentType),
                protocol::serialiseIngestBatch(batch));
  };
  const auto punjabBatch = encoder_.batch("punjab", 1, "pj-", 0, 6, false);
  expectStatus(ingest("punjab", punjabBatch), 200, "ingest");
  const auto duplicate = ingest("punjab", punjabBatch);
  expectStatus(duplicate, 200, "ingest retried");
  EXPECT_EQ(parse(duplicate.body)->getValue<std::string>("status"), "duplicate");
  expectStatus(ingest("punjab", encoder_.batch("punjab", 5, "pj-", 10, 1, false)), 409, "a sequence gap");
  expectStatus(ingest("sindh", encoder_.batch("punjab", 2, "pj-", 10, 1, false)), 403, "another custodian's batch");
  expectStatus(call("punjab", "POST", "/ingest/batches", std::string(protocol::kIngestBatchContentType), "NSERBAT1junk"),
               400, "a malformed batch");
  expectStatus(ingest("sindh", encoder_.batch("sindh", 1, "sd-", 0, 6, true)), 200, "sindh ingests the same people");
  expectStatus(ingest("admin", encoder_.batch("admin", 1, "ad-", 0, 1, false)), 403, "an admin ingesting");

  // --- status, events, model
  expectStatus(get("auditor", "/admin/status"), 200, "status");
  expectStatus(get("auditor", "/admin/events?after=0&limit=5"), 200, "events");
  expectStatus(get("auditor", "/admin/events?after=x"), 400, "events after a non-number");
  expectStatus(get("auditor", "/admin/model"), 200, "model");
  expectStatus(post("admin", "/admin/model/switch", ""), 409, "switch without a candidate");
  const auto retrained = post("admin", "/admin/model/retrain", "");
  EXPECT_TRUE(retrained.status == 200 || retrained.status == 409) << retrained.body;
  if (retrained.status == 200) expectStatus(post("admin", "/admin/model/switch", ""), 200, "switch to the candidate");
  expectStatus(get("admin", "/admin/entities/export"), 200, "entity export");

  // --- connector profile, keys
  const auto punjabKey = pki::SigningKey::generate();
  Poco::JSON::Object profile;
  profile.set("signing_key", pki::encodePublicKey(punjabKey.publicKey()));
  profile.set("box_key", protocol::BoxKeyPair::generate().publicKeyBase64());
  profile.set("attribute_endpoint", "127.0.0.1:9");  // nothing listens: brokering here never gets that far
  Poco::JSON::Array::Ptr names = new Poco::JSON::Array;
  names->add("district");
  profile.set("attributes", names);
  std::ostringstream profileText;
  profile.stringify(profileText);
  expectStatus(put("punjab", "/parties/self/profile", profileText.str()), 200, "punjab's profile");
  expectStatus(put("sindh", "/parties/self/profile", R"({"attribute_endpoint":"no port"})"), 400, "a bad endpoint");
  expectStatus(put("admin", "/parties/self/profile", "{}"), 403, "an admin profile");
  expectStatus(get("bisp-kafaalat", "/keys"), 200, "keys for a programme");

  // --- search: plain, malformed, brokered outcomes
  const auto plain = post("punjab", "/registry/sync/search",
                          searchJson(std::string(protocol::kQueryEncodedRecord),
                                     protocol::encodeRecordQuery(encoder_.person("q", 2))));
  expectStatus(plain, 200, "a plain search");
  const auto matches =
      parse(plain.body)->getObject("message")->getArray("search_response")->getObject(0)->getObject("data")->getArray(
          "reg_records");
  ASSERT_GE(matches->size(), 1u) << plain.body;
  const std::string entity = matches->getObject(0)->getValue<std::string>("entity_id");
  expectStatus(post("bisp-kafaalat", "/registry/sync/search", R"({"header":{}})"), 400, "a malformed envelope");
  expectStatus(post("punjab", "/registry/sync/search",
                    searchJson(std::string(protocol::kQueryEntityId), entity, {"district"})),
               403, "brokered without an agreement");
  expectStatus(post("punjab", "/registry/sync/search",
                    searchJson(std::string(protocol::kQueryEntityId), "999999999", {"district"})),
               404, "brokered for no entity");
  expectStatus(post("auditor", "/registry/sync/search", R"({})"), 403, "an auditor searching");

  // --- agreements
  expectStatus(post("admin", "/admin/agreements", agreementJson("kafaalat.api", R"(["district"])", 10)), 201,
               "create an agreement");
  expectStatus(post("admin", "/admin/agreements", agreementJson("kafaalat.api", R"(["district"])", 10)), 409,
               "create it again");
  const auto invalid = post("admin", "/admin/agreements", R"({"schema":"nser-agreement-v1","id":"x"})");
  expectStatus(invalid, 400, "an incomplete agreement");
  expectStatus(get("auditor", "/admin/agreements"), 200, "list agreements");
  expectStatus(get("auditor", "/admin/agreements/kafaalat.api"), 200, "show an agreement");
  expectStatus(get("auditor", "/admin/agreements/none"), 404, "show an unknown agreement");
  expectStatus(put("admin", "/admin/agreements/kafaalat.api", agreementJson("kafaalat.api", R"(["district"])", 20)), 200,
               "amend it");
  expectStatus(put("admin", "/admin/agreements/none", agreementJson("none", R"(["district"])", 20)), 404,
               "amend an unknown agreement");
  expectStatus(get("auditor", "/admin/agreements/kafaalat.api/history"), 200, "its history");
  expectStatus(get("auditor", "/admin/agreements/none/history"), 404, "an unknown history");
  expectStatus(post("admin", "/admin/agreements/kafaalat.api/end", ""), 200, "end it");
  // Ending an ended agreement answers it again (idempotent).
  expectStatus(post("admin", "/admin/agreements/kafaalat.api/end", ""), 200, "end it again");
  expectStatus(post("admin", "/admin/agreements/none/end", ""), 404, "end an unknown agreement");
  expectStatus(post("auditor", "/admin/agreements", agreementJson("a.b", R"(["district"])", 1)), 403,
               "an auditor creating an agreement");

  // --- consents
  expectStatus(post("punjab", "/consents", signedConsent("c-api-1", punjabKey)), 201, "register a consent");
  const auto forger = pki::SigningKey::generate();
  expectStatus(post("punjab", "/consents", signedConsent("c-api-2", forger)), 400, "a forged consent");
  expectStatus(post("sindh", "/consents", signedConsent("c-api-3", punjabKey)), 403, "another custodian's consent");
  expectStatus(get("punjab", "/consents/c-api-1"), 200, "read it back");
  expectStatus(get("auditor", "/consents/c-api-1"), 200, "an auditor reads it");
  expectStatus(get("sindh", "/consents/c-api-1"), 404, "another custodian reads it");
  const std::int64_t now = unixNow();
  expectStatus(post("punjab", "/consents/c-api-1/status", statusChange("c-api-1", policy::ConsentStatus::Paused, now, punjabKey)),
               200, "pause it");
  expectStatus(post("punjab", "/consents/c-api-1/status", statusChange("c-api-1", policy::ConsentStatus::Active, now - 10, punjabKey)),
               409, "a stale change");
  expectStatus(post("punjab", "/consents/none/status", statusChange("none", policy::ConsentStatus::Paused, now, punjabKey)),
               404, "an unknown consent");
  auto import = [&](const std::string& body) {
    return call("admin", "POST", "/admin/consents/import", "application/x-ndjson", body);
  };
  expectStatus(import(signedConsent("c-api-4", punjabKey) + "\n"), 200, "import");
  expectStatus(import(signedConsent("c-api-5", punjabKey) + "\n" + signedConsent("c-api-6", forger) + "\n"), 207,
               "import with a rejected line");

  // --- notifications
  expectStatus(get("bisp-kafaalat", "/notifications"), 200, "a programme's notifications");
  expectStatus(get("punjab", "/notifications?party=bisp-kafaalat&after=0&limit=10"), 200, "read for a programme");
  expectStatus(get("sindh", "/notifications?party=bisp-kafaalat"), 403, "read for someone else's programme");
  expectStatus(get("punjab", "/notifications?after=x"), 400, "a bad after");

  // --- audit
  const auto checkpoint = post("auditor", "/audit/checkpoint", "");
  expectStatus(checkpoint, 200, "publish a checkpoint");
  expectStatus(get("auditor", "/audit/checkpoint"), 200, "the latest checkpoint");
  expectStatus(get("auditor", "/audit/key"), 200, "the log key");
  expectStatus(get("auditor", "/audit/entries?start=0&end=3"), 200, "entries");
  expectStatus(get("auditor", "/audit/entries?start=3&end=1"), 400, "a reversed range");
  expectStatus(get("auditor", "/audit/proof/inclusion?index=1"), 200, "an inclusion proof");
  expectStatus(get("auditor", "/audit/proof/inclusion?hash=" + std::string(64, '0')), 404, "an unknown leaf hash");
  expectStatus(get("auditor", "/audit/proof/inclusion?index=x"), 400, "a bad index");
  expectStatus(get("auditor", "/audit/proof/consistency?first=1"), 200, "a consistency proof");
  expectStatus(get("auditor", "/audit/proof/consistency?first=999999"), 400, "a consistency proof past the end");
  expectStatus(get("auditor", "/audit/search?custodian=punjab&limit=5"), 200, "search");
  expectStatus(get("auditor", "/audit/search?limit=x"), 400, "search with a bad limit");
  expectStatus(get("punjab", "/audit/search"), 403, "a custodian searching the log");
  // A witness (the auditor) cosigns the checkpoint it was given.
  const auto note = audit::parseNote(checkpoint.body);
  const std::string body = note.body;
  const auto sizeLine = body.substr(body.find('\n') + 1);
  const std::uint64_t size = std::stoull(sizeLine.substr(0, sizeLine.find('\n')));
  const auto witnessKey = pki::SigningKey::generate();
  auto cosignature = [&](std::uint64_t claimedSize, const std::string& name) {
    Poco::JSON::Object request;
    request.set("verifier_key", audit::formatVerifierKey(audit::makeVerifierKey(name, audit::kCosignatureV1Type,
                                                                                 witnessKey.publicKey())));
    request.set("size", claimedSize);
    request.set("cosignature",
                audit::formatSignatureLine(audit::cosign(body, name, witnessKey, static_cast<std::uint64_t>(unixNow()))));
    std::ostringstream text;
    request.stringify(text);
    return text.str();
  };
  expectStatus(post("auditor", "/audit/cosignatures", cosignature(size, "auditor")), 200, "a cosignature");
  expectStatus(post("auditor", "/audit/cosignatures", cosignature(size + 1000, "auditor")), 409, "a stale size");
  expectStatus(post("auditor", "/audit/cosignatures", cosignature(size, "someone-else")), 403, "another witness's name");
  expectStatus(post("auditor", "/audit/cosignatures", R"({"size":1})"), 400, "an incomplete cosignature");

  // --- backup and linkage-key rotation
  expectStatus(post("admin", "/admin/backup", ""), 201, "a backup");
  expectStatus(get("auditor", "/admin/linkage/epoch"), 200, "rotation status");
  expectStatus(post("admin", "/admin/linkage/epoch/abort", ""), 409, "abort with nothing prepared");
  expectStatus(post("admin", "/admin/linkage/epoch/switch", ""), 409, "switch with nothing prepared");
  expectStatus(post("admin", "/admin/linkage/epoch/prepare", R"({"epoch":"two"})"), 400, "a bad epoch");
  expectStatus(post("admin", "/admin/linkage/epoch/prepare", R"({"epoch":2})"), 200, "prepare epoch 2");
  expectStatus(post("admin", "/admin/linkage/epoch/prepare", R"({"epoch":3})"), 409, "prepare another");
  expectStatus(post("admin", "/admin/linkage/epoch/switch", ""), 409, "switch before re-encoding");
  expectStatus(post("admin", "/admin/linkage/epoch/abort", ""), 200, "abort");
  // Last, as it drops every record not re-encoded: a forced switch.
  expectStatus(post("admin", "/admin/linkage/epoch/prepare", R"({"epoch":2})"), 200, "prepare epoch 2 again");
  expectStatus(post("admin", "/admin/linkage/epoch/switch?force=true", ""), 200, "a forced switch");

  // --- outside the routes: the same error shape
  auto raw = [&](const std::string& method, const std::string& path) {
    auto& client = clients_["admin"];
    return method == "GET" ? client->get(path) : client->request(method, path, "application/json", "{}");
  };
  for (const auto& [response, status] : {std::pair{raw("GET", "/no/such/route"), 404}, std::pair{raw("POST", "/health"), 405}}) {
    EXPECT_EQ(response.status, status) << response.body;
    for (const auto& problem : document_->validateJson("#/components/schemas/Error", response.body)) {
      ADD_FAILURE() << status << ": " << problem;
    }
  }

  // Every documented operation was called, and answered at least one
  // documented success (2xx) here.
  for (const auto& operation : document_->operations()) {
    const std::string key = operation.method + " " + operation.pathTemplate;
    const auto it = exercised_.find(key);
    if (it == exercised_.end()) {
      ADD_FAILURE() << key << " was never exercised";
      continue;
    }
    const bool succeeded = std::any_of(it->second.begin(), it->second.end(), [](int s) { return s >= 200 && s < 300; });
    EXPECT_TRUE(succeeded) << key << " never answered a success";
  }
}
