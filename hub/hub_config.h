// HubConfig: the hub's configuration document (`nser hub --config hub.json`),
// documented with a complete example in docs/hub.md. Relative paths are
// resolved against the directory of the configuration file. Unknown keys are
// errors; every error names the file and key path (schemas::DocumentError).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "hub/broker_options.h"
#include "hub/ingest_service.h"
#include "hub/registry_search.h"
#include "service/logging.h"
#include "service/tls_context.h"

namespace nser::hub {

struct BootstrapAdmin {
  std::string id;
  std::string fingerprint;  // from "certificate_fingerprint" or computed from "certificate"
};

struct HubLimits {
  std::size_t maxBodyBytes = 32u << 20;
  std::size_t maxConnections = 64;  // connections served at once (one thread each); more wait in the accept queue
  std::size_t acceptQueue = 128;
  int keepAliveSeconds = 15;
};

// The audit log's publication ("audit" object, docs/audit-format.md).
struct AuditSettings {
  std::string origin = "nser-hub";  // checkpoint origin line and signing key name
  std::chrono::milliseconds checkpointInterval{1000};
};

struct HubConfig {
  std::string source;  // the configuration file
  std::string hubId = "nser-hub";
  std::string listenAddress = "127.0.0.1";
  std::uint16_t port = 0;
  service::TlsFiles tls;
  std::string dataDirectory;
  // Online backups go here ("backup": {"directory"}); default: a "backups"
  // directory beside the data directory (docs/backup-restore.md).
  std::string backupDirectory;
  std::string schemaPath;
  std::string settingsPath;
  std::string modelPath;
  EncodingBinding binding;  // schema id and digest filled from the schema file
  HubLimits limits;
  IngestOptions ingest;
  SearchOptions search;
  BrokerOptions broker;
  AuditSettings audit;
  std::vector<BootstrapAdmin> bootstrapAdmins;
  service::LoggingOptions logging;
};

HubConfig loadHubConfig(const std::string& path);

}  // namespace nser::hub
