// Revoking party certificates and signing the CA's CRL.
//
// Revocation marks the certificate's index line R with the revocation time and
// re-signs ca.crl (v2 CRL, cRLNumber and authorityKeyIdentifier extensions,
// thisUpdate now, nextUpdate after crlValidityDays) listing every revoked
// serial. Revoking an already revoked certificate keeps its first revocation
// time and re-signs the CRL. The hub must be given the new ca.crl (and should
// also unbind the fingerprint, which takes effect at once): see docs/pki.md.
// Every function takes the CA directory lock.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "pki/ca_directory.h"
#include "pki/certificate_authority.h"

namespace nser::pki {

struct RevocationOptions {
  int crlValidityDays = kDefaultCrlValidityDays;
};

// By serial (hex, any case, colons allowed). Throws PkiError if this CA's
// index has no certificate with that serial.
IndexEntry revokeCertificate(const std::filesystem::path& caDir, const std::string& serial,
                             const RevocationOptions& options = {});

// By certificate file. Throws PkiError if the certificate was not signed by
// this CA; a certificate signed by it but missing from the index is revoked
// and added to the index.
IndexEntry revokeCertificateFile(const std::filesystem::path& caDir, const std::filesystem::path& certificatePath,
                                 const RevocationOptions& options = {});

// Re-signs ca.crl from the index with a fresh nextUpdate (run before the
// current CRL lapses: a hub checking CRLs refuses everyone once it expires).
void renewRevocationList(const std::filesystem::path& caDir, const RevocationOptions& options = {});

// A CRL signed by `ca` listing the R entries of `index`.
X509CrlPtr buildRevocationList(const LoadedCa& ca, const std::vector<IndexEntry>& index, std::uint64_t crlNumber,
                               int crlValidityDays);
// Builds the next CRL, writes ca.crl and advances crlnumber. Caller holds the lock.
void signRevocationList(const CaFiles& files, const LoadedCa& ca, const std::vector<IndexEntry>& index,
                        int crlValidityDays);

}  // namespace nser::pki
