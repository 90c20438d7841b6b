// Block keys are 64-bit hashes: an index stores a word per membership, never
// a string. This mixer (the splitmix64 finaliser) spreads the inputs over all
// 64 bits so the block table can use any bits as its slot index.
//
// It is NOT a security boundary and needs not be: token digests are already
// keyed BLAKE2b outputs, and LSH band keys only reveal bits of a CLK that the
// hub holds anyway. Collisions merely add candidates (probability ~2^-64 per
// pair of distinct keys), which the comparison step then rejects.
#pragma once

#include <cstdint>

namespace nser::linkage {

constexpr std::uint64_t mixBlockKey(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Folds `value` into a running key; order matters, so (a, b) and (b, a) differ.
constexpr std::uint64_t combineBlockKey(std::uint64_t key, std::uint64_t value) {
  return mixBlockKey(key ^ mixBlockKey(value));
}

// The starting key of strategy number `ordinal` within a configuration:
// equal inputs under different strategies give unrelated keys.
constexpr std::uint64_t strategyKeySalt(std::uint32_t ordinal) {
  return mixBlockKey(0x6e7365722d626c6bULL ^ ordinal);  // "nser-blk"
}

}  // namespace nser::linkage
