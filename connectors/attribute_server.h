// AttributeServer: where the hub's fetch orders arrive (docs/brokering.md).
//
//   POST /attributes/fetch   body: a fetch order (protocol/fetch_order.h)
//
// Mutual TLS with the deployment CA (the connector's own certificate and
// key). An order is served only when its signature verifies with the hub's
// fetch-order key, it names this custodian, it is within its validity
// window and it has not been served before (order ids are remembered until
// they expire). The connector then finds the record behind the pseudonymous
// reference (sync state), reads exactly the ordered attributes from the
// source of truth (attribute_reader.h) and returns them sealed to the
// requester's public key: {"order_id", "sealed"}. The hub relays the sealed
// box without being able to open it.
//
// Refusals are JSON errors naming the reason: 403 BadSignature / Expired /
// NotYetValid / WrongCustodian, 409 OrderReplayed, 400 Malformed or an
// attribute outside the catalogue, 404 UnknownReference. Each served or
// refused order is logged with its id and attribute names, never values.
#pragma once

#include <Poco/ThreadPool.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "connectors/attribute_reader.h"
#include "connectors/connector_config.h"
#include "connectors/sync_state.h"
#include "pki/signing_key.h"
#include "service/http_server.h"

namespace nser::connectors {

struct FetchAnswer {
  int status = 200;
  std::string body;
};

class AttributeServer {
 public:
  AttributeServer(const ConnectorConfig& config, const SyncState& state, const SourceMapping& mapping,
                  pki::PublicKey hubOrderKey);
  ~AttributeServer();

  void start();
  void stop();
  std::uint16_t port() const;
  // "host:port" for the hub: attribute_server.advertise, or address:port.
  std::string endpoint() const;

  // The answer to one fetch order (exposed for tests).
  FetchAnswer fetch(const std::string& body);

 private:
  bool firstUse(const std::string& orderId, std::int64_t expiresAt, std::int64_t now);

  ConnectorConfig config_;
  const SyncState& state_;
  AttributeReader reader_;
  pki::PublicKey hubOrderKey_;
  std::mutex seenMutex_;
  std::multimap<std::int64_t, std::string> seenByExpiry_;
  std::map<std::string, std::int64_t> seen_;
  std::unique_ptr<Poco::ThreadPool> threads_;
  std::unique_ptr<service::HttpServer> server_;
};

}  // namespace nser::connectors
