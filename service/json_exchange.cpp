#include "service/json_exchange.h"

#include <Poco/JSON/JSONException.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <istream>
#include <sstream>

namespace nser::service {

std::string readBody(Poco::Net::HTTPServerRequest& request, std::size_t maxBytes) {
  const auto declared = request.getContentLength64();
  if (declared != Poco::Net::HTTPMessage::UNKNOWN_CONTENT_LENGTH && declared > static_cast<Poco::Int64>(maxBytes)) {
    throw HttpError(413, "body_too_large",
                    "request body of " + std::to_string(declared) + " bytes exceeds the limit of " +
                        std::to_string(maxBytes) + " bytes");
  }
  std::string body;
  if (declared > 0) body.reserve(static_cast<std::size_t>(declared));
  std::istream& in = request.stream();
  char buffer[16384];
  while (in) {
    in.read(buffer, sizeof buffer);
    const auto got = static_cast<std::size_t>(in.gcount());
    if (body.size() + got > maxBytes) {
      throw HttpError(413, "body_too_large",
                      "request body exceeds the limit of " + std::to_string(maxBytes) + " bytes");
    }
    body.append(buffer, got);
  }
  if (declared != Poco::Net::HTTPMessage::UNKNOWN_CONTENT_LENGTH && static_cast<Poco::Int64>(body.size()) != declared) {
    throw HttpError(400, "truncated_body",
                    "request body ended after " + std::to_string(body.size()) + " of " + std::to_string(declared) +
                        " declared bytes");
  }
  return body;
}

bool drainBody(Poco::Net::HTTPServerRequest& request, std::size_t maxBytes) {
  const auto declared = request.getContentLength64();
  if (declared != Poco::Net::HTTPMessage::UNKNOWN_CONTENT_LENGTH && declared > static_cast<Poco::Int64>(maxBytes)) {
    return false;
  }
  std::istream& in = request.stream();
  char buffer[16384];
  std::size_t total = 0;
  while (in) {
    in.read(buffer, sizeof buffer);
    total += static_cast<std::size_t>(in.gcount());
    if (total > maxBytes) return false;
  }
  return true;
}

Poco::JSON::Object::Ptr parseJsonObject(const std::string& body) {
  Poco::Dynamic::Var parsed;
  try {
    Poco::JSON::Parser parser;
    parsed = parser.parse(body);
  } catch (const Poco::Exception& e) {
    throw HttpError(400, "malformed_json", "request body is not valid JSON: " + e.message());
  }
  if (parsed.type() != typeid(Poco::JSON::Object::Ptr)) {
    throw HttpError(400, "not_an_object", "request body must be a JSON object");
  }
  return parsed.extract<Poco::JSON::Object::Ptr>();
}

void sendText(Poco::Net::HTTPServerResponse& response, int status, const std::string& contentType,
              const std::string& text) {
  response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
  response.setContentType(contentType);
  response.setContentLength64(static_cast<Poco::Int64>(text.size()));
  response.set("Cache-Control", "no-store");
  response.send() << text;
}

void sendJsonText(Poco::Net::HTTPServerResponse& response, int status, const std::string& json) {
  sendText(response, status, "application/json", json);
}

void sendJson(Poco::Net::HTTPServerResponse& response, int status, const Poco::JSON::Object& body) {
  std::ostringstream text;
  body.stringify(text);
  sendJsonText(response, status, text.str());
}

void sendError(Poco::Net::HTTPServerResponse& response, const HttpError& error) {
  Poco::JSON::Object detail;
  detail.set("status", error.status());
  detail.set("code", error.code());
  detail.set("message", std::string(error.what()));
  Poco::JSON::Object body;
  body.set("error", detail);
  if (error.retryAfterSeconds() > 0) response.set("Retry-After", std::to_string(error.retryAfterSeconds()));
  sendJson(response, error.status(), body);
}

void answerWithError(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                     const HttpError& error, std::size_t drainLimit) {
  try {
    if (!drainBody(request, drainLimit)) response.setKeepAlive(false);
  } catch (const Poco::Exception&) {
    response.setKeepAlive(false);
  }
  if (!response.sent()) sendError(response, error);
}

}  // namespace nser::service
