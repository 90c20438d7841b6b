#include "linkage/clk_token_cache.h"

#include <sodium.h>

#include <bit>
#include <cstring>
#include <utility>

namespace nser::linkage {

TokenDigestCache::TokenDigestCache(std::size_t capacity) {
  const std::size_t size = std::bit_ceil(capacity < 16 ? std::size_t{16} : capacity);
  keys_ = std::make_unique<Key[]>(size);  // value-initialised: every slot empty
  entries_ = std::make_unique<Entry[]>(size);
  mask_ = size - 1;
}

TokenDigestCache::~TokenDigestCache() {
  if (entries_) sodium_memzero(entries_.get(), (mask_ + 1) * sizeof(Entry));
  if (keys_) sodium_memzero(keys_.get(), (mask_ + 1) * sizeof(Key));
}

TokenDigestCache::TokenDigestCache(TokenDigestCache&& other) noexcept
    : keys_(std::move(other.keys_)),
      entries_(std::move(other.entries_)),
      mask_(std::exchange(other.mask_, 0)),
      size_(std::exchange(other.size_, 0)) {}

TokenDigestCache& TokenDigestCache::operator=(TokenDigestCache&& other) noexcept {
  if (this != &other) {
    if (entries_) sodium_memzero(entries_.get(), (mask_ + 1) * sizeof(Entry));
    if (keys_) sodium_memzero(keys_.get(), (mask_ + 1) * sizeof(Key));
    keys_ = std::move(other.keys_);
    entries_ = std::move(other.entries_);
    mask_ = std::exchange(other.mask_, 0);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

TokenDigestCache::Key TokenDigestCache::packKey(std::string_view token) {
  // Byte i of the token is byte i % 8 of word i / 8 (little-endian packing,
  // built in registers: a byte-wise copy then word loads would stall on
  // store forwarding in this hot path).
  Key key{{0, 0}};
  for (std::size_t i = 0; i < token.size(); ++i) {
    key.word[i >> 3] |= static_cast<std::uint64_t>(static_cast<unsigned char>(token[i])) << (8 * (i & 7));
  }
  key.word[1] |= static_cast<std::uint64_t>(token.size()) << 56;  // length tag: "a" and "a\0" differ
  return key;
}

std::size_t TokenDigestCache::slotFor(const Key& key) const {
  // A multiply-xorshift mix: tokens are short and similar, so mix both words.
  std::uint64_t h = key.word[0] * 0x9E3779B97F4A7C15ULL ^ (key.word[1] + 0x632BE59BD9B4E019ULL) * 0xBF58476D1CE4E5B9ULL;
  h ^= h >> 29;
  return static_cast<std::size_t>(h) & mask_;
}

const TokenDigestCache::Payload* TokenDigestCache::find(std::string_view token) const {
  const Key key = packKey(token);
  for (std::size_t i = slotFor(key);; i = (i + 1) & mask_) {
    const Key& slot = keys_[i];
    if (slot.word[0] == key.word[0] && slot.word[1] == key.word[1]) return &entries_[i].payload;
    if (slot.word[0] == 0 && slot.word[1] == 0) return nullptr;  // empty (a real key has a non-zero length byte)
  }
}

void TokenDigestCache::insert(std::string_view token, const Payload& payload) {
  if ((size_ + 1) * 4 > (mask_ + 1) * 3) return;  // keep probes short; never evict
  const Key key = packKey(token);
  for (std::size_t i = slotFor(key);; i = (i + 1) & mask_) {
    Key& slot = keys_[i];
    if (slot.word[0] == 0 && slot.word[1] == 0) {
      slot = key;
      entries_[i].payload = payload;
      ++size_;
      return;
    }
  }
}

}  // namespace nser::linkage
