#include "linkage/clk_key_derivation.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <sodium.h>

#include <memory>
#include <vector>
#include <string>
#include <utility>

namespace nser::linkage {

namespace {

struct KdfDeleter {
  void operator()(EVP_KDF* kdf) const { EVP_KDF_free(kdf); }
  void operator()(EVP_KDF_CTX* ctx) const { EVP_KDF_CTX_free(ctx); }
};

}  // namespace

ClkFeatureKeys::ClkFeatureKeys(std::span<const std::uint8_t> secret, const ClkKdfConfig& kdf, std::size_t featureCount)
    : featureCount_(featureCount), keySize_(kdf.keySize) {
  if (sodium_init() < 0) throw ClkKeyError("libsodium failed to initialise");
  if (secret.empty()) throw ClkKeyError("the linkage secret is empty");
  if (featureCount == 0 || keySize_ == 0) throw ClkKeyError("no keys to derive");
  const std::size_t hashLength = kdf.hash == HkdfHash::Sha256 ? 32 : 64;
  const std::size_t total = featureCount * kKeysPerFeature * keySize_;
  if (total > 255 * hashLength) {
    throw ClkKeyError("HKDF cannot derive " + std::to_string(total) + " bytes (" + std::to_string(featureCount) +
                      " features x 2 keys x keySize " + std::to_string(keySize_) + "); the limit is " +
                      std::to_string(255 * hashLength) + " bytes");
  }

  std::unique_ptr<EVP_KDF, KdfDeleter> algorithm(EVP_KDF_fetch(nullptr, "HKDF", nullptr));
  if (!algorithm) throw ClkKeyError("OpenSSL has no HKDF");
  std::unique_ptr<EVP_KDF_CTX, KdfDeleter> ctx(EVP_KDF_CTX_new(algorithm.get()));
  if (!ctx) throw ClkKeyError("cannot create an HKDF context");

  std::string digest = kdf.hash == HkdfHash::Sha256 ? "SHA256" : "SHA512";
  // OSSL_PARAM wants non-const pointers; OpenSSL only reads them.
  std::vector<std::uint8_t> ikm(secret.begin(), secret.end());
  std::vector<std::uint8_t> salt = kdf.salt;
  std::vector<std::uint8_t> info = kdf.info;
  OSSL_PARAM params[5];
  std::size_t n = 0;
  params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest.data(), 0);
  params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, ikm.data(), ikm.size());
  if (!salt.empty()) params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, salt.data(), salt.size());
  if (!info.empty()) params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info.data(), info.size());
  params[n] = OSSL_PARAM_construct_end();

  data_ = static_cast<std::uint8_t*>(sodium_malloc(total));
  if (data_ == nullptr) throw ClkKeyError("cannot allocate guarded memory for the CLK keys");
  const int ok = EVP_KDF_derive(ctx.get(), data_, total, params);
  sodium_memzero(ikm.data(), ikm.size());
  if (ok != 1) {
    release();
    throw ClkKeyError("HKDF key derivation failed");
  }
  sodium_mprotect_readonly(data_);
}

ClkFeatureKeys::~ClkFeatureKeys() { release(); }

ClkFeatureKeys::ClkFeatureKeys(ClkFeatureKeys&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      featureCount_(std::exchange(other.featureCount_, 0)),
      keySize_(std::exchange(other.keySize_, 0)) {}

ClkFeatureKeys& ClkFeatureKeys::operator=(ClkFeatureKeys&& other) noexcept {
  if (this != &other) {
    release();
    data_ = std::exchange(other.data_, nullptr);
    featureCount_ = std::exchange(other.featureCount_, 0);
    keySize_ = std::exchange(other.keySize_, 0);
  }
  return *this;
}

void ClkFeatureKeys::release() noexcept {
  if (data_ != nullptr) sodium_free(data_);  // sodium_free zeroes before unmapping
  data_ = nullptr;
}

}  // namespace nser::linkage
