#include "protocol/search_envelope.h"

#include <Poco/DateTimeFormatter.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/Timestamp.h>
#include <Poco/UUIDGenerator.h>

#include <sstream>

#include "protocol/encoded_query.h"

namespace nser::protocol {

SearchQuery encodedRecordQuery(std::string referenceId, const linkage::EncodedRecord& record) {
  SearchQuery query;
  query.referenceId = std::move(referenceId);
  query.type = std::string(kQueryEncodedRecord);
  query.value = encodeRecordQuery(record);
  return query;
}

std::string buildSearchRequest(const SearchEnvelope& envelope) {
  auto uuid = [] { return Poco::UUIDGenerator::defaultGenerator().createRandom().toString(); };
  const std::string now = Poco::DateTimeFormatter::format(Poco::Timestamp(), "%Y-%m-%dT%H:%M:%S.%iZ");
  Poco::JSON::Array::Ptr requests = new Poco::JSON::Array;
  for (const auto& q : envelope.queries) {
    Poco::JSON::Object::Ptr query = new Poco::JSON::Object;
    query->set("type", q.type);
    query->set("value", q.value);
    if (q.type == kQueryEncodedRecord) {
      query->set("schema_id", envelope.schemaId);
      query->set("schema_digest", envelope.schemaDigest);
      query->set("key_epoch", envelope.keyEpoch);
    }
    Poco::JSON::Object::Ptr pagination = new Poco::JSON::Object;
    pagination->set("page_size", q.pageSize);
    pagination->set("page_number", q.pageNumber);
    Poco::JSON::Object::Ptr criteria = new Poco::JSON::Object;
    criteria->set("query_type", "idtype-value");
    criteria->set("query", query);
    criteria->set("pagination", pagination);
    if (!q.attributes.empty()) {
      Poco::JSON::Array::Ptr attributes = new Poco::JSON::Array;
      for (const auto& name : q.attributes) attributes->add(name);
      criteria->set("programme", q.programme);
      criteria->set("purpose", q.purpose);
      criteria->set("attributes", attributes);
    }
    Poco::JSON::Object::Ptr request = new Poco::JSON::Object;
    request->set("reference_id", q.referenceId);
    request->set("timestamp", now);
    request->set("search_criteria", criteria);
    requests->add(request);
  }
  Poco::JSON::Object::Ptr header = new Poco::JSON::Object;
  header->set("version", "1.0.0");
  header->set("message_id", envelope.messageId.empty() ? uuid() : envelope.messageId);
  header->set("message_ts", now);
  header->set("action", "search");
  header->set("sender_id", envelope.senderId);
  header->set("receiver_id", envelope.receiverId);
  header->set("total_count", envelope.queries.size());
  Poco::JSON::Object::Ptr message = new Poco::JSON::Object;
  message->set("transaction_id", envelope.transactionId.empty() ? uuid() : envelope.transactionId);
  message->set("search_request", requests);
  Poco::JSON::Object root;
  root.set("signature", "");
  root.set("header", header);
  root.set("message", message);
  std::ostringstream out;
  root.stringify(out);
  return out.str();
}

}  // namespace nser::protocol
