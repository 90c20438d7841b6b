// Test helpers for the blocking tests: synthetic tokens and filters. Token
// digests are derived from small integers so tests can say "these two
// records share a name token" without a linkage secret.
#pragma once

#include <cstdint>
#include <algorithm>
#include <cstring>
#include <random>
#include <vector>

#include "linkage/blocking_key_hash.h"
#include "linkage/encoded_record.h"

namespace nser::linkage::blocking_test {

inline KeyedToken token(TokenKind kind, std::uint64_t value) {
  KeyedToken t;
  t.kind = kind;
  std::uint64_t lo = mixBlockKey(value ^ (static_cast<std::uint64_t>(kind) << 56));
  std::uint64_t hi = mixBlockKey(lo);
  std::memcpy(t.digest.data(), &lo, 8);
  std::memcpy(t.digest.data() + 8, &hi, 8);
  return t;
}

inline EncodedRecord recordWith(std::vector<KeyedToken> tokens, FilterWords clk = {}) {
  EncodedRecord r;
  r.tokens = std::move(tokens);
  r.clk = std::move(clk);
  return r;
}

// Each bit set with probability `density`.
inline FilterWords randomFilter(std::size_t bits, double density, std::mt19937_64& rng) {
  FilterWords words(bits / 64, 0);
  std::bernoulli_distribution bit(density);
  for (std::size_t i = 0; i < bits; ++i) {
    if (bit(rng)) words[i / 64] |= std::uint64_t{1} << (i % 64);
  }
  return words;
}

// Flips exactly `count` distinct bits.
inline FilterWords flipBits(FilterWords words, std::size_t count, std::mt19937_64& rng) {
  const std::size_t bits = words.size() * 64;
  std::vector<std::size_t> order(bits);
  for (std::size_t i = 0; i < bits; ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), rng);
  for (std::size_t i = 0; i < count; ++i) words[order[i] / 64] ^= std::uint64_t{1} << (order[i] % 64);
  return words;
}

}  // namespace nser::linkage::blocking_test
