// A mutual-TLS HTTPS client for calls between the system's parties
// (connector -> hub, `nser admin` -> hub, tests). One keep-alive connection,
// re-opened transparently when the server closed it. Not thread-safe: use one
// client per thread.
//
// Transport failures (refused connection, failed handshake, timeout) throw
// HttpsTransportError naming the endpoint; HTTP error statuses are returned,
// not thrown, so callers can read the server's JSON error.
#pragma once

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPSClientSession.h>

#include <chrono>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>

#include "service/tls_context.h"

namespace nser::service {

class HttpsTransportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct HttpsResponse {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string header(const std::string& lowerName) const {
    auto it = headers.find(lowerName);
    return it == headers.end() ? std::string() : it->second;
  }
};

class HttpsClient {
 public:
  HttpsClient(std::string host, std::uint16_t port, Poco::Net::Context::Ptr context,
              std::chrono::milliseconds timeout = std::chrono::seconds(30));
  HttpsClient(std::string host, std::uint16_t port, const TlsFiles& files,
              std::chrono::milliseconds timeout = std::chrono::seconds(30));

  HttpsResponse get(const std::string& path);
  HttpsResponse postJson(const std::string& path, const std::string& json);
  HttpsResponse post(const std::string& path, const std::string& contentType, const std::string& body,
                     const std::map<std::string, std::string>& headers = {});
  HttpsResponse request(const std::string& method, const std::string& path, const std::string& contentType,
                        const std::string& body, const std::map<std::string, std::string>& headers = {});

  std::string endpoint() const { return host_ + ":" + std::to_string(port_); }

 private:
  HttpsResponse exchange(const std::string& method, const std::string& path, const std::string& contentType,
                         const std::string& body, const std::map<std::string, std::string>& headers);
  std::string host_;
  std::uint16_t port_;
  Poco::Net::Context::Ptr context_;
  std::chrono::milliseconds timeout_;
  std::unique_ptr<Poco::Net::HTTPSClientSession> session_;
};

}  // namespace nser::service
