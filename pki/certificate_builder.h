// The steps shared by the CA certificate and party certificates: a v3
// certificate with a random 128-bit serial (RFC 5280 allows up to 20 octets;
// unpredictable serials defeat chosen-prefix attacks), a validity window
// starting five minutes in the past (tolerates clock skew between hosts),
// a subject of one CN, and an ECDSA-with-SHA256 signature.
#pragma once

#include <string>

#include "pki/openssl_handles.h"

namespace nser::pki {

inline constexpr int kMaxValidityDays = 36500;

// Throws PkiError("<what>: ...") unless 1 <= days <= kMaxValidityDays.
void validateValidityDays(const std::string& what, int days);

// A certificate with version, random serial, subject CN, validity and public
// key set; the issuer name is the subject (self-signed) until setIssuer().
X509Ptr startCertificate(const std::string& commonName, int validityDays, EVP_PKEY* publicKey);
void setIssuer(X509* certificate, const X509* issuerCertificate);
void signCertificate(X509* certificate, EVP_PKEY* issuerKey);

}  // namespace nser::pki
