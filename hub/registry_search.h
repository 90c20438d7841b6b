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
// The consent and attribute step (issue 8) slots in per search_request,
// between matching and answering.
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
  std::string hubId = "nser-hub";
};

class RegistrySearch {
 public:
  RegistrySearch(const IngestService& ingest, const PartyRegistry& parties, EncodingBinding binding,
                 SearchOptions options);

  // The response envelope (JSON text). Throws service::HttpError (400) when
  // the envelope itself is malformed.
  std::string search(const Party& caller, const std::string& body) const;

 private:
  const IngestService& ingest_;
  const PartyRegistry& parties_;
  EncodingBinding binding_;
  SearchOptions options_;
};

}  // namespace nser::hub
