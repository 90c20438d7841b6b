#include "linkage/clk_key_derivation.h"

#include <gtest/gtest.h>

#include <string>

namespace nser::linkage {
namespace {

std::string hex(std::span<const std::uint8_t> bytes) {
  static const char* digits = "0123456789abcdef";
  std::string text;
  for (std::uint8_t b : bytes) {
    text.push_back(digits[b >> 4]);
    text.push_back(digits[b & 15]);
  }
  return text;
}

TEST(ClkFeatureKeys, MatchesRfc5869TestCase1SplitIntoFeatureKeys) {
  // RFC 5869 A.1: IKM = 0x0b * 22, salt = 00..0c, info = f0..f9, L = 42.
  // One feature x 2 keys x 21 bytes = the 42 bytes of OKM, in order.
  const std::vector<std::uint8_t> ikm(22, 0x0b);
  ClkKdfConfig kdf;
  kdf.hash = HkdfHash::Sha256;
  for (std::uint8_t i = 0; i <= 0x0c; ++i) kdf.salt.push_back(i);
  for (std::uint8_t i = 0xf0; i <= 0xf9; ++i) kdf.info.push_back(i);
  kdf.keySize = 21;
  const ClkFeatureKeys keys(ikm, kdf, 1);
  EXPECT_EQ(hex(keys.key(0, 0)) + hex(keys.key(0, 1)),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
}

TEST(ClkFeatureKeys, AbsentSaltIsHashLenZeros) {
  // RFC 5869 A.3: no salt, no info, L = 42 (same IKM).
  const std::vector<std::uint8_t> ikm(22, 0x0b);
  ClkKdfConfig kdf;
  kdf.keySize = 21;
  const ClkFeatureKeys keys(ikm, kdf, 1);
  EXPECT_EQ(hex(keys.key(0, 0)) + hex(keys.key(0, 1)),
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
}

TEST(ClkFeatureKeys, KeysAreDistinctPerFeatureAndMethod) {
  const std::vector<std::uint8_t> secret = {'s', 'e', 'c', 'r', 'e', 't'};
  const ClkFeatureKeys keys(secret, ClkKdfConfig{}, 3);
  EXPECT_EQ(keys.keySize(), 64U);
  std::vector<std::string> all;
  for (std::size_t f = 0; f < 3; ++f) {
    for (std::size_t m = 0; m < 2; ++m) all.push_back(hex(keys.key(f, m)));
  }
  for (std::size_t i = 0; i < all.size(); ++i) {
    for (std::size_t j = i + 1; j < all.size(); ++j) EXPECT_NE(all[i], all[j]);
  }
}

TEST(ClkFeatureKeys, RefusesAnEmptySecretAndTooMuchOutput) {
  EXPECT_THROW(ClkFeatureKeys({}, ClkKdfConfig{}, 1), ClkKeyError);
  const std::vector<std::uint8_t> secret(16, 1);
  // SHA-256 HKDF gives at most 255 * 32 = 8160 bytes: 64 features x 2 x 64 = 8192.
  EXPECT_THROW(ClkFeatureKeys(secret, ClkKdfConfig{}, 64), ClkKeyError);
  EXPECT_NO_THROW(ClkFeatureKeys(secret, ClkKdfConfig{}, 63));
}

}  // namespace
}  // namespace nser::linkage
