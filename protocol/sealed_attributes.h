// Sealed attributes: how a custodian hands a programme its permitted
// attribute values through the hub without the hub being able to read them
// (docs/policy.md, "Sealed attributes").
//
// The requester (a programme's connector) holds an X25519 BoxKeyPair and
// sends its public key with the search; the hub copies it into the signed
// fetch order (protocol/fetch_order.h); the custodian seals the attributes
// to it with libsodium's crypto_box_seal (ephemeral X25519 + XSalsa20-
// Poly1305: anonymous sender, authenticated ciphertext); the hub relays the
// base64 text; only the holder of the secret key opens it.
//
// Plaintext: the canonical JSON object of the attributes, {"name":"value",...}
// with keys in bytewise order, no whitespace, strings escaped as RFC 8259
// requires (", \ and control characters; \u00XX for controls other than
// \b \f \n \r \t) and UTF-8 otherwise. Keys and values must be valid UTF-8.
//
// BoxKeyPair keeps its secret in sodium_malloc'd memory; key files are
// "nser-x25519-v1 <base64 secret>\n", 0600, as for signing keys
// (pki/secret_key_file.h). Errors throw ProtocolError (sealing and opening;
// never carrying a value) or pki::PkiError (key files, naming the file).
#pragma once

#include <array>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "pki/secure_memory.h"

namespace nser::protocol {

// Sealed payloads larger than this are refused before any work (1 MiB).
inline constexpr std::size_t kMaxSealedBytes = 1 << 20;

class BoxKeyPair {
 public:
  using PublicKey = std::array<unsigned char, 32>;

  static BoxKeyPair generate();
  static BoxKeyPair loadOrCreate(const std::filesystem::path& file);
  static BoxKeyPair load(const std::filesystem::path& file);
  // Writes the secret to `file` (0600, never replacing an existing file).
  void save(const std::filesystem::path& file) const;

  const PublicKey& publicKey() const { return publicKey_; }
  std::string publicKeyBase64() const;

 private:
  friend std::map<std::string, std::string> openAttributes(std::string_view sealedBase64, const BoxKeyPair& keys);
  BoxKeyPair() = default;
  pki::SecureBuffer secret_;  // crypto_box_SECRETKEYBYTES
  PublicKey publicKey_{};
};

// Seals the canonical JSON of `attributes` to the X25519 public key given in
// standard base64; returns standard base64. Throws ProtocolError for a bad
// key or a name/value that is not UTF-8 (naming the attribute, not the value).
std::string sealAttributes(const std::map<std::string, std::string>& attributes,
                           std::string_view recipientPublicKeyBase64);

// Opens and parses a sealed payload. Throws ProtocolError when it is not
// base64, too short or long, was tampered with or sealed to another key, or
// does not hold a JSON object of strings.
std::map<std::string, std::string> openAttributes(std::string_view sealedBase64, const BoxKeyPair& keys);

// The plaintext format above (exposed for tests and documentation).
std::string canonicalAttributesJson(const std::map<std::string, std::string>& attributes);

}  // namespace nser::protocol
