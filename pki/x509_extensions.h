// Adds X.509 v3 extensions written in OpenSSL's configuration syntax
// ("critical,CA:TRUE", "keyid:always", "DNS:localhost,IP:127.0.0.1"), so each
// extension reads like the openssl.cnf line an operator would recognise.
// Callers pass only values they built themselves (never raw user input).
#pragma once

#include <string>

#include <openssl/x509.h>

namespace nser::pki {

// `issuer` supplies the authority key id; pass `certificate` itself when self-signed.
void addCertificateExtension(X509* certificate, X509* issuer, int nid, const std::string& value);
void addCrlExtension(X509_CRL* crl, X509* issuer, int nid, const std::string& value);

}  // namespace nser::pki
