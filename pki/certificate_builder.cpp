#include "pki/certificate_builder.h"

#include <openssl/rand.h>

#include "pki/pki_error.h"

namespace nser::pki {

namespace {
constexpr long kClockSkewSeconds = 5 * 60;
constexpr int kSerialBytes = 16;

Asn1IntegerPtr randomSerial() {
  unsigned char bytes[kSerialBytes];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throwOpenSslError("RAND_bytes");
  bytes[0] &= 0x7F;  // DER INTEGER serials must be positive
  bytes[0] |= 0x40;  // and keep the full 128-bit length (never zero)
  BignumPtr number(BN_bin2bn(bytes, sizeof bytes, nullptr));
  if (!number) throwOpenSslError("BN_bin2bn");
  Asn1IntegerPtr serial(BN_to_ASN1_INTEGER(number.get(), nullptr));
  if (!serial) throwOpenSslError("BN_to_ASN1_INTEGER");
  return serial;
}
}  // namespace

void validateValidityDays(const std::string& what, int days) {
  if (days < 1 || days > kMaxValidityDays) {
    throw PkiError(what + ": must be between 1 and " + std::to_string(kMaxValidityDays) + " days, got " +
                   std::to_string(days));
  }
}

X509Ptr startCertificate(const std::string& commonName, int validityDays, EVP_PKEY* publicKey) {
  X509Ptr certificate(X509_new());
  if (!certificate) throwOpenSslError("X509_new");
  if (X509_set_version(certificate.get(), X509_VERSION_3) != 1) throwOpenSslError("X509_set_version");
  const Asn1IntegerPtr serial = randomSerial();
  if (X509_set_serialNumber(certificate.get(), serial.get()) != 1) throwOpenSslError("X509_set_serialNumber");

  X509NamePtr subject(X509_NAME_new());
  if (!subject ||
      X509_NAME_add_entry_by_NID(subject.get(), NID_commonName, MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(commonName.c_str()), -1, -1, 0) != 1) {
    throwOpenSslError("certificate subject");
  }
  if (X509_set_subject_name(certificate.get(), subject.get()) != 1 ||
      X509_set_issuer_name(certificate.get(), subject.get()) != 1) {
    throwOpenSslError("certificate names");
  }
  if (X509_gmtime_adj(X509_getm_notBefore(certificate.get()), -kClockSkewSeconds) == nullptr ||
      X509_time_adj_ex(X509_getm_notAfter(certificate.get()), validityDays, 0, nullptr) == nullptr) {
    throwOpenSslError("certificate validity");
  }
  if (X509_set_pubkey(certificate.get(), publicKey) != 1) throwOpenSslError("X509_set_pubkey");
  return certificate;
}

void setIssuer(X509* certificate, const X509* issuerCertificate) {
  if (X509_set_issuer_name(certificate, X509_get_subject_name(issuerCertificate)) != 1) {
    throwOpenSslError("X509_set_issuer_name");
  }
}

void signCertificate(X509* certificate, EVP_PKEY* issuerKey) {
  if (X509_sign(certificate, issuerKey, EVP_sha256()) == 0) throwOpenSslError("signing the certificate");
}

}  // namespace nser::pki
