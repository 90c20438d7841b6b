#include "protocol/fetch_order.h"

#include <algorithm>
#include <iterator>
#include <optional>
#include <set>

#include "pki/party_id.h"
#include "pki/signing_bytes.h"
#include "protocol/ingest_batch.h"
#include "protocol/json_reader.h"
#include "protocol/json_writer.h"

namespace nser::protocol {

namespace {

constexpr std::size_t kMaxOrderIdBytes = 128;
constexpr std::size_t kMaxReferenceBytes = 128;
constexpr std::size_t kMaxAttributes = 256;
constexpr std::int64_t kLatestInstant = 253402300799;  // 9999-12-31T23:59:59Z

// The policy identifier rule (policy/policy_identifier.h): purpose codes,
// attribute names, agreement and consent ids.
bool policyIdentifier(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
}

std::string attributesProblem(const std::vector<std::string>& attributes) {
  if (attributes.empty()) return "attributes: must name at least one attribute";
  if (attributes.size() > kMaxAttributes) return "attributes: more than " + std::to_string(kMaxAttributes);
  std::set<std::string_view> seen;
  for (std::size_t i = 0; i < attributes.size(); ++i) {
    const std::string where = "attributes[" + std::to_string(i) + "]";
    if (!policyIdentifier(attributes[i])) return where + ": must be 1-64 characters of [a-z0-9._-]";
    if (!seen.insert(attributes[i]).second) return where + ": duplicate attribute";
  }
  return "";
}

}  // namespace

std::string_view orderCheckName(OrderCheck check) {
  switch (check) {
    case OrderCheck::Valid: return "Valid";
    case OrderCheck::BadSignature: return "BadSignature";
    case OrderCheck::Expired: return "Expired";
    case OrderCheck::NotYetValid: return "NotYetValid";
    case OrderCheck::WrongCustodian: return "WrongCustodian";
    case OrderCheck::Malformed: return "Malformed";
  }
  return "Malformed";
}

std::string fetchOrderSigningBytes(const FetchOrder& order) {
  pki::SigningBytes bytes(kFetchOrderSchema);
  bytes.field("order_id", order.orderId)
      .field("requester", order.requester)
      .field("requester_key", order.requesterKey)
      .field("custodian", order.custodian)
      .field("reference", order.reference)
      .field("entity_id", order.entityId)
      .field("purpose", order.purpose)
      .list("attributes", order.attributes)
      .field("agreement_id", order.agreementId)
      .field("consent_id", order.consentId)
      .field("issued_at", order.issuedAt)
      .field("expires_at", order.expiresAt);
  return bytes.bytes();
}

void signFetchOrder(FetchOrder& order, const pki::SigningKey& hubKey) {
  order.signature = hubKey.sign(fetchOrderSigningBytes(order));
}

std::string fetchOrderProblem(const FetchOrder& order) {
  if (!validRecordReference(order.orderId, kMaxOrderIdBytes)) return "order_id: must be 1-128 of [A-Za-z0-9._:-]";
  if (!pki::isValidPartyId(order.requester)) return "requester: not a party id";
  if (!pki::decodePublicKey(order.requesterKey)) return "requester_key: must be the base64 of a 32-byte X25519 key";
  if (!pki::isValidPartyId(order.custodian)) return "custodian: not a party id";
  if (!validRecordReference(order.reference, kMaxReferenceBytes)) return "reference: must be 1-128 of [A-Za-z0-9._:-]";
  if (order.entityId.size() > 256 ||
      !std::all_of(order.entityId.begin(), order.entityId.end(), [](char c) { return c > ' ' && c <= '~'; })) {
    return "entity_id: must be at most 256 printable ASCII characters without spaces";
  }
  if (!policyIdentifier(order.purpose)) return "purpose: must be 1-64 characters of [a-z0-9._-]";
  if (std::string problem = attributesProblem(order.attributes); !problem.empty()) return problem;
  if (!policyIdentifier(order.agreementId)) return "agreement_id: must be 1-64 characters of [a-z0-9._-]";
  if (!order.consentId.empty() && !policyIdentifier(order.consentId)) {
    return "consent_id: must be empty or 1-64 characters of [a-z0-9._-]";
  }
  if (order.issuedAt < 0 || order.issuedAt > kLatestInstant) return "issued_at: out of range";
  if (order.expiresAt <= order.issuedAt || order.expiresAt > kLatestInstant) {
    return "expires_at: must be later than issued_at";
  }
  if (order.signature.size() != pki::kSignatureBytes) return "signature: must be 64 bytes";
  return "";
}

OrderCheck checkFetchOrder(const FetchOrder& order, const pki::PublicKey& hubKey, const std::string& custodian,
                           std::int64_t now) {
  if (!fetchOrderProblem(order).empty()) return OrderCheck::Malformed;
  if (!pki::verifySignature(fetchOrderSigningBytes(order), order.signature, hubKey)) return OrderCheck::BadSignature;
  if (order.custodian != custodian) return OrderCheck::WrongCustodian;
  if (now + kFetchOrderClockSkewSeconds < order.issuedAt) return OrderCheck::NotYetValid;
  if (now >= order.expiresAt) return OrderCheck::Expired;
  return OrderCheck::Valid;
}

std::string fetchOrderToJson(const FetchOrder& order) {
  // Members in alphabetical order, as the Poco::JSON::Object this replaced
  // wrote them (readers do not depend on the order).
  JsonWriter json;
  json.beginObject();
  json.member("agreement_id", order.agreementId);
  json.key("attributes").beginArray();
  for (const auto& attribute : order.attributes) json.value(attribute);
  json.endArray();
  if (!order.consentId.empty()) json.member("consent_id", order.consentId);
  json.member("custodian", order.custodian);
  if (!order.entityId.empty()) json.member("entity_id", order.entityId);
  json.member("expires_at", order.expiresAt);
  json.member("issued_at", order.issuedAt);
  json.member("order_id", order.orderId);
  json.member("purpose", order.purpose);
  json.member("reference", order.reference);
  json.member("requester", order.requester);
  json.member("requester_key", order.requesterKey);
  json.member("schema", kFetchOrderSchema);
  json.member("signature", pki::toBase64(order.signature));
  json.endObject();
  return json.take();
}

FetchOrder parseFetchOrder(const std::string& json) {
  static constexpr std::string_view kKnown[] = {"schema",    "order_id",     "requester",  "requester_key", "custodian",
                                                "reference", "entity_id",    "purpose",    "attributes",    "agreement_id",
                                                "consent_id", "issued_at",   "expires_at", "signature"};
  auto fail = [](std::string_view path, const std::string& what) -> ProtocolError {
    return ProtocolError("fetch order: " + std::string(path) + ": " + what);
  };
  JsonDocument document = [&] {
    try {
      return JsonDocument::parse(json);
    } catch (const JsonSyntaxError& error) {
      throw ProtocolError(std::string("fetch order: invalid JSON: ") + error.what());
    }
  }();
  const JsonValue root = document.root();
  if (!root.isObject()) throw fail("(document root)", "expected an object, got " + root.describe());
  for (const JsonValue member : root) {
    if (std::find(std::begin(kKnown), std::end(kKnown), member.key()) != std::end(kKnown)) continue;
    std::string list;
    for (const auto known : kKnown) list += (list.empty() ? "" : ", ") + std::string(known);
    throw fail("(document root)", "unknown key '" + std::string(member.key()) + "' (known: " + list + ")");
  }
  // A required string member; optional ones may also be absent or null.
  auto text = [&](std::string_view key, bool required = true) -> std::string {
    const JsonValue value = root.find(key);
    if (!value || value.isNull()) {
      if (!required) return "";
      throw fail("(document root)", "missing required key '" + std::string(key) + "'");
    }
    if (!value.isString()) throw fail(key, "expected a string, got " + value.describe());
    return std::string(value.text());
  };
  auto instant = [&](std::string_view key) -> std::int64_t {
    const JsonValue value = root.find(key);
    if (!value) throw fail("(document root)", "missing required key '" + std::string(key) + "'");
    const std::optional<std::int64_t> seconds = value.integer();
    if (!seconds) throw fail(key, "expected an integer, got " + value.describe());
    if (*seconds < 0 || *seconds > kLatestInstant) {
      throw fail(key, "must be between 0 and " + std::to_string(kLatestInstant) + ", got " + std::to_string(*seconds));
    }
    return *seconds;
  };

  FetchOrder order;
  if (text("schema") != kFetchOrderSchema) throw fail("schema", "must be \"" + std::string(kFetchOrderSchema) + "\"");
  order.orderId = text("order_id");
  order.requester = text("requester");
  order.requesterKey = text("requester_key");
  order.custodian = text("custodian");
  order.reference = text("reference");
  order.entityId = text("entity_id", false);
  order.purpose = text("purpose");
  const JsonValue attributes = root.find("attributes");
  if (!attributes) throw fail("(document root)", "missing required key 'attributes'");
  if (!attributes.isArray()) throw fail("attributes", "expected an array, got " + attributes.describe());
  if (attributes.size() > kMaxAttributes) throw fail("attributes", "more than " + std::to_string(kMaxAttributes));
  order.attributes.reserve(attributes.size());
  for (const JsonValue attribute : attributes) {
    if (!attribute.isString()) {
      throw fail("attributes[" + std::to_string(order.attributes.size()) + "]",
                 "expected a string, got " + attribute.describe());
    }
    order.attributes.emplace_back(attribute.text());
  }
  order.agreementId = text("agreement_id");
  order.consentId = text("consent_id", false);
  order.issuedAt = instant("issued_at");
  order.expiresAt = instant("expires_at");
  const std::optional<std::string> raw = pki::fromBase64(text("signature"));
  if (!raw || raw->size() != pki::kSignatureBytes) throw fail("signature", "must be the base64 of a 64-byte signature");
  order.signature = *raw;
  if (const std::string problem = fetchOrderProblem(order); !problem.empty()) {
    throw ProtocolError("fetch order: " + problem);
  }
  return order;
}

}  // namespace nser::protocol
