// Certificates made by the test, for tests that speak mutual TLS: a CA, a
// server certificate and client certificates, issued through the pki library
// into a directory the test owns (usually a TempDir). Header-only, so a test
// folder needs only nser_pki in its LIBS.
//
//   nser::testing::TempDir dir;
//   const auto pki = nser::testing::makeTestPki(dir / "pki", {"punjab-connector", "admin"});
//   const auto foreign = nser::testing::makeTestPki(dir / "foreign", {"punjab-connector"}, "Foreign CA");
//   pki.caCertificate, pki.crl, pki.server.certificatePath, pki.server.keyPath,
//   pki.client("admin").certificatePath, pki.client("admin").fingerprint ...
//
// Every certificate has serverAuth and clientAuth and the subject
// alternative names localhost, 127.0.0.1 and ::1: the hub also calls the
// connectors' attribute servers, which serve with the connector's own
// certificate. Throws pki::PkiError on failure (the test then fails).
#pragma once

#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "pki/certificate_authority.h"
#include "pki/certificate_issuer.h"

namespace nser::testing {

struct TestPki {
  std::filesystem::path caDir;
  std::filesystem::path caCertificate;  // caDir/ca.crt: what both sides trust
  std::filesystem::path crl;            // caDir/ca.crl
  pki::IssuedCertificate server;
  std::map<std::string, pki::IssuedCertificate> clients;  // by party id

  // Throws std::out_of_range naming the party when it was not issued.
  const pki::IssuedCertificate& client(const std::string& partyId) const {
    const auto it = clients.find(partyId);
    if (it == clients.end()) throw std::out_of_range("TestPki: no client certificate for party '" + partyId + "'");
    return it->second;
  }

  // Issues one more certificate from this CA into caDir/../issued.
  pki::IssuedCertificate issue(const std::string& partyId, bool serverAuth, bool clientAuth) const {
    pki::IssueRequest request;
    request.partyId = partyId;
    request.serverAuth = serverAuth;
    request.clientAuth = clientAuth;
    if (serverAuth) request.subjectAltNames = {"localhost", "127.0.0.1", "::1"};
    return pki::issueCertificate(caDir, request, caDir.parent_path() / "issued");
  }
};

// Creates dir/ca (the CA) and dir/issued (keys and certificates).
inline TestPki makeTestPki(const std::filesystem::path& dir, const std::vector<std::string>& clientParties,
                           const std::string& caName = "NSER Test CA", const std::string& serverParty = "hub") {
  TestPki result;
  result.caDir = dir / "ca";
  const pki::CaFiles files = pki::createCertificateAuthority(result.caDir, caName);
  result.caCertificate = files.certificate();
  result.crl = files.crl();
  result.server = result.issue(serverParty, /*serverAuth=*/true, /*clientAuth=*/true);
  for (const std::string& party : clientParties) {
    result.clients.emplace(party, result.issue(party, /*serverAuth=*/true, /*clientAuth=*/true));
  }
  return result;
}

}  // namespace nser::testing
