// ClkFeatureKeys: the per-feature hashing keys clkhash derives from the
// linkage secret (clkhash key_derivation.generate_key_lists):
//
//   okm = HKDF(hash, ikm = secret, salt, info, length = 2 * features * keySize)
//   feature f, method m (0 or 1) -> okm[(2f + m) * keySize, +keySize)
//
// Two keys per feature, ignored features included. blakeHash uses key 0;
// doubleHash uses key 0 for HMAC-SHA1 and key 1 for HMAC-MD5. HKDF is
// RFC 5869 via OpenSSL EVP_KDF "HKDF"; an absent salt is HashLen zero bytes
// (RFC 5869, same as Python's cryptography) and an absent info is empty.
//
// The keys live in libsodium guarded memory (read-only after derivation,
// zeroed when freed). Immutable; safe to share between threads. Move-only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>

#include "linkage/clk_schema.h"

namespace nser::linkage {

class ClkKeyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ClkFeatureKeys {
 public:
  static constexpr std::size_t kKeysPerFeature = 2;

  // Throws ClkKeyError when the secret is empty, the output would exceed
  // HKDF's limit of 255 * HashLen bytes, or OpenSSL fails.
  ClkFeatureKeys(std::span<const std::uint8_t> secret, const ClkKdfConfig& kdf, std::size_t featureCount);
  ~ClkFeatureKeys();
  ClkFeatureKeys(ClkFeatureKeys&& other) noexcept;
  ClkFeatureKeys& operator=(ClkFeatureKeys&& other) noexcept;
  ClkFeatureKeys(const ClkFeatureKeys&) = delete;
  ClkFeatureKeys& operator=(const ClkFeatureKeys&) = delete;

  std::size_t featureCount() const { return featureCount_; }
  std::size_t keySize() const { return keySize_; }
  // `method` is 0 or 1.
  std::span<const std::uint8_t> key(std::size_t feature, std::size_t method) const {
    return {data_ + (feature * kKeysPerFeature + method) * keySize_, keySize_};
  }

 private:
  void release() noexcept;

  std::uint8_t* data_ = nullptr;
  std::size_t featureCount_ = 0;
  std::size_t keySize_ = 0;
};

}  // namespace nser::linkage
