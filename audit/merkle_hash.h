// RFC 6962 / RFC 9162 Merkle tree hashing with SHA-256 (libsodium):
//   leaf hash  = SHA-256(0x00 || entry bytes)
//   node hash  = SHA-256(0x01 || left || right)
//   empty tree = SHA-256("")
// Pure functions, thread-safe.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace nser::audit {

using Hash = std::array<unsigned char, 32>;

Hash leafHash(std::string_view entry);
Hash nodeHash(const Hash& left, const Hash& right);
Hash emptyTreeHash();

std::string hashToHex(const Hash& hash);
std::string hashToBase64(const Hash& hash);
// nullopt unless `text` is exactly 32 bytes of standard base64 / 64 hex digits.
std::optional<Hash> hashFromBase64(std::string_view text);
std::optional<Hash> hashFromHex(std::string_view text);
inline std::string_view hashBytes(const Hash& hash) {
  return {reinterpret_cast<const char*>(hash.data()), hash.size()};
}

}  // namespace nser::audit
