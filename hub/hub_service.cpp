#include "hub/hub_service.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/ErrorHandler.h>
#include <Poco/URI.h>
#include <rocksdb/env.h>

#include <chrono>
#include <filesystem>
#include <sstream>
#include <unordered_map>

#include "hub/hub_backup.h"
#include "hub/linkage_rotation.h"
#include "linkage/fellegi_sunter.h"
#include "linkage/link_settings.h"
#include "service/json_exchange.h"
#include "service/logging.h"
#include "service/peer_certificate.h"
#include "service/tls_context.h"

namespace nser::hub {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;
using service::HttpError;

Poco::Logger& log() { return Poco::Logger::get("hub"); }

std::string requiredString(const Object::Ptr& body, const std::string& key) {
  if (!body->has(key) || !body->get(key).isString()) {
    throw HttpError(400, "invalid_request", "$." + key + " must be a string");
  }
  return body->getValue<std::string>(key);
}

class HubRequestHandler : public Poco::Net::HTTPRequestHandler {
 public:
  HubRequestHandler(const RouteTable& routes, const PartyRegistry& parties, HubMetrics& metrics, std::size_t maxBody)
      : routes_(routes), parties_(parties), metrics_(metrics), maxBody_(maxBody) {}

  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
    const auto started = std::chrono::steady_clock::now();
    std::string routeName = "unmatched";
    try {
      const Poco::URI uri(request.getURI());
      const auto match = routes_.match(request.getMethod(), uri.getPath());
      if (match.route == nullptr) {
        if (match.pathKnown) throw HttpError(405, "method_not_allowed", request.getMethod() + " is not allowed here");
        throw HttpError(404, "not_found", "no such route");
      }
      routeName = match.route->pattern;
      const auto peer = service::peerCertificate(request);
      if (!peer) throw HttpError(401, "no_client_certificate", "a client certificate is required");
      std::optional<Party> party;
      if (!match.route->roles.empty()) {
        party = parties_.findByCertificate(peer->fingerprint);
        if (!party) {
          throw HttpError(403, "unknown_party", "the client certificate is not bound to any registered party");
        }
        if (!party->active()) throw HttpError(403, "party_disabled", "party '" + party->id + "' is disabled");
        if (match.route->roles.count(party->role) == 0) {
          throw HttpError(403, "forbidden",
                          "role '" + std::string(roleName(party->role)) + "' may not call " + request.getMethod() +
                              " " + match.route->pattern);
        }
      }
      RequestContext context{request, response, party ? &*party : nullptr, match.params, {}};
      for (const auto& [key, value] : uri.getQueryParameters()) context.query[key] = value;
      match.route->handler(context);
    } catch (const HttpError& e) {
      service::answerWithError(request, response, e, 2 * maxBody_);
    } catch (const Poco::Net::NetException& e) {
      // The peer went away mid-request: nothing to answer.
      service::logEvent(log(), Poco::Message::PRIO_DEBUG, "connection error", {{"error", e.displayText()}});
    } catch (const std::exception& e) {
      service::logEvent(log(), Poco::Message::PRIO_ERROR, "request failed",
                        {{"route", routeName}, {"error", e.what()}});
      response.setKeepAlive(false);
      if (!response.sent()) service::sendError(response, HttpError(500, "internal_error", "internal error"));
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    metrics_.observeRequest(routeName, request.getMethod(), static_cast<int>(response.getStatus()), seconds);
  }

 private:
  const RouteTable& routes_;
  const PartyRegistry& parties_;
  HubMetrics& metrics_;
  std::size_t maxBody_;
};

// Exceptions that escape a connection thread (TLS handshakes that fail, peers
// that vanish) are logged, not printed to stderr by POCO's default handler.
class LoggingErrorHandler : public Poco::ErrorHandler {
 public:
  void exception(const Poco::Exception& e) override { report(e.displayText()); }
  void exception(const std::exception& e) override { report(e.what()); }
  void exception() override { report("unknown exception"); }

 private:
  static void report(const std::string& what) {
    service::logEvent(log(), Poco::Message::PRIO_INFORMATION, "connection ended with an error", {{"error", what}});
  }
};

class HubHandlerFactory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  HubHandlerFactory(const RouteTable& routes, const PartyRegistry& parties, HubMetrics& metrics, std::size_t maxBody)
      : routes_(routes), parties_(parties), metrics_(metrics), maxBody_(maxBody) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new HubRequestHandler(routes_, parties_, metrics_, maxBody_);
  }

 private:
  const RouteTable& routes_;
  const PartyRegistry& parties_;
  HubMetrics& metrics_;
  std::size_t maxBody_;
};

}  // namespace

HubService::HubService(HubConfig config) : config_(std::move(config)) {
  service::initialiseTls();
  // RocksDB's compactions (the store's and the audit index's) are deferrable
  // and come in bursts of seconds of CPU; at the lowest priority they take
  // idle time instead of queueing requests behind them. Flushes keep normal
  // priority, so memtables never wait for them.
  rocksdb::Env::Default()->LowerThreadPoolCPUPriority(rocksdb::Env::Priority::LOW, rocksdb::CpuPriority::kLow);
  store_ = std::make_unique<HubStore>(config_.dataDirectory);
  audit_ = std::make_unique<HubAudit>(
      HubAuditOptions{config_.dataDirectory, config_.audit.origin, config_.audit.checkpointInterval});
  parties_ = std::make_unique<PartyRegistry>(*store_);
  linkage::LinkSettings settings = linkage::loadLinkSettings(config_.settingsPath);
  linkage::FellegiSunterModel model = linkage::FellegiSunterModel::loadFile(config_.modelPath);
  ingest_ = std::make_unique<IngestService>(*store_, config_.binding, std::move(settings), std::move(model),
                                            config_.ingest);
  models_ = std::make_unique<ModelLifecycle>(*ingest_);
  agreements_ = std::make_unique<AgreementRegistry>(*store_, *parties_);
  consents_ = std::make_unique<ConsentRegistry>(*store_, *parties_);
  quotas_ = std::make_unique<QuotaLedger>(*store_);
  notifications_ = std::make_unique<NotificationFeed>(*store_);
  orderKey_ = std::make_unique<pki::SigningKey>(
      pki::SigningKey::loadOrCreate(std::filesystem::path(config_.dataDirectory) / "keys" / "fetch-order.key"));
  metrics_ = std::make_unique<HubMetrics>(*store_, *ingest_, *parties_);
  broker_ = std::make_unique<AttributeBroker>(*ingest_, *parties_, *agreements_, *consents_, *quotas_, *audit_,
                                              *metrics_, *orderKey_, service::makeClientTlsContext(config_.tls),
                                              config_.broker);
  search_ = std::make_unique<RegistrySearch>(*ingest_, *parties_, config_.binding, config_.search, broker_.get());
  bootstrapAdmins();
  addRoutes();
}

HubService::~HubService() { stop(); }

void HubService::bootstrapAdmins() {
  for (const auto& admin : config_.bootstrapAdmins) {
    if (auto existing = parties_->find(admin.id)) {
      if (existing->role != Role::Admin) {
        throw std::runtime_error(config_.source + ": bootstrap_admins: party '" + admin.id +
                                 "' exists with another role");
      }
      parties_->bindCertificate(admin.id, admin.fingerprint);
      continue;
    }
    Party party;
    party.id = admin.id;
    party.role = Role::Admin;
    party.displayName = "bootstrap administrator";
    party.certificates = {admin.fingerprint};
    parties_->add(party);
    service::logEvent(log(), Poco::Message::PRIO_NOTICE, "bootstrap admin registered", {{"party", admin.id}});
  }
}

void HubService::addRoutes() {
  const std::set<Role> admin = {Role::Admin};
  const std::set<Role> oversight = {Role::Admin, Role::Auditor};
  const std::size_t maxBody = config_.limits.maxBodyBytes;

  routes_.add({"GET", "/health", {}, [](RequestContext& c) {
                 service::sendJsonText(c.response, 200, R"({"status":"ok"})");
               }});
  routes_.add({"GET", "/ready", {}, [this](RequestContext& c) {
                 if (!ready_) throw HttpError(503, "not_ready", "the hub is starting or stopping");
                 service::sendJsonText(c.response, 200, R"({"status":"ready"})");
               }});
  routes_.add({"GET", "/metrics", oversight, [this](RequestContext& c) {
                 service::sendText(c.response, 200, "text/plain; version=0.0.4; charset=utf-8", metrics_->render());
               }});

  routes_.add({"POST", "/ingest/batches", {Role::Custodian}, [this, maxBody](RequestContext& c) {
                 const std::string body = service::readBody(c.request, maxBody);
                 const std::string ack = ingest_->ingest(*c.caller, body);
                 // Every acknowledged batch is summarised in the audit log
                 // before the acknowledgement leaves; a retry answered as a
                 // duplicate is logged too, so a batch applied just before a
                 // crash still appears once its connector retries.
                 Poco::JSON::Parser parser;
                 const auto summary = parser.parse(ack).extract<Object::Ptr>();
                 auditChange("ingest", *c.caller, "batch_" + summary->optValue<std::string>("status", "applied"),
                             *summary, "", c.caller->id);
                 service::sendJsonText(c.response, 200, ack);
               }});
  routes_.add({"POST", "/registry/sync/search", {Role::Custodian, Role::Programme}, [this, maxBody](RequestContext& c) {
                 const std::string body = service::readBody(c.request, std::min<std::size_t>(maxBody, 4u << 20));
                 const SearchAnswer answer = search_->search(*c.caller, body);
                 service::sendJsonText(c.response, answer.status, answer.body);
               }});

  routes_.add({"GET", "/admin/parties", admin, [this](RequestContext& c) {
                 Array::Ptr list = new Array;
                 for (const auto& party : parties_->list()) list->add(partyToJson(party));
                 Object body;
                 body.set("parties", list);
                 service::sendJson(c.response, 200, body);
               }});
  routes_.add({"POST", "/admin/parties", admin, [this](RequestContext& c) {
                 const auto body = service::parseJsonObject(service::readBody(c.request, 65536));
                 Party party;
                 party.id = requiredString(body, "id");
                 const auto role = parseRole(requiredString(body, "role"));
                 if (!role) {
                   throw HttpError(400, "invalid_request",
                                   "$.role must be one of custodian, programme, admin, auditor");
                 }
                 party.role = *role;
                 party.displayName = body->optValue<std::string>("name", "");
                 if (body->has("certificate_fingerprint")) {
                   party.certificates.push_back(requiredString(body, "certificate_fingerprint"));
                 }
                 if (body->has("via")) {
                   party.via = requiredString(body, "via");
                   const auto custodian = parties_->find(party.via);
                   if (party.role != Role::Programme || !custodian || custodian->role != Role::Custodian) {
                     throw HttpError(400, "invalid_request",
                                     "$.via: a programme queries via a registered custodian's connector");
                   }
                 }
                 try {
                   const Party added = parties_->add(party);
                   Object details;
                   details.set("party", added.id);
                   details.set("role", std::string(roleName(added.role)));
                   auditChange("admin", *c.caller, "party_add", details);
                   service::logEvent(log(), Poco::Message::PRIO_NOTICE, "party registered",
                                     {{"party", added.id}, {"role", std::string(roleName(added.role))},
                                      {"by", c.caller->id}});
                   service::sendJson(c.response, 201, *partyToJson(added));
                 } catch (const RegistryError& e) {
                   throw registryHttpError(e);
                 }
               }});
  routes_.add({"GET", "/admin/parties/{id}", admin, [this](RequestContext& c) {
                 const auto party = parties_->find(c.params["id"]);
                 if (!party) throw HttpError(404, "not_found", "no party '" + c.params["id"] + "' is registered");
                 service::sendJson(c.response, 200, *partyToJson(*party));
               }});
  auto setStatus = [this](PartyStatus status) {
    return [this, status](RequestContext& c) {
      try {
        const Party updated = parties_->setStatus(c.params["id"], status);
        Object details;
        details.set("party", updated.id);
        auditChange("admin", *c.caller, status == PartyStatus::Active ? "party_enable" : "party_disable", details);
        service::logEvent(log(), Poco::Message::PRIO_NOTICE,
                          status == PartyStatus::Active ? "party enabled" : "party disabled",
                          {{"party", updated.id}, {"by", c.caller->id}});
        service::sendJson(c.response, 200, *partyToJson(updated));
      } catch (const RegistryError& e) {
        throw registryHttpError(e);
      }
    };
  };
  routes_.add({"POST", "/admin/parties/{id}/disable", admin, setStatus(PartyStatus::Disabled)});
  routes_.add({"POST", "/admin/parties/{id}/enable", admin, setStatus(PartyStatus::Active)});
  routes_.add({"POST", "/admin/parties/{id}/certificates", admin, [this](RequestContext& c) {
                 const auto body = service::parseJsonObject(service::readBody(c.request, 65536));
                 try {
                   const Party updated =
                       parties_->bindCertificate(c.params["id"], requiredString(body, "certificate_fingerprint"));
                   Object details;
                   details.set("party", updated.id);
                   auditChange("admin", *c.caller, "certificate_bind", details);
                   service::logEvent(log(), Poco::Message::PRIO_NOTICE, "certificate bound",
                                     {{"party", updated.id}, {"by", c.caller->id}});
                   service::sendJson(c.response, 200, *partyToJson(updated));
                 } catch (const RegistryError& e) {
                   throw registryHttpError(e);
                 }
               }});
  routes_.add({"DELETE", "/admin/parties/{id}/certificates/{fingerprint}", admin, [this](RequestContext& c) {
                 try {
                   const Party updated = parties_->unbindCertificate(c.params["id"], c.params["fingerprint"]);
                   Object details;
                   details.set("party", updated.id);
                   auditChange("admin", *c.caller, "certificate_unbind", details);
                   service::logEvent(log(), Poco::Message::PRIO_NOTICE, "certificate unbound",
                                     {{"party", updated.id}, {"by", c.caller->id}});
                   service::sendJson(c.response, 200, *partyToJson(updated));
                 } catch (const RegistryError& e) {
                   throw registryHttpError(e);
                 }
               }});
  routes_.add({"GET", "/admin/status", oversight, [this](RequestContext& c) {
                 Object body;
                 body.set("hub_id", config_.hubId);
                 body.set("schema_id", config_.binding.schemaId);
                 const KeyEpochs epochs = ingest_->keyEpochs();
                 body.set("key_epoch", epochs.current);
                 if (epochs.rotating()) body.set("next_key_epoch", epochs.next);
                 const EntityIndex* index = ingest_->index();
                 body.set("records", index != nullptr ? index->recordCount() : 0);
                 body.set("entities", index != nullptr ? index->entityCount() : 0);
                 const auto& counters = ingest_->counters();
                 Object ingest;
                 ingest.set("batches_applied", counters.batchesApplied.load());
                 ingest.set("batches_duplicate", counters.batchesDuplicate.load());
                 ingest.set("batches_rejected", counters.batchesRejected.load());
                 ingest.set("batches_throttled", counters.batchesThrottled.load());
                 ingest.set("records_upserted", counters.recordsUpserted.load());
                 ingest.set("records_deleted", counters.recordsDeleted.load());
                 ingest.set("entities_created", counters.entitiesCreated.load());
                 ingest.set("merges", counters.merges.load());
                 ingest.set("splits", counters.splits.load());
                 body.set("ingest", ingest);
                 Array::Ptr custodians = new Array;
                 std::size_t partyCount = 0;
                 for (const auto& party : parties_->list()) {
                   ++partyCount;
                   if (party.role != Role::Custodian) continue;
                   Object::Ptr entry = new Object;
                   entry->set("id", party.id);
                   entry->set("custodian_number", party.custodianNumber);
                   entry->set("last_sequence", ingest_->lastSequence(party.id));
                   custodians->add(entry);
                 }
                 body.set("parties", partyCount);
                 body.set("custodians", custodians);
                 service::sendJson(c.response, 200, body);
               }});
  // The entity membership (which pseudonymous references the hub put in which
  // entity), for linkage-quality evaluation by the custodians that can map
  // their own references back (nser demo). Admins only; every export is an
  // audit entry. Pseudonymous ids only, like everything the hub holds.
  routes_.add({"GET", "/admin/entities/export", admin, [this](RequestContext& c) {
                 const EntityIndex* index = ingest_->index();
                 std::unordered_map<std::uint32_t, std::string> custodianIds;
                 for (const auto& party : parties_->list()) {
                   if (party.role == Role::Custodian) custodianIds[party.custodianNumber] = party.id;
                 }
                 std::string csv = "entity_id,custodian,reference\n";
                 std::uint64_t rows = 0;
                 if (index != nullptr) {
                   index->forEachMembership([&](std::uint32_t custodian, std::string_view reference,
                                                linkage::EntityId entity) {
                     const auto id = custodianIds.find(custodian);
                     csv += std::to_string(entity);
                     csv += ',';
                     csv += id != custodianIds.end() ? id->second : std::to_string(custodian);
                     csv += ',';
                     csv += reference;
                     csv += '\n';
                     ++rows;
                   });
                 }
                 Object details;
                 details.set("records", rows);
                 auditChange("admin", *c.caller, "entity_export", details);
                 c.response.setStatus(Poco::Net::HTTPResponse::HTTP_OK);
                 c.response.setContentType("text/csv; charset=utf-8");
                 c.response.setContentLength(static_cast<std::streamsize>(csv.size()));
                 c.response.send().write(csv.data(), static_cast<std::streamsize>(csv.size()));
               }});
  addSharingRoutes();
  addLinkageRotationRoutes(routes_, *ingest_, *parties_, [this](const Party& actor, const std::string& action,
                                                                Object details) {
    auditChange("admin", actor, action, std::move(details));
  });
  audit_->addRoutes(routes_);
  routes_.add({"GET", "/admin/model", oversight, [this](RequestContext& c) {
                 service::sendJsonText(c.response, 200, models_->describe());
               }});
  routes_.add({"POST", "/admin/model/retrain", admin, [this](RequestContext& c) {
                 service::logEvent(log(), Poco::Message::PRIO_NOTICE, "model retraining requested",
                                   {{"by", c.caller->id}});
                 const std::string report = models_->retrain();
                 Poco::JSON::Parser parser;
                 auditChange("admin", *c.caller, "model_retrain", *parser.parse(report).extract<Object::Ptr>());
                 service::sendJsonText(c.response, 200, report);
               }});
  routes_.add({"POST", "/admin/model/switch", admin, [this](RequestContext& c) {
                 service::logEvent(log(), Poco::Message::PRIO_NOTICE, "model switch requested", {{"by", c.caller->id}});
                 const std::string report = models_->switchToCandidate();
                 Poco::JSON::Parser parser;
                 auditChange("admin", *c.caller, "model_switch", *parser.parse(report).extract<Object::Ptr>());
                 service::sendJsonText(c.response, 200, report);
               }});
  // An online backup (hub/hub_backup.h): checkpoints of the store and the
  // audit log plus the keys; the audit entry names what the backup holds.
  routes_.add({"POST", "/admin/backup", admin, [this](RequestContext& c) {
                 service::logEvent(log(), Poco::Message::PRIO_NOTICE, "backup requested", {{"by", c.caller->id}});
                 HubBackupResult backup;
                 try {
                   backup = createHubBackup(store_->database(), audit_->auditLog().database(), config_.dataDirectory,
                                            config_.backupDirectory, config_.hubId);
                 } catch (const BackupError& e) {
                   service::logEvent(log(), Poco::Message::PRIO_ERROR, "backup failed", {{"error", e.what()}});
                   throw HttpError(500, "backup_failed", e.what());
                 }
                 Object details;
                 details.set("path", backup.path.string());
                 details.set("created", backup.manifest.created);
                 details.set("store_bytes", backup.manifest.storeBytes);
                 details.set("audit_bytes", backup.manifest.auditBytes);
                 details.set("key_files", backup.manifest.keyFiles);
                 details.set("audit_tree_size", backup.manifest.auditTreeSize);
                 details.set("audit_root", backup.manifest.auditRoot);
                 auditChange("admin", *c.caller, "backup", details);
                 service::sendJson(c.response, 201, details);
               }});
  routes_.add({"GET", "/admin/events", oversight, [this](RequestContext& c) {
                 std::uint64_t after = 0;
                 std::size_t limit = 100;
                 try {
                   if (c.query.count("after")) after = std::stoull(c.query["after"]);
                   if (c.query.count("limit")) limit = std::min<std::size_t>(std::stoul(c.query["limit"]), 1000);
                 } catch (const std::exception&) {
                   throw HttpError(400, "invalid_request", "after and limit must be non-negative integers");
                 }
                 Array::Ptr events = new Array;
                 Poco::JSON::Parser parser;
                 store_->scan(Family::Events, "", [&](std::string_view key, std::string_view value) {
                   if (readBigEndian64(key) <= after) return true;
                   events->add(parser.parse(std::string(value)));
                   parser.reset();
                   return events->size() < limit;
                 });
                 Object body;
                 body.set("events", events);
                 service::sendJson(c.response, 200, body);
               }});
}

void HubService::start() {
  Poco::Net::SocketAddress address(config_.listenAddress, config_.port);
  Poco::Net::SecureServerSocket socket(address, static_cast<int>(config_.limits.acceptQueue),
                                       service::makeServerTlsContext(config_.tls));
  auto* params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(static_cast<int>(config_.limits.maxConnections));
  params->setMaxQueued(static_cast<int>(config_.limits.acceptQueue));
  params->setKeepAlive(true);
  params->setKeepAliveTimeout(Poco::Timespan(config_.limits.keepAliveSeconds, 0));
  params->setMaxKeepAliveRequests(10000);
  params->setTimeout(Poco::Timespan(30, 0));
  params->setServerName(config_.hubId);
  threads_ = std::make_unique<Poco::ThreadPool>(2, static_cast<int>(config_.limits.maxConnections) + 2);
  server_ = std::make_unique<service::HttpServer>(new HubHandlerFactory(routes_, *parties_, *metrics_, config_.limits.maxBodyBytes), *threads_,
                                                socket, params);
  static LoggingErrorHandler errorHandler;
  Poco::ErrorHandler::set(&errorHandler);
  server_->start();
  ready_ = true;
}

std::uint16_t HubService::port() const { return server_ ? server_->port() : config_.port; }

void HubService::stop() {
  ready_ = false;
  if (server_) {
    server_->stopAll(true);  // idle keep-alive connections would hold shutdown for their timeout
    threads_->joinAll();
    server_.reset();
  }
  threads_.reset();
  if (audit_) audit_->stop();
}

}  // namespace nser::hub
