#include "audit/merkle_hash.h"

#include <sodium.h>

#include "pki/signing_key.h"

namespace nser::audit {

Hash leafHash(std::string_view entry) {
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  const unsigned char prefix = 0x00;
  crypto_hash_sha256_update(&state, &prefix, 1);
  crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(entry.data()), entry.size());
  Hash out;
  crypto_hash_sha256_final(&state, out.data());
  return out;
}

Hash nodeHash(const Hash& left, const Hash& right) {
  // One contiguous buffer: a single update is cheaper than three.
  unsigned char buffer[1 + 64];
  buffer[0] = 0x01;
  std::copy(left.begin(), left.end(), buffer + 1);
  std::copy(right.begin(), right.end(), buffer + 33);
  Hash out;
  crypto_hash_sha256(out.data(), buffer, sizeof buffer);
  return out;
}

Hash emptyTreeHash() {
  Hash out;
  crypto_hash_sha256(out.data(), nullptr, 0);
  return out;
}

std::string hashToHex(const Hash& hash) {
  char text[65];
  sodium_bin2hex(text, sizeof text, hash.data(), hash.size());
  return text;
}

std::string hashToBase64(const Hash& hash) { return pki::toBase64(hashBytes(hash)); }

std::optional<Hash> hashFromBase64(std::string_view text) {
  const auto bytes = pki::fromBase64(text);
  if (!bytes || bytes->size() != 32) return std::nullopt;
  Hash out;
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

std::optional<Hash> hashFromHex(std::string_view text) {
  if (text.size() != 64) return std::nullopt;
  Hash out;
  std::size_t written = 0;
  if (sodium_hex2bin(out.data(), out.size(), text.data(), text.size(), nullptr, &written, nullptr) != 0 ||
      written != 32) {
    return std::nullopt;
  }
  return out;
}

}  // namespace nser::audit
