#include "connectors/connector_config.h"

#include <Poco/URI.h>

#include "schemas/json_document.h"
#include "service/config_file.h"

namespace nser::connectors {
ConnectorConfig loadConnectorConfig(const std::string& path) {
  const auto root = schemas::JsonNode::parseFile(path);
  root.rejectUnknownKeys(
      {"custodian", "hub", "linkage", "source", "mapping", "data_directory", "sync", "gateway", "attribute_server", "log"});
  const std::string base = service::configDirectory(path);
  ConnectorConfig config;
  config.source = path;
  config.custodian = root.field("custodian").asString();

  const auto hub = root.field("hub");
  hub.rejectUnknownKeys({"url", "tls", "fetch_order_key"});
  config.hubOrderKey = hub.stringOr("fetch_order_key", "");
  const std::string url = hub.field("url").asString();
  Poco::URI uri;
  try {
    uri = Poco::URI(url);
  } catch (const Poco::Exception&) {
    throw schemas::DocumentError(path + ": hub.url: not a URL");
  }
  if (uri.getScheme() != "https" || uri.getHost().empty()) {
    throw schemas::DocumentError(path + ": hub.url: must be https://HOST:PORT");
  }
  config.hubHost = uri.getHost();
  config.hubPort = uri.getPort();
  const auto tls = hub.field("tls");
  tls.rejectUnknownKeys({"certificate", "private_key", "ca_certificate"});
  config.tls.certificate = service::resolveConfigPath(base, tls.field("certificate").asString());
  config.tls.privateKey = service::resolveConfigPath(base, tls.field("private_key").asString());
  config.tls.caCertificate = service::resolveConfigPath(base, tls.field("ca_certificate").asString());

  const auto linkage = root.field("linkage");
  linkage.rejectUnknownKeys({"schema", "secret_file", "key_epoch"});
  config.schemaPath = service::resolveConfigPath(base, linkage.field("schema").asString());
  config.secretFile = service::resolveConfigPath(base, linkage.field("secret_file").asString());
  config.keyEpoch = static_cast<std::uint32_t>(linkage.intOr("key_epoch", 1, 1, UINT32_MAX));

  const auto source = root.field("source");
  config.sourceConfig.type = source.field("type").asEnum({"csv", "postgresql"});
  if (config.sourceConfig.type == "csv") {
    source.rejectUnknownKeys({"type", "path"});
    config.sourceConfig.path = service::resolveConfigPath(base, source.field("path").asString());
  } else {
    source.rejectUnknownKeys({"type", "connection", "password_file", "table", "query", "watermark_column"});
    config.sourceConfig.connection = source.field("connection").asString();
    config.sourceConfig.passwordFile = service::resolveConfigPath(base, source.stringOr("password_file", ""));
    config.sourceConfig.table = source.stringOr("table", "");
    config.sourceConfig.query = source.stringOr("query", "");
    if (config.sourceConfig.table.empty() == config.sourceConfig.query.empty()) {
      throw schemas::DocumentError(path + ": source: give exactly one of table and query");
    }
    config.sourceConfig.watermarkColumn = source.stringOr("watermark_column", "");
  }
  config.mappingPath = service::resolveConfigPath(base, root.field("mapping").asString());
  config.dataDirectory = service::resolveConfigPath(base, root.field("data_directory").asString());
  if (auto sync = root.optionalField("sync")) {
    sync->rejectUnknownKeys({"batch_size", "initial_backoff_ms", "max_backoff_ms", "max_attempts", "interval_seconds",
                            "reconcile_every"});
    config.sync.batchSize = static_cast<std::size_t>(sync->intOr("batch_size", 1000, 1, 100000));
    config.sync.initialBackoff = std::chrono::milliseconds(sync->intOr("initial_backoff_ms", 200, 1, 600000));
    config.sync.maxBackoff = std::chrono::milliseconds(sync->intOr("max_backoff_ms", 30000, 1, 3600000));
    config.sync.maxAttempts = static_cast<int>(sync->intOr("max_attempts", 20, 1, 1000000));
    config.sync.interval = std::chrono::seconds(sync->intOr("interval_seconds", 0, 0, 86400 * 7));
    config.sync.reconcileEvery = static_cast<int>(sync->intOr("reconcile_every", 24, 1, 100000));
  }
  if (auto gateway = root.optionalField("gateway")) {
    gateway->rejectUnknownKeys({"listen", "loopback_only", "tls", "threads", "programmes"});
    if (auto programmes = gateway->optionalField("programmes")) {
      for (const auto& programme : programmes->asArray()) config.gateway.programmes.push_back(programme.asString());
    }
    config.gateway.enabled = true;
    const auto listen = gateway->field("listen");
    listen.rejectUnknownKeys({"address", "port"});
    config.gateway.address = listen.stringOr("address", "127.0.0.1");
    config.gateway.port = static_cast<std::uint16_t>(listen.field("port").asInt(0, 65535));
    config.gateway.loopbackOnly = gateway->boolOr("loopback_only", false);
    config.gateway.threads = static_cast<std::size_t>(gateway->intOr("threads", 8, 1, 256));
    if (config.gateway.loopbackOnly) {
      if (config.gateway.address != "127.0.0.1" && config.gateway.address != "::1") {
        throw schemas::DocumentError(path + ": gateway.listen.address: loopback_only needs 127.0.0.1 or ::1");
      }
    } else {
      const auto gatewayTls = gateway->field("tls");
      gatewayTls.rejectUnknownKeys({"certificate", "private_key", "ca_certificate", "crl"});
      config.gateway.tls.certificate = service::resolveConfigPath(base, gatewayTls.field("certificate").asString());
      config.gateway.tls.privateKey = service::resolveConfigPath(base, gatewayTls.field("private_key").asString());
      config.gateway.tls.caCertificate = service::resolveConfigPath(base, gatewayTls.field("ca_certificate").asString());
      config.gateway.tls.crl = service::resolveConfigPath(base, gatewayTls.stringOr("crl", ""));
    }
  }
  if (auto server = root.optionalField("attribute_server")) {
    server->rejectUnknownKeys({"listen", "advertise", "threads"});
    config.attributeServer.enabled = true;
    const auto listen = server->field("listen");
    listen.rejectUnknownKeys({"address", "port"});
    config.attributeServer.address = listen.stringOr("address", "127.0.0.1");
    config.attributeServer.port = static_cast<std::uint16_t>(listen.field("port").asInt(0, 65535));
    config.attributeServer.advertise = server->stringOr("advertise", "");
    config.attributeServer.threads = static_cast<std::size_t>(server->intOr("threads", 8, 1, 256));
  }
  config.logging = service::loggingOptions(root.optionalField("log"), base);
  return config;
}

}  // namespace nser::connectors
