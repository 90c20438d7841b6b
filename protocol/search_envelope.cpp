#include "protocol/search_envelope.h"

#include <Poco/DateTimeFormatter.h>
#include <Poco/Timestamp.h>

#include "protocol/encoded_query.h"
#include "protocol/json_writer.h"
#include "protocol/random_uuid.h"

namespace nser::protocol {

SearchQuery encodedRecordQuery(std::string referenceId, const linkage::EncodedRecord& record) {
  SearchQuery query;
  query.referenceId = std::move(referenceId);
  query.type = std::string(kQueryEncodedRecord);
  query.value = encodeRecordQuery(record);
  return query;
}

std::string buildSearchRequest(const SearchEnvelope& envelope) {
  auto uuid = [] { return randomUuid(); };
  const std::string now = Poco::DateTimeFormatter::format(Poco::Timestamp(), "%Y-%m-%dT%H:%M:%S.%iZ");
  // Members in alphabetical order, as the Poco::JSON::Object tree this
  // replaced wrote them (readers do not depend on the order).
  JsonWriter json;
  json.beginObject();
  json.key("header").beginObject();
  json.member("action", "search");
  json.member("message_id", envelope.messageId.empty() ? uuid() : envelope.messageId);
  json.member("message_ts", now);
  json.member("receiver_id", envelope.receiverId);
  json.member("sender_id", envelope.senderId);
  json.member("total_count", envelope.queries.size());
  json.member("version", "1.0.0");
  json.endObject();
  json.key("message").beginObject();
  json.key("search_request").beginArray();
  for (const auto& q : envelope.queries) {
    json.beginObject();
    json.member("reference_id", q.referenceId);
    json.key("search_criteria").beginObject();
    if (!q.attributes.empty()) {
      json.key("attributes").beginArray();
      for (const auto& name : q.attributes) json.value(name);
      json.endArray();
    }
    json.key("pagination").beginObject();
    json.member("page_number", q.pageNumber);
    json.member("page_size", q.pageSize);
    json.endObject();
    if (!q.attributes.empty()) {
      json.member("programme", q.programme);
      json.member("purpose", q.purpose);
    }
    json.key("query").beginObject();
    if (q.type == kQueryEncodedRecord) {
      json.member("key_epoch", envelope.keyEpoch);
      json.member("schema_digest", envelope.schemaDigest);
      json.member("schema_id", envelope.schemaId);
    }
    json.member("type", q.type);
    json.member("value", q.value);
    json.endObject();
    json.member("query_type", "idtype-value");
    json.endObject();
    json.member("timestamp", now);
    json.endObject();
  }
  json.endArray();
  json.member("transaction_id", envelope.transactionId.empty() ? uuid() : envelope.transactionId);
  json.endObject();
  json.member("signature", "");
  json.endObject();
  return json.take();
}

}  // namespace nser::protocol
