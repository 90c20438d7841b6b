// PEM files of the pki library: generate ECDSA P-256 keys, read and write
// keys, certificates and CRLs.
//
// Writes are atomic (a temporary file in the same directory, fsync, then
// rename or link), so a reader never sees half a file. A file is created with
// the given mode (private keys: 0600, readable by their owner only) and an
// existing file is never replaced unless `overwrite` is true: the check and
// the creation are one step (link(2) fails on an existing name).
// Every failure throws PkiError naming the path.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>

#include "pki/openssl_handles.h"

namespace nser::pki {

inline constexpr mode_t kPrivateKeyMode = 0600;
inline constexpr mode_t kPublicFileMode = 0644;

// A fresh ECDSA key on NIST P-256 (prime256v1).
PKeyPtr generateP256Key();

void writePrivateKey(const std::filesystem::path& path, EVP_PKEY* key, bool overwrite);
void writeCertificate(const std::filesystem::path& path, X509* certificate, bool overwrite);
void writeCrl(const std::filesystem::path& path, X509_CRL* crl, bool overwrite);
void writeFileAtomically(const std::filesystem::path& path, const std::string& content, mode_t mode, bool overwrite);

PKeyPtr readPrivateKey(const std::filesystem::path& path);
// The first certificate of a PEM file.
X509Ptr readCertificate(const std::filesystem::path& path);
X509Ptr certificateFromPem(const std::string& pem, const std::string& what);
X509CrlPtr readCrl(const std::filesystem::path& path);

}  // namespace nser::pki
