// A connector syncing a CSV source to a real hub over mutual TLS: local
// encoding, change detection, tombstones, quarantine, resume after the hub
// was unreachable, and no plaintext identifier reaching the hub.
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include "tests/support/hub_process.h"
#include "tests/support/postgres_server.h"

using nser::testing::HubProcess;
using nser::testing::readFile;
using nser::testing::runProcess;
using nser::testing::writeFile;

namespace {

const char* kHeader = "rec_id,cnic,name,relation_type,relation_name,gender,dob,district,tehsil,province,address,phone\n";
const std::vector<std::string> kNames = {"Muhammad Qasim", "Zainab Bibi",   "Ghulam Abbas", "Ayesha Noor",
                                         "Imran Khan",     "Sadia Parveen", "Tariq Mehmood", "Nasreen Akhtar"};

std::string cnicOf(int n) {
  char cnic[32];
  std::snprintf(cnic, sizeof cnic, "35202-%07d-%d", 4000000 + n * 7919, n % 2 == 0 ? 1 : 2);
  return cnic;
}

std::string row(int n, const std::string& name) {
  return "p" + std::to_string(n) + "," + cnicOf(n) + "," + name + "," + (n % 2 == 0 ? "s/o" : "d/o") +
         ",Allah Ditta," + (n % 2 == 0 ? "M" : "F") + ",1985-03-" + std::to_string(10 + n % 18) +
         ",Lahore,Lahore City,Punjab,House " + std::to_string(n) + ",\n";
}

// The header and rows 0 .. count - 1 under their usual names.
std::string sourceCsv(int count) {
  std::string csv = kHeader;
  for (int n = 0; n < count; ++n) csv += row(n, kNames[static_cast<std::size_t>(n) % kNames.size()]);
  return csv;
}

// A hub with the custodian party "punjab" registered.
void startWithPunjab(HubProcess& hub) {
  hub.start();
  hub.registerParty("punjab", "custodian");
}

int64_t field(const std::string& text, const std::string& key) {
  const auto at = text.find(key + "=");
  if (at == std::string::npos) return -1;
  return std::stoll(text.substr(at + key.size() + 1));
}

std::uint64_t hubRecords(const HubProcess& hub) {
  Poco::JSON::Parser parser;
  const auto status = hub.client("admin")->get("/admin/status");
  return parser.parse(status.body).extract<Poco::JSON::Object::Ptr>()->getValue<std::uint64_t>("records");
}

struct Connector {
  Connector(const HubProcess& hub, const std::filesystem::path& directory) : dir(directory) {
    const auto& issued = hub.pki().client("punjab");
    writeFile(dir / "secret.key", "connector integration test linkage secret 0123456789");
    ::chmod((dir / "secret.key").c_str(), 0600);
    writeFile(dir / "mapping.json", R"({"format": "nser-connector-mapping", "version": 1, "key_column": "rec_id",
      "attributes": [{"name": "district", "type": "string", "description": "district of residence", "sensitivity": "low"}]})");
    writeFile(dir / "connector.json", R"({
  "custodian": "punjab",
  "hub": {"url": "https://127.0.0.1:)" + std::to_string(hub.port()) + R"(",
          "tls": {"certificate": ")" + issued.certificatePath.string() + R"(", "private_key": ")" +
                                      issued.keyPath.string() + R"(", "ca_certificate": ")" +
                                      hub.pki().caCertificate.string() + R"("}},
  "linkage": {"schema": ")" + std::string(NSER_SOURCE_DIR) + R"(/schemas/linkage/nser-person-v1.json",
              "secret_file": "secret.key", "key_epoch": 1},
  "source": {"type": "csv", "path": "source.csv"},
  "mapping": "mapping.json",
  "data_directory": "state",
  "sync": {"batch_size": 16, "max_attempts": 2, "initial_backoff_ms": 20},
  "log": {"format": "json", "level": "warning"}
})");
  }
  // Adds a loopback-only programme gateway on `port` to the configuration.
  void enableGateway(int port) const {
    std::string text = readFile(dir / "connector.json");
    text.insert(text.rfind('}'), R"(, "gateway": {"listen": {"address": "127.0.0.1", "port": )" + std::to_string(port) +
                                     R"(}, "loopback_only": true})");
    writeFile(dir / "connector.json", text);
  }
  nser::testing::ProcessResult run(const std::string& action = "sync") const {
    return runProcess(NSER_BINARY, {"connector", "--config", (dir / "connector.json").string(), action});
  }
  std::filesystem::path dir;
};

}  // namespace

TEST(ConnectorIntegration, SyncsChangesTombstonesAndQuarantineToTheHub) {
  HubProcess hub({"punjab"});
  startWithPunjab(hub);
  nser::testing::TempDir work("nser-connector-test");
  Connector connector(hub, work.path());

  std::string csv = sourceCsv(40);
  csv += row(40, "");                                // no name: cannot be encoded
  csv += row(3, "Ayesha Noor");                      // duplicate key p3
  csv += "p99,\"unterminated,quote,x\n";             // malformed CSV
  writeFile(work / "source.csv", csv);

  auto result = connector.run();
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_EQ(field(result.out, "rows"), 43) << result.out;
  EXPECT_EQ(field(result.out, "upserts"), 40);
  EXPECT_EQ(field(result.out, "quarantined"), 3);
  EXPECT_EQ(field(result.out, "batches"), 3);  // 16 + 16 + 8
  EXPECT_EQ(hubRecords(hub), 40u);

  result = connector.run();  // nothing changed
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_EQ(field(result.out, "upserts"), 0);
  EXPECT_EQ(field(result.out, "unchanged"), 40);
  EXPECT_EQ(field(result.out, "batches"), 0);

  // One row changes, one disappears, the unencodable row is fixed.
  csv = kHeader;
  for (int n = 0; n < 40; ++n) {
    if (n == 7) continue;
    csv += row(n, n == 5 ? "Saadia Perveen" : kNames[static_cast<std::size_t>(n) % kNames.size()]);
  }
  csv += row(40, "Rashid Minhas");
  csv += row(3, "Ayesha Noor");
  writeFile(work / "source.csv", csv);
  result = connector.run();
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_EQ(field(result.out, "upserts"), 2) << result.out;
  EXPECT_EQ(field(result.out, "deletions"), 1);
  EXPECT_EQ(field(result.out, "released"), 1);
  EXPECT_EQ(field(result.out, "quarantined"), 1);  // the duplicate key remains
  EXPECT_EQ(hubRecords(hub), 40u);

  const auto status = connector.run("status");
  EXPECT_NE(status.out.find("records pushed:    40"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("quarantined rows:  1"), std::string::npos) << status.out;
  const auto quarantine = connector.run("quarantine");
  EXPECT_NE(quarantine.out.find("duplicate key"), std::string::npos) << quarantine.out;

  // Nothing the hub stored or logged carries a CNIC or a name of the source.
  hub.stop();
  for (const auto& entry : std::filesystem::recursive_directory_iterator(hub.dir().path())) {
    if (!entry.is_regular_file() || entry.path().string().find("/pki/") != std::string::npos) continue;
    const std::string bytes = readFile(entry.path());
    EXPECT_EQ(bytes.find(cnicOf(1)), std::string::npos) << entry.path();
    EXPECT_EQ(bytes.find(cnicOf(1).substr(0, 5) + cnicOf(1).substr(6, 7)), std::string::npos) << entry.path();
    EXPECT_EQ(bytes.find("Tariq Mehmood"), std::string::npos) << entry.path();
    EXPECT_EQ(bytes.find("\"p12\""), std::string::npos) << entry.path();
  }
}

TEST(ConnectorIntegration, ResumesAPendingBatchAfterTheHubWasUnreachable) {
  HubProcess hub({"punjab"});
  startWithPunjab(hub);
  nser::testing::TempDir work("nser-connector-test");
  Connector connector(hub, work.path());
  std::string csv = sourceCsv(20);
  writeFile(work / "source.csv", csv);

  hub.stop();
  auto result = connector.run();
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_NE(result.err.find("stays pending"), std::string::npos) << result.err;
  EXPECT_NE(connector.run("status").out.find("pending batch:     1"), std::string::npos);

  hub.start();
  result = connector.run();
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_EQ(field(result.out, "resumed_batches"), 1) << result.out;
  EXPECT_EQ(field(result.out, "upserts"), 4);  // 16 went in the resumed batch
  EXPECT_EQ(hubRecords(hub), 20u);
  EXPECT_NE(connector.run("status").out.find("pending batch:     none"), std::string::npos);
}

namespace {

std::pair<int, std::string> postPlain(int port, const std::string& body) {
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
  Poco::Net::HTTPRequest request("POST", "/registry/sync/search", Poco::Net::HTTPMessage::HTTP_1_1);
  request.setContentType("application/json");
  request.setContentLength64(static_cast<Poco::Int64>(body.size()));
  session.sendRequest(request) << body;
  Poco::Net::HTTPResponse response;
  std::string text;
  Poco::StreamCopier::copyToString(session.receiveResponse(response), text);
  return {static_cast<int>(response.getStatus()), text};
}

std::string programmeSearch(const std::string& criteria) {
  return R"({"signature": "", "header": {"version": "1.0.0", "message_id": "m-1", "message_ts": "2026-11-27T00:00:00Z",
             "action": "search", "sender_id": "punjab-bisp-programme", "receiver_id": "punjab", "total_count": 1},
             "message": {"transaction_id": "t-1", "search_request": [)" + criteria + "]}}";
}

}  // namespace

TEST(ConnectorIntegration, ProgrammeGatewayEncodesPlaintextQueriesLocally) {
  HubProcess hub({"punjab"});
  startWithPunjab(hub);
  nser::testing::TempDir work("nser-connector-test");
  Connector connector(hub, work.path());
  std::string csv = sourceCsv(20);
  writeFile(work / "source.csv", csv);
  const int port = nser::testing::freeLoopbackPort();
  connector.enableGateway(port);
  nser::testing::ManagedProcess running("connector", NSER_BINARY,
                                        {"connector", "--config", (work / "connector.json").string(), "run"},
                                        work.path());
  ASSERT_TRUE(running.waitForOutput("gateway listening", std::chrono::seconds(60))) << running.lastError();
  ASSERT_TRUE(running.waitUntil([&] { return hubRecords(hub) == 20; }, std::chrono::seconds(60)));

  // A plaintext identity query (a spelling variant of person 5) and a CNIC query.
  auto [status, body] = postPlain(port, programmeSearch(R"(
      {"reference_id": "r1", "timestamp": "2026-11-27T00:00:00Z", "search_criteria": {"query_type": "predicate",
       "purpose": "bisp.kafaalat.eligibility",
       "query": {"name": "Saadia Perveen", "relation_type": "d/o", "relation_name": "Allah Ditta",
                 "cnic": ")" + cnicOf(5) + R"(", "gender": "F", "dob": "1985-03-15", "district": "Lahore"}}},
      {"reference_id": "r2", "timestamp": "2026-11-27T00:00:00Z", "search_criteria": {"query_type": "idtype-value",
       "query": {"type": "CNIC", "value": ")" + cnicOf(9) + R"("}}},
      {"reference_id": "r3", "timestamp": "2026-11-27T00:00:00Z", "search_criteria": {"query_type": "predicate",
       "query": {"district": "Lahore"}}})"));
  ASSERT_EQ(status, 200) << body;
  Poco::JSON::Parser parser;
  const auto reply = parser.parse(body).extract<Poco::JSON::Object::Ptr>();
  EXPECT_EQ(reply->getObject("header")->getValue<std::string>("receiver_id"), "punjab-bisp-programme");
  EXPECT_EQ(reply->getObject("header")->getValue<std::string>("status"), "part");
  const auto responses = reply->getObject("message")->getArray("search_response");
  ASSERT_EQ(responses->size(), 3u);
  for (unsigned i = 0; i < 2; ++i) {
    const auto answer = responses->getObject(i);
    EXPECT_EQ(answer->getValue<std::string>("reference_id"), i == 0 ? "r1" : "r2");
    ASSERT_EQ(answer->getValue<std::string>("status"), "succ") << body;
    const auto records = answer->getObject("data")->getArray("reg_records");
    ASSERT_GE(records->size(), 1u) << "answer " << i << ": " << body;
    EXPECT_EQ(records->getObject(0)->getArray("custodians")->getElement<std::string>(0), "punjab");
  }
  EXPECT_EQ(responses->getObject(2)->getValue<std::string>("status"), "rjct");  // no name: not encodable
  // Person 5 and person 9 are different entities.
  EXPECT_NE(responses->getObject(0)->getObject("data")->getArray("reg_records")->getObject(0)->getValue<std::string>("entity_id"),
            responses->getObject(1)->getObject("data")->getArray("reg_records")->getObject(0)->getValue<std::string>("entity_id"));

  const auto malformed = postPlain(port, "{not json");
  EXPECT_EQ(malformed.first, 400);
  EXPECT_NE(malformed.second.find("malformed_json"), std::string::npos);
  // The query's plaintext reached neither the hub's nor the connector's logs.
  EXPECT_EQ(running.stderrText().find("Saadia"), std::string::npos);
  EXPECT_EQ(running.stop().exitCode, 0);
  hub.stop();
  EXPECT_EQ(hub.process().stderrText().find("Saadia"), std::string::npos);
}

TEST(ConnectorIntegration, PostgresSourceSyncsIncrementallyAndReconcilesDeletions) {
  nser::testing::PostgresServer database;
  database.execute(
      "CREATE TABLE beneficiaries (id text PRIMARY KEY, cnic_no text, full_name text, relation text, father_name text,"
      " sex text, birth date, district text, tehsil text, province text, address text, mobile text,"
      " updated_at bigint NOT NULL)");
  auto insert = [&](int n, const std::string& name, int version) {
    database.execute("INSERT INTO beneficiaries VALUES ('p" + std::to_string(n) + "', '" + cnicOf(n) + "', '" + name +
                     "', 's/o', 'Allah Ditta', 'M', '1985-03-" + std::to_string(10 + n % 18) +
                     "', 'Lahore', 'Lahore City', 'Punjab', 'House', NULL, " + std::to_string(version) + ")");
  };
  for (int n = 0; n < 30; ++n) insert(n, kNames[static_cast<std::size_t>(n) % kNames.size()], 1);

  HubProcess hub({"punjab"});
  startWithPunjab(hub);
  nser::testing::TempDir work("nser-connector-test");
  Connector connector(hub, work.path());
  std::string config = readFile(work / "connector.json");
  config.replace(config.find(R"({"type": "csv", "path": "source.csv"})"), 37,
                 R"({"type": "postgresql", "connection": ")" + database.conninfo() +
                     R"(", "table": "public.beneficiaries", "watermark_column": "updated_at"})");
  writeFile(work / "connector.json", config);
  writeFile(work / "mapping.json", R"({"format": "nser-connector-mapping", "version": 1, "key_column": "id",
    "identity": {"cnic": "cnic_no", "name": "full_name", "relation_type": "relation", "relation_name": "father_name",
                 "gender": "sex", "dob": "birth", "district": "district", "tehsil": "tehsil", "phone": "mobile"}})");

  auto result = connector.run();  // full
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_EQ(field(result.out, "upserts"), 30) << result.out;
  EXPECT_EQ(hubRecords(hub), 30u);

  // Two updates and one insert move the watermark; one delete does not.
  database.execute("UPDATE beneficiaries SET full_name = 'Saadia Perveen', updated_at = 2 WHERE id = 'p5'");
  database.execute("UPDATE beneficiaries SET father_name = 'Allah Ditta Khan', updated_at = 3 WHERE id = 'p6'");
  insert(30, "Rashid Minhas", 4);
  database.execute("DELETE FROM beneficiaries WHERE id = 'p7'");
  result = runProcess(NSER_BINARY, {"connector", "--config", (work / "connector.json").string(), "sync", "--incremental"});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_NE(result.out.find("incremental rows=3"), std::string::npos) << result.out;
  EXPECT_EQ(field(result.out, "upserts"), 3);
  EXPECT_EQ(field(result.out, "deletions"), 0);
  EXPECT_EQ(hubRecords(hub), 31u);

  result = connector.run();  // the reconcile finds the deletion and nothing else
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_EQ(field(result.out, "upserts"), 0) << result.out;
  EXPECT_EQ(field(result.out, "deletions"), 1);
  EXPECT_EQ(hubRecords(hub), 30u);
}

TEST(ConnectorIntegration, Kill9DuringALargeSyncLosesAndDuplicatesNothing) {
  HubProcess hub({"punjab"});
  startWithPunjab(hub);
  nser::testing::TempDir work("nser-connector-test");
  Connector connector(hub, work.path());
  constexpr int kRows = 3000;
  std::string csv = sourceCsv(kRows);
  writeFile(work / "source.csv", csv);

  {
    nser::testing::ManagedProcess syncing("connector", NSER_BINARY,
                                          {"connector", "--config", (work / "connector.json").string(), "sync"},
                                          work.path());
    // Kill it once the hub has acknowledged some batches but long before the end.
    ASSERT_TRUE(syncing.waitUntil([&] { return hubRecords(hub) >= 160; }, std::chrono::seconds(120)));
    syncing.kill9();
  }
  const auto partial = hubRecords(hub);
  EXPECT_LT(partial, static_cast<std::uint64_t>(kRows)) << "the sync finished before it was killed";

  const auto result = connector.run();
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_EQ(hubRecords(hub), static_cast<std::uint64_t>(kRows));
  EXPECT_NE(connector.run("status").out.find("records pushed:    " + std::to_string(kRows)), std::string::npos);
  // And a further sync finds nothing to do.
  const auto again = connector.run();
  EXPECT_EQ(field(again.out, "upserts"), 0) << again.out;
  EXPECT_EQ(field(again.out, "unchanged"), kRows);
}

TEST(ConnectorIntegration, ABatchTheHubRefusesForGoodIsDiscardedAndItsSequenceReused) {
  HubProcess hub({"punjab"});
  startWithPunjab(hub);
  nser::testing::TempDir work("nser-connector-test");
  Connector connector(hub, work.path());
  std::string csv = sourceCsv(10);
  writeFile(work / "source.csv", csv);
  // Encoded under key epoch 2, which the hub does not accept (422).
  std::string config = readFile(work / "connector.json");
  config.replace(config.find(R"("key_epoch": 1)"), 14, R"("key_epoch": 2)");
  writeFile(work / "connector.json", config);
  auto result = connector.run();
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_NE(result.err.find("encoding_mismatch"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("discarded"), std::string::npos) << result.err;
  EXPECT_NE(connector.run("status").out.find("pending batch:     none"), std::string::npos);
  EXPECT_NE(connector.run("status").out.find("next sequence:     1"), std::string::npos);
  // Back on the right epoch, the sync goes through starting at sequence 1.
  config.replace(config.find(R"("key_epoch": 2)"), 14, R"("key_epoch": 1)");
  writeFile(work / "connector.json", config);
  result = connector.run();
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_EQ(hubRecords(hub), 10u);
}
