#include "pki/certificate_revocation.h"

#include <openssl/err.h>

#include <ctime>

#include "pki/certificate_builder.h"
#include "pki/certificate_info.h"
#include "pki/pem_files.h"
#include "pki/pki_error.h"
#include "pki/x509_extensions.h"

namespace nser::pki {

namespace {

std::string nowIso8601() {
  const std::time_t now = std::time(nullptr);
  std::tm parts{};
  gmtime_r(&now, &parts);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return buffer;
}

// "2026-11-27T01:02:03Z" -> ASN1 time via the RFC 5280 GeneralizedTime string.
Asn1TimePtr isoToAsn1Time(const std::string& iso) {
  std::string compact;
  for (char c : iso) {
    if (c != '-' && c != ':' && c != 'T') compact += c;
  }
  Asn1TimePtr time(ASN1_TIME_new());
  if (!time || ASN1_TIME_set_string_X509(time.get(), compact.c_str()) != 1) {
    throw PkiError("index.tsv: revocation time '" + iso + "' is not YYYY-MM-DDTHH:MM:SSZ");
  }
  return time;
}

void addRevokedEntry(X509_CRL* crl, const IndexEntry& entry) {
  BIGNUM* raw = nullptr;
  if (BN_hex2bn(&raw, entry.serial.c_str()) == 0) throw PkiError("index.tsv: serial '" + entry.serial + "' is not hex");
  const BignumPtr number(raw);
  const Asn1IntegerPtr serial(BN_to_ASN1_INTEGER(number.get(), nullptr));
  const Asn1TimePtr when = isoToAsn1Time(entry.revokedAt);
  X509RevokedPtr revoked(X509_REVOKED_new());
  if (!serial || !revoked || X509_REVOKED_set_serialNumber(revoked.get(), serial.get()) != 1 ||
      X509_REVOKED_set_revocationDate(revoked.get(), when.get()) != 1) {
    throwOpenSslError("CRL entry");
  }
  if (X509_CRL_add0_revoked(crl, revoked.get()) != 1) throwOpenSslError("X509_CRL_add0_revoked");
  revoked.release();  // owned by the CRL now
}

IndexEntry markRevoked(const CaFiles& files, const LoadedCa& ca, std::vector<IndexEntry>& index,
                       std::vector<IndexEntry>::iterator entry, const RevocationOptions& options) {
  if (entry->status != 'R') {
    entry->status = 'R';
    entry->revokedAt = nowIso8601();
  }
  const IndexEntry revoked = *entry;
  writeIndex(files, index);
  signRevocationList(files, ca, index, options.crlValidityDays);
  return revoked;
}

}  // namespace

X509CrlPtr buildRevocationList(const LoadedCa& ca, const std::vector<IndexEntry>& index, std::uint64_t crlNumber,
                               int crlValidityDays) {
  validateValidityDays("CRL validity", crlValidityDays);
  X509CrlPtr crl(X509_CRL_new());
  if (!crl || X509_CRL_set_version(crl.get(), 1) != 1 ||  // 1 = v2, needed for extensions
      X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(ca.certificate.get())) != 1) {
    throwOpenSslError("CRL header");
  }
  Asn1TimePtr thisUpdate(ASN1_TIME_new());
  Asn1TimePtr nextUpdate(ASN1_TIME_new());
  if (!thisUpdate || !nextUpdate || X509_gmtime_adj(thisUpdate.get(), 0) == nullptr ||
      X509_time_adj_ex(nextUpdate.get(), crlValidityDays, 0, nullptr) == nullptr ||
      X509_CRL_set1_lastUpdate(crl.get(), thisUpdate.get()) != 1 ||
      X509_CRL_set1_nextUpdate(crl.get(), nextUpdate.get()) != 1) {
    throwOpenSslError("CRL validity");
  }
  for (const IndexEntry& entry : index) {
    if (entry.status == 'R') addRevokedEntry(crl.get(), entry);
  }
  addCrlExtension(crl.get(), ca.certificate.get(), NID_authority_key_identifier, "keyid:always");
  // cRLNumber has no configuration syntax: encode the INTEGER directly.
  const Asn1IntegerPtr number(ASN1_INTEGER_new());
  if (!number || ASN1_INTEGER_set_uint64(number.get(), crlNumber) != 1 ||
      X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, number.get(), 0, X509V3_ADD_DEFAULT) != 1) {
    throwOpenSslError("CRL number");
  }
  if (X509_CRL_sort(crl.get()) != 1 || X509_CRL_sign(crl.get(), ca.key.get(), EVP_sha256()) == 0) {
    throwOpenSslError("signing the CRL");
  }
  return crl;
}

void signRevocationList(const CaFiles& files, const LoadedCa& ca, const std::vector<IndexEntry>& index,
                        int crlValidityDays) {
  const std::uint64_t number = nextCrlNumber(files);
  const X509CrlPtr crl = buildRevocationList(ca, index, number, crlValidityDays);
  writeCrl(files.crl(), crl.get(), /*overwrite=*/true);
  storeCrlNumber(files, number);
}

IndexEntry revokeCertificate(const std::filesystem::path& caDir, const std::string& serial,
                             const RevocationOptions& options) {
  validateValidityDays("CRL validity", options.crlValidityDays);
  const std::string wanted = normaliseSerial(serial);
  const CaFiles files{caDir};
  const CaDirectoryLock lock(files);
  const LoadedCa ca = loadCertificateAuthority(files);
  std::vector<IndexEntry> index = readIndex(files);
  for (auto entry = index.begin(); entry != index.end(); ++entry) {
    if (entry->serial == wanted) return markRevoked(files, ca, index, entry, options);
  }
  throw PkiError(caDir.string() + ": no certificate with serial " + wanted + " was issued by this CA");
}

IndexEntry revokeCertificateFile(const std::filesystem::path& caDir, const std::filesystem::path& certificatePath,
                                 const RevocationOptions& options) {
  validateValidityDays("CRL validity", options.crlValidityDays);
  const X509Ptr certificate = readCertificate(certificatePath);
  const CaFiles files{caDir};
  const CaDirectoryLock lock(files);
  const LoadedCa ca = loadCertificateAuthority(files);
  if (X509_verify(certificate.get(), ca.key.get()) != 1) {
    ERR_clear_error();
    throw PkiError(certificatePath.string() + ": was not issued by the CA in " + caDir.string());
  }
  const std::string serial = certificateSerial(certificate.get());
  std::vector<IndexEntry> index = readIndex(files);
  for (auto entry = index.begin(); entry != index.end(); ++entry) {
    if (entry->serial == serial) return markRevoked(files, ca, index, entry, options);
  }
  index.push_back(IndexEntry{'V', serial, certificateNotAfter(certificate.get()), "-",
                             certificateCommonName(certificate.get()), certificateFingerprint(certificate.get())});
  return markRevoked(files, ca, index, index.end() - 1, options);
}

void renewRevocationList(const std::filesystem::path& caDir, const RevocationOptions& options) {
  const CaFiles files{caDir};
  const CaDirectoryLock lock(files);
  const LoadedCa ca = loadCertificateAuthority(files);
  signRevocationList(files, ca, readIndex(files), options.crlValidityDays);
}

}  // namespace nser::pki
