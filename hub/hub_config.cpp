#include "hub/hub_config.h"

#include <filesystem>

#include "hub/party.h"
#include "linkage/linkage_schema.h"
#include "pki/certificate_info.h"
#include "schemas/json_document.h"
#include "service/config_file.h"

namespace nser::hub {
namespace {

std::string fingerprintOfPem(const std::string& path, const schemas::JsonNode& node) {
  try {
    return pki::certificateFingerprint(path);
  } catch (const std::exception& e) {
    throw schemas::DocumentError(node.source() + ": " + node.path() + ": " + e.what());
  }
}

}  // namespace

HubConfig loadHubConfig(const std::string& path) {
  const auto root = schemas::JsonNode::parseFile(path);
  root.rejectUnknownKeys({"hub_id", "listen", "tls", "data_directory", "linkage", "limits", "search", "brokering",
                          "bootstrap_admins", "log", "audit", "backup"});
  const std::string base = service::configDirectory(path);
  HubConfig config;
  config.source = path;
  config.hubId = root.stringOr("hub_id", "nser-hub");
  if (!validPartyId(config.hubId)) {
    throw schemas::DocumentError(path + ": hub_id: must be 1-64 characters of [a-z0-9.-]");
  }

  const auto listen = root.field("listen");
  listen.rejectUnknownKeys({"address", "port"});
  config.listenAddress = listen.stringOr("address", "127.0.0.1");
  config.port = static_cast<std::uint16_t>(listen.field("port").asInt(0, 65535));

  const auto tls = root.field("tls");
  tls.rejectUnknownKeys({"certificate", "private_key", "ca_certificate", "crl"});
  config.tls.certificate = service::resolveConfigPath(base, tls.field("certificate").asString());
  config.tls.privateKey = service::resolveConfigPath(base, tls.field("private_key").asString());
  config.tls.caCertificate = service::resolveConfigPath(base, tls.field("ca_certificate").asString());
  config.tls.crl = service::resolveConfigPath(base, tls.stringOr("crl", ""));

  config.dataDirectory = service::resolveConfigPath(base, root.field("data_directory").asString());
  {
    std::filesystem::path data(config.dataDirectory);
    if (data.filename().empty()) data = data.parent_path();
    config.backupDirectory = (data.parent_path() / "backups").string();
    if (auto backup = root.optionalField("backup")) {
      backup->rejectUnknownKeys({"directory"});
      config.backupDirectory = service::resolveConfigPath(base, backup->field("directory").asString());
    }
  }

  const auto linkage = root.field("linkage");
  linkage.rejectUnknownKeys({"schema", "settings", "model", "key_epoch", "key_fingerprint"});
  config.schemaPath = service::resolveConfigPath(base, linkage.field("schema").asString());
  const linkage::LinkageSchema schema = linkage::loadLinkageSchema(config.schemaPath);
  config.binding.schemaId = schema.schemaId;
  config.binding.schemaDigest = schema.digest;
  std::string defaultSettings = config.schemaPath;
  if (defaultSettings.size() > 5 && defaultSettings.ends_with(".json")) {
    defaultSettings = defaultSettings.substr(0, defaultSettings.size() - 5) + ".link.json";
  }
  config.settingsPath = service::resolveConfigPath(base, linkage.stringOr("settings", defaultSettings));
  config.modelPath = service::resolveConfigPath(base, linkage.field("model").asString());
  config.binding.keyEpoch = static_cast<std::uint32_t>(linkage.intOr("key_epoch", 1, 1, UINT32_MAX));
  config.binding.keyFingerprint = linkage.stringOr("key_fingerprint", "");

  if (auto limits = root.optionalField("limits")) {
    limits->rejectUnknownKeys({"max_body_bytes", "max_batch_records", "max_connections",
                               "accept_queue", "max_queued_batches", "keep_alive_seconds",
                               "max_search_requests_per_message"});
    config.limits.maxBodyBytes = static_cast<std::size_t>(limits->intOr("max_body_bytes", 32 << 20, 1024, 1LL << 31));
    config.ingest.limits.maxOperations =
        static_cast<std::size_t>(limits->intOr("max_batch_records", 10000, 1, 1'000'000));
    config.limits.maxConnections = static_cast<std::size_t>(limits->intOr("max_connections", 64, 1, 4096));
    config.limits.acceptQueue = static_cast<std::size_t>(limits->intOr("accept_queue", 128, 1, 65535));
    config.ingest.maxQueuedBatches = static_cast<std::size_t>(limits->intOr("max_queued_batches", 8, 1, 10000));
    config.limits.keepAliveSeconds = static_cast<int>(limits->intOr("keep_alive_seconds", 15, 1, 3600));
    config.search.maxRequestsPerMessage =
        static_cast<std::size_t>(limits->intOr("max_search_requests_per_message", 20, 1, 1000));
  }
  if (auto search = root.optionalField("search")) {
    search->rejectUnknownKeys({"min_probability", "max_page_size", "ambiguity_margin"});
    config.search.minProbability = search->numberOr("min_probability", 0.5, 0.0, 1.0);
    config.search.ambiguityMargin = search->numberOr("ambiguity_margin", 0.2, 0.0, 1.0);
    config.search.maxPageSize = static_cast<std::size_t>(search->intOr("max_page_size", 100, 1, 1000));
  }
  if (auto brokering = root.optionalField("brokering")) {
    brokering->rejectUnknownKeys({"order_validity_seconds", "fetch_timeout_ms"});
    config.broker.orderValiditySeconds = brokering->intOr("order_validity_seconds", 60, 5, 3600);
    config.broker.fetchTimeout = std::chrono::milliseconds(brokering->intOr("fetch_timeout_ms", 5000, 100, 120000));
  }
  config.search.hubId = config.hubId;
  if (auto audit = root.optionalField("audit")) {
    audit->rejectUnknownKeys({"origin", "checkpoint_interval_ms"});
    config.audit.origin = audit->stringOr("origin", "nser-hub");
    if (!validPartyId(config.audit.origin)) audit->field("origin").fail("must be 1-64 characters of [a-z0-9.-]");
    config.audit.checkpointInterval =
        std::chrono::milliseconds(audit->intOr("checkpoint_interval_ms", 1000, 10, 86'400'000));
  }

  if (auto admins = root.optionalField("bootstrap_admins")) {
    for (const auto& admin : admins->asArray()) {
      admin.rejectUnknownKeys({"id", "certificate_fingerprint", "certificate"});
      BootstrapAdmin entry;
      entry.id = admin.field("id").asString();
      if (!validPartyId(entry.id)) {
        throw schemas::DocumentError(path + ": " + admin.path() + ".id: must be 1-64 characters of [a-z0-9.-]");
      }
      if (admin.has("certificate")) {
        entry.fingerprint = fingerprintOfPem(service::resolveConfigPath(base, admin.field("certificate").asString()), admin);
      } else {
        entry.fingerprint = admin.field("certificate_fingerprint").asString();
        if (!validFingerprint(entry.fingerprint)) {
          throw schemas::DocumentError(path + ": " + admin.path() +
                                       ".certificate_fingerprint: must be 64 lowercase hex digits");
        }
      }
      config.bootstrapAdmins.push_back(entry);
    }
  }
  config.logging = service::loggingOptions(root.optionalField("log"), base);
  return config;
}

}  // namespace nser::hub
