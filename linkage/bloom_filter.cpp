#include "linkage/bloom_filter.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <bit>
#include <stdexcept>

namespace nser::linkage {

namespace {

// reverseBits[b]: b with its bit order reversed. Our bit 8k+p (p = 0 least
// significant) is clkhash's MSB-first bit p of the same byte, so converting a
// byte between the two conventions is a bit reversal.
constexpr std::array<std::uint8_t, 256> makeReverseTable() {
  std::array<std::uint8_t, 256> table{};
  for (unsigned value = 0; value < 256; ++value) {
    unsigned reversed = 0;
    for (unsigned bit = 0; bit < 8; ++bit) {
      if ((value >> bit) & 1U) reversed |= 1U << (7 - bit);
    }
    table[value] = static_cast<std::uint8_t>(reversed);
  }
  return table;
}
constexpr std::array<std::uint8_t, 256> kReverseBits = makeReverseTable();

void requireMultipleOf64(std::size_t bits) {
  if (bits == 0 || bits % 64 != 0) {
    throw std::invalid_argument("Bloom filter length must be a positive multiple of 64 bits, got " +
                                std::to_string(bits));
  }
}

}  // namespace

BloomFilter::BloomFilter(std::size_t bits) {
  requireMultipleOf64(bits);
  words_.assign(bits / 64, 0);
}

BloomFilter BloomFilter::fromWords(std::vector<std::uint64_t> words) {
  requireMultipleOf64(words.size() * 64);
  BloomFilter filter;
  filter.words_ = std::move(words);
  return filter;
}

void BloomFilter::clear() { std::fill(words_.begin(), words_.end(), 0); }

std::size_t BloomFilter::popcount() const {
  std::size_t count = 0;
  for (std::uint64_t word : words_) count += static_cast<std::size_t>(std::popcount(word));
  return count;
}

double BloomFilter::dice(const BloomFilter& other) const {
  if (other.words_.size() != words_.size()) throw std::invalid_argument("Dice of Bloom filters of different lengths");
  std::size_t both = 0;
  std::size_t total = 0;
  for (std::size_t i = 0; i < words_.size(); ++i) {
    both += static_cast<std::size_t>(std::popcount(words_[i] & other.words_[i]));
    total += static_cast<std::size_t>(std::popcount(words_[i]) + std::popcount(other.words_[i]));
  }
  return total == 0 ? 0.0 : 2.0 * static_cast<double>(both) / static_cast<double>(total);
}

BloomFilter& BloomFilter::operator|=(const BloomFilter& other) {
  if (other.words_.size() != words_.size()) throw std::invalid_argument("OR of Bloom filters of different lengths");
  for (std::size_t i = 0; i < words_.size(); ++i) words_[i] |= other.words_[i];
  return *this;
}

BloomFilter BloomFilter::xorFolded(int folds) const {
  if (folds < 0) throw std::invalid_argument("XOR folds must be non-negative");
  std::vector<std::uint64_t> current = words_;
  for (int fold = 0; fold < folds; ++fold) {
    if (current.size() % 2 != 0) {
      throw std::invalid_argument("cannot XOR-fold a " + std::to_string(current.size() * 64) +
                                  "-bit filter: the halves would not be multiples of 64 bits");
    }
    const std::size_t half = current.size() / 2;
    for (std::size_t i = 0; i < half; ++i) current[i] ^= current[half + i];
    current.resize(half);
  }
  return fromWords(std::move(current));
}

std::vector<std::uint8_t> BloomFilter::toClkhashBytes() const {
  std::vector<std::uint8_t> bytes(words_.size() * 8);
  for (std::size_t w = 0; w < words_.size(); ++w) {
    for (std::size_t b = 0; b < 8; ++b) {
      bytes[w * 8 + b] = kReverseBits[static_cast<std::uint8_t>(words_[w] >> (8 * b))];
    }
  }
  return bytes;
}

BloomFilter BloomFilter::fromClkhashBytes(std::span<const std::uint8_t> bytes) {
  requireMultipleOf64(bytes.size() * 8);
  std::vector<std::uint64_t> words(bytes.size() / 8, 0);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    words[i / 8] |= static_cast<std::uint64_t>(kReverseBits[bytes[i]]) << (8 * (i % 8));
  }
  return fromWords(std::move(words));
}

std::string BloomFilter::toBase64() const {
  const std::vector<std::uint8_t> bytes = toClkhashBytes();
  const std::size_t length = sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  std::string text(length, '\0');
  sodium_bin2base64(text.data(), length, bytes.data(), bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  text.resize(length - 1);  // drop the terminating NUL sodium writes
  return text;
}

std::optional<BloomFilter> BloomFilter::fromBase64(std::string_view text) {
  std::vector<std::uint8_t> bytes(text.size() / 4 * 3 + 3);
  std::size_t length = 0;
  if (sodium_base642bin(bytes.data(), bytes.size(), text.data(), text.size(), nullptr, &length, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0) {
    return std::nullopt;
  }
  if (length == 0 || length % 8 != 0) return std::nullopt;
  bytes.resize(length);
  return fromClkhashBytes(bytes);
}

}  // namespace nser::linkage
