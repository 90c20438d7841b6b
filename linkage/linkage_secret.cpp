#include "linkage/linkage_secret.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <cerrno>
#include <cstdio>

namespace nser::linkage {

namespace {

void ensureSodium() {
  if (sodium_init() < 0) throw SecretError("libsodium failed to initialise");
}

// The secret as a BLAKE2b key: BLAKE2b keys are at most 64 bytes, so a longer
// secret is first hashed down. Returns the key length; the caller wipes `key`.
std::size_t blake2bKey(std::span<const std::uint8_t> secret, unsigned char (&key)[crypto_generichash_KEYBYTES_MAX]) {
  if (secret.size() > sizeof(key)) {
    crypto_generichash(key, sizeof(key), secret.data(), secret.size(), nullptr, 0);
    return sizeof(key);
  }
  std::memcpy(key, secret.data(), secret.size());
  return secret.size();
}

std::string computeFingerprint(std::span<const std::uint8_t> secret) {
  static constexpr char kLabel[] = "nser-linkage-secret-fingerprint-v1";
  unsigned char digest[8];
  unsigned char key[crypto_generichash_KEYBYTES_MAX];
  const std::size_t keyLength = blake2bKey(secret, key);
  crypto_generichash(digest, sizeof(digest), reinterpret_cast<const unsigned char*>(kLabel), sizeof(kLabel) - 1, key,
                     keyLength);
  sodium_memzero(key, sizeof(key));
  char hex[sizeof(digest) * 2 + 1];
  sodium_bin2hex(hex, sizeof(hex), digest, sizeof(digest));
  return hex;
}

}  // namespace

LinkageSecret::LinkageSecret(std::span<const std::uint8_t> bytes, std::uint32_t epoch) : epoch_(epoch) {
  ensureSodium();
  if (bytes.empty()) throw SecretError("linkage secret is empty");
  if (bytes.size() > kMaximumLength) throw SecretError("linkage secret is longer than 4096 bytes");
  data_ = static_cast<std::uint8_t*>(sodium_malloc(bytes.size()));
  if (data_ == nullptr) throw SecretError("cannot allocate guarded memory for the linkage secret");
  size_ = bytes.size();
  std::memcpy(data_, bytes.data(), size_);
  sodium_mprotect_readonly(data_);
  fingerprint_ = computeFingerprint(this->bytes());
}

LinkageSecret LinkageSecret::fromBytes(std::span<const std::uint8_t> bytes, std::uint32_t epoch) {
  return LinkageSecret(bytes, epoch);
}

LinkageSecret LinkageSecret::loadFromFile(const std::string& path, std::uint32_t epoch, bool allowShort) {
  ensureSodium();
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) throw SecretError(path + ": cannot open linkage secret file: " + std::strerror(errno));
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    throw SecretError(path + ": linkage secret must be a regular file");
  }
  if ((info.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    ::close(fd);
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(info.st_mode & 07777));
    throw SecretError(path + ": linkage secret file is accessible by group or others (mode " + mode +
                      "); run: chmod 600 " + path);
  }
  if (info.st_size > static_cast<off_t>(kMaximumLength + 1)) {
    ::close(fd);
    throw SecretError(path + ": linkage secret file is larger than 4096 bytes");
  }
  // Read into guarded memory directly so the secret never sits in an ordinary heap buffer.
  auto* buffer = static_cast<std::uint8_t*>(sodium_malloc(kMaximumLength + 1));
  if (buffer == nullptr) {
    ::close(fd);
    throw SecretError("cannot allocate guarded memory for the linkage secret");
  }
  std::size_t length = 0;
  while (length < kMaximumLength + 1) {
    ssize_t n = ::read(fd, buffer + length, kMaximumLength + 1 - length);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    length += static_cast<std::size_t>(n);
  }
  ::close(fd);
  if (length > 0 && buffer[length - 1] == '\n') --length;
  if (length > 0 && buffer[length - 1] == '\r') --length;
  try {
    if (length == 0) throw SecretError(path + ": linkage secret file is empty");
    if (length < kMinimumLength && !allowShort) {
      throw SecretError(path + ": linkage secret is shorter than 16 bytes; generate one with: head -c 32 /dev/urandom | base64 > " +
                        path);
    }
    LinkageSecret secret({buffer, length}, epoch);
    sodium_free(buffer);
    return secret;
  } catch (...) {
    sodium_free(buffer);
    throw;
  }
}

void LinkageSecret::deriveSubkey(std::string_view label, std::span<unsigned char> out) const {
  if (out.size() < crypto_generichash_BYTES_MIN || out.size() > crypto_generichash_BYTES_MAX) {
    throw SecretError("subkey length must be 16 to 64 bytes");
  }
  unsigned char key[crypto_generichash_KEYBYTES_MAX];
  const std::size_t keyLength = blake2bKey(bytes(), key);
  unsigned char epoch[4];
  for (int i = 0; i < 4; ++i) epoch[i] = static_cast<unsigned char>(epoch_ >> (8 * i));
  crypto_generichash_state state;
  crypto_generichash_init(&state, key, keyLength, out.size());
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(label.data()), label.size());
  crypto_generichash_update(&state, epoch, sizeof(epoch));
  crypto_generichash_final(&state, out.data(), out.size());
  sodium_memzero(key, sizeof(key));
  sodium_memzero(&state, sizeof(state));
}

LinkageSecret::LinkageSecret(LinkageSecret&& other) noexcept
    : data_(other.data_), size_(other.size_), epoch_(other.epoch_), fingerprint_(std::move(other.fingerprint_)) {
  other.data_ = nullptr;
  other.size_ = 0;
}

LinkageSecret& LinkageSecret::operator=(LinkageSecret&& other) noexcept {
  if (this != &other) {
    release();
    data_ = other.data_;
    size_ = other.size_;
    epoch_ = other.epoch_;
    fingerprint_ = std::move(other.fingerprint_);
    other.data_ = nullptr;
    other.size_ = 0;
  }
  return *this;
}

LinkageSecret::~LinkageSecret() { release(); }

void LinkageSecret::release() noexcept {
  if (data_ != nullptr) sodium_free(data_);  // zeroes the memory before unmapping
  data_ = nullptr;
  size_ = 0;
}

}  // namespace nser::linkage
