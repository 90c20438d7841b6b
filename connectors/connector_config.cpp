#include "connectors/connector_config.h"

#include <Poco/Path.h>
#include <Poco/URI.h>

#include "schemas/json_document.h"

namespace nser::connectors {
namespace {

std::string resolve(const std::string& base, const std::string& path) {
  if (path.empty()) return path;
  Poco::Path p(path);
  if (p.isAbsolute()) return path;
  return Poco::Path(base).resolve(p).toString();
}

}  // namespace

ConnectorConfig loadConnectorConfig(const std::string& path) {
  const auto root = schemas::JsonNode::parseFile(path);
  root.rejectUnknownKeys(
      {"custodian", "hub", "linkage", "source", "mapping", "data_directory", "sync", "gateway", "log"});
  const std::string base = Poco::Path(Poco::Path(path).absolute()).parent().toString();
  ConnectorConfig config;
  config.source = path;
  config.custodian = root.field("custodian").asString();

  const auto hub = root.field("hub");
  hub.rejectUnknownKeys({"url", "tls"});
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
  config.tls.certificate = resolve(base, tls.field("certificate").asString());
  config.tls.privateKey = resolve(base, tls.field("private_key").asString());
  config.tls.caCertificate = resolve(base, tls.field("ca_certificate").asString());

  const auto linkage = root.field("linkage");
  linkage.rejectUnknownKeys({"schema", "secret_file", "key_epoch"});
  config.schemaPath = resolve(base, linkage.field("schema").asString());
  config.secretFile = resolve(base, linkage.field("secret_file").asString());
  config.keyEpoch = static_cast<std::uint32_t>(linkage.intOr("key_epoch", 1, 1, UINT32_MAX));

  const auto source = root.field("source");
  config.sourceConfig.type = source.field("type").asEnum({"csv", "postgresql"});
  if (config.sourceConfig.type == "csv") {
    source.rejectUnknownKeys({"type", "path"});
    config.sourceConfig.path = resolve(base, source.field("path").asString());
  } else {
    source.rejectUnknownKeys({"type", "connection", "password_file", "table", "query", "watermark_column"});
    config.sourceConfig.connection = source.field("connection").asString();
    config.sourceConfig.passwordFile = resolve(base, source.stringOr("password_file", ""));
    config.sourceConfig.table = source.stringOr("table", "");
    config.sourceConfig.query = source.stringOr("query", "");
    if (config.sourceConfig.table.empty() == config.sourceConfig.query.empty()) {
      throw schemas::DocumentError(path + ": source: give exactly one of table and query");
    }
    config.sourceConfig.watermarkColumn = source.stringOr("watermark_column", "");
  }
  config.mappingPath = resolve(base, root.field("mapping").asString());
  config.dataDirectory = resolve(base, root.field("data_directory").asString());
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
    gateway->rejectUnknownKeys({"listen", "loopback_only", "tls", "threads"});
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
      config.gateway.tls.certificate = resolve(base, gatewayTls.field("certificate").asString());
      config.gateway.tls.privateKey = resolve(base, gatewayTls.field("private_key").asString());
      config.gateway.tls.caCertificate = resolve(base, gatewayTls.field("ca_certificate").asString());
      config.gateway.tls.crl = resolve(base, gatewayTls.stringOr("crl", ""));
    }
  }
  if (auto log = root.optionalField("log")) {
    log->rejectUnknownKeys({"format", "level", "file"});
    const std::string format = log->has("format") ? log->field("format").asEnum({"human", "json"}) : "";
    config.logging.format = format.empty() ? service::defaultLogFormat()
                                           : (format == "json" ? service::LogFormat::JsonLines : service::LogFormat::Human);
    config.logging.level = log->stringOr("level", "information");
    config.logging.file = resolve(base, log->stringOr("file", ""));
  } else {
    config.logging.format = service::defaultLogFormat();
  }
  return config;
}

}  // namespace nser::connectors
