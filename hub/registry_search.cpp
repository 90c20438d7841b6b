#include "hub/registry_search.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/UUIDGenerator.h>

#include <optional>
#include <sstream>

#include "hub/attribute_broker.h"
#include "protocol/encoded_query.h"
#include "protocol/ingest_batch.h"
#include "service/json_exchange.h"

namespace nser::hub {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

// A search_request that cannot be answered: DCI reason code + message.
struct Rejection {
  std::string code;
  std::string message;
  int status = 200;  // brokered outcomes carry their own HTTP status
  Object::Ptr data = nullptr;
};

// The brokering part of a search_request, when it asks for attributes.
struct BrokeredAsk {
  std::string programme;
  std::string purpose;
  std::vector<std::string> attributes;
};

std::optional<BrokeredAsk> brokeredAsk(const Object::Ptr& criteria, const std::string& where) {
  if (!criteria->has("attributes")) return std::nullopt;
  BrokeredAsk ask;
  const std::string at = where + ".search_criteria";
  if (criteria->get("attributes").type() != typeid(Array::Ptr)) {
    throw Rejection{"rjct.attributes.invalid", at + ".attributes must be an array of attribute names"};
  }
  const auto names = criteria->getArray("attributes");
  for (std::size_t i = 0; i < names->size(); ++i) {
    const auto value = names->get(static_cast<unsigned>(i));
    if (!value.isString() || value.toString().empty()) {
      throw Rejection{"rjct.attributes.invalid", at + ".attributes[" + std::to_string(i) + "] must be a name"};
    }
    ask.attributes.push_back(value.toString());
  }
  if (ask.attributes.empty() || ask.attributes.size() > 64) {
    throw Rejection{"rjct.attributes.invalid", at + ".attributes must name 1-64 attributes"};
  }
  for (const char* key : {"programme", "purpose"}) {
    if (!criteria->has(key) || !criteria->get(key).isString() || criteria->getValue<std::string>(key).empty()) {
      throw Rejection{"rjct.attributes.invalid", at + "." + key + " is required when attributes are asked for"};
    }
  }
  ask.programme = criteria->getValue<std::string>("programme");
  ask.purpose = criteria->getValue<std::string>("purpose");
  return ask;
}

Object::Ptr brokeredData(const BrokerResult& result) {
  Array::Ptr decisions = new Array;
  for (const auto& row : result.attributes) {
    Object::Ptr item = new Object;
    item->set("attribute", row.attribute);
    item->set("custodian", row.custodian);
    item->set("decision", row.permit ? "permit" : "deny");
    item->set("reason", row.reason);
    item->set("delivered", row.delivered);
    if (!row.agreementId.empty()) item->set("agreement_id", row.agreementId);
    if (!row.consentId.empty()) item->set("consent_id", row.consentId);
    decisions->add(item);
  }
  Array::Ptr sealed = new Array;
  for (const auto& payload : result.payloads) {
    Object::Ptr item = new Object;
    item->set("custodian", payload.custodian);
    item->set("order_id", payload.orderId);
    item->set("sealed", payload.sealed);
    sealed->add(item);
  }
  Object::Ptr out = new Object;
  out->set("decisions", decisions);
  out->set("sealed", sealed);
  return out;
}

Object::Ptr objectMember(const Object::Ptr& parent, const std::string& key, const std::string& where) {
  if (!parent->has(key)) throw service::HttpError(400, "malformed_envelope", where + "." + key + " is missing");
  auto value = parent->get(key);
  if (value.type() != typeid(Object::Ptr)) {
    throw service::HttpError(400, "malformed_envelope", where + "." + key + " must be an object");
  }
  return value.extract<Object::Ptr>();
}

std::string stringMember(const Object::Ptr& parent, const std::string& key, const std::string& where) {
  if (!parent->has(key) || !parent->get(key).isString()) {
    throw service::HttpError(400, "malformed_envelope", where + "." + key + " must be a string");
  }
  return parent->getValue<std::string>(key);
}

std::string optionalString(const Object::Ptr& parent, const std::string& key) {
  if (!parent->has(key) || !parent->get(key).isString()) return "";
  return parent->getValue<std::string>(key);
}

std::string entityIdText(linkage::EntityId id) { return std::to_string(id); }

}  // namespace

RegistrySearch::RegistrySearch(const IngestService& ingest, const PartyRegistry& parties, EncodingBinding binding,
                               SearchOptions options, AttributeBroker* broker)
    : ingest_(ingest), parties_(parties), binding_(std::move(binding)), options_(std::move(options)), broker_(broker) {}

SearchAnswer RegistrySearch::search(const Party& caller, const std::string& body) const {
  const Object::Ptr envelope = service::parseJsonObject(body);
  const Object::Ptr header = objectMember(envelope, "header", "$");
  const Object::Ptr message = objectMember(envelope, "message", "$");
  const std::string action = stringMember(header, "action", "$.header");
  if (action != "search") {
    throw service::HttpError(400, "malformed_envelope", "$.header.action must be \"search\", got \"" + action + "\"");
  }
  const std::string messageId = stringMember(header, "message_id", "$.header");
  const std::string senderId = stringMember(header, "sender_id", "$.header");
  const std::string transactionId = stringMember(message, "transaction_id", "$.message");
  if (!message->has("search_request") || message->get("search_request").type() != typeid(Array::Ptr)) {
    throw service::HttpError(400, "malformed_envelope", "$.message.search_request must be an array");
  }
  const auto requests = message->getArray("search_request");
  if (requests->size() == 0 || requests->size() > options_.maxRequestsPerMessage) {
    throw service::HttpError(400, "malformed_envelope",
                             "$.message.search_request must hold 1-" + std::to_string(options_.maxRequestsPerMessage) +
                                 " requests");
  }

  const EntityIndex* index = ingest_.index();
  const std::string now = currentTimestampUtc();
  Array::Ptr responses = new Array;
  std::size_t succeeded = 0;
  int brokeredStatus = 200;
  for (std::size_t i = 0; i < requests->size(); ++i) {
    const std::string where = "$.message.search_request[" + std::to_string(i) + "]";
    Object::Ptr response = new Object;
    response->set("timestamp", now);
    std::string referenceId;
    try {
      if (requests->get(static_cast<unsigned>(i)).type() != typeid(Object::Ptr)) {
        throw Rejection{"rjct.search_request.invalid", where + " must be an object"};
      }
      const auto request = requests->getObject(static_cast<unsigned>(i));
      referenceId = optionalString(request, "reference_id");
      if (referenceId.empty()) throw Rejection{"rjct.reference_id.invalid", where + ".reference_id is missing"};
      if (!request->has("search_criteria") || request->get("search_criteria").type() != typeid(Object::Ptr)) {
        throw Rejection{"rjct.search_criteria.invalid", where + ".search_criteria must be an object"};
      }
      const auto criteria = request->getObject("search_criteria");
      const std::string queryType = optionalString(criteria, "query_type");
      if (queryType != "idtype-value") {
        throw Rejection{"rjct.query_type.invalid",
                        where + ".search_criteria.query_type must be \"idtype-value\" (encodings, tokens or entity ids)"};
      }
      if (!criteria->has("query") || criteria->get("query").type() != typeid(Object::Ptr)) {
        throw Rejection{"rjct.query.invalid", where + ".search_criteria.query must be an object"};
      }
      const auto query = criteria->getObject("query");
      std::size_t pageSize = 10;
      std::size_t pageNumber = 1;
      if (criteria->has("pagination") && criteria->get("pagination").type() == typeid(Object::Ptr)) {
        const auto pagination = criteria->getObject("pagination");
        try {
          pageSize = pagination->optValue<std::size_t>("page_size", 10);
          pageNumber = pagination->optValue<std::size_t>("page_number", 1);
        } catch (const Poco::Exception&) {
          throw Rejection{"rjct.pagination.invalid", where + ".search_criteria.pagination values must be integers"};
        }
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
          const auto epoch = query->optValue<long long>("key_epoch", -1);
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

      Object::Ptr brokered;
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
          const BrokerResult result = broker_->broker(caller, brokerRequest);
          brokered = brokeredData(result);
          if (!result.anyPermit()) {
            throw Rejection{result.denialReason(), where + ": no asked attribute may be shared", 403, brokered};
          }
        } catch (const service::HttpError& e) {
          throw Rejection{e.code(), where + ": " + e.what(), e.status()};
        }
      }

      Array::Ptr records = new Array;
      const std::size_t first = (pageNumber - 1) * pageSize;
      for (std::size_t h = first; h < hits.size() && h < first + pageSize; ++h) {
        Object::Ptr record = new Object;
        record->set("entity_id", entityIdText(hits[h].entity));
        record->set("match_probability", hits[h].probability);
        Array::Ptr custodians = new Array;
        for (auto number : hits[h].custodians) {
          const auto id = parties_.custodianId(number);
          custodians->add(id ? *id : "custodian-" + std::to_string(number));
        }
        record->set("custodians", custodians);
        record->set("record_count", hits[h].records);
        records->add(record);
      }
      Object::Ptr data = new Object;
      data->set("reg_type", "nser:entity");
      data->set("reg_record_type", "nser:entity-match");
      data->set("reg_records", records);
      if (brokered) data->set("attributes", brokered);
      Object::Ptr page = new Object;
      page->set("page_size", pageSize);
      page->set("page_number", pageNumber);
      page->set("total_count", hits.size());
      response->set("reference_id", referenceId);
      response->set("status", "succ");
      response->set("data", data);
      response->set("pagination", page);
      ++succeeded;
    } catch (const Rejection& rejection) {
      response->set("reference_id", referenceId);
      response->set("status", "rjct");
      response->set("status_reason_code", rejection.code);
      response->set("status_reason_message", rejection.message);
      if (rejection.data) {
        Object::Ptr data = new Object;
        data->set("attributes", rejection.data);
        response->set("data", data);
      }
      if (rejection.status != 200) brokeredStatus = rejection.status;
    }
    responses->add(response);
  }

  Object::Ptr replyHeader = new Object;
  replyHeader->set("version", "1.0.0");
  replyHeader->set("message_id", Poco::UUIDGenerator::defaultGenerator().createRandom().toString());
  replyHeader->set("message_ts", now);
  replyHeader->set("action", "on-search");
  replyHeader->set("status", succeeded == requests->size() ? "succ" : (succeeded == 0 ? "rjct" : "part"));
  replyHeader->set("total_count", requests->size());
  replyHeader->set("completed_count", succeeded);
  replyHeader->set("sender_id", options_.hubId);
  replyHeader->set("receiver_id", senderId);
  replyHeader->set("correlation_message_id", messageId);
  Object::Ptr replyMessage = new Object;
  replyMessage->set("transaction_id", transactionId);
  replyMessage->set("correlation_id", messageId);
  replyMessage->set("search_response", responses);
  Object reply;
  reply.set("signature", "");
  reply.set("header", replyHeader);
  reply.set("message", replyMessage);
  std::ostringstream out;
  reply.stringify(out);
  return {requests->size() == 1 ? brokeredStatus : 200, out.str()};
}

}  // namespace nser::hub
