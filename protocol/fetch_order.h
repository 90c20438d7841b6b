// FetchOrder: the hub's signed instruction to one custodian to release the
// permitted attributes of one record, sealed to the requester's key
// (docs/policy.md, "Fetch orders"; blind attribute brokering).
//
// The hub decides (policy/access_decision.h), then signs an order naming the
// requester and its X25519 public key, the custodian and its record
// reference, the purpose, exactly the permitted attributes, the agreement
// and consent that permitted them, and a short validity window. The
// custodian connector releases nothing without an order that passes
// checkFetchOrder() against the hub's Ed25519 key, and releases only the
// attributes the order names, sealed to `requesterKey`
// (protocol/sealed_attributes.h), so the hub relays bytes it cannot read.
//
// Signing bytes (pki/signing_bytes.h, tag "nser-fetch-order-v1"): order_id,
// requester, requester_key, custodian, reference, entity_id, purpose,
// attributes (sorted list), agreement_id, consent_id, issued_at, expires_at.
// Every field but the signature is signed.
//
// JSON on the wire: {"schema": "nser-fetch-order-v1", "order_id", "requester",
// "requester_key", "custodian", "reference", "entity_id"?, "purpose",
// "attributes", "agreement_id", "consent_id"?, "issued_at", "expires_at",
// "signature"} with times in unix seconds and the signature in base64.
// parseFetchOrder() throws ProtocolError naming the field.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pki/signing_key.h"

namespace nser::protocol {

inline constexpr std::string_view kFetchOrderSchema = "nser-fetch-order-v1";
// A custodian's clock may run this far behind the hub's before an order is
// "not yet valid". Expiry gets no grace.
inline constexpr std::int64_t kFetchOrderClockSkewSeconds = 30;

struct FetchOrder {
  std::string orderId;                  // 1-128 of [A-Za-z0-9._:-], unique per order
  std::string requester;                // programme party id
  std::string requesterKey;             // X25519 public key, standard base64 of 32 bytes
  std::string custodian;                // party id of the custodian that must release
  std::string reference;                // the record's reference at that custodian
  std::string entityId;                 // the hub's entity id (for the custodian's audit; may be "")
  std::string purpose;                  // purpose code
  std::vector<std::string> attributes;  // exactly the permitted attributes (at least one, distinct)
  std::string agreementId;
  std::string consentId;                // "" under a statutory basis
  std::int64_t issuedAt = 0;            // unix seconds
  std::int64_t expiresAt = 0;           // unix seconds, exclusive; > issuedAt
  std::string signature;                // raw 64 bytes
};

std::string fetchOrderSigningBytes(const FetchOrder& order);
void signFetchOrder(FetchOrder& order, const pki::SigningKey& hubKey);

enum class OrderCheck { Valid, BadSignature, Expired, NotYetValid, WrongCustodian, Malformed };
std::string_view orderCheckName(OrderCheck check);  // "Valid", "BadSignature", ...

// Checks, in order: well-formed (fields as documented above), signed by
// `hubKey`, addressed to `custodian`, issuedAt <= now + skew, now < expiresAt.
OrderCheck checkFetchOrder(const FetchOrder& order, const pki::PublicKey& hubKey, const std::string& custodian,
                           std::int64_t now);

// The reason `order` is not well formed ("" when it is), naming the field.
std::string fetchOrderProblem(const FetchOrder& order);

std::string fetchOrderToJson(const FetchOrder& order);
// Parses and checks well-formedness (not the signature); throws ProtocolError
// "fetch order: <field>: <what>".
FetchOrder parseFetchOrder(const std::string& json);

}  // namespace nser::protocol
