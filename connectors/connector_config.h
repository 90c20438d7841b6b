// ConnectorConfig: `nser connector --config connector.json` (docs/connector.md).
// Relative paths resolve against the file's directory; unknown keys are
// errors naming the key path.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "service/logging.h"
#include "service/tls_context.h"

namespace nser::connectors {

struct SourceConfig {
  std::string type;  // "csv" or "postgresql"
  std::string path;  // csv
  // postgresql
  std::string connection;
  std::string passwordFile;
  std::string table;
  std::string query;
  std::string watermarkColumn;
};

struct SyncOptions {
  std::size_t batchSize = 1000;
  std::chrono::milliseconds initialBackoff{200};
  std::chrono::milliseconds maxBackoff{30000};
  int maxAttempts = 20;  // per batch, before the sync stops with an error (progress is kept)
  std::chrono::seconds interval{0};  // run mode: seconds between syncs (0: one sync, then exit)
  // Sources with a watermark column: run mode syncs incrementally and makes
  // every Nth sync a full one, which also finds deletions.
  int reconcileEvery = 24;
};

struct GatewayConfig {
  bool enabled = false;
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;
  bool loopbackOnly = false;  // plain HTTP on 127.0.0.1 instead of mutual TLS
  service::TlsFiles tls;      // the gateway's certificate and the CA of the programme systems
  std::size_t threads = 8;
  // The programmes whose systems may use this gateway (header.sender_id);
  // each must be registered at the hub as a programme querying via this
  // custodian. Empty: any programme the hub accepts for this custodian.
  std::vector<std::string> programmes;
};

// The attribute server: the hub's fetch orders arrive here over mutual TLS
// (the connector's own certificate, which then needs serverAuth too).
struct AttributeServerConfig {
  bool enabled = false;
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;
  std::string advertise;  // "host:port" the hub connects to; default address:bound port
  std::size_t threads = 8;
};

struct ConnectorConfig {
  std::string source;  // the file
  std::string custodian;
  std::string hubHost;
  std::uint16_t hubPort = 0;
  service::TlsFiles tls;
  std::string hubOrderKey;  // optional pin of the hub's fetch-order key (base64)
  std::string schemaPath;
  std::string secretFile;
  std::uint32_t keyEpoch = 1;
  SourceConfig sourceConfig;
  std::string mappingPath;
  std::string dataDirectory;
  SyncOptions sync;
  GatewayConfig gateway;
  AttributeServerConfig attributeServer;
  service::LoggingOptions logging;
};

ConnectorConfig loadConnectorConfig(const std::string& path);

}  // namespace nser::connectors
