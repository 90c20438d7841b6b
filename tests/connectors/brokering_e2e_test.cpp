// Consent-scoped sharing end to end, with real processes: a hub, the NSER
// connector (custodian of the socio-economic attributes, serving them from
// its CSV source) and the Punjab connector (through whose gateway the
// programme "punjab-ehsaas" asks), all over mutual TLS on loopback.
//
// Scenarios: a statutory agreement permits; a consent-based agreement denies
// without consent, permits once the registration desk captured consent and
// denies on the very next request after revocation; the daily quota runs
// out; no match is a 404; a custodian refuses forged, tampered, expired and
// replayed fetch orders; and neither the hub's traffic nor its data
// directory ever holds an attribute value.
#include <Poco/JSON/Array.h>
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
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

#include "pki/signing_key.h"
#include "protocol/fetch_order.h"
#include "service/tls_context.h"
#include "tests/support/hub_process.h"
#include "tests/support/recording_tls_proxy.h"

using nser::testing::HubProcess;
using nser::testing::ManagedProcess;
using nser::testing::readFile;
using nser::testing::writeFile;
using Poco::JSON::Object;

namespace {

constexpr int kPeople = 24;
constexpr const char* kProgramme = "punjab-ehsaas";

std::string cnicOf(int n) {
  char cnic[32];
  std::snprintf(cnic, sizeof cnic, "35202-%07d-%d", 5100000 + n * 7919, n % 2 == 0 ? 1 : 2);
  return cnic;
}

const std::vector<std::string> kNames = {"Muhammad Qasim", "Zainab Bibi",   "Ghulam Abbas",  "Ayesha Noor",
                                         "Imran Khan",     "Sadia Parveen", "Tariq Mehmood", "Nasreen Akhtar",
                                         "Bilal Ahmed",    "Rukhsana Kausar", "Asif Iqbal",  "Shazia Batool"};

// The PMT score and household size of person n: values the hub must never see.
std::string pmtOf(int n) { return std::to_string(1731 + n * 97) + ".25"; }
std::string householdOf(int n) { return std::to_string(3 + n % 7); }

std::string sourceCsv(const std::string& prefix) {
  std::string csv =
      "rec_id,cnic,name,relation_type,relation_name,gender,dob,district,tehsil,province,address,phone,pmt_score,"
      "household_size\n";
  for (int n = 0; n < kPeople; ++n) {
    csv += prefix + std::to_string(n) + "," + cnicOf(n) + "," + kNames[static_cast<std::size_t>(n) % kNames.size()] +
           (n >= 12 ? " Khan" : "") + "," + (n % 2 == 0 ? "s/o" : "d/o") + ",Allah Ditta," + (n % 2 == 0 ? "M" : "F") +
           ",1979-0" + std::to_string(1 + n % 9) + "-" + std::to_string(10 + n % 18) +
           ",Lahore,Lahore City,Punjab,House " + std::to_string(n) + ",," + pmtOf(n) + "," + householdOf(n) + "\n";
  }
  return csv;
}

std::int64_t now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

struct HttpAnswer {
  int status = 0;
  std::string body;
  Object::Ptr json() const {
    Poco::JSON::Parser parser;
    return parser.parse(body).extract<Object::Ptr>();
  }
};

HttpAnswer postLoopback(int port, const std::string& path, const std::string& body) {
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
  session.setTimeout(Poco::Timespan(60, 0));
  Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, path, Poco::Net::HTTPMessage::HTTP_1_1);
  request.setContentType("application/json");
  request.setContentLength(static_cast<std::streamsize>(body.size()));
  session.sendRequest(request) << body;
  Poco::Net::HTTPResponse response;
  std::istream& in = session.receiveResponse(response);
  HttpAnswer answer;
  answer.status = static_cast<int>(response.getStatus());
  Poco::StreamCopier::copyToString(in, answer.body);
  return answer;
}

// A connector process with a CSV source, an attribute server and a
// loopback-only gateway.
struct ConnectorProcess {
  ConnectorProcess(const HubProcess& hub, const std::string& custodian, const std::filesystem::path& directory,
                   const std::string& attributesJson, const std::string& hubEndpoint = "")
      : dir(directory), gatewayPort(nser::testing::freeLoopbackPort()) {
    std::filesystem::create_directories(dir);
    const auto& issued = hub.pki().client(custodian);
    writeFile(dir / "secret.key", "brokering e2e test linkage secret 0123456789abcdef");
    ::chmod((dir / "secret.key").c_str(), 0600);
    writeFile(dir / "mapping.json", R"({"format": "nser-connector-mapping", "version": 1, "key_column": "rec_id",
      "attributes": )" + attributesJson + "}");
    writeFile(dir / "source.csv", sourceCsv(custodian + "-"));
    const std::string url = hubEndpoint.empty() ? "https://127.0.0.1:" + std::to_string(hub.port()) : hubEndpoint;
    writeFile(dir / "connector.json", R"({
  "custodian": ")" + custodian + R"(",
  "hub": {"url": ")" + url + R"(",
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
  // The port the attribute server printed.
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

std::string agreement(const std::string& id, const std::string& purpose, const std::string& attribute,
                      const std::string& basis, int perDay = 0) {
  return R"({"schema": "nser-agreement-v1", "id": ")" + id + R"(", "version": 1, "programme": ")" + kProgramme +
         R"(", "custodians": ["nser"], "purposes": [{"code": ")" + purpose + R"(", "text": "test purpose"}],
    "attributes": [")" + attribute + R"("], "legal_basis": ")" + basis + R"(", "valid_from": )" +
         std::to_string(now() - 86400) + R"(, "valid_until": )" + std::to_string(now() + 86400 * 365) +
         R"(, "requests_per_day": )" + std::to_string(perDay) + R"(, "status": "active"})";
}

// A gateway query for person n by CNIC, asking for `attribute` for `purpose`.
std::string query(int n, const std::string& purpose, const std::string& attribute) {
  return R"({"signature": "", "header": {"version": "1.0.0", "message_id": "m-)" + std::to_string(n) +
         R"(", "message_ts": "2026-11-27T00:00:00Z", "action": "search", "sender_id": ")" + kProgramme +
         R"(", "receiver_id": "punjab", "total_count": 1},
    "message": {"transaction_id": "t-1", "search_request": [{"reference_id": "r-1", "timestamp": "2026-11-27T00:00:00Z",
      "search_criteria": {"query_type": "idtype-value", "query": {"type": "CNIC", "value": ")" + cnicOf(n) +
         R"("}, "purpose": ")" + purpose + R"(", "attributes": [")" + attribute + R"("]}}]}})";
}

Object::Ptr firstResponse(const HttpAnswer& answer) {
  return answer.json()->getObject("message")->getArray("search_response")->getObject(0);
}

// The value of `attribute` from custodian "nser" in a gateway answer, or "".
std::string valueOf(const HttpAnswer& answer, const std::string& attribute) {
  const auto response = firstResponse(answer);
  if (!response->has("data")) return "";
  const auto attributes = response->getObject("data")->getObject("attributes");
  if (!attributes || !attributes->has("values")) return "";
  const auto fromNser = attributes->getObject("values")->getObject("nser");
  return fromNser ? fromNser->optValue<std::string>(attribute, "") : "";
}

std::string reasonOf(const HttpAnswer& answer) {
  return firstResponse(answer)->optValue<std::string>("status_reason_code", "");
}

std::uint64_t hubRecords(const HubProcess& hub) {
  Poco::JSON::Parser parser;
  const auto status = hub.client("admin")->get("/admin/status");
  return parser.parse(status.body).extract<Object::Ptr>()->getValue<std::uint64_t>("records");
}

std::string everyFileUnder(const std::filesystem::path& root) {
  std::string all;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (entry.is_regular_file()) all += readFile(entry.path());
  }
  return all;
}

// One deployment shared by the scenarios (starting it is the slow part).
class BrokeringE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    hub_ = new HubProcess({"nser", "punjab", kProgramme});
    hub_->start();
    hub_->registerParty("nser", "custodian");
    hub_->registerParty("punjab", "custodian");
    const auto added = hub_->admin({"admin", "party", "add", kProgramme, "--role", "programme", "--via", "punjab"});
    ASSERT_EQ(added.exitCode, 0) << added.err;

    // The hub reaches NSER's attribute server through a recording proxy, and
    // the Punjab connector reaches the hub through another: together they see
    // every byte the hub sends or receives during brokering.
    work_ = new nser::testing::TempDir("nser-brokering-e2e");
    nser_ = new ConnectorProcess(*hub_, "nser", work_->path() / "nser",
                                 R"([{"name": "pmt_score", "column": "pmt_score", "type": "number", "description": "PMT score", "sensitivity": "high"},
                                     {"name": "household_size", "column": "household_size", "type": "integer", "description": "members", "sensitivity": "medium"}])");
    const auto& pki = hub_->pki();
    const std::string ca = pki.caCertificate.string();
    const auto& nserCert = pki.client("nser");
    const auto& punjabCert = pki.client("punjab");
    nser_->start();
    ASSERT_NE(nser_->attributePort(), 0) << nser_->process->stderrText();
    // Facing the hub as if it were NSER's attribute server; upstream as the hub.
    attributeProxy_ = new nser::testing::RecordingTlsProxy(
        nser::service::makeServerTlsContext({nserCert.certificatePath.string(), nserCert.keyPath.string(), ca, ""}),
        nser::service::makeClientTlsContext(
            {pki.server.certificatePath.string(), pki.server.keyPath.string(), ca, ""}),
        "127.0.0.1", static_cast<std::uint16_t>(nser_->attributePort()));
    attributeProxy_->start();
    // Re-register NSER's profile with the proxy's address: the connector
    // advertises what its configuration says, so restart it with that.
    nser_->process->stop();
    {
      std::string text = readFile(nser_->dir / "connector.json");
      const auto at = text.find(R"("port": 0})");
      text.replace(at, 10, R"("port": )" + std::to_string(nser_->attributePort()) + R"(}, "advertise": "127.0.0.1:)" +
                               std::to_string(attributeProxy_->port()) + R"(")");
      writeFile(nser_->dir / "connector.json", text);
    }
    nser_->start();

    hubProxy_ = new nser::testing::RecordingTlsProxy(
        nser::service::makeServerTlsContext({pki.server.certificatePath.string(), pki.server.keyPath.string(), ca, ""}),
        nser::service::makeClientTlsContext({punjabCert.certificatePath.string(), punjabCert.keyPath.string(), ca, ""}),
        "127.0.0.1", static_cast<std::uint16_t>(hub_->port()));
    hubProxy_->start();
    punjab_ = new ConnectorProcess(*hub_, "punjab", work_->path() / "punjab",
                                   R"([{"name": "district", "column": "district", "type": "string", "description": "district", "sensitivity": "low"}])",
                                   "https://127.0.0.1:" + std::to_string(hubProxy_->port()));
    punjab_->start();
    ASSERT_TRUE(punjab_->process->waitUntil([] { return hubRecords(*hub_) == 2u * kPeople; }, std::chrono::seconds(60)))
        << "the hub holds " << hubRecords(*hub_) << " records";

    for (const auto& [id, purpose, attribute, basis, perDay] :
         std::vector<std::tuple<std::string, std::string, std::string, std::string, int>>{
             {"ehsaas-eligibility", "eligibility", "pmt_score", "statutory", 0},
             {"ehsaas-health", "health-card", "household_size", "consent", 0},
             {"ehsaas-sample", "audit-sample", "pmt_score", "statutory", 2}}) {
      writeFile(work_->path() / (id + ".json"), agreement(id, purpose, attribute, basis, perDay));
      const auto result = hub_->admin({"admin", "agreement", "add", (work_->path() / (id + ".json")).string()});
      ASSERT_EQ(result.exitCode, 0) << result.err;
    }
  }

  static void TearDownTestSuite() {
    if (punjab_ && punjab_->process) punjab_->process->stop();
    if (nser_ && nser_->process) nser_->process->stop();
    if (hubProxy_) hubProxy_->stop();
    if (attributeProxy_) attributeProxy_->stop();
    delete punjab_;
    delete nser_;
    delete hubProxy_;
    delete attributeProxy_;
    if (hub_) hub_->stop();
    delete hub_;
    delete work_;
  }

  static HttpAnswer ask(int person, const std::string& purpose, const std::string& attribute) {
    return postLoopback(punjab_->gatewayPort, "/registry/sync/search", query(person, purpose, attribute));
  }

  static HubProcess* hub_;
  static nser::testing::TempDir* work_;
  static ConnectorProcess* nser_;
  static ConnectorProcess* punjab_;
  static nser::testing::RecordingTlsProxy* attributeProxy_;
  static nser::testing::RecordingTlsProxy* hubProxy_;
};

HubProcess* BrokeringE2E::hub_ = nullptr;
nser::testing::TempDir* BrokeringE2E::work_ = nullptr;
ConnectorProcess* BrokeringE2E::nser_ = nullptr;
ConnectorProcess* BrokeringE2E::punjab_ = nullptr;
nser::testing::RecordingTlsProxy* BrokeringE2E::attributeProxy_ = nullptr;
nser::testing::RecordingTlsProxy* BrokeringE2E::hubProxy_ = nullptr;

}  // namespace

TEST_F(BrokeringE2E, AStatutoryAgreementPermitsAndTheValueComesFromTheCustodian) {
  const auto answer = ask(3, "eligibility", "pmt_score");
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(valueOf(answer, "pmt_score"), pmtOf(3)) << answer.body;
  const auto decisions = firstResponse(answer)->getObject("data")->getObject("attributes")->getArray("decisions");
  ASSERT_EQ(decisions->size(), 1u);
  EXPECT_EQ(decisions->getObject(0)->getValue<std::string>("reason"), "Permit");
  EXPECT_EQ(decisions->getObject(0)->getValue<std::string>("agreement_id"), "ehsaas-eligibility");
}

TEST_F(BrokeringE2E, AnAttributeOutsideTheAgreementOrAnotherPurposeIsDenied) {
  auto answer = ask(4, "eligibility", "household_size");
  EXPECT_EQ(answer.status, 403) << answer.body;
  EXPECT_EQ(reasonOf(answer), "ScopeNotAllowed") << answer.body;
  answer = ask(4, "marketing", "pmt_score");
  EXPECT_EQ(answer.status, 403) << answer.body;
  EXPECT_EQ(reasonOf(answer), "PurposeNotAllowed") << answer.body;
  EXPECT_EQ(valueOf(answer, "pmt_score"), "");
}

TEST_F(BrokeringE2E, ConsentIsNeededThenPermitsThenItsRevocationDeniesTheNextRequest) {
  auto answer = ask(5, "health-card", "household_size");
  EXPECT_EQ(answer.status, 403) << answer.body;
  EXPECT_EQ(reasonOf(answer), "ConsentMissing") << answer.body;

  // The NSER registration desk captures the person's consent.
  const std::string consent = R"({"subject": {"source_key": "nser-5"}, "programme": ")" + std::string(kProgramme) +
                              R"(", "purpose": "health-card", "attributes": ["household_size"], "expiry": )" +
                              std::to_string(now() + 86400 * 30) + "}";
  const auto registered = postLoopback(nser_->gatewayPort, "/consents", consent);
  ASSERT_EQ(registered.status, 201) << registered.body;
  const std::string consentId = registered.json()->getValue<std::string>("id");

  answer = ask(5, "health-card", "household_size");
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(valueOf(answer, "household_size"), householdOf(5));
  // Consent for one person is not consent for another.
  answer = ask(6, "health-card", "household_size");
  EXPECT_EQ(reasonOf(answer), "ConsentMissing") << answer.body;

  const auto revoked = postLoopback(nser_->gatewayPort, "/consents/" + consentId + "/revoke", "");
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  answer = ask(5, "health-card", "household_size");
  EXPECT_EQ(answer.status, 403) << answer.body;
  EXPECT_EQ(reasonOf(answer), "ConsentRevoked") << answer.body;

  // The programme and the custodians holding the person's records are told.
  Poco::JSON::Parser parser;
  const auto notes = hub_->client("punjab")->get(std::string("/notifications?party=") + kProgramme);
  ASSERT_EQ(notes.status, 200) << notes.body;
  EXPECT_NE(notes.body.find(consentId), std::string::npos) << notes.body;
  EXPECT_NE(notes.body.find("REVOKED"), std::string::npos) << notes.body;
  const auto custodianNotes = hub_->client("nser")->get("/notifications");
  EXPECT_NE(custodianNotes.body.find(consentId), std::string::npos) << custodianNotes.body;
}

TEST_F(BrokeringE2E, TheDailyQuotaRunsOut) {
  EXPECT_EQ(ask(7, "audit-sample", "pmt_score").status, 200);
  EXPECT_EQ(ask(8, "audit-sample", "pmt_score").status, 200);
  const auto answer = ask(9, "audit-sample", "pmt_score");
  EXPECT_EQ(answer.status, 403) << answer.body;
  EXPECT_EQ(reasonOf(answer), "QuotaExceeded") << answer.body;
}

TEST_F(BrokeringE2E, NoMatchIsA404) {
  std::string body = query(0, "eligibility", "pmt_score");
  body.replace(body.find(cnicOf(0)), cnicOf(0).size(), "61101-9999999-1");
  const auto answer = postLoopback(punjab_->gatewayPort, "/registry/sync/search", body);
  EXPECT_EQ(answer.status, 404) << answer.body;
  EXPECT_EQ(reasonOf(answer), "NoMatch");
}

TEST_F(BrokeringE2E, TheCustodianRefusesForgedTamperedExpiredAndReplayedOrders) {
  const auto hubKey = nser::pki::SigningKey::load(hub_->dir().path() / "data" / "keys" / "fetch-order.key");
  const auto forger = nser::pki::SigningKey::generate();
  const auto& pki = hub_->pki();
  nser::service::HttpsClient custodian(
      "127.0.0.1", static_cast<std::uint16_t>(nser_->attributePort()),
      nser::service::TlsFiles{pki.server.certificatePath.string(), pki.server.keyPath.string(),
                              pki.caCertificate.string(), ""});
  // A real reference of NSER's: the connector's state is keyed by source key,
  // so take one from a permitted brokering's audit trail instead: ask the hub.
  nser::protocol::FetchOrder order;
  order.orderId = "order-forgery-test";
  order.requester = kProgramme;
  order.requesterKey = nser::pki::encodePublicKey(forger.publicKey());
  order.custodian = "nser";
  order.reference = "no-such-reference";
  order.entityId = "1";
  order.purpose = "eligibility";
  order.attributes = {"pmt_score"};
  order.agreementId = "ehsaas-eligibility";
  order.issuedAt = now();
  order.expiresAt = now() + 60;

  auto send = [&](const nser::protocol::FetchOrder& o) {
    return custodian.postJson("/attributes/fetch", nser::protocol::fetchOrderToJson(o));
  };
  auto code = [](const nser::service::HttpsResponse& r) {
    Poco::JSON::Parser parser;
    return parser.parse(r.body).extract<Object::Ptr>()->getObject("error")->getValue<std::string>("code");
  };

  nser::protocol::FetchOrder forged = order;
  nser::protocol::signFetchOrder(forged, forger);
  auto response = send(forged);
  EXPECT_EQ(response.status, 403) << response.body;
  EXPECT_EQ(code(response), "BadSignature");

  nser::protocol::FetchOrder tampered = order;
  nser::protocol::signFetchOrder(tampered, hubKey);
  tampered.attributes = {"pmt_score", "household_size"};
  response = send(tampered);
  EXPECT_EQ(response.status, 403) << response.body;
  EXPECT_EQ(code(response), "BadSignature");

  nser::protocol::FetchOrder expired = order;
  expired.issuedAt = now() - 600;
  expired.expiresAt = now() - 300;
  nser::protocol::signFetchOrder(expired, hubKey);
  response = send(expired);
  EXPECT_EQ(response.status, 403) << response.body;
  EXPECT_EQ(code(response), "Expired");

  nser::protocol::FetchOrder elsewhere = order;
  elsewhere.custodian = "punjab";
  nser::protocol::signFetchOrder(elsewhere, hubKey);
  response = send(elsewhere);
  EXPECT_EQ(response.status, 403) << response.body;
  EXPECT_EQ(code(response), "WrongCustodian");

  // A genuine order is served once; its replay is refused.
  nser::protocol::FetchOrder genuine = order;
  nser::protocol::signFetchOrder(genuine, hubKey);
  response = send(genuine);
  EXPECT_EQ(response.status, 404) << response.body;  // valid, but no record has that reference
  response = send(genuine);
  EXPECT_EQ(response.status, 409) << response.body;
  EXPECT_EQ(code(response), "OrderReplayed");
}

// Runs last (alphabetically after the others in this suite's file order).
TEST_F(BrokeringE2E, TheHubNeverSeesAnAttributeValue) {
  // Make sure something was brokered through both proxies.
  const auto answer = ask(11, "eligibility", "pmt_score");
  ASSERT_EQ(answer.status, 200) << answer.body;
  ASSERT_EQ(valueOf(answer, "pmt_score"), pmtOf(11));
  const std::string traffic = attributeProxy_->captured() + hubProxy_->captured();
  ASSERT_NE(attributeProxy_->captured().find("/attributes/fetch"), std::string::npos) << "the capture is empty";
  ASSERT_NE(hubProxy_->captured().find("/registry/sync/search"), std::string::npos);
  const std::string stored = everyFileUnder(hub_->dir().path() / "data");
  const std::string logs = hub_->process().stdoutText() + hub_->process().stderrText();
  for (int n = 0; n < kPeople; ++n) {
    EXPECT_EQ(traffic.find(pmtOf(n)), std::string::npos) << "PMT score of person " << n << " crossed the hub";
    EXPECT_EQ(stored.find(pmtOf(n)), std::string::npos) << "PMT score of person " << n << " stored at the hub";
    EXPECT_EQ(logs.find(pmtOf(n)), std::string::npos) << "PMT score of person " << n << " in the hub's log";
  }
}
