// Creating the deployment's certificate authority (layout: ca_directory.h,
// docs/pki.md). The CA is an ECDSA P-256 key and a self-signed certificate
// with basicConstraints CA:TRUE (critical), keyUsage keyCertSign + cRLSign
// (critical) and a subjectKeyIdentifier; it starts with an empty, signed CRL
// and an empty index. There is no intermediate CA: the deployment is small
// and the CA key is kept offline by the operator (deploy/ca/README.md).
#pragma once

#include <filesystem>
#include <string>

#include "pki/ca_directory.h"

namespace nser::pki {

inline constexpr int kDefaultCaValidityDays = 3650;
inline constexpr int kDefaultCrlValidityDays = 30;

struct CaOptions {
  int validityDays = kDefaultCaValidityDays;
  int crlValidityDays = kDefaultCrlValidityDays;  // nextUpdate of the first CRL
  bool overwrite = false;  // replace an existing CA in `dir` (its index is reset)
};

// Creates `dir` if needed and writes the CA files. Throws PkiError when `dir`
// already holds a CA (unless options.overwrite), when `name` is empty or
// longer than 64 characters, or on any I/O or OpenSSL failure.
CaFiles createCertificateAuthority(const std::filesystem::path& dir, const std::string& name,
                                   const CaOptions& options = {});
inline CaFiles createCertificateAuthority(const std::filesystem::path& dir, const std::string& name,
                                          int validityDays) {
  CaOptions options;
  options.validityDays = validityDays;
  return createCertificateAuthority(dir, name, options);
}

}  // namespace nser::pki
