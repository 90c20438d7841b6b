#include "protocol/fetch_order.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "protocol/ingest_batch.h"
#include "protocol/sealed_attributes.h"

namespace nser::protocol {
namespace {

constexpr std::int64_t kNow = 1780000000;

FetchOrder sampleOrder(const pki::SigningKey& hub) {
  FetchOrder order;
  order.orderId = "ord-7f3a";
  order.requester = "kafaalat";
  order.requesterKey = BoxKeyPair::generate().publicKeyBase64();
  order.custodian = "punjab-health";
  order.reference = "rec-00042";
  order.entityId = "E-42";
  order.purpose = "eligibility";
  order.attributes = {"district", "disability_status"};
  order.agreementId = "agr-1";
  order.consentId = "c-0001";
  order.issuedAt = kNow;
  order.expiresAt = kNow + 60;
  signFetchOrder(order, hub);
  return order;
}

TEST(FetchOrder, ValidOrderPassesForItsCustodianWithinItsWindow) {
  const pki::SigningKey hub = pki::SigningKey::generate();
  const FetchOrder order = sampleOrder(hub);
  EXPECT_EQ(fetchOrderProblem(order), "");
  EXPECT_EQ(checkFetchOrder(order, hub.publicKey(), "punjab-health", kNow), OrderCheck::Valid);
  EXPECT_EQ(checkFetchOrder(order, hub.publicKey(), "punjab-health", kNow + 59), OrderCheck::Valid);
}

TEST(FetchOrder, ExpiredNotYetValidAndWrongCustodianAreRejected) {
  const pki::SigningKey hub = pki::SigningKey::generate();
  const FetchOrder order = sampleOrder(hub);
  EXPECT_EQ(checkFetchOrder(order, hub.publicKey(), "punjab-health", kNow + 60), OrderCheck::Expired);
  EXPECT_EQ(checkFetchOrder(order, hub.publicKey(), "punjab-health", kNow + 100000), OrderCheck::Expired);
  // A custodian clock slightly behind is tolerated; far behind is not.
  EXPECT_EQ(checkFetchOrder(order, hub.publicKey(), "punjab-health", kNow - kFetchOrderClockSkewSeconds),
            OrderCheck::Valid);
  EXPECT_EQ(checkFetchOrder(order, hub.publicKey(), "punjab-health", kNow - kFetchOrderClockSkewSeconds - 1),
            OrderCheck::NotYetValid);
  EXPECT_EQ(checkFetchOrder(order, hub.publicKey(), "sindh-health", kNow), OrderCheck::WrongCustodian);
  // Another hub's key.
  EXPECT_EQ(checkFetchOrder(order, pki::SigningKey::generate().publicKey(), "punjab-health", kNow),
            OrderCheck::BadSignature);
}

// Forgery: one byte flipped in any field (or the signature) is refused.
TEST(FetchOrder, OneFlippedByteInAnyFieldOrTheSignatureIsRefused) {
  const pki::SigningKey hub = pki::SigningKey::generate();
  const FetchOrder order = sampleOrder(hub);
  // Flips one character to another one allowed in the field, so the order stays well formed.
  auto flip = [](std::string& text, std::size_t at) { text[at] = text[at] == 'a' ? 'b' : 'a'; };
  const std::vector<std::pair<std::string, std::function<void(FetchOrder&, std::size_t)>>> fields = {
      {"order_id", [&](FetchOrder& o, std::size_t i) { flip(o.orderId, i % o.orderId.size()); }},
      {"requester", [&](FetchOrder& o, std::size_t i) { flip(o.requester, i % o.requester.size()); }},
      {"requester_key", [&](FetchOrder& o, std::size_t i) { flip(o.requesterKey, i % 40); }},
      {"custodian", [&](FetchOrder& o, std::size_t i) { flip(o.custodian, i % o.custodian.size()); }},
      {"reference", [&](FetchOrder& o, std::size_t i) { flip(o.reference, i % o.reference.size()); }},
      {"entity_id", [&](FetchOrder& o, std::size_t i) { flip(o.entityId, i % o.entityId.size()); }},
      {"purpose", [&](FetchOrder& o, std::size_t i) { flip(o.purpose, i % o.purpose.size()); }},
      {"attributes", [&](FetchOrder& o, std::size_t i) { flip(o.attributes[i % 2], i % o.attributes[i % 2].size()); }},
      {"agreement_id", [&](FetchOrder& o, std::size_t i) { flip(o.agreementId, i % o.agreementId.size()); }},
      {"consent_id", [&](FetchOrder& o, std::size_t i) { flip(o.consentId, i % o.consentId.size()); }},
      {"issued_at", [](FetchOrder& o, std::size_t i) { o.issuedAt ^= std::int64_t{1} << (i % 8); }},
      {"expires_at", [](FetchOrder& o, std::size_t i) { o.expiresAt ^= std::int64_t{1} << (i % 8); }},
  };
  for (const auto& [name, change] : fields) {
    for (std::size_t i = 0; i < 8; ++i) {
      FetchOrder forged = order;
      change(forged, i);
      const OrderCheck check = checkFetchOrder(forged, hub.publicKey(), forged.custodian, kNow);
      EXPECT_TRUE(check == OrderCheck::BadSignature || check == OrderCheck::Malformed)
          << name << " byte " << i << ": " << orderCheckName(check);
    }
  }
  for (std::size_t i = 0; i < order.signature.size(); ++i) {
    for (int bit = 0; bit < 8; bit += 3) {
      FetchOrder forged = order;
      forged.signature[i] = static_cast<char>(forged.signature[i] ^ (1 << bit));
      EXPECT_EQ(checkFetchOrder(forged, hub.publicKey(), "punjab-health", kNow), OrderCheck::BadSignature)
          << "signature byte " << i;
    }
  }
  // Dropping or adding an attribute is a forgery too; reordering is not (attributes are a set).
  FetchOrder fewer = order;
  fewer.attributes.pop_back();
  EXPECT_EQ(checkFetchOrder(fewer, hub.publicKey(), "punjab-health", kNow), OrderCheck::BadSignature);
  FetchOrder more = order;
  more.attributes.push_back("income");
  EXPECT_EQ(checkFetchOrder(more, hub.publicKey(), "punjab-health", kNow), OrderCheck::BadSignature);
  FetchOrder reordered = order;
  std::swap(reordered.attributes[0], reordered.attributes[1]);
  EXPECT_EQ(checkFetchOrder(reordered, hub.publicKey(), "punjab-health", kNow), OrderCheck::Valid);
}

TEST(FetchOrder, JsonRoundTripsAndTheParsedOrderStillVerifies) {
  const pki::SigningKey hub = pki::SigningKey::generate();
  FetchOrder order = sampleOrder(hub);
  const FetchOrder back = parseFetchOrder(fetchOrderToJson(order));
  EXPECT_EQ(fetchOrderSigningBytes(back), fetchOrderSigningBytes(order));
  EXPECT_EQ(back.signature, order.signature);
  EXPECT_EQ(checkFetchOrder(back, hub.publicKey(), "punjab-health", kNow), OrderCheck::Valid);
  // A statutory order has no consent id and may omit the entity id.
  order.consentId.clear();
  order.entityId.clear();
  signFetchOrder(order, hub);
  const std::string json = fetchOrderToJson(order);
  EXPECT_EQ(json.find("consent_id"), std::string::npos) << json;
  EXPECT_EQ(checkFetchOrder(parseFetchOrder(json), hub.publicKey(), "punjab-health", kNow), OrderCheck::Valid);
}

TEST(FetchOrder, ParseErrorsNameTheField) {
  const pki::SigningKey hub = pki::SigningKey::generate();
  const std::string json = fetchOrderToJson(sampleOrder(hub));
  auto errorOf = [&](const std::string& from, const std::string& to) -> std::string {
    std::string text = json;
    const auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
    try {
      parseFetchOrder(text);
    } catch (const ProtocolError& error) {
      return error.what();
    }
    return "";
  };
  EXPECT_NE(errorOf("\"attributes\":[\"district\"", "\"attributes\":[7").find("fetch order: attributes[0]"),
            std::string::npos);
  EXPECT_NE(errorOf("\"attributes\":[\"district\",\"disability_status\"]", "\"attributes\":[]")
                .find("fetch order: attributes: must name at least one"),
            std::string::npos);
  EXPECT_NE(errorOf("\"custodian\":\"punjab-health\"", "\"custodian\":\"Punjab Health\"").find("fetch order: custodian"),
            std::string::npos);
  EXPECT_NE(errorOf("\"expires_at\":1780000060", "\"expires_at\":1780000000").find("fetch order: expires_at"),
            std::string::npos);
  EXPECT_NE(errorOf("\"requester\":\"kafaalat\"", "\"requester\":\"kafaalat\",\"extra\":1").find("unknown key 'extra'"),
            std::string::npos);
  EXPECT_NE(errorOf("\"order_id\":\"ord-7f3a\",", "").find("missing required key 'order_id'"), std::string::npos);
  EXPECT_NE(errorOf("\"schema\":\"nser-fetch-order-v1\"", "\"schema\":\"nser-fetch-order-v0\"").find("fetch order: schema"),
            std::string::npos);
  const std::string badSignature = errorOf("\"signature\":\"", "\"signature\":\"AAAA");
  EXPECT_NE(badSignature.find("fetch order: signature"), std::string::npos) << badSignature;
  EXPECT_THROW(parseFetchOrder("not json"), ProtocolError);
}

TEST(FetchOrder, MalformedOrdersAreReportedBeforeTheSignature) {
  const pki::SigningKey hub = pki::SigningKey::generate();
  FetchOrder order = sampleOrder(hub);
  order.requesterKey = "not-a-key";
  EXPECT_EQ(checkFetchOrder(order, hub.publicKey(), "punjab-health", kNow), OrderCheck::Malformed);
  EXPECT_NE(fetchOrderProblem(order).find("requester_key"), std::string::npos);
  order = sampleOrder(hub);
  order.signature.clear();
  EXPECT_EQ(checkFetchOrder(order, hub.publicKey(), "punjab-health", kNow), OrderCheck::Malformed);
  order = sampleOrder(hub);
  order.attributes.push_back("district");
  EXPECT_NE(fetchOrderProblem(order).find("duplicate"), std::string::npos);
  EXPECT_EQ(orderCheckName(OrderCheck::WrongCustodian), "WrongCustodian");
}

}  // namespace
}  // namespace nser::protocol
