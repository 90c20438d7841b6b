// ClkTokenHasher: turns one token (its encoded bytes) into the k bit indices
// clkhash sets for it in a filter of `hashBits` bits (clkhash bloomfilter.py).
//
// blakeHash (hashBits must be a power of two):
//   for m in 0 .. ceil(k/32)-1:
//     D_m = BLAKE2b-512(token, key = key0, salt = ASCII decimal of m padded
//           with zeros to 16 bytes, no personalisation)
//   the 32(m+1) little-endian uint16 values of D_0 || D_1 || ... are taken
//   in order; index j = value_j mod hashBits for j < k.
//
// doubleHash (Schnell et al. 2011):
//   h1 = int_be(HMAC-SHA1(key0, token)) mod hashBits
//   h2 = int_be(HMAC-MD5 (key1, token)) mod hashBits
//   with prevent_singularity, while h2 == 0: h2 = int_be(HMAC-MD5(key1,
//   token || UTF-8(chr(i)))) mod hashBits for i = 0, 1, ...
//   index j = (h1 + j * h2) mod hashBits for j < k.
//
// Per-feature keyed BLAKE2b states (one per salt) are precomputed once, so a
// token costs one state copy, one update and one final per 32 indices, and
// no heap allocation. HMAC contexts are per thread, in TokenHashScratch.
// Short tokens' first-MAC results (blake: the 32 values of D_0; double: h1,
// h2) are memoised per thread in a TokenDigestCache: names repeat bigrams
// constantly, and a hit replaces two BLAKE2b compressions (or four
// SHA-1/MD5 ones) by a table lookup. The result is identical either way.
//
// ClkTokenHasher is immutable and thread-safe; each thread passes its own
// TokenHashScratch.
#pragma once

#include <sodium.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "linkage/bloom_filter.h"
#include "linkage/clk_schema.h"
#include "linkage/clk_token_cache.h"

typedef struct evp_mac_ctx_st EVP_MAC_CTX;

namespace nser::linkage {

// Per-thread mutable state for one feature: the token cache (allocated on
// first use) and, for doubleHash, HMAC contexts keyed once and reset per
// token. Move-only.
class TokenHashScratch {
 public:
  explicit TokenHashScratch(bool cacheTokens = true) : cacheTokens_(cacheTokens) {}
  ~TokenHashScratch();
  TokenHashScratch(TokenHashScratch&& other) noexcept;
  TokenHashScratch& operator=(TokenHashScratch&& other) noexcept;
  TokenHashScratch(const TokenHashScratch&) = delete;
  TokenHashScratch& operator=(const TokenHashScratch&) = delete;

 private:
  friend class ClkTokenHasher;
  void release() noexcept;
  EVP_MAC_CTX* sha1_ = nullptr;
  EVP_MAC_CTX* md5_ = nullptr;
  bool cacheTokens_ = true;
  std::unique_ptr<TokenDigestCache> cache_;
};

class ClkTokenHasher {
 public:
  // The keys are copied into the precomputed state (blake) or kept by
  // reference (double: `key0`/`key1` must outlive the hasher; they are the
  // ClkFeatureKeys spans). Throws std::invalid_argument when blakeHash is
  // asked for a key longer than 64 bytes or a hashBits that is not a power of
  // two, or hashBits is 0 or above 2^32.
  ClkTokenHasher(const HashConfig& hash, std::span<const std::uint8_t> key0, std::span<const std::uint8_t> key1,
                 std::size_t hashBits);
  ~ClkTokenHasher();
  ClkTokenHasher(ClkTokenHasher&&) noexcept;
  ClkTokenHasher& operator=(ClkTokenHasher&&) noexcept;
  ClkTokenHasher(const ClkTokenHasher&) = delete;
  ClkTokenHasher& operator=(const ClkTokenHasher&) = delete;

  // Sets the token's k bits in `filter` (which has hashBits bits); k <= 0 sets
  // nothing. Allocates only on a scratch's first use (its cache and HMAC
  // contexts); throws std::runtime_error only if OpenSSL cannot provide
  // HMAC-SHA1/MD5 then.
  void insert(std::string_view token, int k, TokenHashScratch& scratch, BloomFilter& filter) const;

  // The k indices (in clkhash's order, duplicates kept): for tests and tools.
  std::vector<std::uint32_t> indices(std::string_view token, int k, TokenHashScratch& scratch) const;

 private:
  template <class Sink>
  void forEachIndex(std::string_view token, int k, TokenHashScratch& scratch, Sink&& sink) const;
  void blakeDigest(std::string_view token, std::size_t mac, unsigned char* out) const;
  void prepareHmac(TokenHashScratch& scratch) const;

  HashConfig hash_;
  std::size_t hashBits_;
  std::vector<std::uint8_t> key0_;  // blake: for salts beyond the precomputed ones
  std::span<const std::uint8_t> hmacKey0_;
  std::span<const std::uint8_t> hmacKey1_;
  std::vector<crypto_generichash_blake2b_state> saltedStates_;  // blake: one per salt "0".."7"
};

}  // namespace nser::linkage
