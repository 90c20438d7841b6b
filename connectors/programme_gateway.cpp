#include "connectors/programme_gateway.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/URI.h>

#include <Poco/UUIDGenerator.h>

#include <chrono>
#include <algorithm>
#include <map>
#include <set>

#include "connectors/connector_keys.h"
#include "connectors/connector_metrics.h"
#include "linkage/cnic.h"
#include "linkage/keyed_token.h"
#include "linkage/linkage_schema.h"
#include "linkage/linkage_secret.h"
#include "linkage/person_normaliser.h"
#include "linkage/record_encoder.h"
#include "policy/consent_artefact.h"
#include "protocol/encoded_query.h"
#include "protocol/json_reader.h"
#include "protocol/json_tree_writer.h"
#include "protocol/json_writer.h"
#include "protocol/sealed_attributes.h"
#include "protocol/search_envelope.h"
#include "service/https_client_pool.h"
#include "service/json_exchange.h"
#include "service/logging.h"
#include "service/peer_certificate.h"

namespace nser::connectors {
namespace {

using protocol::JsonValue;
using service::HttpError;

constexpr std::size_t kMaxRequests = 20;
constexpr std::size_t kMaxBody = 1 << 20;

// The string member `key` of a parsed message, "" when absent or not a string.
std::string member(JsonValue object, std::string_view key) {
  return std::string(object.find(key).string().value_or(""));
}

JsonValue objectAt(JsonValue parent, const std::string& key, const std::string& where) {
  const JsonValue value = parent.find(key);
  if (!value.isObject()) throw HttpError(400, "malformed_envelope", where + "." + key + " must be an object");
  return value;
}

// The request body as a JSON object, with the errors of
// service::parseJsonObject (400 malformed_json / not_an_object).
protocol::JsonDocument parseRequestObject(const std::string& body) {
  try {
    protocol::JsonDocument document = protocol::JsonDocument::parse(body);
    if (!document.root().isObject()) throw HttpError(400, "not_an_object", "request body must be a JSON object");
    return document;
  } catch (const protocol::JsonSyntaxError& e) {
    throw HttpError(400, "malformed_json", std::string("request body is not valid JSON: ") + e.what());
  }
}

// A search_request rejected here, as the JSON text of its answer (members in
// alphabetical order, as the Poco::JSON::Object this replaced wrote them).
std::string rejection(const std::string& referenceId, const std::string& code, const std::string& message) {
  protocol::JsonWriter response;
  response.beginObject();
  response.member("reference_id", referenceId);
  response.member("status", "rjct");
  response.member("status_reason_code", code);
  response.member("status_reason_message", message);
  response.endObject();
  return response.take();
}

std::int64_t unixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::vector<std::string> stringArray(JsonValue object, std::string_view key, const std::string& where) {
  std::vector<std::string> out;
  const JsonValue array = object.find(key);
  if (!array) return out;
  const std::string at = where + "." + std::string(key);
  if (!array.isArray()) throw HttpError(400, "invalid_request", at + " must be an array");
  out.reserve(array.size());
  for (const JsonValue value : array) {
    if (!value.isString() || value.text().empty()) {
      throw HttpError(400, "invalid_request", at + "[" + std::to_string(out.size()) + "] must be a non-empty string");
    }
    out.emplace_back(value.text());
  }
  return out;
}

}  // namespace

struct Answer {
  int status = 200;
  std::string body;
};

struct ProgrammeGateway::Engine {
  Engine(const ConnectorConfig& config, const SyncState* syncState)
      : custodian(config.custodian),
        programmes(config.gateway.programmes),
        state(syncState),
        keys(ConnectorKeys::loadOrCreate(config.dataDirectory)),
        secret(linkage::LinkageSecret::loadFromFile(config.secretFile, config.keyEpoch)),
        encoder(linkage::loadLinkageSchema(config.schemaPath), secret),
        tokenizer(secret),
        hubPool(config.hubHost, config.hubPort, service::makeClientTlsContext(config.tls), std::chrono::seconds(30),
                config.gateway.threads) {}

  std::string custodian;
  std::vector<std::string> programmes;
  const SyncState* state;
  ConnectorKeys keys;
  linkage::LinkageSecret secret;
  linkage::RecordEncoder encoder;
  linkage::KeyedTokenizer tokenizer;
  service::HttpsClientPool hubPool;  // one client per concurrent request

  // The encoded form of one plaintext query, or a rejection reason.
  std::optional<std::string> encodeQuery(const std::string& queryType, JsonValue query,
                                         protocol::SearchQuery& out) {
    if (queryType == "predicate") {
      linkage::PersonIdentity identity;
      const std::string name = member(query, "name"), relationType = member(query, "relation_type"),
                        relationName = member(query, "relation_name"), cnic = member(query, "cnic"),
                        gender = member(query, "gender"), dob = member(query, "dob"),
                        district = member(query, "district"), tehsil = member(query, "tehsil"),
                        phone = member(query, "phone");
      identity.name = name;
      identity.relationType = relationType;
      identity.relationName = relationName;
      identity.cnic = cnic;
      identity.gender = gender;
      identity.birthDate = dob;
      identity.district = district;
      identity.tehsil = tehsil;
      identity.phone = phone;
      auto workspace = encoder.makeWorkspace();
      linkage::EncodedRecord record;
      const auto outcome = encoder.encodeIdentity("query", identity, workspace, record);
      if (!outcome.ok) return "the query cannot be encoded: " + outcome.reason;
      out.type = std::string(protocol::kQueryEncodedRecord);
      out.value = protocol::encodeRecordQuery(record);
      return std::nullopt;
    }
    if (queryType == "idtype-value") {
      if (member(query, "type") != "CNIC") return "idtype-value queries take {\"type\": \"CNIC\", \"value\": ...}";
      // What PersonNormaliser keeps of an identity holding only the CNIC
      // (no stated gender): the canonical digits of a well-formed CNIC.
      const linkage::CnicResult cnic = linkage::canonicaliseCnic(member(query, "value"));
      if (!cnic.wellFormed()) return "the CNIC is not a valid 13-digit CNIC";
      const std::string& canonical = cnic.digits;
      std::vector<linkage::KeyedToken> tokens;
      tokenizer.appendCnicTokens(canonical, tokens);
      for (const auto& token : tokens) {
        if (token.kind == linkage::TokenKind::Cnic) {
          out.type = std::string(protocol::kQueryCnicToken);
          out.value = token.hex();
          return std::nullopt;
        }
      }
      return "the CNIC could not be tokenised";
    }
    return "query_type must be \"predicate\" (identity fields) or \"idtype-value\" (CNIC)";
  }

  // `certifiedAs`: the common name of the programme system's client
  // certificate (mutual-TLS gateways), which must be the sender; empty on a
  // loopback-only gateway.
  Answer search(const std::string& body, const std::string& certifiedAs = "") {
    const protocol::JsonDocument document = parseRequestObject(body);
    const JsonValue envelope = document.root();
    const JsonValue header = objectAt(envelope, "header", "$");
    const JsonValue message = objectAt(envelope, "message", "$");
    if (member(header, "action") != "search") {
      throw HttpError(400, "malformed_envelope", "$.header.action must be \"search\"");
    }
    const std::string programme = member(header, "sender_id");
    const std::string messageId = member(header, "message_id");
    if (programme.empty() || messageId.empty()) {
      throw HttpError(400, "malformed_envelope", "$.header.sender_id and message_id are required");
    }
    if (!certifiedAs.empty() && certifiedAs != programme) {
      throw HttpError(403, "sender_mismatch", "$.header.sender_id is not the programme the client certificate names");
    }
    if (!programmes.empty() && std::find(programmes.begin(), programmes.end(), programme) == programmes.end()) {
      throw HttpError(403, "unknown_programme", "programme '" + programme + "' does not use this gateway");
    }
    const JsonValue requests = message.find("search_request");
    if (!requests.isArray()) {
      throw HttpError(400, "malformed_envelope", "$.message.search_request must be an array");
    }
    if (requests.size() == 0 || requests.size() > kMaxRequests) {
      throw HttpError(400, "malformed_envelope", "$.message.search_request must hold 1-20 requests");
    }
    protocol::SearchEnvelope forward;
    forward.senderId = custodian;
    forward.receiverId = "nser-hub";
    forward.transactionId = member(message, "transaction_id");
    forward.schemaId = encoder.header().schemaId;
    forward.schemaDigest = encoder.header().schemaDigest;
    forward.keyEpoch = encoder.header().keyEpoch;
    // Rejections decided here, by position, as JSON text ("" = forwarded).
    std::vector<std::string> local;
    local.reserve(requests.size());
    for (const JsonValue request : requests) {
      const std::string where = "$.message.search_request[" + std::to_string(local.size()) + "]";
      local.emplace_back();
      std::string& rejected = local.back();
      if (!request.isObject()) {
        rejected = rejection("", "rjct.search_request.invalid", where + " must be an object");
        continue;
      }
      const std::string referenceId = member(request, "reference_id");
      if (referenceId.empty()) {
        rejected = rejection("", "rjct.reference_id.invalid", where + ".reference_id is missing");
        continue;
      }
      const JsonValue criteria = request.find("search_criteria");
      if (!criteria.isObject()) {
        rejected = rejection(referenceId, "rjct.search_criteria.invalid", where + ".search_criteria must be an object");
        continue;
      }
      const JsonValue queryObject = criteria.find("query");
      if (!queryObject.isObject()) {
        rejected = rejection(referenceId, "rjct.query.invalid", where + ".search_criteria.query must be an object");
        continue;
      }
      protocol::SearchQuery query;
      query.referenceId = referenceId;
      if (const JsonValue pagination = criteria.find("pagination"); pagination.isObject()) {
        const JsonValue size = pagination.find("page_size");
        const JsonValue number = pagination.find("page_number");
        const std::optional<std::int64_t> pageSize = size ? size.integer() : std::int64_t{10};
        const std::optional<std::int64_t> pageNumber = number ? number.integer() : std::int64_t{1};
        if (!pageSize || !pageNumber || *pageSize < 0 || *pageNumber < 0) {
          rejected = rejection(referenceId, "rjct.pagination.invalid",
                               where + ".search_criteria.pagination values must be integers");
          continue;
        }
        query.pageSize = static_cast<std::size_t>(*pageSize);
        query.pageNumber = static_cast<std::size_t>(*pageNumber);
      }
      if (auto problem = encodeQuery(member(criteria, "query_type"), queryObject, query)) {
        rejected = rejection(referenceId, "rjct.query.invalid", where + ": " + *problem);
        continue;
      }
      // A brokered request: the programme asks for attributes for a purpose.
      try {
        query.attributes = stringArray(criteria, "attributes", where + ".search_criteria");
      } catch (const HttpError& e) {
        rejected = rejection(referenceId, "rjct.attributes.invalid", e.what());
        continue;
      }
      if (!query.attributes.empty()) {
        query.programme = programme;
        query.purpose = member(criteria, "purpose");
        if (query.purpose.empty()) {
          rejected = rejection(referenceId, "rjct.attributes.invalid",
                               where + ".search_criteria.purpose is required when attributes are asked for");
          continue;
        }
      }
      forward.queries.push_back(std::move(query));
    }

    std::optional<protocol::JsonDocument> answered;
    JsonValue hubResponses;
    int status = 200;
    if (!forward.queries.empty()) {
      service::HttpsResponse response;
      try {
        const std::string request = protocol::buildSearchRequest(forward);
        response = hubPool.with([&](service::HttpsClient& hub) { return hub.postJson("/registry/sync/search", request); });
      } catch (const service::HttpsTransportError& e) {
        throw HttpError(502, "hub_unreachable", std::string("the hub could not be reached: ") + e.what());
      }
      // 403/404/409 are a brokered request's outcome, in the envelope.
      if (response.status != 200 && response.status != 403 && response.status != 404 && response.status != 409) {
        throw HttpError(502, "hub_error", "the hub answered HTTP " + std::to_string(response.status));
      }
      if (local.size() == 1) status = response.status;
      try {
        answered.emplace(protocol::JsonDocument::parse(response.body));
      } catch (const protocol::JsonSyntaxError&) {
        throw HttpError(502, "hub_error", "the hub answered HTTP " + std::to_string(response.status) +
                                              " with a body that is not JSON");
      }
      hubResponses = answered->root().find("message").find("search_response");
      if (!hubResponses.isArray() || hubResponses.size() != forward.queries.size()) {
        // Not a search answer: the hub refused this connector's call (e.g.
        // 403 for a disabled party, 409 no_box_key). The programme's request
        // was not at fault: a gateway error naming the hub's reason.
        const JsonValue error = answered->root().find("error");
        throw HttpError(502, "hub_refused",
                        "the hub refused the search: HTTP " + std::to_string(response.status) +
                            (error.isObject() ? " " + member(error, "code") + ": " + member(error, "message")
                                              : std::string()));
      }
    }
    // Members in alphabetical order, as the Poco::JSON::Object tree this
    // replaced wrote them (readers do not depend on the order).
    std::size_t succeeded = 0;
    protocol::JsonWriter responses;
    responses.beginArray();
    JsonValue::Iterator next = hubResponses.begin();
    for (const std::string& rejected : local) {
      if (!rejected.empty()) {
        responses.rawValue(rejected);
        continue;
      }
      const JsonValue answer = *next++;
      if (member(answer, "status") == "succ") ++succeeded;
      writeOpened(responses, answer);
    }
    responses.endArray();
    protocol::JsonWriter reply;
    reply.beginObject();
    reply.key("header").beginObject();
    reply.member("action", "on-search");
    reply.member("completed_count", succeeded);
    reply.member("correlation_message_id", messageId);
    reply.member("message_id", messageId + ".reply");
    reply.member("message_ts", member(header, "message_ts"));
    reply.member("receiver_id", programme);
    reply.member("sender_id", custodian);
    reply.member("status", succeeded == local.size() ? "succ" : (succeeded == 0 ? "rjct" : "part"));
    reply.member("total_count", local.size());
    reply.member("version", "1.0.0");
    reply.endObject();
    reply.key("message").beginObject();
    reply.member("correlation_id", messageId);
    reply.key("search_response").rawValue(responses.take());
    reply.member("transaction_id", forward.transactionId);
    reply.endObject();
    reply.member("signature", "");
    reply.endObject();
    return {status, reply.take()};
  }

  // Writes one of the hub's answers with the custodians' sealed payloads of
  // a brokered answer replaced by the attribute values they carry
  // ("values": {custodian: {name: value}}), keeping only what the hub's
  // decisions permitted from that custodian. Everything else is relayed as
  // the hub wrote it.
  void writeOpened(protocol::JsonWriter& out, JsonValue answer) {
    const JsonValue data = answer.find("data");
    const JsonValue attributes = data.find("attributes");
    if (!attributes.isObject()) {
      protocol::writeJsonTree(out, answer);
      return;
    }
    std::map<std::string, std::set<std::string>, std::less<>> permitted;
    for (const JsonValue decision : attributes.find("decisions")) {
      if (member(decision, "decision") == "permit") {
        permitted[member(decision, "custodian")].insert(member(decision, "attribute"));
      }
    }
    std::map<std::string, std::map<std::string, std::string>> values;
    for (const JsonValue payload : attributes.find("sealed")) {
      const std::string from = member(payload, "custodian");
      auto& opened = values[from];
      const auto allowed = permitted.find(from);
      try {
        for (auto& [name, value] : protocol::openAttributes(member(payload, "sealed"), keys.box)) {
          if (allowed != permitted.end() && allowed->second.count(name) != 0) opened.insert_or_assign(name, std::move(value));
        }
      } catch (const std::exception& e) {
        service::logEvent(Poco::Logger::get("connector.gateway"), Poco::Message::PRIO_ERROR,
                          "a sealed payload could not be opened", {{"custodian", from}, {"error", e.what()}});
      }
    }
    out.beginObject();
    for (const JsonValue field : answer) {
      out.key(field.key());
      if (!(field == data)) {
        protocol::writeJsonTree(out, field);
        continue;
      }
      out.beginObject();
      for (const JsonValue part : data) {
        out.key(part.key());
        if (!(part == attributes)) {
          protocol::writeJsonTree(out, part);
          continue;
        }
        out.beginObject();
        for (const JsonValue item : attributes) {
          if (item.key() == "sealed" || item.key() == "values") continue;
          out.key(item.key());
          protocol::writeJsonTree(out, item);
        }
        out.key("values").beginObject();
        for (const auto& [from, opened] : values) {
          out.key(from).beginObject();
          for (const auto& [name, value] : opened) out.member(name, value);
          out.endObject();
        }
        out.endObject();
        out.endObject();
      }
      out.endObject();
    }
    out.endObject();
  }

  // --- consent capture (registration desks) -------------------------------

  service::HttpsResponse callHub(const std::string& method, const std::string& path, const std::string& body) {
    try {
      return hubPool.with([&](service::HttpsClient& hub) { return hub.request(method, path, "application/json", body); });
    } catch (const service::HttpsTransportError& e) {
      throw HttpError(502, "hub_unreachable", std::string("the hub could not be reached: ") + e.what());
    }
  }

  // POST /consents {"subject": {"source_key"} | {"entity_id"}, "programme",
  // "purpose", "attributes", "expiry" (unix s), "start"?, "method"?}
  Answer registerConsent(const std::string& body) {
    const protocol::JsonDocument document = parseRequestObject(body);
    const JsonValue request = document.root();
    const JsonValue subject = objectAt(request, "subject", "$");
    policy::ConsentArtefact consent;
    consent.id = "consent-" + Poco::UUIDGenerator::defaultGenerator().createRandom().toString();
    const std::string sourceKey = member(subject, "source_key");
    const std::string entityId = member(subject, "entity_id");
    if (sourceKey.empty() == entityId.empty()) {
      throw HttpError(400, "invalid_request", "$.subject: give source_key (a record of this custodian) or entity_id");
    }
    if (!sourceKey.empty()) {
      const auto record = state == nullptr ? std::nullopt : state->record(sourceKey);
      if (!record) {
        throw HttpError(404, "unknown_record", "$.subject.source_key: this connector has not synced such a record");
      }
      consent.subject.custodian = custodian;
      consent.subject.reference = record->reference;
    } else {
      consent.subject.entityId = entityId;
    }
    consent.programme = member(request, "programme");
    consent.purpose = member(request, "purpose");
    if (consent.programme.empty() || consent.purpose.empty()) {
      throw HttpError(400, "invalid_request", "$.programme and $.purpose are required");
    }
    consent.attributes = stringArray(request, "attributes", "$");
    if (consent.attributes.empty()) throw HttpError(400, "invalid_request", "$.attributes must name the attributes consented to");
    const std::int64_t now = unixNow();
    const JsonValue start = request.find("start");
    const std::optional<std::int64_t> startAt = start ? start.integer() : now;
    const std::optional<std::int64_t> expiry = request.find("expiry").integer();
    if (!startAt || !expiry) throw HttpError(400, "invalid_request", "$.expiry (and $.start) must be unix times in seconds");
    consent.start = *startAt;
    consent.expiry = *expiry;
    if (consent.expiry <= consent.start) throw HttpError(400, "invalid_request", "$.expiry must be after $.start");
    consent.status = policy::ConsentStatus::Active;
    consent.provenance.custodian = custodian;
    consent.provenance.capturedAt = now;
    const JsonValue method = request.find("method");
    if (method && !method.isString()) throw HttpError(400, "invalid_request", "$.method must be a string");
    consent.provenance.method = method ? std::string(method.text()) : "registration-desk";
    policy::signConsent(consent, keys.signing);
    const auto response = callHub("POST", "/consents", policy::consentToJson(consent));
    return {response.status, response.body};
  }

  // POST /consents/{id}/{pause|resume|revoke}
  Answer changeConsent(const std::string& id, const std::string& action) {
    policy::ConsentStatusChange change;
    change.consentId = id;
    change.status = action == "revoke" ? policy::ConsentStatus::Revoked
                                       : (action == "pause" ? policy::ConsentStatus::Paused : policy::ConsentStatus::Active);
    change.at = unixNow();
    policy::signStatusChange(change, keys.signing);
    const auto response = callHub("POST", "/consents/" + id + "/status", policy::statusChangeToJson(change));
    return {response.status, response.body};
  }
};

namespace {

class GatewayHandler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit GatewayHandler(ProgrammeGateway& gateway) : gateway_(gateway) {}
  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
    try {
      const std::string path = Poco::URI(request.getURI()).getPath();
      if (path == "/health" && request.getMethod() == "GET") {
        service::sendJsonText(response, 200, R"({"status":"ok"})");
        return;
      }
      if (path == "/metrics" && request.getMethod() == "GET") {  // the connector's counters (connector_metrics.h)
        sendConnectorMetrics(response);
        return;
      }
      const auto answer = gateway_.handle(request.getMethod(), path, request);
      service::sendJsonText(response, answer.first, answer.second);
    } catch (const HttpError& e) {
      service::answerWithError(request, response, e, 2 * kMaxBody);
    } catch (const std::exception& e) {
      // The message of an unexpected error is logged without the request (it holds plaintext).
      service::logEvent(Poco::Logger::get("connector.gateway"), Poco::Message::PRIO_ERROR, "request failed",
                        {{"error", e.what()}});
      response.setKeepAlive(false);
      if (!response.sent()) service::sendError(response, HttpError(500, "internal_error", "internal error"));
    }
  }

 private:
  ProgrammeGateway& gateway_;
};

class GatewayFactory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit GatewayFactory(ProgrammeGateway& gateway) : gateway_(gateway) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new GatewayHandler(gateway_);
  }

 private:
  ProgrammeGateway& gateway_;
};

}  // namespace

ProgrammeGateway::ProgrammeGateway(const ConnectorConfig& config, const SyncState* state)
    : config_(config), engine_(std::make_unique<Engine>(config, state)) {}

ProgrammeGateway::~ProgrammeGateway() { stop(); }

std::string ProgrammeGateway::search(const std::string& body) { return engine_->search(body).body; }

std::pair<int, std::string> ProgrammeGateway::handle(const std::string& method, const std::string& path,
                                                     Poco::Net::HTTPServerRequest& request) {
  auto read = [&]() { return service::readBody(request, kMaxBody); };
  if (path == "/registry/sync/search") {
    if (method != "POST") throw HttpError(405, "method_not_allowed", "use POST");
    std::string certifiedAs;
    if (!config_.gateway.loopbackOnly) {
      const auto peer = service::peerCertificate(request);
      if (!peer || peer->commonName.empty()) throw HttpError(401, "no_client_certificate", "a client certificate is required");
      certifiedAs = peer->commonName;
    }
    const auto answer = engine_->search(read(), certifiedAs);
    return {answer.status, answer.body};
  }
  if (path == "/consents") {
    if (method != "POST") throw HttpError(405, "method_not_allowed", "use POST");
    const auto answer = engine_->registerConsent(read());
    return {answer.status, answer.body};
  }
  static const std::string prefix = "/consents/";
  if (path.rfind(prefix, 0) == 0) {
    const auto slash = path.find('/', prefix.size());
    const std::string id = path.substr(prefix.size(), slash == std::string::npos ? std::string::npos : slash - prefix.size());
    const std::string action = slash == std::string::npos ? "" : path.substr(slash + 1);
    if (id.empty() || (action != "pause" && action != "resume" && action != "revoke")) {
      throw HttpError(404, "not_found", "use /consents/{id}/pause, /resume or /revoke");
    }
    if (method != "POST") throw HttpError(405, "method_not_allowed", "use POST");
    const auto answer = engine_->changeConsent(id, action);
    return {answer.status, answer.body};
  }
  throw HttpError(404, "not_found", "no such route");
}

void ProgrammeGateway::start() {
  const auto& gateway = config_.gateway;
  Poco::Net::SocketAddress address(gateway.address, gateway.port);
  std::unique_ptr<Poco::Net::ServerSocket> socket;
  if (gateway.loopbackOnly) {
    socket = std::make_unique<Poco::Net::ServerSocket>(address, 64);
  } else {
    socket = std::make_unique<Poco::Net::SecureServerSocket>(address, 64, service::makeServerTlsContext(gateway.tls));
  }
  auto* params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(static_cast<int>(gateway.threads));
  params->setKeepAlive(true);
  params->setTimeout(Poco::Timespan(30, 0));
  threads_ = std::make_unique<Poco::ThreadPool>(1, static_cast<int>(gateway.threads) + 1);
  server_ = std::make_unique<service::HttpServer>(new GatewayFactory(*this), *threads_, *socket, params);
  server_->start();
}

void ProgrammeGateway::stop() {
  if (server_) {
    server_->stopAll(true);
    threads_->joinAll();
    server_.reset();
  }
  threads_.reset();
}

std::uint16_t ProgrammeGateway::port() const { return server_ ? server_->port() : config_.gateway.port; }

}  // namespace nser::connectors
