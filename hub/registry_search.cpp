#include "hub/registry_search.h"

#include <memory>
#include <optional>

#include "hub/attribute_broker.h"
#include "protocol/encoded_query.h"
#include "protocol/ingest_batch.h"
#include "protocol/json_reader.h"
#include "protocol/json_writer.h"
#include "protocol/random_uuid.h"
#include "service/json_exchange.h"

namespace nser::hub {
namespace {

using protocol::JsonValue;

// A search_request that cannot be answered: DCI reason code + message.
struct Rejection {
  std::string code;
  std::string message;
  int status = 200;  // brokered outcomes carry their own HTTP status
  std::shared_ptr<const BrokerResult> data = nullptr;  // a brokered request's decisions, when it got that far
};

// The brokering part of a search_request, when it asks for attributes.
struct BrokeredAsk {
  std::string programme;
  std::string purpose;
  std::vector<std::string> attributes;
};

std::optional<BrokeredAsk> brokeredAsk(JsonValue criteria, const std::string& where) {
  const JsonValue names = criteria.find("attributes");
  if (!names) return std::nullopt;
  BrokeredAsk ask;
  const std::string at = where + ".search_criteria";
  if (!names.isArray()) {
    throw Rejection{"rjct.attributes.invalid", at + ".attributes must be an array of attribute names"};
  }
  ask.attributes.reserve(names.size());
  for (const JsonValue value : names) {
    if (!value.isString() || value.text().empty()) {
      throw Rejection{"rjct.attributes.invalid",
                      at + ".attributes[" + std::to_string(ask.attributes.size()) + "] must be a name"};
    }
    ask.attributes.emplace_back(value.text());
  }
  if (ask.attributes.empty() || ask.attributes.size() > 64) {
    throw Rejection{"rjct.attributes.invalid", at + ".attributes must name 1-64 attributes"};
  }
  for (const char* key : {"programme", "purpose"}) {
    if (criteria.find(key).string().value_or("").empty()) {
      throw Rejection{"rjct.attributes.invalid", at + "." + key + " is required when attributes are asked for"};
    }
  }
  ask.programme = std::string(criteria.find("programme").text());
  ask.purpose = std::string(criteria.find("purpose").text());
  return ask;
}

// The "attributes" member of a brokered answer (members in alphabetical
// order, as the Poco::JSON::Object trees this replaced wrote them).
void writeBrokered(protocol::JsonWriter& json, const BrokerResult& result) {
  json.beginObject();
  json.key("decisions").beginArray();
  for (const auto& row : result.attributes) {
    json.beginObject();
    if (!row.agreementId.empty()) json.member("agreement_id", row.agreementId);
    json.member("attribute", row.attribute);
    if (!row.consentId.empty()) json.member("consent_id", row.consentId);
    json.member("custodian", row.custodian);
    json.member("decision", row.permit ? "permit" : "deny");
    json.member("delivered", row.delivered);
    json.member("reason", row.reason);
    json.endObject();
  }
  json.endArray();
  json.key("sealed").beginArray();
  for (const auto& payload : result.payloads) {
    json.beginObject();
    json.member("custodian", payload.custodian);
    json.member("order_id", payload.orderId);
    json.member("sealed", payload.sealed);
    json.endObject();
  }
  json.endArray();
  json.endObject();
}

// The request body as a JSON object, with the errors of
// service::parseJsonObject (400 malformed_json / not_an_object).
protocol::JsonDocument parseEnvelope(const std::string& body) {
  try {
    protocol::JsonDocument document = protocol::JsonDocument::parse(body);
    if (!document.root().isObject()) {
      throw service::HttpError(400, "not_an_object", "request body must be a JSON object");
    }
    return document;
  } catch (const protocol::JsonSyntaxError& e) {
    throw service::HttpError(400, "malformed_json", std::string("request body is not valid JSON: ") + e.what());
  }
}

JsonValue objectMember(JsonValue parent, const std::string& key, const std::string& where) {
  const JsonValue value = parent.find(key);
  if (!value) throw service::HttpError(400, "malformed_envelope", where + "." + key + " is missing");
  if (!value.isObject()) {
    throw service::HttpError(400, "malformed_envelope", where + "." + key + " must be an object");
  }
  return value;
}

std::string stringMember(JsonValue parent, const std::string& key, const std::string& where) {
  const std::optional<std::string_view> value = parent.find(key).string();
  if (!value) throw service::HttpError(400, "malformed_envelope", where + "." + key + " must be a string");
  return std::string(*value);
}

std::string optionalString(JsonValue parent, std::string_view key) {
  return std::string(parent.find(key).string().value_or(""));
}

// An optional non-negative integer member (absent: `fallback`); nullopt when
// it is present but not one.
std::optional<std::size_t> optionalCount(JsonValue parent, std::string_view key, std::size_t fallback) {
  const JsonValue value = parent.find(key);
  if (!value) return fallback;
  const std::optional<std::int64_t> number = value.integer();
  if (!number || *number < 0) return std::nullopt;
  return static_cast<std::size_t>(*number);
}

std::string entityIdText(linkage::EntityId id) { return std::to_string(id); }

}  // namespace

RegistrySearch::RegistrySearch(const IngestService& ingest, const PartyRegistry& parties, EncodingBinding binding,
                               SearchOptions options, AttributeBroker* broker)
    : ingest_(ingest), parties_(parties), binding_(std::move(binding)), options_(std::move(options)), broker_(broker) {}

SearchAnswer RegistrySearch::search(const Party& caller, const std::string& body) const {
  const protocol::JsonDocument document = parseEnvelope(body);
  const JsonValue envelope = document.root();
  const JsonValue header = objectMember(envelope, "header", "$");
  const JsonValue message = objectMember(envelope, "message", "$");
  const std::string action = stringMember(header, "action", "$.header");
  if (action != "search") {
    throw service::HttpError(400, "malformed_envelope", "$.header.action must be \"search\", got \"" + action + "\"");
  }
  const std::string messageId = stringMember(header, "message_id", "$.header");
  const std::string senderId = stringMember(header, "sender_id", "$.header");
  const std::string transactionId = stringMember(message, "transaction_id", "$.message");
  const JsonValue requests = message.find("search_request");
  if (!requests.isArray()) {
    throw service::HttpError(400, "malformed_envelope", "$.message.search_request must be an array");
  }
  if (requests.size() == 0 || requests.size() > options_.maxRequestsPerMessage) {
    throw service::HttpError(400, "malformed_envelope",
                             "$.message.search_request must hold 1-" + std::to_string(options_.maxRequestsPerMessage) +
                                 " requests");
  }

  const EntityIndex* index = ingest_.index();
  const std::string now = currentTimestampUtc();
  // Every search_request's answer, as JSON text, in request order.
  std::vector<std::string> responses;
  responses.reserve(requests.size());
  std::size_t succeeded = 0;
  int brokeredStatus = 200;
  std::size_t i = 0;
  for (const JsonValue request : requests) {
    const std::string where = "$.message.search_request[" + std::to_string(i++) + "]";
    protocol::JsonWriter response;
    std::string referenceId;
    try {
      if (!request.isObject()) throw Rejection{"rjct.search_request.invalid", where + " must be an object"};
      referenceId = optionalString(request, "reference_id");
      if (referenceId.empty()) throw Rejection{"rjct.reference_id.invalid", where + ".reference_id is missing"};
      const JsonValue criteria = request.find("search_criteria");
      if (!criteria.isObject()) {
        throw Rejection{"rjct.search_criteria.invalid", where + ".search_criteria must be an object"};
      }
      const std::string queryType = optionalString(criteria, "query_type");
      if (queryType != "idtype-value") {
        throw Rejection{"rjct.query_type.invalid",
                        where + ".search_criteria.query_type must be \"idtype-value\" (encodings, tokens or entity ids)"};
      }
      const JsonValue query = criteria.find("query");
      if (!query.isObject()) {
        throw Rejection{"rjct.query.invalid", where + ".search_criteria.query must be an object"};
      }
      std::size_t pageSize = 10;
      std::size_t pageNumber = 1;
      if (const JsonValue pagination = criteria.find("pagination"); pagination.isObject()) {
        const auto size = optionalCount(pagination, "page_size", 10);
        const auto number = optionalCount(pagination, "page_number", 1);
        if (!size || !number) {
          throw Rejection{"rjct.pagination.invalid", where + ".search_criteria.pagination values must be integers"};
        }
        pageSize = *size;
        pageNumber = *number;
        if (pageSize < 1 || pageSize > options_.maxPageSize || pageNumber < 1 || pageNumber > 1000) {
          throw Rejection{"rjct.pagination.invalid", where + ".search_criteria.pagination: page_size 1-" +
                                                         std::to_string(options_.maxPageSize) +
                                                         ", page_number 1-1000"};
        }
      }
      const std::string type = optionalString(query, "type");
      const std::string value = optionalString(query, "value");
      const auto ask = brokeredAsk(criteria, where);
      if (ask && broker_ == nullptr) {
        throw Rejection{"rjct.attributes.invalid", where + ": this hub does not broker attributes"};
      }
      // A brokered request needs the runner-up to judge ambiguity.
      const std::size_t wanted = std::min<std::size_t>(std::max<std::size_t>(pageSize * pageNumber, ask ? 2 : 1), 1000);
      std::vector<SearchHit> hits;
      try {
        if (type == protocol::kQueryEncodedRecord) {
          if (optionalString(query, "schema_id") != binding_.schemaId ||
              optionalString(query, "schema_digest") != binding_.schemaDigest) {
            throw Rejection{"rjct.query.invalid", where +
                                                      ".search_criteria.query was encoded under another schema "
                                                      "than this hub accepts"};
          }
          // Only the current key epoch is searched: a prepared next epoch is
          // incomplete until the switch, and encodings under different keys
          // cannot be compared (docs/key-rotation.md).
          const JsonValue epochValue = query.find("key_epoch");
          const std::optional<std::int64_t> epochNumber = epochValue ? epochValue.integer() : std::int64_t{-1};
          if (!epochNumber) {
            throw Rejection{"rjct.query.invalid", where + ".search_criteria.query.key_epoch must be an integer"};
          }
          const long long epoch = *epochNumber;
          const KeyEpochs epochs = ingest_.keyEpochs();
          if (epoch != static_cast<long long>(epochs.current)) {
            throw Rejection{"rjct.query.invalid",
                            where + ".search_criteria.query was encoded under key epoch " + std::to_string(epoch) +
                                "; this hub searches key epoch " + std::to_string(epochs.current) +
                                (epochs.rotating() && epoch == static_cast<long long>(epochs.next)
                                     ? " until the prepared switch to " + std::to_string(epochs.next)
                                     : "")};
          }
          const auto record = protocol::decodeRecordQuery(value);
          if (index != nullptr) {
            auto found = index->searchAtEpoch(record, epochs.current, wanted, options_.minProbability);
            if (!found) {
              throw Rejection{"rjct.query.invalid",
                              where + ": the hub switched its key epoch during this search; re-encode and retry"};
            }
            hits = std::move(*found);
          }
        } else if (type == protocol::kQueryCnicToken) {
          const auto token = protocol::decodeCnicToken(value);
          if (index != nullptr) hits = index->searchToken(token, wanted);
        } else if (type == protocol::kQueryEntityId) {
          linkage::EntityId id = 0;
          try {
            std::size_t used = 0;
            id = std::stoull(value, &used);
            if (used != value.size()) throw std::invalid_argument("trailing");
          } catch (const std::exception&) {
            throw Rejection{"rjct.query.invalid", where + ".search_criteria.query.value must be an entity id"};
          }
          if (index != nullptr) {
            if (auto hit = index->entity(id)) hits.push_back(*hit);
          }
        } else {
          throw Rejection{"rjct.query.invalid", where + ".search_criteria.query.type must be one of " +
                                                    std::string(protocol::kQueryEncodedRecord) + ", " +
                                                    std::string(protocol::kQueryCnicToken) + ", " +
                                                    std::string(protocol::kQueryEntityId)};
        }
      } catch (const protocol::ProtocolError& e) {
        throw Rejection{"rjct.query.invalid", where + ".search_criteria.query: " + e.what()};
      }

      std::shared_ptr<const BrokerResult> brokered;
      if (ask) {
        if (hits.empty()) throw Rejection{"NoMatch", where + ": no entity matches the query", 404};
        if (hits.size() > 1 && hits[0].probability - hits[1].probability < options_.ambiguityMargin) {
          throw Rejection{"AmbiguousMatch",
                          where + ": more than one entity matches; add identifying data (CNIC, date of birth, ...)",
                          409};
        }
        hits.resize(1);
        BrokerRequest brokerRequest{transactionId + "/" + referenceId, ask->programme, ask->purpose, ask->attributes,
                                    hits[0].entity};
        try {
          brokered = std::make_shared<const BrokerResult>(broker_->broker(caller, brokerRequest));
          if (!brokered->anyPermit()) {
            throw Rejection{brokered->denialReason(), where + ": no asked attribute may be shared", 403, brokered};
          }
        } catch (const service::HttpError& e) {
          throw Rejection{e.code(), where + ": " + e.what(), e.status()};
        }
      }

      // Members in alphabetical order, as the Poco::JSON::Object trees this
      // replaced wrote them (readers do not depend on the order).
      const std::size_t first = (pageNumber - 1) * pageSize;
      response.beginObject();
      response.key("data").beginObject();
      if (brokered) {
        response.key("attributes");
        writeBrokered(response, *brokered);
      }
      response.member("reg_record_type", "nser:entity-match");
      response.key("reg_records").beginArray();
      for (std::size_t h = first; h < hits.size() && h < first + pageSize; ++h) {
        response.beginObject();
        response.key("custodians").beginArray();
        for (auto number : hits[h].custodians) {
          const auto id = parties_.custodianId(number);
          response.value(id ? *id : "custodian-" + std::to_string(number));
        }
        response.endArray();
        response.member("entity_id", entityIdText(hits[h].entity));
        response.member("match_probability", hits[h].probability);
        response.member("record_count", hits[h].records);
        response.endObject();
      }
      response.endArray();
      response.member("reg_type", "nser:entity");
      response.endObject();
      response.key("pagination").beginObject();
      response.member("page_number", pageNumber);
      response.member("page_size", pageSize);
      response.member("total_count", hits.size());
      response.endObject();
      response.member("reference_id", referenceId);
      response.member("status", "succ");
      response.member("timestamp", now);
      response.endObject();
      ++succeeded;
    } catch (const Rejection& rejection) {
      response = protocol::JsonWriter();
      response.beginObject();
      if (rejection.data) {
        response.key("data").beginObject().key("attributes");
        writeBrokered(response, *rejection.data);
        response.endObject();
      }
      response.member("reference_id", referenceId);
      response.member("status", "rjct");
      response.member("status_reason_code", rejection.code);
      response.member("status_reason_message", rejection.message);
      response.member("timestamp", now);
      response.endObject();
      if (rejection.status != 200) brokeredStatus = rejection.status;
    }
    responses.push_back(response.take());
  }

  protocol::JsonWriter reply;
  reply.beginObject();
  reply.key("header").beginObject();
  reply.member("action", "on-search");
  reply.member("completed_count", succeeded);
  reply.member("correlation_message_id", messageId);
  reply.member("message_id", protocol::randomUuid());
  reply.member("message_ts", now);
  reply.member("receiver_id", senderId);
  reply.member("sender_id", options_.hubId);
  reply.member("status", succeeded == requests.size() ? "succ" : (succeeded == 0 ? "rjct" : "part"));
  reply.member("total_count", requests.size());
  reply.member("version", "1.0.0");
  reply.endObject();
  reply.key("message").beginObject();
  reply.member("correlation_id", messageId);
  reply.key("search_response").beginArray();
  for (const auto& text : responses) reply.rawValue(text);
  reply.endArray();
  reply.member("transaction_id", transactionId);
  reply.endObject();
  reply.member("signature", "");
  reply.endObject();
  return {requests.size() == 1 ? brokeredStatus : 200, reply.take()};
}

}  // namespace nser::hub
