#include "connectors/attribute_server.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <chrono>

#include "pki/signing_key.h"
#include "protocol/fetch_order.h"
#include "protocol/sealed_attributes.h"
#include "tests/support/temp_dir.h"

using namespace nser;
using namespace nser::connectors;

namespace {

std::int64_t now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

Poco::JSON::Object::Ptr parsed(const std::string& text) {
  Poco::JSON::Parser parser;
  return parser.parse(text).extract<Poco::JSON::Object::Ptr>();
}

std::string errorCode(const FetchAnswer& answer) {
  return parsed(answer.body)->getObject("error")->getValue<std::string>("code");
}

class AttributeServerTest : public ::testing::Test {
 protected:
  AttributeServerTest() {
    csv_ = dir_ / "people.csv";
    nser::testing::writeFile(csv_, "beneficiary_id,full_name,income_pkr,district_name,disability\n"
                             "b-1,Person One,12000,Lahore,none\n"
                             "b-2,Person Two,34000,Multan,visual\n");
    config_.custodian = "punjab-health";
    config_.sourceConfig.type = "csv";
    config_.sourceConfig.path = csv_.string();
    mapping_.keyColumn = "beneficiary_id";
    mapping_.attributes = {{"household_income", "income_pkr", "integer", "", "high"},
                           {"district", "district_name", "string", "", "low"},
                           {"disability_status", "disability", "string", "", "high"}};
    state_ = std::make_unique<SyncState>((dir_ / "state").string());
    // The hub holds b-1 under "ref-1" and b-2 under "ref-2" (one acknowledged batch).
    PendingBatch batch;
    batch.sequence = state_->nextSequence();
    batch.idempotencyKey = "punjab-health-1";
    batch.body = "{}";
    batch.entries = {{"b-1", false, {"hash-1", "ref-1", 1}}, {"b-2", false, {"hash-2", "ref-2", 1}}};
    state_->savePending(batch);
    state_->acknowledge(batch);
    server_ = std::make_unique<AttributeServer>(config_, *state_, mapping_, hubKey_.publicKey());
  }

  protocol::FetchOrder order(const std::string& id) const {
    protocol::FetchOrder o;
    o.orderId = id;
    o.requester = "bisp-kafaalat";
    o.requesterKey = requester_.publicKeyBase64();
    o.custodian = "punjab-health";
    o.reference = "ref-2";
    o.entityId = "42";
    o.purpose = "eligibility";
    o.attributes = {"household_income", "disability_status"};
    o.agreementId = "kafaalat.health-2026";
    o.consentId = "c-1";
    o.issuedAt = now();
    o.expiresAt = o.issuedAt + 60;
    return o;
  }
  std::string signedOrder(protocol::FetchOrder o) const {
    protocol::signFetchOrder(o, hubKey_);
    return protocol::fetchOrderToJson(o);
  }

  nser::testing::TempDir dir_;
  std::filesystem::path csv_;
  ConnectorConfig config_;
  SourceMapping mapping_;
  std::unique_ptr<SyncState> state_;
  pki::SigningKey hubKey_ = pki::SigningKey::generate();
  protocol::BoxKeyPair requester_ = protocol::BoxKeyPair::generate();
  std::unique_ptr<AttributeServer> server_;
};

}  // namespace

TEST_F(AttributeServerTest, ServesExactlyTheOrderedAttributesSealedToTheRequester) {
  const FetchAnswer answer = server_->fetch(signedOrder(order("o-1")));
  ASSERT_EQ(answer.status, 200) << answer.body;
  const auto body = parsed(answer.body);
  EXPECT_EQ(body->getValue<std::string>("order_id"), "o-1");
  const std::string sealed = body->getValue<std::string>("sealed");
  // No value travels in the clear.
  EXPECT_EQ(answer.body.find("34000"), std::string::npos);
  EXPECT_EQ(answer.body.find("visual"), std::string::npos);
  EXPECT_EQ(protocol::openAttributes(sealed, requester_),
            (std::map<std::string, std::string>{{"household_income", "34000"}, {"disability_status", "visual"}}));
  // Only the requester's key opens it.
  const auto other = protocol::BoxKeyPair::generate();
  EXPECT_ANY_THROW(protocol::openAttributes(sealed, other));

  // Another order for the other record and one attribute.
  auto second = order("o-2");
  second.reference = "ref-1";
  second.attributes = {"district"};
  const FetchAnswer answer2 = server_->fetch(signedOrder(second));
  ASSERT_EQ(answer2.status, 200) << answer2.body;
  EXPECT_EQ(protocol::openAttributes(parsed(answer2.body)->getValue<std::string>("sealed"), requester_),
            (std::map<std::string, std::string>{{"district", "Lahore"}}));
}

TEST_F(AttributeServerTest, RefusesForgedAndTamperedOrders) {
  // Signed by a key that is not the hub's.
  const auto forger = pki::SigningKey::generate();
  auto forged = order("o-forged");
  protocol::signFetchOrder(forged, forger);
  FetchAnswer answer = server_->fetch(protocol::fetchOrderToJson(forged));
  EXPECT_EQ(answer.status, 403);
  EXPECT_EQ(errorCode(answer), "BadSignature");
  // Signed by the hub, then widened to another attribute.
  auto tampered = order("o-tampered");
  protocol::signFetchOrder(tampered, hubKey_);
  tampered.attributes.push_back("district");
  answer = server_->fetch(protocol::fetchOrderToJson(tampered));
  EXPECT_EQ(answer.status, 403);
  EXPECT_EQ(errorCode(answer), "BadSignature");
  // Signed by the hub, then re-pointed at another record.
  tampered = order("o-tampered-2");
  protocol::signFetchOrder(tampered, hubKey_);
  tampered.reference = "ref-1";
  answer = server_->fetch(protocol::fetchOrderToJson(tampered));
  EXPECT_EQ(answer.status, 403);
  EXPECT_EQ(errorCode(answer), "BadSignature");
  // Re-sealed to the attacker's key.
  tampered = order("o-tampered-3");
  protocol::signFetchOrder(tampered, hubKey_);
  tampered.requesterKey = protocol::BoxKeyPair::generate().publicKeyBase64();
  answer = server_->fetch(protocol::fetchOrderToJson(tampered));
  EXPECT_EQ(answer.status, 403);
  EXPECT_EQ(errorCode(answer), "BadSignature");
  // A refused order is not spent: the genuine one with its id is still served.
  EXPECT_EQ(server_->fetch(signedOrder(order("o-tampered"))).status, 200);
}

TEST_F(AttributeServerTest, RefusesExpiredFutureAndMisaddressedOrders) {
  auto expired = order("o-expired");
  expired.issuedAt = now() - 120;
  expired.expiresAt = now() - 1;
  FetchAnswer answer = server_->fetch(signedOrder(expired));
  EXPECT_EQ(answer.status, 403);
  EXPECT_EQ(errorCode(answer), "Expired");

  auto future = order("o-future");
  future.issuedAt = now() + protocol::kFetchOrderClockSkewSeconds + 60;
  future.expiresAt = future.issuedAt + 60;
  answer = server_->fetch(signedOrder(future));
  EXPECT_EQ(answer.status, 403);
  EXPECT_EQ(errorCode(answer), "NotYetValid");

  auto elsewhere = order("o-elsewhere");
  elsewhere.custodian = "sindh-health";
  answer = server_->fetch(signedOrder(elsewhere));
  EXPECT_EQ(answer.status, 403);
  EXPECT_EQ(errorCode(answer), "WrongCustodian");
}

TEST_F(AttributeServerTest, ServesAnOrderOnlyOnce) {
  const std::string body = signedOrder(order("o-once"));
  ASSERT_EQ(server_->fetch(body).status, 200);
  const FetchAnswer replay = server_->fetch(body);
  EXPECT_EQ(replay.status, 409);
  EXPECT_EQ(errorCode(replay), "OrderReplayed");
  EXPECT_EQ(replay.body.find("sealed"), std::string::npos);
}

TEST_F(AttributeServerTest, RefusesUnknownReferencesAttributesAndMalformedOrders) {
  auto unknown = order("o-unknown");
  unknown.reference = "ref-404";
  FetchAnswer answer = server_->fetch(signedOrder(unknown));
  EXPECT_EQ(answer.status, 404);
  EXPECT_EQ(errorCode(answer), "UnknownReference");

  auto outside = order("o-outside");
  outside.attributes = {"district", "bank_account"};
  answer = server_->fetch(signedOrder(outside));
  EXPECT_EQ(answer.status, 400);
  EXPECT_EQ(errorCode(answer), "UnknownAttribute");
  EXPECT_NE(answer.body.find("bank_account"), std::string::npos) << answer.body;

  // The hub holds the reference but the source no longer has the row.
  nser::testing::writeFile(csv_, "beneficiary_id,full_name,income_pkr,district_name,disability\n"
                           "b-1,Person One,12000,Lahore,none\n");
  std::filesystem::last_write_time(csv_, std::filesystem::file_time_type::clock::now() + std::chrono::seconds(2));
  answer = server_->fetch(signedOrder(order("o-gone")));
  EXPECT_EQ(answer.status, 404);
  EXPECT_EQ(errorCode(answer), "UnknownReference");

  for (const std::string& body : {std::string("not json"), std::string("{}"),
                                  std::string(R"({"schema":"nser-fetch-order-v1","order_id":"x"})")}) {
    answer = server_->fetch(body);
    EXPECT_EQ(answer.status, 400) << body;
    EXPECT_EQ(errorCode(answer), "Malformed") << body;
  }
}
