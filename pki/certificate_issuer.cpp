#include "pki/certificate_issuer.h"

#include <arpa/inet.h>

#include <algorithm>
#include <system_error>

#include "pki/ca_directory.h"
#include "pki/certificate_builder.h"
#include "pki/certificate_info.h"
#include "pki/pem_files.h"
#include "pki/party_id.h"
#include "pki/pki_error.h"
#include "pki/x509_extensions.h"

namespace nser::pki {

namespace {

bool isIpAddress(const std::string& text) {
  unsigned char buffer[16];
  return inet_pton(AF_INET, text.c_str(), buffer) == 1 || inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

// A DNS name: labels of letters, digits and '-', separated by '.', with an
// optional leading "*." wildcard; at most 253 characters.
bool isDnsName(const std::string& text) {
  if (text.empty() || text.size() > 253) return false;
  std::string rest = text.rfind("*.", 0) == 0 ? text.substr(2) : text;
  std::size_t labelLength = 0;
  for (std::size_t i = 0; i < rest.size(); ++i) {
    const char c = rest[i];
    if (c == '.') {
      if (labelLength == 0 || rest[i - 1] == '-') return false;
      labelLength = 0;
      continue;
    }
    const bool letterOrDigit = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!letterOrDigit && !(c == '-' && labelLength > 0)) return false;
    if (++labelLength > 63) return false;
  }
  return labelLength > 0 && rest.back() != '-';
}

// The subjectAltName value in configuration syntax, from validated names only.
std::string subjectAltNameValue(const std::vector<std::string>& names) {
  std::string value;
  for (const std::string& given : names) {
    std::string name = given;
    std::string type;
    if (name.rfind("DNS:", 0) == 0) {
      type = "DNS";
      name = name.substr(4);
    } else if (name.rfind("IP:", 0) == 0) {
      type = "IP";
      name = name.substr(3);
    } else {
      type = isIpAddress(name) ? "IP" : "DNS";
    }
    const bool valid = type == "IP" ? isIpAddress(name) : isDnsName(name);
    if (!valid) throw PkiError("subject alternative name '" + given + "': not a DNS name or IP address");
    if (!value.empty()) value += ',';
    value += type + ":" + name;
  }
  return value;
}

}  // namespace

IssuedCertificate issueCertificate(const std::filesystem::path& caDir, const IssueRequest& request,
                                   const std::filesystem::path& outDir) {
  validatePartyId(request.partyId);
  validateValidityDays("certificate validity", request.validityDays);
  if (!request.serverAuth && !request.clientAuth) {
    throw PkiError("certificate usage: ask for serverAuth, clientAuth or both");
  }
  const std::string altNames = subjectAltNameValue(request.subjectAltNames);

  IssuedCertificate issued;
  issued.partyId = request.partyId;
  issued.keyPath = outDir / (request.partyId + ".key");
  issued.certificatePath = outDir / (request.partyId + ".crt");
  if (!request.overwrite) {
    for (const auto& path : {issued.keyPath, issued.certificatePath}) {
      if (std::filesystem::exists(path)) throw PkiError(path.string() + ": already exists (refusing to overwrite)");
    }
  }
  std::error_code error;
  std::filesystem::create_directories(outDir, error);
  if (error) throw PkiError(outDir.string() + ": cannot create directory: " + error.message());

  const CaFiles files{caDir};
  const CaDirectoryLock lock(files);
  const LoadedCa ca = loadCertificateAuthority(files);
  std::vector<IndexEntry> index = readIndex(files);

  const PKeyPtr key = generateP256Key();
  X509Ptr certificate;
  // A repeated 128-bit random serial is practically impossible; checking keeps
  // the index a function of serial even so.
  do {
    certificate = startCertificate(request.partyId, request.validityDays, key.get());
    issued.serial = certificateSerial(certificate.get());
  } while (std::any_of(index.begin(), index.end(), [&](const IndexEntry& e) { return e.serial == issued.serial; }));
  setIssuer(certificate.get(), ca.certificate.get());

  X509* const cert = certificate.get();
  X509* const issuer = ca.certificate.get();
  addCertificateExtension(cert, issuer, NID_basic_constraints, "critical,CA:FALSE");
  addCertificateExtension(cert, issuer, NID_key_usage, "critical,digitalSignature");
  std::string usages;
  if (request.serverAuth) usages = "serverAuth";
  if (request.clientAuth) usages += usages.empty() ? "clientAuth" : ",clientAuth";
  addCertificateExtension(cert, issuer, NID_ext_key_usage, usages);
  addCertificateExtension(cert, issuer, NID_subject_key_identifier, "hash");
  addCertificateExtension(cert, issuer, NID_authority_key_identifier, "keyid:always");
  if (!altNames.empty()) addCertificateExtension(cert, issuer, NID_subject_alt_name, altNames);
  signCertificate(cert, ca.key.get());

  issued.fingerprint = certificateFingerprint(cert);
  issued.notAfter = certificateNotAfter(cert);
  writePrivateKey(issued.keyPath, key.get(), request.overwrite);
  writeCertificate(issued.certificatePath, cert, request.overwrite);
  index.push_back(IndexEntry{'V', issued.serial, issued.notAfter, "-", request.partyId, issued.fingerprint});
  writeIndex(files, index);
  return issued;
}

}  // namespace nser::pki
