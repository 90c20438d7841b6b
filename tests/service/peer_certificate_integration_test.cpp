// service::peerCertificate on a real mutual-TLS server: the identity of each
// connection's client certificate, read once and kept with the certificate,
// must be the right one on every request of a keep-alive connection and
// never leak to another client's connection.
#include "service/peer_certificate.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "service/https_client.h"
#include "tests/support/loopback_tls_server.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"

namespace nser::service {
namespace {

class PeerCertificateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pki_ = testing::makeTestPki(dir_.path() / "pki", {"nser", "punjab"});
    // Answers every request with "<fingerprint> <common name>" of the caller.
    server_ = std::make_unique<testing::LoopbackTlsServer>(pki_, [](Poco::Net::HTTPServerRequest& request) {
      const auto peer = peerCertificate(request);
      return peer ? peer->fingerprint + " " + peer->commonName : std::string("none");
    });
  }

  HttpsClient client(const std::string& party) {
    return HttpsClient("127.0.0.1", server_->port(), server_->clientFiles(party));
  }

  testing::TempDir dir_;
  testing::TestPki pki_;
  std::unique_ptr<testing::LoopbackTlsServer> server_;
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
