// A set of Bloom-filter encodings of one length, stored back to back in one
// 64-byte-aligned block of 64-bit words (so a 1024-bit filter is exactly two
// cache lines), with each filter's popcount computed once when it is added.
// This is the input of the Dice search (linkage/dice_search.h).
//
// Raw byte form (the files of `nser bench dice`): filters back to back, no
// header; byte k of a filter holds bits 8k..8k+7, i.e. the 64-bit words are
// little-endian. Dice does not depend on the bit order, only on both sides
// using the same one.
//
// Not thread-safe for writing; concurrent reads are fine.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace nser::linkage {

class DiceFilterSet {
 public:
  // Throws DiceConfigError unless bitsPerFilter is a positive multiple of 64.
  explicit DiceFilterSet(std::size_t bitsPerFilter);

  // Parses the raw byte form. Throws DiceConfigError when the size is not a
  // multiple of the filter size in bytes (the message gives both sizes).
  static DiceFilterSet fromBytes(std::span<const std::uint8_t> bytes, std::size_t bitsPerFilter);
  // The raw byte form of the whole set (inverse of fromBytes).
  std::vector<std::uint8_t> toBytes() const;

  // Appends one filter; throws DiceConfigError on a length mismatch.
  void add(std::span<const std::uint64_t> filter);
  void reserve(std::size_t filters);

  std::size_t size() const { return popcounts_.size(); }
  bool empty() const { return popcounts_.empty(); }
  std::size_t bitsPerFilter() const { return words_ * 64; }
  std::size_t wordsPerFilter() const { return words_; }

  std::span<const std::uint64_t> filter(std::size_t index) const {
    return {data_.get() + index * words_, words_};
  }
  std::uint32_t popcount(std::size_t index) const { return popcounts_[index]; }
  // All filters back to back (size() * wordsPerFilter() words).
  const std::uint64_t* data() const { return data_.get(); }

 private:
  struct AlignedFree {
    void operator()(std::uint64_t* p) const;
  };
  void grow(std::size_t capacityFilters);

  std::size_t words_;
  std::size_t capacity_ = 0;  // in filters
  std::unique_ptr<std::uint64_t[], AlignedFree> data_;
  std::vector<std::uint32_t> popcounts_;
};

}  // namespace nser::linkage
