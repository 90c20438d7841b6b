// `nser pki` through the real binary, and the certificates it makes in a real
// TLS 1.3 mutual-authentication handshake with POCO NetSSL, configured as the
// hub configures its server: TLSV1_3_SERVER_USE, VERIFY_STRICT, the CA file
// as the only trust anchor, the CA's CRL in the store.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <Poco/Net/Context.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/RejectCertificateHandler.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Timespan.h>

#include <atomic>
#include <future>
#include <map>
#include <sstream>
#include <thread>

#include "pki/certificate_info.h"
#include "pki/certificate_revocation.h"
#include "pki/revocation_list_store.h"
#include "tests/pki/x509_verification.h"
#include "tests/support/process_harness.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"

namespace nser {
namespace {

using nser::testing::runProcess;
using nser::testing::TempDir;

testing::ProcessResult nser(const std::vector<std::string>& args) { return runProcess(NSER_BINARY, args); }

// key=value lines of `nser pki` output.
std::map<std::string, std::string> keyValues(const std::string& text) {
  std::map<std::string, std::string> values;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    const auto equals = line.find('=');
    if (equals != std::string::npos) values[line.substr(0, equals)] = line.substr(equals + 1);
  }
  return values;
}

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

TEST(PkiCommand, InitIssueFingerprintAndRevokeEndToEnd) {
  TempDir dir;
  const std::string ca = (dir / "ca").string();
  const auto init = nser({"pki", "init-ca", "--dir", ca, "--name", "Integration CA", "--days", "30"});
  ASSERT_EQ(init.exitCode, 0) << init.err;
  EXPECT_EQ(pki::certificateCommonName(dir / "ca" / "ca.crt"), "Integration CA");

  const auto server = nser({"pki", "issue", "--ca", ca, "--party", "hub", "--server", "--san", "localhost", "--san",
                            "127.0.0.1", "--out", (dir / "hub").string()});
  ASSERT_EQ(server.exitCode, 0) << server.err;
  const auto client = nser({"pki", "issue", "--ca", ca, "--party", "punjab-connector", "--client", "--out",
                            (dir / "parties").string(), "--days", "10"});
  ASSERT_EQ(client.exitCode, 0) << client.err;
  const auto issued = keyValues(client.out);
  EXPECT_EQ(issued.at("party"), "punjab-connector");
  EXPECT_EQ(issued.at("certificate"), (dir / "parties" / "punjab-connector.crt").string());
  EXPECT_EQ(issued.at("fingerprint"), pki::certificateFingerprint(dir / "parties" / "punjab-connector.crt"));
  struct stat info {};
  ASSERT_EQ(::stat((dir / "parties" / "punjab-connector.key").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0600u);

  const auto fingerprint = nser({"pki", "fingerprint", issued.at("certificate")});
  ASSERT_EQ(fingerprint.exitCode, 0) << fingerprint.err;
  EXPECT_EQ(trimmed(fingerprint.out), issued.at("fingerprint"));
  // The openssl tool prints the same digest, uppercase with colons.
  const auto openssl =
      runProcess("/usr/bin/openssl", {"x509", "-in", issued.at("certificate"), "-noout", "-fingerprint", "-sha256"});
  if (openssl.exitCode == 0) {
    const std::string printed = trimmed(openssl.out);
    EXPECT_EQ(pki::normaliseFingerprint(printed.substr(printed.find('=') + 1)), issued.at("fingerprint"));
  }

  EXPECT_EQ(pki::testing::verifyCertificate(dir / "ca" / "ca.crt", issued.at("certificate"), dir / "ca" / "ca.crl"),
            X509_V_OK);
  const auto revoke = nser({"pki", "revoke", "--ca", ca, "--cert", issued.at("certificate"), "--crl-days", "3"});
  ASSERT_EQ(revoke.exitCode, 0) << revoke.err;
  EXPECT_EQ(keyValues(revoke.out).at("serial"), issued.at("serial"));
  EXPECT_EQ(pki::testing::verifyCertificate(dir / "ca" / "ca.crt", issued.at("certificate"), dir / "ca" / "ca.crl"),
            X509_V_ERR_CERT_REVOKED);
  const auto renew = nser({"pki", "renew-crl", "--ca", ca});
  EXPECT_EQ(renew.exitCode, 0) << renew.err;
  EXPECT_EQ(pki::testing::verifyCertificate(dir / "ca" / "ca.crt", issued.at("certificate"), dir / "ca" / "ca.crl"),
            X509_V_ERR_CERT_REVOKED);
}

TEST(PkiCommand, UsageAndDataErrorsHaveTheirExitCodes) {
  TempDir dir;
  const std::string ca = (dir / "ca").string();
  ASSERT_EQ(nser({"pki", "init-ca", "--dir", ca}).exitCode, 0);
  EXPECT_EQ(nser({"pki"}).exitCode, 2);
  EXPECT_EQ(nser({"pki", "frobnicate"}).exitCode, 2);
  EXPECT_EQ(nser({"pki", "issue", "--ca", ca, "--party", "x", "--out", ca}).exitCode, 2);  // no --server/--client
  EXPECT_EQ(nser({"pki", "revoke", "--ca", ca}).exitCode, 2);
  EXPECT_EQ(nser({"pki", "init-ca", "--dir", ca, "--days", "0"}).exitCode, 2);

  const auto badParty = nser({"pki", "issue", "--ca", ca, "--party", "Punjab_Connector", "--client", "--out", ca});
  EXPECT_EQ(badParty.exitCode, 1);
  EXPECT_NE(badParty.err.find("party id: character 1 is not allowed"), std::string::npos) << badParty.err;
  const auto again = nser({"pki", "init-ca", "--dir", ca});
  EXPECT_EQ(again.exitCode, 1);
  EXPECT_NE(again.err.find("refusing to overwrite"), std::string::npos) << again.err;
  EXPECT_EQ(nser({"pki", "revoke", "--ca", ca, "--serial", "abcdef"}).exitCode, 1);
  EXPECT_EQ(nser({"pki", "fingerprint", (dir / "missing.crt").string()}).exitCode, 1);
  EXPECT_EQ(nser({"pki", "--help"}).exitCode, 0);
}

TEST(PkiCommand, DeployCaScriptsWrapTheCommand) {
  TempDir dir;
  const std::string scripts = std::string(NSER_SOURCE_DIR) + "/deploy/ca/";
  const std::map<std::string, std::string> env{{"NSER", NSER_BINARY}};
  const std::string ca = (dir / "ca").string();
  auto script = [&](const std::string& name, const std::vector<std::string>& args) {
    std::vector<std::string> argv{scripts + name};
    argv.insert(argv.end(), args.begin(), args.end());
    return runProcess("/bin/bash", argv, std::chrono::seconds(60), env);
  };
  ASSERT_EQ(script("init-ca.sh", {ca}).exitCode, 0);
  const auto issued = script("issue.sh", {ca, "kp-connector", "--client"});
  ASSERT_EQ(issued.exitCode, 0) << issued.err;
  const auto values = keyValues(issued.out);
  EXPECT_EQ(values.at("certificate"), (dir / "issued" / "kp-connector" / "kp-connector.crt").string());
  EXPECT_EQ(values.at("fingerprint"), pki::certificateFingerprint(values.at("certificate")));
  const auto revoked = script("revoke.sh", {ca, values.at("certificate")});
  ASSERT_EQ(revoked.exitCode, 0) << revoked.err;
  EXPECT_EQ(script("renew-crl.sh", {ca, "--crl-days", "7"}).exitCode, 0);
  EXPECT_EQ(pki::testing::verifyCertificate(dir / "ca" / "ca.crt", values.at("certificate"), dir / "ca" / "ca.crl"),
            X509_V_ERR_CERT_REVOKED);
  EXPECT_EQ(script("issue.sh", {ca}).exitCode, 2);
}

// One TLS server on a loopback port that accepts a single connection, runs
// the handshake, and reports the peer certificate's fingerprint or the error.
class MutualTlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { Poco::Net::initializeSSL(); }
  static void TearDownTestSuite() { Poco::Net::uninitializeSSL(); }

  struct ServerOutcome {
    bool handshakeOk = false;
    std::string peerFingerprint;
    std::string error;
  };

  static Poco::Net::Context::Ptr serverContext(const testing::TestPki& pki) {
    Poco::Net::Context::Params params;
    params.privateKeyFile = pki.server.keyPath.string();
    params.certificateFile = pki.server.certificatePath.string();
    params.caLocation = pki.caCertificate.string();
    params.verificationMode = Poco::Net::Context::VERIFY_STRICT;
    Poco::Net::Context::Ptr context = new Poco::Net::Context(Poco::Net::Context::TLSV1_3_SERVER_USE, params);
    context->setInvalidCertificateHandler(new Poco::Net::RejectCertificateHandler(/*server=*/true));
    pki::addRevocationList(SSL_CTX_get_cert_store(context->sslContext()), pki.crl);
    return context;
  }

  static Poco::Net::Context::Ptr clientContext(const testing::TestPki& trusted, const pki::IssuedCertificate* identity,
                                               Poco::Net::Context::Usage usage = Poco::Net::Context::TLSV1_3_CLIENT_USE) {
    Poco::Net::Context::Params params;
    if (identity != nullptr) {
      params.privateKeyFile = identity->keyPath.string();
      params.certificateFile = identity->certificatePath.string();
    }
    params.caLocation = trusted.caCertificate.string();
    params.verificationMode = Poco::Net::Context::VERIFY_STRICT;
    Poco::Net::Context::Ptr context = new Poco::Net::Context(usage, params);
    context->setInvalidCertificateHandler(new Poco::Net::RejectCertificateHandler(/*server=*/false));
    return context;
  }

  // Runs one connection; returns the server's view and whether the client
  // received the server's "ok" (sent only after a successful handshake).
  static std::pair<ServerOutcome, bool> connect(const testing::TestPki& hubPki, Poco::Net::Context::Ptr client) {
    Poco::Net::SecureServerSocket listener(Poco::Net::SocketAddress("127.0.0.1", 0), 8, serverContext(hubPki));
    const Poco::UInt16 port = listener.address().port();
    auto server = std::async(std::launch::async, [&listener] {
      ServerOutcome outcome;
      try {
        if (!listener.poll(Poco::Timespan(10, 0), Poco::Net::Socket::SELECT_READ)) {
          outcome.error = "no connection";
          return outcome;
        }
        Poco::Net::SecureStreamSocket peer(listener.acceptConnection());
        peer.setReceiveTimeout(Poco::Timespan(10, 0));
        peer.completeHandshake();
        outcome.peerFingerprint = pki::certificateFingerprint(peer.peerCertificate().certificate());
        outcome.handshakeOk = true;
        peer.sendBytes("ok", 2);
        peer.shutdown();
      } catch (const Poco::Exception& error) {
        outcome.error = error.displayText();
      }
      return outcome;
    });
    bool clientGotOk = false;
    try {
      Poco::Net::SecureStreamSocket socket(Poco::Net::SocketAddress("127.0.0.1", port), "localhost", client);
      socket.setReceiveTimeout(Poco::Timespan(10, 0));
      socket.completeHandshake();
      char buffer[2] = {0, 0};
      clientGotOk = socket.receiveBytes(buffer, 2) == 2 && buffer[0] == 'o' && buffer[1] == 'k';
    } catch (const Poco::Exception&) {
      clientGotOk = false;
    }
    return {server.get(), clientGotOk};
  }

  TempDir dir_;
  testing::TestPki pki_ = testing::makeTestPki(dir_ / "deployment", {"punjab-connector", "sindh-connector"});
  testing::TestPki foreign_ = testing::makeTestPki(dir_ / "foreign", {"punjab-connector"}, "Foreign CA");
};

TEST_F(MutualTlsTest, ClientCertificateFromTheDeploymentCaCompletesTheHandshake) {
  const auto& party = pki_.client("punjab-connector");
  const auto [server, clientGotOk] = connect(pki_, clientContext(pki_, &party));
  EXPECT_TRUE(server.handshakeOk) << server.error;
  EXPECT_TRUE(clientGotOk);
  // What the hub binds: the peer certificate's fingerprint names the party.
  EXPECT_EQ(server.peerFingerprint, party.fingerprint);
}

TEST_F(MutualTlsTest, ClientCertificateFromAForeignCaIsRefused) {
  const auto& impostor = foreign_.client("punjab-connector");
  const auto [server, clientGotOk] = connect(pki_, clientContext(pki_, &impostor));
  EXPECT_FALSE(server.handshakeOk);
  EXPECT_FALSE(clientGotOk);
  EXPECT_FALSE(server.error.empty());
}

TEST_F(MutualTlsTest, ClientWithoutACertificateIsRefused) {
  const auto [server, clientGotOk] = connect(pki_, clientContext(pki_, nullptr));
  EXPECT_FALSE(server.handshakeOk);
  EXPECT_FALSE(clientGotOk);
}

TEST_F(MutualTlsTest, RevokedClientCertificateIsRefusedOnceTheCrlListsIt) {
  const auto& party = pki_.client("sindh-connector");
  pki::revokeCertificateFile(pki_.caDir, party.certificatePath);
  const auto [server, clientGotOk] = connect(pki_, clientContext(pki_, &party));
  EXPECT_FALSE(server.handshakeOk);
  EXPECT_FALSE(clientGotOk);
  // Other parties are unaffected.
  const auto [other, otherGotOk] = connect(pki_, clientContext(pki_, &pki_.client("punjab-connector")));
  EXPECT_TRUE(other.handshakeOk) << other.error;
  EXPECT_TRUE(otherGotOk);
}

TEST_F(MutualTlsTest, ServerCertificateFromAForeignCaIsRefusedByTheClient) {
  const auto& party = pki_.client("punjab-connector");
  // The client trusts only the foreign CA, so the deployment's hub is an impostor to it.
  const auto [server, clientGotOk] = connect(pki_, clientContext(foreign_, &party));
  EXPECT_FALSE(server.handshakeOk);
  EXPECT_FALSE(clientGotOk);
}

TEST_F(MutualTlsTest, Tls12ClientIsRefused) {
  const auto& party = pki_.client("punjab-connector");
  // POCO's TLSV1_2_CLIENT_USE only sets a minimum (it would negotiate 1.3):
  // cap the client at TLS 1.2 so that only the server's TLS 1.3 floor decides.
  Poco::Net::Context::Ptr client = clientContext(pki_, &party, Poco::Net::Context::TLS_CLIENT_USE);
  ASSERT_EQ(SSL_CTX_set_max_proto_version(client->sslContext(), TLS1_2_VERSION), 1);
  const auto [server, clientGotOk] = connect(pki_, client);
  EXPECT_FALSE(server.handshakeOk);
  EXPECT_FALSE(clientGotOk);
}

}  // namespace
}  // namespace nser
