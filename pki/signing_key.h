// SigningKey: an Ed25519 key pair (libsodium crypto_sign) for the signed
// statements of consent brokering: consent artefacts and their status changes
// (signed by the capturing custodian) and fetch orders (signed by the hub).
//
// The secret key lives in sodium_malloc'd memory (guard pages, mlock'd so it
// is neither swapped nor in a core dump) and is wiped when the key is
// destroyed. Move-only: a secret is never copied.
//
// Key file format (pki/secret_key_file.h, one line):
// "nser-ed25519-v1 <base64 of the 32-byte seed>\n". Files are created 0600
// (their directory 0700 if it is created) atomically, and a file readable by
// group or others is refused on load. Every failure throws PkiError naming
// the file, never the key.
//
// Signatures are detached, 64 bytes, over the caller's canonical bytes.
// Thread safety: a const SigningKey can sign from many threads at once.
#pragma once

#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "pki/secure_memory.h"

namespace nser::pki {

using PublicKey = std::array<unsigned char, 32>;

inline constexpr std::size_t kSignatureBytes = 64;

class SigningKey {
 public:
  static SigningKey generate();
  // Loads `file`, or creates it with a fresh key when it does not exist.
  static SigningKey loadOrCreate(const std::filesystem::path& file);
  static SigningKey load(const std::filesystem::path& file);

  SigningKey(SigningKey&& other) noexcept = default;
  SigningKey& operator=(SigningKey&& other) noexcept = default;
  SigningKey(const SigningKey&) = delete;
  SigningKey& operator=(const SigningKey&) = delete;
  ~SigningKey() = default;

  // A 64-byte detached Ed25519 signature of `message`.
  std::string sign(std::string_view message) const;
  const PublicKey& publicKey() const { return publicKey_; }

  // Writes the key to `file` (0600, never replacing an existing file).
  void save(const std::filesystem::path& file) const;

 private:
  SigningKey() = default;
  // crypto_sign_SECRETKEYBYTES: libsodium's secret key (seed followed by the public key).
  SecureBuffer secret_;
  PublicKey publicKey_{};
};

// True when `signature` is a valid 64-byte Ed25519 signature of `message` by `key`.
bool verifySignature(std::string_view message, std::string_view signature, const PublicKey& key);

// Standard base64 (with padding) of the 32 key bytes.
std::string encodePublicKey(const PublicKey& key);
// The key of a standard-base64 text of exactly 32 bytes; nullopt otherwise.
std::optional<PublicKey> decodePublicKey(std::string_view base64);

// Standard base64 helpers shared by the signed documents (signatures on the wire).
std::string toBase64(std::string_view bytes);
// nullopt unless `base64` is entirely valid standard base64.
std::optional<std::string> fromBase64(std::string_view base64);

// Makes sure libsodium is initialised (idempotent, thread-safe); throws PkiError if it cannot be.
void ensureSodium();

}  // namespace nser::pki
