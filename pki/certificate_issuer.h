// Issuing a party certificate from a CA directory (ca_directory.h).
//
// The party gets a fresh ECDSA P-256 key (<outDir>/<party>.key, mode 0600)
// and a certificate (<outDir>/<party>.crt) with subject CN = party id, a
// random 128-bit serial, basicConstraints CA:FALSE, keyUsage
// digitalSignature (critical), extendedKeyUsage serverAuth and/or clientAuth,
// subjectKeyIdentifier, authorityKeyIdentifier and, when given, subject
// alternative names. The certificate is recorded in the CA's index. The key
// is written to outDir only; deploy/ca/README.md says how it reaches the party.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace nser::pki {

inline constexpr int kDefaultPartyValidityDays = 365;

struct IssueRequest {
  std::string partyId;     // party_id.h rules; becomes the subject CN
  bool serverAuth = false;  // at least one of serverAuth / clientAuth
  bool clientAuth = false;
  // "localhost", "hub.example.org", "127.0.0.1", "::1"; an explicit "DNS:" or
  // "IP:" prefix is accepted. IP literals become iPAddress names.
  std::vector<std::string> subjectAltNames;
  int validityDays = kDefaultPartyValidityDays;
  bool overwrite = false;  // replace existing <party>.key / <party>.crt in outDir
};

struct IssuedCertificate {
  std::string partyId;
  std::filesystem::path keyPath;
  std::filesystem::path certificatePath;
  std::string serial;       // lowercase hex, as certificateSerial()
  std::string fingerprint;  // SHA-256 of the DER, lowercase hex, as certificateFingerprint()
  std::string notAfter;     // YYYY-MM-DDTHH:MM:SSZ
};

// Throws PkiError (naming the argument or file) on an invalid party id or
// subject alternative name, a bad validity, no usage requested, existing
// output files (unless request.overwrite), or a CA directory that cannot be
// loaded. Creates outDir if needed.
IssuedCertificate issueCertificate(const std::filesystem::path& caDir, const IssueRequest& request,
                                   const std::filesystem::path& outDir);

}  // namespace nser::pki
