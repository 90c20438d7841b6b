// Loading the CA's CRL into an OpenSSL certificate store, so that a TLS
// server (the hub, through POCO's Context) refuses revoked client
// certificates during the handshake:
//
//   pki::addRevocationList(SSL_CTX_get_cert_store(context->sslContext()), "ca.crl");
//
// Adds the CRL and turns on CRL checking for leaf certificates
// (X509_V_FLAG_CRL_CHECK). With checking on, a peer is refused when the CRL
// is missing for its issuer or has passed its nextUpdate, so renew the CRL
// (`nser pki renew-crl`) well before it lapses. Throws PkiError naming the file.
// Loading a newer CRL later adds it beside the old one; OpenSSL uses the most
// recent, but a long-running server should rather rebuild its context.
#pragma once

#include <filesystem>

#include <openssl/x509_vfy.h>

namespace nser::pki {

void addRevocationList(X509_STORE* store, const std::filesystem::path& crlPath);

}  // namespace nser::pki
