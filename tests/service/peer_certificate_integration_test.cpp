// service::peerCertificate on a real mutual-TLS server: the identity of each
// connection's client certificate, read once and kept with the certificate,
// must be the right one on every request of a keep-alive connection and
// never leak to another client's connection.
#include "service/peer_certificate.h"

#include <gtest/gtest.h>

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SecureServerSocket.h>

#include <memory>
#include <string>

#include "service/http_server.h"
#include "service/https_client.h"
#include "service/tls_context.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"

namespace nser::service {
namespace {

// Answers every request with "<fingerprint> <common name>" of the caller.
class EchoPeerHandler : public Poco::Net::HTTPRequestHandler {
 public:
  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
    const auto peer = peerCertificate(request);
    const std::string body = peer ? peer->fingerprint + " " + peer->commonName : "none";
    response.setContentLength64(static_cast<Poco::Int64>(body.size()));
    response.send() << body;
  }
};

class EchoPeerFactory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new EchoPeerHandler;
  }
};

class PeerCertificateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pki_ = testing::makeTestPki(dir_.path() / "pki", {"nser", "punjab"});
    Poco::Net::SecureServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0), 16,
                                         makeServerTlsContext(files(pki_.server)));
    auto* params = new Poco::Net::HTTPServerParams;
    params->setKeepAlive(true);
    server_ = std::make_unique<HttpServer>(new EchoPeerFactory, threads_, socket, params);
    server_->start();
  }
  void TearDown() override {
    server_->stopAll(true);
    threads_.joinAll();
  }

  TlsFiles files(const pki::IssuedCertificate& issued) const {
    return {issued.certificatePath.string(), issued.keyPath.string(), pki_.caCertificate.string(), ""};
  }
  HttpsClient client(const std::string& party) {
    return HttpsClient("127.0.0.1", server_->port(), files(pki_.client(party)));
  }

  testing::TempDir dir_;
  testing::TestPki pki_;
  Poco::ThreadPool threads_{1, 8};
  std::unique_ptr<HttpServer> server_;
};

TEST_F(PeerCertificateTest, IdentifiesEachClientOnEveryRequestOfItsConnection) {
  HttpsClient nser = client("nser");
  HttpsClient punjab = client("punjab");
  const std::string nserIdentity = pki_.client("nser").fingerprint + " nser";
  const std::string punjabIdentity = pki_.client("punjab").fingerprint + " punjab";
  ASSERT_NE(nserIdentity, punjabIdentity);
  // Interleaved requests on two kept-alive connections: the second and later
  // requests of each are answered from the identity kept with its certificate.
  for (int round = 0; round < 3; ++round) {
    EXPECT_EQ(nser.get("/").body, nserIdentity) << "round " << round;
    EXPECT_EQ(punjab.get("/").body, punjabIdentity) << "round " << round;
  }
}

TEST_F(PeerCertificateTest, NewConnectionsOfOtherClientsGetTheirOwnIdentity) {
  for (int round = 0; round < 3; ++round) {
    // A fresh connection each time (a new client object), alternating
    // certificates, so connection objects and descriptors are reused.
    EXPECT_EQ(client(round % 2 == 0 ? "nser" : "punjab").get("/").body,
              pki_.client(round % 2 == 0 ? "nser" : "punjab").fingerprint + (round % 2 == 0 ? " nser" : " punjab"));
  }
}

}  // namespace
}  // namespace nser::service
