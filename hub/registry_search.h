// RegistrySearch: the programme-facing search in the shape of the DCI Social
// Registry API (POST /registry/sync/search), on encodings only.
//
// Request envelope:
//   {"signature": ..., "header": {"version", "message_id", "message_ts",
//    "action": "search", "sender_id", "receiver_id", "total_count"},
//    "message": {"transaction_id", "search_request": [{"reference_id",
//    "timestamp", "search_criteria": {"query_type": "idtype-value",
//    "query": <protocol/encoded_query.h>, "pagination": {"page_size",
//    "page_number"}}}]}}
// Each search_request is answered on its own (status "succ" or "rjct" with a
// DCI-style reason code); envelope errors are 400s. The answer lists the
// matching entities with their match probability and the custodians holding
// their records, paginated.
//
// A search_request whose search_criteria also names "programme", "purpose"
// and "attributes" is brokered (hub/attribute_broker.h): it must match
// exactly one entity (else rjct NoMatch / AmbiguousMatch), and its answer
// carries the per-attribute decisions and the custodians' sealed payloads.
// A message holding one brokered request answers with the HTTP status of its
// outcome: 404 no match, 409 ambiguous, 403 (with the reason code) when no
// attribute was permitted.
//
// Thread-safe.
#pragma once

#include <functional>
#include <string>

#include "hub/entity_index.h"
#include "hub/ingest_service.h"
#include "hub/party.h"
#include "hub/party_registry.h"

namespace nser::hub {

struct SearchOptions {
  std::size_t maxRequestsPerMessage = 20;
  std::size_t maxPageSize = 100;
  double minProbability = 0.5;
  // Brokered requests: the best entity must lead the next by this much.
  double ambiguityMargin = 0.2;
  std::string hubId = "nser-hub";
};

class AttributeBroker;

struct SearchAnswer {
  int status = 200;
  std::string body;  // the response envelope (JSON)
};

class RegistrySearch {
 public:
  // `broker` may be null: brokered requests are then refused.
  RegistrySearch(const IngestService& ingest, const PartyRegistry& parties, EncodingBinding binding,
                 SearchOptions options, AttributeBroker* broker = nullptr);

  // Throws service::HttpError (400) when the envelope itself is malformed.
  SearchAnswer search(const Party& caller, const std::string& body) const;

 private:
  const IngestService& ingest_;
  const PartyRegistry& parties_;
  EncodingBinding binding_;
  SearchOptions options_;
  AttributeBroker* broker_;
};

}  // namespace nser::hub
