#include "pki/certificate_authority.h"

#include <system_error>

#include "pki/certificate_builder.h"
#include "pki/certificate_revocation.h"
#include "pki/pem_files.h"
#include "pki/pki_error.h"
#include "pki/x509_extensions.h"

namespace nser::pki {

namespace {
constexpr std::size_t kMaxCommonNameLength = 64;  // RFC 5280 ub-common-name
}

CaFiles createCertificateAuthority(const std::filesystem::path& dir, const std::string& name,
                                   const CaOptions& options) {
  if (name.empty() || name.size() > kMaxCommonNameLength) {
    throw PkiError("CA name: must be 1 to 64 characters, got " + std::to_string(name.size()));
  }
  validateValidityDays("CA validity", options.validityDays);
  validateValidityDays("CRL validity", options.crlValidityDays);
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) throw PkiError(dir.string() + ": cannot create directory: " + error.message());

  const CaFiles files{dir};
  const CaDirectoryLock lock(files);
  if (!options.overwrite && (std::filesystem::exists(files.key()) || std::filesystem::exists(files.certificate()))) {
    throw PkiError(dir.string() + ": already holds a certificate authority (refusing to overwrite)");
  }

  LoadedCa ca;
  ca.key = generateP256Key();
  ca.certificate = startCertificate(name, options.validityDays, ca.key.get());
  X509* const certificate = ca.certificate.get();
  addCertificateExtension(certificate, certificate, NID_basic_constraints, "critical,CA:TRUE");
  addCertificateExtension(certificate, certificate, NID_key_usage, "critical,keyCertSign,cRLSign");
  addCertificateExtension(certificate, certificate, NID_subject_key_identifier, "hash");
  signCertificate(certificate, ca.key.get());
  // Everything is built before the first write, so a failure leaves no half CA.
  constexpr std::uint64_t kFirstCrlNumber = 1;
  const X509CrlPtr crl = buildRevocationList(ca, {}, kFirstCrlNumber, options.crlValidityDays);

  writePrivateKey(files.key(), ca.key.get(), options.overwrite);
  writeCertificate(files.certificate(), certificate, options.overwrite);
  writeIndex(files, {});
  writeCrl(files.crl(), crl.get(), /*overwrite=*/true);
  storeCrlNumber(files, kFirstCrlNumber);
  return files;
}

}  // namespace nser::pki
