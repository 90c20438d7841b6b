#include "pki/pem_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/rand.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "pki/pki_error.h"

namespace nser::pki {

namespace {

std::string errnoText() { return std::strerror(errno); }

std::string readWholeFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw PkiError(path.string() + ": cannot open for reading");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string bioContents(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(size));
}

BioPtr memoryBio() {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio) throwOpenSslError("BIO_new");
  return bio;
}

// A temporary name beside `path`, unique per call (random suffix).
std::filesystem::path temporaryBeside(const std::filesystem::path& path) {
  unsigned char random[8];
  if (RAND_bytes(random, sizeof random) != 1) throwOpenSslError("RAND_bytes");
  static const char* kHex = "0123456789abcdef";
  std::string suffix;
  for (unsigned char byte : random) {
    suffix += kHex[byte >> 4];
    suffix += kHex[byte & 0xF];
  }
  return path.parent_path() / ("." + path.filename().string() + ".tmp-" + suffix);
}

}  // namespace

PKeyPtr generateP256Key() {
  PKeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) throwOpenSslError("generating an ECDSA P-256 key");
  return key;
}

void writeFileAtomically(const std::filesystem::path& path, const std::string& content, mode_t mode, bool overwrite) {
  if (!overwrite && std::filesystem::exists(path)) {
    throw PkiError(path.string() + ": already exists (refusing to overwrite)");
  }
  const std::filesystem::path temporary = temporaryBeside(path);
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) throw PkiError(path.string() + ": cannot create: " + errnoText());
  bool ok = ::fchmod(fd, mode) == 0;  // the umask may have narrowed or (never) widened it
  std::size_t written = 0;
  while (ok && written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) written += static_cast<std::size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  const std::string writeError = ok ? std::string() : errnoText();
  ::close(fd);
  if (!ok) {
    ::unlink(temporary.c_str());
    throw PkiError(path.string() + ": cannot write: " + writeError);
  }
  if (overwrite) {
    if (::rename(temporary.c_str(), path.c_str()) != 0) {
      const std::string error = errnoText();
      ::unlink(temporary.c_str());
      throw PkiError(path.string() + ": cannot replace: " + error);
    }
    return;
  }
  // link(2) refuses an existing name, so a concurrent writer cannot be overwritten.
  const int linked = ::link(temporary.c_str(), path.c_str());
  const int linkErrno = errno;
  ::unlink(temporary.c_str());
  if (linked != 0) {
    if (linkErrno == EEXIST) throw PkiError(path.string() + ": already exists (refusing to overwrite)");
    throw PkiError(path.string() + ": cannot create: " + std::strerror(linkErrno));
  }
}

void writePrivateKey(const std::filesystem::path& path, EVP_PKEY* key, bool overwrite) {
  BioPtr bio = memoryBio();
  if (PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    throwOpenSslError(path.string() + ": encoding the private key");
  }
  std::string pem = bioContents(bio.get());
  writeFileAtomically(path, pem, kPrivateKeyMode, overwrite);
  OPENSSL_cleanse(pem.data(), pem.size());
}

void writeCertificate(const std::filesystem::path& path, X509* certificate, bool overwrite) {
  BioPtr bio = memoryBio();
  if (PEM_write_bio_X509(bio.get(), certificate) != 1) throwOpenSslError(path.string() + ": encoding the certificate");
  writeFileAtomically(path, bioContents(bio.get()), kPublicFileMode, overwrite);
}

void writeCrl(const std::filesystem::path& path, X509_CRL* crl, bool overwrite) {
  BioPtr bio = memoryBio();
  if (PEM_write_bio_X509_CRL(bio.get(), crl) != 1) throwOpenSslError(path.string() + ": encoding the CRL");
  writeFileAtomically(path, bioContents(bio.get()), kPublicFileMode, overwrite);
}

PKeyPtr readPrivateKey(const std::filesystem::path& path) {
  std::string pem = readWholeFile(path);
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) throwOpenSslError("BIO_new_mem_buf");
  PKeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  OPENSSL_cleanse(pem.data(), pem.size());
  if (!key) throwOpenSslError(path.string() + ": not a PEM private key");
  return key;
}

X509Ptr certificateFromPem(const std::string& pem, const std::string& what) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) throwOpenSslError("BIO_new_mem_buf");
  X509Ptr certificate(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!certificate) throwOpenSslError(what + ": not a PEM certificate");
  return certificate;
}

X509Ptr readCertificate(const std::filesystem::path& path) {
  return certificateFromPem(readWholeFile(path), path.string());
}

X509CrlPtr readCrl(const std::filesystem::path& path) {
  const std::string pem = readWholeFile(path);
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) throwOpenSslError("BIO_new_mem_buf");
  X509CrlPtr crl(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
  if (!crl) throwOpenSslError(path.string() + ": not a PEM CRL");
  return crl;
}

}  // namespace nser::pki
