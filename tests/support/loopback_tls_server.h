// A mutual-TLS HTTP server on loopback, for tests of TLS clients and of what
// a server keeps per connection: service::HttpServer with the project's
// server TLS context and a TestPki's server certificate, keeping connections
// alive and answering every request 200 with what `answer` returns for it.
// Header-only, so a test folder needs only nser_service and nser_pki in its
// LIBS.
//
//   const auto pki = nser::testing::makeTestPki(dir.path() / "pki", {"nser"});
//   nser::testing::LoopbackTlsServer server(pki, [](Poco::Net::HTTPServerRequest& request) {
//     return std::to_string(request.clientAddress().port());
//   });
//   nser::service::HttpsClient client("127.0.0.1", server.port(), server.clientFiles("nser"));
//
// The destructor stops the server at once (open keep-alive connections end)
// and waits for its threads.
#pragma once

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/ThreadPool.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "service/http_server.h"
#include "service/tls_context.h"
#include "tests/support/test_pki.h"

namespace nser::testing {

class LoopbackTlsServer {
 public:
  using Answer = std::function<std::string(Poco::Net::HTTPServerRequest&)>;

  LoopbackTlsServer(TestPki pki, Answer answer) : pki_(std::move(pki)) {
    Poco::Net::SecureServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0), 16,
                                         service::makeServerTlsContext(files(pki_.server)));
    auto* params = new Poco::Net::HTTPServerParams;
    params->setKeepAlive(true);
    server_ = std::make_unique<service::HttpServer>(new AnswerFactory(std::move(answer)), threads_, socket, params);
    server_->start();
  }
  ~LoopbackTlsServer() {
    server_->stopAll(true);
    threads_.joinAll();
  }
  LoopbackTlsServer(const LoopbackTlsServer&) = delete;
  LoopbackTlsServer& operator=(const LoopbackTlsServer&) = delete;

  std::uint16_t port() const { return server_->port(); }
  // The TLS files of the client certificate the TestPki issued to `party`.
  service::TlsFiles clientFiles(const std::string& party) const { return files(pki_.client(party)); }

 private:
  class AnswerHandler : public Poco::Net::HTTPRequestHandler {
   public:
    explicit AnswerHandler(const Answer& answer) : answer_(answer) {}
    void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
      const std::string body = answer_(request);
      response.setContentLength64(static_cast<Poco::Int64>(body.size()));
      response.send() << body;
    }

   private:
    const Answer& answer_;
  };
  class AnswerFactory : public Poco::Net::HTTPRequestHandlerFactory {
   public:
    explicit AnswerFactory(Answer answer) : answer_(std::move(answer)) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
      return new AnswerHandler(answer_);
    }

   private:
    Answer answer_;
  };

  service::TlsFiles files(const pki::IssuedCertificate& issued) const {
    return {issued.certificatePath.string(), issued.keyPath.string(), pki_.caCertificate.string(), ""};
  }

  TestPki pki_;
  Poco::ThreadPool threads_{1, 8};
  std::unique_ptr<service::HttpServer> server_;  // destroyed before the threads it runs on
};

}  // namespace nser::testing
