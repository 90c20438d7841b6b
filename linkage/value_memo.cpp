#include "linkage/value_memo.h"

#include <sodium.h>

#include <bit>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace nser::linkage {

ValueMemo::ValueMemo(std::size_t slots, std::size_t words)
    : slots_(std::bit_ceil(slots < 16 ? std::size_t{16} : slots)), words_(words), stride_(kKeyBytes + 8 * words) {}

ValueMemo::~ValueMemo() { release(); }

ValueMemo::ValueMemo(ValueMemo&& other) noexcept
    : table_(std::exchange(other.table_, nullptr)),
      slots_(other.slots_),
      words_(other.words_),
      stride_(other.stride_),
      lookups_(other.lookups_),
      hits_(other.hits_),
      disabled_(other.disabled_) {}

ValueMemo& ValueMemo::operator=(ValueMemo&& other) noexcept {
  if (this != &other) {
    release();
    other.hintData_ = nullptr;
    table_ = std::exchange(other.table_, nullptr);
    slots_ = other.slots_;
    words_ = other.words_;
    stride_ = other.stride_;
    lookups_ = other.lookups_;
    hits_ = other.hits_;
    disabled_ = other.disabled_;
  }
  return *this;
}

void ValueMemo::release() noexcept {
  hintData_ = nullptr;
  if (table_ == nullptr) return;
  sodium_memzero(table_, slots_ * stride_);
  std::free(table_);
  table_ = nullptr;
}

std::size_t ValueMemo::slotOf(std::string_view value) const {
  // Multiply-xorshift over 8-byte chunks, then MurmurHash3's 64-bit
  // finaliser: every input bit reaches the low bits the slot is taken from
  // ("1985-03" and "1985-04" must not share a slot).
  std::uint64_t h = 0x9E3779B97F4A7C15ULL ^ value.size();
  std::size_t i = 0;
  for (; i + 8 <= value.size(); i += 8) {
    std::uint64_t chunk;
    std::memcpy(&chunk, value.data() + i, 8);
    h = (h ^ chunk) * 0xBF58476D1CE4E5B9ULL;
    h ^= h >> 31;
  }
  // The 0-7 remaining bytes, little-endian (what a memcpy into a zeroed
  // word gives, without the library call).
  std::uint64_t tail = 0;
  for (std::size_t k = 0; i + k < value.size(); ++k) {
    tail |= static_cast<std::uint64_t>(static_cast<unsigned char>(value[i + k])) << (8 * k);
  }
  h ^= tail;
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDULL;
  h ^= h >> 33;
  h *= 0xC4CEB9FE1A85EC53ULL;
  h ^= h >> 33;
  return static_cast<std::size_t>(h) & (slots_ - 1);
}

std::span<const std::uint64_t> ValueMemo::find(std::string_view value) {
  if (disabled_ || slots_ == 0) return {};
  ++lookups_;
  if (table_ == nullptr) {
    if (lookups_ < kWarmupLookups) return {};
    // calloc: every slot empty (length byte 0); untouched pages stay unmapped.
    table_ = static_cast<unsigned char*>(std::calloc(slots_, stride_));
    if (table_ == nullptr) {
      disabled_ = true;  // no memory: compute everything, as without a memo
      return {};
    }
  } else if (lookups_ == kWarmupLookups + kProbeLookups && hits_ * 8 < kProbeLookups) {
    disabled_ = true;  // values hardly repeat: probing costs more than it saves
    release();
    return {};
  }
  if (value.size() > kMaxValueBytes) return {};
  const std::size_t slot = takeHintedSlot(value, true);
  setHint(value, slot, false);  // for store() after a miss
  const unsigned char* key = keyAt(slot);
  if (key[0] != value.size() + 1 || std::memcmp(key + 1, value.data(), value.size()) != 0) return {};
  ++hits_;
  return {wordsAt(slot), words_};
}

void ValueMemo::prefetch(std::string_view value) const {
  hintData_ = nullptr;
  if (table_ == nullptr || value.size() > kMaxValueBytes) return;
  const std::size_t index = slotOf(value);
  setHint(value, index, true);
  const unsigned char* slot = keyAt(index);
  for (std::size_t offset = 0; offset < stride_; offset += 64) __builtin_prefetch(slot + offset);
  __builtin_prefetch(slot + stride_ - 1);
}

void ValueMemo::store(std::string_view value, std::span<const std::uint64_t> words) {
  if (table_ == nullptr || value.size() > kMaxValueBytes || words.size() != words_) return;
  const std::size_t slot = takeHintedSlot(value, false);
  unsigned char* key = keyAt(slot);
  key[0] = static_cast<unsigned char>(value.size() + 1);
  std::memcpy(key + 1, value.data(), value.size());
  std::memset(key + 1 + value.size(), 0, kKeyBytes - 1 - value.size());
  std::memcpy(wordsAt(slot), words.data(), words.size() * sizeof(std::uint64_t));
}

}  // namespace nser::linkage
