// Reading request bodies and writing JSON answers for the services' HTTP
// handlers, with the limits and error shape of http_error.h.
#pragma once

#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <cstddef>
#include <string>

#include "service/http_error.h"

namespace nser::service {

// The whole body, at most `maxBytes`; HttpError 413 (body_too_large) when the
// declared or actual length exceeds it, 400 when it ends early.
std::string readBody(Poco::Net::HTTPServerRequest& request, std::size_t maxBytes);

// Reads and discards what is left of the body, at most `maxBytes`, so the
// connection can carry the next request. False when more remained (the
// caller must then close the connection: response.setKeepAlive(false)).
bool drainBody(Poco::Net::HTTPServerRequest& request, std::size_t maxBytes);

// Parses a JSON object body; HttpError 400 (malformed_json) naming the
// parser's complaint, or (not_an_object) for another JSON value.
Poco::JSON::Object::Ptr parseJsonObject(const std::string& body);

void sendJson(Poco::Net::HTTPServerResponse& response, int status, const Poco::JSON::Object& body);
void sendJsonText(Poco::Net::HTTPServerResponse& response, int status, const std::string& json);
void sendText(Poco::Net::HTTPServerResponse& response, int status, const std::string& contentType,
              const std::string& text);
void sendError(Poco::Net::HTTPServerResponse& response, const HttpError& error);

// Answers a request that failed with `error`: first drains what is left of its
// body (at most `drainLimit` bytes; an unread body would be parsed as the next
// request on the connection), closing the connection when it cannot, then
// sends the JSON error unless an answer has already gone out.
void answerWithError(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                     const HttpError& error, std::size_t drainLimit);

}  // namespace nser::service
