// ValueMemo: a per-thread memo from a short string (a normalised feature
// value, a keyed token's input) to a fixed number of 64-bit words computed
// from it (the feature's filter bits, a token digest). Real registries repeat
// values constantly (districts, birth years, common names, a household's
// phone), and a hit replaces hashing, tokenising and hardening by one probe.
// The encoder's output does not depend on whether a value was memoised: a
// miss computes exactly what a hit returns (tested).
//
// Direct-mapped, fixed capacity, overwrite on collision: recent values win,
// which suits input ordered by household, and there is no "full" state.
// Values longer than kMaxValueBytes are never memoised.
//
// Cheap when unused: the table is allocated on the kWarmupLookups-th lookup
// (a workspace that encodes one query never allocates it), and a memo whose
// hit rate over its first kProbeLookups lookups after that is under 1/8 (a
// CNIC, unique per person) switches itself off and frees its table.
//
// The entries are derived from plaintext values and keyed material, so the
// table is wiped (sodium_memzero) when freed. Not thread-safe: one per
// thread (it lives in the encoder's workspace). Movable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace nser::linkage {

class ValueMemo {
 public:
  static constexpr std::size_t kMaxValueBytes = 46;
  static constexpr std::size_t kWarmupLookups = 32;
  static constexpr std::size_t kProbeLookups = 4096;

  ValueMemo() = default;
  // `slots` is rounded up to a power of two (at least 16); every entry holds
  // `words` words.
  ValueMemo(std::size_t slots, std::size_t words);
  ~ValueMemo();
  ValueMemo(ValueMemo&& other) noexcept;
  ValueMemo& operator=(ValueMemo&& other) noexcept;
  ValueMemo(const ValueMemo&) = delete;
  ValueMemo& operator=(const ValueMemo&) = delete;

  std::size_t words() const { return words_; }

  // The words stored for `value`, or an empty span (a miss). After a miss
  // the caller computes the words and may store() them; nothing else may
  // touch the memo in between.
  std::span<const std::uint64_t> find(std::string_view value);
  // Starts loading the slot `value` maps to into the cache, so that a
  // find() issued a little later does not wait for memory: the encoder
  // prefetches every feature's slot before hashing the first feature.
  // The slot is remembered for the next find(), which skips hashing the
  // value again if it is given the same bytes in memory (same pointer and
  // length); find() passes its slot on to store() likewise. A remembered
  // slot is only a hint: if the bytes at that address changed in between,
  // find() may miss where it could have hit (and store() write another
  // slot), but it never returns another value's words, since a slot's key
  // is always compared.
  void prefetch(std::string_view value) const;
  // Stores the words (words() of them) for the value of the last find(),
  // if that value is memoisable and the memo is active; else does nothing.
  void store(std::string_view value, std::span<const std::uint64_t> words);

  std::size_t hits() const { return hits_; }
  std::size_t lookups() const { return lookups_; }

 private:
  // A slot's key: byte 0 = value length + 1 (0 = empty slot), then the value
  // bytes, zero padded.
  static constexpr std::size_t kKeyBytes = kMaxValueBytes + 2;
  std::size_t slotOf(std::string_view value) const;
  // The hinted slot if `value` is the hinted bytes and the hint was left
  // for this caller (find() takes prefetch()'s, store() takes find()'s),
  // else slotOf(value). Either way the hint is used up.
  std::size_t takeHintedSlot(std::string_view value, bool forFind) const {
    const bool hinted = hintData_ == value.data() && hintSize_ == value.size() && hintForFind_ == forFind;
    hintData_ = nullptr;
    return hinted ? hintSlot_ : slotOf(value);
  }
  void setHint(std::string_view value, std::size_t slot, bool forFind) const {
    hintData_ = value.data();
    hintSize_ = value.size();
    hintSlot_ = slot;
    hintForFind_ = forFind;
  }
  unsigned char* keyAt(std::size_t slot) const { return table_ + slot * stride_; }
  std::uint64_t* wordsAt(std::size_t slot) const {
    return reinterpret_cast<std::uint64_t*>(table_ + slot * stride_ + kKeyBytes);
  }
  void release() noexcept;

  unsigned char* table_ = nullptr;
  std::size_t slots_ = 0;
  std::size_t words_ = 0;
  std::size_t stride_ = 0;
  std::size_t lookups_ = 0;
  std::size_t hits_ = 0;
  bool disabled_ = false;
  // The slot last computed for the bytes at hintData_ (see prefetch()).
  mutable const char* hintData_ = nullptr;
  mutable std::size_t hintSize_ = 0;
  mutable std::size_t hintSlot_ = 0;
  mutable bool hintForFind_ = false;
};

}  // namespace nser::linkage
