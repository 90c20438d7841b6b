// The linkage-key rotation procedure end to end (docs/key-rotation.md), with
// a real hub and real connector processes over mutual TLS: two custodians
// synced at key epoch 1; the admin prepares epoch 2; both connectors re-sync
// with a new secret at epoch 2 (every record again, same references); the
// switch is refused until both are done, then made; entity ids are the same
// before and after, a search encoded with the new key finds its entity, one
// with the old key and an epoch-1 batch are refused.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <map>

#include "linkage/linkage_schema.h"
#include "linkage/linkage_secret.h"
#include "linkage/record_encoder.h"
#include "protocol/encoded_query.h"
#include "protocol/search_envelope.h"
#include "tests/support/hub_process.h"

using nser::testing::HubProcess;
using nser::testing::readFile;
using nser::testing::runProcess;
using nser::testing::writeFile;

namespace {

const std::string kSchema = std::string(NSER_SOURCE_DIR) + "/schemas/linkage/nser-person-v1.json";
const std::vector<std::string> kHeader = {"rec_id", "cnic",     "name",    "relation_type", "relation_name", "gender",
                                          "dob",    "district", "tehsil", "province",      "address",       "phone"};
const std::vector<std::string> kNames = {"Muhammad Qasim", "Zainab Bibi",   "Ghulam Abbas", "Ayesha Noor",
                                         "Imran Khan",     "Sadia Parveen", "Tariq Mehmood", "Nasreen Akhtar"};
constexpr int kNserPeople = 24;
constexpr int kPunjabPeople = 12;  // persons 0-11, also in NSER

// Person n as a source row (the key differs per custodian, the person not).
std::vector<std::string> person(const std::string& key, int n) {
  char cnic[32];
  std::snprintf(cnic, sizeof cnic, "35202-%07d-%d", 4000000 + n * 7919, n % 2 == 0 ? 1 : 2);
  return {key, cnic, kNames[static_cast<std::size_t>(n) % kNames.size()] + " " + std::string(1, static_cast<char>('A' + n)),
          n % 2 == 0 ? "s/o" : "d/o", "Allah Ditta", n % 2 == 0 ? "M" : "F",
          "19" + std::to_string(60 + n) + "-03-" + std::to_string(10 + n % 18), "Lahore", "Lahore City", "Punjab",
          "House " + std::to_string(n), ""};
}

std::string csvOf(const std::string& prefix, int count) {
  std::string csv;
  for (std::size_t i = 0; i < kHeader.size(); ++i) csv += (i ? "," : "") + kHeader[i];
  csv += "\n";
  for (int n = 0; n < count; ++n) {
    const auto row = person(prefix + std::to_string(n), n);
    for (std::size_t i = 0; i < row.size(); ++i) csv += (i ? "," : "") + row[i];
    csv += "\n";
  }
  return csv;
}

int64_t field(const std::string& text, const std::string& key) {
  const auto at = text.find(key + "=");
  if (at == std::string::npos) return -1;
  return std::stoll(text.substr(at + key.size() + 1));
}

Poco::JSON::Object::Ptr parse(const std::string& json) {
  Poco::JSON::Parser parser;
  return parser.parse(json).extract<Poco::JSON::Object::Ptr>();
}

// One custodian's connector: a CSV source, its state, and a linkage secret
// file per epoch ("secret-<epoch>.key").
struct Connector {
  Connector(const HubProcess& hub, const std::filesystem::path& directory, const std::string& party,
            const std::string& csv)
      : dir(directory), custodian(party), hubPort(hub.port()) {
    std::filesystem::create_directories(dir);
    const auto& issued = hub.pki().client(party);
    certificate = issued.certificatePath.string();
    key = issued.keyPath.string();
    ca = hub.pki().caCertificate.string();
    writeFile(dir / "source.csv", csv);
    writeFile(dir / "mapping.json", R"({"format": "nser-connector-mapping", "version": 1, "key_column": "rec_id",
      "attributes": [{"name": "district", "type": "string", "description": "district", "sensitivity": "low"}]})");
  }
  // Writes the secret for `epoch` (the custodians share it) and points the configuration at it.
  std::filesystem::path writeSecret(std::uint32_t epoch, const std::string& secret) const {
    const auto path = dir / ("secret-" + std::to_string(epoch) + ".key");
    writeFile(path, secret);
    ::chmod(path.c_str(), 0600);
    return path;
  }
  void useEpoch(std::uint32_t epoch, const std::string& secret) {
    const auto path = writeSecret(epoch, secret);
    writeFile(dir / "connector.json", R"({
  "custodian": ")" + custodian + R"(",
  "hub": {"url": "https://127.0.0.1:)" + std::to_string(hubPort) + R"(",
          "tls": {"certificate": ")" + certificate + R"(", "private_key": ")" + key + R"(", "ca_certificate": ")" +
                                      ca + R"("}},
  "linkage": {"schema": ")" + kSchema + R"(", "secret_file": ")" + path.string() + R"(", "key_epoch": )" +
                                      std::to_string(epoch) + R"(},
  "source": {"type": "csv", "path": "source.csv"},
  "mapping": "mapping.json",
  "data_directory": "state",
  "sync": {"batch_size": 8, "max_attempts": 2, "initial_backoff_ms": 20},
  "log": {"format": "json", "level": "warning"}
})");
  }
  nser::testing::ProcessResult sync() const {
    return runProcess(NSER_BINARY, {"connector", "--config", (dir / "connector.json").string(), "sync"});
  }
  std::filesystem::path dir;
  std::string custodian;
  int hubPort;
  std::string certificate, key, ca;
};

// Encodes search queries as a connector holding `secretFile` at `epoch` would.
class QueryEncoder {
 public:
  QueryEncoder(const std::filesystem::path& secretFile, std::uint32_t epoch)
      : secret_(nser::linkage::LinkageSecret::loadFromFile(secretFile.string(), epoch)),
        encoder_(nser::linkage::loadLinkageSchema(kSchema), secret_),
        workspace_(encoder_.makeWorkspace()),
        binding_(encoder_.bind(kHeader)) {}

  // The search request (DCI envelope) for person n.
  std::string request(int n) {
    nser::linkage::EncodedRecord record;
    const auto outcome = encoder_.encodeRow(person("query", n), binding_, 1, workspace_, record);
    if (!outcome.ok) throw std::runtime_error(outcome.reason);
    nser::protocol::SearchEnvelope envelope;
    envelope.senderId = "punjab";
    envelope.receiverId = "test-hub";
    envelope.schemaId = encoder_.header().schemaId;
    envelope.schemaDigest = encoder_.header().schemaDigest;
    envelope.keyEpoch = encoder_.header().keyEpoch;
    envelope.queries.push_back(nser::protocol::SearchQuery{"ref-" + std::to_string(n),
                                                           std::string(nser::protocol::kQueryEncodedRecord),
                                                           nser::protocol::encodeRecordQuery(record), 5, 1, "", "", {}});
    return nser::protocol::buildSearchRequest(envelope);
  }

 private:
  nser::linkage::LinkageSecret secret_;
  nser::linkage::RecordEncoder encoder_;
  nser::linkage::EncoderWorkspace workspace_;
  nser::linkage::ColumnBinding binding_;
};

// The first search response of the hub's answer.
Poco::JSON::Object::Ptr firstResponse(const HubProcess& hub, const std::string& request) {
  const auto response = hub.client("punjab")->postJson("/registry/sync/search", request);
  EXPECT_EQ(response.status, 200) << response.body;
  return parse(response.body)->getObject("message")->getArray("search_response")->getObject(0);
}

// Person n's top entity id, searched with `encoder`'s key ("" when nothing matched).
std::string entityOf(const HubProcess& hub, QueryEncoder& encoder, int n) {
  const auto answer = firstResponse(hub, encoder.request(n));
  EXPECT_EQ(answer->getValue<std::string>("status"), "succ") << answer->getValue<std::string>("status_reason_message");
  const auto records = answer->getObject("data")->getArray("reg_records");
  if (records->size() == 0) return "";
  return records->getObject(0)->getValue<std::string>("entity_id");
}

std::map<int, std::string> entityIds(const HubProcess& hub, QueryEncoder& encoder) {
  std::map<int, std::string> ids;
  for (int n = 0; n < kNserPeople; ++n) ids[n] = entityOf(hub, encoder, n);
  return ids;
}

Poco::JSON::Object::Ptr hubStatus(const HubProcess& hub) { return parse(hub.client("admin")->get("/admin/status").body); }

// deploy/rotate-linkage-key.sh ARGS..., as the admin party (connection from the environment).
nser::testing::ProcessResult rotateScript(const HubProcess& hub, const std::vector<std::string>& args) {
  std::vector<std::string> all = {std::string(NSER_SOURCE_DIR) + "/deploy/rotate-linkage-key.sh"};
  all.insert(all.end(), args.begin(), args.end());
  const auto files = hub.filesOf("admin");
  return runProcess("/bin/bash", all, std::chrono::seconds(120),
                    {{"NSER", NSER_BINARY},
                     {"NSER_HUB_URL", "https://127.0.0.1:" + std::to_string(hub.port())},
                     {"NSER_CERT", files.certificate},
                     {"NSER_KEY", files.privateKey},
                     {"NSER_CA", files.caCertificate}});
}

}  // namespace

TEST(LinkageRotationIntegration, RotatesBothCustodiansToANewKeyKeepingEntityIds) {
  HubProcess hub({"nser", "punjab"});
  hub.start();
  hub.registerParty("nser", "custodian");
  hub.registerParty("punjab", "custodian");
  nser::testing::TempDir work("nser-rotation-test");
  Connector nserConnector(hub, work / "nser", "nser", csvOf("n", kNserPeople));
  Connector punjabConnector(hub, work / "punjab", "punjab", csvOf("p", kPunjabPeople));
  const std::string oldSecret = "rotation integration test secret, epoch 1 ........";
  const std::string newSecret = "rotation integration test secret, epoch 2 !!!!!!!!";

  // Epoch 1: both custodians synced; the shared people are linked.
  nserConnector.useEpoch(1, oldSecret);
  punjabConnector.useEpoch(1, oldSecret);
  for (const auto* connector : {&nserConnector, &punjabConnector}) {
    const auto result = connector->sync();
    ASSERT_EQ(result.exitCode, 0) << result.err;
  }
  const auto records = hubStatus(hub)->getValue<std::uint64_t>("records");
  const auto entities = hubStatus(hub)->getValue<std::uint64_t>("entities");
  EXPECT_EQ(records, static_cast<std::uint64_t>(kNserPeople + kPunjabPeople));
  EXPECT_EQ(entities, static_cast<std::uint64_t>(kNserPeople));
  QueryEncoder oldKey(nserConnector.dir / "secret-1.key", 1);
  const auto before = entityIds(hub, oldKey);
  for (int n = 0; n < kNserPeople; ++n) ASSERT_FALSE(before.at(n).empty()) << "person " << n;
  EXPECT_EQ(firstResponse(hub, oldKey.request(3))->getObject("data")->getArray("reg_records")->getObject(0)
                ->getArray("custodians")->size(),
            2u);

  // Prepare epoch 2.
  auto admin = hub.admin({"admin", "linkage-epoch", "prepare", "2"});
  ASSERT_EQ(admin.exitCode, 0) << admin.err;
  EXPECT_NE(admin.out.find("next key epoch:    2"), std::string::npos) << admin.out;
  EXPECT_EQ(hubStatus(hub)->getValue<int>("next_key_epoch"), 2);

  // NSER re-encodes: every record again, under the same references.
  nserConnector.useEpoch(2, newSecret);
  auto result = nserConnector.sync();
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_EQ(field(result.out, "upserts"), kNserPeople) << result.out;
  EXPECT_EQ(hubStatus(hub)->getValue<std::uint64_t>("records"), records);
  admin = hub.admin({"admin", "linkage-epoch", "status"});
  ASSERT_EQ(admin.exitCode, 0) << admin.err;
  EXPECT_NE(admin.out.find("custodian nser: 24 of 24 records re-encoded"), std::string::npos) << admin.out;
  EXPECT_NE(admin.out.find("custodian punjab: 0 of 12 records re-encoded, 12 missing"), std::string::npos) << admin.out;
  // Search still runs at epoch 1, with the same answers; epoch 2 is not searched yet.
  EXPECT_EQ(entityOf(hub, oldKey, 5), before.at(5));
  QueryEncoder newKey(nserConnector.dir / "secret-2.key", 2);
  EXPECT_EQ(firstResponse(hub, newKey.request(5))->getValue<std::string>("status"), "rjct");

  // The switch waits for Punjab.
  admin = hub.admin({"admin", "linkage-epoch", "switch"});
  EXPECT_EQ(admin.exitCode, 1);
  EXPECT_NE(admin.err.find("rotation_incomplete"), std::string::npos) << admin.err;
  EXPECT_NE(admin.err.find("punjab 12 of 12"), std::string::npos) << admin.err;

  // Punjab follows the operator procedure of deploy/rotate-linkage-key.sh.
  EXPECT_EQ(rotateScript(hub, {"wait", "0"}).exitCode, 1);  // not ready yet
  const auto secretFile = punjabConnector.writeSecret(2, newSecret);
  result = rotateScript(hub, {"connector", (punjabConnector.dir / "connector.json").string(), secretFile.string(), "2"});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_EQ(field(result.out, "upserts"), kPunjabPeople) << result.out;
  EXPECT_TRUE(std::filesystem::exists(punjabConnector.dir / "connector.json.epoch-1"));
  result = rotateScript(hub, {"wait", "60"});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_NE(result.out.find("ready to switch"), std::string::npos) << result.out;
  admin = rotateScript(hub, {"switch"});
  ASSERT_EQ(admin.exitCode, 0) << admin.err;
  EXPECT_NE(admin.out.find("current key epoch: 2"), std::string::npos) << admin.out;
  EXPECT_NE(admin.out.find("switched from:     1"), std::string::npos) << admin.out;

  // Same entities, found with the new key; the old key is refused.
  EXPECT_EQ(hubStatus(hub)->getValue<int>("key_epoch"), 2);
  EXPECT_EQ(hubStatus(hub)->getValue<std::uint64_t>("records"), records);
  EXPECT_EQ(hubStatus(hub)->getValue<std::uint64_t>("entities"), entities);
  EXPECT_EQ(entityIds(hub, newKey), before);
  const auto refused = firstResponse(hub, oldKey.request(5));
  EXPECT_EQ(refused->getValue<std::string>("status"), "rjct");
  EXPECT_NE(refused->getValue<std::string>("status_reason_message").find("key epoch 1"), std::string::npos);

  // A connector still at epoch 1 is refused, the error naming both epochs.
  nserConnector.useEpoch(1, oldSecret);
  result = nserConnector.sync();
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_NE(result.err.find("key_epoch is '1'"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("'2'"), std::string::npos) << result.err;

  // The changes are in the audit log.
  const auto audit = hub.client("admin")->get("/audit/entries");
  ASSERT_EQ(audit.status, 200) << audit.body;
  EXPECT_NE(audit.body.find("linkage_epoch_prepare"), std::string::npos);
  EXPECT_NE(audit.body.find("linkage_epoch_switch"), std::string::npos);

  // After a restart the hub is still at epoch 2 (its configuration says 1).
  hub.stop();
  hub.start();
  EXPECT_EQ(hubStatus(hub)->getValue<int>("key_epoch"), 2);
  EXPECT_EQ(entityIds(hub, newKey), before);
}

TEST(LinkageRotationIntegration, AbortBeforeTheSwitchRollsBackToTheOldKey) {
  HubProcess hub({"nser", "punjab"});
  hub.start();
  hub.registerParty("nser", "custodian");
  hub.registerParty("punjab", "custodian");  // searches as punjab
  nser::testing::TempDir work("nser-rotation-test");
  Connector connector(hub, work / "nser", "nser", csvOf("n", kNserPeople));
  const std::string oldSecret = "rotation integration test secret, epoch 1 ........";
  connector.useEpoch(1, oldSecret);
  ASSERT_EQ(connector.sync().exitCode, 0);
  QueryEncoder oldKey(connector.dir / "secret-1.key", 1);
  const auto before = entityIds(hub, oldKey);

  ASSERT_EQ(hub.admin({"admin", "linkage-epoch", "prepare", "2"}).exitCode, 0);
  connector.useEpoch(2, "rotation integration test secret, epoch 2 !!!!!!!!");
  auto result = connector.sync();
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_EQ(field(result.out, "upserts"), kNserPeople);
  result = connector.sync();  // the epoch is recorded: nothing more to push
  EXPECT_EQ(field(result.out, "upserts"), 0) << result.out;
  EXPECT_EQ(field(result.out, "unchanged"), kNserPeople);

  const auto admin = hub.admin({"admin", "linkage-epoch", "abort"});
  ASSERT_EQ(admin.exitCode, 0) << admin.err;
  EXPECT_NE(admin.out.find("aborted epoch:     2 (24 staged encodings discarded)"), std::string::npos) << admin.out;
  // Epoch 2 is refused again: a new source row cannot be pushed at it.
  writeFile(connector.dir / "source.csv", csvOf("n", kNserPeople + 1));
  result = connector.sync();
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_NE(result.err.find("key_epoch"), std::string::npos) << result.err;

  // Back on the old key: a full sync; the hub finds the old records unchanged.
  connector.useEpoch(1, oldSecret);
  result = connector.sync();
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_EQ(field(result.out, "upserts"), kNserPeople + 1) << result.out;
  EXPECT_EQ(hubStatus(hub)->getValue<int>("key_epoch"), 1);
  EXPECT_EQ(hubStatus(hub)->getValue<std::uint64_t>("records"), static_cast<std::uint64_t>(kNserPeople + 1));
  EXPECT_EQ(hubStatus(hub)->getObject("ingest")->getValue<std::uint64_t>("entities_created"),
            static_cast<std::uint64_t>(kNserPeople + 1));  // 24 at the first sync, 1 now: nothing re-created
  EXPECT_EQ(entityIds(hub, oldKey), before);
}
