// ProgrammeGateway: the custodian's local HTTPS API through which its
// programme systems search the hub (docs/connector.md, "Programme gateway").
//
// A programme system sends a plaintext query in the DCI search shape to
// POST /registry/sync/search:
//   "query_type": "predicate", "query": {"name": ..., "relation_type": ...,
//      "relation_name": ..., "cnic": ..., "gender": ..., "dob": ...,
//      "district": ..., "tehsil": ..., "phone": ...}      (any subset with a name)
//   "query_type": "idtype-value", "query": {"type": "CNIC", "value": "35202-..."}
// A request may also ask for attributes for a purpose ("attributes",
// "purpose" in search_criteria; the programme is header.sender_id): the hub
// brokers them (docs/brokering.md) and the gateway opens the custodians'
// sealed payloads with this connector's box key, answering with the values
// the hub's decisions permitted and the reasons for the rest.
//
// Registration desks capture consent here too: POST /consents (subject by
// this custodian's source key, or entity id) is signed with the connector's
// consent key and registered at the hub; POST /consents/{id}/pause, /resume
// and /revoke send signed status changes. The
// gateway normalises and encodes each query locally with the linkage secret
// (a CNIC becomes its keyed token), forwards one encoded search to the hub as
// this custodian, and returns the hub's DCI answer with the programme's own
// reference ids. Plaintext never leaves this process and is never logged.
//
// Transport: mutual TLS with the programme systems' certificates (the
// configured CA; a certificate's common name is the programme it speaks for
// and must be the envelope's sender_id), or plain HTTP bound to 127.0.0.1
// when `loopback_only` is set (the programme system then runs on the same
// host).
#pragma once

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/ThreadPool.h>

#include <memory>
#include <utility>
#include <string>

#include "connectors/connector_config.h"
#include "connectors/sync_state.h"
#include "service/http_server.h"

namespace nser::connectors {

class ProgrammeGateway {
 public:
  // Loads the schema, the linkage secret and the connector's keys; throws on
  // bad configuration. `state` (the sync state) maps source keys to the
  // references consents name; without it consent by source key is refused.
  explicit ProgrammeGateway(const ConnectorConfig& config, const SyncState* state = nullptr);
  ~ProgrammeGateway();

  void start();
  void stop();
  std::uint16_t port() const;

  // The gateway's answer to one request body (exposed for tests); throws
  // service::HttpError for a malformed request or a hub failure.
  std::string search(const std::string& body);
  // Routes one request: {HTTP status, JSON body}; throws service::HttpError.
  std::pair<int, std::string> handle(const std::string& method, const std::string& path,
                                     Poco::Net::HTTPServerRequest& request);

 private:
  struct Engine;
  ConnectorConfig config_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<Poco::ThreadPool> threads_;
  std::unique_ptr<service::HttpServer> server_;
};

}  // namespace nser::connectors
