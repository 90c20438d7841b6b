// A connector's programme gateway and attribute server against their
// OpenAPI documents (schemas/openapi/gateway.openapi.json,
// attribute-server.openapi.json): a hub and two connectors run as processes
// (NSER serving attributes from CSV, Punjab's loopback gateway used by the
// programme "punjab-ehsaas"); every documented operation is called for its
// success and its usual refusals, and every answer - status, content type,
// JSON body - is validated against the document.
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "pki/signing_key.h"
#include "protocol/fetch_order.h"
#include "schemas/openapi_document.h"
#include "tests/support/hub_process.h"

using nser::testing::HubProcess;
using nser::testing::ManagedProcess;
using nser::testing::writeFile;

namespace {

constexpr const char* kProgramme = "punjab-ehsaas";
constexpr int kPeople = 6;

std::string cnicOf(int n) {
  char cnic[32];
  std::snprintf(cnic, sizeof cnic, "35202-%07d-%d", 6100000 + n * 7919, n % 2 == 0 ? 1 : 2);
  return cnic;
}

std::string sourceCsv(const std::string& prefix) {
  static const std::vector<std::string> kNames = {"Muhammad Qasim", "Zainab Bibi",   "Ghulam Abbas",
                                                  "Ayesha Noor",    "Imran Khan",    "Sadia Parveen"};
  std::string csv =
      "rec_id,cnic,name,relation_type,relation_name,gender,dob,district,tehsil,province,address,phone,pmt_score\n";
  for (int n = 0; n < kPeople; ++n) {
    csv += prefix + std::to_string(n) + "," + cnicOf(n) + "," + kNames[static_cast<std::size_t>(n)] + "," +
           (n % 2 == 0 ? "s/o" : "d/o") + ",Allah Ditta," + (n % 2 == 0 ? "M" : "F") + ",1979-0" +
           std::to_string(1 + n) + "-1" + std::to_string(n) + ",Lahore,Lahore City,Punjab,House " + std::to_string(n) +
           ",," + std::to_string(1500 + n) + ".5\n";
  }
  return csv;
}

std::int64_t now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

struct Answer {
  int status = 0;
  std::string contentType;
  std::string body;
};

Answer loopback(int port, const std::string& method, const std::string& path, const std::string& body = "") {
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
  session.setTimeout(Poco::Timespan(60, 0));
  Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  if (method != "GET") {
    request.setContentType("application/json");
    request.setContentLength(static_cast<std::streamsize>(body.size()));
  }
  session.sendRequest(request) << body;
  Poco::Net::HTTPResponse response;
  std::istream& in = session.receiveResponse(response);
  Answer answer;
  answer.status = static_cast<int>(response.getStatus());
  answer.contentType = response.getContentType();
  Poco::StreamCopier::copyToString(in, answer.body);
  return answer;
}

Poco::JSON::Object::Ptr parse(const std::string& json) {
  Poco::JSON::Parser parser;
  return parser.parse(json).extract<Poco::JSON::Object::Ptr>();
}

// A connector process: CSV source, attribute server, loopback-only gateway.
struct Connector {
  Connector(const HubProcess& hub, const std::string& custodian, const std::filesystem::path& directory,
            const std::string& attributesJson)
      : dir(directory), gatewayPort(nser::testing::freeLoopbackPort()) {
    std::filesystem::create_directories(dir);
    const auto& issued = hub.pki().client(custodian);
    writeFile(dir / "secret.key", "gateway conformance linkage secret 0123456789abcdef");
    ::chmod((dir / "secret.key").c_str(), 0600);
    writeFile(dir / "mapping.json", R"({"format": "nser-connector-mapping", "version": 1, "key_column": "rec_id",
      "attributes": )" + attributesJson + "}");
    writeFile(dir / "source.csv", sourceCsv(custodian + "-"));
    writeFile(dir / "connector.json", R"({
  "custodian": ")" + custodian + R"(",
  "hub": {"url": "https://127.0.0.1:)" + std::to_string(hub.port()) + R"(",
          "tls": {"certificate": ")" + issued.certificatePath.string() + R"(", "private_key": ")" +
                                      issued.keyPath.string() + R"(", "ca_certificate": ")" +
                                      hub.pki().caCertificate.string() + R"("}},
  "linkage": {"schema": ")" + std::string(NSER_SOURCE_DIR) + R"(/schemas/linkage/nser-person-v1.json",
              "secret_file": "secret.key", "key_epoch": 1},
  "source": {"type": "csv", "path": "source.csv"},
  "mapping": "mapping.json",
  "data_directory": "state",
  "sync": {"batch_size": 100, "interval_seconds": 3600},
  "gateway": {"listen": {"address": "127.0.0.1", "port": )" + std::to_string(gatewayPort) +
                                   R"(}, "loopback_only": true},
  "attribute_server": {"listen": {"address": "127.0.0.1", "port": 0}},
  "log": {"format": "json", "level": "information"}
})");
  }
  void start() {
    process = std::make_unique<ManagedProcess>(
        "connector", NSER_BINARY,
        std::vector<std::string>{"connector", "--config", (dir / "connector.json").string(), "run"}, dir);
    ASSERT_TRUE(process->waitForOutput("gateway listening", std::chrono::seconds(60))) << process->lastError();
  }
  int attributePort() const {
    const std::string err = process->stderrText();
    const std::string marker = "attribute server listening on 127.0.0.1:";
    const auto at = err.find(marker);
    return at == std::string::npos ? 0 : std::stoi(err.substr(at + marker.size()));
  }

  std::filesystem::path dir;
  int gatewayPort;
  std::unique_ptr<ManagedProcess> process;
};

std::uint64_t hubRecords(const HubProcess& hub) {
  const auto status = hub.client("admin")->get("/admin/status");
  return status.status == 200 ? parse(status.body)->getValue<std::uint64_t>("records") : 0;
}

std::string searchJson(int n, const std::string& purpose, const std::string& attribute, const std::string& cnic = "") {
  const std::string brokered = attribute.empty()
                                   ? std::string()
                                   : R"(, "purpose": ")" + purpose + R"(", "attributes": [")" + attribute + R"("])";
  return R"({"signature": "", "header": {"version": "1.0.0", "message_id": "m-)" + std::to_string(n) +
         R"(", "message_ts": "2026-11-27T00:00:00Z", "action": "search", "sender_id": ")" + kProgramme +
         R"(", "receiver_id": "punjab", "total_count": 1},
    "message": {"transaction_id": "t-1", "search_request": [{"reference_id": "r-1", "timestamp": "2026-11-27T00:00:00Z",
      "search_criteria": {"query_type": "idtype-value", "query": {"type": "CNIC", "value": ")" +
         (cnic.empty() ? cnicOf(n) : cnic) + R"("})" + brokered + "}}]}}";
}

class ConnectorApiConformance : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string openapi = std::string(NSER_SOURCE_DIR) + "/schemas/openapi/";
    gatewayApi_ = new nser::schemas::OpenApiDocument(nser::schemas::OpenApiDocument::loadFile(openapi + "gateway.openapi.json"));
    attributeApi_ = new nser::schemas::OpenApiDocument(
        nser::schemas::OpenApiDocument::loadFile(openapi + "attribute-server.openapi.json"));
    hub_ = new HubProcess({"nser", "punjab", kProgramme});
    hub_->start();
    hub_->registerParty("nser", "custodian");
    hub_->registerParty("punjab", "custodian");
    const auto added = hub_->admin({"admin", "party", "add", kProgramme, "--role", "programme", "--via", "punjab"});
    ASSERT_EQ(added.exitCode, 0) << added.err;
    work_ = new nser::testing::TempDir("nser-gateway-conformance");
    nser_ = new Connector(*hub_, "nser", work_->path() / "nser",
                          R"([{"name": "pmt_score", "column": "pmt_score", "type": "number", "description": "PMT score", "sensitivity": "high"}])");
    punjab_ = new Connector(*hub_, "punjab", work_->path() / "punjab",
                            R"([{"name": "district", "column": "district", "type": "string", "description": "district", "sensitivity": "low"}])");
    nser_->start();
    punjab_->start();
    ASSERT_TRUE(punjab_->process->waitUntil([] { return hubRecords(*hub_) == 2u * kPeople; }, std::chrono::seconds(60)))
        << "the hub holds " << hubRecords(*hub_) << " records";
    const auto file = work_->path() / "agreement.json";
    writeFile(file, R"({"schema": "nser-agreement-v1", "id": "ehsaas-eligibility", "version": 1, "programme": ")" +
                        std::string(kProgramme) +
                        R"(", "custodians": ["nser"], "purposes": [{"code": "eligibility", "text": "test"}],
      "attributes": ["pmt_score"], "legal_basis": "statutory", "valid_from": )" + std::to_string(now() - 86400) +
                        R"(, "valid_until": )" + std::to_string(now() + 86400 * 365) +
                        R"(, "requests_per_day": 0, "status": "active"})");
    const auto result = hub_->admin({"admin", "agreement", "add", file.string()});
    ASSERT_EQ(result.exitCode, 0) << result.err;
  }
  static void TearDownTestSuite() {
    if (punjab_ && punjab_->process) punjab_->process->stop();
    if (nser_ && nser_->process) nser_->process->stop();
    delete punjab_;
    delete nser_;
    if (hub_) hub_->stop();
    delete hub_;
    delete work_;
    delete gatewayApi_;
    delete attributeApi_;
  }

  // One gateway exchange, validated against gateway.openapi.json.
  Answer gateway(const Connector& connector, const std::string& method, const std::string& path,
                 const std::string& body = "") {
    const auto answer = loopback(connector.gatewayPort, method, path, body);
    for (const auto& problem : gatewayApi_->validateResponse(method, path, answer.status, answer.contentType, answer.body)) {
      ADD_FAILURE() << problem << "\n  body: " << answer.body.substr(0, 600);
    }
    if (const auto* operation = gatewayApi_->findOperation(method, path)) {
      exercised_[operation->method + " " + operation->pathTemplate].insert(answer.status);
    }
    return answer;
  }

  static nser::schemas::OpenApiDocument* gatewayApi_;
  static nser::schemas::OpenApiDocument* attributeApi_;
  static HubProcess* hub_;
  static nser::testing::TempDir* work_;
  static Connector* nser_;
  static Connector* punjab_;
  std::map<std::string, std::set<int>> exercised_;
};

nser::schemas::OpenApiDocument* ConnectorApiConformance::gatewayApi_ = nullptr;
nser::schemas::OpenApiDocument* ConnectorApiConformance::attributeApi_ = nullptr;
HubProcess* ConnectorApiConformance::hub_ = nullptr;
nser::testing::TempDir* ConnectorApiConformance::work_ = nullptr;
Connector* ConnectorApiConformance::nser_ = nullptr;
Connector* ConnectorApiConformance::punjab_ = nullptr;

}  // namespace

TEST_F(ConnectorApiConformance, TheGatewayAnswersAsDocumented) {
  EXPECT_EQ(gateway(*punjab_, "GET", "/health").status, 200);
  EXPECT_EQ(gateway(*punjab_, "GET", "/metrics").status, 200);

  // Searches: plain, brokered and permitted, denied, no match, rejected locally, malformed.
  auto answer = gateway(*punjab_, "POST", "/registry/sync/search", searchJson(1, "", ""));
  EXPECT_EQ(answer.status, 200) << answer.body;
  answer = gateway(*punjab_, "POST", "/registry/sync/search", searchJson(1, "eligibility", "pmt_score"));
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_NE(answer.body.find("\"values\""), std::string::npos) << answer.body;
  answer = gateway(*punjab_, "POST", "/registry/sync/search", searchJson(2, "marketing", "pmt_score"));
  EXPECT_EQ(answer.status, 403) << answer.body;
  answer = gateway(*punjab_, "POST", "/registry/sync/search", searchJson(2, "eligibility", "pmt_score", "61101-9999999-1"));
  EXPECT_EQ(answer.status, 404) << answer.body;
  answer = gateway(*punjab_, "POST", "/registry/sync/search", searchJson(2, "eligibility", "pmt_score", "not a cnic"));
  EXPECT_EQ(answer.status, 200) << answer.body;  // rejected in the envelope
  EXPECT_NE(answer.body.find("rjct.query.invalid"), std::string::npos) << answer.body;
  answer = gateway(*punjab_, "POST", "/registry/sync/search", R"({"header": {"action": "search"}, "message": {}})");
  EXPECT_EQ(answer.status, 400) << answer.body;
  answer = gateway(*punjab_, "POST", "/registry/sync/search", "{not json");
  EXPECT_EQ(answer.status, 400) << answer.body;

  // Consent capture at NSER's desk and its status changes.
  const std::string consent = R"({"subject": {"source_key": "nser-3"}, "programme": ")" + std::string(kProgramme) +
                              R"(", "purpose": "eligibility", "attributes": ["pmt_score"], "expiry": )" +
                              std::to_string(now() + 86400 * 30) + "}";
  answer = gateway(*nser_, "POST", "/consents", consent);
  ASSERT_EQ(answer.status, 201) << answer.body;
  const std::string id = parse(answer.body)->getValue<std::string>("id");
  answer = gateway(*nser_, "POST", "/consents", R"({"subject": {"source_key": "nser-999"}, "programme": "p",
    "purpose": "eligibility", "attributes": ["pmt_score"], "expiry": 4000000000})");
  EXPECT_EQ(answer.status, 404) << answer.body;
  answer = gateway(*nser_, "POST", "/consents", R"({"subject": {}, "programme": "p"})");
  EXPECT_EQ(answer.status, 400) << answer.body;
  // Status changes carry unix seconds and the hub refuses one not later than
  // the last as stale (409): a desk's changes are at least a second apart.
  const auto nextSecond = [] { std::this_thread::sleep_for(std::chrono::milliseconds(1100)); };
  EXPECT_EQ(gateway(*nser_, "POST", "/consents/" + id + "/pause").status, 200);
  nextSecond();
  EXPECT_EQ(gateway(*nser_, "POST", "/consents/" + id + "/resume").status, 200);
  nextSecond();
  EXPECT_EQ(gateway(*nser_, "POST", "/consents/" + id + "/revoke").status, 200);
  nextSecond();
  answer = gateway(*nser_, "POST", "/consents/" + id + "/resume");
  EXPECT_EQ(answer.status, 409) << "a revoked consent is final: " << answer.body;
  answer = gateway(*nser_, "POST", "/consents/no-such-consent/pause");
  EXPECT_EQ(answer.status, 404) << answer.body;
  answer = gateway(*punjab_, "POST", "/consents/" + id + "/pause");
  EXPECT_GE(answer.status, 400) << "another custodian's consent: " << answer.body;

  // The hub refuses the connector itself (its party disabled): the gateway
  // says so as a bad gateway naming the hub's reason, not an internal error.
  ASSERT_EQ(hub_->admin({"admin", "party", "disable", "punjab"}).exitCode, 0);
  answer = gateway(*punjab_, "POST", "/registry/sync/search", searchJson(1, "", ""));
  EXPECT_EQ(answer.status, 502) << answer.body;
  EXPECT_NE(answer.body.find("hub_refused"), std::string::npos) << answer.body;
  EXPECT_NE(answer.body.find("HTTP 403"), std::string::npos) << answer.body;
  ASSERT_EQ(hub_->admin({"admin", "party", "enable", "punjab"}).exitCode, 0);
  EXPECT_EQ(gateway(*punjab_, "POST", "/registry/sync/search", searchJson(1, "", "")).status, 200);

  // Outside the documented operations: the Error shape.
  for (const auto& [method, path, status] :
       std::vector<std::tuple<std::string, std::string, int>>{{"GET", "/nothing", 404}, {"GET", "/consents", 405}}) {
    const auto raw = loopback(punjab_->gatewayPort, method, path);
    EXPECT_EQ(raw.status, status) << path << ": " << raw.body;
    for (const auto& problem : gatewayApi_->validateJson("#/components/schemas/Error", raw.body)) {
      ADD_FAILURE() << path << ": " << problem;
    }
  }

  for (const auto& operation : gatewayApi_->operations()) {
    const std::string key = operation.method + " " + operation.pathTemplate;
    const auto it = exercised_.find(key);
    ASSERT_NE(it, exercised_.end()) << key << " was never exercised";
    EXPECT_TRUE(std::any_of(it->second.begin(), it->second.end(), [](int s) { return s >= 200 && s < 300; }))
        << key << " never answered a success";
  }
}

TEST_F(ConnectorApiConformance, TheAttributeServerAnswersAsDocumented) {
  const auto hubKey = nser::pki::SigningKey::load(hub_->dir().path() / "data" / "keys" / "fetch-order.key");
  const auto& pki = hub_->pki();
  nser::service::HttpsClient client("127.0.0.1", static_cast<std::uint16_t>(nser_->attributePort()),
                                    nser::service::TlsFiles{pki.server.certificatePath.string(),
                                                            pki.server.keyPath.string(), pki.caCertificate.string(), ""});
  std::set<int> statuses;
  auto send = [&](const std::string& body) {
    const auto response = client.postJson("/attributes/fetch", body);
    // An order the server served must be one the document describes.
    if (response.status == 200) {
      for (const auto& problem : attributeApi_->validateRequest("POST", "/attributes/fetch", "application/json", body)) {
        ADD_FAILURE() << "request " << problem;
      }
    }
    for (const auto& problem : attributeApi_->validateResponse("POST", "/attributes/fetch", response.status,
                                                               response.header("content-type"), response.body)) {
      ADD_FAILURE() << problem << "\n  body: " << response.body.substr(0, 600);
    }
    statuses.insert(response.status);
    return response;
  };
  auto orderJson = [&](const std::string& orderId, const std::string& reference, const nser::pki::SigningKey& key) {
    nser::protocol::FetchOrder order;
    order.orderId = orderId;
    order.requester = kProgramme;
    order.requesterKey = nser::pki::encodePublicKey(nser::pki::SigningKey::generate().publicKey());
    order.custodian = "nser";
    order.reference = reference;
    order.entityId = "1";
    order.purpose = "eligibility";
    order.attributes = {"pmt_score"};
    order.agreementId = "ehsaas-eligibility";
    order.issuedAt = now();
    order.expiresAt = now() + 60;
    nser::protocol::signFetchOrder(order, key);
    return nser::protocol::fetchOrderToJson(order);
  };
  // A real reference of NSER's, from the hub's entity export.
  const auto exported = hub_->client("admin")->get("/admin/entities/export");
  ASSERT_EQ(exported.status, 200) << exported.body;
  std::string reference;
  std::istringstream lines(exported.body);
  for (std::string line; std::getline(lines, line);) {
    const auto first = line.find(',');
    const auto second = line.find(',', first + 1);
    if (first != std::string::npos && second != std::string::npos && line.substr(first + 1, second - first - 1) == "nser") {
      reference = line.substr(second + 1);
      break;
    }
  }
  ASSERT_FALSE(reference.empty()) << exported.body.substr(0, 400);

  EXPECT_EQ(send(orderJson("order-ok", reference, hubKey)).status, 200);
  EXPECT_EQ(send(orderJson("order-ok", reference, hubKey)).status, 409);  // replayed
  EXPECT_EQ(send(orderJson("order-forged", reference, nser::pki::SigningKey::generate())).status, 403);
  EXPECT_EQ(send(orderJson("order-unknown", "no-such-reference", hubKey)).status, 404);
  EXPECT_EQ(send(R"({"schema": "nser-fetch-order-v1"})").status, 400);
  EXPECT_EQ(statuses, (std::set<int>{200, 400, 403, 404, 409}));
  const auto other = client.get("/elsewhere");
  EXPECT_EQ(other.status, 404);
  EXPECT_TRUE(attributeApi_->validateJson("#/components/schemas/Error", other.body).empty()) << other.body;
}
