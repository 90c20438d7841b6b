#include "pki/secret_key_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>

#include "pki/pem_files.h"

namespace nser::pki {

namespace {

// A key file is one short line; anything much larger is not one.
constexpr std::size_t kMaxKeyFileBytes = 4096;

// A std::string whose contents are wiped when it goes out of scope.
struct WipedString {
  std::string text;
  ~WipedString() {
    if (!text.empty()) sodium_memzero(text.data(), text.size());
  }
};

std::string errnoText(int error) { return std::strerror(error); }

// Opens read-only without following a symlink, checks it is a regular
// file readable by its owner only, and reads it whole.
void readPrivateFile(const std::filesystem::path& file, std::string_view what, std::string& out) {
  const std::string name = file.string() + ": " + std::string(what);
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) throw PkiError(name + ": cannot open: " + errnoText(errno));
  struct stat info {};
  std::string problem;
  if (::fstat(fd, &info) != 0) {
    problem = "cannot stat: " + errnoText(errno);
  } else if (!S_ISREG(info.st_mode)) {
    problem = "not a regular file";
  } else if ((info.st_mode & 077) != 0) {
    problem = "is accessible by group or others (mode must be 0600 or stricter)";
  } else if (static_cast<std::size_t>(info.st_size) > kMaxKeyFileBytes) {
    problem = "not a key file (too large)";
  }
  if (!problem.empty()) {
    ::close(fd);
    throw PkiError(name + " " + problem);
  }
  out.resize(kMaxKeyFileBytes);
  std::size_t total = 0;
  while (total < out.size()) {
    const ssize_t n = ::read(fd, out.data() + total, out.size() - total);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      ::close(fd);
      throw PkiError(name + ": cannot read: " + errnoText(error));
    }
    if (n == 0) break;
    total += static_cast<std::size_t>(n);
  }
  ::close(fd);
  out.resize(total);
}

void createKeyDirectory(const std::filesystem::path& file) {
  const std::filesystem::path directory = file.parent_path();
  if (directory.empty() || std::filesystem::exists(directory)) return;
  std::error_code ignored;  // mkdir below reports the failure that matters
  if (directory.has_parent_path()) std::filesystem::create_directories(directory.parent_path(), ignored);
  if (::mkdir(directory.c_str(), 0700) != 0 && errno != EEXIST) {
    throw PkiError(directory.string() + ": cannot create the key directory: " + errnoText(errno));
  }
}

}  // namespace

SecureBuffer readSecretKeyFile(const std::filesystem::path& file, std::string_view tag, std::size_t size,
                               std::string_view what) {
  if (sodium_init() < 0) throw PkiError("libsodium could not be initialised");
  WipedString content;
  readPrivateFile(file, what, content.text);
  std::string_view text = content.text;
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  const std::string name = file.string() + ": " + std::string(what);
  if (text.size() <= tag.size() || text.substr(0, tag.size()) != tag || text[tag.size()] != ' ') {
    throw PkiError(name + ": not a key file (expected one line starting '" + std::string(tag) + " ')");
  }
  text.remove_prefix(tag.size() + 1);
  // One spare byte so that a longer key is reported as such rather than truncated.
  SecureBuffer decoded(size + 1);
  std::size_t length = 0;
  const char* end = nullptr;
  if (sodium_base642bin(decoded.data(), decoded.size(), text.data(), text.size(), nullptr, &length, &end,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size() || length != size) {
    throw PkiError(name + ": not a key file (the key is not base64 of " + std::to_string(size) + " bytes)");
  }
  SecureBuffer secret(size);
  std::memcpy(secret.data(), decoded.data(), size);
  return secret;
}

void writeSecretKeyFile(const std::filesystem::path& file, std::string_view tag, const unsigned char* secret,
                        std::size_t size, std::string_view what) {
  if (sodium_init() < 0) throw PkiError("libsodium could not be initialised");
  createKeyDirectory(file);
  const std::size_t encodedSize = sodium_base64_ENCODED_LEN(size, sodium_base64_VARIANT_ORIGINAL);
  SecureBuffer encoded(encodedSize);
  sodium_bin2base64(reinterpret_cast<char*>(encoded.data()), encodedSize, secret, size,
                    sodium_base64_VARIANT_ORIGINAL);
  WipedString line;
  line.text.reserve(tag.size() + encodedSize + 2);
  line.text.append(tag);
  line.text.push_back(' ');
  line.text.append(reinterpret_cast<const char*>(encoded.data()));
  line.text.push_back('\n');
  try {
    writeFileAtomically(file, line.text, kPrivateKeyMode, /*overwrite=*/false);
  } catch (const PkiError& error) {
    throw PkiError(std::string(what) + ": " + error.what());
  }
}

}  // namespace nser::pki
