#include "pki/ca_directory.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "pki/pem_files.h"
#include "pki/pki_error.h"

namespace nser::pki {

namespace {
constexpr const char* kIndexHeader = "# status\tserial\tnot_after\trevoked_at\tparty\tfingerprint\n";

std::vector<std::string> splitTabs(const std::string& line) {
  std::vector<std::string> fields;
  std::size_t start = 0;
  while (true) {
    const std::size_t tab = line.find('\t', start);
    fields.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
    if (tab == std::string::npos) return fields;
    start = tab + 1;
  }
}
}  // namespace

CaDirectoryLock::CaDirectoryLock(const CaFiles& files) {
  fd_ = ::open(files.lock().c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) throw PkiError(files.lock().string() + ": cannot open: " + std::strerror(errno));
  while (::flock(fd_, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    const std::string error = std::strerror(errno);
    ::close(fd_);
    throw PkiError(files.lock().string() + ": cannot lock: " + error);
  }
}

CaDirectoryLock::~CaDirectoryLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

LoadedCa loadCertificateAuthority(const CaFiles& files) {
  if (!std::filesystem::exists(files.certificate())) {
    throw PkiError(files.dir.string() + ": not a certificate authority directory (no ca.crt; run `nser pki init-ca`)");
  }
  LoadedCa ca{readPrivateKey(files.key()), readCertificate(files.certificate())};
  if (X509_check_private_key(ca.certificate.get(), ca.key.get()) != 1) {
    throwOpenSslError(files.key().string() + ": does not match " + files.certificate().string());
  }
  return ca;
}

std::vector<IndexEntry> readIndex(const CaFiles& files) {
  std::vector<IndexEntry> entries;
  std::ifstream in(files.index());
  if (!in) return entries;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line[0] == '#') continue;
    const std::vector<std::string> fields = splitTabs(line);
    const std::string where = files.index().string() + ": line " + std::to_string(number);
    if (fields.size() != 6) throw PkiError(where + ": expected 6 tab-separated fields, got " + std::to_string(fields.size()));
    if (fields[0] != "V" && fields[0] != "R") throw PkiError(where + ": status must be V or R");
    entries.push_back(IndexEntry{fields[0][0], fields[1], fields[2], fields[3], fields[4], fields[5]});
  }
  return entries;
}

void writeIndex(const CaFiles& files, const std::vector<IndexEntry>& entries) {
  std::ostringstream text;
  text << kIndexHeader;
  for (const IndexEntry& entry : entries) {
    text << entry.status << '\t' << entry.serial << '\t' << entry.notAfter << '\t' << entry.revokedAt << '\t'
         << entry.partyId << '\t' << entry.fingerprint << '\n';
  }
  writeFileAtomically(files.index(), text.str(), kPublicFileMode, /*overwrite=*/true);
}

std::uint64_t nextCrlNumber(const CaFiles& files) {
  std::uint64_t current = 0;
  std::ifstream in(files.crlNumber());
  if (in) {
    std::string text;
    std::getline(in, text);
    try {
      std::size_t used = 0;
      current = std::stoull(text, &used);
      if (used != text.size()) throw std::invalid_argument("trailing characters");
    } catch (const std::exception&) {
      throw PkiError(files.crlNumber().string() + ": not a decimal number");
    }
  }
  return current + 1;
}

void storeCrlNumber(const CaFiles& files, std::uint64_t number) {
  writeFileAtomically(files.crlNumber(), std::to_string(number) + "\n", kPublicFileMode, /*overwrite=*/true);
}

}  // namespace nser::pki
