// Building DCI Social Registry search requests (POST /registry/sync/search)
// on the connector side: the envelope of hub/registry_search.h around one or
// more identifying queries (protocol/encoded_query.h). The hub's answer is
// read with Poco::JSON; its shape is documented in docs/protocol-hub-connector.md.
#pragma once

#include <string>
#include <vector>

#include "linkage/encoded_record.h"

namespace nser::protocol {

struct SearchQuery {
  std::string referenceId;
  std::string type;   // kQueryEncodedRecord, kQueryCnicToken or kQueryEntityId
  std::string value;  // base64 record, hex token or entity id
  std::size_t pageSize = 10;
  std::size_t pageNumber = 1;
  // Brokered requests (docs/brokering.md): the programme asking, its purpose
  // and the attributes it wants; empty `attributes`: a plain search.
  std::string programme;
  std::string purpose;
  std::vector<std::string> attributes;
};

// A query for an encoded record, carrying its schema binding.
SearchQuery encodedRecordQuery(std::string referenceId, const linkage::EncodedRecord& record);

struct SearchEnvelope {
  std::string senderId;
  std::string receiverId;
  std::string messageId;      // unique per message (a UUID when empty)
  std::string transactionId;  // a UUID when empty
  // The header's schema binding for encoded-record queries.
  std::string schemaId;
  std::string schemaDigest;
  std::uint32_t keyEpoch = 0;
  std::vector<SearchQuery> queries;
};

std::string buildSearchRequest(const SearchEnvelope& envelope);

}  // namespace nser::protocol
