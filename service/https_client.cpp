#include "service/https_client.h"

#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/StreamCopier.h>

#include <algorithm>
#include <cctype>

namespace nser::service {

HttpsClient::HttpsClient(std::string host, std::uint16_t port, Poco::Net::Context::Ptr context,
                         std::chrono::milliseconds timeout)
    : host_(std::move(host)), port_(port), context_(std::move(context)), timeout_(timeout) {}

HttpsClient::HttpsClient(std::string host, std::uint16_t port, const TlsFiles& files, std::chrono::milliseconds timeout)
    : HttpsClient(std::move(host), port, makeClientTlsContext(files), timeout) {}

HttpsResponse HttpsClient::get(const std::string& path) { return request("GET", path, "", ""); }

HttpsResponse HttpsClient::postJson(const std::string& path, const std::string& json) {
  return request("POST", path, "application/json", json);
}

HttpsResponse HttpsClient::post(const std::string& path, const std::string& contentType, const std::string& body,
                                const std::map<std::string, std::string>& headers) {
  return request("POST", path, contentType, body, headers);
}

HttpsResponse HttpsClient::request(const std::string& method, const std::string& path, const std::string& contentType,
                                   const std::string& body, const std::map<std::string, std::string>& headers) {
  // A kept-alive connection may have been closed by the server between two
  // calls; one attempt on a fresh connection follows. Every API of the system
  // tolerates a repeat (ingest batches carry idempotency keys, admin changes
  // are conflict-checked, reads are reads).
  for (int attempt = 1;; ++attempt) {
    try {
      return exchange(method, path, contentType, body, headers);
    } catch (const Poco::Exception& e) {
      session_.reset();
      const bool closedByPeer = dynamic_cast<const Poco::Net::ConnectionResetException*>(&e) != nullptr ||
                                dynamic_cast<const Poco::Net::NoMessageException*>(&e) != nullptr;
      if (!closedByPeer || attempt == 2) {
        throw HttpsTransportError("HTTPS " + method + " https://" + endpoint() + path + " failed: " + e.displayText());
      }
    }
  }
}

HttpsResponse HttpsClient::exchange(const std::string& method, const std::string& path,
                                    const std::string& contentType, const std::string& body,
                                    const std::map<std::string, std::string>& headers) {
  try {
    if (!session_) {
      session_ = std::make_unique<Poco::Net::HTTPSClientSession>(host_, port_, context_);
      session_->setKeepAlive(true);
      session_->setTimeout(Poco::Timespan(static_cast<long>(timeout_.count() / 1000),
                                          static_cast<long>((timeout_.count() % 1000) * 1000)));
    }
    Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    request.setKeepAlive(true);
    for (const auto& [name, value] : headers) request.set(name, value);
    if (!contentType.empty()) request.setContentType(contentType);
    if (method != "GET" || !body.empty()) request.setContentLength64(static_cast<Poco::Int64>(body.size()));
    std::ostream& out = session_->sendRequest(request);
    try {
      out << body;
      out.flush();
    } catch (const Poco::Exception&) {
      // The server may have answered (413, 403) and closed before reading the
      // whole body; its answer, if it arrived, is still worth reading.
    }
    Poco::Net::HTTPResponse response;
    std::istream& in = session_->receiveResponse(response);
    HttpsResponse result;
    result.status = static_cast<int>(response.getStatus());
    if (const auto length = response.getContentLength64(); length > 0 && length <= (1 << 20)) {
      result.body.reserve(static_cast<std::size_t>(length));
    }
    Poco::StreamCopier::copyToString64(in, result.body);
    for (const auto& [name, value] : response) {
      std::string lower = name;
      std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
      result.headers[lower] = value;
    }
    if (!response.getKeepAlive()) session_.reset();
    return result;
  } catch (const Poco::Exception&) {
    session_.reset();
    throw;
  }
}

}  // namespace nser::service
