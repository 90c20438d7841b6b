// BloomFilter: a fixed-length bit vector (a CLK or a field-level filter).
//
// Length: any positive multiple of 64 bits. Storage follows the project-wide
// convention (see encoded_record.h): bit i is bit (i % 64) of word i / 64, so
// words() can go straight to the Dice kernel, the hardening transforms and the
// encoding file.
//
// Bit numbering is clkhash's: clkhash's bitarray index i is our bit i. The
// clkhash byte serialisation (bitarray.tobytes(), big-endian bit order: bit i
// is the most significant-first bit (i % 8) of byte i / 8) is produced by
// toClkhashBytes()/toBase64() and read back by fromClkhashBytes()/fromBase64().
//
// A value type: copyable, movable; not synchronised (one writer at a time).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace nser::linkage {

class BloomFilter {
 public:
  BloomFilter() = default;
  // All bits clear. Throws std::invalid_argument unless `bits` is a positive
  // multiple of 64.
  explicit BloomFilter(std::size_t bits);
  // Adopts words in the project convention (bit i = bit i%64 of word i/64).
  static BloomFilter fromWords(std::vector<std::uint64_t> words);

  std::size_t bits() const { return words_.size() * 64; }
  std::span<const std::uint64_t> words() const { return words_; }
  std::span<std::uint64_t> mutableWords() { return words_; }
  // Moves the words out (the filter is left empty).
  std::vector<std::uint64_t> takeWords() { return std::move(words_); }

  // Index must be < bits(); not checked in release builds (hot path).
  void set(std::size_t index) { words_[index >> 6] |= std::uint64_t{1} << (index & 63); }
  bool test(std::size_t index) const { return ((words_[index >> 6] >> (index & 63)) & 1U) != 0; }
  void clear();

  std::size_t popcount() const;
  // Dice coefficient 2|A∩B| / (|A|+|B|); 0 when both are empty. Throws
  // std::invalid_argument when the lengths differ. (Bulk comparison uses the
  // SIMD kernel in dice_kernel.h; this is the simple reference.)
  double dice(const BloomFilter& other) const;

  // this |= other; lengths must match (std::invalid_argument otherwise).
  BloomFilter& operator|=(const BloomFilter& other);
  bool operator==(const BloomFilter& other) const = default;

  // XOR-folds `folds` times: each fold XORs the first half with the second
  // half (clkhash's fold_xor). Throws std::invalid_argument when a half would
  // not be a multiple of 64 bits.
  BloomFilter xorFolded(int folds) const;

  // clkhash's serialisation: bits()/8 bytes, MSB-first within each byte.
  std::vector<std::uint8_t> toClkhashBytes() const;
  static BloomFilter fromClkhashBytes(std::span<const std::uint8_t> bytes);
  // Standard base64 (with padding) of toClkhashBytes(): one entry of clkhash's
  // {"clks": [...]}.
  std::string toBase64() const;
  // nullopt when `text` is not valid base64 or does not decode to a positive
  // multiple of 8 bytes.
  static std::optional<BloomFilter> fromBase64(std::string_view text);

 private:
  std::vector<std::uint64_t> words_;
};

}  // namespace nser::linkage
