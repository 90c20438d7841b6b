// TokenDigestCache: a per-thread, per-feature memo of token -> 64-byte hash
// result, so a token seen before (the same bigram in another record) costs a
// table lookup instead of a keyed hash. clkhash memoises the same way
// (functools.lru_cache on its token hashers); the output does not depend on
// whether a token was cached.
//
// Fixed capacity, open addressing, no allocation after construction, no
// eviction: once 3/4 full it stops inserting (lookups still hit). Only tokens
// of at most kMaxTokenBytes bytes are cached (n-grams; long exact values are
// not worth it). The entries are keyed digests, as sensitive as the keys:
// the table is wiped (sodium_memzero) when destroyed.
//
// Not thread-safe: one per thread (it lives in the encoder's workspace).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

namespace nser::linkage {

class TokenDigestCache {
 public:
  static constexpr std::size_t kMaxTokenBytes = 15;
  static constexpr std::size_t kPayloadBytes = 64;
  using Payload = std::array<unsigned char, kPayloadBytes>;

  // `capacity` is rounded up to a power of two (at least 16).
  explicit TokenDigestCache(std::size_t capacity = 2048);
  ~TokenDigestCache();
  TokenDigestCache(TokenDigestCache&&) noexcept;
  TokenDigestCache& operator=(TokenDigestCache&&) noexcept;
  TokenDigestCache(const TokenDigestCache&) = delete;
  TokenDigestCache& operator=(const TokenDigestCache&) = delete;

  static bool cacheable(std::string_view token) { return !token.empty() && token.size() <= kMaxTokenBytes; }

  // The payload stored for `token`, or nullptr. `token` must be cacheable.
  const Payload* find(std::string_view token) const;
  // Stores a payload for `token` (cacheable, not present). Does nothing when
  // the table is 3/4 full.
  void insert(std::string_view token, const Payload& payload);

  std::size_t size() const { return size_; }

 private:
  // Keys and payloads live in separate arrays: probing touches only the
  // compact key array (16 bytes a slot), and a hit reads one cache-line-aligned
  // payload.
  struct Key {
    std::uint64_t word[2];  // token bytes, zero padded, byte 15 = length; all zero = empty slot
  };
  struct alignas(64) Entry {
    Payload payload;
  };
  static Key packKey(std::string_view token);
  std::size_t slotFor(const Key& key) const;

  std::unique_ptr<Key[]> keys_;
  std::unique_ptr<Entry[]> entries_;
  std::size_t mask_ = 0;
  std::size_t size_ = 0;
};

}  // namespace nser::linkage
