// ProgrammeGateway: the custodian's local HTTPS API through which its
// programme systems search the hub (docs/connector.md, "Programme gateway").
//
// A programme system sends a plaintext query in the DCI search shape to
// POST /registry/sync/search:
//   "query_type": "predicate", "query": {"name": ..., "relation_type": ...,
//      "relation_name": ..., "cnic": ..., "gender": ..., "dob": ...,
//      "district": ..., "tehsil": ..., "phone": ...}      (any subset with a name)
//   "query_type": "idtype-value", "query": {"type": "CNIC", "value": "35202-..."}
// plus an optional "purpose" the consent step (issue 8) will use. The
// gateway normalises and encodes each query locally with the linkage secret
// (a CNIC becomes its keyed token), forwards one encoded search to the hub as
// this custodian, and returns the hub's DCI answer with the programme's own
// reference ids. Plaintext never leaves this process and is never logged.
//
// Transport: mutual TLS with the programme systems' certificates (the
// configured CA), or plain HTTP bound to 127.0.0.1 when `loopback_only` is
// set (the programme system then runs on the same host).
#pragma once

#include <Poco/Net/HTTPServer.h>
#include <Poco/ThreadPool.h>

#include <memory>
#include <string>

#include "connectors/connector_config.h"

namespace nser::connectors {

class ProgrammeGateway {
 public:
  // Loads the schema and the linkage secret; throws on bad configuration.
  explicit ProgrammeGateway(const ConnectorConfig& config);
  ~ProgrammeGateway();

  void start();
  void stop();
  std::uint16_t port() const;

  // The gateway's answer to one request body (exposed for tests); throws
  // service::HttpError for a malformed request or a hub failure.
  std::string search(const std::string& body);

 private:
  struct Engine;
  ConnectorConfig config_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<Poco::ThreadPool> threads_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
};

}  // namespace nser::connectors
