#include "pki/signing_key.h"

#include <sodium.h>

#include <cstring>

#include "pki/pki_error.h"
#include "pki/secret_key_file.h"

namespace nser::pki {

namespace {

constexpr std::string_view kFileTag = "nser-ed25519-v1";
constexpr std::string_view kWhat = "signing key";

}  // namespace

void ensureSodium() {
  static const int initialised = sodium_init();  // thread-safe static; sodium_init is idempotent
  if (initialised < 0) throw PkiError("libsodium could not be initialised");
}

SigningKey SigningKey::generate() {
  ensureSodium();
  SigningKey key;
  key.secret_ = SecureBuffer(crypto_sign_SECRETKEYBYTES);
  crypto_sign_keypair(key.publicKey_.data(), key.secret_.data());
  return key;
}

SigningKey SigningKey::load(const std::filesystem::path& file) {
  ensureSodium();
  const SecureBuffer seed = readSecretKeyFile(file, kFileTag, crypto_sign_SEEDBYTES, kWhat);
  SigningKey key;
  key.secret_ = SecureBuffer(crypto_sign_SECRETKEYBYTES);
  crypto_sign_seed_keypair(key.publicKey_.data(), key.secret_.data(), seed.data());
  return key;
}

void SigningKey::save(const std::filesystem::path& file) const {
  if (secret_.empty()) throw PkiError(file.string() + ": saving a moved-from SigningKey");
  // The seed is the first crypto_sign_SEEDBYTES of libsodium's secret key.
  writeSecretKeyFile(file, kFileTag, secret_.data(), crypto_sign_SEEDBYTES, kWhat);
}

SigningKey SigningKey::loadOrCreate(const std::filesystem::path& file) {
  if (std::filesystem::exists(file)) return load(file);
  SigningKey key = generate();
  try {
    key.save(file);
  } catch (const PkiError&) {
    // Another process created it between our check and our link(2): use theirs.
    if (std::filesystem::exists(file)) return load(file);
    throw;
  }
  return key;
}

std::string SigningKey::sign(std::string_view message) const {
  if (secret_.empty()) throw PkiError("signing with a moved-from SigningKey");
  std::string signature(crypto_sign_BYTES, '\0');
  crypto_sign_detached(reinterpret_cast<unsigned char*>(signature.data()), nullptr,
                       reinterpret_cast<const unsigned char*>(message.data()), message.size(), secret_.data());
  return signature;
}

bool verifySignature(std::string_view message, std::string_view signature, const PublicKey& key) {
  ensureSodium();
  if (signature.size() != crypto_sign_BYTES) return false;
  return crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(signature.data()),
                                     reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                                     key.data()) == 0;
}

std::string toBase64(std::string_view bytes) {
  const std::size_t encodedSize = sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  std::string encoded(encodedSize, '\0');
  sodium_bin2base64(encoded.data(), encodedSize, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  encoded.resize(encodedSize - 1);  // drop the terminating NUL
  return encoded;
}

std::optional<std::string> fromBase64(std::string_view base64) {
  std::string decoded(base64.size() / 4 * 3 + 3, '\0');
  std::size_t length = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(decoded.data()), decoded.size(), base64.data(), base64.size(),
                        nullptr, &length, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != base64.data() + base64.size()) {
    return std::nullopt;
  }
  decoded.resize(length);
  return decoded;
}

std::string encodePublicKey(const PublicKey& key) {
  return toBase64(std::string_view(reinterpret_cast<const char*>(key.data()), key.size()));
}

std::optional<PublicKey> decodePublicKey(std::string_view base64) {
  const std::optional<std::string> bytes = fromBase64(base64);
  if (!bytes || bytes->size() != PublicKey{}.size()) return std::nullopt;
  PublicKey key{};
  std::memcpy(key.data(), bytes->data(), key.size());
  return key;
}

}  // namespace nser::pki
