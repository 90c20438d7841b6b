// TLS contexts for every network link of the system: TLS 1.3 only, mutual
// authentication, the deployment's certificate authority as the only trust
// anchor (the system's default CA store is never loaded).
//
// A server context demands a client certificate issued by the configured CA
// (handshakes without one fail before any HTTP is read); a client context
// presents its own certificate and verifies the server's chain and host name.
// An optional CRL (PEM) makes revoked certificates fail the handshake.
//
// Errors (missing or unreadable files, key not matching the certificate)
// throw TlsConfigError naming the file; key material is never put in a message.
#pragma once

#include <Poco/Net/Context.h>

#include <stdexcept>
#include <string>

namespace nser::service {

class TlsConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct TlsFiles {
  std::string certificate;    // PEM, this party's certificate
  std::string privateKey;     // PEM, its key (mode 0600 expected)
  std::string caCertificate;  // PEM, the deployment CA
  std::string crl;            // PEM CRL of the CA; empty: no revocation check
};

// Initialises the OpenSSL/POCO SSL library once per process (idempotent).
void initialiseTls();

Poco::Net::Context::Ptr makeServerTlsContext(const TlsFiles& files);
Poco::Net::Context::Ptr makeClientTlsContext(const TlsFiles& files);

}  // namespace nser::service
