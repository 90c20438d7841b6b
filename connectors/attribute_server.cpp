#include "connectors/attribute_server.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/URI.h>

#include <chrono>

#include "protocol/fetch_order.h"
#include "protocol/json_writer.h"
#include "protocol/sealed_attributes.h"
#include "service/json_exchange.h"
#include "service/logging.h"
#include "service/tls_context.h"

namespace nser::connectors {
namespace {

using service::HttpError;

// Looked up once: Logger::get takes POCO's global logger lock. Loggers live
// until process exit and level changes apply to the same object.
Poco::Logger& log() {
  static Poco::Logger& logger = Poco::Logger::get("connector.attributes");
  return logger;
}

std::string checkName(protocol::OrderCheck check) {
  switch (check) {
    case protocol::OrderCheck::Valid: return "Valid";
    case protocol::OrderCheck::BadSignature: return "BadSignature";
    case protocol::OrderCheck::Expired: return "Expired";
    case protocol::OrderCheck::NotYetValid: return "NotYetValid";
    case protocol::OrderCheck::WrongCustodian: return "WrongCustodian";
    case protocol::OrderCheck::Malformed: return "Malformed";
  }
  return "Malformed";
}

FetchAnswer refuse(int status, const std::string& code, const std::string& message) {
  protocol::JsonWriter json;
  json.beginObject().key("error").beginObject();
  json.member("code", code).member("message", message);
  json.endObject().endObject();
  return {status, json.take()};
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ",") + name;
  return out;
}

class FetchHandler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit FetchHandler(AttributeServer& server) : server_(server) {}
  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
    try {
      const std::string path = Poco::URI(request.getURI()).getPath();
      if (path != "/attributes/fetch") throw HttpError(404, "not_found", "no such route");
      if (request.getMethod() != "POST") throw HttpError(405, "method_not_allowed", "use POST");
      const FetchAnswer answer = server_.fetch(service::readBody(request, 65536));
      service::sendJsonText(response, answer.status, answer.body);
    } catch (const HttpError& e) {
      service::answerWithError(request, response, e, 131072);
    } catch (const std::exception& e) {
      service::logEvent(log(), Poco::Message::PRIO_ERROR, "fetch failed", {{"error", e.what()}});
      response.setKeepAlive(false);
      if (!response.sent()) service::sendError(response, HttpError(500, "internal_error", "internal error"));
    }
  }

 private:
  AttributeServer& server_;
};

class FetchFactory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit FetchFactory(AttributeServer& server) : server_(server) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new FetchHandler(server_);
  }

 private:
  AttributeServer& server_;
};

}  // namespace

AttributeServer::AttributeServer(const ConnectorConfig& config, const SyncState& state, const SourceMapping& mapping,
                                 pki::PublicKey hubOrderKey)
    : config_(config), state_(state), reader_(config.sourceConfig, mapping), hubOrderKey_(hubOrderKey) {}

AttributeServer::~AttributeServer() { stop(); }

bool AttributeServer::firstUse(const std::string& orderId, std::int64_t expiresAt, std::int64_t now) {
  std::lock_guard lock(seenMutex_);
  // Forget orders that have expired: they are refused as expired anyway.
  while (!seenByExpiry_.empty() && seenByExpiry_.begin()->first < now) {
    seen_.erase(seenByExpiry_.begin()->second);
    seenByExpiry_.erase(seenByExpiry_.begin());
  }
  if (!seen_.emplace(orderId, expiresAt).second) return false;
  seenByExpiry_.emplace(expiresAt, orderId);
  return true;
}

FetchAnswer AttributeServer::fetch(const std::string& body) {
  protocol::FetchOrder order;
  try {
    order = protocol::parseFetchOrder(body);
  } catch (const std::exception& e) {
    return refuse(400, "Malformed", std::string("the fetch order is malformed: ") + e.what());
  }
  const std::int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  const auto check = protocol::checkFetchOrder(order, hubOrderKey_, config_.custodian, now);
  if (check != protocol::OrderCheck::Valid) {
    service::logEvent(log(), Poco::Message::PRIO_WARNING, "fetch order refused",
                      {{"order", order.orderId}, {"reason", checkName(check)}});
    return refuse(check == protocol::OrderCheck::Malformed ? 400 : 403, checkName(check),
                  "the fetch order is not valid for this custodian now");
  }
  if (!firstUse(order.orderId, order.expiresAt, now)) {
    return refuse(409, "OrderReplayed", "this fetch order has been served already");
  }
  const auto key = state_.sourceKeyOf(order.reference);
  if (!key) return refuse(404, "UnknownReference", "no record of this custodian has that reference");
  std::optional<std::map<std::string, std::string>> values;
  try {
    values = reader_.read(*key, order.attributes);
  } catch (const std::invalid_argument& e) {
    return refuse(400, "UnknownAttribute", e.what());
  }
  if (!values) return refuse(404, "UnknownReference", "the source no longer holds the record");
  protocol::JsonWriter reply;
  reply.beginObject();
  reply.member("order_id", order.orderId);
  reply.member("sealed", protocol::sealAttributes(*values, order.requesterKey));
  reply.endObject();
  if (log().information()) {  // the fields are built only when the line is written
    service::logEvent(log(), Poco::Message::PRIO_INFORMATION, "fetch order served",
                      {{"order", order.orderId}, {"requester", order.requester}, {"purpose", order.purpose},
                       {"attributes", joined(order.attributes)}});
  }
  return {200, reply.take()};
}

void AttributeServer::start() {
  const auto& settings = config_.attributeServer;
  Poco::Net::SocketAddress address(settings.address, settings.port);
  Poco::Net::SecureServerSocket socket(address, 64, service::makeServerTlsContext(config_.tls));
  auto* params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(static_cast<int>(settings.threads));
  params->setKeepAlive(true);
  params->setTimeout(Poco::Timespan(30, 0));
  threads_ = std::make_unique<Poco::ThreadPool>(1, static_cast<int>(settings.threads) + 1);
  server_ = std::make_unique<service::HttpServer>(new FetchFactory(*this), *threads_, socket, params);
  server_->start();
}

void AttributeServer::stop() {
  if (server_) {
    server_->stopAll(true);
    threads_->joinAll();
    server_.reset();
  }
  threads_.reset();
}

std::uint16_t AttributeServer::port() const { return server_ ? server_->port() : config_.attributeServer.port; }

std::string AttributeServer::endpoint() const {
  if (!config_.attributeServer.advertise.empty()) return config_.attributeServer.advertise;
  return config_.attributeServer.address + ":" + std::to_string(port());
}

}  // namespace nser::connectors
