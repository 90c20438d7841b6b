// The hub as a real process over mutual TLS: who may connect and call what,
// ingest rules across the wire, malformed input, search, and durability
// under kill -9.
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/Context.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "pki/certificate_revocation.h"
#include "protocol/encoded_query.h"
#include "protocol/ingest_batch.h"
#include "protocol/search_envelope.h"
#include "service/tls_context.h"
#include "tests/support/hub_process.h"
#include "tests/hub/test_encodings.h"

using namespace nser;
using nser::testing::HubProcess;

namespace {

const std::string kBatchType(protocol::kIngestBatchContentType);

Poco::JSON::Object::Ptr parse(const std::string& json) {
  Poco::JSON::Parser parser;
  return parser.parse(json).extract<Poco::JSON::Object::Ptr>();
}

std::string errorCode(const service::HttpsResponse& response) {
  try {
    return parse(response.body)->getObject("error")->getValue<std::string>("code");
  } catch (const std::exception&) {
    return "<no JSON error: " + response.body + ">";
  }
}

std::string batchBytes(nser::testing::TestEncoder& encoder, const std::string& custodian, std::uint64_t sequence,
                       const std::string& prefix, int first, int count, bool variant) {
  return protocol::serialiseIngestBatch(encoder.batch(custodian, sequence, prefix, first, count, variant));
}

std::string searchBody(const std::string& type, const std::string& value, const linkage::EncodingHeader& header) {
  protocol::SearchEnvelope envelope;
  envelope.senderId = "punjab";
  envelope.receiverId = "test-hub";
  envelope.transactionId = "txn-1";
  envelope.schemaId = header.schemaId;
  envelope.schemaDigest = header.schemaDigest;
  envelope.keyEpoch = header.keyEpoch;
  envelope.queries.push_back(protocol::SearchQuery{"ref-1", type, value, 10, 1, "", "", {}});
  return protocol::buildSearchRequest(envelope);
}

// The first search response's records.
Poco::JSON::Array::Ptr searchRecords(const service::HttpsResponse& response) {
  const auto first = parse(response.body)->getObject("message")->getArray("search_response")->getObject(0);
  EXPECT_EQ(first->getValue<std::string>("status"), "succ") << response.body;
  return first->getObject("data")->getArray("reg_records");
}

std::string topEntity(service::HttpsClient& client, const linkage::EncodedRecord& record,
                      const linkage::EncodingHeader& header) {
  const auto response = client.postJson("/registry/sync/search",
                                        searchBody(std::string(protocol::kQueryEncodedRecord),
                                                   protocol::encodeRecordQuery(record), header));
  EXPECT_EQ(response.status, 200) << response.body;
  const auto records = searchRecords(response);
  if (records->size() == 0) return "";
  return records->getObject(0)->getValue<std::string>("entity_id");
}

}  // namespace

TEST(HubIntegration, RefusesClientsWithoutAnAcceptableCertificateOrRole) {
  HubProcess hub({"punjab", "bisp-programme", "stranger", "revoked"});
  pki::revokeCertificateFile(hub.pki().caDir, hub.pki().client("revoked").certificatePath);  // the CRL is read at start
  hub.start();
  hub.registerParty("punjab", "custodian");
  hub.registerParty("bisp-programme", "programme");

  // No client certificate: the TLS handshake fails.
  service::initialiseTls();
  Poco::Net::Context::Params params;
  params.caLocation = hub.pki().caCertificate.string();
  params.verificationMode = Poco::Net::Context::VERIFY_STRICT;
  params.loadDefaultCAs = false;
  Poco::Net::Context::Ptr anonymous = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
  service::HttpsClient noCertificate("127.0.0.1", static_cast<std::uint16_t>(hub.port()), anonymous);
  EXPECT_THROW(noCertificate.get("/health"), service::HttpsTransportError);

  // A certificate from another CA: refused in the handshake too.
  const auto foreign = nser::testing::makeTestPki(hub.dir() / "foreign", {"admin"}, "Foreign CA");
  service::TlsFiles foreignFiles{foreign.client("admin").certificatePath.string(),
                                 foreign.client("admin").keyPath.string(), hub.pki().caCertificate.string(), ""};
  service::HttpsClient impostor("127.0.0.1", static_cast<std::uint16_t>(hub.port()), foreignFiles);
  EXPECT_THROW(impostor.get("/admin/parties"), service::HttpsTransportError);

  // A revoked certificate of the right CA: refused in the handshake.
  EXPECT_THROW(hub.client("revoked")->get("/health"), service::HttpsTransportError);

  // A certificate of the right CA that no party is bound to: health only.
  auto stranger = hub.client("stranger");
  EXPECT_EQ(stranger->get("/health").status, 200);
  auto response = stranger->get("/admin/parties");
  EXPECT_EQ(response.status, 403);
  EXPECT_EQ(errorCode(response), "unknown_party");

  // Registered parties without the role.
  auto programme = hub.client("bisp-programme");
  response = programme->get("/admin/parties");
  EXPECT_EQ(response.status, 403);
  EXPECT_EQ(errorCode(response), "forbidden");
  response = programme->post("/ingest/batches", kBatchType, "x");
  EXPECT_EQ(response.status, 403);
  auto punjab = hub.client("punjab");
  EXPECT_EQ(punjab->get("/metrics").status, 403);
  EXPECT_EQ(hub.client("admin")->get("/admin/parties").status, 200);

  // A disabled party is refused until enabled again.
  ASSERT_EQ(hub.admin({"admin", "party", "disable", "punjab"}).exitCode, 0);
  response = punjab->post("/ingest/batches", kBatchType, "x");
  EXPECT_EQ(response.status, 403);
  EXPECT_EQ(errorCode(response), "party_disabled");
  ASSERT_EQ(hub.admin({"admin", "party", "enable", "punjab"}).exitCode, 0);
  EXPECT_EQ(punjab->post("/ingest/batches", kBatchType, "x").status, 400);

  const auto stopped = hub.stop();
  EXPECT_EQ(stopped.exitCode, 0) << stopped.err;
}

TEST(HubIntegration, IngestIsOwnedSequencedIdempotentAndSearchable) {
  HubProcess hub({"nser", "punjab"});
  hub.start();
  hub.registerParty("nser", "custodian");
  hub.registerParty("punjab", "custodian");
  nser::testing::TestEncoder encoder;
  auto nser = hub.client("nser");
  auto punjab = hub.client("punjab");

  // Punjab cannot write NSER's records.
  auto response = punjab->post("/ingest/batches", kBatchType, batchBytes(encoder, "nser", 1, "n-", 0, 3, false));
  EXPECT_EQ(response.status, 403);
  EXPECT_EQ(errorCode(response), "wrong_custodian");

  const std::string first = batchBytes(encoder, "nser", 1, "n-", 0, 8, false);
  response = nser->post("/ingest/batches", kBatchType, first);
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(parse(response.body)->getValue<std::string>("status"), "applied");
  response = nser->post("/ingest/batches", kBatchType, first);  // the retry
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(parse(response.body)->getValue<std::string>("status"), "duplicate");
  response = punjab->post("/ingest/batches", kBatchType, batchBytes(encoder, "punjab", 1, "p-", 0, 4, true));
  ASSERT_EQ(response.status, 200) << response.body;

  const auto status = parse(hub.client("admin")->get("/admin/status").body);
  EXPECT_EQ(status->getValue<int>("records"), 12);
  EXPECT_EQ(status->getValue<int>("entities"), 8);
  EXPECT_EQ(status->getObject("ingest")->getValue<int>("batches_duplicate"), 1);
  const auto printed = hub.admin({"admin", "status"});
  ASSERT_EQ(printed.exitCode, 0) << printed.err;
  EXPECT_NE(printed.out.find("records:  12"), std::string::npos) << printed.out;
  EXPECT_NE(printed.out.find("custodian punjab: last batch sequence 1"), std::string::npos) << printed.out;
  const auto events = hub.admin({"admin", "events", "--limit", "5"});
  ASSERT_EQ(events.exitCode, 0) << events.err;
  EXPECT_EQ(std::count(events.out.begin(), events.out.end(), '\n'), 5);
  EXPECT_NE(events.out.find("\"type\":\"entity_created\""), std::string::npos);
  const auto metrics = hub.client("admin")->get("/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("nser_hub_entities 8"), std::string::npos);
  EXPECT_NE(metrics.body.find("nser_hub_ingest_batches_total{outcome=\"duplicate\"} 1"), std::string::npos);
  EXPECT_NE(metrics.body.find("nser_http_request_duration_seconds_bucket{method=\"POST\",route=\"/ingest/batches\""),
            std::string::npos);

  // Search by encoded record: the entity both custodians hold.
  response = punjab->postJson("/registry/sync/search",
                              searchBody(std::string(protocol::kQueryEncodedRecord),
                                         protocol::encodeRecordQuery(encoder.person("q", 1, true)),
                                         encoder.encodingHeader()));
  ASSERT_EQ(response.status, 200) << response.body;
  const auto envelope = parse(response.body);
  EXPECT_EQ(envelope->getObject("header")->getValue<std::string>("action"), "on-search");
  EXPECT_EQ(envelope->getObject("message")->getValue<std::string>("transaction_id"), "txn-1");
  const auto records = searchRecords(response);
  ASSERT_GE(records->size(), 1u);
  const auto top = records->getObject(0);
  EXPECT_GT(top->getValue<double>("match_probability"), 0.9);
  const auto custodians = top->getArray("custodians");
  ASSERT_EQ(custodians->size(), 2u);
  EXPECT_EQ(custodians->getElement<std::string>(0), "nser");
  EXPECT_EQ(custodians->getElement<std::string>(1), "punjab");
  // ... and by its entity id.
  response = punjab->postJson("/registry/sync/search",
                              searchBody(std::string(protocol::kQueryEntityId), top->getValue<std::string>("entity_id"),
                                         encoder.encodingHeader()));
  ASSERT_EQ(searchRecords(response)->size(), 1u);
  // A query encoded under another key epoch is rejected per request.
  auto otherEpoch = encoder.encodingHeader();
  otherEpoch.keyEpoch = 7;
  response = punjab->postJson("/registry/sync/search",
                              searchBody(std::string(protocol::kQueryEncodedRecord),
                                         protocol::encodeRecordQuery(encoder.person("q", 1)), otherEpoch));
  ASSERT_EQ(response.status, 200);
  const auto rejected = parse(response.body)->getObject("message")->getArray("search_response")->getObject(0);
  EXPECT_EQ(rejected->getValue<std::string>("status"), "rjct");
  EXPECT_EQ(rejected->getValue<std::string>("status_reason_code"), "rjct.query.invalid");
  EXPECT_EQ(hub.stop().exitCode, 0);
}

TEST(HubIntegration, MalformedRequestsGet4xxJsonAndTheHubKeepsServing) {
  HubProcess hub({"nser"});
  hub.start();
  hub.registerParty("nser", "custodian");
  auto nser = hub.client("nser");
  struct Case {
    std::string method, path, contentType, body;
    int status;
    std::string code;
  };
  const std::vector<Case> cases = {
      {"POST", "/ingest/batches", kBatchType, "NSERBAT1\x01\x02garbage", 400, "malformed_batch"},
      {"POST", "/ingest/batches", kBatchType, "", 400, "malformed_batch"},
      {"POST", "/ingest/batches", kBatchType, std::string(9u << 20, 'x'), 413, "body_too_large"},
      {"POST", "/registry/sync/search", "application/json", "{not json", 400, "malformed_json"},
      {"POST", "/registry/sync/search", "application/json", "[1,2]", 400, "not_an_object"},
      {"POST", "/registry/sync/search", "application/json", R"({"header":{},"message":{}})", 400, "malformed_envelope"},
      {"GET", "/no/such/route", "", "", 404, "not_found"},
      {"DELETE", "/health", "", "", 405, "method_not_allowed"},
  };
  for (const auto& c : cases) {
    const auto response = nser->request(c.method, c.path, c.contentType, c.body);
    EXPECT_EQ(response.status, c.status) << c.method << " " << c.path << ": " << response.body;
    EXPECT_EQ(errorCode(response), c.code) << c.method << " " << c.path;
    EXPECT_EQ(response.header("content-type"), "application/json");
  }
  EXPECT_EQ(nser->get("/health").status, 200);
  EXPECT_EQ(hub.client("nser")->get("/ready").status, 200);
  EXPECT_TRUE(hub.process().running());
  EXPECT_EQ(hub.stop().exitCode, 0);
}

TEST(HubIntegration, AcknowledgedBatchesSurviveKill9WithStableEntityIds) {
  HubProcess hub({"nser", "punjab"});
  hub.start();
  hub.registerParty("nser", "custodian");
  hub.registerParty("punjab", "custodian");
  nser::testing::TestEncoder encoder;
  constexpr int kBatch = 100;
  {
    auto nser = hub.client("nser");
    for (std::uint64_t s = 1; s <= 3; ++s) {
      const auto response = nser->post("/ingest/batches", kBatchType,
                                       batchBytes(encoder, "nser", s, "n-", static_cast<int>((s - 1) * kBatch), kBatch, false));
      ASSERT_EQ(response.status, 200) << response.body;
    }
  }
  // Punjab's records of the first 50 people join NSER's entities.
  ASSERT_EQ(hub.client("punjab")->post("/ingest/batches", kBatchType, batchBytes(encoder, "punjab", 1, "p-", 0, 50, true)).status, 200);
  auto reader = hub.client("punjab");
  std::vector<std::string> entitiesBefore;
  for (int n = 0; n < 300; n += 15) entitiesBefore.push_back(topEntity(*reader, encoder.person("q", n), encoder.encodingHeader()));

  // Stream more batches and kill the hub in the middle of the stream.
  std::atomic<std::uint64_t> lastAcknowledged{3};
  std::atomic<bool> streaming{true};
  std::thread streamer([&] {
    nser::testing::TestEncoder threadEncoder;
    auto nser = hub.client("nser");
    for (std::uint64_t s = 4; streaming; ++s) {
      const std::string bytes = batchBytes(threadEncoder, "nser", s, "n-", static_cast<int>((s - 1) * kBatch), kBatch, false);
      try {
        const auto response = nser->post("/ingest/batches", kBatchType, bytes);
        if (response.status != 200) break;
        lastAcknowledged = s;
      } catch (const std::exception&) {
        break;  // the hub is gone
      }
    }
  });
  while (lastAcknowledged < 6) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  hub.kill9();
  streaming = false;
  streamer.join();
  const std::uint64_t acknowledged = lastAcknowledged;

  hub.start();
  auto admin = hub.client("admin");
  const auto status = parse(admin->get("/admin/status").body);
  std::uint64_t applied = 0;
  const auto custodians = status->getArray("custodians");
  for (std::size_t i = 0; i < custodians->size(); ++i) {
    const auto c = custodians->getObject(static_cast<unsigned>(i));
    if (c->getValue<std::string>("id") == "nser") applied = c->getValue<std::uint64_t>("last_sequence");
  }
  // Every acknowledged batch is there; at most the one in flight was applied
  // without its acknowledgement reaching us.
  EXPECT_GE(applied, acknowledged);
  EXPECT_LE(applied, acknowledged + 1);
  EXPECT_EQ(status->getValue<std::uint64_t>("records"), applied * kBatch + 50);
  EXPECT_EQ(status->getValue<std::uint64_t>("entities"), applied * kBatch);

  auto after = hub.client("punjab");
  std::size_t k = 0;
  for (int n = 0; n < 300; n += 15, ++k) {
    EXPECT_EQ(topEntity(*after, encoder.person("q", n), encoder.encodingHeader()), entitiesBefore[k]) << "person " << n;
  }
  // Re-sending the last applied batch is recognised; the next one applies.
  auto nser = hub.client("nser");
  auto response = nser->post("/ingest/batches", kBatchType,
                             batchBytes(encoder, "nser", applied, "n-", static_cast<int>((applied - 1) * kBatch), kBatch, false));
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(parse(response.body)->getValue<std::string>("status"), "duplicate");
  response = nser->post("/ingest/batches", kBatchType,
                        batchBytes(encoder, "nser", applied + 1, "n-", static_cast<int>(applied * kBatch), kBatch, false));
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(parse(response.body)->getValue<std::string>("status"), "applied");
  EXPECT_EQ(hub.stop().exitCode, 0);
}
