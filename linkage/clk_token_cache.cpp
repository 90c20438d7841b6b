#include "linkage/clk_token_cache.h"

#include <sodium.h>

#include <bit>
#include <cstring>
#include <utility>

namespace nser::linkage {

TokenDigestCache::TokenDigestCache(std::size_t capacity) {
  const std::size_t size = std::bit_ceil(capacity < 16 ? std::size_t{16} : capacity);
  slots_ = std::make_unique<Slot[]>(size);  // value-initialised: every slot empty
  mask_ = size - 1;
}

TokenDigestCache::~TokenDigestCache() {
  if (slots_) sodium_memzero(slots_.get(), (mask_ + 1) * sizeof(Slot));
}

TokenDigestCache::TokenDigestCache(TokenDigestCache&& other) noexcept
    : slots_(std::move(other.slots_)), mask_(std::exchange(other.mask_, 0)), size_(std::exchange(other.size_, 0)) {}

TokenDigestCache& TokenDigestCache::operator=(TokenDigestCache&& other) noexcept {
  if (this != &other) {
    if (slots_) sodium_memzero(slots_.get(), (mask_ + 1) * sizeof(Slot));
    slots_ = std::move(other.slots_);
    mask_ = std::exchange(other.mask_, 0);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

void TokenDigestCache::packKey(std::string_view token, std::uint64_t (&key)[2]) {
  unsigned char bytes[16] = {};
  std::memcpy(bytes, token.data(), token.size());
  bytes[15] = static_cast<unsigned char>(token.size());  // length tag: "a" and "a\0" differ
  std::memcpy(key, bytes, sizeof(bytes));
}

std::size_t TokenDigestCache::slotFor(const std::uint64_t (&key)[2]) const {
  // A multiply-xorshift mix: tokens are short and similar, so mix both words.
  std::uint64_t h = key[0] * 0x9E3779B97F4A7C15ULL ^ (key[1] + 0x632BE59BD9B4E019ULL) * 0xBF58476D1CE4E5B9ULL;
  h ^= h >> 29;
  return static_cast<std::size_t>(h) & mask_;
}

const TokenDigestCache::Payload* TokenDigestCache::find(std::string_view token) const {
  std::uint64_t key[2];
  packKey(token, key);
  for (std::size_t i = slotFor(key);; i = (i + 1) & mask_) {
    const Slot& slot = slots_[i];
    if (slot.key[0] == key[0] && slot.key[1] == key[1]) return &slot.payload;
    if (slot.key[0] == 0 && slot.key[1] == 0) return nullptr;  // empty (a real key has a non-zero length byte)
  }
}

void TokenDigestCache::insert(std::string_view token, const Payload& payload) {
  if ((size_ + 1) * 4 > (mask_ + 1) * 3) return;  // keep probes short; never evict
  std::uint64_t key[2];
  packKey(token, key);
  for (std::size_t i = slotFor(key);; i = (i + 1) & mask_) {
    Slot& slot = slots_[i];
    if (slot.key[0] == 0 && slot.key[1] == 0) {
      slot.key[0] = key[0];
      slot.key[1] = key[1];
      slot.payload = payload;
      ++size_;
      return;
    }
  }
}

}  // namespace nser::linkage
