// The on-disk layout of a certificate authority directory (docs/pki.md):
//
//   ca.key     the CA's ECDSA P-256 private key, mode 0600
//   ca.crt     the self-signed CA certificate (what every party trusts)
//   ca.crl     the current CRL, signed by ca.key (what the hub loads)
//   index.tsv  one line per issued certificate (see IndexEntry)
//   crlnumber  the number of the last CRL issued (decimal)
//   ca.lock    flock(2) target serialising writers of this directory
//
// index.tsv is tab-separated text with a '#' header line:
//   status  serial  not_after  revoked_at  party  fingerprint
// status V (valid) or R (revoked); serial as certificateSerial(); times as
// YYYY-MM-DDTHH:MM:SSZ; revoked_at "-" while valid.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "pki/openssl_handles.h"

namespace nser::pki {

struct CaFiles {
  std::filesystem::path dir;
  std::filesystem::path key() const { return dir / "ca.key"; }
  std::filesystem::path certificate() const { return dir / "ca.crt"; }
  std::filesystem::path crl() const { return dir / "ca.crl"; }
  std::filesystem::path index() const { return dir / "index.tsv"; }
  std::filesystem::path crlNumber() const { return dir / "crlnumber"; }
  std::filesystem::path lock() const { return dir / "ca.lock"; }
};

struct IndexEntry {
  char status = 'V';  // 'V' valid, 'R' revoked
  std::string serial;
  std::string notAfter;
  std::string revokedAt = "-";
  std::string partyId;
  std::string fingerprint;
};

// Holds an exclusive flock on <dir>/ca.lock for its lifetime.
class CaDirectoryLock {
 public:
  explicit CaDirectoryLock(const CaFiles& files);
  ~CaDirectoryLock();
  CaDirectoryLock(const CaDirectoryLock&) = delete;
  CaDirectoryLock& operator=(const CaDirectoryLock&) = delete;

 private:
  int fd_ = -1;
};

// The CA's key and certificate, checked to belong together.
struct LoadedCa {
  PKeyPtr key;
  X509Ptr certificate;
};
LoadedCa loadCertificateAuthority(const CaFiles& files);

// Throws PkiError naming the line when index.tsv is malformed; an absent file is empty.
std::vector<IndexEntry> readIndex(const CaFiles& files);
void writeIndex(const CaFiles& files, const std::vector<IndexEntry>& entries);

// The number for the next CRL: crlnumber + 1 (1 when absent).
std::uint64_t nextCrlNumber(const CaFiles& files);
void storeCrlNumber(const CaFiles& files, std::uint64_t number);

}  // namespace nser::pki
